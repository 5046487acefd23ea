"""Per-frame pixel statistics for the removal detector.

* ``flat_excess``: the share of flat pixels (|Laplacian| <= 1, full resolution) inside a
  box minus that of the ring around it, at many box centres at once from one integral
  image. Inpainting (Telea, NS) and blur boxes leave patches far flatter than their ring.
* ``white_blobs``: bright, grey-white blobs of a given size (where a stamp icon could be),
  to be verified against a template drawn in code (``shapes.cloud``, ``shapes.sparkle``).
* ``strokes``: thin bright strokes (white top-hat), for overlays cut at the frame edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


def downscale(
    image: np.ndarray, short_side: int, interpolation: int = cv2.INTER_LINEAR
) -> tuple[np.ndarray, float]:
    """Image with its short side at ``short_side`` (never upscaled) and the scale used."""
    h, w = image.shape[:2]
    scale = min(1.0, short_side / min(h, w))
    if scale >= 1.0:
        return image, 1.0
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(image, size, interpolation=interpolation), scale


def window_offsets(win_w: int, win_h: int, box_w: int, box_h: int) -> np.ndarray:
    """Box centres (dx, dy) covering a win_w x win_h search window, a box apart."""
    xs = np.arange(-(win_w // 2), win_w // 2 + 1, max(1, box_w))
    ys = np.arange(-(win_h // 2), win_h // 2 + 1, max(1, box_h))
    return np.array([(x, y) for y in ys for x in xs], np.int32).reshape(-1, 2)


@dataclass
class Boxes:
    """Boxes of one size at fixed centres, as flat indices of their corners in an integral
    image: planned once per frame size, so each frame costs four gathers per box."""

    corners: np.ndarray  # (4, ...) flat indices: (y0, x0), (y0, x1), (y1, x0), (y1, x1)
    area: np.ndarray  # pixels inside the box once clipped to the image

    @classmethod
    def plan(cls, shape: tuple[int, int], centres: np.ndarray, bw: int, bh: int) -> Boxes:
        """``shape`` is the image's (h, w); ``centres`` is (..., 2) of x, y."""
        h, w = shape
        cx, cy = centres[..., 0], centres[..., 1]
        x0 = np.clip(cx - bw // 2, 0, w)
        x1 = np.clip(cx - bw // 2 + bw, 0, w)
        y0 = np.clip(cy - bh // 2, 0, h)
        y1 = np.clip(cy - bh // 2 + bh, 0, h)
        stride = w + 1
        corners = np.stack(
            [y0 * stride + x0, y0 * stride + x1, y1 * stride + x0, y1 * stride + x1]
        ).astype(np.intp)
        return cls(corners, (x1 - x0) * (y1 - y0))

    def sums(self, integral: np.ndarray) -> np.ndarray:
        a, b, c, d = integral.ravel()[self.corners]
        return (d - b - c + a).astype(np.float64)


@dataclass
class Blob:
    """A bright grey-white blob of a stamp icon's size, still to be verified against a template."""

    box: tuple[int, int, int, int]  # x, y, w, h in work pixels


def chroma(small_bgr: np.ndarray) -> np.ndarray:
    """max(B, G, R) - min(B, G, R): low for white and grey (OpenCV, not numpy axis
    reductions, which cost ~1 ms a frame here)."""
    b, g, r = cv2.split(small_bgr)
    return cv2.subtract(cv2.max(cv2.max(b, g), r), cv2.min(cv2.min(b, g), r))


def white_mask(
    chroma_map: np.ndarray, gray: np.ndarray, min_contrast: float, max_chroma: float
) -> np.ndarray:
    """Bright, nearly grey pixels that stand out from their neighbourhood."""
    k = max(3, (min(gray.shape) // 8) | 1)
    contrast = gray - cv2.blur(gray, (k, k))
    return ((contrast > min_contrast) & (chroma_map < max_chroma)).astype(np.uint8)


def white_blobs(mask: np.ndarray, min_h: float, max_h: float, limit: int) -> list[Blob]:
    """Connected bright blobs whose height fits [min_h, max_h] and that are roughly square."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    # All components at once (a textured frame has thousands): the same tests in the same
    # float arithmetic as one component at a time, the largest first, ties in label order.
    x, y, w, h, area = stats[1:].astype(np.int64).T
    aspect = w / h
    fits = (min_h <= h) & (h <= max_h) & (aspect >= 0.6) & (aspect <= 1.7) & (area >= 0.35 * w * h)
    kept = np.flatnonzero(fits)
    kept = kept[np.argsort(-area[kept], kind="stable")][:limit]
    return [Blob((int(x[i]), int(y[i]), int(w[i]), int(h[i]))) for i in kept]


def strokes(gray_u8: np.ndarray, min_level: int) -> np.ndarray:
    tophat = cv2.morphologyEx(gray_u8, cv2.MORPH_TOPHAT, np.ones((5, 5), np.uint8))
    return tophat > min_level


def strong_edges(gray_u8: np.ndarray, min_level: int) -> np.ndarray:
    """Pixels on a strong intensity step (|Sobel x| + |Sobel y|, saturated at 255)."""
    gx = cv2.convertScaleAbs(cv2.Sobel(gray_u8, cv2.CV_16S, 1, 0))
    gy = cv2.convertScaleAbs(cv2.Sobel(gray_u8, cv2.CV_16S, 0, 1))
    return cv2.add(gx, gy) > min_level


def flat_integral(gray_u8: np.ndarray, level: int) -> np.ndarray:
    """Integral image of "flat" pixels: |Laplacian| (3x3, full resolution) at most ``level``
    grey levels. Sensor grain and fine texture make few pixels flat; inpainting (Telea, NS)
    and blur boxes make most of a patch flat, whatever the texture around."""
    lap = cv2.convertScaleAbs(cv2.Laplacian(gray_u8, cv2.CV_16S, ksize=1))
    # 1 where |Laplacian| <= level (OpenCV's threshold, not numpy's comparisons: a third of
    # the time on a 12 MP photo, the same 0/1 map).
    _, flat = cv2.threshold(lap, level, 1, cv2.THRESH_BINARY_INV)
    # Clipped highlights and shadows are flat without any remover: not counted.
    flat = cv2.bitwise_and(flat, _unclipped(gray_u8))
    return cv2.integral(flat, sdepth=cv2.CV_32S)


def _unclipped(gray_u8: np.ndarray) -> np.ndarray:
    """255 where the grey level is neither clipped shadow (<= 6) nor highlight (>= 249)."""
    return cv2.inRange(gray_u8, 7, 248)


def flat_share(gray_u8: np.ndarray, level: int, integral: np.ndarray | None = None) -> float:
    """Share of the unclipped pixels that are flat (as ``flat_integral`` counts them);
    ``integral``: that image's ``flat_integral`` at ``level`` when the caller has it."""
    unclipped = cv2.countNonZero(_unclipped(gray_u8))
    if integral is None:
        integral = flat_integral(gray_u8, level)
    return float(integral[-1, -1]) / max(1, unclipped)


def flat_excess(
    integral: np.ndarray, inner: Boxes, outer: Boxes, box_area: int
) -> tuple[np.ndarray, np.ndarray]:
    """Share of flat pixels inside each box minus that of the ring around it (``outer``:
    three times the box, same centres), and the ring's share. Boxes more than half outside
    the image score 0."""
    s_in, s_out = inner.sums(integral), outer.sums(integral)
    a_in, a_out = inner.area, outer.area
    share_in = s_in / np.maximum(a_in, 1)
    ring = (s_out - s_in) / np.maximum(a_out - a_in, 1)
    excess = np.where((a_in * 2 < box_area) | (a_out - a_in <= 0), 0.0, share_in - ring)
    return excess, ring
