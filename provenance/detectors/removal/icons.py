"""Icons of a clip whose stamp was removed, found in a few frames only ("flicker back").

Per sample: bright grey-white blobs of a stamp icon's size, each verified against the icon
templates drawn in code, and the density of white strokes in every icon mark's places
(where a stamp the templates missed may still be). At the end: an icon seen in a few
samples only, while the other samples lost the white strokes at its places too, is a stamp
the remover missed in those frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from provenance.detectors.removal import inpaint_traces as tr
from provenance.detectors.removal.marks import StampPlaces
from provenance.detectors.removal.observations import FlickerBack
from provenance.detectors.shapes import is_icon, local_contrast, template_f32
from provenance.detectors.stats import median
from provenance.frames import Frame
from provenance.knowledge.numbers import Section
from provenance.model.records import Sighting

Box = tuple[int, int, int, int]


@dataclass
class _Seen:
    """One sample: the icons verified in it and the white-stroke density at each icon place."""

    index: int
    time_s: float
    icons: list[tuple[str, Box, float]]  # (shape, full-resolution box, score)
    density: dict[tuple[float, float], float]  # icon mark place -> white stroke density


class IconSearch:
    def __init__(
        self,
        marks: list[StampPlaces],
        work_shape: tuple[int, int],
        scale: float,
        params: Section,
        min_scores: Section,
        white_max_chroma: float,
    ) -> None:
        self.params = params
        self.min_scores = min_scores  # shape -> least template score, in the order tried
        self.marks = [m for m in marks if is_icon(m.shape)]
        self.shape = work_shape
        self.scale = scale  # work / full
        self.white_max_chroma = white_max_chroma
        self.seen: list[_Seen] = []
        short = min(work_shape)
        ranges = [m.height_range or (m.height_frac, m.height_frac) for m in self.marks]
        self.blob_sizes = (
            (
                max(3.0, 0.6 * min(r[0] for r in ranges) * short),
                1.3 * max(r[1] for r in ranges) * short,
            )
            if ranges
            else None
        )

    def feed(self, frame: Frame, chroma: np.ndarray, gray: np.ndarray, strokes: np.ndarray) -> None:
        p = self.params
        found: list[tuple[str, Box, float]] = []
        if self.blob_sizes:
            mask = tr.white_mask(chroma, gray, p["blob_min_contrast"], p["blob_max_chroma"])
            for b in tr.white_blobs(mask, *self.blob_sizes, p["max_blobs"]):
                hit = self._verify(frame.gray, b.box)
                if hit:
                    found.append(hit)
        self.seen.append(_Seen(frame.index, frame.time_s, found, self._density(chroma, strokes)))

    def _density(self, chroma: np.ndarray, strokes: np.ndarray) -> dict[tuple[float, float], float]:
        h, w = self.shape
        short = min(h, w)
        white = strokes & (chroma < self.white_max_chroma)
        out = {}
        for m in self.marks:
            sh = m.height_frac * short
            for fx, fy in m.places:
                x0, x1 = max(0, int(fx * w - 2 * sh)), min(w, int(fx * w + 2 * sh))
                y0, y1 = max(0, int(fy * h - sh)), min(h, int(fy * h + sh))
                win = white[y0:y1, x0:x1]
                out[(fx, fy)] = float(win.mean()) if win.size else 0.0
        return out

    def _verify(self, gray: np.ndarray, box: Box) -> tuple[str, Box, float] | None:
        """Template check of one blob on a full-resolution grey crop rescaled so the icon is
        about ``verify_size`` pixels."""
        p = self.params
        s = 1.0 / self.scale
        x, y, w, h = (int(round(v * s)) for v in box)
        side = max(w, h)
        pad = side // 2 + 2
        x0, y0 = max(0, x - pad), max(0, y - pad)
        x1, y1 = min(gray.shape[1], x + w + pad), min(gray.shape[0], y + h + pad)
        crop = gray[y0:y1, x0:x1]
        if crop.size == 0:
            return None
        k = p["verify_size"] / max(1, side)
        crop = cv2.resize(
            crop, None, fx=k, fy=k, interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR
        )
        contrast = local_contrast(crop)
        best: tuple[str, Box, float] | None = None
        for shape, cut in self.min_scores.items():
            for size in (int(p["verify_size"] * f) for f in (0.9, 1.1)):
                if size > min(contrast.shape):
                    continue
                res = cv2.matchTemplate(contrast, template_f32(shape, size), cv2.TM_CCOEFF_NORMED)
                _, score, _, (mx, my) = cv2.minMaxLoc(res)
                if score >= cut and (best is None or score > best[2]):
                    fb = (x0 + int(mx / k), y0 + int(my / k), int(size / k), int(size / k))
                    best = (shape, fb, float(score))
        return best

    def flicker_back(self, full_shape: tuple[int, int]) -> FlickerBack | None:
        """The first icon shape seen in a few samples only, its strokes gone elsewhere."""
        p = self.params
        n = len(self.seen)
        if n < p["flicker_min_frames"]:
            return None
        by_shape: dict[str, list[tuple[_Seen, Box, float]]] = {}
        for s in self.seen:
            for shape, box, score in s.icons:
                by_shape.setdefault(shape, []).append((s, box, score))
        for shape, hits in by_shape.items():
            frames = sorted({s.index for s, _, _ in hits})
            if not frames or len(frames) > p["flicker_max_share"] * n:
                continue
            gen_id = self._generator_for(shape, [b for _, b, _ in hits], full_shape)
            if self._stamp_may_remain(shape, gen_id, set(frames)):
                continue
            track = [Sighting(s.index, s.time_s, box, round(score, 3)) for s, box, score in hits]
            return FlickerBack(shape, gen_id, frames, n, track)
        return None

    def _stamp_may_remain(self, shape: str, gen_id: str | None, hit_frames: set[int]) -> bool:
        """True when the frames without a template hit still show white strokes at the
        mark's places about as much as the frames with one: the template merely missed a
        stamp that is there (real icons differ from the drawn ones), so no removal claim."""
        places = [
            p
            for m in self.marks
            if m.shape == shape and (gen_id is None or m.generator == gen_id)
            for p in m.places
        ]

        def density(s: _Seen) -> float:
            return max((s.density.get(p, 0.0) for p in places), default=0.0)

        with_hit = [density(s) for s in self.seen if s.index in hit_frames]
        without = [density(s) for s in self.seen if s.index not in hit_frames]
        if not with_hit or not without:
            return False
        veto = self.params["flicker_veto_share"]
        return median(without) >= veto * median(with_hit)

    def _generator_for(
        self, shape: str, boxes: list[Box], full_shape: tuple[int, int]
    ) -> str | None:
        """The generator whose mark with this shape has a place nearest the sightings."""
        h, w = full_shape
        cands = [m for m in self.marks if m.shape == shape]
        if not cands:
            return None
        cx = median([b[0] + b[2] / 2 for b in boxes]) / w
        cy = median([b[1] + b[3] / 2 for b in boxes]) / h
        best = min(cands, key=lambda m: min(math.hypot(cx - px, cy - py) for px, py in m.places))
        return best.generator
