"""Visible generator marks: locate overlays, read them, match them against the data file.

Pipeline per file: ``feed`` keeps downscaled statistics (overlay.OverlayTracker); ``finish``
localises candidates, reads the best few with OCR (recognition only, on line crops of a
temporal-minimum composite: a white stamp stays bright while the scene under it changes, so
the minimum cleans the background), matches the text against ``generators.toml`` and
searches word-less marks by their drawn icon (``icons``). It returns observations: marks read
(``MarkRead``), icons matched (``IconMatch``) and other overlay text (``OverlayText``);
rules/visible.py judges them. Measurement numbers: data/detectors.toml [visible].
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from provenance.detectors.base import FileContext, detector
from provenance.detectors.geometry import as_box, inside, overlap, overlap_area, scaled, union
from provenance.detectors.shapes import is_icon
from provenance.detectors.visible.blend import CornerBlends
from provenance.detectors.visible.icons import find_icon
from provenance.detectors.visible.lines import open_cut, split_lines_reach
from provenance.detectors.visible.observations import MarkRead, OverlayText
from provenance.detectors.visible.overlay import Candidate, OverlayTracker
from provenance.detectors.visible.symmetry import SymmetricMarks
from provenance.detectors.visible.text_match import match_text
from provenance.frames import Frame
from provenance.knowledge import generators
from provenance.knowledge.numbers import detector_params
from provenance.model.records import Sighting

HANDLE_RE = re.compile(r"@[A-Za-z0-9_.]{2,30}")


@dataclass
class Reading:
    """The lines OCR read for one overlay candidate, and the sample the crop came from."""

    candidate: Candidate
    lines: list[tuple[str, float]]  # (text, score) top to bottom
    frame: int  # sample position the crop came from


@dataclass
class Stamp:
    """A read line that names a mark: its crop (OCR scale) and the candidate's lines."""

    template: np.ndarray
    lines: list[tuple[str, float]]


@dataclass
class Attribution:
    """A data-file mark named by the readings of one generator and handle, with the best scores."""

    generator: str
    mark: generators.VisibleMark
    text: str
    quality: float  # 1 exact, lower for fuzzy
    ocr_score: float
    handle: str | None = None
    readings: list[Reading] = field(default_factory=list)


@detector
class VisibleDetector:
    """Finds generator stamps in sampled frames (see module doc)."""

    name = "visible"
    # The work copies halve and filter the picture: a smaller one leaves nothing to test.
    min_side = 8

    def start(self, context: FileContext) -> None:
        self.context = context
        self.params = detector_params("visible")
        self.max_samples = self.params["max_samples"]  # the pipeline strides beyond it
        self.tracker = OverlayTracker()
        self._marks = [(g.id, m) for g in generators.load().values() for m in g.visible]
        self._handle_seen = False
        self._stamps: list[Stamp] = []
        self._blends = CornerBlends.for_file(
            self._marks, context.shape, context.media.kind, detector_params("visible.blend")
        )
        self._symmetric = SymmetricMarks.for_file(
            self._marks, context.shape, context.media.kind, detector_params("visible.symmetry")
        )

    def feed(self, frame: Frame) -> None:
        self.tracker.add(frame)
        if self._blends.marks:
            self._blends.add(frame.index, frame.time_s, frame.gray)
        if self._symmetric.marks:
            self._symmetric.add(frame.index, frame.time_s, frame.gray)

    # -- finish ----------------------------------------------------------------------
    def finish(self) -> list[Any]:
        tr, p = self.tracker, self.params
        if not tr.samples or tr.full_shape is None:
            return []
        marks = self._marks
        cands = tr.candidates(_priors(marks, tr.full_shape))
        # Every test that reads the work copies runs before OCR loads its model, so they
        # are let go first (reading needs only the kept JPEG bands); same order of results.
        blended = self._blends.matches()
        emblems = self._symmetric.matches()
        icons = self._icons(blended)
        tr.release_work_copies()
        readings: list[Reading] = []
        for cand in cands:
            if len(readings) >= p["max_reads"]:
                break
            if any(inside(cand.box, r.candidate.box) for r in readings):
                continue
            if not cand.overlay_evidence and not _text_like(cand):
                continue  # a lone blob where a mark could be: not worth loading OCR
            if not cand.overlay_evidence and len(cand.present) < 2 and len(tr.samples) >= 4:
                continue  # scene text glimpsed once: a mark stays on screen for seconds
            reading = self._read(cand)
            if not reading:
                continue
            twin = next(
                (
                    r
                    for r in readings
                    if r.lines == reading.lines and overlap(r.candidate.box, cand.box) >= 0.5
                ),
                None,
            )
            if twin is not None:  # another piece of a stamp already read at this place
                twin.candidate.box = union(twin.candidate.box, cand.box)
                twin.candidate.present = sorted(set(twin.candidate.present) | set(cand.present))
                continue
            readings.append(reading)
        attributions = _attribute(readings, marks, p["fuzzy_min"])
        found: list[Any] = [self._mark_read(att) for att in attributions]
        used = {id(r.candidate) for a in attributions for r in a.readings}
        found += [self._overlay_text(r) for r in readings if id(r.candidate) not in used]
        return found + blended + emblems + icons

    def _icons(self, blended: list[Any]) -> list[Any]:
        """Word-less marks found by their drawn icon on the work copies."""
        icon_params = detector_params("visible.sparkle")
        found = []
        for gen_id, mark in self._marks:
            if any(b.generator == gen_id for b in blended):
                continue  # its blend fits at the exact geometry: no looser search needed
            if is_icon(mark.shape) and not mark.texts:
                match = find_icon(self.tracker, gen_id, mark, icon_params)
                if match:
                    found.append(match)
        return found

    def _read(self, cand: Candidate) -> Reading | None:
        """OCR the candidate's lines on a minimum composite of a few present samples, unless
        a mark already read is found there (see [visible] stamp_match_min).

        The composite is of the middle of the candidate's longest run. Where the data file
        expects a mark and that read names none, the start of the run is read too: the
        scene under a static mark changes, and a bright moment can hide a glyph (a real
        Jimeng mark lost its "即" in the middle of the clip, not at the start)."""
        n = self.params["composite_frames"]
        run = max(cand.segments, key=lambda r: r[1] - r[0])
        ks = list(range(run[0], run[1] + 1))
        mid = len(ks) // 2
        moments = [ks[max(0, mid - n // 2) :][:n]]
        if cand.prior and ks[:n] != moments[0]:
            moments.append(ks[:n])
        first: Reading | None = None
        for i, moment in enumerate(moments):
            reading, named = self._read_at(cand, moment)
            if named:
                return reading
            first = reading if i == 0 else first
        return first

    def _read_at(self, cand: Candidate, ks: list[int]) -> tuple[Reading | None, bool]:
        """``_read`` on the composite of samples ``ks``; and whether it names a mark."""
        tr, p = self.tracker, self.params
        x, y, w, h = scaled(cand.box, tr.ocr_scale)
        # Text within a quarter of its height of the frame's top or bottom edge may be cut
        # by it (a cropped mark): the box reaches the edge and the crop is opened there.
        ocr_h = _resize_len(tr.full_shape[0] if tr.full_shape else 0, tr.ocr_scale)
        near = max(2, h // 4)
        cut = (y <= near, ocr_h - (y + h) <= near)
        if cut[0]:
            y, h = 0, h + y
        if cut[1]:
            h = ocr_h - y
        # One composite of the box grown by the largest known stamp, to look for it there.
        mh = max((st.template.shape[0] for st in self._stamps), default=0)
        mw = max((st.template.shape[1] for st in self._stamps), default=0)
        gy0, gx0 = max(0, y - mh), max(0, x - mw)
        rows = [g for g in (tr.ocr_gray(k, gy0, y + h + mh) for k in ks) if g is not None]
        if not rows or min(r.shape[0] for r in rows) == 0 or len({r.shape for r in rows}) > 1:
            return None, False
        band = np.minimum.reduce(rows)  # full-width rows around the candidate
        wide = band[:, gx0 : x + w + mw]
        composite = open_cut(band[y - gy0 : y - gy0 + h, x : x + w], *cut)
        if composite.size == 0:
            return None, False
        frame_k = ks[len(ks) // 2]
        for stamp in self._stamps:
            box = _find_stamp(wide, stamp.template, p["stamp_match_min"])
            if box is None:
                continue
            bx, by, bw, bh = box
            found = (bx + gx0, by + gy0, bw, bh)
            if overlap_area(found, (x, y, w, h)) <= 0:
                continue  # the stamp is near, not where the candidate's strokes are
            cand.box = union(cand.box, as_box(round(v / tr.ocr_scale) for v in found))
            return Reading(cand, list(stamp.lines), frame_k), True
        from provenance.detectors.visible import ocr

        # Text reaching the box's edge goes on beyond it: evidence pixels only cover the
        # strokes whose background changed, so widen by a line height while it does.
        x0, x1 = x, x + w
        boxes, left, right = split_lines_reach(composite, any(cut))
        for _ in range(p["max_widen"]):
            if not boxes or not ((left and x0 > 0) or (right and x1 < band.shape[1])):
                break
            step = max(b[3] for b in boxes)
            x0 = max(0, x0 - step) if left else x0
            x1 = min(band.shape[1], x1 + step) if right else x1
            composite = open_cut(band[y - gy0 : y - gy0 + h, x0:x1], *cut)
            boxes, left, right = split_lines_reach(composite, any(cut))
        crops = [composite[b : b + d, a : a + e] for a, b, e, d in boxes[: p["max_lines"]]]
        if not crops:
            return None, False
        if (x0, x1) != (x, x + w):  # the box covers the text read
            grown = (x0, y, x1 - x0, h)
            cand.box = union(cand.box, as_box(round(v / tr.ocr_scale) for v in grown))
        # First line alone (~13 ms a line): the rest only when it names a mark with a
        # handle still unknown, or when the candidate may be reported as an unknown overlay.
        got = ocr.read_lines(crops[:1])
        first = got[0].text if got else ""
        named = [m for _, m in self._marks if match_text(first, m, p["fuzzy_min"]) > 0]
        if len(crops) > 1 and (
            (any(m.handle for m in named) and not self._handle_seen)
            or (not named and cand.overlay_evidence)
        ):
            got += ocr.read_lines(crops[1:])
        lines = [(ln.text, ln.score) for ln in got if ln.text and ln.score >= p["min_line_score"]]
        if any(HANDLE_RE.search(t) for t, _ in lines):
            self._handle_seen = True
        if not lines:
            return None, False
        if named and got[0].score >= p["min_line_score"] and min(crops[0].shape) >= 8:
            self._stamps.append(Stamp(crops[0].copy(), lines))
        return Reading(cand, lines, frame_k), bool(named)

    def _presence(self, cand: Candidate) -> list[tuple[int, float]]:
        return [
            (self.tracker.samples[k].index, self.tracker.samples[k].time_s) for k in cand.present
        ]

    def _mark_read(self, att: Attribution) -> MarkRead:
        track = sorted(
            (
                Sighting(frame, time_s, r.candidate.box, round(att.quality, 3))
                for r in att.readings
                for frame, time_s in self._presence(r.candidate)
            ),
            key=lambda s: s.frame,
        )
        return MarkRead(
            generator=att.generator,
            text=att.text,
            quality=att.quality,
            ocr_score=att.ocr_score,
            handle=att.handle,
            moving=att.mark.layout == "moving",
            places=_distinct_places(att.readings),
            overlay=any(r.candidate.overlay_evidence for r in att.readings),
            track=track,
            boxes=sorted({as_box(r.candidate.box) for r in att.readings}),
            sampled=len(self.tracker.samples),
        )

    def _overlay_text(self, r: Reading) -> OverlayText:
        cand = r.candidate
        return OverlayText(
            lines=list(r.lines),
            overlay=cand.overlay_evidence,
            prior_only=cand.prior_only,
            crisp=cand.crisp,
            contiguity=cand.contiguity,
            presence=self._presence(cand),
            box=cand.box,
            sampled=len(self.tracker.samples),
        )


def _resize_len(n: int, scale: float) -> int:
    """A side's length after overlay._resize at ``scale``."""
    return n if scale >= 1.0 else max(1, round(n * scale))


def _text_like(cand: Candidate) -> bool:
    """At least two glyph-sized pieces side by side in a box wider than tall."""
    if cand.mask is None:
        return True
    _, _, w, h = cand.work_box
    n, _, stats, _ = cv2.connectedComponentsWithStats(cand.mask.astype(np.uint8))
    glyphs = [i for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] >= 3]
    return len(glyphs) >= 2 and w >= 1.2 * h


def _find_stamp(
    region: np.ndarray, template: np.ndarray, min_score: float
) -> tuple[int, int, int, int] | None:
    """Where ``template`` (a read line of a mark) sits in ``region``, if it does."""
    th, tw = template.shape
    if region.shape[0] < th or region.shape[1] < tw:
        return None
    res = cv2.matchTemplate(region, template, cv2.TM_CCOEFF_NORMED)
    _, score, _, (mx, my) = cv2.minMaxLoc(res)
    if not np.isfinite(score) or score < min_score:
        return None
    return (int(mx), int(my), tw, th)


def _priors(
    marks: list[tuple[str, generators.VisibleMark]], shape: tuple[int, int]
) -> list[tuple[float, float, float, float]]:
    """Regions (fractions) around every place where the data file puts a text mark."""
    h, w = shape
    short = min(h, w)
    out = set()
    for _, mark in marks:
        if not mark.texts:
            continue
        hi = (mark.height_frac or (0.02, 0.08))[1]
        dy = 0.8 * hi * short / h + 0.01
        for cx, cy in mark.places:
            out.add((max(0.0, cx - 0.2), max(0.0, cy - dy), min(1.0, cx + 0.2), min(1.0, cy + dy)))
    return sorted(out)


def _attribute(
    readings: list[Reading], marks: list[tuple[str, generators.VisibleMark]], fuzzy_min: float
) -> list[Attribution]:
    """Best mark per reading; readings of the same generator and handle are one mark."""
    by_key: dict[tuple[str, str | None], Attribution] = {}
    for r in readings:
        best: tuple[float, str, generators.VisibleMark, str, float] | None = None
        texts = [t for t, _ in r.lines]
        joined = " ".join(t for t in texts if not t.startswith("@"))
        candidates = [(t, s) for t, s in r.lines] + [(joined, min(s for _, s in r.lines))]
        for gen_id, mark in marks:
            for text, score in candidates:
                q = match_text(text, mark, fuzzy_min)
                if q > 0 and (best is None or q * score > best[0] * best[4]):
                    best = (q, gen_id, mark, text, score)
        if best is None:
            continue
        q, gen_id, mark, text, score = best
        handle = None
        if mark.handle:
            for t in texts:
                m = HANDLE_RE.search(t.replace(" ", ""))
                if m:
                    handle = m.group(0)
                    break
        key = (gen_id, handle)
        att = by_key.get(key)
        if att is None:
            att = by_key[key] = Attribution(
                gen_id, mark, mark.texts[0] if mark.texts else text, q, score, handle
            )
        att.quality = max(att.quality, q)
        att.ocr_score = max(att.ocr_score, score)
        att.readings.append(r)
    # A handle-less reading of a generator that also has a handled one joins it.
    for (gen_id, handle), att in list(by_key.items()):
        if handle is None:
            others = [a for (g, hd), a in by_key.items() if g == gen_id and hd]
            if others:
                others[0].readings.extend(att.readings)
                del by_key[(gen_id, handle)]
    return list(by_key.values())


def _distinct_places(readings: list[Reading]) -> int:
    """Stamp places: candidate boxes whose centres are more than a box apart."""
    centres: list[tuple[float, float, float]] = []
    for r in readings:
        x, y, w, h = r.candidate.box
        c = (x + w / 2, y + h / 2, max(w, h))
        if all(abs(c[0] - o[0]) > o[2] or abs(c[1] - o[1]) > o[2] for o in centres):
            centres.append(c)
    return len(centres)
