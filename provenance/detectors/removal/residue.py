"""Stills: the faint ghost a reverse alpha blend leaves when its alpha map does not fit
exactly (rounding, clipping, a resized map).

The high-pass of the image at a word-less icon mark's exact place and sizes (data file) is
correlated with the drawn icon; a strong correlation with a small amplitude (far fainter
than a stamp) is a residue. The test only holds at the exact places and sizes of the data
file, never anywhere in the frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from provenance.detectors.removal.marks import StampPlaces
from provenance.detectors.removal.observations import UnblendResidue
from provenance.detectors.shapes import is_icon, template_f32
from provenance.knowledge.numbers import Section


@dataclass
class _Best:
    """The strongest icon correlation so far: its score, the alpha it amounts to, mark and place."""

    score: float
    alpha: float
    mark: StampPlaces
    box: list[int]
    place: tuple[float, float]


@lru_cache(maxsize=16)
def _blur_rows(n: int, sigma: float, lo: int, hi: int) -> np.ndarray:
    """(hi - lo, n) float32 matrix B with ``B @ x @ B.T`` = rows and columns lo..hi of
    ``cv2.GaussianBlur(x, (0, 0), sigma)`` for a float32 n x n ``x``: the same kernel
    (OpenCV's size rule for float images) and reflect-101 border. The search reads the blur
    only near the crop's centre, so computing just that part is ~10-30x cheaper than
    blurring the whole crop (equal within float32 rounding, ~1e-4 grey levels). The
    products go through ``cv2.gemm``: numpy's threaded BLAS was 5x slower on a loaded
    2-core machine."""
    size = int(round(sigma * 8 + 1)) | 1  # OpenCV's kernel size for a float image
    radius = size // 2
    kernel = cv2.getGaussianKernel(size, sigma, cv2.CV_32F).ravel().astype(np.float64)
    src = np.arange(lo, hi)[:, None] + np.arange(size)[None, :] - radius
    period = 2 * (n - 1)
    src = np.abs(src) % period
    src = np.where(src > n - 1, period - src, src)  # reflect-101, as OpenCV's default
    out = np.arange(hi - lo)[:, None] * n + src
    weights = np.broadcast_to(kernel, src.shape)
    flat = np.bincount(out.ravel(), weights.ravel(), minlength=(hi - lo) * n)
    return flat.reshape(hi - lo, n).astype(np.float32)


class ResidueSearch:
    def __init__(self, marks: list[StampPlaces], params: Section) -> None:
        self.params = params
        self.all_marks = marks
        self.marks = [m for m in marks if is_icon(m.shape) and not m.worded]
        self.best: _Best | None = None
        self.frame = 0

    def feed(self, index: int, gray_u8: np.ndarray) -> None:
        self.frame = index
        h, w = gray_u8.shape[:2]
        short = min(h, w)
        r = self.params["search_px"]
        for m in self.marks:
            assert m.shape is not None  # is_icon
            lo, hi = m.height_range or (m.height_frac, m.height_frac)
            for hf in sorted({lo, m.height_frac, hi}):
                size = max(9, int(hf * short))
                t = template_f32(m.shape, size)
                inside = t > 127
                # The high-pass is read only where the template can sit: within r of the
                # crop's centre cell (size - r .. 2 size + r of the 3 size crop).
                c0, c1 = size - r, 2 * size + r
                blur = _blur_rows(3 * size, max(1.0, size / 4), c0, c1)
                for fx, fy in m.places:
                    cx, cy = fx * w, fy * h
                    x0, y0 = int(cx - size / 2) - size, int(cy - size / 2) - size
                    if x0 < 0 or y0 < 0 or x0 + 3 * size > w or y0 + 3 * size > h:
                        continue
                    crop = gray_u8[y0 : y0 + 3 * size, x0 : x0 + 3 * size].astype(np.float32)
                    # Less a whole grey level first: the same high-pass, and a flat crop
                    # gives exactly 0 (no rounding noise for the correlation to match).
                    level = crop - float(np.round(crop.mean()))
                    # OpenCV takes None for an unused src3; its stubs say an array is needed.
                    near = cv2.gemm(  # type: ignore[call-overload]
                        cv2.gemm(blur, level, 1.0, None, 0.0),  # type: ignore[call-overload]
                        blur,
                        1.0,
                        None,
                        0.0,
                        flags=cv2.GEMM_2_T,
                    )
                    hp = level[c0:c1, c0:c1] - near
                    win = cv2.matchTemplate(hp, t, cv2.TM_CCOEFF_NORMED)
                    _, score, _, (mx, my) = cv2.minMaxLoc(win)
                    bx, by = c0 + mx, c0 + my
                    patch = hp[my : my + size, mx : mx + size]
                    # In units of the headroom to white: the alpha the ghost amounts to.
                    base = float(crop[by : by + size, bx : bx + size][~inside].mean())
                    amp = float(patch[inside].mean() - patch[~inside].mean()) / max(
                        16.0, 255.0 - base
                    )
                    if self.best is None or score > self.best.score:
                        self.best = _Best(
                            float(score), amp, m, [x0 + bx, y0 + by, size, size], (fx, fy)
                        )

    def residue(self) -> UnblendResidue | None:
        b, p = self.best, self.params
        if b is None:
            return None
        lo, hi = p["amplitude"]
        if b.score < p["min_score"] or not lo <= b.alpha <= hi:
            return None
        near = p["same_place"]
        gens = sorted(
            {
                k.generator
                for k in self.all_marks
                if k.shape == b.mark.shape
                and any(
                    abs(px - q[0]) < near and abs(py - q[1]) < near
                    for px, py in k.places
                    for q in b.mark.places
                )
            }
        )
        return UnblendResidue(
            generator=b.mark.generator if gens == [b.mark.generator] else None,
            mark_name=b.mark.name,
            candidates=gens or [b.mark.generator],
            frame=self.frame,
            box=b.box,
            place=b.place,
            score=b.score,
            alpha=b.alpha,
        )
