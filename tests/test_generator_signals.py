"""Each generator signal read from a file that carries it (samples/metadata/, made by
samples/make_metadata.py from real layouts; the real TikTok repost in shared/fixtures), and
resolved to the generator the data tables name. The last test checks that every generator
entry has at least one signal proven here, or is on the explicit list of entries whose only
signals are exercised elsewhere (pixel detectors) or still need a real file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.knowledge import generators, model_families, tc260
from provenance.readers import metadata
from provenance.readers.credentials import reader as credentials
from provenance.readers.metadata import bitstream, bmff
from provenance.readers.probe import probe


@pytest.fixture(autouse=True)
def _bundled_tables():
    """A check leaves its options' tables in use; every test here reads the bundled ones."""
    from provenance.knowledge import tables

    tables.use_extra_files()
    yield
    tables.use_extra_files()


SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "metadata"
TRUTH = json.loads((SAMPLES / "truth.json").read_text("utf-8"))
_VENDOR_KIND = {
    "xai_signature": ("xai_signatures", "xai-signature"),
    "samsung_genai": ("samsung_genai", "samsung-genai"),
    "midjourney_job": ("midjourney_jobs", "midjourney-job"),
    "hf_job": ("hf_jobs", "hf-job"),
    "platform_label": ("platform_labels", "tiktok-label"),
}


def _read(path: Path) -> metadata.MetadataInfo:
    return metadata.read(str(path), probe(str(path)))


def _media(path: Path) -> str:
    return probe(str(path)).kind


def generators_named(entry: dict, path: Path) -> set[str]:
    """Every generator the file's facts name through the data tables (no rule logic: the
    knowledge lookups a rule would make)."""
    return set().union(*named_by_family(entry, path).values())


def named_by_family(entry: dict, path: Path) -> dict[str, set[str]]:
    """The generators each signal family of the file names (coverage table columns)."""
    named: dict[str, set[str]] = {}

    def add(family: str, gen: str | None) -> None:
        if gen:
            named.setdefault(family, set()).add(gen)

    if entry["signal"] == "c2pa":
        info = credentials.read(str(path), "image/jpeg")
        agents = [a.software_agent for a in info.actions if a.software_agent]
        claims = [*info.claim_generator_info, info.claim_generator]
        hit = generators.first_match("c2pa_software_agent", agents, "image")
        hit = hit or generators.first_match("c2pa_claim_generator", claims, "image")
        add("c2pa", hit.generator if hit else None)
        return named
    meta = _read(path)
    media = _media(path)
    for text in meta.texts:
        for h in generators.match("metadata", text.value, media)[:1]:
            add("metadata", h.generator)
    for params in meta.generation:
        for model in params.models:
            fam = model_families.family_of(model.name, model.role)
            add("generation", fam.generator if fam else None)
    for label in meta.aigc_labels:
        for _role, code in label.roles():
            found = tc260.lookup(code)
            add("tc260", found.producer.generator if found else None)
    for field_name, kind in _VENDOR_KIND.values():
        if getattr(meta.vendor, field_name):
            add("vendor", generators.by_vendor_fact(kind).id)
    for export in meta.vendor.bytedance_exports:
        for product in export.products:
            gen = generators.by_app_product(product)
            add("vendor", gen.id if gen else None)
    if meta.bitstream:
        for text in meta.bitstream.texts():
            for h in generators.match("bitstream", text)[:1]:
                add("bitstream", h.generator)
    return named


@pytest.mark.parametrize("entry", TRUTH, ids=[t["file"] for t in TRUTH])
def test_sample_names_its_generator(entry):
    path = SAMPLES / entry["file"]
    named = generators_named(entry, path)
    expected = entry.get("generator")
    family = entry.get("family")
    if family:
        fam = model_families.load()[family]
        expected = fam.generator or expected
        if expected is None:  # a family without a generator entry: the family is the fact
            assert family in _families(_read(path))
            return
    if expected:
        assert expected in named, (entry["file"], named)
    propagator = entry.get("propagator")
    if propagator:
        assert propagator in named


def _of(signal: str) -> list[dict]:
    return [t for t in TRUTH if t["signal"] == signal]


def _families(meta: metadata.MetadataInfo) -> set[str]:
    found = (model_families.family_of(m.name, m.role) for p in meta.generation for m in p.models)
    return {f.family for f in found if f}


@pytest.mark.parametrize("entry", _of("generation"), ids=lambda t: t["file"])
def test_generation_parameters(entry):
    meta = _read(SAMPLES / entry["file"])
    assert meta.generation, meta.problems
    params = meta.generation[0]
    assert params.tool == entry["tool"]
    assert params.where.container in ("png", "webp", "jpeg")
    assert params.models, params
    if entry.get("family"):
        assert entry["family"] in _families(meta)


def test_comfyui_graph_fields():
    meta = _read(SAMPLES / "comfyui_wan2.1.webp")
    api = next(p for p in meta.generation if p.format == "comfyui-prompt")
    ui = next(p for p in meta.generation if p.format == "comfyui-workflow")
    assert api.where.path == "EXIF IFD0" and api.where.key == "Model"
    assert ui.where.key == "Make"
    got = (api.sampler, api.steps, api.cfg, api.width, api.height, api.frames)
    assert got == ("uni_pc", 30, 6.0, 832, 480, 33)
    roles = {m.role for m in api.models}
    assert roles == {"diffusion", "text-encoder", "vae"}
    assert {m.name for m in ui.models} == {m.name for m in api.models}


def test_a1111_fields():
    meta = _read(SAMPLES / "forge_flux.jpg")
    p = meta.generation[0]
    assert p.tool == "Forge" and p.tool_version.startswith("f2.0.1")
    assert (p.steps, p.cfg, p.seed, p.width, p.height) == (20, 1.0, 42, 896, 1152)
    assert p.models[0].name == "flux1-dev-bnb-nf4-v2" and p.where.key == "UserComment"


@pytest.mark.parametrize("entry", _of("tc260"), ids=lambda t: t["file"])
def test_tc260_label_in_every_placement(entry):
    meta = _read(SAMPLES / entry["file"])
    assert meta.aigc_labels, meta.problems
    label = meta.aigc_labels[0]
    if entry.get("schema") == "service-provider":
        assert label.schema == "service-provider" and label.service_provider == "腾讯云"
        assert tc260.lookup(label.service_provider).producer.vendor == "Tencent"
        return
    assert label.label == entry["label"] and label.meaning == "generated"
    assert meta.aigc == label.as_dict()  # the legacy field still carries the first label
    container = {"mp4": "mp4", "mkv": "matroska", "avi": "avi", "flv": "flv"}.get(
        entry["file"].rsplit(".", 1)[1], label.where.container
    )
    assert label.where.container == container


def test_tc260_roles_producer_and_propagator():
    label = _read(SAMPLES / "tc260_propagator.mp4").aigc_labels[0]
    roles = dict(label.roles())
    assert tc260.lookup(roles["producer"]).producer.vendor == "Tencent"
    assert tc260.lookup(roles["propagator"]).producer.vendor == "Baidu"


def test_vendor_facts():
    grok = _read(SAMPLES / "grok.jpg").vendor.xai_signatures[0]
    assert grok.artist_uuid == "0b1e2d3c-4a5b-4c6d-8e7f-9a0b1c2d3e4f" and grok.signature_chars >= 40
    assert any("UserComment" in r for r in grok.repeated_in)
    clip = _read(SAMPLES / "grok_imagine.mp4").vendor.xai_signatures[0]
    assert clip.where.container == "mp4" and clip.artist_uuid is None
    samsung = _read(SAMPLES / "samsung_genai.jpg").vendor.samsung_genai[0]
    assert samsung.gen_ai_type == 3 and samsung.where.path == "trailer"
    export = _read(SAMPLES / "dreamina_export.jpg").vendor.bytedance_exports[0]
    assert export.products == ["dreamina"] and export.export_type == "generation"
    assert export.aigc_label_type == 1
    mj = _read(SAMPLES / "midjourney.png")
    job = mj.vendor.midjourney_jobs[0]
    assert (job.version, job.aspect) == ("6.1", "4:3") and mj.xmp.dig_image_guid == job.job_id
    assert _read(SAMPLES / "hf_job.png").vendor.hf_jobs[0].job_id == "68a1f0c2e4b0a1b2c3d4e5f6"
    iptc = _read(SAMPLES / "iptc_ai_system.jpg").xmp
    assert (iptc.ai_system_used, iptc.ai_system_version) == ("Ideogram AI", "3.0")


def test_real_tiktok_repost(sora_repost):
    """The real TikTok repost: platform label, video id and ByteDance's encoder in the SEI."""
    meta = _read(sora_repost)
    label = meta.vendor.platform_labels[0]
    assert (label.platform, label.label_type) == ("tiktok", 2)
    assert label.video_id == "v12044gd0000d550qe7og65i0msvgsug"
    sei = meta.bitstream.sei[0]
    assert sei.uuid == "dc45e9bde6d948b7962cd820d923eeef" and sei.text == "bvc0ot v2.2.1.3-20250220"
    assert sei.where == "sample 0" and meta.bitstream.source == "sample-table"
    assert generators.match("bitstream", sei.text)[0].generator == "tiktok"
    assert not meta.bitstream.encoders  # not an x264 statement despite the UUID


def test_encoder_settings_from_x264_and_x265():
    x264 = _read(SAMPLES / "x264.mp4").bitstream
    assert x264.encoders[0].encoder == "x264" and x264.encoders[0].options["cabac"] == "1"
    x265 = _read(SAMPLES / "x265.mp4").bitstream
    assert x265.codec == "hevc" and x265.encoders[0].encoder == "x265"
    assert x265.sei[0].where == "decoder configuration"
    kling = _read(SAMPLES / "tc260_kling.mp4").bitstream
    assert any(m.text == "kling-ai" and m.uuid_owner is None for m in kling.sei)


def test_sei_text_keeps_exactly_the_printable_characters():
    """Kept: tab, newline, return, ASCII 0x20-0x7e and the rest of the Basic Multilingual
    Plane; every other code point is dropped (all 1,114,112 checked)."""
    every = "".join(map(chr, range(0x110000)))
    kept = "".join(
        c for c in every if c in "\t\n\r" or " " <= c <= "~" or "\u00a0" <= c <= "\uffff"
    )
    assert bitstream._PRINTABLE.sub("", every) == kept
    assert (
        bitstream._text("  kling-ai\x07\U0001f600 \u00e9 ".encode() + b"\x00rest")
        == "kling-ai \u00e9"
    )


def test_bitstream_bounds_and_lies():
    # an SEI NAL whose payload size claims far more than there is
    nal = b"\x06\x05\xff\xff\xff\x40" + bytes(16) + b"text"
    msgs = list(bitstream.sei_messages(nal, "h264", "test", 0))
    assert msgs and msgs[0].text == "text"
    # emulation prevention is removed before parsing
    uuid = bytes.fromhex("dc45e9bde6d948b7962cd820d923eeef")
    raw = b"\x06\x05\x14" + uuid + b"\x00\x00\x03\x01ab"
    assert list(bitstream.sei_messages(raw, "h264", "t", 0))[0].uuid_owner == "x264"
    # the sample-table reader never reads more than MAX_BYTES
    import io

    data = io.BytesIO(b"\x00" * (bitstream.MAX_BYTES + 100))
    facts = bitstream.read_samples(data, "h264", 4, [(0, 10**9)] * 20)
    assert facts.bytes_read <= bitstream.MAX_BYTES and facts.samples_read == 1


def test_lying_container_sizes_cost_problems_not_reads(tmp_path):
    # FLV with a script tag claiming 16 MB; Matroska with a tag far past its parent
    flv = b"FLV\x01\x05\x00\x00\x00\x09" + b"\x00" * 4
    flv += b"\x12\xff\xff\xff" + b"\x00" * 7 + b"\x02\x00"
    meta = metadata.read_bytes(flv, "video/x-flv")
    assert any("past the end" in p for p in meta.problems)
    header = bytes.fromhex("1a45dfa38b428288") + b"matroska"
    mkv = header + bytes.fromhex("1853806701ffffffffffffff1254c3671ffffff0") + b"\x00" * 8
    meta = metadata.read_bytes(mkv, "video/x-matroska")
    assert meta.matroska.doc_type == "matroska" and meta.matroska.problems


def test_bmff_first_samples_come_from_the_sample_table(sora_repost):
    path = sora_repost
    with open(path, "rb") as fh:
        facts = bmff.read_container(fh, path.stat().st_size)
    assert facts.video_codec == "h264" and facts.nal_length_size == 4
    assert facts.video_samples[0] == (10884, 33825)


# ------------------------------------------------------------------ coverage

# Every generator entry must have a signal that a test file proves: read here from
# samples/metadata/ (the knowledge lookups above), concluded by a whole check on
# samples/signals/ (tests/test_rule_signals.py asserts each truth entry), seen by the visible
# detector on samples/clips/ (tests/test_visible.py::test_samples_with_marks asserts each), or
# named by a signer on the real C2PA conforming-products list (tests/test_knowledge_tables.py).
# NOT_PROVEN_HERE lists the entries with no such file yet, and why; the test fails when an
# entry is on neither side, and when a listed entry becomes proven. It is not an xfail list:
# each line is a gap the report states (docs/generators.md, coverage table).
NOT_PROVEN_HERE: dict[str, str] = {}


def proven_by_files(sora_repost: Path) -> dict[str, set[str]]:
    """Generator id -> the signal families a test file proves for it."""
    from tests.test_knowledge_tables import CONFORMING

    proven: dict[str, set[str]] = {}

    def add(gen: str | None, family: str) -> None:
        if gen and generators.get(gen):
            proven.setdefault(gen, set()).add(family)

    for entry in TRUTH:
        for family, gens in named_by_family(entry, SAMPLES / entry["file"]).items():
            for gen in gens:
                add(gen, family)
    real = named_by_family({"signal": "vendor"}, sora_repost)
    for family, gens in real.items():
        for gen in gens:
            add(gen, family)
    for want in CONFORMING.values():
        for gen in want.values() if isinstance(want, dict) else [want]:
            add(gen, "c2pa-signer")
    add("jasper", "c2pa-signer")
    signals = json.loads((SAMPLES.parent / "signals" / "truth.json").read_text("utf-8"))
    for entry in signals:
        for key in ("generator", "named", "candidate"):
            add(entry.get(key), entry["signal"])
    clips = json.loads((SAMPLES.parent / "clips" / "truth.json").read_text("utf-8"))
    from tests.test_visible import MARKED_SAMPLES

    for name in MARKED_SAMPLES:
        add(clips[name]["generator"], "visible")
    return proven


def test_every_generator_has_a_signal_proven_by_a_file(sora_repost):
    proven = set(proven_by_files(sora_repost))
    missing = set(generators.load()) - proven - set(NOT_PROVEN_HERE)
    assert not missing, f"generators with no signal proven by a file: {sorted(missing)}"
    stale = proven & set(NOT_PROVEN_HERE)
    assert not stale, f"proven now, drop from NOT_PROVEN_HERE: {sorted(stale)}"
    assert len(proven) >= 45  # issue 15: at least 45 generators with a tested signal


NOT_PROVEN_FAMILIES = {
    "hunyuan-image": "no real HunyuanImage graph or parameters read",
}


def test_every_model_family_is_proven_by_a_file_or_listed():
    signals = json.loads((SAMPLES.parent / "signals" / "truth.json").read_text("utf-8"))
    named = {t.get("family") for t in [*TRUTH, *signals]} - {None}
    families = set(model_families.load())
    assert not families - named - set(NOT_PROVEN_FAMILIES), sorted(families - named)
    assert not named & set(NOT_PROVEN_FAMILIES), sorted(named & set(NOT_PROVEN_FAMILIES))
