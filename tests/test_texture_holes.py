"""The per-frame texture-hole test on pictures made here: a painted-out corner is a hole,
a frame whose corners are all soft (bokeh, vignetting) is not, plain grain is not."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from provenance.detectors.removal.marks import stamp_places
from provenance.detectors.removal.texture_holes import TextureHoles
from provenance.knowledge.numbers import detector_params

H, W = 540, 960


def clip_holes(shape: tuple[int, int]) -> TextureHoles:
    """The clip test's planner for frames of ``shape``, with the data file's marks."""
    cfg = detector_params("removal.holes")
    return TextureHoles(
        stamp_places(detector_params("removal")["default_height_frac"]),
        shape,
        cfg,
        cfg["clip_min_controls"],
        cfg["clip_min_excess"],
        cfg["clip_min_margin"],
        cfg["clip_max_controls"],
    )


@pytest.fixture(scope="module")
def holes() -> TextureHoles:
    return clip_holes((H, W))


def grain(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(128 + rng.normal(0, 6, (H, W)), 0, 255).astype(np.uint8)


def blur_box(img: np.ndarray, cx: float, cy: float, bw: int = 90, bh: int = 40) -> None:
    x, y = int(cx * W - bw / 2), int(cy * H - bh / 2)
    img[y : y + bh, x : x + bw] = cv2.GaussianBlur(img[y : y + bh, x : x + bw], (0, 0), 9)


def generators_hit(result) -> set[str]:
    return {h.mark.generator for h in result.hits}


def test_plain_grain_has_no_hole(holes):
    assert holes.score(grain()).hits == []


def test_a_blurred_corner_is_a_hole_at_that_corner(holes):
    img = grain()
    blur_box(img, 0.92, 0.08)  # LUMA's place (top right), shared with PIKA's corners
    result = holes.score(img)
    assert {"luma", "pika"} <= generators_hit(result)
    best = result.hits[0]
    assert best.place in ((0.92, 0.08), (0.80, 0.06))  # a top-right place
    assert best.score - max(best.control_max, best.mirror_max) >= 0.06  # a clear hole
    x, y, w, h = best.box
    assert x + w > 0.85 * W and y < 0.2 * H


def test_all_corners_soft_is_not_a_hole(holes):
    # Lens blur softens every corner alike: the mirrored places are as smooth as the mark's.
    img = grain()
    for cx, cy in ((0.08, 0.08), (0.92, 0.08), (0.08, 0.92), (0.92, 0.92)):
        blur_box(img, cx, cy)
    hit = generators_hit(holes.score(img))
    assert not {"luma", "pika", "veo", "seedance"} & hit


def test_a_smooth_frame_has_nothing_to_compare(holes):
    # A plain wall after a re-encode: every pixel flat, the rings too, so no excess anywhere.
    assert holes.score(np.full((H, W), 128, np.uint8)).hits == []


def test_flat_integral_counts_flat_unclipped_pixels():
    """The OpenCV form of the flat map is the definition's: |Laplacian| <= level on pixels
    neither clipped dark (<= 6) nor bright (>= 249), at every level and size tried."""
    from provenance.detectors.removal.inpaint_traces import flat_integral, flat_share

    rng = np.random.default_rng(7)
    for shape in [(1, 1), (2, 5), (7, 9), (120, 160)]:
        g = rng.integers(0, 256, shape, dtype=np.uint8)
        g[: shape[0] // 2] //= 40  # a flat, partly clipped half
        lap = np.abs(cv2.Laplacian(g, cv2.CV_16S, ksize=1).astype(np.int32))
        unclipped = (g > 6) & (g < 249)
        for level in (0, 1, 3, 255):
            flat = ((np.minimum(lap, 255) <= level) & unclipped).astype(np.int64)
            want = np.zeros((shape[0] + 1, shape[1] + 1), np.int64)
            want[1:, 1:] = flat.cumsum(0).cumsum(1)
            assert np.array_equal(flat_integral(g, level), want)
            assert flat_share(g, level) == flat.sum() / max(1, unclipped.sum())


def test_a_stamp_box_of_too_few_pixels_is_not_tested():
    """A flat share of n pixels wanders by up to 0.5 / sqrt(n): on a 64x48 frame every
    mark's box is a few dozen pixels and chance beats the controls, so no box is planned;
    at 540x960 every mark is tested."""
    cfg = detector_params("removal.holes")
    marks = stamp_places(detector_params("removal")["default_height_frac"])

    def planned(shape):
        holes = TextureHoles(marks, shape, cfg, 1, cfg["still_min_excess"], 0.0)
        return {m.generator for size in holes.sizes for m, _ in size.marks}

    assert planned((48, 64)) == set()
    assert planned((H, W)) == {m.generator for m in marks}


@pytest.mark.parametrize("name", ["x264.mp4", "tc260_liblib.flv", "grok_imagine.mp4"])
def test_a_tiny_clip_is_not_called_painted_out(samples, name):
    """The project's 64x48 metadata clips carry a generator's metadata signal and never had
    a mark: each was called "visible watermark painted out" at a corner place."""
    import provenance

    report = provenance.check(samples / "metadata" / name)
    assert report.status == "ok" and report.media.frames_analyzed >= 1
    assert "visible-watermark-removed" not in report.verdict.stripped
    assert report.verdict.marks_stripped != "likely"


def test_a_smooth_band_along_the_top_edge_is_not_a_hole():
    """Sky, a ceiling or snow runs along an edge, where the places are; on a narrow frame
    the control windows keep clear of the whole edge (every place's window covers it) and
    a band that ends before the far corner leaves the mirror textured, so only the patch
    beside the place at the same height tells a band from a hole: a smooth band over the
    top-left two thirds of a 240x360 frame is no hole at the top-left places, while the
    same smoothness in the corner alone is one."""
    h, w = 360, 240
    narrow = clip_holes((h, w))
    rng = np.random.default_rng(4)
    base = np.clip(128 + rng.normal(0, 6, (h, w)), 0, 255).astype(np.uint8)

    def top_left_hits(smooth_to: int) -> set[str]:
        img = base.copy()
        img[:26, :smooth_to] = cv2.GaussianBlur(img[:26, :smooth_to], (0, 0), 9)
        return {x.mark.generator for x in narrow.score(img).hits if x.place[0] < 0.15}

    assert top_left_hits(170) == set()  # a band: the neighbour at its height is as smooth
    assert {"pika", "runninghub"} <= top_left_hits(60)  # the corner alone: a hole
