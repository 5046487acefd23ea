"""Word-less marks (an icon and no text, e.g. the Gemini/Veo sparkle): template search in the
region where the data file puts the mark, on the overlay tracker's work copies.

The mark is static, so a few frames (``max_frames``) are searched; a match must score in at
least half of them and sit at the same place (within ``agree_px``).
"""

from __future__ import annotations

import numpy as np

from provenance.detectors.shapes import find_shape, local_contrast
from provenance.detectors.stats import median
from provenance.detectors.visible.observations import IconMatch
from provenance.detectors.visible.overlay import OverlayTracker
from provenance.knowledge import generators
from provenance.knowledge.numbers import Section
from provenance.model.records import Sighting


def find_icon(
    tracker: OverlayTracker, gen_id: str, mark: generators.VisibleMark, p: Section
) -> IconMatch | None:
    assert mark.shape is not None
    hh, ww = tracker.samples[0].gray.shape
    short = min(hh, ww)
    lo, hi = mark.height_frac or tuple(p["default_height_frac"])
    sizes = sorted({max(5, int(short * f)) for f in np.linspace(lo, hi, p["sizes"])})
    xs = [pl[0] for pl in mark.places] or [0.9]
    ys = [pl[1] for pl in mark.places] or [0.9]
    x0 = max(0, int(min(xs) * ww - hi * short * 1.5))
    y0 = max(0, int(min(ys) * hh - hi * short * 1.5))
    x1 = min(ww, int(max(xs) * ww + hi * short * 1.5))
    y1 = min(hh, int(max(ys) * hh + hi * short * 1.5))
    if x1 - x0 < sizes[0] or y1 - y0 < sizes[0]:
        return None
    cut = p["min_score"]
    hits = []
    step = max(1, len(tracker.samples) // p["max_frames"])
    ks = range(0, len(tracker.samples), step)
    misses = 0
    for k in ks:
        region = tracker.samples[k].gray[y0:y1, x0:x1]
        hit = find_shape(local_contrast(region), mark.shape, sizes)
        if hit:
            hits.append((k, hit))
            misses += hit.score < cut
        if misses > len(ks) / 2:
            return None  # half the frames can no longer score: the test below fails
    good = [(k, h) for k, h in hits if h.score >= cut]
    if not good or len(good) < max(1, 0.5 * len(hits)):
        return None
    boxes = [h.box for _, h in good]
    bx, by = median([b[0] for b in boxes]), median([b[1] for b in boxes])
    near = p["agree_px"]
    agree = [(k, h) for k, h in good if abs(h.box[0] - bx) <= near and abs(h.box[1] - by) <= near]
    if len(agree) < max(1, 0.5 * len(hits)):
        return None
    track = []
    for k, h in agree:
        bx0, by0, bw, bh = h.box
        box = tracker.to_full((bx0 + x0, by0 + y0, bw, bh), tracker.work_scale)
        sample = tracker.samples[k]
        track.append(Sighting(sample.index, sample.time_s, box, round(h.score, 3)))
    return IconMatch(
        generator=gen_id,
        shape=mark.shape,
        place=(mark.places[0][0], mark.places[0][1]) if mark.places else (0.9, 0.9),
        score=median([h.score for _, h in agree]),
        track=track,
        checked=len(hits),
    )
