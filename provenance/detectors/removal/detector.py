"""Traces of removed visible marks: painted-out, flickering-back, cut-away and unblended stamps.

Fed every sampled frame, the detector computes one 180-px work copy (grey, chroma, strokes,
strong edges) and hands it to four tests, each in its own module and each giving its own
observation (rules/removal.py words and weighs them):

1. **Texture holes** (``holes``, ``texture_holes``) at the places where the data file says a
   generator puts its stamp: a stamp-sized box far flatter than its ring, more so than every
   control window of the frame and than the place's mirrored positions. A clip counts the
   frames with a hole against the controls' chance rate; a still needs one clear hole.
2. **Flicker back** (``icons``): the generator's icon (templates drawn in code) found in a few
   sampled frames only; the remover missed it there.
3. **Stamp cut at the frame edge** (``held``): overlay strokes held while the scene moves,
   touching a border: the picture was cropped through a stamp.
4. **Reverse-alpha ghost** (``residue``, stills): a faint icon at a word-less mark's exact
   place and sizes.

A flicker-back explains the clip by itself, so the hole test then reports nothing; stills
report a hole, else a ghost.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from provenance.detectors.base import FileContext, detector
from provenance.detectors.removal import inpaint_traces as tr
from provenance.detectors.removal.held import HeldOverlay
from provenance.detectors.removal.holes import HoleSearch
from provenance.detectors.removal.icons import IconSearch
from provenance.detectors.removal.marks import stamp_places
from provenance.detectors.removal.residue import ResidueSearch
from provenance.frames import Frame
from provenance.knowledge.numbers import detector_params


def work_geometry(shape: tuple[int, int], short_side: int) -> tuple[tuple[int, int], float]:
    """(h, w) of the work copy and its scale to full resolution (work / full): one linear
    resize to twice the work size, then an exact 2:1 area step (~0.3 ms for 720p, where an
    area resize at an odd ratio costs ~5 ms). Mirrors ``_work_copy``."""
    h, w = shape
    scale = min(1.0, 2 * short_side / min(h, w))
    th, tw = (h, w) if scale >= 1.0 else (max(1, round(h * scale)), max(1, round(w * scale)))
    tscale = 1.0 if scale >= 1.0 else scale
    return (th // 2, tw // 2), tscale * (th // 2) / th


def _work_copy(image: np.ndarray, short_side: int) -> np.ndarray:
    tex, _ = tr.downscale(image, 2 * short_side, cv2.INTER_LINEAR)
    return cv2.resize(tex, (tex.shape[1] // 2, tex.shape[0] // 2), interpolation=cv2.INTER_AREA)


@detector
class RemovalDetector:
    name = "removal"
    # The work copies halve and filter the picture: a smaller one leaves nothing to test.
    min_side = 8

    def start(self, context: FileContext) -> None:
        p = detector_params("removal")
        self.params = p
        self.max_samples = p["max_samples"]  # the pipeline strides beyond it
        self.context = context
        self.marks = stamp_places(p["default_height_frac"])
        self.full_shape = context.shape
        self.work_shape, self.scale = work_geometry(context.shape, p["work_short_side"])
        self.still = context.media.kind == "image"
        self.holes = HoleSearch(
            self.marks,
            self.full_shape,
            self.work_shape,
            self.scale,
            self.still,
            detector_params("removal.holes"),
        )
        self.icons = IconSearch(
            self.marks,
            self.work_shape,
            self.scale,
            detector_params("removal.icons"),
            detector_params("removal.icons.min_score"),
            p["white_max_chroma"],
        )
        self.held = HeldOverlay(self.work_shape, detector_params("removal.held"))
        self.residue = ResidueSearch(self.marks, detector_params("removal.residue"))
        self.first_frame: int | None = None

    def feed(self, frame: Frame) -> None:
        if frame.image.shape[:2] != self.full_shape:
            return  # a size change mid-stream: ignore the odd frame
        small = _work_copy(frame.image, self.params["work_short_side"])
        if small.shape[:2] != self.work_shape:
            return
        if self.first_frame is None:
            self.first_frame = frame.index
        gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
        chroma = tr.chroma(small)
        strokes = tr.strokes(gray, self.params["stroke_level"])
        edges = tr.strong_edges(gray, self.params["edge_level"])
        if self.still:
            self.residue.feed(frame.index, frame.gray)
        self.holes.feed(frame.index, frame.gray, gray)
        self.icons.feed(frame, chroma, gray.astype(np.float32), strokes)
        self.held.feed(gray, strokes, edges)

    def finish(self) -> list[Any]:
        looks = len(self.holes.looks)
        if not looks or self.first_frame is None:
            return []
        found: list[Any] = []
        flicker = self.icons.flicker_back(self.full_shape)
        if flicker:
            found.append(flicker)
        elif looks > 1:
            found.append(self.holes.painted_out(self.held))
        else:
            found.append(self.holes.still_hole() or self.residue.residue())
        near = detector_params("removal.held")["near_place"]
        found.append(self.held.cut_at_edge(self.scale, self.marks, near, self.first_frame))
        return [f for f in found if f is not None]
