"""What a whole check concludes from each generator signal (issue 15 phase 2): the rules on
generation parameters, vendor facts, TC260 label roles, SEI text, IPTC AISystemUsed, C2PA
signer names, watermark statements and unlisted generator names, on the samples of
samples/signals/ (make_signals.py, layouts of real corpus files) and samples/metadata/
(make_metadata.py). Every expected value comes from the samples' truth.json, written from
docs/sources.md by the sample scripts, never from a report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import provenance


@pytest.fixture(autouse=True)
def _bundled_tables():
    """A check leaves its options' tables in use; every test here reads the bundled ones."""
    from provenance.knowledge import tables

    tables.use_extra_files()
    yield
    tables.use_extra_files()


SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SIGNALS = json.loads((SAMPLES / "signals" / "truth.json").read_text("utf-8"))
METADATA = {t["file"]: t for t in json.loads((SAMPLES / "metadata" / "truth.json").read_text())}


def _check(path: Path) -> provenance.Report:
    return provenance.check(path, detectors=())


def _kind(report, kind: str):
    found = [e for e in report.evidence if e.kind == kind]
    assert found, (kind, [e.kind for e in report.evidence])
    return found[0]


@pytest.mark.parametrize("entry", SIGNALS, ids=[t["file"] for t in SIGNALS])
def test_signal_sample(entry):
    report = _check(SAMPLES / "signals" / entry["file"])
    assert report.status == "ok", report.error
    record = _kind(report, entry["kind"])
    v = report.verdict
    if entry.get("also"):  # a stripping-stage context record the signal leads to
        later = _kind(report, entry["also"])
        assert later.where["algorithm"] == entry["algorithm"] and later.claim == "info"
        assert "cannot be verified offline" in later.detail
    if entry["signal"] in ("c2pa-signer", "c2pa-unlisted", "generation", "tc260", "metadata"):
        assert v.generator == entry["generator"], (v.generator, v.candidates)
        assert v.ai_generated == entry.get("ai", v.ai_generated)
        assert v.ai_generated in ("yes", "likely", "unlikely")
    if entry["signal"] == "c2pa-signer" and entry["generator"] is None:  # a camera's capture
        assert v.ai_generated == "unlikely" and record.where["device"] == entry["named"]
    if entry["signal"] == "generation" and entry.get("family"):
        assert record.where["family"] == entry["family"]
    if entry["signal"] == "c2pa-watermark":
        assert record.where["algorithm"] == entry["algorithm"] and record.claim == "info"
        assert not record.where["offline_verifiable"] and "cannot be verified offline" in (
            record.detail
        )
    if entry["signal"] == "output-profile":  # weak: a candidate, never the generator
        assert v.generator is None and entry["candidate"] in v.candidates


def test_unlisted_generator_is_kept_and_flagged():
    report = _check(SAMPLES / "signals" / "c2pa_unlisted_generator.jpg")
    record = _kind(report, "c2pa.generated")
    assert record.decisive and record.where["generator_in_table"] is False
    assert "not in the generator table" in record.detail
    assert "Acme Imagine 3" in report.verdict.summary


def test_sdk_names_are_never_taken_for_a_generator():
    """A verified generated manifest whose only names are C2PA SDKs names nobody."""
    report = _check(SAMPLES / "signals" / "watermark_synthid_added.jpg")  # claim: Google lib
    assert report.verdict.generator == "imagen"
    from provenance.readers.credentials.reader import C2paAction, C2paInfo
    from provenance.rules.credentials import unknown_generator

    info = C2paInfo(claim_generator_info=["c2pa-rs", "c2pa-python/0.9"])
    agent = C2paAction("c2pa.created", "m", software_agent="Image Generation")
    assert unknown_generator(info, [agent]) is None


def test_synthid_statement_says_it_cannot_be_checked():
    report = _check(SAMPLES / "metadata" / "c2pa_google_library.jpg")  # "Applied ... SynthID"
    record = _kind(report, "c2pa.expected-watermark")
    assert record.where["name"] == "SynthID" and record.where["decoder"] == "vendor-api"
    assert "SynthID cannot be verified offline" in record.detail


def test_tc260_roles_name_the_producer_not_the_propagator():
    entry = METADATA["tc260_propagator.mp4"]
    report = _check(SAMPLES / "metadata" / entry["file"])
    record = _kind(report, "metadata.aigc-label")
    roles = {r["role"]: r for r in record.where["roles"]}
    assert report.verdict.generator == entry["generator"]
    assert roles["propagator"]["vendor"] == "Baidu" and record.generator != entry["propagator"]
    assert "re-published" in record.detail


@pytest.mark.parametrize(
    "name,kind",
    [
        ("tc260_kling.mp4", "container.bitstream-text"),
        ("grok_imagine.mp4", "metadata.vendor-fact"),
        ("grok.jpg", "metadata.vendor-fact"),
        ("samsung_genai.jpg", "metadata.vendor-fact"),
        ("midjourney.png", "metadata.vendor-fact"),
        ("hf_job.png", "metadata.vendor-fact"),
        ("dreamina_export.jpg", "metadata.vendor-fact"),
        ("iptc_ai_system.jpg", "xmp.ai-system-used"),
        ("comfyui_qwen-image.png", "metadata.generation-params"),
        ("forge_flux.jpg", "metadata.generation-params"),
        ("novelai.png", "metadata.generation-params"),
    ],
)
def test_metadata_sample_names_its_generator(name, kind):
    entry = METADATA[name]
    report = _check(SAMPLES / "metadata" / name)
    record = _kind(report, kind)
    expected = entry.get("generator")
    if entry.get("family"):
        from provenance.knowledge import model_families

        expected = model_families.load()[entry["family"]].generator or expected
    assert record.generator == expected and report.verdict.generator == expected
    assert report.verdict.ai_generated == "likely"  # unsigned: never "yes"
    assert not record.decisive


def test_an_ai_editor_reads_as_edited_a_platform_as_context():
    samsung = _check(SAMPLES / "metadata" / "samsung_genai.jpg")
    assert samsung.verdict.ai_extent == "edited"
    repost = _check(SAMPLES / "metadata" / "tiktok_repost.mp4")  # TikTok's tags and encoder
    assert repost.verdict.ai_generated == "unknown" and repost.verdict.generator is None
    assert {e.claim for e in repost.evidence} == {"info"}


def test_a_capture_device_manifest_is_not_ai():
    report = _check(SAMPLES / "metadata" / "c2pa_leica.jpg")
    assert report.verdict.ai_generated == "unlikely" and report.verdict.generator is None
    assert _kind(report, "c2pa.captured").where["device"] == "leica"


def test_cli_table_flags_reach_the_check(tmp_path):
    """--model-families (and its siblings) go through CheckOptions: a user's family names a
    generator for a model file no bundled family knows."""
    from click.testing import CliRunner
    from PIL import Image, PngImagePlugin

    from provenance.cli.main import cli

    fam = tmp_path / "families.toml"
    fam.write_text(
        'schema = 1\n\n[[family]]\nid = "inhouse-xl"\nname = "In-house XL"\n'
        'vendor = "Example Org"\nmedia = ["image"]\nnames = [\'^inhouse_xl\']\n'
        'generator = "flux"\nsources = ["our model card"]\n',
        "utf-8",
    )
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "a cat\nSteps: 20, Sampler: Euler, Seed: 1, Model: inhouse_xl_v1")
    image = tmp_path / "ui.png"
    Image.new("RGB", (16, 16), (10, 20, 30)).save(image, pnginfo=info)
    runner = CliRunner()
    plain = runner.invoke(cli, ["check", "--json", "--detectors", "", str(image)])
    ours = runner.invoke(
        cli, ["check", "--json", "--detectors", "", "--model-families", str(fam), str(image)]
    )
    assert json.loads(plain.output)["verdict"]["generator"] == "diffusion-ui", plain.output
    assert json.loads(ours.output)["verdict"]["generator"] == "flux", ours.output


def test_hugging_face_repo_ids_of_wrapper_loaders_are_models():
    """kijai's CogVideoX wrapper loads "THUDM/CogVideoX-5b-I2V" by repo id, in both graphs
    (docs/sources.md#cogvideox-wrapper); a repo-like string elsewhere is not a model."""
    import sys

    from provenance.readers.metadata import genparams
    from provenance.readers.metadata.where import Where

    sys.path.insert(0, str(SAMPLES))
    from make_signals import cogvideox_graphs

    api, ui = cogvideox_graphs()
    at = Where("mp4", "moov/udta/meta/keys+ilst", "comment")
    for params in (genparams.comfy_prompt(api, at), genparams.comfy_workflow(ui, at)):
        assert [(m.name, m.role) for m in params.models] == [
            ("THUDM/CogVideoX-5b-I2V", "diffusion")
        ]
    api["63"]["inputs"]["model"] = "some/thing"  # a sampler's input: a link, never a model
    assert [m.name for m in genparams.comfy_prompt(api, at).models] == ["THUDM/CogVideoX-5b-I2V"]
