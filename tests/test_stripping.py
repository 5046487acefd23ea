"""Removal of visible marks and crops, on the project's stripped samples and real files.

Samples come from samples/make_stripped.py (truth in samples/stripped/truth.json). The
detector is held to: no clean negative flagged, the real Sora repost not flagged as
stripped of its stamp, and the stripped samples it is built to catch flagged with the right
kind, with the evidence a reader can check (frames, boxes, places, the chance rate).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import provenance

STRIPPED_TRUTH = json.loads(
    (Path(__file__).resolve().parent.parent / "samples/stripped/truth.json").read_text()
)
NEGATIVES = sorted(n for n, t in STRIPPED_TRUTH.items() if not t["stripped"])
PIXEL_KINDS = {"visible-watermark-removed", "cropped"}
PAINTED_OUT_CLIPS = {  # inpainted or blurred stamp in every frame (H.264, CRF 23)
    "sora_telea.mp4",
    "sora_ns.mp4",
    "sora_blur.mp4",
    "sora_static_mask.mp4",
    "luma_telea.mp4",
    "luma_blur.mp4",
    "pika_ns.mp4",
    "sparkle_telea.mp4",
}
STILLS_CAUGHT = {  # painted-out sparkle stills: sample -> method that catches it
    "sparkle_still_telea.jpg": "still-texture-hole",
    "sparkle_still_ns.jpg": "still-texture-hole",
    "sparkle_still_blur.jpg": "still-texture-hole",
    "sparkle_still_unblend.jpg": "unblend-residue",
}


def _stripped(report) -> set[str]:
    return set(report.verdict.stripped) - {"reencoded"}


def _removal_evidence(report):
    """Records of the removal detector (fingerprint.py's size-based `cropped` excluded)."""
    return [
        e
        for e in report.evidence
        if e.kind in ("stripping.visible-watermark-removed", "stripping.stamp-cut-at-edge")
    ]


@pytest.mark.parametrize("name", NEGATIVES)
def test_clean_negatives_are_not_flagged(samples, name):
    report = provenance.check(samples / "stripped" / name)
    assert report.status == "ok"
    assert _stripped(report) == set()
    assert _removal_evidence(report) == []


@pytest.mark.parametrize(
    "name",
    [
        "neg_plain.mp4",
        "neg_caption.mp4",
        "neg_subtitles.mp4",
        "plain_still.jpg",
        "sora_like.mp4",
        "pika_like.mp4",
        "sparkle_like.mp4",
        "sparkle_still.jpg",
        "luma_like.mp4",
    ],
)
def test_project_clips_have_no_removal_evidence(samples, name):
    # Stamped or clean, nothing was painted out or cut away in these.
    report = provenance.check(samples / "clips" / name)
    assert _removal_evidence(report) == []
    assert "visible-watermark-removed" not in report.verdict.stripped


@pytest.mark.parametrize(
    "name",
    [
        "video1.mp4",
        "C.jpg",
        "CA.jpg",
        "CACA.jpg",
        "boxhash.jpg",
        "legacy.mp4",
        "CIE-sig-CA.jpg",
        "P1000827.jpg",
        "earth_apollo17.jpg",
        "sample1.png",
        "c.mov",
    ],
)
def test_fixtures_have_no_removal_evidence(fixtures, name):
    report = provenance.check(fixtures / "c2pa" / name)
    assert _removal_evidence(report) == []
    assert not PIXEL_KINDS & set(report.verdict.stripped)


def test_real_sora_repost_is_c2pa_removed_only(sora_repost):
    report = provenance.check(sora_repost)
    assert _stripped(report) == {"c2pa-removed"}
    assert _removal_evidence(report) == []
    assert report.verdict.generator == "sora"


def test_flicker_back_is_removal_and_names_the_generator(samples, tmp_path):
    report = provenance.check(samples / "stripped" / "sora_flicker.mp4", evidence_dir=str(tmp_path))
    v = report.verdict
    assert "visible-watermark-removed" in v.stripped
    assert v.marks_stripped == "likely"
    assert v.generator == "sora" and v.ai_generated == "likely"
    ev = next(e for e in report.evidence if e.stripped == "visible-watermark-removed")
    assert ev.where["method"] == "flicker-back" and ev.generator == "sora"
    assert 1 <= len(ev.where["frames"]) <= 3 and ev.where["boxes"]
    assert "flickers back" in ev.detail
    gen = next(e for e in report.evidence if e.kind == "visible.stamp-flicker-back")
    assert gen.claim == "generated" and gen.generator == "sora"
    # Sora writes C2PA by default: the flicker-back sighting also argues c2pa-removed.
    assert "c2pa-removed" in v.stripped
    images = list(tmp_path.rglob("removal_f*.png"))
    assert images


@pytest.mark.parametrize("name", ["sora_cropped.mp4", "luma_cropped.mp4"])
def test_stamp_cut_at_the_frame_edge_is_cropped(samples, name):
    report = provenance.check(samples / "stripped" / name)
    assert "cropped" in report.verdict.stripped
    ev = next(e for e in report.evidence if e.kind == "stripping.stamp-cut-at-edge")
    assert ev.stripped == "cropped" and ev.where["edges"]
    assert ev.where["near_places_of"]


def test_platform_reencode_keeps_the_stamp_and_loses_c2pa(samples):
    report = provenance.check(samples / "stripped" / "sora_reencoded.mp4")
    assert _stripped(report) == {"c2pa-removed"}
    assert report.verdict.generator == "sora"


@pytest.mark.parametrize("name", sorted(STILLS_CAUGHT))
def test_painted_out_sparkle_on_stills(samples, name):
    report = provenance.check(samples / "stripped" / name)
    assert report.status == "ok"
    assert _stripped(report) == {"visible-watermark-removed"}
    ev = [e for e in report.evidence if e.kind == "stripping.visible-watermark-removed"]
    assert len(ev) == 1
    e = ev[0]
    assert e.claim == "stripped" and e.stripped == "visible-watermark-removed"
    assert e.where["method"] == STILLS_CAUGHT[name]
    assert e.where["frames"] == [0] and e.where["boxes"] and e.where["place"]
    # The sample's sparkle sits at Veo's sparkle place; when several marks' places fit
    # the hole, no generator is named and the candidates are listed.
    assert e.generator in ("veo", None)
    assert "veo" in e.where["candidates"]
    if e.generator is None:
        assert len(e.where["candidates"]) > 1
    # Traces of a removal are not evidence of a generator: the removal detector adds no
    # generated record (the visible detector may still see the unblend ghost as a sparkle).
    assert not [x for x in report.evidence if x.source == "stripping" and x.claim == "generated"]
    x, y, w, h = e.where["boxes"][0]
    assert 540 <= x + w / 2 <= 620 and 260 <= y + h / 2 <= 340  # the sparkle's corner


@pytest.mark.parametrize("name", sorted(PAINTED_OUT_CLIPS))
def test_painted_out_stamps_in_clips(samples, name):
    truth = STRIPPED_TRUTH[name]
    report = provenance.check(samples / "stripped" / name)
    assert _stripped(report) == set(truth["stripped"])
    ev = [e for e in report.evidence if e.kind == "stripping.visible-watermark-removed"]
    assert len(ev) == 1
    e = ev[0]
    assert e.where["method"] == "inpaint-traces" and e.claim == "stripped"
    # Most sampled frames show the hole, far beyond the chance rate at control windows.
    assert len(e.where["frames"]) >= 0.5 * e.where["frames_tested"]
    assert e.where["p_value"] <= 1e-4 and e.where["chance"] < 0.5
    assert truth["generator"] in e.where["candidates"]
    assert len(e.where["boxes"]) == len(e.where["frames"])
    if truth["generator"] == "sora":
        # The hole visits Sora's mid-edge places, which no other generator uses: that
        # names Sora, and Sora's default Content Credentials are then missing.
        assert e.generator == "sora"
        assert any(abs(p[1] - 0.5) < 0.05 for p in e.where["places"])
        gen = next(x for x in report.evidence if x.kind == "stripping.removed-stamp-places")
        assert gen.claim == "generated" and gen.generator == "sora"
        assert report.verdict.generator == "sora" and report.verdict.ai_generated == "likely"
    else:
        # Corner places are shared by several generators: none is named.
        assert e.generator is None and len(e.where["candidates"]) > 1
        assert report.verdict.generator is None
        assert not [x for x in report.evidence if x.kind == "stripping.removed-stamp-places"]


def test_painted_out_box_is_where_the_stamp_was(samples, monkeypatch):
    """The boxes the evidence cites overlap the stamp the sample painted out."""
    monkeypatch.syspath_prepend(str(samples))
    import make_stripped

    report = provenance.check(samples / "stripped" / "luma_telea.mp4")
    e = next(e for e in report.evidence if e.kind == "stripping.visible-watermark-removed")
    sx, sy, sw, sh = make_stripped.draw_luma(np.zeros((540, 960, 3), np.uint8), 0)
    for x, y, w, h in e.where["boxes"]:
        assert x < sx + sw and sx < x + w and y < sy + sh and sy < y + h


def test_every_stripped_sample_is_covered():
    stripped = {n for n, t in STRIPPED_TRUTH.items() if t["stripped"]}
    tested = (
        PAINTED_OUT_CLIPS
        | set(STILLS_CAUGHT)
        | {"sora_flicker.mp4", "sora_cropped.mp4", "luma_cropped.mp4", "sora_reencoded.mp4"}
    )
    assert stripped == tested
