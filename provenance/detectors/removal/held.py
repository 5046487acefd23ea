"""Strokes and edges that hold still while the scene moves: a stamp's letters, a graphic's
border. Accumulated over a clip's samples; read by the hole test (a smooth patch framed by a
static graphic is the graphic, not a fill) and by the edge-cut test."""

from __future__ import annotations

import math

import cv2
import numpy as np

from provenance.detectors.removal.marks import StampPlaces
from provenance.detectors.removal.observations import EdgeCut
from provenance.knowledge.numbers import Section


class HeldOverlay:
    def __init__(self, work_shape: tuple[int, int], params: Section) -> None:
        self.params = params
        self.shape = work_shape
        self.strokes = np.zeros(work_shape, np.uint16)  # pairs in which the pixel held
        self.edges = np.zeros(work_shape, np.uint16)
        self.moving_pairs = 0
        self._prev: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def feed(self, gray: np.ndarray, strokes: np.ndarray, edges: np.ndarray) -> None:
        prev, self._prev = self._prev, (gray, strokes, edges)
        if prev is None:
            return
        prev_gray, prev_strokes, prev_edges = prev
        diff = cv2.absdiff(gray, prev_gray)
        if float(np.mean(diff)) < self.params["background_min_change"]:
            return
        self.moving_pairs += 1
        still = diff < self.params["still_change"]
        self.strokes += (strokes & prev_strokes & still).astype(np.uint16)
        self.edges += (edges & prev_edges & still).astype(np.uint16)

    def around(self, box: tuple[int, int, int, int]) -> bool:
        """Held strokes or edges in and around ``box`` (work pixels; the box and one box
        width/height on every side), enough of them to be a graphic's text or border."""
        h, w = self.shape
        x, y, bw, bh = box
        rows = slice(max(0, y - bh), min(h, y + 2 * bh))
        cols = slice(max(0, x - bw), min(w, x + 2 * bw))
        n = self.params["min_pairs"]
        held = (self.strokes[rows, cols] >= n) | (self.edges[rows, cols] >= n)
        return int(np.count_nonzero(held)) >= self.params["cut_min_pixels"]

    def cut_at_edge(
        self, scale: float, marks: list[StampPlaces], near: float, frame: int
    ) -> EdgeCut | None:
        """The largest held overlay piece that touches a frame edge (boxes in full-resolution
        pixels; ``scale`` is work / full)."""
        p = self.params
        if self.moving_pairs < p["min_pairs"]:
            return None
        overlay = (self.strokes >= p["min_pairs"]).astype(np.uint8)
        # Letters of one word join into one piece (an H.264 re-encode breaks thin strokes
        # apart); sizes and boxes are measured on the held pixels themselves.
        joined = cv2.dilate(overlay, np.ones(p["cut_join"], np.uint8))
        n, labels, _, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
        h, w = overlay.shape
        hits = []
        for i in range(1, n):
            ys, xs = np.nonzero((labels == i) & (overlay > 0))
            if len(xs) < p["cut_min_pixels"]:
                continue
            x, y = int(xs.min()), int(ys.min())
            bw, bh = int(xs.max()) - x + 1, int(ys.max()) - y + 1
            edges = [
                e
                for e, t in (
                    ("left", x == 0),
                    ("top", y == 0),
                    ("right", x + bw >= w),
                    ("bottom", y + bh >= h),
                )
                if t
            ]
            if edges:
                hits.append((len(xs), (x, y, bw, bh), edges))
        if not hits:
            return None
        _, box, edges = max(hits)
        s = 1.0 / scale
        cx, cy = (box[0] + box[2] / 2) / w, (box[1] + box[3] / 2) / h
        # Several generators share corner places: name the ones near, attribute none.
        near_of = sorted(
            {
                m.generator
                for m in marks
                if min(math.hypot(cx - px, cy - py) for px, py in m.places) < near
            }
        )
        return EdgeCut(
            box=[int(box[0] * s), int(box[1] * s), int(box[2] * s), int(box[3] * s)],
            edges=edges,
            pieces=len(hits),
            near_places_of=near_of,
            frame=frame,
        )
