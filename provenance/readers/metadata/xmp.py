"""XMP packets, parsed with defusedxml (no entities, no external references).

Only the properties that speak to provenance are kept: the IPTC digital source
type, the creator tool, ``dcterms:provenance`` and any other pointer to a C2PA
manifest, and the Chinese TC260 ``AIGC`` label.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

MAX_XMP_BYTES = 4 * 1024 * 1024
MAX_ELEMENTS = 20_000

_NS = {
    "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": "Iptc4xmpExt",
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://purl.org/dc/terms/": "dcterms",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://ns.adobe.com/xap/1.0/mm/": "xmpMM",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf",
    "http://ns.adobe.com/tiff/1.0/": "tiff",
    "http://ns.adobe.com/exif/1.0/": "exif",
}
_TC260_HINT = "tc260"


@dataclass
class XmpFacts:
    digital_source_type: str | None = None
    creator_tool: str | None = None
    provenance: str | None = None  # dcterms:provenance
    c2pa_refs: list[str] = field(default_factory=list)  # every value that points at a manifest
    aigc: dict[str, Any] | None = None  # TC260 label JSON
    credit: str | None = None
    document_id: str | None = None
    instance_id: str | None = None
    error: str | None = None


def _qname(tag: str) -> str:
    if tag.startswith("{"):
        uri, local = tag[1:].split("}", 1)
        prefix = _NS.get(uri)
        if prefix is None and _TC260_HINT in uri.lower():
            prefix = "TC260"
        return f"{prefix or uri}:{local}"
    return tag


def parse_aigc(value: str | None) -> dict[str, Any] | None:
    """The TC260 implicit label: a JSON object with Label, ContentProducer, ProduceID..."""
    if not value:
        return None
    text = value.strip()
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if isinstance(data, dict) and any(k.lower() == "label" for k in data):
        return {str(k): v for k, v in list(data.items())[:32]}
    return None


def is_c2pa_pointer(value: str) -> bool:
    """A JUMBF URI into a manifest store, or a link to a remote ``.c2pa`` manifest."""
    v = value.strip().lower()
    return "jumbf=" in v or v.endswith(".c2pa") or "/manifests/" in v and "c2pa" in v


def is_embedded_pointer(value: str) -> bool:
    """``self#jumbf=...``: the manifest was embedded in this very file."""
    return value.strip().lower().startswith("self#jumbf=")


def parse(packet: bytes) -> XmpFacts:
    from defusedxml import ElementTree as SafeET
    from defusedxml.common import DefusedXmlException

    facts = XmpFacts()
    data = packet[:MAX_XMP_BYTES]
    start = data.find(b"<x:xmpmeta")
    if start < 0:
        start = data.find(b"<rdf:RDF")
    end_tag = b"</x:xmpmeta>" if data[start : start + 10] == b"<x:xmpmeta" else b"</rdf:RDF>"
    end = data.rfind(end_tag)
    if start < 0 or end < 0:
        facts.error = "no XMP packet found"
        return facts
    data = data[start : end + len(end_tag)]
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        facts.error = f"XMP not parseable: {str(exc)[:160]}"
        return facts

    values: list[tuple[str, str]] = []
    for count, elem in enumerate(root.iter()):
        if count > MAX_ELEMENTS:
            break
        for attr, value in elem.attrib.items():
            values.append((_qname(attr), value))
        text = (elem.text or "").strip()
        if text:
            values.append((_qname(elem.tag), text))

    for name, value in values:
        local = name.split(":", 1)[-1]
        if name == "Iptc4xmpExt:DigitalSourceType" and not facts.digital_source_type:
            facts.digital_source_type = value
        elif name == "xmp:CreatorTool" and not facts.creator_tool:
            facts.creator_tool = value
        elif name == "dcterms:provenance" and not facts.provenance:
            facts.provenance = value
        elif name == "photoshop:Credit" and not facts.credit:
            facts.credit = value
        elif name == "xmpMM:DocumentID" and not facts.document_id:
            facts.document_id = value
        elif name == "xmpMM:InstanceID" and not facts.instance_id:
            facts.instance_id = value
        if local == "AIGC" and facts.aigc is None:
            facts.aigc = parse_aigc(value)
        if is_c2pa_pointer(value) and value not in facts.c2pa_refs and len(facts.c2pa_refs) < 16:
            facts.c2pa_refs.append(value)
    return facts
