"""Sora 1's mark, the OpenAI knot, is too detailed to draw at its 17 px; it is known by its
six-fold symmetry at its place (0.951, 0.921 of the frame, 0.035 of the short side; measured
on a real Sora 1 clip, docs/accuracy.md), shown for the last seconds of the clip. A drawn
six-link emblem there is Sora; a disc, a four-spoke emblem or the emblem elsewhere is not."""

from __future__ import annotations

import sys

import cv2
import numpy as np
import pytest

import provenance
from tests.conftest import SAMPLES

sys.path.insert(0, str(SAMPLES))
from make_clips import Scene, blend  # noqa: E402


def emblem(size: int, spokes: int) -> np.ndarray:
    """A thin ring with ``spokes`` curved spokes swirling out from a hollow centre, like the
    knot's interlaced links at this size (drawn 8x, then reduced)."""
    s = size * 8
    m = np.zeros((s, s), np.uint8)
    c, r, t = s / 2, s * 0.42, max(1, s // 11)
    cv2.circle(m, (int(c), int(c)), int(r), 255, max(1, t // 2), cv2.LINE_AA)
    for k in range(spokes):
        u = np.linspace(0, 1, 24)
        radius, turn = 0.2 * s + (r - 0.2 * s) * u, 2 * np.pi * k / spokes + 1.2 * u
        pts = np.stack([c + radius * np.cos(turn), c + radius * np.sin(turn)], 1)
        cv2.polylines(m, [np.int32(pts)], False, 255, t, cv2.LINE_AA)
    return cv2.resize(m, (size, size), interpolation=cv2.INTER_AREA)


def disc(size: int) -> np.ndarray:
    m = np.zeros((size, size), np.uint8)
    cv2.circle(m, (size // 2, size // 2), size // 2 - 1, 255, -1, cv2.LINE_AA)
    return m


def clip(tmp_path, mark: np.ndarray | None, fx: float = 0.951, fy: float = 0.921):
    w, h, fps = 854, 480, 12
    scene = Scene(w, h, 3, detail=6)
    path = tmp_path / "sora1.mp4"
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for i in range(6 * fps):
        img = scene.frame(i)
        if mark is not None and i >= 3 * fps:  # the emblem shows for the last 3 s
            x, y = int(fx * w - mark.shape[1] / 2), int(fy * h - mark.shape[0] / 2)
            blend(img, mark, x, y, 0.9)
        out.write(img)
    out.release()
    return provenance.check(path, detectors=("visible",))


def symmetric(report):
    return [w for w in report.watermarks if w.stats.get("test") == "symmetry"]


def test_a_six_fold_emblem_at_the_place_is_sora(tmp_path):
    report = clip(tmp_path, emblem(17, 6))
    marks = symmetric(report)
    assert [m.generator for m in marks] == ["sora"], [e.detail for e in report.evidence]
    assert report.verdict.ai_generated == "likely" and report.verdict.generator == "sora"
    assert marks[0].stats["template_score"] >= 0.7 and marks[0].stats["half_turn"] <= 0.4
    assert all(s.time_s >= 3.0 for s in marks[0].track)  # only where it is shown


@pytest.mark.parametrize(
    "mark,fx,fy",
    [
        (None, 0.951, 0.921),  # the scene alone
        ("disc", 0.951, 0.921),  # symmetric at every angle: a light, not an emblem
        ("four", 0.951, 0.921),  # four links: turned by 60 degrees it differs
        ("six", 0.08, 0.1),  # the emblem far from Sora 1's place
    ],
)
def test_no_sora_without_the_emblem_at_its_place(tmp_path, mark, fx, fy):
    drawn = {"disc": disc(17), "four": emblem(17, 4), "six": emblem(17, 6), None: None}[mark]
    report = clip(tmp_path, drawn, fx, fy)
    assert not symmetric(report), [e.detail for e in report.evidence]
    assert report.verdict.generator != "sora"
