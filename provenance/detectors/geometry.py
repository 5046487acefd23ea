"""Boxes: (x, y, w, h) in pixels, one set of helpers for every detector."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

Box = tuple[int, int, int, int]


def as_box(values: Iterable[float]) -> Box:
    """Four numbers (a list from JSON, a generator of scaled values) as a Box of ints."""
    x, y, w, h = values
    return (int(x), int(y), int(w), int(h))


def overlap_area(a: Box, b: Box) -> int:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return max(0, min(ax + aw, bx + bw) - max(ax, bx)) * max(0, min(ay + ah, by + bh) - max(ay, by))


def overlap(a: Box, b: Box) -> float:
    """Intersection over the smaller box."""
    return overlap_area(a, b) / max(1, min(a[2] * a[3], b[2] * b[3]))


def iou(a: Box, b: Box) -> float:
    inter = overlap_area(a, b)
    return inter / max(1, a[2] * a[3] + b[2] * b[3] - inter)


def iou_many(boxes: np.ndarray, b: Box) -> np.ndarray:
    """``iou`` of each row of ``boxes`` (k x 4, integers) with ``b``: the same integer
    arithmetic and division, for all rows at once."""
    x, y, w, h = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    ix = np.maximum(0, np.minimum(x + w, b[0] + b[2]) - np.maximum(x, b[0]))
    iy = np.maximum(0, np.minimum(y + h, b[1] + b[3]) - np.maximum(y, b[1]))
    inter = ix * iy
    return inter / np.maximum(1, w * h + b[2] * b[3] - inter)


def inside(a: Box, b: Box, share: float = 0.8) -> bool:
    """Box a lies mostly (``share`` of its area) inside box b."""
    return overlap_area(a, b) >= share * max(1, a[2] * a[3])


def union(a: Box, b: Box) -> Box:
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0)


def scaled(box: Box, scale: float) -> Box:
    """A box at another scale, at least one pixel wide and tall."""
    x, y, w, h = box
    return (int(x * scale), int(y * scale), max(1, int(w * scale)), max(1, int(h * scale)))


def grow(box: Box, f: float) -> Box:
    """A box grown by ``f`` of its height on every side."""
    x, y, w, h = box
    return (int(x - f * h), int(y - f * h), int(w + 2 * f * h), int(h + 2 * f * h))
