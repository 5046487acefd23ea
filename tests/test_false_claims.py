"""No false claims on authentic files: each rule that keeps the tool from a claim a
fact-checker would regret, on the faithful files of samples/false_claims/ (made by
samples/make_false_claims.py; what each file is, and why it matters, is in its docstring)."""

from __future__ import annotations

import json

import pytest

import provenance
from provenance.detectors.removal.observations import EdgeCut
from tests.detector_run import run_detector

FLAGGED = ("yes", "likely")


@pytest.fixture(scope="module")
def folder(samples):
    return samples / "false_claims"


@pytest.fixture(scope="module")
def truth(folder):
    data = json.loads((folder / "truth.json").read_text())
    data.pop("_about")
    return data


@pytest.fixture(scope="module")
def reports(folder, truth):
    return {name: provenance.check(folder / name) for name in truth}


def test_every_file_is_judged_as_its_truth_says(truth, reports):
    for name, want in truth.items():
        v = reports[name].verdict
        assert reports[name].status == "ok", name
        assert v.ai_generated in want["ai"], (name, v.ai_generated, v.summary)
        if "generator" in want:
            assert v.generator == want["generator"], (name, v.generator, v.candidates)
        if "marks_stripped" in want:
            assert v.marks_stripped == want["marks_stripped"], (name, v.stripped, v.summary)
        if "stripped" in want:
            assert v.stripped == want["stripped"], name
        for kind in want.get("stripped_includes", []):
            assert kind in v.stripped, (name, v.stripped)
        for kind in want.get("stripped_excludes", []):
            assert kind not in v.stripped, (name, v.stripped)
        for gen in want.get("candidates_include", []):
            assert gen in v.candidates, (name, v.candidates)
        kinds = {e.kind for e in reports[name].evidence}
        for kind in want.get("evidence_includes", []):
            assert kind in kinds, (name, kinds)


def test_signed_pixels_carry_no_pixel_stripping_claim(reports):
    """The same cut-stamp clip: claimed cropped unsigned, nothing once signed after the cut."""
    unsigned, signed = reports["unsigned_cut_stamp.mp4"], reports["signed_cut_stamp.mp4"]
    assert any(e.kind == "stripping.stamp-cut-at-edge" for e in unsigned.evidence)
    assert signed.c2pa.content == "match" and signed.c2pa.signature == "verified"
    assert not [e for e in signed.evidence if e.claim == "stripped"]


def test_a_size_missing_from_an_incomplete_table_is_no_crop(reports):
    for name in ("sora1_480x720.mp4", "sora1_480x720_unsigned.mp4"):
        assert (reports[name].media.width, reports[name].media.height) == (480, 720)
        assert not [e for e in reports[name].evidence if e.kind == "stripping.cropped"], name


def test_an_unknown_logo_cut_by_the_edge_is_no_crop(folder, reports):
    # The detector does see the cut overlay; the rule declines it because no generator's
    # mark was identified there.
    seen = run_detector(folder / "logo_cut_at_edge.mp4", "removal").observations
    assert any(isinstance(o, EdgeCut) for o in seen)
    report = reports["logo_cut_at_edge.mp4"]
    assert not [e for e in report.evidence if e.stripped == "cropped"]
    assert report.verdict.marks_stripped not in FLAGGED


def test_a_fingerprint_names_no_generator_on_its_own(reports):
    report = reports["tc260_vidu_like.mp4"]
    kinds = {e.kind: e for e in report.evidence}
    assert kinds["container.output-fingerprint"].generator == "vidu"
    assert kinds["metadata.aigc-label"].generator is None
    assert report.verdict.generator is None and "vidu" in report.verdict.candidates


def test_the_sora_signer_names_the_generator_of_the_media(reports):
    for name, gen in (("sora_signer_image.jpg", "dall-e"), ("sora_signer_clip.mp4", "sora")):
        report = reports[name]
        assert report.c2pa.signer.common_name == "Truepic Lens CLI in Sora"
        assert {e.generator for e in report.evidence if e.claim == "generated"} == {gen}


@pytest.mark.parametrize(
    "name,claim",
    [
        ("xmp_algorithmicMedia.jpg", "info"),
        ("xmp_trainedAlgorithmicData.jpg", "generated"),
        ("xmp_digitalArt.jpg", "composite"),
        ("xmp_minorHumanEdits.jpg", "info"),
    ],
)
def test_digital_source_types_follow_the_iptc_and_c2pa_vocabulary(reports, name, claim):
    (ev,) = [e for e in reports[name].evidence if e.kind == "xmp.digital-source-type"]
    assert ev.claim == claim
    if name == "xmp_digitalArt.jpg":  # possibly AI: weaker than a statement of AI
        assert ev.confidence < 0.5 and "possibly" in ev.detail
    assert not ev.decisive


def test_possibly_ai_is_never_yes(reports):
    report = reports["signed_digital_art.jpg"]
    assert report.c2pa.content == "match" and report.c2pa.signature == "verified"
    (ev,) = [e for e in report.evidence if e.kind == "c2pa.possibly-ai"]
    assert not ev.decisive and ev.confidence < 0.5
    assert report.verdict.ai_generated != "yes"
