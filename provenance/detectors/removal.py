"""Traces of removed visible marks (``visible-watermark-removed``, ``cropped``).

Fed every sampled frame, this detector keeps a 180-px grey copy and a few numbers per
frame, and asks three questions, each answered with its own evidence record:

1. **Inpainting traces** at the places where the data file says a generator puts its stamp:
   is a stamp-sized box there much smoother than the ring around it (Telea/NS inpainting,
   blur boxes)? The same test runs at control windows all over the same frame, so plain
   walls, skies and bokeh (smooth everywhere, or untestable) are not flagged; for a clip
   the count of frames with a hole at the mark's places is tested against that chance rate
   (binomial). It abstains when holes are common in the frame anyway, and on stills.
2. **Flicker back**: the generator's icon (cloud, sparkle: templates drawn in code) found in
   a few sampled frames only, anywhere in the frame. The remover missed it there; that is
   also evidence of the generator.
3. **Stamp cut at the frame edge**: overlay strokes (held while the scene moves) touching a
   border near a generator's place: the picture was cropped through a stamp.

Still images get two tests of their own (one frame gives no chance rate over time):

4. **Texture hole** at full resolution: the share of flat pixels (|Laplacian| <= 1) in a
   stamp-sized box at a mark's place minus its ring's, against every control window of the
   image (grain survives at full resolution; inpainting and blur boxes remove it).
5. **Reverse-alpha ghost**: a faint sparkle at a sparkle mark's exact place and sizes.

It never sees the other detectors' results; ``stripping.infer`` and the verdict combine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from .. import generators
from ..datafiles import load_toml
from ..frames import Frame
from ..records import CLAIM_GENERATED, CLAIM_STRIPPED, Evidence, Sighting, Watermark
from . import inpaint_traces as tr
from .base import DetectorResult, FileContext
from .shapes import cloud, local_contrast, sparkle


def _cfg() -> dict:
    return load_toml("weights.toml")["removal"]


@dataclass
class _Mark:
    generator: str
    name: str
    index: int  # position among the generator's visible marks
    shape: str | None
    height_frac: float  # expected stamp height / short side
    places: tuple[tuple[float, float], ...]
    static: bool
    margin_frac: float | None
    height_range: tuple[float, float] | None


@dataclass
class _Class:
    """Marks sharing one test box size (work pixels)."""

    box_w: int
    box_h: int
    win_w: int
    win_h: int
    places: list[tuple[int, int]] = field(default_factory=list)  # centres, texture pixels
    controls: list[tuple[int, int]] = field(default_factory=list)
    centres: np.ndarray | None = None  # (places + controls, offsets, 2) box centres


@dataclass
class _Sample:
    index: int
    time_s: float
    gray: np.ndarray  # uint8, work size
    holes: dict[tuple[int, int, int], tuple[float, tuple[int, int]]]  # (class, px, py)->(r, at)
    testable: dict[tuple[int, int, int], bool]
    control_share: dict[int, float]  # class -> share of control windows with a hole
    icons: list[tuple[str, tuple[int, int, int, int], float]]  # (shape, full box, score)
    overlay: dict[tuple[float, float], float]  # shaped-mark place -> white stroke density


def _marks() -> list[_Mark]:
    cfg = _cfg()
    out = []
    for gen in generators.load().values():
        for i, m in enumerate(gen.visible):
            if not m.places:
                continue
            hf = float(np.mean(m.height_frac)) if m.height_frac else cfg["default_height_frac"]
            out.append(_Mark(gen.id, gen.name, i, m.shape, hf, tuple(m.places),
                             m.layout == "static", m.margin_frac, m.height_frac))
    return out


@lru_cache(maxsize=32)
def _template(shape: str, size: int) -> np.ndarray:
    return (cloud(size) if shape == "cloud" else sparkle(size)).astype(np.float32)


def _binom_sf(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    if k <= 0:
        return 1.0
    return float(sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k, n + 1)))


class RemovalDetector:
    name = "removal"

    def __init__(self) -> None:
        self.context: FileContext | None = None
        self.samples: list[_Sample] = []
        self.marks: list[_Mark] = []
        self.classes: list[_Class] = []
        self.mark_places: dict[tuple[str, int], list[tuple[int, int, int]]] = {}
        self.work_shape: tuple[int, int] | None = None
        self.full_shape: tuple[int, int] | None = None
        self.scale = 1.0
        self.tscale = 1.0
        self.tex_shape: tuple[int, int] | None = None
        self.prev_strokes: np.ndarray | None = None
        self.prev_gray: np.ndarray | None = None
        self.held: np.ndarray | None = None
        self.moving_pairs = 0
        self.texture_abstained = False
        self.residue: tuple | None = None  # stills: (score, alpha, mark, box, place)
        self.still_holes: list[tuple] = []  # still images: (margin, score, ctrl_max, mark, box)

    # ------------------------------------------------------------------ protocol
    def start(self, context: FileContext) -> None:
        self.context = context
        self.marks = _marks()

    def feed(self, frame: Frame) -> None:
        cfg = _cfg()
        # One linear resize to the texture copy, then an exact 2:1 area step (fast path)
        # to the work copy: ~0.3 ms for 720p, where an area resize at an odd ratio is ~5 ms.
        tex, tscale = tr.downscale(frame.image, 2 * cfg["work_short_side"], cv2.INTER_LINEAR)
        small = cv2.resize(tex, (tex.shape[1] // 2, tex.shape[0] // 2),
                           interpolation=cv2.INTER_AREA)
        scale = tscale * (tex.shape[0] // 2) / tex.shape[0]
        if self.work_shape is None:
            self.work_shape = small.shape[:2]
            self.tex_shape = tex.shape[:2]
            self.full_shape = frame.image.shape[:2]
            self.scale, self.tscale = scale, tscale
            self._plan(cfg)
        elif small.shape[:2] != self.work_shape or tex.shape[:2] != self.tex_shape:
            return  # a size change mid-stream: ignore the odd frame
        gray_u8 = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
        if self.context is not None and self.context.media.kind == "image":
            self.still_holes = self._still_texture(frame.gray, cfg)
            self.residue = self._unblend_residue(frame.gray, cfg)
        gray = gray_u8.astype(np.float32)
        holes: dict = {}
        testable: dict = {}
        control_share: dict[int, float] = {}
        if not self.texture_abstained:
            tgray = cv2.cvtColor(tex, cv2.COLOR_BGR2GRAY).astype(np.float32)
            holes, testable, control_share = self._texture(tgray, cfg)
        chroma = tr.chroma(small)
        icons = self._icons(frame, chroma, gray, cfg)
        stroke_map = tr.strokes(gray_u8, cfg["stroke_level"])
        overlay = self._overlay_density(chroma, stroke_map)
        if self.prev_gray is not None:
            self._hold(gray_u8, stroke_map, cfg)
        self.prev_gray = gray_u8
        self.prev_strokes = stroke_map
        self.samples.append(_Sample(frame.index, frame.time_s, gray_u8, holes, testable,
                                    control_share, icons, overlay))
        self._maybe_abstain_early(cfg)

    def _texture(self, tgray: np.ndarray, cfg: dict) -> tuple[dict, dict, dict[int, float]]:
        """Texture holes at the marks' places and at control windows of one frame."""
        integral = cv2.integral(tr.texture_energy(tgray), sdepth=cv2.CV_64F)
        holes: dict = {}
        testable: dict = {}
        control_share: dict[int, float] = {}
        for ci, cl in enumerate(self.classes):
            ratio, ring = tr.hole_ratios(integral, cl.centres, cl.box_w, cl.box_h,
                                         cfg["ring_floor"])
            rmin = ratio.min(axis=1)
            ring_max = ring.max(axis=1)
            for k, (px, py) in enumerate(cl.places):
                j = int(ratio[k].argmin())
                at = (int(cl.centres[k, j, 0]), int(cl.centres[k, j, 1]))
                holes[(ci, px, py)] = (float(rmin[k]), at)
                testable[(ci, px, py)] = bool(ring_max[k] >= cfg["ring_floor"])
            ctrl = rmin[len(cl.places):]
            ctrl_ok = ring_max[len(cl.places):] >= cfg["ring_floor"]
            control_share[ci] = float(np.mean(ctrl[ctrl_ok] < cfg["hole_ratio"])) \
                if ctrl_ok.any() else 0.0
        return holes, testable, control_share

    def _still_texture(self, gray: np.ndarray, cfg: dict) -> list[tuple]:
        """Still images: a stamp-sized patch at a mark's place whose pixels are far more often
        flat (|Laplacian| <= ``still_flat_level`` at full resolution) than its ring's, compared
        with the same test at control windows all over the image (same box size and search
        window). Returns the marks whose place beats every control by the measured margin."""
        h, w = gray.shape[:2]
        short = min(h, w)
        integral = tr.flat_integral(gray, cfg["still_flat_level"])
        by_size: dict[tuple[int, int, int], list[_Mark]] = {}
        for m in self.marks:
            sh = m.height_frac * short
            bh = max(5, round(sh))
            bw = bh if m.shape in ("sparkle", "cloud") else max(5, round(bh * 1.5))
            by_size.setdefault((bw, bh, max(5, round(sh))), []).append(m)
        out = []
        for (bw, bh, sh), marks in by_size.items():
            ww, wh = round(sh * cfg["window"][0]) | 1, round(sh * cfg["window"][1]) | 1
            offsets = tr.window_offsets(ww, wh, max(1, bw // 2), max(1, bh // 2))
            places = [(min(w - 1, round(fx * w)), min(h - 1, round(fy * h)), m)
                      for m in marks for fx, fy in m.places]
            controls = [(int(x), int(y))
                        for y in range(wh // 2, h - wh // 2, max(4, wh // 2))
                        for x in range(ww // 2, w - ww // 2, max(4, ww // 2))
                        if all(abs(x - px) > ww or abs(y - py) > wh for px, py, _ in places)]
            if len(controls) < cfg["still_min_controls"]:
                continue  # the places cover most of the image: no chance rate to compare

            anchors = np.array([(px, py) for px, py, _ in places] + controls, np.int32)
            centres = anchors[:, None, :] + offsets[None, :, :]
            ex, ring = tr.flat_excess(integral, centres, bw, bh)
            ex = np.where(ring <= cfg["still_ring_max_flat"], ex, 0.0)
            j = ex.argmax(axis=1)
            score = ex[np.arange(len(anchors)), j]
            ctrl_max = float(score[len(places):].max())
            for k, (px, py, m) in enumerate(places):
                x, y = (int(v) for v in centres[k, j[k]])
                margin = float(score[k]) - ctrl_max
                if score[k] >= cfg["still_min_excess"] and margin >= cfg["still_min_margin"]:
                    out.append((margin, float(score[k]), ctrl_max, m, (px / w, py / h),
                                [x - bw // 2, y - bh // 2, bw, bh], len(controls)))
        out.sort(key=lambda t: -t[0])
        return out

    def _unblend_residue(self, gray_u8: np.ndarray, cfg: dict) -> tuple | None:
        """Still images: the faint ghost a reverse alpha blend leaves when its alpha map does
        not fit exactly (rounding, clipping, a resized map). The high-pass of the image at a
        sparkle mark's exact place and sizes (data file) is correlated with the drawn
        sparkle; a strong correlation with a small amplitude (far fainter than a stamp) is a
        residue. Returns the best (score, amplitude, mark, box, place) or None."""
        gray = gray_u8.astype(np.float32)
        h, w = gray.shape[:2]
        short = min(h, w)
        r = cfg["residue_search_px"]
        best = None
        for m in self.marks:
            if m.shape != "sparkle":
                continue
            lo, hi = m.height_range or (m.height_frac, m.height_frac)
            for hf in sorted({lo, m.height_frac, hi}):
                size = max(9, int(hf * short))
                t = _template("sparkle", size)
                inside = t > 127
                for fx, fy in m.places:
                    cx, cy = fx * w, fy * h
                    x0, y0 = int(cx - size / 2) - size, int(cy - size / 2) - size
                    if x0 < 0 or y0 < 0 or x0 + 3 * size > w or y0 + 3 * size > h:
                        continue
                    crop = gray[y0:y0 + 3 * size, x0:x0 + 3 * size]
                    hp = crop - cv2.GaussianBlur(crop, (0, 0), max(1.0, size / 4))
                    res = cv2.matchTemplate(hp, t, cv2.TM_CCOEFF_NORMED)
                    win = res[size - r:size + r + 1, size - r:size + r + 1]
                    _, score, _, (mx, my) = cv2.minMaxLoc(win)
                    bx, by = size - r + mx, size - r + my
                    patch = hp[by:by + size, bx:bx + size]
                    # In units of the headroom to white: the alpha the ghost amounts to.
                    base = float(crop[by:by + size, bx:bx + size][~inside].mean())
                    amp = float(patch[inside].mean() - patch[~inside].mean()) / max(
                        16.0, 255.0 - base)
                    if best is None or score > best[0]:
                        best = (float(score), amp, m, [x0 + bx, y0 + by, size, size], (fx, fy))
        return best

    def _maybe_abstain_early(self, cfg: dict) -> None:
        """Stop the texture test once its verdict is settled: it abstains when holes are
        common at control windows, and after the first frames they are far too common
        here for the rest of the clip to change that (a cost bound, docs/stripping.md)."""
        after, factor = cfg["early_abstain_after"], cfg["early_abstain_factor"]
        if self.texture_abstained or len(self.samples) != after or not self.classes:
            return
        shares = [[s.control_share.get(ci, 0.0) for s in self.samples]
                  for ci in range(len(self.classes))]
        if all(np.mean(q) > factor * cfg["max_control_share"] for q in shares):
            self.texture_abstained = True

    def _overlay_density(self, chroma: np.ndarray, stroke_map: np.ndarray
                         ) -> dict[tuple[float, float], float]:
        """Share of white, grey stroke pixels in each shaped mark's stamp windows: where a
        stamp the template search missed may still be."""
        h, w = self.work_shape
        short = min(h, w)
        white = stroke_map & (chroma < 60)
        out = {}
        for m in self.marks:
            if m.shape not in ("cloud", "sparkle"):
                continue
            sh = m.height_frac * short
            for fx, fy in m.places:
                x0, x1 = max(0, int(fx * w - 2 * sh)), min(w, int(fx * w + 2 * sh))
                y0, y1 = max(0, int(fy * h - sh)), min(h, int(fy * h + sh))
                win = white[y0:y1, x0:x1]
                out[(fx, fy)] = float(win.mean()) if win.size else 0.0
        return out

    def finish(self) -> DetectorResult:
        result = DetectorResult()
        if not self.samples or self.context is None:
            return result
        cfg = _cfg()
        flicker = self._flicker(cfg)
        if flicker:
            result.watermarks.append(flicker[0])
            result.evidence.extend(flicker[1:])
        else:
            holes = self._inpainting(cfg) if len(self.samples) > 1 else (
                self._still_hole(cfg) or self._residue(cfg))
            if holes:
                result.evidence.append(holes)
        cut = self._cut_at_edge(cfg)
        if cut:
            result.evidence.append(cut)
        if result.evidence and self.context.options.evidence_dir:
            result.images = self._images(result.evidence)
        return result

    # ------------------------------------------------------------------ planning
    def _plan(self, cfg: dict) -> None:
        """Test boxes in texture-copy pixels: one class per box size, its places and a grid
        of control windows (away from every place) to measure the chance rate."""
        h, w = self.tex_shape
        short = min(h, w)
        by_size: dict[tuple[int, int], _Class] = {}
        for m in self.marks:
            stamp_h = m.height_frac * short
            bh = max(3, round(stamp_h * cfg["box_height_share"]))
            bw = bh if m.shape in ("sparkle", "cloud") else max(3, round(bh * 1.5))
            ww = max(3, round(stamp_h * cfg["window"][0])) | 1
            wh = max(3, round(stamp_h * cfg["window"][1])) | 1
            cl = by_size.setdefault((bw, bh), _Class(bw, bh, ww, wh))
            keys = []
            for fx, fy in m.places:
                p = (min(w - 1, max(0, round(fx * w))), min(h - 1, max(0, round(fy * h))))
                if p not in cl.places:
                    cl.places.append(p)
                keys.append(p)
            m_class = list(by_size).index((bw, bh))
            self.mark_places[(m.generator, m.index)] = [(m_class, *p) for p in keys]
        self.classes = list(by_size.values())
        for cl in self.classes:
            xs = np.arange(cl.win_w // 2, w - cl.win_w // 2, max(4, cl.win_w // 2))
            ys = np.arange(cl.win_h // 2, h - cl.win_h // 2, max(4, cl.win_h // 2))
            for y in ys:
                for x in xs:
                    if all(abs(x - px) > cl.win_w or abs(y - py) > cl.win_h
                           for px, py in cl.places):
                        cl.controls.append((int(x), int(y)))
            step = max(1, len(cl.controls) // cfg["max_controls"])
            cl.controls = cl.controls[::step]
            offsets = tr.window_offsets(cl.win_w, cl.win_h, cl.box_w, cl.box_h)
            anchors = np.array(cl.places + cl.controls, np.int32).reshape(-1, 1, 2)
            cl.centres = anchors + offsets[None, :, :]

    # ------------------------------------------------------------------ per frame
    def _icons(self, frame: Frame, chroma: np.ndarray, gray: np.ndarray, cfg: dict
               ) -> list[tuple[str, tuple[int, int, int, int], float]]:
        shaped = [m for m in self.marks if m.shape in ("cloud", "sparkle")]
        if not shaped:
            return []
        short = min(self.work_shape)
        lo = min((m.height_range or (m.height_frac, m.height_frac))[0] for m in shaped)
        hi = max((m.height_range or (m.height_frac, m.height_frac))[1] for m in shaped)
        mask = tr.white_mask(chroma, gray, cfg["blob_min_contrast"], cfg["blob_max_chroma"])
        blobs = tr.white_blobs(mask, max(3.0, 0.6 * lo * short), 1.3 * hi * short,
                               cfg["max_blobs"])
        out = []
        for b in blobs:
            found = self._verify(frame.gray, b.box, cfg)
            if found:
                out.append(found)
        return out

    def _verify(self, gray: np.ndarray, box: tuple[int, int, int, int], cfg: dict
                ) -> tuple[str, tuple[int, int, int, int], float] | None:
        """Template check of one blob on a full-resolution grey crop rescaled so the icon is
        about ``verify_size`` pixels."""
        s = 1.0 / self.scale
        x, y, w, h = (int(round(v * s)) for v in box)
        side = max(w, h)
        pad = side // 2 + 2
        x0, y0 = max(0, x - pad), max(0, y - pad)
        x1, y1 = min(gray.shape[1], x + w + pad), min(gray.shape[0], y + h + pad)
        crop = gray[y0:y1, x0:x1]
        if crop.size == 0:
            return None
        k = cfg["verify_size"] / max(1, side)
        crop = cv2.resize(crop, None, fx=k, fy=k, interpolation=cv2.INTER_AREA if k < 1
                          else cv2.INTER_LINEAR)
        contrast = local_contrast(crop)
        best: tuple[str, tuple[int, int, int, int], float] | None = None
        for shape, cut in (("cloud", cfg["cloud_min_score"]),
                           ("sparkle", cfg["sparkle_min_score"])):
            for size in (int(cfg["verify_size"] * f) for f in (0.9, 1.1)):
                if size > min(contrast.shape):
                    continue
                res = cv2.matchTemplate(contrast, _template(shape, size),
                                        cv2.TM_CCOEFF_NORMED)
                _, score, _, (mx, my) = cv2.minMaxLoc(res)
                if score >= cut and (best is None or score > best[2]):
                    fb = (x0 + int(mx / k), y0 + int(my / k), int(size / k), int(size / k))
                    best = (shape, fb, float(score))
        return best

    def _hold(self, gray: np.ndarray, stroke_map: np.ndarray, cfg: dict) -> None:
        """Stroke pixels that keep their place between two samples while the scene moved."""
        change = float(np.mean(cv2.absdiff(gray, self.prev_gray)))
        if change < cfg["background_min_change"]:
            return
        self.moving_pairs += 1
        held = stroke_map & self.prev_strokes & (
            cv2.absdiff(gray, self.prev_gray) < 12)
        if self.held is None:
            self.held = np.zeros(gray.shape, np.uint16)
        self.held += held.astype(np.uint16)

    # ------------------------------------------------------------------ decisions
    def _flicker(self, cfg: dict) -> list | None:
        n = len(self.samples)
        by_shape: dict[str, list[tuple[_Sample, tuple[int, int, int, int], float]]] = {}
        for s in self.samples:
            for shape, box, score in s.icons:
                by_shape.setdefault(shape, []).append((s, box, score))
        if n < cfg["flicker_min_frames"]:
            return None
        for shape, hits in by_shape.items():
            frames = sorted({s.index for s, _, _ in hits})
            if not frames or len(frames) > cfg["flicker_max_share"] * n:
                continue
            gen_id = self._generator_for_shape(shape, [b for _, b, _ in hits])
            if self._stamp_may_remain(shape, gen_id, set(frames), cfg):
                continue
            name = generators.display_name(gen_id) if gen_id else f"a {shape} stamp"
            track = [Sighting(s.index, s.time_s, box, round(score, 3)) for s, box, score in hits]
            boxes = [list(b) for _, b, _ in hits]
            wm = Watermark("visible", gen_id, cfg["flicker-back.generated"], "template",
                           track=track, stats={"shape": shape, "frames_with_stamp": len(frames),
                                               "frames_sampled": n})
            where = {"frames": frames, "boxes": boxes, "sampled": n, "shape": shape}
            stripped = Evidence(
                "stripping", "stripping.visible-watermark-removed",
                f"{name}'s {shape} icon shows in only {len(frames)} of {n} sampled frames "
                f"(frames {', '.join(map(str, frames[:6]))}); elsewhere it is gone: a remover "
                "missed it in those frames (the stamp flickers back).",
                cfg["flicker-back"], CLAIM_STRIPPED, generator=gen_id,
                stripped="visible-watermark-removed", where={**where, "method": "flicker-back"})
            generated = Evidence(
                "visible-watermark", "visible.stamp-flicker-back",
                f"{name}'s {shape} icon (template drawn in code, scores "
                f"{min(h[2] for h in hits):.2f}-{max(h[2] for h in hits):.2f}) is visible in "
                f"{len(frames)} sampled frames of a clip whose stamp was otherwise removed.",
                cfg["flicker-back.generated"], CLAIM_GENERATED, generator=gen_id, where=where)
            return [wm, stripped, generated]
        return None

    def _stamp_may_remain(self, shape: str, gen_id: str | None, hit_frames: set[int],
                          cfg: dict) -> bool:
        """True when the frames without a template hit still show white strokes at the
        mark's places about as much as the frames with one: the template merely missed a
        stamp that is there (real icons differ from the drawn ones), so no removal claim."""
        places = [p for m in self.marks if m.shape == shape
                  and (gen_id is None or m.generator == gen_id) for p in m.places]
        def density(s: _Sample) -> float:
            return max((s.overlay.get(p, 0.0) for p in places), default=0.0)
        with_hit = [density(s) for s in self.samples if s.index in hit_frames]
        without = [density(s) for s in self.samples if s.index not in hit_frames]
        if not with_hit or not without:
            return False
        return float(np.median(without)) >= cfg["flicker_veto_share"] * float(
            np.median(with_hit))

    def _generator_for_shape(self, shape: str, boxes: list) -> str | None:
        """The generator whose mark with this shape has a place nearest the sightings."""
        h, w = self.full_shape
        cands = [m for m in self.marks if m.shape == shape]
        if not cands:
            return None
        cx = np.median([b[0] + b[2] / 2 for b in boxes]) / w
        cy = np.median([b[1] + b[3] / 2 for b in boxes]) / h
        best = min(cands, key=lambda m: min(math.hypot(cx - px, cy - py) for px, py in m.places))
        return best.generator

    def _inpainting(self, cfg: dict) -> Evidence | None:
        n = len(self.samples)
        results = []
        for m in self.marks:
            keys = self.mark_places[(m.generator, m.index)]
            hits, testable, chance, where_frames, boxes = 0, 0, [], [], []
            places_hit: set[int] = set()
            for s in self.samples:
                ok = [k for k in keys if s.testable.get(k)]
                if not ok:
                    continue
                testable += 1
                q = s.control_share.get(keys[0][0], 0.0)
                chance.append(1 - (1 - max(q, cfg["chance_floor"])) ** len(ok))
                hole = [(s.holes[k][0], i, s.holes[k][1]) for i, k in enumerate(keys)
                        if k in ok and s.holes[k][0] < cfg["hole_ratio"]]
                if hole:
                    r, i, at = min(hole)
                    hits += 1
                    places_hit.add(i)
                    where_frames.append(s.index)
                    boxes.append(self._box_full(keys[i][0], at))
            if not testable or not hits:
                continue
            if n == 1:
                # Stills: one frame gives no chance-rate test, and the single-frame rule
                # flagged real photos (the Earth's limb against black space) while missing
                # every painted-over sparkle sample: abstain (docs/stripping.md).
                continue
            p0 = float(np.mean(chance))
            if p0 > cfg["max_control_share"]:
                continue  # holes are common all over these frames: the test cannot tell
            pval = _binom_sf(hits, testable, p0)
            if (pval <= cfg["max_p_value"] and hits >= cfg["min_hole_frames"]
                    and hits >= cfg["min_hole_share"] * testable):
                results.append((pval, -hits, m, where_frames, boxes, places_hit, hits, testable,
                                p0))
        if not results:
            return None
        results.sort(key=lambda t: (t[0], t[1]))
        best = results[0]
        _, _, m, frames, boxes, places_hit, hits, testable, stat = best
        also = sorted({r[2].generator for r in results[1:]} - {m.generator})
        places = [list(m.places[i]) for i in sorted(places_hit)]
        detail = (f"In {hits} of {testable} testable sampled frames a stamp-sized patch at "
                  f"{m.name}'s stamp place{'s' if len(places) > 1 else ''} is much smoother "
                  f"than its surroundings, against a chance rate of {stat:.0%} measured at "
                  f"control windows of the same frames (binomial p = {best[0]:.1g}): the "
                  "stamp was painted out (inpainting or blur).")
        conf = cfg["inpaint-traces"]
        return Evidence(
            "stripping", "stripping.visible-watermark-removed", detail, conf, CLAIM_STRIPPED,
            generator=m.generator, stripped="visible-watermark-removed",
            where={"method": "inpaint-traces", "frames": frames[:24], "boxes": boxes[:24],
                   "places": places, "also_fits": also})

    def _residue(self, cfg: dict) -> Evidence | None:
        if self.residue is None:
            return None
        score, amp, m, box, place = self.residue
        lo, hi = cfg["residue_amplitude"]
        if score < cfg["residue_min_score"] or not lo <= amp <= hi:
            return None
        gens = sorted({k.generator for k in self.marks if k.shape == "sparkle"
                       and any(abs(px - p[0]) < 0.02 and abs(py - p[1]) < 0.02
                               for px, py in k.places for p in m.places)})
        gen = m.generator if gens == [m.generator] else None
        detail = (f"A faint ghost of {m.name}'s sparkle sits exactly at its stamp place and size "
                  f"(correlation {score:.2f} with the drawn sparkle; it lifts the pixels by "
                  f"{amp:.0%} of their headroom to white, where the stamp itself lifts them "
                  "by about half): what a reverse alpha blend with a slightly wrong "
                  "alpha map leaves behind.")
        return Evidence(
            "stripping", "stripping.visible-watermark-removed", detail,
            cfg["unblend-residue"], CLAIM_STRIPPED, generator=gen,
            stripped="visible-watermark-removed",
            where={"method": "unblend-residue", "frames": [self.samples[0].index],
                   "boxes": [box], "place": list(place), "candidates": gens or
                   [m.generator], "score": round(score, 3), "alpha": round(amp, 3)})

    def _still_hole(self, cfg: dict) -> Evidence | None:
        if not self.still_holes:
            return None
        margin, score, ctrl_max, m, place, box, n_ctrl = self.still_holes[0]
        gens = sorted({t[3].generator for t in self.still_holes})
        gen = m.generator if len(gens) == 1 else None
        name = m.name if gen else "a generator"
        detail = (f"A stamp-sized patch at {name}'s stamp place is smooth where the rest of the "
                  f"image has fine grain: {score:.0%} more of its pixels are flat than in the ring "
                  f"around it, against at most {max(ctrl_max, 0):.0%} at {n_ctrl} control windows "
                  "of the same image: the stamp was likely painted out (inpainting or blur).")
        return Evidence(
            "stripping", "stripping.visible-watermark-removed", detail, cfg["inpaint-traces.still"],
            CLAIM_STRIPPED, generator=gen, stripped="visible-watermark-removed",
            where={"method": "still-texture-hole", "frames": [self.samples[0].index],
                   "boxes": [t[5] for t in self.still_holes[:4]],
                   "place": [round(v, 3) for v in place], "candidates": gens,
                   "flat_excess": round(score, 3), "control_max": round(ctrl_max, 3),
                   "controls": n_ctrl})

    def _box_full(self, ci: int, at: tuple[int, int]) -> list[int]:
        cl = self.classes[ci]
        s = 1.0 / self.tscale
        x, y = at
        return [int((x - cl.box_w / 2) * s), int((y - cl.box_h / 2) * s), int(cl.box_w * s),
                int(cl.box_h * s)]

    def _cut_at_edge(self, cfg: dict) -> Evidence | None:
        if self.held is None or self.moving_pairs < cfg["held_min_pairs"]:
            return None
        overlay = (self.held >= cfg["held_min_pairs"]).astype(np.uint8)
        n, labels, stats, _ = cv2.connectedComponentsWithStats(overlay, connectivity=8)
        h, w = overlay.shape
        hits = []
        for i in range(1, n):
            x, y, bw, bh, area = (int(v) for v in stats[i])
            if area < cfg["cut_min_pixels"]:
                continue
            edges = [e for e, t in (("left", x == 0), ("top", y == 0),
                                    ("right", x + bw >= w), ("bottom", y + bh >= h)) if t]
            if edges:
                hits.append((area, (x, y, bw, bh), edges))
        if not hits:
            return None
        # Group edge-touching overlay pieces; attribute by the nearest generator place.
        area, box, edges = max(hits)
        s = 1.0 / self.scale
        full = [int(box[0] * s), int(box[1] * s), int(box[2] * s), int(box[3] * s)]
        cx, cy = (box[0] + box[2] / 2) / w, (box[1] + box[3] / 2) / h
        # Several generators share corner places: name the ones near, attribute none.
        near = sorted({m.generator for m in self.marks
                       if min(math.hypot(cx - px, cy - py) for px, py in m.places) < 0.25})
        return Evidence(
            "stripping", "stripping.stamp-cut-at-edge",
            f"An overlay (strokes that hold still while the scene moves, like a stamp) is cut "
            f"by the {' and '.join(edges)} edge of the frame: the picture was cropped through "
            "it.", cfg["stamp-cut-at-edge"], CLAIM_STRIPPED, stripped="cropped",
            where={"method": "overlay-cut", "boxes": [full], "edges": edges,
                   "pieces": len(hits), "near_places_of": near,
                   "frames": [self.samples[0].index]})

    # ------------------------------------------------------------------ images
    def _images(self, evidence: list[Evidence]) -> dict[str, np.ndarray]:
        wanted: dict[int, list[tuple[list[int], str]]] = {}
        for ev in evidence:
            frames = ev.where.get("frames") or [self.samples[0].index]
            for f, box in zip(frames, ev.where.get("boxes") or [], strict=False):
                wanted.setdefault(int(f), []).append((box, ev.where.get("method", ev.kind)))
        images = {}
        for frame in self.context.frames.read_many(sorted(wanted)[:8]):
            img = frame.image.copy()
            for box, label in wanted[frame.index]:
                x, y, bw, bh = box
                cv2.rectangle(img, (x, y), (x + bw, y + bh), (255, 0, 255), 2)
                cv2.putText(img, label, (x, max(14, y - 6)), cv2.FONT_HERSHEY_SIMPLEX, 0.5,
                            (255, 0, 255), 1, cv2.LINE_AA)
            images[f"removal_f{frame.index:06d}"] = img
        return images
