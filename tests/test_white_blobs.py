"""``inpaint_traces.white_blobs`` tests every connected component at once; it must keep the
components the one-at-a-time definition keeps, in the same order (largest first, ties in
label order), on a real picture's white mask and on random masks."""

from __future__ import annotations

import cv2
import numpy as np

from provenance.detectors.removal import inpaint_traces as tr
from provenance.frames import read_image
from tests.conftest import SAMPLES


def _one_at_a_time(mask: np.ndarray, min_h: float, max_h: float, limit: int) -> list[tr.Blob]:
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out: list[tuple[int, tr.Blob]] = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if min_h <= h <= max_h and 0.6 <= w / h <= 1.7 and area >= 0.35 * w * h:
            out.append((area, tr.Blob((x, y, w, h))))
    out.sort(key=lambda t: -t[0])
    return [b for _, b in out[:limit]]


def test_blobs_of_a_real_white_mask() -> None:
    bgr = read_image(str(SAMPLES / "stripped" / "sparkle_still_unblend.jpg"))
    small = cv2.resize(bgr, (bgr.shape[1] // 4, bgr.shape[0] // 4), interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)
    mask = tr.white_mask(tr.chroma(small), gray, 4.0, 40.0)
    for min_h, max_h, limit in ((1.0, 40.0, 50), (3.0, 12.0, 5), (2.0, 6.0, 1)):
        want = _one_at_a_time(mask, min_h, max_h, limit)
        assert want  # the picture has blobs of these sizes
        assert tr.white_blobs(mask, min_h, max_h, limit) == want


def test_blobs_of_random_masks() -> None:
    rng = np.random.default_rng(3)
    for k in range(200):
        mask = (rng.random((60, 90)) < rng.random() * 0.6).astype(np.uint8)
        if k % 2:
            mask = cv2.dilate(mask, np.ones((int(rng.integers(1, 4)),) * 2, np.uint8))
        min_h, max_h = float(rng.uniform(0, 4)), float(rng.uniform(2, 30))
        limit = int(rng.integers(1, 20))
        assert tr.white_blobs(mask, min_h, max_h, limit) == _one_at_a_time(
            mask, min_h, max_h, limit
        )
    assert tr.white_blobs(np.zeros((9, 9), np.uint8), 1.0, 5.0, 3) == []
