"""The Chinese AI-content label (GB 45438-2025 implicit label, "TC260 AIGC"), as a fact.

The standard's metadata label is a JSON object: Label (1 generated, 2 possibly generated,
3 suspected generated), ContentProducer and ProduceID (who generated it, and its id there),
ContentPropagator and PropagateID (a platform that re-published it), ReservedCode1/2
(integrity codes). Tencent Cloud writes a service-provider variant (ServiceProvider,
ServiceUser). Files carry it as an XMP ``TC260:AIGC`` element or attribute, a PNG ``AIGC``
text chunk, an EXIF UserComment / ImageDescription (bare, wrapped as ``{"AIGC": {...}}``, or
glued as ``AIGC{...}``), an MP4 ``moov/udta/meta`` key ``AIGC``, a Matroska SimpleTag
``AIGC``, an AVI ``LIST/INFO/AIGC`` chunk or an FLV ``onMetaData.AIGC`` string. This module
only decodes the JSON (bounded: hostile JSON costs the label, not the read); each container
reader finds the text and says where.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from provenance.readers.metadata.where import Where

MAX_JSON = 64 * 1024  # characters of label JSON decoded
MAX_FIELDS = 32
MAX_VALUE = 1024  # characters kept per field
PRODUCER_FIELDS = (
    "Label",
    "ContentProducer",
    "ProduceID",
    "ReservedCode1",
    "ContentPropagator",
    "PropagateID",
    "ReservedCode2",
)
SERVICE_FIELDS = ("ServiceProvider", "ServiceUser")
_LABEL_MEANING = {"1": "generated", "2": "possibly generated", "3": "suspected generated"}


@dataclass
class AigcLabel:
    """One TC260 label found in the file: its standard fields decoded, and where it was."""

    where: Where
    schema: str  # "producer" (GB 45438 fields) or "service-provider" (Tencent Cloud variant)
    label: str | None = None  # "1" / "2" / "3" as written
    content_producer: str | None = None
    produce_id: str | None = None
    content_propagator: str | None = None  # a platform that re-published the content
    propagate_id: str | None = None
    reserved_code1: str | None = None
    reserved_code2: str | None = None
    service_provider: str | None = None
    service_user: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # every key as written, clipped

    @property
    def meaning(self) -> str | None:
        """What Label says under GB 45438-2025, or None for another value."""
        return _LABEL_MEANING.get((self.label or "").strip())

    def roles(self) -> list[tuple[str, str]]:
        """(role, code) of every party the label names: producer, propagator, service-provider."""
        out = []
        for role, value in (
            ("producer", self.content_producer),
            ("propagator", self.content_propagator),
            ("service-provider", self.service_provider),
        ):
            if value and value.strip():
                out.append((role, value.strip()))
        return out

    def as_dict(self) -> dict[str, Any]:
        """The label as the JSON object it was written as (for MetadataInfo.aigc)."""
        return dict(self.fields)


def _decode(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        pass
    start = text.find("{")  # "AIGC{...}" or a label followed by other text
    if start < 0:
        return None
    try:
        return json.JSONDecoder().raw_decode(text[start:])[0]
    except (ValueError, RecursionError):
        return None


def parse(text: str | None, where: Where) -> AigcLabel | None:
    """The label in ``text`` (a JSON object, possibly wrapped in {"AIGC": ...} or glued after
    "AIGC"), or None when it carries none of the standard's fields."""
    if not text:
        return None
    data = _decode(text.strip()[:MAX_JSON])
    if isinstance(data, dict) and len(data) == 1:
        inner = next(iter(data.values()))
        if str(next(iter(data))).upper() == "AIGC":
            data = _decode(inner) if isinstance(inner, str) else inner
    if not isinstance(data, dict):
        return None
    fields = {str(k)[:64]: _value(v) for k, v in list(data.items())[:MAX_FIELDS]}
    lowered = {k.lower(): v for k, v in fields.items()}
    has_producer = any(f.lower() in lowered for f in PRODUCER_FIELDS)
    has_service = any(f.lower() in lowered for f in SERVICE_FIELDS)
    if not (has_producer or has_service):
        return None

    def get(name: str) -> str | None:
        return lowered.get(name.lower())

    return AigcLabel(
        where=where,
        schema="producer" if has_producer else "service-provider",
        label=get("Label"),
        content_producer=get("ContentProducer"),
        produce_id=get("ProduceID"),
        content_propagator=get("ContentPropagator"),
        propagate_id=get("PropagateID"),
        reserved_code1=get("ReservedCode1"),
        reserved_code2=get("ReservedCode2"),
        service_provider=get("ServiceProvider"),
        service_user=get("ServiceUser"),
        fields=fields,
    )


def _value(v: Any) -> str:
    if isinstance(v, (dict, list)):
        try:
            v = json.dumps(v, ensure_ascii=False)
        except (ValueError, RecursionError):
            v = "…"
    return str(v)[:MAX_VALUE]
