"""Visible generator marks: locate overlays, read them, attribute them from the data file.

Pipeline per file: ``feed`` keeps downscaled statistics (overlay.OverlayTracker);
``finish`` localises candidates, reads the best few with OCR (recognition only,
on line crops of a temporal-minimum composite: a white stamp stays bright while
the scene under it changes, so the minimum cleans the background), matches the
text against ``generators.toml`` and checks word-less marks by shape. Captions
and other text that matches no mark are reported as unknown overlays only when
they behave like overlays; a mark is never decisive evidence.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import cv2
import numpy as np

from provenance.detectors.base import DetectorResult, FileContext
from provenance.detectors.shapes import SPARKLE_MIN_SCORE, find_sparkle, local_contrast
from provenance.detectors.visible.overlay import Candidate, OverlayTracker, split_lines_reach
from provenance.frames import Frame
from provenance.knowledge import generators
from provenance.model.records import CLAIM_GENERATED, CLAIM_INFO, Evidence, Sighting, Watermark

MAX_READS = 6  # candidates read by OCR per file (~25 ms a line, at most 3 lines each)
MAX_LINES = 3
MIN_LINE_SCORE = 0.6  # OCR confidence below this is not text
UNKNOWN_MIN_SCORE = 0.85  # an unknown overlay's text must be read this confidently ...
UNKNOWN_MIN_CHARS = 3  # ... and have this many letters or digits
# ... and switch on/off cleaner than candidates need to: board lettering in the real Sora
# repost's static shot scores crisp 0.82, the stamps 0.91-1.0, samples' captions 0.95+.
UNKNOWN_MIN_CRISP = 0.9
FUZZY_MIN = 0.84  # SequenceMatcher ratio accepted for marks of 4+ characters
COMPOSITE_FRAMES = 3  # present samples folded into the minimum composite
# A mark's first line, once read, is looked for around later candidates before OCR is
# called (a moving stamp is read once, not at every place). Normalised correlation of the
# same stamp's line crops at different places and moments: 0.93-0.99 on the real Sora
# repost and the samples; different text of a similar size: at most 0.46.
STAMP_MATCH_MIN = 0.85
MAX_WIDEN = 3  # times a read region grows by a line height where its text reaches the edge
HANDLE_RE = re.compile(r"@[A-Za-z0-9_.]{2,30}")


@dataclass
class Reading:
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
    generator: str
    mark: generators.VisibleMark
    text: str
    quality: float  # 1 exact, lower for fuzzy
    ocr_score: float
    handle: str | None = None
    readings: list[Reading] = field(default_factory=list)


def normalise(text: str) -> str:
    """Case-folded letters, digits and CJK only (OCR drops and invents spaces)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[^\w]+", unicodedata.normalize("NFKC", text).casefold()) if t]


def match_text(line: str, mark: generators.VisibleMark) -> float:
    """How well one OCR line matches a mark's text: 1 exact, 0.9 as whole words, fuzzy
    ratio otherwise; 0 when it does not match. Lines starting with '@' are handles."""
    if not line or line.lstrip().startswith("@"):
        return 0.0
    nl = normalise(line)
    best = 0.0
    for i, variant in enumerate(mark.texts + mark.misspellings):
        nt = normalise(variant)
        if not nt:
            continue
        penalty = 0.0 if i < len(mark.texts) else 0.05
        if nl == nt:
            best = max(best, 1.0 - penalty)
            continue
        if len(nt) <= 2:
            continue  # "AI" only as a whole line
        toks, vt = _tokens(line), _tokens(variant)
        if any(toks[j : j + len(vt)] == vt for j in range(len(toks) - len(vt) + 1)):
            best = max(best, 0.9 - penalty)
        elif not nt.isascii() and nt in nl:
            best = max(best, 0.9 - penalty)  # CJK has no spaces between words
        elif len(nt) >= 4 and _may_be_close(nl, nt):
            ratio = difflib.SequenceMatcher(None, nl, nt).ratio()
            if ratio >= FUZZY_MIN:
                best = max(best, ratio - 0.1 - penalty)
    return best


def _may_be_close(a: str, b: str) -> bool:
    """Upper bounds of SequenceMatcher.ratio (lengths, then shared characters) reach
    FUZZY_MIN: cheap, and most OCR lines stop here."""
    total = len(a) + len(b)
    if 2 * min(len(a), len(b)) < FUZZY_MIN * total:
        return False
    shared = sum((Counter(a) & Counter(b)).values())
    return 2 * shared >= FUZZY_MIN * total


class VisibleDetector:
    """Finds generator stamps in sampled frames (see module doc)."""

    name = "visible"

    def __init__(self) -> None:
        self.context: FileContext | None = None
        self.tracker = OverlayTracker()
        self._marks: list[tuple[str, generators.VisibleMark]] = []
        self._handle_seen = False
        self._stamps: list[Stamp] = []

    def start(self, context: FileContext) -> None:
        self.context = context
        self.tracker = OverlayTracker()

    def feed(self, frame: Frame) -> None:
        self.tracker.add(frame)

    # -- finish ----------------------------------------------------------------------
    def finish(self) -> DetectorResult:
        result = DetectorResult()
        tr = self.tracker
        if not tr.samples or tr.full_shape is None:
            return result
        marks = self._marks = [(g.id, m) for g in generators.load().values() for m in g.visible]
        self._handle_seen = False
        self._stamps = []
        cands = tr.candidates(_priors(marks, tr.full_shape))
        readings = []
        for cand in cands:
            if len(readings) >= MAX_READS:
                break
            if any(_inside(cand.box, r.candidate.box) for r in readings):
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
                    if r.lines == reading.lines and _overlap(r.candidate.box, cand.box) >= 0.5
                ),
                None,
            )
            if twin is not None:  # another piece of a stamp already read at this place
                twin.candidate.box = _union(twin.candidate.box, cand.box)
                twin.candidate.present = sorted(set(twin.candidate.present) | set(cand.present))
                continue
            readings.append(reading)
        attributions = _attribute(readings, marks)
        for att in attributions:
            wm, ev = self._report_mark(att)
            result.watermarks.append(wm)
            result.evidence.append(ev)
        used = {id(r.candidate) for a in attributions for r in a.readings}
        for r in readings:
            if id(r.candidate) not in used:
                unknown = self._report_unknown(r)
                if unknown:
                    result.watermarks.append(unknown[0])
                    result.evidence.append(unknown[1])
        # Several generators share the sparkle: report the best fit (file order on ties).
        shapes = [
            f
            for f in (self._sparkle(g, m) for g, m in marks if m.shape == "sparkle")
            if f and not any(w.generator == f[0].generator for w in result.watermarks)
        ]
        if shapes:
            best = max(shapes, key=lambda f: f[0].confidence)
            best[0].stats["also_fits"] = [f[0].generator for f in shapes if f is not best]
            result.watermarks.append(best[0])
            result.evidence.append(best[1])
        if self.context is not None and self.context.options.evidence_dir:
            result.images = self._images(result.watermarks)
        return result

    def _read(self, cand: Candidate) -> Reading | None:
        """OCR the candidate's lines on a minimum composite of a few present samples, unless
        a mark already read is found there (see ``STAMP_MATCH_MIN``)."""
        tr = self.tracker
        runs = cand.segments
        run = max(runs, key=lambda r: r[1] - r[0])
        ks = list(range(run[0], run[1] + 1))
        mid = len(ks) // 2
        ks = ks[max(0, mid - COMPOSITE_FRAMES // 2) :][:COMPOSITE_FRAMES]
        x, y, w, h = _scaled(cand.box, tr.ocr_scale)
        # One composite of the box grown by the largest known stamp, to look for it there.
        mh = max((st.template.shape[0] for st in self._stamps), default=0)
        mw = max((st.template.shape[1] for st in self._stamps), default=0)
        gy0, gx0 = max(0, y - mh), max(0, x - mw)
        rows = [g for g in (tr.ocr_gray(k, gy0, y + h + mh) for k in ks) if g is not None]
        if not rows or min(r.shape[0] for r in rows) == 0 or len({r.shape for r in rows}) > 1:
            return None
        band = np.minimum.reduce(rows)  # full-width rows around the candidate
        wide = band[:, gx0 : x + w + mw]
        composite = band[y - gy0 : y - gy0 + h, x : x + w]
        if composite.size == 0:
            return None
        frame_k = ks[len(ks) // 2]
        for stamp in self._stamps:
            box = _find_stamp(wide, stamp.template)
            if box is None:
                continue
            bx, by, bw, bh = box
            found = (bx + gx0, by + gy0, bw, bh)
            if _overlap_area(found, (x, y, w, h)) <= 0:
                continue  # the stamp is near, not where the candidate's strokes are
            cand.box = _union(cand.box, tuple(int(round(v / tr.ocr_scale)) for v in found))
            return Reading(cand, list(stamp.lines), frame_k)
        from provenance.detectors.visible import ocr

        # Text reaching the box's edge goes on beyond it: evidence pixels only cover the
        # strokes whose background changed, so widen by a line height while it does.
        x0, x1 = x, x + w
        boxes, left, right = split_lines_reach(composite)
        for _ in range(MAX_WIDEN):
            if not boxes or not ((left and x0 > 0) or (right and x1 < band.shape[1])):
                break
            step = max(b[3] for b in boxes)
            x0 = max(0, x0 - step) if left else x0
            x1 = min(band.shape[1], x1 + step) if right else x1
            composite = band[y - gy0 : y - gy0 + h, x0:x1]
            boxes, left, right = split_lines_reach(composite)
        crops = [composite[b : b + d, a : a + e] for a, b, e, d in boxes[:MAX_LINES]]
        if not crops:
            return None
        if (x0, x1) != (x, x + w):  # the box covers the text read
            grown = (x0, y, x1 - x0, h)
            cand.box = _union(cand.box, tuple(int(round(v / tr.ocr_scale)) for v in grown))
        # First line alone (~13 ms a line): the rest only when it names a mark with a
        # handle still unknown, or when the candidate may be reported as an unknown overlay.
        got = ocr.read_lines(crops[:1])
        first = got[0].text if got else ""
        named = [m for _, m in self._marks if match_text(first, m) > 0]
        if len(crops) > 1 and (
            (any(m.handle for m in named) and not self._handle_seen)
            or (not named and cand.overlay_evidence)
        ):
            got += ocr.read_lines(crops[1:])
        lines = [(ln.text, ln.score) for ln in got if ln.text and ln.score >= MIN_LINE_SCORE]
        if any(HANDLE_RE.search(t) for t, _ in lines):
            self._handle_seen = True
        if not lines:
            return None
        if named and got[0].score >= MIN_LINE_SCORE and min(crops[0].shape) >= 8:
            self._stamps.append(Stamp(crops[0].copy(), lines))
        return Reading(cand, lines, frame_k)

    def _sightings(self, cand: Candidate, score: float) -> list[Sighting]:
        return [
            Sighting(
                self.tracker.samples[k].index,
                self.tracker.samples[k].time_s,
                cand.box,
                round(score, 3),
            )
            for k in cand.present
        ]

    def _report_mark(self, att: Attribution) -> tuple[Watermark, Evidence]:
        track = sorted(
            (s for r in att.readings for s in self._sightings(r.candidate, att.quality)),
            key=lambda s: s.frame,
        )
        places = _distinct_places(att.readings)
        overlay = any(r.candidate.overlay_evidence for r in att.readings)
        conf = 0.5 + 0.3 * att.quality * att.ocr_score
        conf += 0.08 if overlay else 0.0
        conf += 0.05 if att.handle else 0.0
        conf += 0.04 if places >= 2 and att.mark.layout == "moving" else 0.0
        conf = round(min(0.95, conf), 3)
        frames = sorted({s.frame for s in track})
        n = len(self.tracker.samples)
        name = generators.display_name(att.generator)
        handle = f" with handle {att.handle}" if att.handle else ""
        where = f"at {places} places" if places > 1 else "at one place"
        detail = (
            f'The "{att.text}" stamp{handle} of {name} is visible in {len(frames)} of '
            f"{n} sampled frames {where}"
        )
        stats = {
            "sampled_frames": n,
            "frames_seen": len(frames),
            "places": places,
            "ocr_score": round(att.ocr_score, 3),
            "match": round(att.quality, 3),
            "overlay_behaviour": overlay,
        }
        wm = Watermark(
            kind="visible",
            generator=att.generator,
            confidence=conf,
            method="ocr",
            text=att.text,
            handle=att.handle,
            track=track,
            stats=stats,
        )
        ev = Evidence(
            source="visible-watermark",
            kind="visible.mark",
            detail=detail,
            confidence=conf,
            claim=CLAIM_GENERATED,
            generator=att.generator,
            where={
                "frames": frames,
                "boxes": sorted({tuple(r.candidate.box) for r in att.readings}),
            },
        )
        return wm, ev

    def _report_unknown(self, r: Reading) -> tuple[Watermark, Evidence] | None:
        cand = r.candidate
        if (
            not cand.overlay_evidence
            or cand.prior_only
            or cand.crisp < UNKNOWN_MIN_CRISP
            or cand.contiguity < 0.95
        ):
            return None
        good = [
            (t, s)
            for t, s in r.lines
            if s >= UNKNOWN_MIN_SCORE and sum(ch.isalnum() for ch in t) >= UNKNOWN_MIN_CHARS
        ]
        if not good:
            return None
        text = " / ".join(t for t, _ in good)
        score = min(s for _, s in good)
        conf = round(0.4 + 0.3 * score * cand.crisp, 3)
        track = self._sightings(cand, score)
        frames = [s.frame for s in track]
        detail = (
            f'An overlay reading "{text}" stays on screen in {len(frames)} of '
            f"{len(self.tracker.samples)} sampled frames; it matches no known generator mark"
        )
        wm = Watermark(
            kind="visible",
            generator=None,
            confidence=conf,
            method="ocr",
            text=text,
            track=track,
            stats={"ocr_score": round(score, 3), "crisp": round(cand.crisp, 3)},
        )
        ev = Evidence(
            source="visible-watermark",
            kind="visible.unknown-overlay",
            detail=detail,
            confidence=conf,
            claim=CLAIM_INFO,
            generator=None,
            where={"frames": frames, "boxes": [list(cand.box)]},
        )
        return wm, ev

    def _sparkle(
        self, gen_id: str, mark: generators.VisibleMark
    ) -> tuple[Watermark, Evidence] | None:
        """Template search in the bottom-right region where the data file puts the mark."""
        tr = self.tracker
        hh, ww = tr.samples[0].gray.shape
        short = min(hh, ww)
        lo, hi = mark.height_frac or (0.03, 0.09)
        sizes = sorted({max(5, int(short * f)) for f in np.linspace(lo, hi, 5)})
        xs = [p[0] for p in mark.places] or [0.9]
        ys = [p[1] for p in mark.places] or [0.9]
        x0 = max(0, int(min(xs) * ww - hi * short * 1.5))
        y0 = max(0, int(min(ys) * hh - hi * short * 1.5))
        x1 = min(ww, int(max(xs) * ww + hi * short * 1.5))
        y1 = min(hh, int(max(ys) * hh + hi * short * 1.5))
        if x1 - x0 < sizes[0] or y1 - y0 < sizes[0]:
            return None
        hits = []
        step = max(1, len(tr.samples) // 8)  # at most ~8 frames: the mark is static
        ks = range(0, len(tr.samples), step)
        misses = 0
        for k in ks:
            region = tr.samples[k].gray[y0:y1, x0:x1]
            hit = find_sparkle(local_contrast(region), sizes)
            if hit:
                hits.append((k, hit))
                misses += hit.score < SPARKLE_MIN_SCORE
            if misses > len(ks) / 2:
                return None  # half the frames can no longer score: the test below fails
        good = [(k, h) for k, h in hits if h.score >= SPARKLE_MIN_SCORE]
        if not good or len(good) < max(1, 0.5 * len(hits)):
            return None
        boxes = [h.box for _, h in good]
        bx, by = np.median([b[0] for b in boxes]), np.median([b[1] for b in boxes])
        agree = [(k, h) for k, h in good if abs(h.box[0] - bx) <= 3 and abs(h.box[1] - by) <= 3]
        if len(agree) < max(1, 0.5 * len(hits)):
            return None
        score = float(np.median([h.score for _, h in agree]))
        conf = round(min(0.85, 0.45 + 0.4 * score), 3)
        track = []
        for k, h in agree:
            bx0, by0, bw, bh = h.box
            box = tr.to_full((bx0 + x0, by0 + y0, bw, bh), tr.work_scale)
            sample = tr.samples[k]
            track.append(Sighting(sample.index, sample.time_s, box, round(h.score, 3)))
        frames = [s.frame for s in track]
        name = generators.display_name(gen_id)
        detail = (
            f"A four-point sparkle like {name}'s mark sits near the bottom-right corner in "
            f"{len(frames)} of {len(hits)} checked frames (template score {score:.2f})"
        )
        wm = Watermark(
            kind="visible",
            generator=gen_id,
            confidence=conf,
            method="template",
            text=None,
            track=track,
            stats={"shape": "sparkle", "template_score": round(score, 3)},
        )
        ev = Evidence(
            source="visible-watermark",
            kind="visible.mark",
            detail=detail,
            confidence=conf,
            claim=CLAIM_GENERATED,
            generator=gen_id,
            where={"frames": frames, "boxes": [list(track[0].box)]},
        )
        return wm, ev

    def _images(self, marks: list[Watermark]) -> dict[str, np.ndarray]:
        """Annotated frames (one per place) and a crop per stamp, for --evidence DIR."""
        if not marks or self.context is None:
            return {}
        wanted: dict[int, list[tuple[Watermark, Sighting]]] = {}
        for wm in marks:
            seen_boxes = set()
            for s in wm.track:
                if s.box is not None and s.box not in seen_boxes:
                    seen_boxes.add(s.box)
                    wanted.setdefault(s.frame, []).append((wm, s))
        images: dict[str, np.ndarray] = {}
        for frame in self.context.frames.read_many(sorted(wanted)[:12]):
            img = frame.image.copy()
            for n, (wm, s) in enumerate(wanted.get(frame.index, [])):
                x, y, w, h = s.box
                label = f"{wm.generator or 'unknown'}: {wm.text or wm.stats.get('shape', '')}"
                if wm.handle:
                    label += f" {wm.handle}"
                crop = frame.image[max(0, y) : y + h, max(0, x) : x + w]
                if crop.size:
                    images[f"crop_f{frame.index:06d}_{n}_{wm.generator or 'unknown'}"] = crop.copy()
                color = (0, 0, 255) if wm.generator else (0, 200, 255)
                cv2.rectangle(img, (x, y), (x + w, y + h), color, 2)
                cv2.putText(
                    img,
                    label,
                    (x, max(14, y - 6)),
                    cv2.FONT_HERSHEY_SIMPLEX,
                    0.5,
                    color,
                    1,
                    cv2.LINE_AA,
                )
            images[f"frame_f{frame.index:06d}"] = img
        return images


def _text_like(cand: Candidate) -> bool:
    """At least two glyph-sized pieces side by side in a box wider than tall."""
    if cand.mask is None:
        return True
    _, _, w, h = cand.work_box
    n, _, stats, _ = cv2.connectedComponentsWithStats(cand.mask.astype(np.uint8))
    glyphs = [i for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] >= 3]
    return len(glyphs) >= 2 and w >= 1.2 * h


def _find_stamp(region: np.ndarray, template: np.ndarray) -> tuple[int, int, int, int] | None:
    """Where ``template`` (a read line of a mark) sits in ``region``, if it does."""
    th, tw = template.shape
    if region.shape[0] < th or region.shape[1] < tw:
        return None
    res = cv2.matchTemplate(region, template, cv2.TM_CCOEFF_NORMED)
    _, score, _, (mx, my) = cv2.minMaxLoc(res)
    if not np.isfinite(score) or score < STAMP_MATCH_MIN:
        return None
    return (int(mx), int(my), tw, th)


def _overlap_area(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> int:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return max(0, min(ax + aw, bx + bw) - max(ax, bx)) * max(0, min(ay + ah, by + bh) - max(ay, by))


def _union(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0)


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over the smaller box."""
    return _overlap_area(a, b) / max(1, min(a[2] * a[3], b[2] * b[3]))


def _inside(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Box a lies mostly (80 %) inside box b."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    iw = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0, min(ay + ah, by + bh) - max(ay, by))
    return iw * ih >= 0.8 * max(1, aw * ah)


def _scaled(box: tuple[int, int, int, int], scale: float) -> tuple[int, int, int, int]:
    x, y, w, h = box
    return (int(x * scale), int(y * scale), max(1, int(w * scale)), max(1, int(h * scale)))


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
    readings: list[Reading], marks: list[tuple[str, generators.VisibleMark]]
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
                q = match_text(text, mark)
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
