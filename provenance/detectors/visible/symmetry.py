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
    x: int  # centre, in the searched crop's pixels
    y: int
    size: int


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    d = float(np.sqrt(np.dot(a, a) * np.dot(b, b)))
    return float(np.dot(a, b)) / d if d > 0 else 0.0


def _turned_by(patch: np.ndarray, angle: float) -> float:
    """Correlation of a square patch (odd side) with itself turned about its centre, over
    the disc inside it (the corners would turn into the frame around)."""
    n = patch.shape[0]
    c = (n - 1) / 2
    m = cv2.getRotationMatrix2D((c, c), angle, 1.0)
    rot = cv2.warpAffine(patch, m, (n, n), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    disc = _disc(n)
    return _corr(patch.ravel()[disc], rot.ravel()[disc])


def fit_at(patch: np.ndarray, order: int) -> tuple[float, float]:
    """(turned, half_turn) of a square patch around its centre."""
    step = 360.0 / order
    turned = min(_turned_by(patch, step), _turned_by(patch, 2 * step))
    return turned, _turned_by(patch, step / 2)


@lru_cache(maxsize=16)
def _disc(n: int) -> np.ndarray:
    """Flat indices of the disc inside an n x n patch."""
    yy, xx = np.mgrid[0:n, 0:n]
    c = (n - 1) / 2
    return np.flatnonzero(np.hypot(yy - c, xx - c) <= n / 2)


# Grey levels: a box-filter estimate of a patch's spread this close to ``min_std`` is left
# to ``np.std`` itself (float32 rounding of either is ~1e-4 grey levels).
_STD_MARGIN = 0.01


def _textured(region: np.ndarray, half: int, p: Section) -> np.ndarray:
    """Where ``best_fit``'s ``patch_at`` can give a patch (it fits, with margin, and its
    spread is at least ``min_std``), for every pixel at once: the spread from box sums
    (float64) instead of one ``np.std`` a pixel, a superset of the answer (pixels near the
    threshold stay in, for ``patch_at`` to decide as before)."""
    h, w = region.shape
    out = np.zeros((h, w), bool)
    side = 2 * half + 1
    if h < side or w < side:
        return out
    r64 = region.astype(np.float64)
    s1 = cv2.integral(r64)
    s2 = cv2.integral(r64 * r64)

    def box(s: np.ndarray) -> np.ndarray:
        return s[side:, side:] - s[:-side, side:] - s[side:, :-side] + s[:-side, :-side]

    n = float(side * side)
    mean = box(s1) / n
    std = np.sqrt(np.maximum(box(s2) / n - mean * mean, 0.0))
    # box sum (i, j) is the patch centred at (i + half, j + half): every centre patch_at
    # accepts (half <= x < w - half), no other.
    out[half : h - half, half : w - half] = std >= p["min_std"] - _STD_MARGIN
    return out


def best_fit(
    region: np.ndarray, origin: tuple[int, int], sizes: list[int], order: int, p: Section
) -> SymmetryFit | None:
    """The most symmetric position in ``region`` (grey, float32): the centre is found at the
    middle size by one turn alone (a symmetric pattern's score falls off within a pixel or
    two), then every size is fitted at the pixels around it."""
    h, w = region.shape

    def patch_at(x: int, y: int, size: int) -> np.ndarray | None:
        half = int(round(size * p["patch_scale"])) // 2
        if x < half or y < half or x + half >= w or y + half >= h:
            return None
        patch = region[y - half : y + half + 1, x - half : x + half + 1]
        return patch if patch.std() >= p["min_std"] else None

    mid = sizes[len(sizes) // 2]
    centre, top = None, -2.0
    for y, x in np.argwhere(_textured(region, int(round(mid * p["patch_scale"])) // 2, p)):
        patch = patch_at(int(x), int(y), mid)
        if patch is not None and (r := _turned_by(patch, 360.0 / order)) > top:
            centre, top = (int(x), int(y)), r
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
    """Per file: the grey around each symmetric emblem's place in the sampled frames, reduced
    so that the emblem is about ``work_px`` wide (the cost stays that of a 480p clip)."""

    params: Section
    marks: list[_Place] = field(default_factory=list)
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
            scale = min(1.0, p["work_px"] / (short * (lo + hi) / 2))
            sizes = sorted(
                {max(7, round(short * scale * f)) for f in np.linspace(lo, hi, p["sizes"])}
            )
            reach = int(round(p["search_frac"] * short + sizes[-1] * p["patch_scale"] / scale / 2))
            for fx, fy in mark.places:
                cx, cy = int(round(fx * w)), int(round(fy * h))
                x0, y0 = max(0, cx - reach - 1), max(0, cy - reach - 1)
                x1, y1 = min(w, cx + reach + 2), min(h, cy + reach + 2)
                if min(x1 - x0, y1 - y0) * scale > sizes[-1] * p["patch_scale"]:
                    out.marks.append(_Place(gen_id, mark, (x0, y0, x1, y1), sizes, scale))
        return out

    def add(self, index: int, time_s: float, gray: np.ndarray) -> None:
        if gray.shape != self.shape:
            return
        for k, place in enumerate(self.marks):
            kept = self.crops.setdefault(k, [])
            if len(kept) >= self.params["max_frames"]:
                continue
            x0, y0, x1, y1 = place.region
            crop = gray[y0:y1, x0:x1]
            if place.scale < 1.0:
                size = (round(crop.shape[1] * place.scale), round(crop.shape[0] * place.scale))
                crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
            kept.append((index, time_s, crop.astype(np.float32)))

    def matches(self) -> list[IconMatch]:
        """Emblems symmetric in at least ``min_frames`` samples at one position."""
        p, (h, w) = self.params, self.shape
        found = []
        for k, place in enumerate(self.marks):
            mark, (x0, y0, _, _), sc = place.mark, place.region, place.scale
            assert mark.symmetry is not None
            kept = self.crops.get(k, [])
            fits = [(i, t, best_fit(c, (0, 0), place.sizes, mark.symmetry, p)) for i, t, c in kept]
            good = [(i, t, f) for i, t, f in fits if f is not None and passes(f, p)]
            if len(good) < p["min_frames"]:
                continue
            mx = float(np.median([f.x for _, _, f in good]))
            my = float(np.median([f.y for _, _, f in good]))
            near = p["agree_px"]
            agree = [g for g in good if abs(g[2].x - mx) <= near and abs(g[2].y - my) <= near]
            if len(agree) < p["min_frames"]:
                continue
            track = []
            for i, t, f in agree:
                side = int(round(f.size / sc))
                cx, cy = x0 + f.x / sc, y0 + f.y / sc
                box = (int(round(cx - side / 2)), int(round(cy - side / 2)), side, side)
                track.append(Sighting(i, t, box, round(f.turned, 3)))
            found.append(
                IconMatch(
                    generator=place.generator,
                    shape=f"{mark.symmetry}-fold emblem",
                    place=((x0 + mx / sc) / w, (y0 + my / sc) / h),
                    score=float(np.median([f.turned for _, _, f in agree])),
                    track=track,
                    checked=len(fits),
                    test="symmetry",
                    half_turn=float(np.median([f.half_turn for _, _, f in agree])),
                    order=mark.symmetry,
                )
            )
        return found


@dataclass
class _Place:
    generator: str
    mark: generators.VisibleMark
    region: tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels
    sizes: list[int]  # emblem sizes tried, in the reduced crop's pixels
    scale: float  # reduced crop / frame
