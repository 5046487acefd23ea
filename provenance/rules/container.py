"""Container fingerprints: does this clip look like a generator's untouched output?

Frame size, frame rate, duration, audio sample rate and encoder strings are each weak
(half the internet is 1080p at 30 fps); they are combined, weighed from data, and
emitted as evidence only when several agree. The same profile also shows when a file
attributed to a generator was cropped or rewritten.
"""

from __future__ import annotations

import re

from provenance.knowledge.datafiles import load_toml
from provenance.knowledge.generators import Generator, load
from provenance.model.records import CLAIM_GENERATED, Evidence, MediaInfo
from provenance.readers.metadata import MetadataInfo


def _facts(gen: Generator, media: MediaInfo, meta: MetadataInfo) -> list[str]:
    cfg = load_toml("weights.toml")["fingerprint"]
    prof = gen.output
    agree: list[str] = []
    size = (media.width, media.height)
    if prof.sizes and size in prof.sizes:
        agree.append(f"frame size {media.width}x{media.height}")
    if prof.fps and media.fps and any(abs(media.fps - f) < 0.05 for f in prof.fps):
        agree.append(f"{media.fps:g} fps")
    if (
        prof.durations_s
        and media.duration_s
        and any(abs(media.duration_s - d) <= cfg["duration_tolerance_s"] for d in prof.durations_s)
    ):
        agree.append(f"duration {media.duration_s:.2f} s")
    container = meta.container
    if (
        container
        and prof.audio_sample_rates
        and set(container.audio_sample_rates) & set(prof.audio_sample_rates)
    ):
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
        if (
            len(agree) >= cfg["min_matches"]
            and agree[0].startswith("frame size")
            and (best is None or len(agree) > len(best[1]))
        ):
            best = (gen, agree)
    if best is None:
        return []
    gen, agree = best
    confidence = min(cfg["cap"], cfg["base"] + cfg["per_extra"] * (len(agree) - 3))
    return [
        Evidence(
            "container",
            "container.output-fingerprint",
            f"The container matches {gen.name}'s known output ({', '.join(agree)}); "
            "such values are "
            "common, so this is weak evidence on its own.",
            confidence,
            CLAIM_GENERATED,
            generator=gen.id,
            where={"matches": agree},
        )
    ]
