"""``geometry.iou_many`` (the overlay tracker groups blobs with it) gives ``iou`` for every
row, exactly: the grouping's threshold test must not move by a rounding."""

from __future__ import annotations

import numpy as np

from provenance.detectors.geometry import iou, iou_many


def test_iou_many_is_iou_of_each_row() -> None:
    rng = np.random.default_rng(4)
    for _ in range(200):
        boxes = rng.integers(0, 60, (int(rng.integers(1, 30)), 4))
        b = tuple(int(v) for v in rng.integers(0, 60, 4))
        want = [iou(tuple(int(v) for v in row), b) for row in boxes]  # type: ignore[arg-type]
        assert iou_many(boxes, b).tolist() == want  # type: ignore[arg-type]
    same = np.array([[3, 4, 10, 8]])
    assert iou_many(same, (3, 4, 10, 8)).tolist() == [1.0]
    assert iou_many(same, (40, 40, 5, 5)).tolist() == [0.0]
