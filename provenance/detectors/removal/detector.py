"""Traces of removed visible marks (``visible-watermark-removed``, ``cropped``).

Fed every sampled frame, this detector keeps a 180-px grey copy and a few numbers per
frame, and asks these questions, each answered with its own evidence record:

1. **Texture holes** (``texture_holes.py``) at the places where the data file says a
   generator puts its stamp: is a stamp-sized box there, at full resolution, far flatter
   than its ring (Telea/NS inpainting, blur boxes), more so than every control window of
   the frame and than the place's mirrored positions (bokeh softens all corners alike)?
   A clip counts the frames with a hole, where the scene moved at the place, against the
   controls' chance rate (binomial); a still needs one clear hole.
2. **Flicker back**: the generator's icon (cloud, sparkle: templates drawn in code) found in
   a few sampled frames only, anywhere in the frame. The remover missed it there; that is
   also evidence of the generator.
3. **Stamp cut at the frame edge**: overlay strokes (held while the scene moves) touching a
   border near a generator's place: the picture was cropped through a stamp.
4. **Reverse-alpha ghost** (stills): a faint sparkle at a sparkle mark's exact place and
   sizes.

It never sees the other detectors' results; ``stripping.infer`` and the verdict combine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from provenance.detectors.base import DetectorResult, FileContext
from provenance.detectors.removal import inpaint_traces as tr
from provenance.detectors.removal.texture_holes import FrameHoles, PlaceHit, TextureHoles
from provenance.detectors.shapes import cloud, local_contrast, sparkle
from provenance.frames import Frame
from provenance.knowledge import generators
from provenance.knowledge.datafiles import load_toml
from provenance.model.records import CLAIM_GENERATED, CLAIM_STRIPPED, Evidence, Sighting, Watermark


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
class _Sample:
    index: int
    time_s: float
    gray: np.ndarray  # uint8, work size
    holes: FrameHoles | None
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
            out.append(
                _Mark(
                    gen.id,
                    gen.name,
                    i,
                    m.shape,
                    hf,
                    tuple(m.places),
                    m.layout == "static",
                    m.margin_frac,
                    m.height_frac,
                )
            )
    return out


@lru_cache(maxsize=32)
def _template(shape: str, size: int) -> np.ndarray:
    return (cloud(size) if shape == "cloud" else sparkle(size)).astype(np.float32)


def _names(gen_ids: list[str]) -> str:
    names = [generators.display_name(g) or g for g in gen_ids]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _binom_sf(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    if k <= 0:
        return 1.0
    return float(sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1)))


class RemovalDetector:
    name = "removal"

    def __init__(self) -> None:
        self.context: FileContext | None = None
        self.samples: list[_Sample] = []
        self.marks: list[_Mark] = []
        self.holes: TextureHoles | None = None
        self.work_shape: tuple[int, int] | None = None
        self.full_shape: tuple[int, int] | None = None
        self.scale = 1.0
        self.tex_shape: tuple[int, int] | None = None
        self.prev_strokes: np.ndarray | None = None
        self.prev_gray: np.ndarray | None = None
        self.held: np.ndarray | None = None
        self.prev_edges: np.ndarray | None = None
        self.held_edges: np.ndarray | None = None  # strong edges held still (plates, bars)
        self.moving_pairs = 0
        self.residue: tuple | None = None  # stills: (score, alpha, mark, box, place)

    # ------------------------------------------------------------------ protocol
    def start(self, context: FileContext) -> None:
        self.context = context
        self.marks = _marks()

    def feed(self, frame: Frame) -> None:
        cfg = _cfg()
        # One linear resize, then an exact 2:1 area step (fast path) to the work copy:
        # ~0.3 ms for 720p, where an area resize at an odd ratio is ~5 ms.
        tex, tscale = tr.downscale(frame.image, 2 * cfg["work_short_side"], cv2.INTER_LINEAR)
        small = cv2.resize(
            tex, (tex.shape[1] // 2, tex.shape[0] // 2), interpolation=cv2.INTER_AREA
        )
        scale = tscale * (tex.shape[0] // 2) / tex.shape[0]
        still = self.context is not None and self.context.media.kind == "image"
        if self.work_shape is None:
            self.work_shape = small.shape[:2]
            self.tex_shape = tex.shape[:2]
            self.full_shape = frame.image.shape[:2]
            self.scale = scale
            if still:
                limits = (
                    cfg["still_min_controls"],
                    cfg["still_min_excess"],
                    cfg["still_min_margin"],
                    None,
                )
            else:
                limits = (
                    cfg["clip_min_controls"],
                    cfg["clip_min_excess"],
                    cfg["clip_min_margin"],
                    cfg["clip_max_controls"],
                )
            self.holes = TextureHoles(self.marks, self.full_shape, cfg, *limits)
        elif small.shape[:2] != self.work_shape or tex.shape[:2] != self.tex_shape:
            return  # a size change mid-stream: ignore the odd frame
        gray_u8 = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
        if still:
            self.residue = self._unblend_residue(frame.gray, cfg)
        holes = self.holes.score(frame.gray) if self.holes.sizes else None
        gray = gray_u8.astype(np.float32)
        chroma = tr.chroma(small)
        icons = self._icons(frame, chroma, gray, cfg)
        stroke_map = tr.strokes(gray_u8, cfg["stroke_level"])
        overlay = self._overlay_density(chroma, stroke_map)
        edges = tr.strong_edges(gray_u8, cfg["edge_level"])
        if self.prev_gray is not None:
            self._hold(gray_u8, stroke_map, edges, cfg)
        self.prev_gray = gray_u8
        self.prev_strokes = stroke_map
        self.prev_edges = edges
        self.samples.append(_Sample(frame.index, frame.time_s, gray_u8, holes, icons, overlay))

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
                    crop = gray[y0 : y0 + 3 * size, x0 : x0 + 3 * size]
                    hp = crop - cv2.GaussianBlur(crop, (0, 0), max(1.0, size / 4))
                    res = cv2.matchTemplate(hp, t, cv2.TM_CCOEFF_NORMED)
                    win = res[size - r : size + r + 1, size - r : size + r + 1]
                    _, score, _, (mx, my) = cv2.minMaxLoc(win)
                    bx, by = size - r + mx, size - r + my
                    patch = hp[by : by + size, bx : bx + size]
                    # In units of the headroom to white: the alpha the ghost amounts to.
                    base = float(crop[by : by + size, bx : bx + size][~inside].mean())
                    amp = float(patch[inside].mean() - patch[~inside].mean()) / max(
                        16.0, 255.0 - base
                    )
                    if best is None or score > best[0]:
                        best = (float(score), amp, m, [x0 + bx, y0 + by, size, size], (fx, fy))
        return best

    def _overlay_density(
        self, chroma: np.ndarray, stroke_map: np.ndarray
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
        elif len(self.samples) > 1:
            result.evidence.extend(self._inpainting(cfg))
        else:
            hole = self._still_hole(cfg) or self._residue(cfg)
            if hole:
                result.evidence.append(hole)
        cut = self._cut_at_edge(cfg)
        if cut:
            result.evidence.append(cut)
        if result.evidence and self.context.options.evidence_dir:
            result.images = self._images(result.evidence)
        return result

    # ------------------------------------------------------------------ per frame
    def _icons(
        self, frame: Frame, chroma: np.ndarray, gray: np.ndarray, cfg: dict
    ) -> list[tuple[str, tuple[int, int, int, int], float]]:
        shaped = [m for m in self.marks if m.shape in ("cloud", "sparkle")]
        if not shaped:
            return []
        short = min(self.work_shape)
        lo = min((m.height_range or (m.height_frac, m.height_frac))[0] for m in shaped)
        hi = max((m.height_range or (m.height_frac, m.height_frac))[1] for m in shaped)
        mask = tr.white_mask(chroma, gray, cfg["blob_min_contrast"], cfg["blob_max_chroma"])
        blobs = tr.white_blobs(mask, max(3.0, 0.6 * lo * short), 1.3 * hi * short, cfg["max_blobs"])
        out = []
        for b in blobs:
            found = self._verify(frame.gray, b.box, cfg)
            if found:
                out.append(found)
        return out

    def _verify(
        self, gray: np.ndarray, box: tuple[int, int, int, int], cfg: dict
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
        crop = cv2.resize(
            crop, None, fx=k, fy=k, interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR
        )
        contrast = local_contrast(crop)
        best: tuple[str, tuple[int, int, int, int], float] | None = None
        for shape, cut in (
            ("cloud", cfg["cloud_min_score"]),
            ("sparkle", cfg["sparkle_min_score"]),
        ):
            for size in (int(cfg["verify_size"] * f) for f in (0.9, 1.1)):
                if size > min(contrast.shape):
                    continue
                res = cv2.matchTemplate(contrast, _template(shape, size), cv2.TM_CCOEFF_NORMED)
                _, score, _, (mx, my) = cv2.minMaxLoc(res)
                if score >= cut and (best is None or score > best[2]):
                    fb = (x0 + int(mx / k), y0 + int(my / k), int(size / k), int(size / k))
                    best = (shape, fb, float(score))
        return best

    def _hold(self, gray: np.ndarray, stroke_map: np.ndarray, edges: np.ndarray, cfg: dict) -> None:
        """Stroke and edge pixels that keep their place between two samples while the scene
        moved: a stamp's letters, a graphic's border."""
        diff = cv2.absdiff(gray, self.prev_gray)
        if float(np.mean(diff)) < cfg["background_min_change"]:
            return
        self.moving_pairs += 1
        still = diff < 12
        if self.held is None:
            self.held = np.zeros(gray.shape, np.uint16)
            self.held_edges = np.zeros(gray.shape, np.uint16)
        self.held += (stroke_map & self.prev_strokes & still).astype(np.uint16)
        self.held_edges += (edges & self.prev_edges & still).astype(np.uint16)

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
            wm = Watermark(
                "visible",
                gen_id,
                cfg["flicker-back.generated"],
                "template",
                track=track,
                stats={"shape": shape, "frames_with_stamp": len(frames), "frames_sampled": n},
            )
            where = {"frames": frames, "boxes": boxes, "sampled": n, "shape": shape}
            stripped = Evidence(
                "stripping",
                "stripping.visible-watermark-removed",
                f"{name}'s {shape} icon shows in only {len(frames)} of {n} sampled frames "
                f"(frames {', '.join(map(str, frames[:6]))}); elsewhere it is gone: a remover "
                "missed it in those frames (the stamp flickers back).",
                cfg["flicker-back"],
                CLAIM_STRIPPED,
                generator=gen_id,
                stripped="visible-watermark-removed",
                where={**where, "method": "flicker-back"},
            )
            generated = Evidence(
                "visible-watermark",
                "visible.stamp-flicker-back",
                f"{name}'s {shape} icon (template drawn in code, scores "
                f"{min(h[2] for h in hits):.2f}-{max(h[2] for h in hits):.2f}) is visible in "
                f"{len(frames)} sampled frames of a clip whose stamp was otherwise removed.",
                cfg["flicker-back.generated"],
                CLAIM_GENERATED,
                generator=gen_id,
                where=where,
            )
            return [wm, stripped, generated]
        return None

    def _stamp_may_remain(
        self, shape: str, gen_id: str | None, hit_frames: set[int], cfg: dict
    ) -> bool:
        """True when the frames without a template hit still show white strokes at the
        mark's places about as much as the frames with one: the template merely missed a
        stamp that is there (real icons differ from the drawn ones), so no removal claim."""
        places = [
            p
            for m in self.marks
            if m.shape == shape and (gen_id is None or m.generator == gen_id)
            for p in m.places
        ]

        def density(s: _Sample) -> float:
            return max((s.overlay.get(p, 0.0) for p in places), default=0.0)

        with_hit = [density(s) for s in self.samples if s.index in hit_frames]
        without = [density(s) for s in self.samples if s.index not in hit_frames]
        if not with_hit or not without:
            return False
        return float(np.median(without)) >= cfg["flicker_veto_share"] * float(np.median(with_hit))

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

    def _inpainting(self, cfg: dict) -> list[Evidence]:
        """Clips: frames with a texture hole at a mark's places, counted against the chance
        rate measured at control windows of the same frames (binomial)."""
        results = []
        for m in self.marks:
            si = self.holes.size_of(m) if self.holes else None
            if si is None:
                continue
            chance: list[float] = []
            hits: list[tuple[int, PlaceHit]] = []
            for i, s in enumerate(self.samples):
                # Only frames where the scene moved at the mark's places are new looks: a
                # still camera shows the same smooth table top in every frame.
                moved = [p for p in m.places if self._moved(i, p, m, cfg)]
                if s.holes is None or not moved:
                    continue
                q = max(s.holes.chance.get(si, 0.0), cfg["chance_floor"])
                chance.append(1 - (1 - q) ** len(moved))
                hit = next(
                    (
                        h
                        for h in s.holes.hits
                        if h.mark is m
                        and h.place in moved
                        and self._fill_changed(i, h, cfg)
                        and not self._on_overlay(h, cfg)
                    ),
                    None,
                )
                if hit:
                    hits.append((s.index, hit))
            if not hits:
                continue
            tested, p0 = len(chance), float(np.mean(chance))
            pval = _binom_sf(len(hits), tested, p0)
            if (
                pval <= cfg["max_p_value"]
                and len(hits) >= cfg["min_hole_frames"]
                and len(hits) >= cfg["min_hole_share"] * tested
            ):
                results.append((pval, m, hits, tested, p0))
        if not results:
            return []
        results.sort(key=lambda t: t[0])
        gens = sorted({r[1].generator for r in results})
        # Marks of several generators share places (corners): a generator is named only
        # when the hole sat, in enough frames, at a place of its own (Sora's mid-edge
        # places), and no other generator did so.
        own = [
            r
            for r in results
            if sum(self._own_place(r[1], h.place, cfg) for _, h in r[2]) >= cfg["min_hole_frames"]
        ]
        named = own[0] if len({r[1].generator for r in own}) == 1 else None
        pval, m, hits, tested, p0 = named or results[0]
        gen = m.generator if named else None
        places = sorted({h.place for _, h in hits})
        excess = [h.score for _, h in hits]
        where = {
            "frames": [f for f, _ in hits][:24],
            "boxes": [h.box for _, h in hits][:24],
            "places": [list(p) for p in places],
        }
        whose = (
            f"{m.name}'s stamp place{'s' if len(places) > 1 else ''}"
            if gen
            else f"{'stamp places' if len(places) > 1 else 'a stamp place'} that {_names(gens)} use"
        )
        detail = (
            f"In {len(hits)} of {tested} sampled frames a stamp-sized patch at {whose} "
            "is smooth where the rest of the frame has fine texture "
            f"({min(excess):.0%}-{max(excess):.0%} more flat pixels than the ring around "
            "it, more than at every control window and at the mirrored places), against "
            f"a chance rate of {p0:.0%} a frame measured at control windows (binomial "
            f"p = {pval:.1g}): the stamp was painted out (inpainting or blur)."
        )
        out = [
            Evidence(
                "stripping",
                "stripping.visible-watermark-removed",
                detail,
                cfg["inpaint-traces"],
                CLAIM_STRIPPED,
                generator=gen,
                stripped="visible-watermark-removed",
                where={
                    **where,
                    "method": "inpaint-traces",
                    "candidates": gens,
                    "frames_tested": tested,
                    "chance": round(p0, 4),
                    "p_value": float(f"{pval:.3g}"),
                },
            )
        ]
        if gen:
            own_places = [list(p) for p in places if self._own_place(m, p, cfg)]
            spots = ", ".join(f"x {x:.2f}, y {y:.2f}" for x, y in own_places)
            out.append(
                Evidence(
                    "stripping",
                    "stripping.removed-stamp-places",
                    f"The painted-out patch sits at {m.name}'s stamp places, including ({spots} of "
                    "the frame) where no other generator in the data file puts a mark: the "
                    f"removed stamp was most likely {m.name}'s.",
                    cfg["inpaint-traces.generated"],
                    CLAIM_GENERATED,
                    generator=gen,
                    where={**where, "own_places": own_places},
                )
            )
        return out

    def _change(self, i: int, box: tuple[int, int, int, int]) -> tuple[float, int]:
        """Mean grey difference (work copy) inside x0, y0, x1, y1 between sample i and the
        one before (the next, for the first), and the pixel count."""
        x0, y0, x1, y1 = box
        a = self.samples[i].gray[y0:y1, x0:x1]
        b = self.samples[i - 1 if i else 1].gray[y0:y1, x0:x1]
        return (float(np.mean(cv2.absdiff(a, b))) if a.size else 0.0), a.size

    def _moved(self, i: int, place: tuple[float, float], mark: _Mark, cfg: dict) -> bool:
        """The scene changed in the place's window since the previous sample."""
        if len(self.samples) < 2:
            return False
        h, w = self.work_shape
        sh = mark.height_frac * min(h, w)
        fx, fy = place
        window = (
            max(0, int(fx * w - 2 * sh)),
            max(0, int(fy * h - sh)),
            min(w, int(fx * w + 2 * sh) + 1),
            min(h, int(fy * h + sh) + 1),
        )
        return self._change(i, window)[0] >= cfg["hole_min_motion"]

    def _on_overlay(self, hit: PlaceHit, cfg: dict) -> bool:
        """Bright strokes or strong edges held still while the scene moved (the text or the
        border of a logo plate) around the patch: the smooth area is a static graphic."""
        if self.held is None:
            return False
        h, w = self.work_shape
        x, y, bw, bh = (int(round(v * self.scale)) for v in hit.box)
        rows = slice(max(0, y - bh), min(h, y + 2 * bh))
        cols = slice(max(0, x - bw), min(w, x + 2 * bw))
        held = (self.held[rows, cols] >= cfg["held_min_pairs"]) | (
            self.held_edges[rows, cols] >= cfg["held_min_pairs"]
        )
        return int(np.count_nonzero(held)) >= cfg["cut_min_pixels"]

    def _fill_changed(self, i: int, hit: PlaceHit, cfg: dict) -> bool:
        """The smooth patch changed with the scene around it: a fill (inpainting takes its
        values from the moving border, a blur box blurs the moving scene), not a static
        graphic such as a channel logo plate, which is as smooth but stays the same."""
        h, w = self.work_shape
        x, y, bw, bh = (int(round(v * self.scale)) for v in hit.box)
        inner = (max(0, x), max(0, y), min(w, x + bw), min(h, y + bh))
        outer = (max(0, x - bw), max(0, y - bh), min(w, x + 2 * bw), min(h, y + 2 * bh))
        c_in, n_in = self._change(i, inner)
        c_out, n_out = self._change(i, outer)
        ring = (c_out * n_out - c_in * n_in) / max(1, n_out - n_in)
        return c_in >= cfg["fill_min_change_share"] * max(ring, 0.5)

    def _own_place(self, mark: _Mark, place: tuple[float, float], cfg: dict) -> bool:
        """No other generator's mark has a place within ``own_place_distance``."""
        return all(
            math.hypot(place[0] - qx, place[1] - qy) > cfg["own_place_distance"]
            for m in self.marks
            if m.generator != mark.generator
            for qx, qy in m.places
        )

    def _residue(self, cfg: dict) -> Evidence | None:
        if self.residue is None:
            return None
        score, amp, m, box, place = self.residue
        lo, hi = cfg["residue_amplitude"]
        if score < cfg["residue_min_score"] or not lo <= amp <= hi:
            return None
        gens = sorted(
            {
                k.generator
                for k in self.marks
                if k.shape == "sparkle"
                and any(
                    abs(px - p[0]) < 0.02 and abs(py - p[1]) < 0.02
                    for px, py in k.places
                    for p in m.places
                )
            }
        )
        gen = m.generator if gens == [m.generator] else None
        detail = (
            f"A faint ghost of {m.name}'s sparkle sits exactly at its stamp place and size "
            f"(correlation {score:.2f} with the drawn sparkle; it lifts the pixels by "
            f"{amp:.0%} of their headroom to white, where the stamp itself lifts them "
            "by about half): what a reverse alpha blend with a slightly wrong "
            "alpha map leaves behind."
        )
        return Evidence(
            "stripping",
            "stripping.visible-watermark-removed",
            detail,
            cfg["unblend-residue"],
            CLAIM_STRIPPED,
            generator=gen,
            stripped="visible-watermark-removed",
            where={
                "method": "unblend-residue",
                "frames": [self.samples[0].index],
                "boxes": [box],
                "place": list(place),
                "candidates": gens or [m.generator],
                "score": round(score, 3),
                "alpha": round(amp, 3),
            },
        )

    def _still_hole(self, cfg: dict) -> Evidence | None:
        holes = self.samples[0].holes
        if holes is None or not holes.hits:
            return None
        best = holes.hits[0]
        gens = sorted({h.mark.generator for h in holes.hits})
        gen = best.mark.generator if len(gens) == 1 else None
        name = best.mark.name if gen else "a generator"
        n_ctrl = holes.controls[self.holes.size_of(best.mark)]
        detail = (
            f"A stamp-sized patch at {name}'s stamp place is smooth where the rest of the "
            f"image has fine grain: {best.score:.0%} more of its pixels are flat than in "
            f"the ring around it, against at most {max(best.control_max, 0):.0%} at "
            f"{n_ctrl} control windows of the same image and "
            f"{max(best.mirror_max, 0):.0%} at the mirrored places: the stamp was likely "
            "painted out (inpainting or blur)."
        )
        return Evidence(
            "stripping",
            "stripping.visible-watermark-removed",
            detail,
            cfg["inpaint-traces.still"],
            CLAIM_STRIPPED,
            generator=gen,
            stripped="visible-watermark-removed",
            where={
                "method": "still-texture-hole",
                "frames": [self.samples[0].index],
                "boxes": [h.box for h in holes.hits[:4]],
                "place": [round(v, 3) for v in best.place],
                "candidates": gens,
                "flat_excess": round(best.score, 3),
                "control_max": round(best.control_max, 3),
                "mirror_max": round(best.mirror_max, 3),
                "controls": n_ctrl,
            },
        )

    def _cut_at_edge(self, cfg: dict) -> Evidence | None:
        if self.held is None or self.moving_pairs < cfg["held_min_pairs"]:
            return None
        overlay = (self.held >= cfg["held_min_pairs"]).astype(np.uint8)
        # Letters of one word join into one piece (an H.264 re-encode breaks thin strokes
        # apart); sizes and boxes are measured on the held pixels themselves.
        joined = cv2.dilate(overlay, np.ones(cfg["cut_join"], np.uint8))
        n, labels, _, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
        h, w = overlay.shape
        hits = []
        for i in range(1, n):
            ys, xs = np.nonzero((labels == i) & (overlay > 0))
            area = len(xs)
            if area < cfg["cut_min_pixels"]:
                continue
            x, y = int(xs.min()), int(ys.min())
            bw, bh = int(xs.max()) - x + 1, int(ys.max()) - y + 1
            edges = [
                e
                for e, t in (
                    ("left", x == 0),
                    ("top", y == 0),
                    ("right", x + bw >= w),
                    ("bottom", y + bh >= h),
                )
                if t
            ]
            if edges:
                hits.append((area, (x, y, bw, bh), edges))
        if not hits:
            return None
        # Attribute by the nearest generator place.
        area, box, edges = max(hits)
        s = 1.0 / self.scale
        full = [int(box[0] * s), int(box[1] * s), int(box[2] * s), int(box[3] * s)]
        cx, cy = (box[0] + box[2] / 2) / w, (box[1] + box[3] / 2) / h
        # Several generators share corner places: name the ones near, attribute none.
        near = sorted(
            {
                m.generator
                for m in self.marks
                if min(math.hypot(cx - px, cy - py) for px, py in m.places) < 0.25
            }
        )
        return Evidence(
            "stripping",
            "stripping.stamp-cut-at-edge",
            f"An overlay (strokes that hold still while the scene moves, like a stamp) is cut "
            f"by the {' and '.join(edges)} edge of the frame: the picture was cropped through "
            "it.",
            cfg["stamp-cut-at-edge"],
            CLAIM_STRIPPED,
            stripped="cropped",
            where={
                "method": "overlay-cut",
                "boxes": [full],
                "edges": edges,
                "pieces": len(hits),
                "near_places_of": near,
                "frames": [self.samples[0].index],
            },
        )

    # ------------------------------------------------------------------ images
    def _images(self, evidence: list[Evidence]) -> dict[str, np.ndarray]:
        wanted: dict[int, list[tuple[list[int], str]]] = {}
        for ev in evidence:
            frames = ev.where.get("frames") or [self.samples[0].index]
            for f, box in zip(frames, ev.where.get("boxes") or [], strict=False):
                drawn = wanted.setdefault(int(f), [])
                if all(b != box for b, _ in drawn):  # records citing one box: first label
                    drawn.append((box, ev.where.get("method", ev.kind)))
        images = {}
        for frame in self.context.frames.read_many(sorted(wanted)[:8]):
            img = frame.image.copy()
            for box, label in wanted[frame.index]:
                x, y, bw, bh = box
                cv2.rectangle(img, (x, y), (x + bw, y + bh), (255, 0, 255), 2)
                cv2.putText(
                    img,
                    label,
                    (x, max(14, y - 6)),
                    cv2.FONT_HERSHEY_SIMPLEX,
                    0.5,
                    (255, 0, 255),
                    1,
                    cv2.LINE_AA,
                )
            images[f"removal_f{frame.index:06d}"] = img
        return images
