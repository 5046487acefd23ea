"""Where could a visible stamp be? Overlay candidates from what a stamp does over time.

A semi-transparent generator stamp is bright strokes that stay put while the
scene moves under them, and that switch on and off as a block while the scene
around them stays the same (Sora moves its stamp every few seconds). Both are
measured between consecutive samples on downscaled grey frames:

* *held*: a stroke pixel keeps its value while the background around it changes;
* *switched*: a stroke pixel appears or vanishes while the background around it
  stays still.

Static scene text in a static shot does neither, so it only becomes a candidate
inside a region where the generator data file says a mark sits (a *prior*);
those are read but never reported as overlays unless the text matches a mark.
Full-resolution pixels are kept as grey JPEG bands per sample (~0.1 MB at 720p,
1.6 ms to encode; a stamp's rows decode alone), so memory is bounded by the sample cap,
not the clip length. The per-sample stroke maps and the per-pair evidence maps are 0/1 and
kept as packed bits (``BitMap``, an eighth of a bool map; a 1080p clip's 48 samples keep
~22 MB instead of ~50 MB), unpacked exactly where a candidate's box is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from provenance.detectors.geometry import grow, iou_many, overlap
from provenance.frames import Frame
from provenance.knowledge.numbers import detector_params


@dataclass(frozen=True)
class Thresholds:
    """All localisation thresholds, in work-scale pixels and 8-bit grey levels (their values
    and what they were measured on: data/detectors.toml [visible.overlay])."""

    work_short_side: int
    tophat_kernel: int
    stroke_level: int
    held_change: int
    moving_background: float
    switch_change: int
    still_background: float
    ring: int
    density_window: int
    density_min: float
    min_pixels: int
    max_area_frac: float
    max_height_frac: float
    present_frac: float
    max_candidates: int
    crisp_min: float
    contiguity_min: float
    jpeg_quality: int
    jpeg_band: int
    ocr_short_side: int


T = Thresholds(**detector_params("visible.overlay"))
# What a sample's work copies become once released (OverlayTracker.release_work_copies).
_RELEASED = np.zeros((0, 0), np.uint8)


@dataclass(frozen=True)
class BitMap:
    """A 0/1 map kept as packed bits (8 pixels a byte, rows packed separately); any
    rectangle reads back as the bool map it was made from."""

    bits: np.ndarray  # np.packbits(mask, axis=1)
    shape: tuple[int, int]

    @classmethod
    def of(cls, mask: np.ndarray) -> BitMap:
        return cls(np.packbits(mask, axis=1), (int(mask.shape[0]), int(mask.shape[1])))

    def full(self) -> np.ndarray:
        """The whole map (bool, a new array)."""
        return np.unpackbits(self.bits, axis=1, count=self.shape[1]).view(bool)

    def __getitem__(self, sl: tuple[slice, slice]) -> np.ndarray:
        """``mask[sl]`` for two slices of step 1, as numpy clips them."""
        return _unpack_rect(self.bits, self.shape, sl)


@dataclass(frozen=True)
class BitStack:
    """Equal-sized ``BitMap``s stacked (one per sample or sample pair), so a rectangle of
    all of them unpacks in one call: a candidate reads its box in every sample."""

    bits: np.ndarray  # (maps, rows, packed columns)
    shape: tuple[int, int]  # of each map

    @classmethod
    def of(cls, maps: Sequence[BitMap], shape: tuple[int, int]) -> BitStack:
        if not maps:
            return cls(np.zeros((0, shape[0], -(-shape[1] // 8)), np.uint8), shape)
        return cls(np.stack([m.bits for m in maps]), shape)

    def __len__(self) -> int:
        return int(self.bits.shape[0])

    def __getitem__(self, sl: tuple[slice, slice]) -> np.ndarray:
        """``np.stack([m[sl] for m in maps])``: (maps, rows, columns), bool."""
        return _unpack_rect(self.bits, self.shape, sl)


def _unpack_rect(bits: np.ndarray, shape: tuple[int, int], sl: tuple[slice, slice]) -> np.ndarray:
    """Rows and columns ``sl`` (step 1, clipped as numpy clips) of packed bits whose last two
    axes are rows and packed columns of a ``shape`` map, as bool."""
    y0, y1, _ = sl[0].indices(shape[0])
    x0, x1, _ = sl[1].indices(shape[1])
    y1, x1 = max(y0, y1), max(x0, x1)
    first = x0 // 8
    part = np.unpackbits(bits[..., y0:y1, first : -(-x1 // 8)], axis=-1)
    return part[..., x0 - 8 * first : x1 - 8 * first].view(bool)


@dataclass
class Sample:
    """What the tracker keeps of one sampled frame: work-scale grey and strokes, JPEG bands."""

    index: int
    time_s: float
    gray: np.ndarray  # work scale
    strokes: BitMap  # work scale
    jpeg: list[bytes]  # grey at OCR scale, one JPEG per band of JPEG_BAND rows


@dataclass
class Candidate:
    """A region where a stamp may be, and how its strokes behaved over the samples."""

    box: tuple[int, int, int, int]  # x, y, w, h in full-frame pixels
    work_box: tuple[int, int, int, int]
    present: list[int]  # positions in the sample list where the strokes are visible
    held: int = 0  # sample pairs where the strokes held while the scene moved
    switched: int = 0  # sample pairs where the strokes switched while the scene held
    prior: bool = False  # inside a region where the data file expects a mark
    prior_only: bool = False  # ... and found only there (persistent strokes, no overlay pair)
    pixels: int = 0
    crisp: float = 0.0  # stroke share when present minus when absent (1 = clean on/off)
    mask: np.ndarray | None = None  # overlay strokes inside work_box (work scale)
    peak: int = 0  # most evidence pixels in one sample pair (a stamp switches at once)
    contiguity: float = 0.0  # longest run of presence / samples present

    @property
    def overlay_evidence(self) -> bool:
        """Behaves like an overlay, not just persistent scene content: clean on/off in one
        block, and it switched while the scene held still or held while the scene moved.
        On the real Sora repost the three stamp places score crisp 0.79-1.0, contiguity 1;
        subject-motion noise in the same shot mostly scores crisp < 0.8 or contiguity < 0.7.
        """
        return (
            self.crisp >= T.crisp_min
            and self.contiguity >= T.contiguity_min
            and (self.switched >= 1 or self.held >= 3)
            and len(self.present) >= 2
        )

    @property
    def rank(self) -> float:
        """Order in which candidates are read (OCR budget goes to the best first)."""
        events = 2 * self.switched + self.held + (1 if self.prior else 0)
        return self.crisp * self.contiguity * min(events, 4) * np.log1p(self.peak) + (
            10.0 if self.overlay_evidence else 0.0
        )

    @property
    def segments(self) -> list[tuple[int, int]]:
        return _runs(self.present)


@dataclass
class OverlayTracker:
    """Collects downscaled statistics of each sampled frame; ``candidates`` localises."""

    samples: list[Sample] = field(default_factory=list)
    full_shape: tuple[int, int] | None = None  # (h, w)
    work_scale: float = 1.0
    ocr_scale: float = 1.0
    _kernel: np.ndarray = field(
        default_factory=lambda: cv2.getStructuringElement(
            cv2.MORPH_RECT, (T.tophat_kernel, T.tophat_kernel)
        )
    )
    # Per consecutive sample pair, computed as samples arrive (so the work overlaps the
    # decoder, see frames.py): evidence maps, their blobs, and the persistent strokes.
    _held: list[BitMap] = field(default_factory=list)
    _switched: list[BitMap] = field(default_factory=list)
    _held_blobs: list[list] = field(default_factory=list)
    _switch_blobs: list[list] = field(default_factory=list)
    _steady: np.ndarray | None = None
    _last_strokes: np.ndarray | None = None  # the last sample's strokes, unpacked
    released: bool = False  # the work copies were let go: only ocr_gray reads on

    def add(self, frame: Frame) -> None:
        gray = frame.gray
        h, w = gray.shape
        if self.full_shape is None:
            self.full_shape = (h, w)
            short = min(h, w)
            self.work_scale = min(1.0, T.work_short_side / short)
            self.ocr_scale = min(1.0, T.ocr_short_side / short)
        elif self.full_shape != (h, w):
            return  # a resolution change mid-stream: keep the first geometry
        work = _resize(gray, self.work_scale)
        strokes = cv2.morphologyEx(work, cv2.MORPH_TOPHAT, self._kernel) > T.stroke_level
        ocr = _resize(gray, self.ocr_scale)
        bands: list[bytes] = []
        for y in range(0, ocr.shape[0], T.jpeg_band):
            ok, buf = cv2.imencode(
                ".jpg", ocr[y : y + T.jpeg_band], [cv2.IMWRITE_JPEG_QUALITY, T.jpeg_quality]
            )
            if not ok:
                bands = []
                break
            bands.append(buf.tobytes())
        self.samples.append(Sample(frame.index, frame.time_s, work, BitMap.of(strokes), bands))
        before, self._last_strokes = self._last_strokes, strokes
        if before is not None:
            self._add_pair(self.samples[-2].gray, before, work, strokes)

    def _add_pair(
        self, a_gray: np.ndarray, a_strokes: np.ndarray, b_gray: np.ndarray, b_strokes: np.ndarray
    ) -> None:
        d = cv2.absdiff(a_gray, b_gray)
        strokes = a_strokes | b_strokes
        free = (~strokes).astype(np.float32)
        spread = cv2.boxFilter(d.astype(np.float32) * free, -1, (T.ring, T.ring))
        around = spread / np.maximum(cv2.boxFilter(free, -1, (T.ring, T.ring)), 1e-3)
        both = a_strokes & b_strokes
        held = (both & (d < T.held_change) & (around > T.moving_background)).astype(np.uint8)
        switched = (
            (a_strokes ^ b_strokes) & (d > T.switch_change) & (around < T.still_background)
        ).astype(np.uint8)
        shape = a_gray.shape
        self._held.append(BitMap.of(held))
        self._switched.append(BitMap.of(switched))
        self._held_blobs.append(_blobs(held, shape))
        self._switch_blobs.append(_blobs(switched, shape))
        steady = both & (d < T.held_change)
        self._steady = steady if self._steady is None else (self._steady | steady)

    def release_work_copies(self) -> None:
        """Let go of what only localisation and the icon search read (the work-scale grey,
        stroke and evidence maps: ~0.3 MB a sample at 1080p) before OCR loads its model;
        ``ocr_gray`` and the samples' frame numbers and times stay."""
        self._held, self._switched, self._held_blobs, self._switch_blobs = [], [], [], []
        self._steady = self._last_strokes = None
        self.released = True
        for s in self.samples:
            s.gray = _RELEASED
            s.strokes = BitMap.of(_RELEASED)

    # -- full-resolution access ------------------------------------------------------
    def ocr_gray(self, k: int, y0: int = 0, y1: int | None = None) -> np.ndarray | None:
        """Sample ``k`` at OCR scale, rows ``y0:y1`` (all by default); decodes only the
        JPEG bands those rows fall in."""
        bands = self.samples[k].jpeg
        if not bands:
            return None
        band = T.jpeg_band
        y0 = max(0, y0)
        last = len(bands) * band if y1 is None else max(y0, y1)
        first_band, end_band = y0 // band, min(len(bands), -(-last // band))
        if first_band >= end_band:
            return None
        decoded = [
            cv2.imdecode(np.frombuffer(bands[i], np.uint8), cv2.IMREAD_GRAYSCALE)
            for i in range(first_band, end_band)
        ]
        parts = [p for p in decoded if p is not None]
        if len(parts) != len(decoded):
            return None
        rows = parts[0] if len(parts) == 1 else np.concatenate(parts)
        off = y0 - first_band * band
        return rows[off : off + (last - y0)]

    def to_full(self, box: tuple[int, int, int, int], scale: float) -> tuple[int, int, int, int]:
        x, y, w, h = box
        return (int(x / scale), int(y / scale), int(round(w / scale)), int(round(h / scale)))

    # -- localisation ----------------------------------------------------------------
    def candidates(
        self, priors: Sequence[tuple[float, float, float, float]] = ()
    ) -> list[Candidate]:
        """Overlay candidates, most overlay-like first. ``priors`` are regions
        (x0, y0, x1, y1 as fractions) where the data file expects a mark.

        Evidence is grouped per sample pair first: a stamp switches or holds all its
        strokes at the same moment, while motion noise is sparse at any one moment.
        Blobs from different pairs at the same place are then merged."""
        if not self.samples:
            return []
        if self.released:
            raise RuntimeError("candidates() after release_work_copies()")
        shape = self.samples[0].gray.shape
        strokes = BitStack.of([s.strokes for s in self.samples], shape)
        held_maps, switch_maps = BitStack.of(self._held, shape), BitStack.of(self._switched, shape)
        groups = _Groups()
        for blobs_per_pair in (self._switch_blobs, self._held_blobs):
            for blobs in blobs_per_pair:
                for box, core in blobs:
                    groups.merge(box, core)
        made = (self._candidate(g, strokes, held_maps, switch_maps) for g in groups.groups)
        found = [c for c in made if c is not None]
        if priors:
            persistent = self._persistent()
            region = np.zeros(shape, bool)
            hh, ww = shape
            for x0, y0, x1, y1 in priors:
                region[
                    int(y0 * hh) : int(np.ceil(y1 * hh)), int(x0 * ww) : int(np.ceil(x1 * ww))
                ] = 1
            for box, core in _components(persistent & region, shape):
                near = [f for f in found if overlap(box, f.work_box) > 0.3]
                for f in near:
                    f.prior = True  # already a candidate, and where a mark is expected
                if near:
                    continue
                cand = self._candidate({"box": box, "mask": core}, strokes, held_maps, switch_maps)
                if cand:
                    cand.prior = cand.prior_only = True
                    found.append(cand)
        limit = T.max_height_frac * min(shape)
        found = _join_adjacent([c for c in found if c.present])
        found = [c for c in found if c.work_box[3] <= limit]
        found.sort(key=lambda c: -c.rank)
        behaving = [c for c in found if c.overlay_evidence][: T.max_candidates]
        priors_only = sorted(
            (c for c in found if c.prior and not c.overlay_evidence),
            key=lambda c: (-c.crisp * c.contiguity, -c.pixels),
        )
        return behaving + priors_only[: T.max_candidates]

    def _persistent(self) -> np.ndarray:
        """Strokes present in at least two consecutive samples (all strokes of a still)."""
        if len(self.samples) == 1 or self._steady is None:
            return self.samples[0].strokes.full()
        return self._steady.copy()

    def _candidate(
        self, group: dict, strokes: BitStack, held_maps: BitStack, switch_maps: BitStack
    ) -> Candidate | None:
        x, y, w, h = group["box"]
        core = group["mask"]
        n = int(core.sum())
        if n < T.min_pixels:
            return None
        sl = (slice(y, y + h), slice(x, x + w))
        # The box in all samples (and pairs) at once, then one masked reduction.
        share = strokes[sl][:, core].mean(1)
        present = [int(k) for k in np.flatnonzero(share >= T.present_frac)]
        absent = share < T.present_frac
        crisp = (
            float(share[~absent].mean() - (share[absent].mean() if absent.any() else 0.0))
            if present
            else 0.0
        )
        need = max(3, int(0.25 * n))
        held = _count_pairs(held_maps, sl, core, need)
        switched = _count_pairs(switch_maps, sl, core, need)
        pad = max(4, int(0.3 * min(h, 40)))
        hh, ww = self.samples[0].gray.shape
        x0, y0 = max(0, x - pad), max(0, y - pad)
        x1, y1 = min(ww, x + w + pad), min(hh, y + h + pad)
        wb = (x0, y0, x1 - x0, y1 - y0)
        mask = np.zeros((y1 - y0, x1 - x0), bool)
        mask[y - y0 : y - y0 + h, x - x0 : x - x0 + w] = core
        runs = _runs(present)
        longest = max((b - a + 1 for a, b in runs), default=0)
        return Candidate(
            self.to_full(wb, self.work_scale),
            wb,
            present,
            held,
            switched,
            pixels=n,
            crisp=crisp,
            mask=mask,
            peak=group.get("peak", 0),
            contiguity=longest / max(1, len(present)),
        )


def _count_pairs(maps: BitStack, sl: tuple[slice, slice], core: np.ndarray, need: int) -> int:
    """Sample pairs whose evidence map has at least ``need`` pixels on ``core``."""
    if not len(maps):
        return 0
    counts = maps[sl][:, core].sum(1, dtype=np.int64)
    return int((counts >= need).sum())


class _Groups:
    """Per-pair blobs grouped by place: a blob joins the first group it overlaps with
    IoU >= 0.4 (the union of their boxes and masks), else starts a group. The boxes are
    also kept in an array, so the IoU with every group is one call (a clip has hundreds)."""

    def __init__(self) -> None:
        self.groups: list[dict] = []
        self._boxes = np.zeros((16, 4), np.int64)

    def merge(self, box: tuple[int, int, int, int], core: np.ndarray) -> None:
        n = len(self.groups)
        if n:
            hits = np.flatnonzero(iou_many(self._boxes[:n], box) >= 0.4)
            if hits.size:
                k = int(hits[0])
                g = self.groups[k]
                x = min(g["box"][0], box[0])
                y = min(g["box"][1], box[1])
                x1 = max(g["box"][0] + g["box"][2], box[0] + box[2])
                y1 = max(g["box"][1] + g["box"][3], box[1] + box[3])
                mask = np.zeros((y1 - y, x1 - x), bool)
                for (ox, oy, ow, oh), m in ((g["box"], g["mask"]), (box, core)):
                    mask[oy - y : oy - y + oh, ox - x : ox - x + ow] |= m
                g["box"], g["mask"] = (x, y, x1 - x, y1 - y), mask
                g["peak"] = max(g["peak"], int(core.sum()))
                self._boxes[k] = g["box"]
                return
        if n == len(self._boxes):
            self._boxes = np.concatenate([self._boxes, np.zeros_like(self._boxes)])
        self._boxes[n] = box
        self.groups.append({"box": box, "mask": core.copy(), "peak": int(core.sum())})


def _join_adjacent(cands: list[Candidate]) -> list[Candidate]:
    """Join candidates that touch (the two lines of one stamp found at different
    moments) when they are present in the same samples."""
    out: list[Candidate] = []
    for c in sorted(cands, key=lambda c: c.work_box[1]):
        for o in out:
            same = set(c.present) == set(o.present)
            if same and overlap(grow(o.work_box, 0.3), c.work_box) > 0:
                _absorb(o, c)
                break
        else:
            out.append(c)
    return out


def _absorb(o: Candidate, c: Candidate) -> None:
    ox, oy, ow, oh = o.work_box
    cx, cy, cw, ch = c.work_box
    x, y = min(ox, cx), min(oy, cy)
    x1, y1 = max(ox + ow, cx + cw), max(oy + oh, cy + ch)
    mask = np.zeros((y1 - y, x1 - x), bool)
    for (bx, by, bw, bh), m in ((o.work_box, o.mask), (c.work_box, c.mask)):
        if m is not None:
            mask[by - y : by - y + bh, bx - x : bx - x + bw] |= m
    scale = o.work_box[2] / max(1, o.box[2]) if o.box[2] else 1.0
    o.work_box = (x, y, x1 - x, y1 - y)
    o.box = (
        int(x / scale),
        int(y / scale),
        int(round((x1 - x) / scale)),
        int(round((y1 - y) / scale)),
    )
    o.mask = mask
    o.held, o.switched = max(o.held, c.held), max(o.switched, c.switched)
    o.pixels += c.pixels
    o.peak = max(o.peak, c.peak)
    o.crisp = max(o.crisp, c.crisp)
    o.prior = o.prior and c.prior
    o.prior_only = o.prior_only and c.prior_only


def _runs(present: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for k in present:
        if runs and k == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], k)
        else:
            runs.append((k, k))
    return runs


def _resize(gray: np.ndarray, scale: float) -> np.ndarray:
    if scale >= 1.0:
        return gray
    h, w = gray.shape
    return cv2.resize(
        gray, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
    )


def _blobs(mask: np.ndarray, shape: tuple[int, int]) -> list:
    """``_components`` with enough evidence pixels to be a candidate."""
    return _components(mask, shape, T.min_pixels)


def _components(mask: np.ndarray, shape: tuple[int, int], min_pixels: int = 0):
    """Dense clusters of evidence pixels, merged into stamp-sized blobs (those with at
    least ``min_pixels`` dense pixels)."""
    if not mask.any():
        return []
    # Work on the bounding box of the evidence plus a margin wider than the density
    # window and the dilation reach: same blobs, a fraction of the pixels.
    rows = np.flatnonzero(mask.any(1))
    cols = np.flatnonzero(mask.any(0))
    pad = 8
    y0, y1 = max(0, rows[0] - pad), min(mask.shape[0], rows[-1] + 1 + pad)
    x0, x1 = max(0, cols[0] - pad), min(mask.shape[1], cols[-1] + 1 + pad)
    if (y1 - y0) * (x1 - x0) < 0.5 * mask.size:
        return [
            ((x + x0, y + y0, w, h), core)
            for (x, y, w, h), core in _components_in(mask[y0:y1, x0:x1], shape, min_pixels)
        ]
    return _components_in(mask, shape, min_pixels)


def _components_in(mask: np.ndarray, shape: tuple[int, int], min_pixels: int = 0):
    m = mask.astype(np.float32)
    dens = cv2.boxFilter(m, -1, (T.density_window, T.density_window))
    dense = ((dens > T.density_min) & (m > 0)).astype(np.uint8)
    if min_pixels and int(dense.sum()) < min_pixels:
        return []
    # Label only the bounding box of the dense pixels (plus the dilation's reach):
    # labelling is the costly step and evidence is usually sparse.
    rows, cols = np.flatnonzero(dense.any(1)), np.flatnonzero(dense.any(0))
    if rows.size == 0:
        return []
    y0, y1 = max(0, rows[0] - 3), min(dense.shape[0], rows[-1] + 4)
    x0, x1 = max(0, cols[0] - 5), min(dense.shape[1], cols[-1] + 6)
    if (y0, x0, y1, x1) != (0, 0) + dense.shape:
        return [
            ((x + x0, y + y0, w, h), core)
            for (x, y, w, h), core in _label(dense[y0:y1, x0:x1], shape, min_pixels)
        ]
    return _label(dense, shape, min_pixels)


def _label(dense: np.ndarray, shape: tuple[int, int], min_pixels: int):
    grown = cv2.dilate(dense, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 5)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
    out = []
    limit = T.max_area_frac * shape[0] * shape[1]
    # Dense pixels per component, so scattered noise is dropped without cutting it out.
    counts = np.bincount(labels[dense > 0], minlength=n) if min_pixels else None
    for i in range(1, n):
        x, y, w, h, _area = stats[i]
        if w * h > limit or w < 4 or h < 3:
            continue
        if counts is not None and counts[i] < min_pixels:
            continue
        core = (labels[y : y + h, x : x + w] == i) & (dense[y : y + h, x : x + w] > 0)
        out.append(((int(x), int(y), int(w), int(h)), core))
    return out
