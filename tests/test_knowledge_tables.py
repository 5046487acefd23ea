"""The knowledge tables: strict schemas, user files, data version, sources, and the facts
they encode checked against real third-party files (the C2PA conformance and soft-binding
lists) where such files exist."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from provenance.knowledge import generators, model_families, schema, soft_bindings, tables, tc260
from provenance.knowledge.schema import DataError

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "samples" / "metadata" / "src"
SPECS = {s.file: s for s in tables.SPECS}


@pytest.fixture(autouse=True)
def _fresh_tables():
    tables.use_extra_files()
    yield
    tables.use_extra_files()


def _write(tmp_path: Path, text: str, name: str = "extra.toml") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), "utf-8")
    return str(path)


GOOD = """\
schema = 1

[[generator]]
id = "inhouse"
name = "In-house model"
vendor = "Example Org"
media = ["image"]
metadata = ['^InHouse\\b']
sources = ["our model card"]
"""


def test_bundled_tables_load_and_cross_reference():
    tables.load_all()
    gens = generators.load()
    assert len(gens) >= 70
    for fam in model_families.load().values():
        assert fam.generator is None or fam.generator in gens
    for prod in tc260.load().values():
        assert prod.generator is None or prod.generator in gens
    for alg in soft_bindings.load().values():
        assert set(alg.generators) <= set(gens), alg.alg


def test_bundled_tables_pass_the_strict_schema(monkeypatch):
    """A check loads the package's own tables without the key-by-key check; this is that
    check, and it catches a broken bundled file."""
    for spec in tables.SPECS:
        schema.check_bundled(spec)
    broken = schema.bundled_text(generators.SPEC.file).replace("vendor =", "vendr =", 1)
    monkeypatch.setattr(schema, "bundled_text", lambda name: broken)
    with pytest.raises(DataError, match="unknown key 'vendr'"):
        schema.check_bundled(generators.SPEC)


@pytest.mark.parametrize(
    "body,message",
    [
        (GOOD.replace("metadata =", "metdata ="), "unknown key 'metdata'"),
        (GOOD.replace('media = ["image"]', 'media = ["picture"]'), "is not one of"),
        (GOOD.replace('vendor = "Example Org"\n', ""), "missing required key 'vendor'"),
        (GOOD.replace("'^InHouse\\b'", "'^(unclosed'"), "does not compile"),
        (GOOD.replace("schema = 1", "schema = 2"), "reads schema 1"),
        (GOOD.replace("schema = 1\n", ""), "missing 'schema = 1'"),
        (
            GOOD + '\n[[generator.visible]]\ntexts = ["X"]\nlayout = "moveing"\n',
            "'moveing' is not one of",
        ),
        (GOOD.replace('id = "inhouse"', 'id = "In House"'), "does not match"),
    ],
)
def test_strict_schema_names_file_line_and_key(tmp_path, body, message):
    path = _write(tmp_path, body)
    with pytest.raises(DataError) as err:
        generators.load_files((path,))
    text = str(err.value)
    assert message in text
    assert re.search(re.escape(path) + r":\d+: ", text), text


def test_error_line_is_the_key_line(tmp_path):
    path = _write(tmp_path, GOOD.replace("metadata =", "metdata ="))
    with pytest.raises(DataError) as err:
        generators.load_files((path,))
    line = int(re.search(re.escape(path) + r":(\d+):", str(err.value)).group(1))
    assert Path(path).read_text().splitlines()[line - 1].startswith("metdata")


def test_user_file_adds_and_replaces_only_on_request(tmp_path):
    path = _write(tmp_path, GOOD)
    generators.use_extra_files([path])
    assert generators.match("metadata", "InHouse v2")[0].generator == "inhouse"
    clash = _write(tmp_path, GOOD.replace('"inhouse"', '"sora"'), "clash.toml")
    with pytest.raises(DataError, match="already defined at provenance/data/generators.toml"):
        generators.load_files((clash,))
    over = _write(
        tmp_path,
        GOOD.replace('"inhouse"', '"sora"').replace(
            "[[generator]]\n", "[[generator]]\nreplaces = true\n"
        ),
        "over.toml",
    )
    table = generators.load_files((over,))
    assert table["sora"].name == "In-house model"
    assert list(table).index("sora") == list(generators.load_files()).index("sora")  # same place
    orphan = _write(
        tmp_path, GOOD.replace("[[generator]]\n", "[[generator]]\nreplaces = true\n"), "o.toml"
    )
    with pytest.raises(DataError, match="no earlier id 'inhouse'"):
        generators.load_files((orphan,))


def test_the_environment_selects_no_table_the_options_do(tmp_path, monkeypatch):
    """Item 4 of issue 15: no process-wide environment variable; a check loads the extra
    files its CheckOptions name, and the next check without them loads the bundled ones."""
    from PIL import Image, PngImagePlugin

    import provenance

    path = _write(tmp_path, GOOD)
    monkeypatch.setenv("PROVENANCE_GENERATORS", path)
    generators.load.cache_clear()
    assert "inhouse" not in generators.load()
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "InHouse v2")
    image = tmp_path / "inhouse.png"
    Image.new("RGB", (16, 16), (90, 120, 30)).save(image, pnginfo=info)
    named = provenance.check(image, detectors=(), generators_files=(path,))
    assert named.verdict.generator == "inhouse"
    plain = provenance.check(image, detectors=())
    assert plain.verdict.generator is None and "inhouse" not in generators.load()
    with pytest.raises(TypeError, match="sequence of paths"):
        provenance.CheckOptions.from_kwargs(generators_files=path)


def test_data_version_follows_the_tables_in_use(tmp_path):
    before = tables.data_version()
    assert re.fullmatch(r"[0-9a-f]{16}", before.digest)
    assert {f.table for f in before.files} == set(SPECS)
    assert all(f.schema == 1 and f.entries > 0 for f in before.files)
    tables.use_extra_files(generators_files=(_write(tmp_path, GOOD),))
    after = tables.data_version()
    assert after.digest != before.digest and len(after.files) == len(before.files) + 1
    tables.use_extra_files()
    assert tables.data_version().digest == before.digest


def test_the_report_digest_is_the_data_version_without_parsing_bundled_tables(
    tmp_path, monkeypatch
):
    # The report's digest must be the one `provenance --version` prints, bundled tables
    # alone and with a user's file, yet reach it without parsing a bundled table.
    monkeypatch.setattr(schema, "_PARSED", {})
    tables._digest.cache_clear()
    bundled = tables.digest()
    assert schema._PARSED == {}
    assert bundled == tables.data_version().digest
    tables.use_extra_files(generators_files=(_write(tmp_path, GOOD),))
    try:
        with_extra = tables.digest()
        assert with_extra != bundled and with_extra == tables.data_version().digest
    finally:
        tables.use_extra_files()
    assert tables.digest() == bundled


def test_patterns_compile_when_first_matched_and_a_bad_one_still_fails_its_load(tmp_path):
    generators._regex.cache_clear()
    generators.load.cache_clear()
    gens = generators.load()
    assert generators._regex.cache_info().currsize == 0  # loading compiles none
    found = generators.match("c2pa_software_agent", "Adobe Firefly")
    assert [m.generator for m in found] == ["firefly"]
    wanted = sum(len(g.patterns["c2pa_software_agent"]) for g in gens.values())
    assert 0 < generators._regex.cache_info().currsize <= wanted  # that field's alone
    bad = GOOD.replace("'^InHouse\\b'", "'^InHouse(('")
    with pytest.raises(DataError, match="does not compile"):
        schema.load(generators.SPEC, [_write(tmp_path, bad)])


def test_every_source_resolves_to_a_section_of_docs_sources():
    anchors = set(
        re.findall(r'<a id="([a-z0-9\-]+)"></a>', (REPO / "docs" / "sources.md").read_text())
    )
    for spec in tables.SPECS:
        for entry in schema.load(spec).entries:
            for source in entry["sources"]:
                found = re.fullmatch(r"docs/sources\.md#([a-z0-9\-]+)", source)
                assert found, (
                    f"{spec.file} {entry[spec.id_key]}: {source!r} is not a docs/sources.md section"
                )
                assert found.group(1) in anchors, f"{spec.file}: no section #{found.group(1)}"


def test_shapes_are_the_detectors_shapes():
    from provenance.detectors.shapes import SHAPES

    assert set(generators.SHAPES) == set(SHAPES)


ORDINARY = [
    "Canon EOS 5D Mark IV",
    "Adobe Photoshop 25.0 (Windows)",
    "GIMP 2.10.36",
    "Lavf60.16.100",
    "iPhone 15 Pro",
    "Apple",
    "Sony",
    "nikon z6",
    "Google",
    "samsung",
    "SONY ILCE-7M4",
    "Microsoft Windows Photo Viewer",
    "x264 - core 164 r3095 baee400",
    "VideoHandler",
    "Pixel 8 Pro",
    "DaVinci Resolve",
    "Lightroom Classic",
    "OpenAI",
    "ByteDance",
    "Amazon",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_patterns_do_not_fire_on_ordinary_strings(text):
    for field_name in generators.PATTERN_FIELDS:
        assert generators.match(field_name, text) == [], (field_name, text)


def test_media_decides_between_entries_that_share_a_signer():
    signer = "Truepic Lens CLI in Sora"
    assert generators.first_match("c2pa_signer", [signer], "video").generator == "sora"
    assert generators.first_match("c2pa_signer", [signer], "image").generator == "dall-e"
    google = "Google Media Processing Services"
    assert generators.first_match("c2pa_signer", [google], "image").generator == "imagen"
    assert generators.first_match("c2pa_signer", [google], "video").generator == "veo"


def test_capture_devices_and_platforms_do_not_argue_ai():
    kinds = {g.id: g for g in generators.load().values()}
    for gid in ("leica", "google-pixel-camera", "xiaomi-camera", "truepic-lens"):
        assert kinds[gid].kind == "capture-device" and not kinds[gid].argues_ai
    assert kinds["tiktok"].kind == "platform" and not kinds["tiktok"].argues_ai
    assert kinds["sora"].argues_ai and kinds["galaxy-ai"].argues_ai


# ------------------------------------------------------------------ real third-party lists

# Expected attribution of conforming products' signers (facts of docs/sources.md).
CONFORMING = {
    "Amazon Bedrock": "amazon-bedrock",
    "OpenAI Media Service": "dall-e",
    "Google Media Processing Services": {"image": "imagen", "video": "veo"},
    "Google Flow": {"image": "imagen", "video": "veo"},
    "Pixel Studio": "google-pixel-studio",
    "Project Genie by Google": "google-project-genie",
    "NotebookLM": "google-notebooklm",
    "Google Photos": "google-photos",
    "YouTube": "youtube",
    "YouTube Media Processing Services": "youtube",
    "YouTube Video Processing Services": "youtube",
    "YouTube Create": "youtube",
    "Pixel Camera": "google-pixel-camera",
    "Video Boost by Pixel Camera": "google-pixel-camera",
    "Getty Images AI-Generated Image": "getty-ai",
    "iStock AI-Generated Image": "getty-ai",
    "Getty Images AI-Modified Image": "getty-ai-modified",
    "iStock AI-Modified Image": "getty-ai-modified",
    "Xiaomi Camera": "xiaomi-camera",
    "vivo Camera": "vivo-camera",
    "JOVI Camera": "vivo-camera",
    "Snapdragon 8 Elite Gen 5": "snapdragon-camera",
}


def test_signer_patterns_on_the_real_conforming_products_list():
    from provenance.readers.credentials.products import products

    seen = set()
    for record in products():  # the bundled list (provenance/data/c2pa/)
        p = record["product"]
        if p["productType"] != "generatorProduct":
            continue
        cn, org = p["DN"].get("CN", "").strip(), p["DN"].get("O", "").strip()
        generate = (record.get("containers") or {}).get("generate") or {}
        media = next((m for m in ("image", "video") if m in generate), "audio")
        hit = generators.first_match("c2pa_signer", [cn, org], media)
        if cn in CONFORMING:
            seen.add(cn)
            want = CONFORMING[cn]
            want = want[media] if isinstance(want, dict) else want
            assert hit is not None and hit.generator == want, (cn, org, media, hit)
        elif org == "Jasper AI Global, LLC":
            assert hit is not None and hit.generator == "jasper"
        else:  # everything else on the list must not be claimed by a generator entry
            assert hit is None, (cn, org, hit)
    assert seen == set(CONFORMING)


def test_soft_binding_table_matches_the_real_c2pa_list():
    listed = json.loads((SRC / "softbinding-algorithm-list.json").read_text("utf-8"))
    ours = soft_bindings.load()
    for entry in listed:
        alg = ours.get(entry["alg"])
        assert alg is not None, f"{entry['alg']} is on the C2PA list but not in soft_bindings.toml"
        assert alg.list_id == entry["identifier"]
        assert alg.kind == entry["type"]
        assert alg.signalled_by == "soft-binding"
        if entry.get("decodedMediaTypes"):
            assert set(alg.media) == set(entry["decodedMediaTypes"]) - {"application"} | (
                {"other"} if "application" in entry["decodedMediaTypes"] else set()
            )
    listed_ids = {e["alg"] for e in listed}
    for alg in ours.values():  # entries not on this copy of the list say why
        if alg.alg not in listed_ids:
            assert alg.list_id is None and alg.notes


def test_synthid_is_announced_by_actions_not_soft_bindings():
    found = soft_bindings.watermark_action(
        "c2pa.edited", "Applied imperceptible SynthID watermark."
    )
    assert found is not None and found.alg == "synthid" and not found.offline_verifiable
    assert soft_bindings.watermark_action("c2pa.edited", "cropped") is None
    assert soft_bindings.algorithm("com.adobe.trustmark.Q").vendor == "Adobe"


# ------------------------------------------------------------------ codes and names


def test_uscc_check_character():
    assert tc260.uscc_valid("91110108335469089C")
    assert not tc260.uscc_valid("91110108335469089D")
    assert not tc260.uscc_valid("9111010833546908IC")  # I is not in the alphabet
    assert tc260.uscc_in("001191110108335469089C10000") == "91110108335469089C"
    assert tc260.uscc_in("no code here") is None


def test_tc260_table_rejects_a_wrong_check_character(tmp_path):
    bad = _write(
        tmp_path,
        """\
        schema = 1
        [[producer]]
        code = "91110108335469089D"
        match = "uscc"
        vendor = "x"
        products = ["x"]
        role = "producer"
        confidence = "U"
        sources = ["s"]
        """,
    )
    with pytest.raises(DataError, match="not a valid USCC"):
        tc260.load_files((bad,))


@pytest.mark.parametrize(
    "name,role,family",
    [
        ("wan2.1_t2v_1.3B_fp16.safetensors", "diffusion", "wan2.1"),
        ("models/unet/FLUX1-dev.safetensors", "diffusion", "flux1"),
        ("qwen_image_fp8_e4m3fn.safetensors", "diffusion", "qwen-image"),
        ("juggernautXL_v8Rundiffusion.safetensors", "checkpoint", "sdxl"),
        ("t5xxl_fp16.safetensors", "text-encoder", None),
        ("umt5_xxl_fp8_e4m3fn_scaled.safetensors", "any", None),
        ("qwen_image_vae.safetensors", "vae", None),
        ("wan_2.1_vae.safetensors", "vae", None),
        ("clip_l.safetensors", "text-encoder", None),
    ],
)
def test_model_family_names(name, role, family):
    found = model_families.family_of(name, role)
    assert (found.family if found else None) == family
