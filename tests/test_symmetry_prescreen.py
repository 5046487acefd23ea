"""The symmetry search's vectorised pre-screen (detectors/visible/symmetry.py ``_textured``)
must keep exactly the centres the per-pixel test keeps, and none where no patch fits."""

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
    assert (got & ~want).sum() <= 0.01 * got.size
    assert np.array_equal(got, want)  # threshold ties are decided by np.std, as per pixel


def test_centre_search_finds_the_centre_the_per_pixel_loop_finds() -> None:
    """``turned_many`` turns all the patches in one matrix product; it must give what
    turning each patch with ``warpAffine`` gives, and ``_most_turned`` the same centre as a
    loop over the pixels, on real pictures: the stamp corner of a still and a knot drawn
    into it (where one centre stands out)."""
    from provenance.detectors.visible.symmetry import _disc, _most_turned, turned_many

    def _turned_by(patch: np.ndarray, angle: float) -> float:
        """The definition: one ``warpAffine`` turn, float32 correlation over the disc."""
        n = patch.shape[0]
        m = cv2.getRotationMatrix2D(((n - 1) / 2, (n - 1) / 2), angle, 1.0)
        rot = cv2.warpAffine(
            patch, m, (n, n), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
        )
        a, b = patch.ravel()[_disc(n)], rot.ravel()[_disc(n)]
        a, b = a - a.mean(), b - b.mean()
        return float(np.dot(a, b)) / float(np.sqrt(np.dot(a, a) * np.dot(b, b)))

    p = detector_params("visible.symmetry")
    bgr = read_image(str(SAMPLES / "stripped" / "sparkle_still_unblend.jpg"))
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32)
    plain = gray[-60:, -90:].copy()
    knot = plain.copy()
    cv2.circle(knot, (40, 30), 7, 255.0, 2)
    for k in range(6):  # six spokes: six-fold, not twelve-fold
        a = np.pi * k / 3
        cv2.line(knot, (40, 30), (int(40 + 7 * np.cos(a)), int(30 + 7 * np.sin(a))), 255.0, 1)
    half = 9
    for region, order in ((plain, 6), (knot, 6), (plain, 5)):
        angle = 360.0 / order
        want, top = None, -2.0
        h, w = region.shape
        patches, loop = [], []
        for y in range(half, h - half):
            for x in range(half, w - half):
                patch = region[y - half : y + half + 1, x - half : x + half + 1]
                if patch.std() >= p["min_std"]:
                    patches.append(patch)
                    loop.append(r := _turned_by(patch, angle))
                    if r > top:
                        want, top = (x, y), r
        assert want is not None
        # every patch's correlation, not only the winner's (float64 against float32)
        assert np.allclose(turned_many(np.array(patches), (angle,))[0], loop, rtol=0, atol=1e-5)
        several = turned_many(np.array(patches), (angle, 2 * angle, angle / 2))
        for row, turn in zip(several, (angle, 2 * angle, angle / 2), strict=True):
            assert np.allclose(row, [_turned_by(pt, turn) for pt in patches], rtol=0, atol=1e-5)
        assert _most_turned(region, half, angle, p) == want
    assert _most_turned(knot, half, 60.0, p) == (40, 30)  # the knot's centre stands out
