"""Generator knowledge, loaded from ``data/generators.toml``.

Attribution code asks this module "which generator does this string, size or
payload point to?"; it never names a generator itself, so adding one is a data
change. The file's schema is documented at its top and in docs/generators.md.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from provenance.knowledge.datafiles import load_toml

# Fields of the data file whose values are regular expressions, by what they match.
PATTERN_FIELDS = (
    "c2pa_software_agent",  # action softwareAgent (string or {name})
    "c2pa_claim_generator",  # claim_generator string and claim_generator_info names
    "c2pa_signer",  # signer certificate common name / organisation
    "metadata",  # XMP CreatorTool, EXIF Software/Make/Model, PNG text keys and values
)


@dataclass(frozen=True)
class VisibleMark:
    texts: tuple[str, ...]
    misspellings: tuple[str, ...] = ()
    shape: str | None = None  # "sparkle", "cloud", ... drawn in code, never a logo file
    handle: bool = False  # an "@handle" is printed with the mark
    layout: str = "static"  # "static" or "moving"
    places: tuple[tuple[float, float], ...] = ()  # stamp centres as fractions of (w, h)
    height_frac: tuple[float, float] | None = None  # stamp height / frame short side
    margin_frac: float | None = None  # distance to the frame edge / short side (corner marks)
    language: str = "en"


@dataclass(frozen=True)
class InvisiblePayload:
    method: str  # "dwtDct"
    name: str  # "sdxl", "svd", "sd1", ...
    bits: str  # "0101..." as embedded, most significant first
    scale: tuple[float, ...] = (0.0, 36.0, 0.0)  # per-channel (Y, U, V) embedding strength
    media: tuple[str, ...] = ("image", "video")


@dataclass(frozen=True)
class OutputProfile:
    sizes: tuple[tuple[int, int], ...] = ()
    # True only when the sizes are every size the generator makes (documented by the
    # vendor): only then is a size outside the table evidence of cropping.
    sizes_complete: bool = False
    fps: tuple[float, ...] = ()
    durations_s: tuple[float, ...] = ()
    audio_sample_rates: tuple[int, ...] = ()
    encoders: tuple[str, ...] = ()  # regexes on container encoder / handler strings


@dataclass(frozen=True)
class Generator:
    id: str
    name: str
    vendor: str
    media: tuple[str, ...]
    c2pa_by_default: bool
    stamps_by_default: bool
    patterns: dict[str, tuple[re.Pattern[str], ...]]
    visible: tuple[VisibleMark, ...] = ()
    invisible: tuple[InvisiblePayload, ...] = ()
    output: OutputProfile = field(default_factory=OutputProfile)
    notes: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    generator: str
    field: str
    pattern: str
    value: str


def _tuple(value: Any) -> tuple:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(_tuple(v) if isinstance(v, list) else v for v in value)
    return (value,)


def _parse(entry: dict[str, Any]) -> Generator:
    patterns = {name: tuple(re.compile(p) for p in entry.get(name, [])) for name in PATTERN_FIELDS}
    visible = tuple(
        VisibleMark(
            texts=_tuple(v.get("texts")),
            misspellings=_tuple(v.get("misspellings")),
            shape=v.get("shape"),
            handle=bool(v.get("handle", False)),
            layout=v.get("layout", "static"),
            places=tuple(tuple(p) for p in v.get("places", [])),
            height_frac=tuple(v["height_frac"]) if "height_frac" in v else None,
            margin_frac=v.get("margin_frac"),
            language=v.get("language", "en"),
        )
        for v in entry.get("visible", [])
    )
    invisible = tuple(
        InvisiblePayload(
            method=v["method"],
            name=v["name"],
            bits=v["bits"],
            scale=tuple(v.get("scale", (0.0, 36.0, 0.0))),
            media=_tuple(v.get("media", ["image", "video"])),
        )
        for v in entry.get("invisible", [])
    )
    out = entry.get("output", {})
    output = OutputProfile(
        sizes=tuple(tuple(s) for s in out.get("sizes", [])),
        sizes_complete=bool(out.get("sizes_complete", False)),
        fps=_tuple(out.get("fps")),
        durations_s=_tuple(out.get("durations_s")),
        audio_sample_rates=_tuple(out.get("audio_sample_rates")),
        encoders=_tuple(out.get("encoders")),
    )
    return Generator(
        id=entry["id"],
        name=entry["name"],
        vendor=entry.get("vendor", ""),
        media=_tuple(entry.get("media", ["image"])),
        c2pa_by_default=bool(entry.get("c2pa_by_default", False)),
        stamps_by_default=bool(entry.get("stamps_by_default", False)),
        patterns=patterns,
        visible=visible,
        invisible=invisible,
        output=output,
        notes=entry.get("notes", ""),
        sources=_tuple(entry.get("sources")),
    )


# Extra generator files (os.pathsep-separated), e.g. an organisation's in-house models.
EXTRA_ENV = "PROVENANCE_GENERATORS"


@lru_cache(maxsize=1)
def load() -> dict[str, Generator]:
    """All generators by id, in file order (earlier entries win ties); extra files from
    $PROVENANCE_GENERATORS come after the bundled ones."""
    entries = list(load_toml("generators.toml").get("generator", []))
    for extra in filter(None, os.environ.get(EXTRA_ENV, "").split(os.pathsep)):
        with open(extra, "rb") as fh:
            entries += tomllib.load(fh).get("generator", [])
    table: dict[str, Generator] = {}
    for entry in entries:
        gen = _parse(entry)
        if gen.id in table:
            raise ValueError(f"generators.toml: duplicate id {gen.id!r}")
        table[gen.id] = gen
    return table


def get(generator_id: str | None) -> Generator | None:
    return load().get(generator_id) if generator_id else None


def display_name(generator_id: str | None) -> str | None:
    gen = get(generator_id)
    return gen.name if gen else generator_id


def match(field_name: str, value: str | None, media: str | None = None) -> list[Match]:
    """Generators whose ``field_name`` patterns match ``value`` (search, not full match);
    with ``media`` ("image", "video"), only generators that make that kind of media (one
    signer certificate signs both Sora videos and ChatGPT images)."""
    if not value:
        return []
    if field_name not in PATTERN_FIELDS:
        raise ValueError(f"unknown pattern field {field_name!r}")
    found = []
    for gen in load().values():
        if media and media not in gen.media:
            continue
        for pat in gen.patterns[field_name]:
            if pat.search(value):
                found.append(Match(gen.id, field_name, pat.pattern, value))
                break
    return found


def first_match(
    field_name: str, values: list[str | None], media: str | None = None
) -> Match | None:
    for value in values:
        hits = match(field_name, value, media)
        if hits:
            return hits[0]
    return None
