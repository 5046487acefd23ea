"""Corner marks blended over the picture at an exact pixel geometry (Gemini's sparkle: a flat
white of known opacity, 96 px at 64 px from the bottom-right corner), tested at their outline.

Why not only the template search (icons.py): under a half-transparent white star the scene
keeps its texture, so normalised correlation with the drawn star scores 0.3-0.86 on the real
Gemini images, no better than textured scenes without a mark. A blend is tested by what it
does to the pixels instead: white of opacity ``a`` over a background ``B`` raises the picture
by ``a * (255 - B)``, so across the mark's outline the grey steps *inward*, by that amount,
everywhere along it, whatever the scene. Two numbers per position: ``inward``, the share of
outline points whose step points into the mark, and ``fit``, the median measured step over
the predicted one (1 for the mark). A scene's own edges cross the outline either way and
their size has nothing to do with ``a * (255 - B)``. Numbers: data/detectors.toml
[visible.blend].

The geometry comes from the data file (``corner_px``, ``opacity``); the outline is the drawn
template (shapes.py), never a logo file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from provenance.detectors.shapes import sparkle, template
from provenance.detectors.stats import median
from provenance.detectors.visible.observations import IconMatch
from provenance.knowledge import generators
from provenance.knowledge.numbers import Section
from provenance.model.records import Sighting

BORDER = 4  # pixels kept around the mark for the blur and the outside ring


@dataclass
class BlendFit:
    """How well a white blend of the mark's opacity explains the grey steps at one position."""

    inward: float  # share of outline points stepping up into the mark
    fit: float  # median measured step / predicted step
    step: float  # predicted step a * (255 - background), grey levels
    dx: int  # offset from the data file's position, pixels
    dy: int


def corner_geometry(mark: generators.VisibleMark, shape: tuple[int, int]) -> tuple[int, int] | None:
    """(mark side, margin) in pixels for a frame of ``shape`` (h, w), from ``corner_px``."""
    short = min(shape)
    tiers = [(size, margin) for start, size, margin in mark.corner_px if short >= start]
    if not tiers:
        return None
    size, margin = tiers[-1]
    if size + margin + BORDER > short:
        return None
    return size, margin


def corner_crop(gray: np.ndarray, size: int, margin: int, pad: int) -> np.ndarray | None:
    """The grey around the mark's box (``pad`` + BORDER on every side), copied: the
    detector keeps these few thousand pixels, not the frame."""
    h, w = gray.shape
    reach = pad + BORDER
    x0, y0 = w - margin - size - reach, h - margin - size - reach
    if x0 < 0 or y0 < 0:
        return None
    return gray[y0 : h - margin + reach, x0 : w - margin + reach].copy()


@dataclass
class _Outline:
    """The drawn mark's outline: points, inward normals and template gradient there."""

    sel: np.ndarray  # bool mask over the padded template
    nx: np.ndarray
    ny: np.ndarray
    weight: np.ndarray  # gradient of the blurred 0-1 template at the points
    outside: np.ndarray  # bool mask of a ring just outside the mark
    side: int  # padded template side


def _outline(shape: str, size: int, p: Section) -> _Outline:
    mask = (
        sparkle(size, p["sparkle_fatness"]) if shape == "sparkle" else template(shape, size)
    ).astype(np.float32) / 255.0
    t = np.pad(mask, BORDER)
    ts = cv2.GaussianBlur(t, (0, 0), p["sigma"])
    gx = cv2.Sobel(ts, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(ts, cv2.CV_32F, 0, 1, ksize=3)
    mag = np.hypot(gx, gy)
    sel = mag > p["outline_level"] * mag.max()
    inside = (t > 0.5).astype(np.uint8)
    grown = cv2.dilate(inside, np.ones((3, 3), np.uint8), iterations=3) > 0
    return _Outline(
        sel, gx[sel] / mag[sel], gy[sel] / mag[sel], mag[sel], grown & ~(t > 0.5), t.shape[0]
    )


def fit_blend(
    crop: np.ndarray, shape: str, size: int, opacity: float, p: Section
) -> BlendFit | None:
    """The best-fitting position of the blend within ``pad`` pixels, or None when the
    background is too bright for the mark to show (a white mark on white)."""
    o = _outline(shape, size, p)
    pad = p["pad"]
    smooth = cv2.GaussianBlur(crop.astype(np.float32), (0, 0), p["sigma"])
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3)
    best: BlendFit | None = None
    for dy in range(-pad, pad + 1):
        for dx in range(-pad, pad + 1):
            ys, xs = slice(pad + dy, pad + dy + o.side), slice(pad + dx, pad + dx + o.side)
            if smooth[ys, xs].shape != (o.side, o.side):
                continue
            d = gx[ys, xs][o.sel] * o.nx + gy[ys, xs][o.sel] * o.ny
            background = median(smooth[ys, xs][o.outside])
            step = opacity * (255.0 - background)
            if step < p["min_step"]:
                continue
            fit = BlendFit(
                inward=float((d > 0).mean()),
                fit=median(d / (o.weight * step)),
                step=step,
                dx=dx,
                dy=dy,
            )
            if best is None or fit.inward > best.inward:
                best = fit
    return best


def passes(fit: BlendFit | None, p: Section) -> bool:
    lo, hi = p["fit_range"]
    return fit is not None and fit.inward >= p["min_inward"] and lo <= fit.fit <= hi


@dataclass
class CornerBlends:
    """Per file: the corner crops of the first frames, for every mark with ``corner_px``."""

    params: Section
    marks: list[tuple[str, generators.VisibleMark, int, int]] = field(default_factory=list)
    crops: dict[int, list[tuple[int, float, np.ndarray]]] = field(default_factory=dict)
    shape: tuple[int, int] = (0, 0)

    @classmethod
    def for_file(
        cls,
        marks: list[tuple[str, generators.VisibleMark]],
        shape: tuple[int, int],
        media_kind: str | None,
        p: Section,
    ) -> CornerBlends:
        out = cls(p, shape=shape)
        for gen_id, mark in marks:
            gen = generators.get(gen_id)
            if not mark.corner_px or mark.opacity is None or not mark.shape:
                continue
            if gen is not None and media_kind and media_kind not in gen.media:
                continue  # Gemini's image mark is not looked for in a video
            geometry = corner_geometry(mark, shape)
            if geometry:
                out.marks.append((gen_id, mark, *geometry))
        return out

    def add(self, index: int, time_s: float, gray: np.ndarray) -> None:
        if gray.shape != self.shape:
            return
        for k, (_, _, size, margin) in enumerate(self.marks):
            kept = self.crops.setdefault(k, [])
            if len(kept) >= self.params["max_frames"]:
                continue
            crop = corner_crop(gray, size, margin, self.params["pad"])
            if crop is not None:
                kept.append((index, time_s, crop))

    def matches(self) -> list[IconMatch]:
        """Marks whose blend fits in at least half the frames kept, at one position."""
        p, h, w = self.params, *self.shape
        found = []
        for k, (gen_id, mark, size, margin) in enumerate(self.marks):
            kept = self.crops.get(k, [])
            assert mark.shape is not None and mark.opacity is not None
            fits = [(i, t, fit_blend(c, mark.shape, size, mark.opacity, p)) for i, t, c in kept]
            good = [(i, t, f) for i, t, f in fits if passes(f, p) and f is not None]
            if not good or len(good) < max(1, 0.5 * len(fits)):
                continue
            x, y = w - margin - size, h - margin - size
            track = [
                Sighting(i, t, (x + f.dx, y + f.dy, size, size), round(f.inward, 3))
                for i, t, f in good
            ]
            found.append(
                IconMatch(
                    generator=gen_id,
                    shape=mark.shape,
                    place=((w - margin - size / 2) / w, (h - margin - size / 2) / h),
                    score=median([f.inward for _, _, f in good]),
                    track=track,
                    checked=len(fits),
                    test="blend",
                    blend_fit=median([f.fit for _, _, f in good]),
                    opacity=mark.opacity,
                    margin_px=margin,
                )
            )
        return found
