"""The symmetry search's vectorised pre-screen (detectors/visible/symmetry.py ``_textured``)
must keep every centre the per-pixel test keeps, and no centre where no patch fits."""

from __future__ import annotations

import cv2
import numpy as np

from provenance.detectors.visible.symmetry import _textured
from provenance.frames import read_image
from provenance.knowledge.numbers import detector_params
from tests.conftest import SAMPLES


def test_prescreen_keeps_exactly_the_textured_centres_of_a_real_picture() -> None:
    p = detector_params("visible.symmetry")
    bgr = read_image(str(SAMPLES / "stripped" / "sparkle_still_unblend.jpg"))
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32)
    region = gray[-60:, -90:]  # the stamp corner: flat sky and texture
    half = 8
    got = _textured(region, half, p)
    h, w = region.shape
    want = np.zeros_like(got)
    for y in range(half, h - half):
        for x in range(half, w - half):
            patch = region[y - half : y + half + 1, x - half : x + half + 1]
            want[y, x] = patch.std() >= p["min_std"]
    assert want.any() and not want.all()  # the picture has both kinds
    assert not (want & ~got).any()  # nothing the per-pixel test keeps is dropped
    assert not got[:half].any() and not got[:, w - half :].any()  # no patch fits there
    assert (got & ~want).sum() <= 0.01 * got.size  # only threshold ties left to np.std
