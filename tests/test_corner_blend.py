"""Gemini's sparkle at its real geometry: a white star of opacity 0.5, 96 px at 64 px from the
bottom-right corner when the short side is over 1024 px, 48 px at 32 px up to 1024 (five
real Gemini images measured against a remover's output, docs/accuracy.md). Over a textured
scene the drawn-template correlation is weak; the blend test at the outline finds it, and not
the same scene without the mark, a weaker white or the mark somewhere else."""

from __future__ import annotations

import sys

import cv2
import numpy as np
import pytest

import provenance
from provenance.detectors.shapes import sparkle
from tests.conftest import SAMPLES

sys.path.insert(0, str(SAMPLES))
from make_clips import Scene, blend  # noqa: E402


def still(tmp_path, w: int, h: int, size: int, margin: int, alpha: float, name: str):
    img = Scene(w, h, 11, detail=12).frame(0)
    # Dark strokes crossing the corner, like the line art under the real marks.
    for k in range(6):
        cv2.line(img, (w - 300 + 45 * k, h), (w, h - 260 + 40 * k), (40, 30, 30), 3)
    if alpha:
        blend(img, sparkle(size, 0.2), w - margin - size, h - margin - size, alpha)
    path = tmp_path / name
    cv2.imwrite(str(path), img, [cv2.IMWRITE_WEBP_QUALITY, 90])
    return provenance.check(path, detectors=("visible",))


def blend_marks(report):
    return [
        w for w in report.watermarks if w.method == "template" and w.stats.get("test") == "blend"
    ]


@pytest.mark.parametrize("w,h,size,margin", [(1280, 1088, 96, 64), (1000, 760, 48, 32)])
def test_the_sparkle_at_its_real_geometry_is_gemini(tmp_path, w, h, size, margin):
    report = still(tmp_path, w, h, size, margin, 0.5, "gemini.webp")
    marks = blend_marks(report)
    assert [m.generator for m in marks] == ["imagen"], [e.detail for e in report.evidence]
    assert report.verdict.ai_generated == "likely" and report.verdict.generator == "imagen"
    x, y, bw, bh = marks[0].track[0].box
    assert (bw, bh) == (size, size) and abs(x - (w - margin - size)) <= 2
    assert abs(y - (h - margin - size)) <= 2
    assert 0.7 <= marks[0].stats["blend_fit"] <= 1.4


@pytest.mark.parametrize(
    "size,margin,alpha",
    [
        (96, 64, 0.0),  # the same scene, no mark (a remover's output)
        (96, 64, 0.2),  # a fainter white: the steps are too small for opacity 0.5
        (96, 120, 0.5),  # the right mark at a place Gemini does not put it
        (48, 32, 0.5),  # the small tier's geometry on a picture whose short side is > 1024
    ],
)
def test_no_blend_match_off_the_geometry(tmp_path, size, margin, alpha):
    report = still(tmp_path, 1280, 1088, size, margin, alpha, "other.webp")
    assert not blend_marks(report), [e.detail for e in report.evidence]


def test_a_white_corner_is_no_evidence(tmp_path):
    """A white mark cannot show on white: the test declines (no 'fit' to measure)."""
    img = np.full((1088, 1280, 3), 252, np.uint8)
    blend(img, sparkle(96, 0.2), 1280 - 160, 1088 - 160, 0.5)
    path = tmp_path / "white.png"
    cv2.imwrite(str(path), img)
    assert not blend_marks(provenance.check(path, detectors=("visible",)))
