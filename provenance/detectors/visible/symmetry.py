"""Word-less emblems too detailed to draw at the size they are shown, known by their
rotational symmetry (Sora 1's OpenAI knot: six interlaced links, 17 px at 480p).

A drawn approximation of the knot correlates 0.6-0.67 with the real one, no better than
scene texture at the same place. Its symmetry is sharper: a pattern of order ``n`` matches
itself turned by 360/n and 720/n degrees and, having ``n`` spokes, not turned by half that
step (a disc or a ring matches itself at every angle, a scene at none). A match must hold
in ``min_frames`` samples at one position. Numbers: data/detectors.toml [visible.symmetry].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from provenance.detectors.visible.observations import IconMatch
from provenance.knowledge import generators
from provenance.knowledge.numbers import Section
from provenance.model.records import Sighting


@dataclass
class SymmetryFit:
    turned: float  # the lower correlation with itself turned by one and two steps
    half_turn: float  # correlation turned by half a step
    x: int  # centre, frame pixels
    y: int
    size: int


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    d = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum()) / d if d > 0 else 0.0


def _turned_by(patch: np.ndarray, angle: float) -> float:
    """Correlation of a square patch (odd side) with itself turned about its centre, over
    the disc inside it (the corners would turn into the frame around)."""
    n = patch.shape[0]
    c = (n - 1) / 2
    m = cv2.getRotationMatrix2D((c, c), angle, 1.0)
    rot = cv2.warpAffine(patch, m, (n, n), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    disc = _disc(n)
    return _corr(patch[disc], rot[disc])


def fit_at(patch: np.ndarray, order: int) -> tuple[float, float]:
    """(turned, half_turn) of a square patch around its centre."""
    step = 360.0 / order
    turned = min(_turned_by(patch, step), _turned_by(patch, 2 * step))
    return turned, _turned_by(patch, step / 2)


@lru_cache(maxsize=16)
def _disc(n: int) -> np.ndarray:
    yy, xx = np.mgrid[0:n, 0:n]
    c = (n - 1) / 2
    return np.hypot(yy - c, xx - c) <= n / 2


def best_fit(
    region: np.ndarray, origin: tuple[int, int], sizes: list[int], order: int, p: Section
) -> SymmetryFit | None:
    """The most symmetric position in ``region`` (grey, float32): the centre is found on a
    stride-2 grid at the middle size by one turn alone (a symmetric pattern's score falls
    off over a pixel or two), then every size is fitted at the pixels around it."""
    h, w = region.shape

    def patch_at(x: int, y: int, size: int) -> np.ndarray | None:
        half = int(round(size * p["patch_scale"])) // 2
        if x < half or y < half or x + half >= w or y + half >= h:
            return None
        patch = region[y - half : y + half + 1, x - half : x + half + 1]
        return patch if patch.std() >= p["min_std"] else None

    mid = sizes[len(sizes) // 2]
    centre, top = None, -2.0
    for y in range(0, h, 2):
        for x in range(0, w, 2):
            patch = patch_at(x, y, mid)
            if patch is not None and (r := _turned_by(patch, 360.0 / order)) > top:
                centre, top = (x, y), r
    if centre is None:
        return None
    best: SymmetryFit | None = None
    for size in sizes:
        for y in range(centre[1] - 1, centre[1] + 2):
            for x in range(centre[0] - 1, centre[0] + 2):
                patch = patch_at(x, y, size)
                if patch is None:
                    continue
                turned, half_turn = fit_at(patch, order)
                if best is None or turned - half_turn > best.turned - best.half_turn:
                    best = SymmetryFit(turned, half_turn, x + origin[0], y + origin[1], size)
    return best


def passes(fit: SymmetryFit | None, p: Section) -> bool:
    return fit is not None and fit.turned >= p["min_turned"] and fit.half_turn <= p["max_half"]


@dataclass
class SymmetricMarks:
    """Per file: the grey around each symmetric emblem's place in the sampled frames."""

    params: Section
    marks: list[tuple[str, generators.VisibleMark, tuple[int, int, int, int], list[int]]] = field(
        default_factory=list
    )
    crops: dict[int, list[tuple[int, float, np.ndarray]]] = field(default_factory=dict)
    shape: tuple[int, int] = (0, 0)

    @classmethod
    def for_file(
        cls,
        marks: list[tuple[str, generators.VisibleMark]],
        shape: tuple[int, int],
        media_kind: str | None,
        p: Section,
    ) -> SymmetricMarks:
        out = cls(p, shape=shape)
        h, w = shape
        short = min(shape)
        for gen_id, mark in marks:
            gen = generators.get(gen_id)
            if not mark.symmetry or not mark.places or mark.texts:
                continue
            if gen is not None and media_kind and media_kind not in gen.media:
                continue
            lo, hi = mark.height_frac or (0.03, 0.04)
            sizes = sorted({max(7, round(short * f)) for f in np.linspace(lo, hi, p["sizes"])})
            reach = (
                int(round(p["search_frac"] * short)) + int(sizes[-1] * p["patch_scale"]) // 2 + 1
            )
            for fx, fy in mark.places:
                cx, cy = int(round(fx * w)), int(round(fy * h))
                x0, y0 = max(0, cx - reach), max(0, cy - reach)
                x1, y1 = min(w, cx + reach + 1), min(h, cy + reach + 1)
                if x1 - x0 > sizes[0] and y1 - y0 > sizes[0]:
                    out.marks.append((gen_id, mark, (x0, y0, x1, y1), sizes))
        return out

    def add(self, index: int, time_s: float, gray: np.ndarray) -> None:
        if gray.shape != self.shape:
            return
        for k, (_, _, (x0, y0, x1, y1), _) in enumerate(self.marks):
            kept = self.crops.setdefault(k, [])
            if len(kept) < self.params["max_frames"]:
                kept.append((index, time_s, gray[y0:y1, x0:x1].astype(np.float32)))

    def matches(self) -> list[IconMatch]:
        """Emblems symmetric in at least ``min_frames`` samples at one position."""
        p, (h, w) = self.params, self.shape
        found = []
        for k, (gen_id, mark, (x0, y0, _, _), sizes) in enumerate(self.marks):
            assert mark.symmetry is not None
            kept = self.crops.get(k, [])
            fits = [(i, t, best_fit(c, (x0, y0), sizes, mark.symmetry, p)) for i, t, c in kept]
            good = [(i, t, f) for i, t, f in fits if f is not None and passes(f, p)]
            if len(good) < p["min_frames"]:
                continue
            mx = float(np.median([f.x for _, _, f in good]))
            my = float(np.median([f.y for _, _, f in good]))
            near = p["agree_px"]
            agree = [g for g in good if abs(g[2].x - mx) <= near and abs(g[2].y - my) <= near]
            if len(agree) < p["min_frames"]:
                continue
            track = [
                Sighting(
                    i, t, (f.x - f.size // 2, f.y - f.size // 2, f.size, f.size), round(f.turned, 3)
                )
                for i, t, f in agree
            ]
            found.append(
                IconMatch(
                    generator=gen_id,
                    shape=f"{mark.symmetry}-fold emblem",
                    place=(mx / w, my / h),
                    score=float(np.median([f.turned for _, _, f in agree])),
                    track=track,
                    checked=len(fits),
                    test="symmetry",
                    half_turn=float(np.median([f.half_turn for _, _, f in agree])),
                    order=mark.symmetry,
                )
            )
        return found
