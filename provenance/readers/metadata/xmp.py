"""XMP packets, parsed with defusedxml (no entities, no external references).

Only the properties that speak to provenance are kept: the IPTC digital source
type, the creator tool, ``dcterms:provenance`` and any other pointer to a C2PA
manifest, the Chinese TC260 ``AIGC`` label (element or attribute form), the IPTC 2025.1
AI-disclosure properties (AISystemUsed, AISystemVersionUsed, AIPromptInformation,
AIPromptWriterName), Midjourney's DigImageGUID and exif:UserComment (Draw Things writes its
generation JSON there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_XMP_BYTES = 4 * 1024 * 1024
MAX_ELEMENTS = 20_000
MAX_COMMENT = 1024 * 1024  # characters kept of a text property that is parsed later

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
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"


@dataclass
class XmpFacts:
    """The provenance properties of one XMP packet (docs/report.md ``metadata.xmp``)."""

    digital_source_type: str | None = None
    creator_tool: str | None = None
    provenance: str | None = None  # dcterms:provenance
    c2pa_refs: list[str] = field(default_factory=list)  # every value that points at a manifest
    aigc: dict[str, Any] | None = None  # TC260 label JSON
    aigc_text: str | None = None  # the label as written (readers/metadata/aigc.py parses it)
    user_comment: str | None = None  # exif:UserComment (rdf:Alt text)
    dig_image_guid: str | None = None  # Iptc4xmpExt:DigImageGUID (Midjourney: the job uuid)
    ai_system_used: str | None = None  # Iptc4xmpExt:AISystemUsed (IPTC 2025.1)
    ai_system_version: str | None = None  # Iptc4xmpExt:AISystemVersionUsed
    ai_prompt: str | None = None  # Iptc4xmpExt:AIPromptInformation (cut at 500 characters)
    ai_prompt_writer: str | None = None  # Iptc4xmpExt:AIPromptWriterName
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
    """The TC260 implicit label's fields as written (Label, ContentProducer, ProduceID...),
    or None; decoding (bounded, wrapper forms) is aigc.parse's."""
    from provenance.readers.metadata import aigc
    from provenance.readers.metadata.where import Where

    label = aigc.parse(value, Where("xmp", "XMP", "TC260:AIGC"))
    return label.as_dict() if label else None


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
    containers = {f"{_RDF}{k}" for k in ("Alt", "Seq", "Bag")}
    for count, elem in enumerate(root.iter()):
        if count > MAX_ELEMENTS:
            break
        for attr, value in elem.attrib.items():
            values.append((_qname(attr), value))
        text = (elem.text or "").strip()
        if text:
            values.append((_qname(elem.tag), text))
        for child in list(elem)[:4]:  # a property whose value is an rdf:Alt/Seq/Bag list
            if child.tag in containers:
                first = next(iter(child), None)
                if first is not None and (first.text or "").strip():
                    values.append((_qname(elem.tag), first.text.strip()))

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
        elif name == "exif:UserComment" and not facts.user_comment:
            facts.user_comment = value[:MAX_COMMENT]
        elif name == "Iptc4xmpExt:DigImageGUID" and not facts.dig_image_guid:
            facts.dig_image_guid = value[:200]
        elif name == "Iptc4xmpExt:AISystemUsed" and not facts.ai_system_used:
            facts.ai_system_used = value[:200]
        elif name == "Iptc4xmpExt:AISystemVersionUsed" and not facts.ai_system_version:
            facts.ai_system_version = value[:200]
        elif name == "Iptc4xmpExt:AIPromptInformation" and not facts.ai_prompt:
            facts.ai_prompt = value[:500]
        elif name == "Iptc4xmpExt:AIPromptWriterName" and not facts.ai_prompt_writer:
            facts.ai_prompt_writer = value[:200]
        if local == "AIGC" and facts.aigc is None:
            facts.aigc = parse_aigc(value)
            if facts.aigc is not None or facts.aigc_text is None:
                facts.aigc_text = value[:MAX_COMMENT]
        if is_c2pa_pointer(value) and value not in facts.c2pa_refs and len(facts.c2pa_refs) < 16:
            facts.c2pa_refs.append(value)
    return facts
