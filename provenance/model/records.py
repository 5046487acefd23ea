"""Records that flow through the pipeline: what was seen, where, and how sure we are.

Detectors only create these records; renderers only read them (the bandit
split between checks and formatters). Every record turns into plain JSON with
``to_dict`` so the report contract lives in one place (``report.py``).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

# What a piece of evidence argues for. Verdict fusion groups evidence by claim.
CLAIM_GENERATED = "generated"  # the media was made by a generator
CLAIM_COMPOSITE = "composite"  # the media contains generated parts
CLAIM_CAPTURED = "captured"  # a credential states a camera capture
CLAIM_NOT_AI = "not-ai"  # a credential states a creation without generative AI
CLAIM_STRIPPED = "stripped"  # a provenance mark was removed or invalidated
CLAIM_INFO = "info"  # context that does not move the verdict by itself
CLAIMS = (
    CLAIM_GENERATED,
    CLAIM_COMPOSITE,
    CLAIM_CAPTURED,
    CLAIM_NOT_AI,
    CLAIM_STRIPPED,
    CLAIM_INFO,
)


# The values of the verdict's fields (docs/report.md ``verdict``), for type checkers.
AiGenerated = Literal["yes", "likely", "unknown", "unlikely"]
AiExtent = Literal["generated", "edited"]
MarksStripped = Literal["yes", "likely", "no", "unknown"]
Status = Literal["ok", "error"]

# Stripping kinds (``verdict.stripped``) in words for sentences people read: the ids stay in
# the JSON, the words go into summaries, the readable output and the HTML page.
STRIPPED_WORDS = {
    "c2pa-invalidated": "Content Credentials invalidated (they no longer match the file)",
    "c2pa-removed": "Content Credentials removed",
    "visible-watermark-removed": "visible watermark painted out",
    "cropped": "picture cropped",
    "reencoded": "re-encoded",
}


def stripped_words(kinds: list[str]) -> list[str]:
    return [STRIPPED_WORDS.get(k, k.replace("-", " ")) for k in kinds]


def as_plain(value: Any) -> Any:
    """Dataclasses, tuples and nested containers to JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): as_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_plain(v) for v in value]
    if isinstance(value, float):
        # Six decimals (timestamps keep their precision); tiny values such as p-values keep
        # six significant digits instead of rounding to 0.
        return round(value, 6) if abs(value) >= 1e-4 or value == 0 else float(f"{value:.6g}")
    return value


T = TypeVar("T")


def from_plain(cls: type[T], data: Any) -> T:
    """The inverse of ``as_plain`` for a dataclass: JSON values back into the record types,
    guided by the field annotations. Keys the class does not know are ignored (a newer
    minor schema), missing keys take the field's default."""
    return _build(cls, data)


def _build(tp: Any, value: Any) -> Any:
    if value is None or tp is Any:
        return value
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        for option in options:
            if _fits(option, value):
                return _build(option, value)
        return value
    if origin is Literal:
        return value
    if dataclasses.is_dataclass(tp) and isinstance(value, dict):
        hints = get_type_hints(tp)
        known = {f.name for f in dataclasses.fields(tp) if f.init}
        kwargs = {k: _build(hints.get(k, Any), v) for k, v in value.items() if k in known}
        return typing.cast(Any, tp)(**kwargs)
    if origin is list and isinstance(value, list):
        (item,) = get_args(tp) or (Any,)
        return [_build(item, v) for v in value]
    if origin is tuple and isinstance(value, list):
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], v) for v in value)
        if len(args) == len(value):
            return tuple(_build(a, v) for a, v in zip(args, value, strict=True))
        return tuple(value)
    if origin is dict and isinstance(value, dict):
        args = get_args(tp)
        inner = args[1] if len(args) == 2 else Any
        return {k: _build(inner, v) for k, v in value.items()}
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _fits(tp: Any, value: Any) -> bool:
    origin = get_origin(tp) or tp
    if dataclasses.is_dataclass(tp):
        return isinstance(value, dict)
    if origin in (list, tuple):
        return isinstance(value, list)
    if origin is dict:
        return isinstance(value, dict)
    if origin is Literal:
        return value in get_args(tp)
    if tp is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(origin, type):
        return isinstance(value, origin)
    return True


@dataclass
class Evidence:
    """One finding that fed the verdict.

    ``kind`` is a stable machine id (``c2pa.generated``, ``xmp.c2pa-pointer-dangling``);
    ``detail`` is the sentence a person reads; ``where`` says where to look
    (manifest label and field, frame index and time, box in pixels).
    """

    source: str
    kind: str
    detail: str
    confidence: float
    claim: str = CLAIM_INFO
    generator: str | None = None
    stripped: str | None = None  # stripping kind this supports, e.g. "c2pa-removed"
    where: dict[str, Any] = field(default_factory=dict)
    # Proof-grade: a verified signed statement or a decoded payload with overwhelming
    # statistics. Only decisive evidence can make ai_generated "yes".
    decisive: bool = False

    def __post_init__(self) -> None:
        if self.claim not in CLAIMS:
            raise ValueError(f"unknown evidence claim {self.claim!r}")
        self.confidence = min(1.0, max(0.0, float(self.confidence)))

    def to_dict(self) -> dict[str, Any]:
        return as_plain(self)


@dataclass
class Sighting:
    """A watermark seen in one sampled frame; box is (x, y, w, h) in full-frame pixels."""

    frame: int
    time_s: float
    box: tuple[int, int, int, int] | None = None
    score: float | None = None


@dataclass
class Watermark:
    """A visible or invisible mark found in the pixels (docs/report.md ``watermarks``)."""

    kind: str  # "visible" or "invisible"
    generator: str | None
    confidence: float
    method: str  # "ocr", "template", "dwtDct", ...
    text: str | None = None
    handle: str | None = None
    payload: str | None = None
    track: list[Sighting] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return as_plain(self)


@dataclass
class MediaInfo:
    """What the file is, from its bytes and container (docs/report.md ``media``)."""

    kind: str = "other"  # image / video / audio / other
    mime: str | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    duration_s: float | None = None
    frame_count: int | None = None
    frames_analyzed: int = 0


@dataclass
class Coverage:
    """What the pixel detectors looked at (docs/report.md ``coverage``, docs/performance.md).

    ``pixels``: ``sampled`` (every planned sample), ``keyframes`` (quick depth: the keyframe
    nearest each of a few samples), ``none`` (no pixel detector ran, or no decoder for the
    format). ``full_check_may_change``: a full check could still change the verdict (always
    false after a full check); ``reasons`` says why."""

    depth: str = "full"
    pixels: str = "none"
    full_check_may_change: bool = False
    reasons: list[str] = field(default_factory=list)


@dataclass
class Verdict:
    """The fused answer: AI or not, whose, and what was removed (docs/report.md ``verdict``)."""

    ai_generated: AiGenerated = "unknown"
    # When AI is involved (yes/likely): "generated" (the media was made by a generator) or
    # "edited" (AI-edited / contains AI-generated elements), from the strongest record.
    ai_extent: AiExtent | None = None
    generator: str | None = None
    # Generators the evidence points to, strongest first, when it names one (also when it is
    # too weak to name it in ``generator``).
    candidates: list[str] = field(default_factory=list)
    marks_stripped: MarksStripped = "unknown"
    stripped: list[str] = field(default_factory=list)
    confidence: float = 0.0
    summary: str = ""
    conflicts: list[str] = field(default_factory=list)
