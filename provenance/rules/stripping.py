"""Stripping evidence that needs the other detectors' results first.

Per-source stripping facts (a hash mismatch, a dangling XMP pointer) are found
where they are read. This module adds what only the whole picture shows: a
generator that embeds Content Credentials by default was identified by other
evidence, yet the file has no manifest.
"""

from __future__ import annotations

from provenance.knowledge.datafiles import load_toml
from provenance.knowledge.generators import get
from provenance.model.records import (
    CLAIM_COMPOSITE,
    CLAIM_GENERATED,
    CLAIM_STRIPPED,
    Evidence,
    MediaInfo,
)
from provenance.readers.credentials.reader import C2paInfo
from provenance.readers.metadata import MetadataInfo
from provenance.rules.container import _encoder_match, _writer_strings
from provenance.rules.credentials import weight


def infer(evidence: list[Evidence], c2pa: C2paInfo) -> list[Evidence]:
    out: list[Evidence] = []
    if c2pa.state != "absent" or c2pa.sidecar:
        return out
    if any(e.stripped == "c2pa-removed" for e in evidence):
        return out  # already proven more directly (e.g. a dangling XMP pointer)
    seen: set[str] = set()
    # Strongest identification first: a visible stamp outweighs a container fingerprint.
    for ev in sorted(evidence, key=lambda e: -e.confidence):
        if ev.claim not in (CLAIM_GENERATED, CLAIM_COMPOSITE) or not ev.generator:
            continue
        gen = get(ev.generator)
        if gen is None or not gen.c2pa_by_default or gen.id in seen:
            continue
        seen.add(gen.id)
        out.append(
            Evidence(
                "stripping",
                "stripping.c2pa-removed",
                f"{gen.name} writes Content Credentials into its downloads by default, "
                "and this file "
                f"was identified as {gen.name} output ({ev.source}), yet it has no manifest: "
                "the credentials were most likely removed (re-encode or platform upload).",
                min(weight("stripping.c2pa-removed.by-generator"), ev.confidence),
                CLAIM_STRIPPED,
                generator=gen.id,
                stripped="c2pa-removed",
                where={"identified_by": ev.kind},
            )
        )
    return out


def stripping_evidence(
    generator_id: str | None, media: MediaInfo, meta: MetadataInfo, c2pa_state: str = "absent"
) -> list[Evidence]:
    """`cropped` and `reencoded` for a file already attributed to ``generator_id``; when the
    generator embeds C2PA by default and the manifest is gone, the rewrite is also its own
    reason for `c2pa-removed` (re-encoders and remuxers drop the `uuid` box)."""
    gen = get(generator_id)
    if gen is None or media.kind != "video" or not media.width or not media.height:
        return []
    weights = load_toml("weights.toml")["stripping"]
    out: list[Evidence] = []
    sizes = gen.output.sizes
    if sizes and (media.width, media.height) not in sizes:
        aspect = media.width / media.height
        tol = weights["cropped.aspect_tolerance"]
        if all(abs(aspect - w / h) / (w / h) > tol for w, h in sizes):
            out.append(
                Evidence(
                    "stripping",
                    "stripping.cropped",
                    f"{media.width}x{media.height} is not a frame size {gen.name} makes, nor a "
                    "rescale of one (the aspect ratio differs): the picture was probably cropped.",
                    weights["cropped"],
                    CLAIM_STRIPPED,
                    generator=gen.id,
                    stripped="cropped",
                    where={"size": [media.width, media.height], "known": [list(s) for s in sizes]},
                )
            )
    container = meta.container
    if (
        container
        and gen.output.encoders
        and container.encoders
        and not _encoder_match(gen, _writer_strings(container))
    ):
        out.append(
            Evidence(
                "stripping",
                "stripping.reencoded",
                f"The file was written by {', '.join(container.encoders[:2])}, not by the encoder "
                f"{gen.name} uses: it was re-encoded or remuxed (not stripping by itself).",
                weights["reencoded"],
                CLAIM_STRIPPED,
                generator=gen.id,
                stripped="reencoded",
                where={"encoders": container.encoders},
            )
        )
        if gen.c2pa_by_default and c2pa_state == "absent" and not container.c2pa_box:
            out.append(
                Evidence(
                    "stripping",
                    "stripping.c2pa-removed.rewrite",
                    f"The container was rewritten by {', '.join(container.encoders[:2])} "
                    "(top-level "
                    f"boxes {', '.join(container.top_level[:6])}); such rewrites drop the C2PA "
                    f"uuid box that {gen.name} writes, which explains the missing manifest.",
                    weights["c2pa-removed.rewrite"],
                    CLAIM_STRIPPED,
                    generator=gen.id,
                    stripped="c2pa-removed",
                    where={"encoders": container.encoders, "top_level": container.top_level},
                )
            )
    return out


def missing_stamp(evidence: list[Evidence], visible_ran: bool) -> list[Evidence]:
    """A container fingerprint of a generator that always stamps, with none of its stamps
    seen: weak evidence of removal (paid tiers ship unstamped, generator_signals.md 0.4)."""
    if not visible_ran:
        return []
    weights = load_toml("weights.toml")["stripping"]
    stamped = {e.generator for e in evidence if e.source == "visible-watermark" and e.generator}
    out = []
    for ev in evidence:
        gen = get(ev.generator) if ev.kind == "container.output-fingerprint" else None
        if gen is None or not gen.stamps_by_default or not gen.visible or gen.id in stamped:
            continue
        out.append(
            Evidence(
                "stripping",
                "stripping.stamp-missing",
                f"The container looks like {gen.name}'s output, whose default tier always shows a "
                "visible mark, yet no mark was seen: it may have been removed (weak: paid tiers "
                "and API output have no mark).",
                weights["stamp-missing"],
                CLAIM_STRIPPED,
                generator=gen.id,
                stripped="visible-watermark-removed",
                where={"fingerprint": ev.where},
            )
        )
    return out
