"""Painted-out stamps: texture holes at a mark's places, per frame (``texture_holes``) and
decided over the file here.

A clip counts the frames with a hole against the chance rate measured at control windows of
the same frames (binomial test); only frames where the scene moved at the place are new
looks, only a patch that changed with the scene is a fill, and a smooth patch framed by
held strokes or edges is a static graphic. A still needs one clear hole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from provenance.detectors.removal import inpaint_traces as tr
from provenance.detectors.removal.held import HeldOverlay
from provenance.detectors.removal.marks import StampPlaces, own_place
from provenance.detectors.removal.observations import PaintedOut, StillHole
from provenance.detectors.removal.texture_holes import FrameHoles, PlaceHit, TextureHoles
from provenance.knowledge.numbers import Section

Window = tuple[int, int, int, int]  # x0, y0, x1, y1 in work pixels


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), in log space (no overflow for any n)."""
    if k <= 0:
        return 1.0
    if k > n or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    logs = [
        math.lgamma(n + 1)
        - math.lgamma(i + 1)
        - math.lgamma(n - i + 1)
        + i * math.log(p)
        + (n - i) * math.log1p(-p)
        for i in range(k, n + 1)
    ]
    top = max(logs)
    return min(1.0, math.exp(top) * sum(math.exp(v - top) for v in logs))


@dataclass
class _Look:
    """One fed frame: its work copy and its texture-hole scores (None: nothing was tested)."""

    index: int
    gray: np.ndarray  # work copy, for motion and fill change
    holes: FrameHoles | None


class HoleSearch:
    def __init__(
        self,
        marks: list[StampPlaces],
        full_shape: tuple[int, int],
        work_shape: tuple[int, int],
        scale: float,
        still: bool,
        params: Section,
    ) -> None:
        self.params = params
        if still and params["still_needs_measured_height"]:
            # One frame, no count: only a box of the stamp's measured size is a fair test.
            marks = [m for m in marks if m.height_range]
        self.marks = marks
        self.work_shape = work_shape
        self.scale = scale  # work / full
        kind = "still" if still else "clip"
        self.holes = TextureHoles(
            marks,
            full_shape,
            params,
            params[f"{kind}_min_controls"],
            params[f"{kind}_min_excess"],
            params[f"{kind}_min_margin"],
            None if still else params["clip_max_controls"],
            params["still_flat_ring_max"] if still else None,
        )
        self.still = still
        self.looks: list[_Look] = []

    def feed(self, index: int, full_gray: np.ndarray, work_gray: np.ndarray) -> None:
        holes = None
        if self.holes.sizes:
            # One integral image of flat pixels serves the still's grain test and the boxes.
            level = self.params["flat_level"]
            integral = tr.flat_integral(full_gray, level)
            if not (
                self.still
                and tr.flat_share(full_gray, level, integral) > self.params["still_max_flat_share"]
            ):
                holes = self.holes.score(full_gray, integral)
            # else: no grain anywhere for a fill to remove: nothing to test
        self.looks.append(_Look(index, work_gray, holes))

    # ------------------------------------------------------------------ clips
    def painted_out(self, held: HeldOverlay) -> PaintedOut | None:
        p = self.params
        results = []
        for m in self.marks:
            si = self.holes.size_of(m)
            if si is None:
                continue
            chance: list[float] = []
            hits: list[tuple[int, PlaceHit]] = []
            for i, look in enumerate(self.looks):
                # Only frames where the scene moved at the mark's places are new looks: a
                # still camera shows the same smooth table top in every frame.
                moved = [pl for pl in m.places if self._moved(i, pl, m)]
                if look.holes is None or not moved:
                    continue
                q = max(look.holes.chance.get(si, 0.0), p["chance_floor"])
                chance.append(1 - (1 - q) ** len(moved))
                hit = next(
                    (
                        h
                        for h in look.holes.hits
                        if h.mark is m
                        and h.place in moved
                        and self._fill_changed(i, h)
                        and not held.around(self._work_box(h))
                    ),
                    None,
                )
                if hit:
                    hits.append((look.index, hit))
            if not hits:
                continue
            tested, p0 = len(chance), float(np.mean(chance))
            pval = binomial_tail(len(hits), tested, p0)
            if (
                pval <= p["max_p_value"]
                and len(hits) >= p["min_hole_frames"]
                and len(hits) >= p["min_hole_share"] * tested
            ):
                results.append((pval, m, hits, tested, p0))
        if not results:
            return None
        results.sort(key=lambda t: t[0])
        gens = sorted({r[1].generator for r in results})
        # Marks of several generators share places (corners): a generator is named only when
        # the hole sat, in enough frames, at a place of its own (Sora's mid-edge places), and
        # no other generator did so.
        dist = p["own_place_distance"]
        own = [
            r
            for r in results
            if sum(own_place(r[1], h.place, self.marks, dist) for _, h in r[2])
            >= p["min_hole_frames"]
        ]
        named = own[0] if len({r[1].generator for r in own}) == 1 else None
        pval, m, hits, tested, p0 = named or results[0]
        places = sorted({h.place for _, h in hits})
        excess = [h.score for _, h in hits]
        return PaintedOut(
            generator=m.generator if named else None,
            mark_name=m.name,
            candidates=gens,
            frames=[f for f, _ in hits],
            boxes=[h.box for _, h in hits],
            places=places,
            own_places=[pl for pl in places if own_place(m, pl, self.marks, dist)],
            frames_tested=tested,
            chance=p0,
            p_value=pval,
            excess=(min(excess), max(excess)),
        )

    def _work_box(self, hit: PlaceHit) -> tuple[int, int, int, int]:
        x, y, bw, bh = (int(round(v * self.scale)) for v in hit.box)
        return x, y, bw, bh

    def _change(self, i: int, window: Window) -> tuple[float, int]:
        """Mean grey difference (work copy) inside the window between look i and the one
        before (the next, for the first), and the pixel count."""
        x0, y0, x1, y1 = window
        a = self.looks[i].gray[y0:y1, x0:x1]
        b = self.looks[i - 1 if i else 1].gray[y0:y1, x0:x1]
        return (float(np.mean(cv2.absdiff(a, b))) if a.size else 0.0), a.size

    def _moved(self, i: int, place: tuple[float, float], mark: StampPlaces) -> bool:
        """The scene changed in the place's window since the previous sample."""
        if len(self.looks) < 2:
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
        return self._change(i, window)[0] >= self.params["hole_min_motion"]

    def _fill_changed(self, i: int, hit: PlaceHit) -> bool:
        """The smooth patch changed with the scene around it: a fill (inpainting takes its
        values from the moving border, a blur box blurs the moving scene), not a static
        graphic such as a channel logo plate, which is as smooth but stays the same."""
        h, w = self.work_shape
        x, y, bw, bh = self._work_box(hit)
        inner = (max(0, x), max(0, y), min(w, x + bw), min(h, y + bh))
        outer = (max(0, x - bw), max(0, y - bh), min(w, x + 2 * bw), min(h, y + 2 * bh))
        c_in, n_in = self._change(i, inner)
        c_out, n_out = self._change(i, outer)
        ring = (c_out * n_out - c_in * n_in) / max(1, n_out - n_in)
        return c_in >= self.params["fill_min_change_share"] * max(ring, 0.5)

    # ------------------------------------------------------------------ stills
    def still_hole(self) -> StillHole | None:
        look = self.looks[0] if self.looks else None
        if look is None or look.holes is None or not look.holes.hits:
            return None
        holes = look.holes
        best = holes.hits[0]
        gens = sorted({h.mark.generator for h in holes.hits})
        named = len(gens) == 1
        size = self.holes.size_of(best.mark)
        return StillHole(
            generator=best.mark.generator if named else None,
            mark_name=best.mark.name if named else None,
            candidates=gens,
            frame=look.index,
            boxes=[h.box for h in holes.hits[:4]],
            place=best.place,
            excess=best.score,
            control_max=best.control_max,
            mirror_max=best.mirror_max,
            controls=holes.controls[size] if size is not None else 0,
            band_max=best.band_max,
        )
