"""Stills judged by the texture-hole and icon tests only where those tests mean something:
pictures with grain, rings that are not themselves flat, icons on textured ground (cases
from the real-world corpus: a flat logo, a compressed sky, a white logo corner)."""

from __future__ import annotations

import cv2
import numpy as np

import provenance
from provenance.detectors.removal.observations import StillHole
from tests.detector_run import run_detector

W, H = 960, 540
SORA_TOP_RIGHT = (0.80, 0.06)  # a Sora place with a measured stamp height


def grain(seed: int = 0, sigma: float = 6.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    g = np.clip(128 + rng.normal(0, sigma, (H, W)), 0, 255).astype(np.uint8)
    return cv2.cvtColor(g, cv2.COLOR_GRAY2BGR)


def blur_at(img: np.ndarray, fx: float, fy: float, bw: int = 60, bh: int = 40) -> None:
    x, y = int(fx * W - bw / 2), int(fy * H - bh / 2)
    img[y : y + bh, x : x + bw] = cv2.GaussianBlur(img[y : y + bh, x : x + bw], (0, 0), 9)


def still_holes(tmp_path, img: np.ndarray, name: str) -> list[StillHole]:
    path = tmp_path / name
    cv2.imwrite(str(path), img)
    return [o for o in run_detector(path, "removal").observations if isinstance(o, StillHole)]


def test_a_fill_in_grain_is_a_hole_control(tmp_path):
    img = grain()
    blur_at(img, *SORA_TOP_RIGHT)
    assert still_holes(tmp_path, img, "grain.png")


def test_a_fill_in_a_flat_sky_is_not_tested(tmp_path):
    # The top band is a smooth sky (its own pixels mostly flat), as in a compressed landscape.
    img = grain()
    sky = np.linspace(200, 170, H // 4).astype(np.uint8)[:, None, None]
    img[: H // 4] = np.repeat(np.repeat(sky, W, axis=1), 3, axis=2)
    img[: H // 4] += (np.random.default_rng(1).random((H // 4, W, 1)) < 0.2).astype(np.uint8) * 2
    blur_at(img, *SORA_TOP_RIGHT)
    assert not still_holes(tmp_path, img, "sky.png")


def test_a_flat_graphic_is_not_tested(tmp_path):
    # Red dots on black, as in a logo: flat everywhere, no grain a fill could remove.
    img = np.zeros((H, W, 3), np.uint8)
    for y in range(20, H, 40):
        for x in range(20, W, 40):
            cv2.circle(img, (x, y), 14, (20, 20, 235), -1)
    blur_at(img, 0.833, 0.906)
    assert not still_holes(tmp_path, img, "logo.png")


def test_a_flat_white_corner_matches_no_icon(tmp_path):
    # A black mark on white: the empty bottom-right corner once matched the sparkle at 1.00.
    img = np.full((600, 600, 3), 255, np.uint8)
    cv2.rectangle(img, (60, 60), (480, 480), (0, 0, 0), 40)
    path = tmp_path / "mark.png"
    cv2.imwrite(str(path), img)
    report = provenance.check(path)
    assert not [w for w in report.watermarks if w.method == "template"]
    assert report.verdict.ai_generated == "unknown"
