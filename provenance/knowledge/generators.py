"""Generator knowledge, loaded from ``data/generators.toml`` (and the user's own files).

Attribution code asks this module "which generator does this string, size or payload point
to?"; it never names a generator itself, so adding one is a data change. The file's schema
is ``SPEC`` below (checked strictly: see knowledge/schema.py) and is documented in
docs/generators.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from provenance.knowledge import schema
from provenance.knowledge.schema import Key, Origin, Table, TableSpec

# Fields of the data file whose values are regular expressions, by what they match.
PATTERN_FIELDS = (
    "c2pa_software_agent",  # action softwareAgent (string or {name})
    "c2pa_claim_generator",  # claim_generator string and claim_generator_info names
    "c2pa_signer",  # signer certificate common name / organisation
    "metadata",  # XMP, EXIF, PNG text, container tags, TC260 producer strings
    "bitstream",  # H.264/HEVC SEI user-data text (readers/metadata/bitstream.py)
)
MEDIA = ("image", "video", "audio")
# What an entry is. Only "generator" and "ai-editor" entries argue for AI: a capture device's
# manifest says a camera recorded the pixels; a platform's label says who re-published them.
KINDS = ("generator", "ai-editor", "editor", "capture-device", "platform")
SHAPES = ("sparkle", "cloud")
# Structured vendor facts (readers/metadata/vendor.py) that name a generator by their kind.
VENDOR_FACTS = (
    "xai-signature",
    "samsung-genai",
    "midjourney-job",
    "hf-job",
    "tiktok-label",
)  # detectors/shapes.py SHAPES (a test keeps the two equal)

_FRAC = Key(float, minimum=0.0, maximum=1.0)
_PATTERNS = Key(list, item=Key(str, regex=True))

SPEC = TableSpec(
    file="generators.toml",
    array="generator",
    id_key="id",
    schema=1,
    entry=Table(
        {
            "id": Key(str, required=True, match=r"[a-z0-9][a-z0-9\-]*"),
            "name": Key(str, required=True),
            "vendor": Key(str, required=True),
            "kind": Key(str, choices=KINDS),
            "media": Key(list, required=True, item=Key(str, choices=MEDIA)),
            "c2pa_by_default": Key(bool),
            "stamps_by_default": Key(bool),
            **{name: _PATTERNS for name in PATTERN_FIELDS},
            "vendor_facts": Key(list, item=Key(str, choices=VENDOR_FACTS)),
            # ByteDance app-export "product" values (ByteDanceExport.products) of this product
            "app_products": Key(list, item=Key(str, match=r"[a-z0-9_]{2,40}")),
            # GenerationParams.tool values (readers/metadata/genparams.py) that name this entry
            # when no model family of the parameters is known
            "generation_tools": Key(list, item=Key(str, match=r"\S.{0,40}")),
            "sources": Key(list, required=True, item=Key(str, match=r"\S.*")),
            "notes": Key(str),
            "replaces": Key(bool),
            "visible": Table(
                {
                    "texts": Key(list, required=True, item=Key(str)),
                    "misspellings": Key(list, item=Key(str)),
                    "shape": Key(str, choices=SHAPES),
                    "handle": Key(bool),
                    "layout": Key(str, choices=("static", "moving")),
                    "places": Key(list, item=Key(list, length=2, item=_FRAC)),
                    "height_frac": Key(list, length=2, item=_FRAC),
                    "corner_px": Key(list, item=Key(list, length=3, item=Key(int, minimum=0))),
                    "opacity": _FRAC,
                    "symmetry": Key(int, minimum=3, maximum=12),
                }
            ),
            "invisible": Table(
                {
                    "method": Key(str, required=True, choices=("dwtDct",)),
                    "name": Key(str, required=True, match=r"[a-z0-9][a-z0-9\-]*"),
                    "bits": Key(str, required=True, match=r"[01]{8,4096}"),
                    "media": Key(list, item=Key(str, choices=MEDIA)),
                }
            ),
            "output": Table(
                {
                    "sizes": Key(
                        list, item=Key(list, length=2, item=Key(int, minimum=1, maximum=65535))
                    ),
                    "sizes_complete": Key(bool),
                    "fps": Key(list, item=Key(float, minimum=0.01, maximum=1000.0)),
                    "durations_s": Key(list, item=Key(float, minimum=0.0)),
                    "audio_sample_rates": Key(list, item=Key(int, minimum=1000)),
                    "encoders": _PATTERNS,
                },
                many=False,
            ),
        }
    ),
)


@dataclass(frozen=True)
class VisibleMark:
    """A stamp a generator prints on its output (a ``visible`` table of the data file)."""

    texts: tuple[str, ...]
    misspellings: tuple[str, ...] = ()
    shape: str | None = None  # "sparkle", "cloud", ... drawn in code, never a logo file
    handle: bool = False  # an "@handle" is printed with the mark
    layout: str = "static"  # "static" or "moving"
    places: tuple[tuple[float, float], ...] = ()  # stamp centres as fractions of (w, h)
    height_frac: tuple[float, float] | None = None  # stamp height / frame short side
    # Exact pixel geometry of a bottom-right mark blended over the picture, by frame size:
    # (from short side px, mark side px, margin to the right and bottom edges px), and the
    # opacity of its white (detectors/visible/blend.py tests the blend's edge steps).
    corner_px: tuple[tuple[int, int, int], ...] = ()
    opacity: float | None = None
    # Order of the rotational symmetry of a word-less emblem too detailed to draw (OpenAI's
    # knot, Sora 1): detectors/visible/symmetry.py tests it.
    symmetry: int | None = None


@dataclass(frozen=True)
class InvisiblePayload:
    """A watermark payload a generator embeds (an ``invisible`` table): method and bits."""

    method: str  # "dwtDct"
    name: str  # "sdxl", "svd", "sd1", ...
    bits: str  # "0101..." as embedded, most significant first
    media: tuple[str, ...] = ("image", "video")


@dataclass(frozen=True)
class OutputProfile:
    """The sizes, frame rates, durations and encoders of a generator's output (``output``)."""

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
    """One entry of the data file, parsed: marks and output as records; patterns kept as
    written and compiled when first matched (``match``)."""

    id: str
    name: str
    vendor: str
    media: tuple[str, ...]  # what it makes: attribution prefers entries that fit the file
    c2pa_by_default: bool
    stamps_by_default: bool
    patterns: dict[str, tuple[str, ...]]  # field -> regexes (checked to compile on load)
    kind: str = "generator"
    vendor_facts: tuple[str, ...] = ()  # VendorFacts kinds that name this generator
    app_products: tuple[str, ...] = ()  # ByteDance export products that name it
    generation_tools: tuple[str, ...] = ()  # UI / API tools whose parameters name it
    visible: tuple[VisibleMark, ...] = ()
    invisible: tuple[InvisiblePayload, ...] = ()
    output: OutputProfile = field(default_factory=OutputProfile)
    notes: str = ""
    sources: tuple[str, ...] = ()
    origin: Origin | None = None  # file and line of the entry

    @property
    def argues_ai(self) -> bool:
        """A match means AI made or edited the content (not a camera, not a platform)."""
        return self.kind in ("generator", "ai-editor")


@dataclass(frozen=True)
class Match:
    """A generator whose ``field`` pattern found ``value``; evidence cites the pattern."""

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


def _parse(entry: dict[str, Any], origin: Origin) -> Generator:
    patterns = {name: tuple(entry.get(name, [])) for name in PATTERN_FIELDS}
    visible = tuple(
        VisibleMark(
            texts=_tuple(v.get("texts")),
            misspellings=_tuple(v.get("misspellings")),
            shape=v.get("shape"),
            handle=bool(v.get("handle", False)),
            layout=v.get("layout", "static"),
            places=tuple((float(p[0]), float(p[1])) for p in v.get("places", [])),
            height_frac=(
                (float(v["height_frac"][0]), float(v["height_frac"][1]))
                if "height_frac" in v
                else None
            ),
            corner_px=tuple((int(a), int(b), int(c)) for a, b, c in v.get("corner_px", [])),
            opacity=float(v["opacity"]) if "opacity" in v else None,
            symmetry=int(v["symmetry"]) if "symmetry" in v else None,
        )
        for v in entry.get("visible", [])
    )
    invisible = tuple(
        InvisiblePayload(
            method=v["method"],
            name=v["name"],
            bits=v["bits"],
            media=_tuple(v.get("media", ["image", "video"])),
        )
        for v in entry.get("invisible", [])
    )
    out = entry.get("output", {})
    output = OutputProfile(
        sizes=tuple((int(s[0]), int(s[1])) for s in out.get("sizes", [])),
        sizes_complete=bool(out.get("sizes_complete", False)),
        fps=tuple(float(f) for f in out.get("fps", [])),
        durations_s=tuple(float(d) for d in out.get("durations_s", [])),
        audio_sample_rates=_tuple(out.get("audio_sample_rates")),
        encoders=_tuple(out.get("encoders")),
    )
    return Generator(
        id=entry["id"],
        name=entry["name"],
        vendor=entry["vendor"],
        media=_tuple(entry["media"]),
        c2pa_by_default=bool(entry.get("c2pa_by_default", False)),
        stamps_by_default=bool(entry.get("stamps_by_default", False)),
        patterns=patterns,
        kind=entry.get("kind", "generator"),
        vendor_facts=tuple(entry.get("vendor_facts", [])),
        app_products=tuple(entry.get("app_products", [])),
        generation_tools=tuple(entry.get("generation_tools", [])),
        visible=visible,
        invisible=invisible,
        output=output,
        notes=entry.get("notes", ""),
        sources=_tuple(entry.get("sources")),
        origin=origin,
    )


@lru_cache(maxsize=8)
def load_files(extra: tuple[str, ...] = ()) -> dict[str, Generator]:
    """The bundled generators, then those of ``extra`` files (same schema), by id in file
    order (earlier entries win ties). An extra entry with ``replaces = true`` takes the
    place of the bundled entry with its id."""
    loaded = schema.load(SPEC, extra)
    return {e["id"]: _parse(e, o) for e, o in zip(loaded.entries, loaded.origins, strict=True)}


@lru_cache(maxsize=1)
def load() -> dict[str, Generator]:
    """All generators in use: bundled plus the extra files chosen by ``use_extra_files``
    (CheckOptions.generators_files)."""
    return load_files(schema.extra_files(SPEC))


def use_extra_files(paths: Sequence[str] | None) -> None:
    """Add the user's generator files (``--generators``) for this process; None resets."""
    schema.use_extra_files(SPEC, paths)


schema.on_change(load.cache_clear)


def get(generator_id: str | None) -> Generator | None:
    return load().get(generator_id) if generator_id else None


def display_name(generator_id: str | None) -> str | None:
    gen = get(generator_id)
    return gen.name if gen else generator_id


def match(field_name: str, value: str | None, media: str | None = None) -> list[Match]:
    """Generators whose ``field_name`` patterns match ``value`` (search, not full match), in
    file order. With ``media`` ("image"/"video"), only generators that make that medium:
    one signer ("Truepic Lens CLI in Sora") signs both Sora videos and ChatGPT images."""
    if not value:
        return []
    if field_name not in PATTERN_FIELDS:
        raise ValueError(f"unknown pattern field {field_name!r}")
    found = []
    for gen in load().values():
        if media and media not in gen.media:
            continue
        for pattern in gen.patterns[field_name]:
            if _regex(pattern).search(value):
                found.append(Match(gen.id, field_name, pattern, value))
                break
    return found


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    """A table pattern, compiled on its first match: a check tests only the fields its file
    has, and compiling all of the bundled table's ~110 patterns cost ~5 ms of a cold start.
    Whether each compiles is checked when a table loads (the schema's ``regex`` keys)."""
    return re.compile(pattern)


def by_vendor_fact(kind: str) -> Generator | None:
    """The first generator a structured vendor fact of ``kind`` names ("xai-signature")."""
    if kind not in VENDOR_FACTS:
        raise ValueError(f"unknown vendor fact {kind!r}")
    return next((g for g in load().values() if kind in g.vendor_facts), None)


def by_app_product(product: str | None) -> Generator | None:
    """The generator whose ByteDance app-export ``product`` this is ("dreamina")."""
    if not product:
        return None
    p = product.strip().lower()
    return next((g for g in load().values() if p in g.app_products), None)


def by_generation_tool(tool: str | None) -> Generator | None:
    """The entry a tool's generation parameters name when their model is not recognised
    ("ComfyUI": an open model in a local UI; "NovelAI": NovelAI's own service)."""
    if not tool:
        return None
    t = tool.strip().lower()
    return next((g for g in load().values() if t in (x.lower() for x in g.generation_tools)), None)


def first_match(
    field_name: str, values: Sequence[str | None], media: str | None = None
) -> Match | None:
    for value in values:
        hits = match(field_name, value, media)
        if hits:
            return hits[0]
    return None
