"""Rules on visible marks: a generator's stamp read or matched is good evidence of the
generator but never decisive (anyone can paint one); text that only behaves like an overlay
is context."""

from __future__ import annotations

from collections.abc import Iterator

from provenance.detectors.visible.observations import IconMatch, MarkRead, OverlayText
from provenance.detectors.visible.text_match import normalise
from provenance.knowledge.generators import display_name, get
from provenance.knowledge.numbers import Section
from provenance.model.records import (
    CLAIM_GENERATED,
    CLAIM_INFO,
    Evidence,
    Sighting,
    Watermark,
)
from provenance.rules.base import Facts, rule

_SHAPE_WORDS = {"sparkle": "A four-point sparkle", "cloud": "A cloud icon"}


def _corner(place: tuple[float, float]) -> str:
    x, y = place
    v = "top" if y < 1 / 3 else "bottom" if y > 2 / 3 else "middle"
    h = "left" if x < 1 / 3 else "right" if x > 2 / 3 else "centre"
    return "the centre" if (v, h) == ("middle", "centre") else f"the {v}-{h} corner"


def _ocr_confidence(obs: MarkRead, n: Section) -> float:
    conf = n["base"] + n["per_match"] * obs.quality * obs.ocr_score
    conf += n["overlay_bonus"] if obs.overlay else 0.0
    conf += n["handle_bonus"] if obs.handle else 0.0
    conf += n["places_bonus"] if obs.places >= 2 and obs.moving else 0.0
    return round(min(n["cap"], conf), 3)


def _template_confidence(obs: IconMatch, n: Section) -> float:
    return round(
        min(n["template_cap"], n["template_base"] + n["template_per_score"] * obs.score), 3
    )


def _at_its_place(obs: MarkRead, facts: Facts, n: Section) -> bool:
    """A mark whose text is short and common ("AI") counts only where the data file puts it:
    such text turns up on menus and signs (a cafe board once read as Seedance's "AI")."""
    if len(normalise(obs.text)) > n["short_text_chars"]:
        return True
    gen = get(obs.generator)
    w, h = facts.media.width, facts.media.height
    if gen is None or not w or not h:
        return False
    places = [p for m in gen.visible if obs.text in m.texts for p in m.places]
    near = n["short_text_near"]
    return any(
        abs((x + bw / 2) / w - px) <= near and abs((y + bh / 2) / h - py) <= near
        for x, y, bw, bh in obs.boxes
        for px, py in places
    )


@rule("visible.mark")
def mark(facts: Facts, n: Section) -> Iterator[Evidence | Watermark]:
    read = [o for o in facts.of(MarkRead) if _at_its_place(o, facts, n)]
    for obs in read:
        conf = _ocr_confidence(obs, n)
        frames = sorted({s.frame for s in obs.track})
        handle = f" with handle {obs.handle}" if obs.handle else ""
        where = f"at {obs.places} places" if obs.places > 1 else "at one place"
        yield Watermark(
            kind="visible",
            generator=obs.generator,
            confidence=conf,
            method="ocr",
            text=obs.text,
            handle=obs.handle,
            track=obs.track,
            stats={
                "sampled_frames": obs.sampled,
                "frames_seen": len(frames),
                "places": obs.places,
                "ocr_score": round(obs.ocr_score, 3),
                "match": round(obs.quality, 3),
                "overlay_behaviour": obs.overlay,
            },
        )
        yield Evidence(
            source="visible-watermark",
            kind="visible.mark",
            detail=(
                f'The "{obs.text}" stamp{handle} of {display_name(obs.generator)} is visible in '
                f"{len(frames)} of {obs.sampled} sampled frames {where}"
            ),
            confidence=conf,
            claim=CLAIM_GENERATED,
            generator=obs.generator,
            where={"frames": frames, "boxes": obs.boxes},
        )
    # Several generators share an icon (the sparkle): report the best fit, file order on
    # ties, and only for generators whose mark was not read already.
    read_by = {o.generator for o in read}
    icons = [o for o in facts.of(IconMatch) if o.generator not in read_by]
    if not icons:
        return
    best = max(icons, key=lambda o: _template_confidence(o, n))
    conf = _template_confidence(best, n)
    frames = [s.frame for s in best.track]
    yield Watermark(
        kind="visible",
        generator=best.generator,
        confidence=conf,
        method="template",
        text=None,
        track=best.track,
        stats={
            "shape": best.shape,
            "test": best.test,
            "template_score": round(best.score, 3),
            **({"blend_fit": round(best.blend_fit, 3)} if best.blend_fit is not None else {}),
            **({"half_turn": round(best.half_turn, 3)} if best.half_turn is not None else {}),
            "also_fits": [o.generator for o in icons if o is not best],
        },
    )
    yield Evidence(
        source="visible-watermark",
        kind="visible.mark",
        detail=_icon_detail(best, len(frames)),
        confidence=conf,
        claim=CLAIM_GENERATED,
        generator=best.generator,
        where={"frames": frames, "boxes": [list(best.track[0].box or ())]},
    )


def _icon_detail(obs: IconMatch, seen: int) -> str:
    what = _SHAPE_WORDS.get(obs.shape, f"A {obs.shape} icon")
    name = display_name(obs.generator)
    if obs.test == "symmetry":
        step = 360 // (obs.order or 1)
        return (
            f"A white emblem with {obs.order}-fold symmetry, like {name}'s mark (the OpenAI "
            f"knot), sits near {_corner(obs.place)} in {seen} of {obs.checked} checked frames: "
            f"turned by {step} and {2 * step} degrees it matches itself (correlation "
            f"{obs.score:.2f}), turned by {step // 2} it does not ({obs.half_turn or 0.0:.2f})"
        )
    if obs.test != "blend":
        return (
            f"{what} like {name}'s mark sits near {_corner(obs.place)} in {seen} of "
            f"{obs.checked} checked frames (template score {obs.score:.2f})"
        )
    box = obs.track[0].box or (0, 0, 0, 0)
    return (
        f"{what} of {box[2]} px sits {obs.margin_px} px from the right and bottom edges, where "
        f"{name} puts its mark at this size, in {seen} of {obs.checked} checked frames: the "
        f"picture steps up into its outline as a white blend of opacity {obs.opacity:.2f} "
        f"would, on {obs.score:.0%} of the outline (measured / predicted step "
        f"{obs.blend_fit:.2f})"
    )


@rule("visible.unknown-overlay")
def unknown_overlay(facts: Facts, n: Section) -> Iterator[Evidence | Watermark]:
    for obs in facts.of(OverlayText):
        if (
            not obs.overlay
            or obs.prior_only
            or obs.crisp < n["min_crisp"]
            or obs.contiguity < n["min_contiguity"]
        ):
            continue
        good = [
            (t, s)
            for t, s in obs.lines
            if s >= n["min_score"] and sum(ch.isalnum() for ch in t) >= n["min_chars"]
        ]
        if not good:
            continue
        text = " / ".join(t for t, _ in good)
        score = min(s for _, s in good)
        conf = round(n["base"] + n["per_score"] * score * obs.crisp, 3)
        track = [Sighting(f, t, obs.box, round(score, 3)) for f, t in obs.presence]
        frames = [s.frame for s in track]
        yield Watermark(
            kind="visible",
            generator=None,
            confidence=conf,
            method="ocr",
            text=text,
            track=track,
            stats={"ocr_score": round(score, 3), "crisp": round(obs.crisp, 3)},
        )
        yield Evidence(
            source="visible-watermark",
            kind="visible.unknown-overlay",
            detail=(
                f'An overlay reading "{text}" stays on screen in {len(frames)} of {obs.sampled} '
                "sampled frames; it matches no known generator mark"
            ),
            confidence=conf,
            claim=CLAIM_INFO,
            where={"frames": frames, "boxes": [list(obs.box)]},
        )
