"""Visible marks on the project's own samples and on the real Sora repost."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

import provenance
from provenance.detectors.shapes import cloud, sparkle
from provenance.detectors.visible.lines import split_lines
from provenance.detectors.visible.text_match import match_text
from provenance.knowledge.generators import load
from provenance.model.records import MediaInfo
from tests.detector_run import run_detector


def _detect(path, **opts):
    if path.suffix == ".mp4":
        cap = cv2.VideoCapture(str(path))
        media = MediaInfo(
            kind="video",
            fps=cap.get(cv2.CAP_PROP_FPS),
            frame_count=int(cap.get(cv2.CAP_PROP_FRAME_COUNT)),
        )
        cap.release()
    else:
        media = MediaInfo(kind="image")
    return run_detector(path, "visible", media, **opts)


@pytest.fixture(scope="module")
def truth(samples):
    return json.loads((samples / "clips" / "truth.json").read_text())


@pytest.fixture(scope="module")
def sora_report(sora_repost, tmp_path_factory):
    out = tmp_path_factory.mktemp("evidence")
    report = provenance.check(str(sora_repost), evidence_dir=str(out))
    return report.to_dict(), out


def test_real_sora_repost_is_attributed_with_handle_and_moving_track(sora_report):
    report, _ = sora_report
    marks = [w for w in report["watermarks"] if w["kind"] == "visible" and w["generator"]]
    assert [w["generator"] for w in marks] == ["sora"]
    mark = marks[0]
    assert mark["handle"] == "@sorastats"
    assert mark["text"] == "Sora" and mark["method"] == "ocr"
    boxes = {tuple(s["box"]) for s in mark["track"]}
    centres = {(round((x + w / 2) / 704, 1), round((y + h / 2) / 1280, 1)) for x, y, w, h in boxes}
    assert len(centres) >= 2
    assert all(s["frame"] is not None and s["time_s"] is not None for s in mark["track"])
    assert report["c2pa"]["state"] == "absent"
    assert report["verdict"]["ai_generated"] == "likely"
    assert report["verdict"]["generator"] == "sora"
    assert "c2pa-removed" in report["verdict"]["stripped"]
    ev = [e for e in report["evidence"] if e["kind"] == "visible.mark"]
    assert ev and not ev[0]["decisive"] and "@sorastats" in ev[0]["detail"]
    # Scene text in the clip ("FELINE SUSPECT", the height chart) is not reported.
    assert not [w for w in report["watermarks"] if w["kind"] == "visible" and not w["generator"]]


def test_evidence_dir_gets_annotated_frames_and_crops(sora_report):
    _, out = sora_report
    pngs = list(out.rglob("*.png"))
    assert any(p.name.startswith("frame_") for p in pngs)
    assert any(p.name.startswith("crop_") for p in pngs)
    img = cv2.imread(str(next(p for p in pngs if p.name.startswith("frame_"))))
    assert img.shape[:2] == (1280, 704)


# The clips whose mark this test proves (tests/test_generator_signals.py counts them).
MARKED_SAMPLES = (
    "sora_like.mp4",
    "pika_like.mp4",
    "luma_like.mp4",
    "sparkle_like.mp4",
    "sparkle_still.jpg",
    "kling_zh_like.mp4",
    "dola_like.mp4",
    "meta_like.jpg",
)


@pytest.mark.parametrize("name", MARKED_SAMPLES)
def test_samples_with_marks(samples, truth, name):
    result = _detect(samples / "clips" / name)
    gens = [w.generator for w in result.watermarks if w.generator]
    assert gens == [truth[name]["generator"]]
    wm = next(w for w in result.watermarks if w.generator)
    assert 0.5 <= wm.confidence < 1.0 and wm.track
    marks = [e for e in result.evidence if e.kind == "visible.mark"]
    assert all(e.claim == "generated" and not e.decisive for e in marks)
    if wm.method == "ocr":  # every place of a moving stamp is in the track
        assert wm.stats["places"] == truth[name]["places"]
        assert len({s.box for s in wm.track}) == truth[name]["places"]
        # the text read is one of the generator's mark texts in the data file (and the one
        # truth.json names, where it names one)
        texts = {t for mark in load()[truth[name]["generator"]].visible for t in mark.texts}
        assert wm.text in texts, (wm.text, texts)
        if "text" in truth[name]:
            assert wm.text == truth[name]["text"]
    if name == "sora_like.mp4":
        assert wm.handle == truth[name]["handle"]


def test_chinese_mark_is_read_and_generic_label_is_an_unknown_overlay(samples, truth):
    """ "可灵AI" is Kling's Chinese mark in the data file; "AI生成" ("AI-generated") names no
    generator in the reference, so it is reported as an unknown overlay with its text."""
    result = _detect(samples / "clips" / "kling_zh_like.mp4")
    kling = [w for w in result.watermarks if w.generator == "kling"]
    assert [w.text for w in kling] == ["可灵AI"]
    unknown = [w for w in result.watermarks if w.generator is None]
    assert [w.text for w in unknown] == [truth["kling_zh_like.mp4"]["unknown_text"]]
    kinds = sorted(e.kind for e in result.evidence)
    assert kinds == ["visible.mark", "visible.unknown-overlay"]
    assert next(e for e in result.evidence if e.generator is None).claim == "info"


def test_a_moving_stamp_is_read_once(samples, monkeypatch):
    """Later places of a stamp already read are found by template, not OCR'd again."""
    from provenance.detectors.visible import ocr

    calls = []
    real = ocr.read_lines
    monkeypatch.setattr(ocr, "read_lines", lambda crops: calls.append(len(crops)) or real(crops))
    result = _detect(samples / "clips" / "sora_like.mp4")
    wm = next(w for w in result.watermarks if w.generator == "sora")
    assert wm.stats["places"] == 3
    assert sum(calls) == 2  # "Sora" and the handle, at the first place only


@pytest.mark.parametrize(
    "name", ["neg_subtitles.mp4", "neg_caption.mp4", "neg_plain.mp4", "plain_still.jpg"]
)
def test_negatives_are_not_attributed(samples, name):
    result = _detect(samples / "clips" / name)
    assert not [w for w in result.watermarks if w.generator]
    assert not [e for e in result.evidence if e.claim == "generated"]


def test_caption_is_reported_as_unknown_overlay(samples):
    result = _detect(samples / "clips" / "neg_caption.mp4")
    unknown = [w for w in result.watermarks if w.generator is None]
    assert [w.text for w in unknown] == ["HELLO"]
    assert unknown[0].track[0].box is not None
    assert [e.kind for e in result.evidence] == ["visible.unknown-overlay"]
    assert result.evidence[0].claim == "info"


def test_text_matching_uses_the_data_file():
    marks = {g.id: g.visible for g in load().values() if g.visible}
    sora = marks["sora"][0]
    assert match_text("Sora", sora) == 1.0
    assert match_text("S0ra", sora) > 0.8
    assert match_text("@sorastats", sora) == 0.0  # a handle is not the mark
    assert match_text("Soraya went home", sora) == 0.0
    assert match_text("HELLO", sora) == 0.0
    kling_zh = [m for m in marks["kling"] if "可灵AI" in m.texts][0]
    assert match_text("可灵AI", kling_zh) == 1.0
    assert match_text("由可灵AI生成", kling_zh) > 0.8


def test_templates_are_drawn_in_code():
    s, c = sparkle(41), cloud(41)
    assert s.shape == c.shape == (41, 41)
    assert s[20, 20] == 255 and s[0, 0] == 0 and s[20, 1] > 0  # centre, corner, arm tip
    assert c[20, 20 - 5] == 0 and c.mean() > 100  # eyes are holes in a filled cloud


def test_split_lines_separates_two_lines_and_drops_icon():
    img = np.full((80, 220), 30, np.uint8)
    img[12:67, 160:215] = np.maximum(30, cloud(55))
    cv2.putText(img, "Sora", (8, 36), cv2.FONT_HERSHEY_DUPLEX, 1.0, 230, 2)
    cv2.putText(img, "@handle", (8, 64), cv2.FONT_HERSHEY_DUPLEX, 0.6, 230, 1)
    boxes = split_lines(img)
    assert len(boxes) == 2 and boxes[0][1] < boxes[1][1]
    assert all(x + w < 160 for x, _, w, _ in boxes)
