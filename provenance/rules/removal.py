"""Rules on the removal detector's observations: painted-out, flickering-back, unblended and
cut-away stamps (detectors/removal/; docs/stripping.md)."""

from __future__ import annotations

from collections.abc import Iterator

from provenance.detectors.geometry import as_box, grow, overlap_area
from provenance.detectors.removal.observations import (
    EdgeCut,
    FlickerBack,
    PaintedOut,
    StillHole,
    UnblendResidue,
)
from provenance.detectors.visible.observations import IconMatch, MarkRead
from provenance.knowledge.generators import display_name
from provenance.knowledge.numbers import Section
from provenance.model.records import (
    CLAIM_GENERATED,
    CLAIM_STRIPPED,
    Evidence,
    Watermark,
)
from provenance.rules.base import Facts, Judged, rule
from provenance.rules.credentials import signed_pixels
from provenance.text import and_list

VWR = "visible-watermark-removed"


def _names(ids: list[str]) -> str:
    return and_list([display_name(g) or g for g in ids])


def _flicker_where(obs: FlickerBack) -> dict:
    return {
        "frames": obs.frames,
        "boxes": [list(s.box) for s in obs.track if s.box],
        "sampled": obs.sampled,
        "shape": obs.shape,
    }


def _flicker_name(obs: FlickerBack) -> str:
    return (display_name(obs.generator) if obs.generator else None) or f"a {obs.shape} stamp"


@rule("visible.stamp-flicker-back")
def stamp_flicker_back(facts: Facts, n: Section) -> Iterator[Evidence | Watermark]:
    """The icon that came back in a few frames is also evidence of its generator."""
    for obs in facts.of(FlickerBack):
        yield Watermark(
            "visible",
            obs.generator,
            n["confidence"],
            "template",
            track=obs.track,
            stats={
                "shape": obs.shape,
                "frames_with_stamp": len(obs.frames),
                "frames_sampled": obs.sampled,
            },
        )
        scores = [s.score or 0.0 for s in obs.track]
        yield Evidence(
            "visible-watermark",
            "visible.stamp-flicker-back",
            f"{_flicker_name(obs)}'s {obs.shape} icon (template drawn in code, scores "
            f"{min(scores):.2f}-{max(scores):.2f}) is visible in {len(obs.frames)} sampled "
            "frames of a clip whose stamp was otherwise removed.",
            n["confidence"],
            CLAIM_GENERATED,
            generator=obs.generator,
            where=_flicker_where(obs),
        )


def _painted_where(obs: PaintedOut) -> dict:
    return {
        "frames": obs.frames[:24],
        "boxes": obs.boxes[:24],
        "places": [list(p) for p in obs.places],
    }


@rule("stripping.removed-stamp-places")
def removed_stamp_places(facts: Facts, n: Section) -> Iterator[Evidence]:
    """A painted-out patch at places only one generator uses names whose stamp it was."""
    if signed_pixels(facts.c2pa):
        return
    for obs in facts.of(PaintedOut):
        if not obs.generator:
            continue
        spots = ", ".join(f"x {x:.2f}, y {y:.2f}" for x, y in obs.own_places)
        yield Evidence(
            "stripping",
            "stripping.removed-stamp-places",
            f"The painted-out patch sits at {obs.mark_name}'s stamp places, including ({spots} "
            "of the frame) where no other generator in the data file puts a mark: the removed "
            f"stamp was most likely {obs.mark_name}'s.",
            n["confidence"],
            CLAIM_GENERATED,
            generator=obs.generator,
            where={**_painted_where(obs), "own_places": [list(p) for p in obs.own_places]},
        )


@rule("stripping.visible-watermark-removed", stage="stripping")
def visible_watermark_removed(j: Judged, n: Section) -> Iterator[Evidence]:
    if signed_pixels(j.c2pa):
        return  # the pixels are as signed: nothing was painted out after signing
    for flicker in j.of(FlickerBack):
        frames = flicker.frames
        yield Evidence(
            "stripping",
            "stripping.visible-watermark-removed",
            f"{_flicker_name(flicker)}'s {flicker.shape} icon shows in only {len(frames)} of "
            f"{flicker.sampled} sampled frames (frames {', '.join(map(str, frames[:6]))}); "
            "elsewhere it is gone: a remover missed it in those frames (the stamp flickers "
            "back).",
            n["flicker-back"],
            CLAIM_STRIPPED,
            generator=flicker.generator,
            stripped=VWR,
            where={**_flicker_where(flicker), "method": "flicker-back"},
        )
    for obs in j.of(PaintedOut):
        many = len(obs.places) > 1
        whose = (
            f"{obs.mark_name}'s stamp place{'s' if many else ''}"
            if obs.generator
            else f"{'stamp places' if many else 'a stamp place'} that {_names(obs.candidates)} use"
        )
        low, high = obs.excess
        yield Evidence(
            "stripping",
            "stripping.visible-watermark-removed",
            f"In {len(obs.frames)} of {obs.frames_tested} sampled frames a stamp-sized patch at "
            f"{whose} is smooth where the rest of the frame has fine texture ({low:.0%}-"
            f"{high:.0%} more flat pixels than the ring around it, more than at every control "
            f"window, at the mirrored places and beside it at the same height), where chance "
            f"alone would give such a patch in "
            f"{obs.chance:.0%} of frames: the stamp was painted out (inpainting or blur).",
            n["inpaint-traces"],
            CLAIM_STRIPPED,
            generator=obs.generator,
            stripped=VWR,
            where={
                **_painted_where(obs),
                "method": "inpaint-traces",
                "candidates": obs.candidates,
                "frames_tested": obs.frames_tested,
                "chance": round(obs.chance, 4),
                "p_value": float(f"{obs.p_value:.3g}"),
            },
        )
    for hole in j.of(StillHole):
        name = hole.mark_name if hole.generator else "a generator"
        beside = (
            f" and {hole.band_max:.0%} beside it at the same height" if hole.band_max >= 0 else ""
        )
        yield Evidence(
            "stripping",
            "stripping.visible-watermark-removed",
            f"A stamp-sized patch at {name}'s stamp place is smooth where the rest of the image "
            f"has fine grain: {hole.excess:.0%} more of its pixels are flat than in the ring "
            f"around it, against at most {max(hole.control_max, 0):.0%} at {hole.controls} "
            f"control windows of the same image, {max(hole.mirror_max, 0):.0%} at the "
            f"mirrored places{beside}: the stamp was likely painted out (inpainting or blur).",
            n["still-texture-hole"],
            CLAIM_STRIPPED,
            generator=hole.generator,
            stripped=VWR,
            where={
                "method": "still-texture-hole",
                "frames": [hole.frame],
                "boxes": hole.boxes,
                "place": [round(v, 3) for v in hole.place],
                "candidates": hole.candidates,
                "flat_excess": round(hole.excess, 3),
                "control_max": round(hole.control_max, 3),
                "mirror_max": round(hole.mirror_max, 3),
                "band_max": round(hole.band_max, 3),
                "controls": hole.controls,
            },
        )
    for ghost in j.of(UnblendResidue):
        yield Evidence(
            "stripping",
            "stripping.visible-watermark-removed",
            f"A faint ghost of {ghost.mark_name}'s sparkle sits exactly at its stamp place and "
            f"size (correlation {ghost.score:.2f} with the drawn sparkle; it lifts the pixels "
            f"by {ghost.alpha:.0%} of their headroom to white, where the stamp itself lifts "
            "them by about half): what a reverse alpha blend with a slightly wrong alpha map "
            "leaves behind.",
            n["unblend-residue"],
            CLAIM_STRIPPED,
            generator=ghost.generator,
            stripped=VWR,
            where={
                "method": "unblend-residue",
                "frames": [ghost.frame],
                "boxes": [ghost.box],
                "place": list(ghost.place),
                "candidates": ghost.candidates,
                "score": round(ghost.score, 3),
                "alpha": round(ghost.alpha, 3),
            },
        )


def _cut_mark(j: Judged, cut: EdgeCut) -> str | None:
    """The generator whose identified mark the cut overlay is: a sighting of a mark read or
    matched in this file overlaps it, or the mark moves between places and the cut sits at
    one of them. An unknown logo or HUD cut by the edge names nobody."""
    seen: list[tuple[str, bool, list]] = [
        (o.generator, o.moving, [s.box for s in o.track]) for o in j.of(MarkRead)
    ]
    seen += [(o.generator, False, [s.box for s in o.track]) for o in j.of(IconMatch)]
    seen += [
        (o.generator, False, [s.box for s in o.track]) for o in j.of(FlickerBack) if o.generator
    ]
    box = as_box(cut.box)
    for generator, _, boxes in seen:
        if any(b and overlap_area(grow(as_box(b), 0.5), box) > 0 for b in boxes):
            return generator
    for generator, moving, _ in seen:
        if moving and generator in cut.near_places_of:
            return generator
    return None


@rule("stripping.stamp-cut-at-edge", stage="stripping")
def stamp_cut_at_edge(j: Judged, n: Section) -> Iterator[Evidence]:
    if signed_pixels(j.c2pa):
        return
    for cut in j.of(EdgeCut):
        generator = _cut_mark(j, cut)
        if generator is None:
            continue
        name = display_name(generator)
        yield Evidence(
            "stripping",
            "stripping.stamp-cut-at-edge",
            f"{name}'s stamp (strokes that hold still while the scene moves) is cut by the "
            f"{' and '.join(cut.edges)} edge of the frame: the picture was cropped through it.",
            n["confidence"],
            CLAIM_STRIPPED,
            generator=generator,
            stripped="cropped",
            where={
                "method": "overlay-cut",
                "boxes": [cut.box],
                "edges": cut.edges,
                "pieces": cut.pieces,
                "near_places_of": cut.near_places_of,
                "frames": [cut.frame],
            },
        )
