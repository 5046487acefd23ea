"""Texture holes at the places where generators put their stamps, one frame at a time.

A stamp painted out by inpainting (Telea, Navier-Stokes) or a blur box leaves a patch whose
pixels are far more often *flat* (|3x3 Laplacian| <= 1 grey level, at full resolution) than
the ring around it: grain, sensor noise and fine texture are gone. A stamp-sized box at each
of a mark's places (best over a search window, the data file's places being coarse) is
scored by its flat share minus its ring's, and compared with

* **control windows** all over the same frame, same box and search window: the chance a
  patch of this frame is that smooth anyway (walls, skies, out-of-focus areas);
* the place's **mirrors** (left-right, top-bottom, both): lenses blur and darken all
  corners alike, so a corner smoother than its mirrored corners is a patch, while a frame
  whose corners are all soft (bokeh, vignetting) has no hole that beats them;
* its **neighbours at the same height** (``band_distance`` stamp heights to either side,
  beyond the widest fill): sky, a ceiling, snow or a floor run along the frame's edges,
  where the places are and the control windows are not, so a smooth band is a patch only
  where it is smoother than the band beside it.

``holes.py`` decides from these per-frame results: a still needs one frame's margin, a
clip a count of frames tested against the controls' chance rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from provenance.detectors.removal import inpaint_traces as tr
from provenance.detectors.shapes import is_icon


@dataclass
class PlaceHit:
    """A mark's place whose patch beat the controls and its mirrors in one frame."""

    mark: Any  # marks.StampPlaces
    place: tuple[float, float]
    score: float  # flat share in the box minus the ring's
    control_max: float
    mirror_max: float
    box: list[int]  # x, y, w, h, full-resolution pixels
    band_max: float = -1.0  # best of the neighbours at the same height (-1: none in frame)


@dataclass
class FrameHoles:
    """One frame's results: the places that beat their controls, and the controls' chance rate."""

    hits: list[PlaceHit]  # best first
    # Box size -> chance that a patch of this frame passes the rule anyway: the share of
    # control windows that beat all the other controls by the margin (0 or 1 of them).
    chance: dict[int, float]
    controls: dict[int, int]  # box size -> number of control windows


@dataclass
class _Size:
    """The plan for one box size: its anchors (places, their mirrors, then controls) and boxes."""

    bw: int
    bh: int
    marks: list[tuple[Any, int]] = field(default_factory=list)  # (mark, place index)
    anchors: list[tuple[int, int]] = field(default_factory=list)
    mirrors: list[list[int]] = field(default_factory=list)  # per place: anchor indices
    bands: list[list[int]] = field(default_factory=list)  # per place: neighbour anchors
    first_control: int = 0
    centres: np.ndarray | None = None
    inner: tr.Boxes | None = None
    outer: tr.Boxes | None = None


class TextureHoles:
    """Plans the boxes for one frame size, then scores frames of that size."""

    def __init__(
        self,
        marks: list,
        shape: tuple[int, int],
        cfg: Mapping[str, Any],
        min_controls: int,
        min_excess: float,
        min_margin: float,
        max_controls: int | None = None,
        flat_ring_max: float | None = None,
    ) -> None:
        self.cfg = cfg
        self.flat_ring_max = cfg["flat_ring_max"] if flat_ring_max is None else flat_ring_max
        self.min_excess = min_excess
        self.min_margin = min_margin
        self.max_controls = max_controls
        self.shape = shape
        h, w = shape
        short = min(h, w)
        groups: dict[tuple[int, int, int], list] = {}
        for m in marks:
            sh = round(m.height_frac * short)
            bw = sh if is_icon(m.shape) else round(sh * cfg["word_box_width"])
            if bw * sh < cfg["min_box_pixels"]:
                continue  # too few pixels for a flat share to beat chance (detectors.toml)
            groups.setdefault((bw, sh, sh), []).append(m)
        self.sizes: list[_Size] = []
        for (bw, bh, sh), group in groups.items():
            size = self._plan(bw, bh, sh, group)
            if size.centres is not None and len(size.anchors) - size.first_control >= min_controls:
                self.sizes.append(size)

    def _plan(self, bw: int, bh: int, sh: int, group: list) -> _Size:
        h, w = self.shape
        ww = round(sh * self.cfg["window"][0]) | 1
        wh = round(sh * self.cfg["window"][1]) | 1
        size = _Size(bw, bh)

        def pixel(fx: float, fy: float) -> tuple[int, int]:
            return min(w - 1, max(0, round(fx * w))), min(h - 1, max(0, round(fy * h)))

        places = [(m, i) for m in group for i in range(len(m.places))]
        size.marks = places
        size.anchors = [pixel(*m.places[i]) for m, i in places]
        for m, i in places:
            fx, fy = m.places[i]
            mine = []
            for mx, my in ((1 - fx, fy), (fx, 1 - fy), (1 - fx, 1 - fy)):
                if max(abs(mx - fx), abs(my - fy)) >= self.cfg["mirror_min_distance"]:
                    mine.append(len(size.anchors))
                    size.anchors.append(pixel(mx, my))
            size.mirrors.append(mine)
        # Neighbours at the place's height, far enough to the side to clear a wordmark's
        # fill; moved in to keep their search window inside a narrow frame, and dropped
        # when that window would then reach the place's own.
        reach = round(self.cfg["band_distance"] * sh)
        for k in range(len(places)):
            px, py = size.anchors[k]
            beside = []
            for x in (px - reach, px + reach):
                x = min(w - 1 - ww // 2, max(ww // 2, x))
                if abs(x - px) >= ww:
                    beside.append(len(size.anchors))
                    size.anchors.append((x, py))
            size.bands.append(beside)
        taken = size.anchors[: len(places)]
        size.first_control = len(size.anchors)
        # Controls keep clear of every place's window; a wordmark's fill can reach a window
        # further along its line (a 14-letter mark is ~8 heights wide).
        gap_x = ww * (2 if bw != bh else 1)
        size.anchors += [
            (int(x), int(y))
            for y in range(wh // 2, h - wh // 2, max(4, wh // 2))
            for x in range(ww // 2, w - ww // 2, max(4, ww // 2))
            if all(abs(x - px) > gap_x or abs(y - py) > wh for px, py in taken)
        ]
        n_controls = len(size.anchors) - size.first_control
        if self.max_controls and n_controls > self.max_controls:
            # An even spread of them bounds the cost (small boxes have hundreds).
            keep = np.linspace(0, n_controls - 1, self.max_controls).round().astype(int)
            controls = size.anchors[size.first_control :]
            size.anchors = size.anchors[: size.first_control] + [controls[k] for k in keep]
        offsets = tr.window_offsets(ww, wh, max(1, bw // 2), max(1, bh // 2))
        anchors = np.array(size.anchors, np.int32).reshape(-1, 1, 2)
        size.centres = anchors + offsets[None, :, :]
        size.inner = tr.Boxes.plan(self.shape, size.centres, bw, bh)
        size.outer = tr.Boxes.plan(self.shape, size.centres, 3 * bw, 3 * bh)
        return size

    def score(self, gray: np.ndarray, integral: np.ndarray | None = None) -> FrameHoles:
        """``integral``: the frame's ``flat_integral`` at cfg's level, if already made."""
        cfg = self.cfg
        if integral is None:
            integral = tr.flat_integral(gray, cfg["flat_level"])
        hits: list[PlaceHit] = []
        chance: dict[int, float] = {}
        controls: dict[int, int] = {}
        for si, size in enumerate(self.sizes):
            # _plan fills the boxes of every size it keeps
            assert size.inner is not None and size.outer is not None and size.centres is not None
            ex, ring = tr.flat_excess(integral, size.inner, size.outer, size.bw * size.bh)
            ex = np.where(ring <= self.flat_ring_max, ex, 0.0)
            j = ex.argmax(axis=1)
            score = ex[np.arange(len(size.anchors)), j]
            ctrl = np.sort(score[size.first_control :])
            controls[si] = len(ctrl)
            ctrl_max = float(ctrl[-1])
            runner_up = float(ctrl[-2]) if len(ctrl) > 1 else -1.0
            passing = ctrl_max >= self.min_excess and ctrl_max - runner_up >= self.min_margin
            chance[si] = (1.0 if passing else 0.0) / len(ctrl)
            for k, (m, i) in enumerate(size.marks):
                s = float(score[k])
                mirror_max = max((float(score[a]) for a in size.mirrors[k]), default=-1.0)
                band_max = max((float(score[a]) for a in size.bands[k]), default=-1.0)
                if (
                    s < self.min_excess
                    or s - ctrl_max < self.min_margin
                    or s - mirror_max < self.min_margin
                    or s - band_max < self.min_margin
                ):
                    continue
                x, y = (int(v) for v in size.centres[k, j[k]])
                hits.append(
                    PlaceHit(
                        m,
                        tuple(m.places[i]),
                        s,
                        ctrl_max,
                        mirror_max,
                        [x - size.bw // 2, y - size.bh // 2, size.bw, size.bh],
                        band_max,
                    )
                )
        hits.sort(key=lambda t: -(t.score - max(t.control_max, t.mirror_max)))
        return FrameHoles(hits, chance, controls)

    def size_of(self, mark: Any) -> int | None:
        """Index of the box size a mark is tested with (None: skipped, too few controls)."""
        for si, size in enumerate(self.sizes):
            if any(m is mark for m, _ in size.marks):
                return si
        return None
