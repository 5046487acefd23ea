"""A mark cut by the frame's bottom edge (a re-encoder that crops, like the real MultiTalk
clip whose Jimeng "即梦AI" lost its lower part) is still read: the line splitter sees the
line end once dark rows are added below the cut. A scene without the mark reads nothing."""

from __future__ import annotations

import sys

import cv2
import pytest

import provenance
from tests.conftest import SAMPLES

sys.path.insert(0, str(SAMPLES))
from make_clips import Scene, blend, text_mask  # noqa: E402


def clip(tmp_path, cut: float | None, glare: bool = False):
    w, h, fps = 960, 540, 12
    scene, label = Scene(w, h, 7, detail=4), text_mask("KLING AI", 22, 2)
    path = tmp_path / "cut.mp4"
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for i in range(4 * fps):
        img = scene.frame(i)
        x = int(0.96 * w) - label.shape[1]
        if glare and i >= fps:  # after 1 s a bright patch sits behind the first letters
            img[h - 40 :, x - 10 : x + label.shape[1] // 2] = 235
        if cut is not None:  # the share of the label's height below the frame
            y = h - int(round((1 - cut) * label.shape[0]))
            blend(img, label, x, y, 0.85)
        out.write(img)
    out.release()
    return provenance.check(path, detectors=("visible",))


@pytest.mark.parametrize("cut", [0.0, 0.3])
def test_a_mark_cut_by_the_bottom_edge_is_read(tmp_path, cut):
    report = clip(tmp_path, cut)
    marks = [e for e in report.evidence if e.kind == "visible.mark"]
    assert [e.generator for e in marks] == ["kling"], [e.detail for e in report.evidence]


def test_a_static_mark_is_read_at_another_moment_when_the_middle_hides_it(tmp_path):
    """The composite of the middle samples has the glare behind "KLI"; the start has not."""
    report = clip(tmp_path, 0.0, glare=True)
    marks = [e for e in report.evidence if e.kind == "visible.mark"]
    assert [e.generator for e in marks] == ["kling"], [e.detail for e in report.evidence]


def test_no_mark_no_reading(tmp_path):
    report = clip(tmp_path, None)
    assert not [e for e in report.evidence if e.kind == "visible.mark"]
