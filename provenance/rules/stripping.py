"""Stripping rules that need the whole picture: the attributed generator and the evidence of
the first stage.

Per-source stripping facts (a hash mismatch, a dangling XMP pointer) are judged by the rules
of their source; painted-out stamps by rules/removal.py. Here: a generator that embeds
Content Credentials by default was identified, yet the file has none; a file attributed to a
generator does not have that generator's frame size or encoder; a generator that always
stamps left no stamp.
"""

from __future__ import annotations

from collections.abc import Iterator

from provenance.knowledge.generators import Generator, get
from provenance.knowledge.numbers import Section
from provenance.model.records import CLAIM_COMPOSITE, CLAIM_GENERATED, CLAIM_STRIPPED, Evidence
from provenance.rules.base import Judged, rule
from provenance.rules.container import encoder_match, writer_strings
from provenance.rules.credentials import signed_pixels


@rule("stripping.c2pa-removed", stage="stripping")
def c2pa_removed(j: Judged, n: Section) -> Iterator[Evidence]:
    """A generator that writes Content Credentials by default was identified; none are here."""
    if j.c2pa.state != "absent" or j.c2pa.sidecar:
        return
    if any(e.stripped == "c2pa-removed" for e in j.evidence):
        return  # already proven more directly (e.g. a dangling XMP pointer)
    seen: set[str] = set()
    # Strongest identification first: a visible stamp outweighs a container fingerprint.
    for ev in sorted(j.evidence, key=lambda e: -e.confidence):
        if ev.claim not in (CLAIM_GENERATED, CLAIM_COMPOSITE) or not ev.generator:
            continue
        gen = get(ev.generator)
        if gen is None or not gen.c2pa_by_default or gen.id in seen:
            continue
        seen.add(gen.id)
        yield Evidence(
            "stripping",
            "stripping.c2pa-removed",
            f"{gen.name} writes Content Credentials into its downloads by default, and this "
            f"file was identified as {gen.name} output ({ev.source}), yet it has no manifest: "
            "the credentials were most likely removed (re-encode or platform upload).",
            min(n["confidence"], ev.confidence),
            CLAIM_STRIPPED,
            generator=gen.id,
            stripped="c2pa-removed",
            where={"identified_by": ev.kind},
        )


def _attributed_video(j: Judged) -> Generator | None:
    """The generator a video was attributed to (AI yes/likely), with its frame size known,
    unless its signed pixels are intact (then nothing was cropped or re-encoded after
    signing)."""
    media = j.media
    if j.attribution.ai_generated not in ("yes", "likely") or signed_pixels(j.c2pa):
        return None
    if media.kind != "video" or not media.width or not media.height:
        return None
    return get(j.attribution.generator)


@rule("stripping.cropped", stage="stripping")
def cropped(j: Judged, n: Section) -> Iterator[Evidence]:
    gen = _attributed_video(j)
    # A size missing from a table that is not known to be complete says nothing.
    if gen is None or not gen.output.sizes or not gen.output.sizes_complete:
        return
    media, sizes = j.media, gen.output.sizes
    assert media.width and media.height  # _attributed_video checked
    if (media.width, media.height) in sizes:
        return
    aspect = media.width / media.height
    if all(abs(aspect - w / h) / (w / h) > n["aspect_tolerance"] for w, h in sizes):
        yield Evidence(
            "stripping",
            "stripping.cropped",
            f"{media.width}x{media.height} is not a frame size {gen.name} makes, nor a "
            "rescale of one (the aspect ratio differs): the picture was probably cropped.",
            n["confidence"],
            CLAIM_STRIPPED,
            generator=gen.id,
            stripped="cropped",
            where={"size": [media.width, media.height], "known": [list(s) for s in sizes]},
        )


def _rewritten(j: Judged) -> tuple[Generator, list[str]] | None:
    """The attributed generator and the encoder strings of a file it did not write itself."""
    gen = _attributed_video(j)
    container = j.metadata.container
    if gen is None or not container or not gen.output.encoders or not container.encoders:
        return None
    if encoder_match(gen, writer_strings(container)):
        return None
    return gen, container.encoders


@rule("stripping.reencoded", stage="stripping")
def reencoded(j: Judged, n: Section) -> Iterator[Evidence]:
    found = _rewritten(j)
    if found:
        gen, encoders = found
        yield Evidence(
            "stripping",
            "stripping.reencoded",
            f"The file was written by {', '.join(encoders[:2])}, not by the encoder "
            f"{gen.name} uses: it was re-encoded or remuxed (not stripping by itself).",
            n["confidence"],
            CLAIM_STRIPPED,
            generator=gen.id,
            stripped="reencoded",
            where={"encoders": encoders},
        )


@rule("stripping.c2pa-removed.rewrite", stage="stripping")
def c2pa_removed_rewrite(j: Judged, n: Section) -> Iterator[Evidence]:
    """The rewrite is its own reason for `c2pa-removed` when the generator embeds C2PA by
    default (re-encoders and remuxers drop the `uuid` box)."""
    found = _rewritten(j)
    container = j.metadata.container
    if not found or not container or j.c2pa.state != "absent" or container.c2pa_box:
        return
    gen, encoders = found
    if gen.c2pa_by_default:
        yield Evidence(
            "stripping",
            "stripping.c2pa-removed.rewrite",
            f"The container was rewritten by {', '.join(encoders[:2])} (top-level boxes "
            f"{', '.join(container.top_level[:6])}); such rewrites drop the C2PA uuid box "
            f"that {gen.name} writes, which explains the missing manifest.",
            n["confidence"],
            CLAIM_STRIPPED,
            generator=gen.id,
            stripped="c2pa-removed",
            where={"encoders": encoders, "top_level": container.top_level},
        )


@rule("stripping.stamp-missing", stage="stripping")
def stamp_missing(j: Judged, n: Section) -> Iterator[Evidence]:
    """A container fingerprint of a generator that always stamps, with none of its stamps
    seen: weak evidence of removal (paid tiers ship unstamped, generator_signals.md 0.4)."""
    if "visible" not in j.detectors_run or j.media.kind != "video" or signed_pixels(j.c2pa):
        return
    stamped = {e.generator for e in j.evidence if e.source == "visible-watermark" and e.generator}
    for ev in j.evidence:
        gen = get(ev.generator) if ev.kind == "container.output-fingerprint" else None
        if gen is None or not gen.stamps_by_default or not gen.visible or gen.id in stamped:
            continue
        yield Evidence(
            "stripping",
            "stripping.stamp-missing",
            f"The container looks like {gen.name}'s output, whose default tier always shows a "
            "visible mark, yet no mark was seen: it may have been removed (weak: paid tiers "
            "and API output have no mark).",
            n["confidence"],
            CLAIM_STRIPPED,
            generator=gen.id,
            stripped="visible-watermark-removed",
            where={"fingerprint": ev.where},
        )
