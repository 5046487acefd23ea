"""The unblend-residue search blurs only the part of each crop it reads
(detectors/removal/residue.py): that part must equal OpenCV's full Gaussian blur."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from provenance.detectors.removal.residue import _blur_rows
from provenance.frames import read_image
from tests.conftest import SAMPLES


@pytest.mark.parametrize("size", [9, 28, 59, 120])
def test_centre_blur_equals_opencv_blur_of_the_whole_crop(size: int) -> None:
    gray = cv2.cvtColor(
        read_image(str(SAMPLES / "stripped" / "sparkle_still_unblend.jpg")), cv2.COLOR_BGR2GRAY
    )
    crop = gray[: 3 * size, : 3 * size].astype(np.float32)
    assert crop.shape == (3 * size, 3 * size) and crop.std() > 1.0  # textured, not flat
    sigma, r = max(1.0, size / 4), 3
    lo, hi = size - r, 2 * size + r
    rows = _blur_rows(3 * size, sigma, lo, hi)
    near = rows @ crop @ rows.T
    full = cv2.GaussianBlur(crop, (0, 0), sigma)
    assert near.shape == (hi - lo, hi - lo)
    assert np.abs(near - full[lo:hi, lo:hi]).max() < 1e-2


def test_rows_of_a_flat_signal_keep_it_flat() -> None:
    rows = _blur_rows(60, 5.0, 17, 43)
    np.testing.assert_allclose(rows.sum(axis=1), 1.0, atol=1e-5)  # reflected tails included
