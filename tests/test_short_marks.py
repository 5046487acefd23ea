"""A mark whose whole text is short and common ("AI", Seedance's bottom-right label) counts
only at its place: elsewhere it is a menu, a sign or a caption."""

from __future__ import annotations

import sys

import cv2
import pytest

import provenance
from tests.conftest import SAMPLES

sys.path.insert(0, str(SAMPLES))
from make_clips import Scene, blend, text_mask  # noqa: E402


def clip(tmp_path, name: str, fx: float, fy: float):
    w, h, fps = 960, 540, 12
    scene, label = Scene(w, h, 5, detail=4), text_mask("AI", 40, 3)
    path = tmp_path / name
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for i in range(4 * fps):
        img = scene.frame(i)
        x, y = int(fx * w - label.shape[1] / 2), int(fy * h - label.shape[0] / 2)
        blend(img, label, x, y, 0.85)
        out.write(img)
    out.release()
    return provenance.check(path, detectors=("visible",))


# Top right is where other generators put their marks, so the label there is read too.
@pytest.mark.parametrize("fx,fy,named", [(0.92, 0.92, True), (0.92, 0.08, False)])
def test_short_ai_label_counts_only_at_its_place(tmp_path, fx, fy, named):
    report = clip(tmp_path, f"ai_{fx}_{fy}.mp4", fx, fy)
    marks = [e for e in report.evidence if e.kind == "visible.mark"]
    assert bool(marks) == named, [e.detail for e in report.evidence]
    if named:
        assert marks[0].generator == "seedance"
