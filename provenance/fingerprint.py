"""Container fingerprints: does this clip look like a generator's untouched output?

Frame size, frame rate, duration, audio sample rate and encoder strings are each weak
(half the internet is 1080p at 30 fps); they are combined, weighed from data, and
emitted as evidence only when several agree. The same profile also shows when a file
attributed to a generator was cropped or rewritten.
"""

from __future__ import annotations

import re

from .datafiles import load_toml
from .generators import Generator, get, load
from .metadata import MetadataInfo
from .records import CLAIM_GENERATED, CLAIM_STRIPPED, Evidence, MediaInfo


def _facts(gen: Generator, media: MediaInfo, meta: MetadataInfo) -> list[str]:
    cfg = load_toml("weights.toml")["fingerprint"]
    prof = gen.output
    agree: list[str] = []
    size = (media.width, media.height)
    if prof.sizes and size in prof.sizes:
        agree.append(f"frame size {media.width}x{media.height}")
    if prof.fps and media.fps and any(abs(media.fps - f) < 0.05 for f in prof.fps):
        agree.append(f"{media.fps:g} fps")
    if prof.durations_s and media.duration_s and any(
            abs(media.duration_s - d) <= cfg["duration_tolerance_s"] for d in prof.durations_s):
        agree.append(f"duration {media.duration_s:.2f} s")
    container = meta.container
    if container and prof.audio_sample_rates and set(container.audio_sample_rates) & set(
            prof.audio_sample_rates):
        agree.append(f"audio at {container.audio_sample_rates[0]} Hz")
    if container and prof.encoders and _encoder_match(gen, _writer_strings(container)):
        agree.append("encoder string")
    return agree


def _writer_strings(container) -> list[str]:
    """Strings that name the tool that wrote the file: encoder tags, handler and compressor
    names (Luma's files say "Mainconcept MP4 Sound Media Handler", generator_signals.md)."""
    handlers = [h.split(": ", 1)[-1] for h in container.handlers]  # drop the "soun: " type
    return [*container.encoders, *handlers, *container.compressors]


def _encoder_match(gen: Generator, encoders: list[str]) -> bool:
    return any(re.search(p, e) for p in gen.output.encoders for e in encoders)


def from_container(media: MediaInfo, meta: MetadataInfo) -> list[Evidence]:
    if media.kind != "video":
        return []
    cfg = load_toml("weights.toml")["fingerprint"]
    best: tuple[Generator, list[str]] | None = None
    for gen in load().values():
        agree = _facts(gen, media, meta)
        if len(agree) >= cfg["min_matches"] and agree[0].startswith("frame size") and (
                best is None or len(agree) > len(best[1])):
            best = (gen, agree)
    if best is None:
        return []
    gen, agree = best
    confidence = min(cfg["cap"], cfg["base"] + cfg["per_extra"] * (len(agree) - 3))
    return [Evidence(
        "container", "container.output-fingerprint",
        f"The container matches {gen.name}'s known output ({', '.join(agree)}); such values are "
        "common, so this is weak evidence on its own.",
        confidence, CLAIM_GENERATED, generator=gen.id, where={"matches": agree})]


def stripping_evidence(generator_id: str | None, media: MediaInfo,
                       meta: MetadataInfo, c2pa_state: str = "absent") -> list[Evidence]:
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
            out.append(Evidence(
                "stripping", "stripping.cropped",
                f"{media.width}x{media.height} is not a frame size {gen.name} makes, nor a "
                "rescale of one (the aspect ratio differs): the picture was probably cropped.",
                weights["cropped"], CLAIM_STRIPPED, generator=gen.id, stripped="cropped",
                where={"size": [media.width, media.height], "known": [list(s) for s in sizes]}))
    container = meta.container
    if container and gen.output.encoders and container.encoders and not _encoder_match(
            gen, _writer_strings(container)):
        out.append(Evidence(
            "stripping", "stripping.reencoded",
            f"The file was written by {', '.join(container.encoders[:2])}, not by the encoder "
            f"{gen.name} uses: it was re-encoded or remuxed (not stripping by itself).",
            weights["reencoded"], CLAIM_STRIPPED, generator=gen.id, stripped="reencoded",
            where={"encoders": container.encoders}))
        if gen.c2pa_by_default and c2pa_state == "absent" and not container.c2pa_box:
            out.append(Evidence(
                "stripping", "stripping.c2pa-removed.rewrite",
                f"The container was rewritten by {', '.join(container.encoders[:2])} (top-level "
                f"boxes {', '.join(container.top_level[:6])}); such rewrites drop the C2PA "
                f"uuid box that {gen.name} writes, which explains the missing manifest.",
                weights["c2pa-removed.rewrite"], CLAIM_STRIPPED, generator=gen.id,
                stripped="c2pa-removed",
                where={"encoders": container.encoders, "top_level": container.top_level}))
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
        out.append(Evidence(
            "stripping", "stripping.stamp-missing",
            f"The container looks like {gen.name}'s output, whose default tier always shows a "
            "visible mark, yet no mark was seen: it may have been removed (weak: paid tiers "
            "and API output have no mark).",
            weights["stamp-missing"], CLAIM_STRIPPED, generator=gen.id,
            stripped="visible-watermark-removed", where={"fingerprint": ev.where}))
    return out
