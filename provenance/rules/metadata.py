"""Evidence records from metadata facts (XMP, EXIF, PNG text, TC260 labels, container keys)."""

from __future__ import annotations

from provenance.knowledge.datafiles import load_toml, source_type
from provenance.knowledge.generators import display_name, match
from provenance.knowledge.generators import load as load_generators
from provenance.model.records import (
    CLAIM_CAPTURED,
    CLAIM_COMPOSITE,
    CLAIM_GENERATED,
    CLAIM_INFO,
    CLAIM_STRIPPED,
    Evidence,
)
from provenance.readers.credentials.reader import C2paInfo
from provenance.readers.metadata import MetadataInfo
from provenance.readers.metadata.xmp import is_embedded_pointer
from provenance.rules.credentials import weight


def from_metadata(meta: MetadataInfo, c2pa: C2paInfo) -> list[Evidence]:
    out: list[Evidence] = []
    x = meta.xmp
    if x and x.digital_source_type:
        known = source_type(x.digital_source_type)
        disclosure = known[1]["disclosure"] if known else None
        claim = {
            "generated": CLAIM_GENERATED,
            "composite": CLAIM_COMPOSITE,
            "captured": CLAIM_CAPTURED,
        }.get(disclosure or "", CLAIM_INFO)
        label = known[1]["label"] if known else x.digital_source_type
        out.append(
            Evidence(
                "xmp",
                "xmp.digital-source-type",
                f"XMP Iptc4xmpExt:DigitalSourceType says '{label}' (unsigned metadata).",
                weight("xmp.digital-source-type") if claim != CLAIM_INFO else 1.0,
                claim,
                where={"field": "Iptc4xmpExt:DigitalSourceType", "value": x.digital_source_type},
            )
        )

    if x and c2pa.state == "absent" and not c2pa.sidecar:
        dangling = [r for r in x.c2pa_refs if is_embedded_pointer(r)]
        if dangling:
            out.append(
                Evidence(
                    "xmp",
                    "xmp.c2pa-pointer-dangling",
                    "The XMP metadata still points at an embedded C2PA manifest "
                    f"({dangling[0]}), but the file has none: the manifest was removed.",
                    weight("xmp.c2pa-pointer-dangling"),
                    CLAIM_STRIPPED,
                    stripped="c2pa-removed",
                    where={
                        "field": "dcterms:provenance" if x.provenance == dangling[0] else "xmp",
                        "value": dangling[0],
                    },
                )
            )

    # Every tool string is matched; the generator listed first in the data file wins,
    # since the file lists specific generators (SDXL) before generic ones (Stable Diffusion).
    order = {gen_id: i for i, gen_id in enumerate(load_generators())}
    hits = [
        (hit, field_name, value)
        for field_name, value in _tool_strings(meta)
        for hit in match("metadata", value)[:1]
    ]
    if hits:
        hit, field_name, value = min(hits, key=lambda h: order.get(h[0].generator, 1 << 30))
        out.append(
            Evidence(
                "metadata",
                "metadata.generator-tool",
                f"{field_name} names {display_name(hit.generator)} ('{_short(value)}'); "
                "unsigned metadata, easy to add or remove.",
                weight("metadata.generator-tool"),
                CLAIM_GENERATED,
                generator=hit.generator,
                where={"field": field_name, "pattern": hit.pattern},
            )
        )

    if meta.aigc:
        label = str(next((v for k, v in meta.aigc.items() if k.lower() == "label"), "")).strip()
        producer = next(
            (str(v) for k, v in meta.aigc.items() if k.lower() == "contentproducer"), None
        )
        hits = match("metadata", producer) if producer else []
        key = f"metadata.aigc-label.{label}"
        kinds = {"1": "generated", "2": "possibly generated", "3": "suspected generated"}
        has_weight = key in load_toml("weights.toml")["evidence"]
        out.append(
            Evidence(
                "metadata",
                "metadata.aigc-label",
                f"A TC260 AI-content label (China, GB 45438) in {meta.aigc_source} "
                "marks the file as "
                f"{kinds.get(label, 'labelled (Label=' + label + ')')}"
                + (f", producer '{producer}'" if producer else "")
                + ".",
                weight(key) if has_weight else 0.3,
                CLAIM_GENERATED if has_weight else CLAIM_INFO,
                generator=hits[0].generator if hits else None,
                where={"field": meta.aigc_source, "label": label},
            )
        )

    if meta.container:
        for key, value in meta.container.keys.items():
            if "aigc" in key.lower() and meta.aigc_source != "mp4-metadata":
                out.append(
                    Evidence(
                        "container",
                        "container.platform-ai-label",
                        f"The container carries a platform AI-content field {key} = "
                        f"{_short(value)} "
                        "(meaning not documented; not used for the verdict).",
                        1.0,
                        CLAIM_INFO,
                        where={"key": key},
                    )
                )
    return out


def _tool_strings(meta: MetadataInfo) -> list[tuple[str, str]]:
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


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
