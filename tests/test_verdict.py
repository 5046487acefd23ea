"""Verdicts from credentials and metadata on real files (fixtures and signed samples)."""

from __future__ import annotations

import pytest

import provenance


def _check(path, **kw):
    return provenance.check(path, detectors=(), **kw)


@pytest.mark.parametrize(
    "name,kind,wording",
    [
        ("XCA.jpg", "c2pa-invalidated", "content no longer matches"),
        ("dashinit.mp4", "c2pa-invalidated", "content no longer matches"),
        ("E-sig-CA.jpg", "c2pa-invalidated", "signature"),
        ("video1_no_manifest.mp4", "c2pa-removed", "manifest was removed"),
        ("no_manifest.jpg", "c2pa-removed", "manifest was removed"),
    ],
)
def test_fixture_stripping(fixtures, name, kind, wording):
    report = _check(fixtures / "c2pa" / name)
    assert report.verdict.stripped == [kind]
    assert report.verdict.marks_stripped == "yes"
    ev = [e for e in report.evidence if e.stripped == kind]
    assert ev and wording in ev[0].detail


@pytest.mark.parametrize(
    "name",
    ["video1.mp4", "C.jpg", "CA.jpg", "CACA.jpg", "boxhash.jpg", "legacy.mp4", "CIE-sig-CA.jpg"],
)
def test_valid_fixtures_are_not_flagged_as_stripped(fixtures, name):
    report = _check(fixtures / "c2pa" / name)
    assert report.verdict.stripped == []
    assert report.verdict.marks_stripped == "no"


@pytest.mark.parametrize("name", ["P1000827.jpg", "earth_apollo17.jpg", "sample1.png", "c.mov"])
def test_files_without_marks_are_unknown_not_authentic(fixtures, name):
    report = _check(fixtures / "c2pa" / name)
    assert report.verdict.ai_generated == "unknown"
    assert report.verdict.marks_stripped == "unknown"
    assert report.verdict.stripped == []
    assert "does not show the file is authentic" in report.verdict.summary


def test_signed_generation_is_yes_with_generator(samples, sample_generators):
    report = _check(
        samples / "credentials" / "gen_clip.mp4",
        trust_anchors=str(samples / "credentials/ca/test_root.pem"),
        generators_files=sample_generators,
    )
    v = report.verdict
    assert (v.ai_generated, v.generator, v.marks_stripped) == ("yes", "synthgen", "no")
    assert v.confidence >= 0.95
    assert "SynthGen" in v.summary and "Content Credentials" in v.summary
    ev = next(e for e in report.evidence if e.kind == "c2pa.generated")
    assert ev.decisive and ev.where["digitalSourceType"].endswith("trainedAlgorithmicMedia")


def test_capture_claim_is_unlikely(samples):
    report = _check(samples / "credentials" / "captured.jpg")
    assert report.verdict.ai_generated == "unlikely"


def test_tampered_generated_file_keeps_the_generation_claim(samples, sample_generators):
    report = _check(
        samples / "credentials" / "tampered_pixels.jpg", generators_files=sample_generators
    )
    v = report.verdict
    assert v.stripped == ["c2pa-invalidated"]
    assert v.ai_generated == "likely"  # the statement is signed, but the pixels changed
    assert v.generator == "synthgen"


def test_stripped_sample_clip_naming_no_generator_is_unknown_not_stripped(
    samples, sample_generators
):
    # stripped_clip.mp4 has lost its uuid box; nothing else in it names the generator, so
    # only the XMP-less container remains: not enough to say anything, and no removal claim
    # (that needs a generator known to write C2PA).
    report = _check(
        samples / "credentials" / "stripped_clip.mp4", generators_files=sample_generators
    )
    assert report.c2pa.state == "absent"
    assert report.verdict.ai_generated == "unknown"
    assert (report.verdict.generator, report.verdict.stripped) == (None, [])
    assert report.verdict.marks_stripped == "unknown"


def test_dangling_pointer_sample(samples):
    report = _check(samples / "credentials" / "stripped_manifest.jpg")
    assert report.verdict.stripped == ["c2pa-removed"]


def test_generator_c2pa_by_default_without_manifest_is_c2pa_removed(samples, sample_generators):
    # exif_software.jpg names SynthGen (whose downloads carry C2PA by default) in EXIF Software.
    report = _check(
        samples / "credentials" / "exif_software.jpg", generators_files=sample_generators
    )
    assert report.verdict.generator == "synthgen"
    assert "c2pa-removed" in report.verdict.stripped
    assert report.verdict.marks_stripped == "likely"


def test_report_json_contract(fixtures):
    report = _check(fixtures / "c2pa" / "XCA.jpg")
    data = report.to_dict()
    assert list(data)[:5] == ["schema", "path", "status", "error", "elapsed_s"]
    for key in ("media", "c2pa", "metadata", "watermarks", "evidence", "verdict"):
        assert key in data
    for key in ("kind", "mime", "width", "height", "fps", "duration_s", "frames_analyzed"):
        assert key in data["media"]
    for key in ("ai_generated", "generator", "marks_stripped", "stripped", "confidence", "summary"):
        assert key in data["verdict"]
    ev = data["evidence"][0]
    assert {"source", "detail", "confidence", "where"} <= set(ev)
    assert data["c2pa"]["validation"][0]["explanation"]


def test_container_fingerprint_alone_never_decides(sora_repost):
    report = _check(sora_repost)
    ev = [e for e in report.evidence if e.kind == "container.output-fingerprint"]
    assert ev and ev[0].generator == "sora"
    assert ev[0].confidence < 0.5
    assert report.verdict.ai_generated == "unknown"
    assert report.verdict.stripped == []


def test_fingerprint_does_not_fire_on_unrelated_video(fixtures):
    for name in ("video1.mp4", "c.mov", "legacy.mp4"):
        report = _check(fixtures / "c2pa" / name)
        assert not [e for e in report.evidence if e.kind == "container.output-fingerprint"]


@pytest.mark.slow  # a 10 s 704x1280 clip through the visible detector
def test_unstamped_clip_in_an_always_stamping_generators_format(tmp_path):
    """A plain clip at Sora's size, rate and length: the fingerprint alone says little,
    and a missing stamp is only weak evidence of removal (paid tiers have none)."""
    import cv2
    import numpy as np

    path = tmp_path / "unstamped.mp4"
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (704, 1280))
    rng = np.random.default_rng(7)
    base = cv2.resize(
        rng.integers(0, 255, (80, 44, 3), dtype=np.uint8),
        (704 * 2, 1280),
        interpolation=cv2.INTER_CUBIC,
    )
    for i in range(300):  # 10 s of a slow pan
        out.write(np.ascontiguousarray(base[:, i : i + 704]))
    out.release()
    report = provenance.check(path, detectors=("visible",))
    kinds = {e.kind: e for e in report.evidence}
    assert kinds["container.output-fingerprint"].generator == "sora"
    assert kinds["stripping.stamp-missing"].confidence < 0.5
    v = report.verdict
    assert (v.ai_generated, v.generator, v.stripped) == ("unknown", None, [])
