"""Rules on unsigned metadata: XMP source types, dangling C2PA pointers, tool strings, TC260
labels. All of it is easy to add or remove, so none of it is decisive."""

from __future__ import annotations

from collections.abc import Iterator

from provenance.knowledge.datafiles import source_type
from provenance.knowledge.generators import display_name, match
from provenance.knowledge.generators import load as load_generators
from provenance.knowledge.numbers import Section
from provenance.model.records import (
    CLAIM_CAPTURED,
    CLAIM_COMPOSITE,
    CLAIM_GENERATED,
    CLAIM_INFO,
    CLAIM_STRIPPED,
    Evidence,
)
from provenance.readers.metadata import MetadataInfo
from provenance.readers.metadata.xmp import is_embedded_pointer
from provenance.rules.base import Facts, rule
from provenance.text import short

_CLAIMS = {
    "generated": CLAIM_GENERATED,
    "composite": CLAIM_COMPOSITE,
    "possible": CLAIM_COMPOSITE,
    "captured": CLAIM_CAPTURED,
}
_AIGC_LABELS = {"1": "generated", "2": "possibly generated", "3": "suspected generated"}


@rule("xmp.digital-source-type")
def digital_source_type(facts: Facts, n: Section) -> Iterator[Evidence]:
    x = facts.metadata.xmp
    if not x or not x.digital_source_type:
        return
    known = source_type(x.digital_source_type)
    disclosure = known[1]["disclosure"] if known else ""
    claim = _CLAIMS.get(disclosure, CLAIM_INFO)
    label = known[1]["label"] if known else x.digital_source_type
    yield Evidence(
        "xmp",
        "xmp.digital-source-type",
        f"XMP Iptc4xmpExt:DigitalSourceType says '{label}' (unsigned metadata).",
        n["possible"]
        if disclosure == "possible"
        else n["info"]
        if claim == CLAIM_INFO
        else n["confidence"],
        claim,
        where={"field": "Iptc4xmpExt:DigitalSourceType", "value": x.digital_source_type},
    )


@rule("xmp.c2pa-pointer-dangling")
def c2pa_pointer_dangling(facts: Facts, n: Section) -> Iterator[Evidence]:
    x, c2pa = facts.metadata.xmp, facts.c2pa
    if not x or c2pa.state != "absent" or c2pa.sidecar:
        return
    dangling = [r for r in x.c2pa_refs if is_embedded_pointer(r)]
    if dangling:
        yield Evidence(
            "xmp",
            "xmp.c2pa-pointer-dangling",
            "The XMP metadata still points at a C2PA manifest embedded in this file, but the "
            "file has none: the manifest was removed.",
            n["confidence"],
            CLAIM_STRIPPED,
            stripped="c2pa-removed",
            where={
                "field": "dcterms:provenance" if x.provenance == dangling[0] else "xmp",
                "value": dangling[0],
            },
        )


@rule("metadata.generator-tool")
def generator_tool(facts: Facts, n: Section) -> Iterator[Evidence]:
    # Every tool string is matched; the generator listed first in the data file wins, since
    # the file lists specific generators (SDXL) before generic ones (Stable Diffusion).
    order = {gen_id: i for i, gen_id in enumerate(load_generators())}
    hits = [
        (hit, field_name, value)
        for field_name, value in tool_strings(facts.metadata)
        for hit in match("metadata", value, facts.media.kind)[:1]
    ]
    if not hits:
        return
    hit, field_name, value = min(hits, key=lambda h: order.get(h[0].generator, 1 << 30))
    yield Evidence(
        "metadata",
        "metadata.generator-tool",
        f"{field_name} names {display_name(hit.generator)} ('{short(value)}'); "
        "unsigned metadata, easy to add or remove.",
        n["confidence"],
        CLAIM_GENERATED,
        generator=hit.generator,
        where={"field": field_name, "pattern": hit.pattern},
    )


@rule("metadata.aigc-label")
def aigc_label(facts: Facts, n: Section) -> Iterator[Evidence]:
    meta = facts.metadata
    if not meta.aigc:
        return
    label = str(next((v for k, v in meta.aigc.items() if k.lower() == "label"), "")).strip()
    producer = next((str(v) for k, v in meta.aigc.items() if k.lower() == "contentproducer"), None)
    hits = match("metadata", producer, facts.media.kind) if producer else []
    weighed = label in n["label"]
    yield Evidence(
        "metadata",
        "metadata.aigc-label",
        f"A TC260 AI-content label (China, GB 45438) in {meta.aigc_source} marks the file as "
        f"{_AIGC_LABELS.get(label, 'labelled (Label=' + label + ')')}"
        + (f", producer '{producer}'" if producer else "")
        + ".",
        n["label"][label] if weighed else n["other"],
        CLAIM_GENERATED if weighed else CLAIM_INFO,
        generator=hits[0].generator if hits else None,
        where={"field": meta.aigc_source, "label": label},
    )


def tool_strings(meta: MetadataInfo) -> list[tuple[str, str]]:
    """(where, text) of every unsigned string that may name the tool that made the file."""
    values: list[tuple[str, str]] = []
    if meta.xmp and meta.xmp.creator_tool:
        values.append(("XMP xmp:CreatorTool", meta.xmp.creator_tool))
    for name in ("Software", "Make", "Model", "Artist", "ImageDescription", "UserComment"):
        if name in meta.exif:
            values.append((f"EXIF {name}", meta.exif[name]))
    for key, value in meta.png_text.items():
        values.append((f"PNG text key '{key}'", key))
        values.append((f"PNG text '{key}'", value[:2000]))
    if meta.container:
        for enc in meta.container.encoders:
            values.append(("container encoder", enc))
    return values
