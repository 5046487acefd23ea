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

from provenance.detectors.stats import median
from provenance.detectors.visible.observations import IconMatch
from provenance.knowledge import generators
from provenance.knowledge.numbers import Section
from provenance.model.records import Sighting


@dataclass
class SymmetryFit:
    """The most symmetric position found in a crop: its self-correlations, centre and size."""

    turned: float  # the lower correlation with itself turned by one and two steps
    half_turn: float  # correlation turned by half a step
    x: int  # centre, in the searched crop's pixels
    y: int
    size: int


@lru_cache(maxsize=16)
def _disc(n: int) -> np.ndarray:
    """Flat indices of the disc inside an n x n patch."""
    yy, xx = np.mgrid[0:n, 0:n]
    c = (n - 1) / 2
    return np.flatnonzero(np.hypot(yy - c, xx - c) <= n / 2)


# Grey levels: a box-filter estimate of a patch's spread this close to ``min_std`` is left
# to ``np.std`` itself (float32 rounding of either is ~1e-4 grey levels).
_STD_MARGIN = 0.01


def _spread(region: np.ndarray, half: int) -> np.ndarray:
    """The grey spread of the patch of half-side ``half`` centred at every pixel, from box
    sums (float64) instead of one ``np.std`` a pixel; -1 where no patch fits (``patch_at``
    accepts centres with ``half <= x < w - half``, no other)."""
    h, w = region.shape
    out = np.full((h, w), -1.0)
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
    # box sum (i, j) is the patch centred at (i + half, j + half)
    out[half : h - half, half : w - half] = np.sqrt(np.maximum(box(s2) / n - mean * mean, 0.0))
    return out


def _textured(region: np.ndarray, half: int, p: Section) -> np.ndarray:
    """Where ``best_fit``'s ``patch_at`` gives a patch of half-side ``half`` (it fits, and its
    spread is at least ``min_std``), for every pixel at once: the box-sum spread decides,
    except within ``_STD_MARGIN`` of the threshold, where ``np.std`` of the patch does, as
    ``patch_at`` decides."""
    spread = _spread(region, half)
    out = spread >= p["min_std"] + _STD_MARGIN
    for y, x in np.argwhere(np.abs(spread - p["min_std"]) < _STD_MARGIN):
        patch = region[y - half : y + half + 1, x - half : x + half + 1]
        out[y, x] = patch.std() >= p["min_std"]
    return out


@lru_cache(maxsize=16)
def _turn_taps(n: int, angles: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Turns by ``angles`` as taps: row i gives a turned patch's disc pixel (i mod disc
    size; each angle's block in turn) as pixel indices of the n x n patch and their weights
    (a bilinear turn reads at most four pixels; unused taps weigh 0). ``warpAffine`` is
    linear in the picture, so warping each one-pixel picture gives its weights exactly
    (border reflection included), and turning many patches by several angles is one gather
    instead of a ``warpAffine`` each (~60 us of call overhead per 19 x 19 patch, ~70 patches
    a sample). Kept as taps, not as the dense matrix: 56 KB a cached entry (19 x 19, three
    angles), not 2.4 MB."""
    c = (n - 1) / 2
    disc = _disc(n)
    dense = np.empty((len(angles) * disc.size, n * n))
    basis = np.zeros((n, n), np.float32)
    for j, angle in enumerate(angles):
        m = cv2.getRotationMatrix2D((c, c), angle, 1.0)
        rows = slice(j * disc.size, (j + 1) * disc.size)
        for k in range(n * n):
            basis.flat[k] = 1.0
            rot = cv2.warpAffine(
                basis, m, (n, n), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
            )
            dense[rows, k] = rot.ravel()[disc]
            basis.flat[k] = 0.0
    taps = int((dense != 0).sum(axis=1).max())
    index = np.argsort(dense == 0, axis=1, kind="stable")[:, :taps]  # the nonzero columns
    return index.astype(np.intp), np.take_along_axis(dense, index, axis=1)


def turned_many(patches: np.ndarray, angles: tuple[float, ...]) -> np.ndarray:
    """Correlation of each of ``patches`` (k x n x n, n odd) with itself turned by each of
    ``angles`` about its centre (bilinear, borders reflected), over the disc inside it (the
    corners would turn into the frame around): (angles, k), all at once, float64."""
    k, n = patches.shape[0], patches.shape[1]
    flat = patches.reshape(k, n * n).astype(np.float64)
    a = flat[:, _disc(n)]
    a -= a.mean(axis=1, keepdims=True)
    index, weight = _turn_taps(n, angles)
    b = np.einsum("krt,rt->kr", flat[:, index], weight).reshape(k, len(angles), a.shape[1])
    b -= b.mean(axis=2, keepdims=True)
    d = np.sqrt((a * a).sum(1)[:, None] * (b * b).sum(2))
    r = np.where(d > 0, np.einsum("ij,iaj->ia", a, b) / np.where(d > 0, d, 1.0), 0.0)
    return r.T


def _most_turned(region: np.ndarray, half: int, angle: float, p: Section) -> tuple[int, int] | None:
    """The centre whose patch (half-side ``half``, spread at least ``min_std``) best matches
    itself turned by ``angle``: the first of the best in row order. (A loop turning each
    patch with ``warpAffine`` in float32 gives correlations within ~1.5e-6 of these and
    chose the same centre on all 1,010 crops of the samples, fixtures and corpus clips.)"""
    ys, xs = np.nonzero(_textured(region, half, p))
    if ys.size == 0:
        return None
    n = 2 * half + 1
    windows = np.lib.stride_tricks.sliding_window_view(region, (n, n))
    r = turned_many(windows[ys - half, xs - half], (angle,))[0]
    best = int(np.argmax(r))
    return int(xs[best]), int(ys[best])


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
    centre = _most_turned(region, int(round(mid * p["patch_scale"])) // 2, 360.0 / order, p)
    if centre is None:
        return None
    best: SymmetryFit | None = None
    step = 360.0 / order
    tried = set()
    for size in sizes:
        if (half := int(round(size * p["patch_scale"])) // 2) in tried:
            continue  # the same patches as a size before, which wins a tie: nothing new
        tried.add(half)
        around = [
            (x, y, patch)
            for y in range(centre[1] - 1, centre[1] + 2)
            for x in range(centre[0] - 1, centre[0] + 2)
            if (patch := patch_at(x, y, size)) is not None
        ]
        if not around:
            continue
        stack = np.array([patch for _, _, patch in around])
        one, two, halves = turned_many(stack, (step, 2 * step, step / 2))
        for (x, y, _), r1, r2, r_half in zip(around, one, two, halves, strict=True):
            turned, half_turn = float(min(r1, r2)), float(r_half)
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
            mx = median([f.x for _, _, f in good])
            my = median([f.y for _, _, f in good])
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
                    score=median([f.turned for _, _, f in agree]),
                    track=track,
                    checked=len(fits),
                    test="symmetry",
                    half_turn=median([f.half_turn for _, _, f in agree]),
                    order=mark.symmetry,
                )
            )
        return found


@dataclass
class _Place:
    """One place of a symmetric emblem: the frame region cropped there and the sizes tried."""

    generator: str
    mark: generators.VisibleMark
    region: tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels
    sizes: list[int]  # emblem sizes tried, in the reduced crop's pixels
    scale: float  # reduced crop / frame
