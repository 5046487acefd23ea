"""Rules on container facts: platform AI fields, and fingerprints of a generator's output.

Frame size, frame rate, duration, audio sample rate and encoder strings are each weak (half
the internet is 1080p at 30 fps); they are combined, weighed from data, and emitted as
evidence only when several agree. The same profile also shows when a file attributed to a
generator was cropped or rewritten (rules/stripping.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from provenance.knowledge.generators import Generator, load
from provenance.knowledge.numbers import Section
from provenance.model.records import CLAIM_GENERATED, CLAIM_INFO, Evidence, MediaInfo
from provenance.readers.metadata import MetadataInfo
from provenance.readers.metadata.bmff import ContainerFacts
from provenance.rules.base import Facts, rule
from provenance.text import short


@rule("container.platform-ai-label")
def platform_ai_label(facts: Facts, n: Section) -> Iterator[Evidence]:
    meta = facts.metadata
    if not meta.container:
        return
    for key, value in meta.container.keys.items():
        if "aigc" in key.lower() and meta.aigc_source != "mp4-metadata":
            yield Evidence(
                "container",
                "container.platform-ai-label",
                f"The container carries a platform AI-content field {key} = {short(value)} "
                "(meaning not documented; not used for the verdict).",
                n["confidence"],
                CLAIM_INFO,
                where={"key": key},
            )


@rule("container.output-fingerprint")
def output_fingerprint(facts: Facts, n: Section) -> Iterator[Evidence]:
    media, meta = facts.media, facts.metadata
    if media.kind != "video":
        return
    best: tuple[Generator, list[str]] | None = None
    for gen in load().values():
        agree = _agreeing(gen, media, meta, n)
        if (
            len(agree) >= n["min_matches"]
            and agree[0].startswith("frame size")
            and (best is None or len(agree) > len(best[1]))
        ):
            best = (gen, agree)
    if best is None:
        return
    gen, agree = best
    confidence = min(n["cap"], n["base"] + n["per_extra"] * (len(agree) - n["min_matches"]))
    yield Evidence(
        "container",
        "container.output-fingerprint",
        f"The container matches {gen.name}'s known output ({', '.join(agree)}); such values "
        "are common, so this is weak evidence on its own.",
        confidence,
        CLAIM_GENERATED,
        generator=gen.id,
        where={"matches": agree},
    )


def _agreeing(gen: Generator, media: MediaInfo, meta: MetadataInfo, n: Section) -> list[str]:
    """The facts of this file that agree with the generator's output profile."""
    prof = gen.output
    agree: list[str] = []
    if prof.sizes and (media.width, media.height) in prof.sizes:
        agree.append(f"frame size {media.width}x{media.height}")
    if prof.fps and media.fps and any(abs(media.fps - f) < n["fps_tolerance"] for f in prof.fps):
        agree.append(f"{media.fps:g} fps")
    if (
        prof.durations_s
        and media.duration_s
        and any(abs(media.duration_s - d) <= n["duration_tolerance_s"] for d in prof.durations_s)
    ):
        agree.append(f"duration {media.duration_s:.2f} s")
    container = meta.container
    if (
        container
        and prof.audio_sample_rates
        and set(container.audio_sample_rates) & set(prof.audio_sample_rates)
    ):
        agree.append(f"audio at {container.audio_sample_rates[0]} Hz")
    if container and prof.encoders and encoder_match(gen, writer_strings(container)):
        agree.append("encoder string")
    return agree


def writer_strings(container: ContainerFacts) -> list[str]:
    """Strings that name the tool that wrote the file: encoder tags, handler and compressor
    names (Luma's files say "Mainconcept MP4 Sound Media Handler", generator_signals.md)."""
    handlers = [h.split(": ", 1)[-1] for h in container.handlers]  # drop the "soun: " type
    return [*container.encoders, *handlers, *container.compressors]


def encoder_match(gen: Generator, encoders: list[str]) -> bool:
    return any(re.search(p, e) for p in gen.output.encoders for e in encoders)
