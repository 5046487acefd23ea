"""Word-less marks as templates drawn from geometry (never third-party logo files).

``sparkle``: the four-point star Gemini and Veo put near the bottom-right corner,
an astroid (x = cos^3 t, y = sin^3 t) slightly fattened so its arms have width.
``cloud``: a seven-lobed blob with two eyes, like the icon beside Sora's stamp;
samples/make_clips.py draws its stamps with the same functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np


def sparkle(size: int, fatness: float = 0.35) -> np.ndarray:
    """Filled four-point star in a size x size uint8 mask (255 inside)."""
    return _sparkle(int(size), float(fatness)).copy()


@lru_cache(maxsize=64)
def _sparkle(size: int, fatness: float) -> np.ndarray:
    size = max(5, int(size))
    t = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    c, s = np.cos(t), np.sin(t)
    # Blend an astroid with a circle: fatness 0 = hairline arms, 1 = a disc.
    x = (1 - fatness) * np.sign(c) * np.abs(c) ** 3 + fatness * c * 0.35
    y = (1 - fatness) * np.sign(s) * np.abs(s) ** 3 + fatness * s * 0.35
    r = (size - 1) / 2
    scale = r / max(np.abs(x).max(), np.abs(y).max())
    pts = np.stack([r + x * scale, r + y * scale], 1)
    mask = np.zeros((size, size), np.uint8)
    cv2.fillPoly(mask, [np.round(pts * 16).astype(np.int32)], 255, cv2.LINE_AA, shift=4)
    return mask


def cloud(size: int) -> np.ndarray:
    """Seven-lobed cloud with two dark eyes in a size x size uint8 mask."""
    size = max(9, int(size))
    mask = np.zeros((size, size), np.uint8)
    c = size / 2
    body = size * 0.30
    lobe = size * 0.17
    cv2.circle(mask, (round(c), round(c)), round(body), 255, -1, cv2.LINE_AA)
    for i in range(7):
        a = 2 * np.pi * i / 7 - np.pi / 2
        cv2.circle(
            mask,
            (round(c + body * np.cos(a)), round(c + body * np.sin(a))),
            round(lobe),
            255,
            -1,
            cv2.LINE_AA,
        )
    eye_w, eye_h = max(1, round(size * 0.07)), max(1, round(size * 0.11))
    for dx in (-0.13, 0.13):
        cv2.ellipse(
            mask, (round(c + dx * size), round(c)), (eye_w, eye_h), 0, 0, 360, 0, -1, cv2.LINE_AA
        )
    return mask


# Every word-less mark the data file may name in ``shape``, by name: the template is drawn
# from geometry at any size. Marks with one of these shapes are icons (a box as tall as
# wide); marks without are words.
SHAPES: dict[str, Callable[[int], np.ndarray]] = {}


def template(shape: str, size: int) -> np.ndarray:
    """The drawn template of ``shape`` at ``size`` pixels (uint8, 255 inside)."""
    try:
        draw = SHAPES[shape]
    except KeyError:
        raise ValueError(f"unknown mark shape {shape!r}; known: {', '.join(SHAPES)}") from None
    return draw(size)


def is_icon(shape: str | None) -> bool:
    return shape is not None and shape in SHAPES


SHAPES["sparkle"] = sparkle
SHAPES["cloud"] = cloud


@dataclass
class ShapeHit:
    """Where a drawn template matched best in an image, and its normalised correlation."""

    box: tuple[int, int, int, int]  # x, y, w, h in the searched image's pixels
    score: float


def find_shape(contrast: np.ndarray, shape: str, sizes: list[int]) -> ShapeHit | None:
    """Best match of ``shape``'s template in a local-contrast image (float32, bright marks
    positive), over the template ``sizes``."""
    best: ShapeHit | None = None
    h, w = contrast.shape
    for size in sizes:
        if size < 5 or size > min(h, w):
            continue
        res = cv2.matchTemplate(contrast, template_f32(shape, int(size)), cv2.TM_CCOEFF_NORMED)
        res[~_textured(contrast, int(size))] = -1.0
        _, score, _, (x, y) = cv2.minMaxLoc(res)
        if best is None or score > best.score:
            best = ShapeHit((int(x), int(y), size, size), float(score))
    return best


def _textured(contrast: np.ndarray, size: int, min_std: float = 1.0) -> np.ndarray:
    """Windows (as matchTemplate's result grid) whose contrast varies at all: on a flat
    region the normalised correlation is 0/0, which OpenCV returns as a perfect 1.0 (a flat
    white corner of a logo once matched the sparkle at 1.00)."""
    mean = cv2.boxFilter(contrast, -1, (size, size), normalize=True, borderType=cv2.BORDER_CONSTANT)
    sq = cv2.boxFilter(
        contrast * contrast, -1, (size, size), normalize=True, borderType=cv2.BORDER_CONSTANT
    )
    std = np.sqrt(np.maximum(sq - mean * mean, 0.0))
    h, w = contrast.shape
    half = size // 2
    return std[half : half + h - size + 1, half : half + w - size + 1] >= min_std


@lru_cache(maxsize=64)
def template_f32(shape: str, size: int) -> np.ndarray:
    """``template`` as float32, cached (the form template matching takes)."""
    return template(shape, size).astype(np.float32)


def local_contrast(gray: np.ndarray) -> np.ndarray:
    """Grey minus its blurred self: a white mark stands out whatever the scene brightness."""
    g = gray.astype(np.float32)
    k = max(3, (min(gray.shape) // 4) | 1)
    return g - cv2.blur(g, (k, k))
