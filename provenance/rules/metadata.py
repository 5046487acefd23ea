"""Rules on unsigned metadata: XMP source types, dangling C2PA pointers, tool strings, TC260
labels, IPTC AISystemUsed. All of it is easy to add or remove, so none of it is decisive."""

from __future__ import annotations

from collections.abc import Iterator

from provenance.knowledge import tc260
from provenance.knowledge.datafiles import source_type
from provenance.knowledge.generators import Generator, display_name, match
from provenance.knowledge.generators import get as get_generator
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
from provenance.readers.metadata.aigc import AigcLabel
from provenance.readers.metadata.where import Where
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
    gen = get_generator(hit.generator)
    yield Evidence(
        "metadata",
        "metadata.generator-tool",
        f"{field_name} names {display_name(hit.generator)} ('{short(value)}'); "
        "unsigned metadata, easy to add or remove.",
        n["confidence"],
        claim_of(gen),
        generator=hit.generator,
        where={"field": field_name, "pattern": hit.pattern},
    )


@rule("metadata.aigc-label")
def aigc_label(facts: Facts, n: Section) -> Iterator[Evidence]:
    """Each distinct TC260 label: what Label says, and who the parties are. Only the
    producer (or Tencent Cloud's service provider) names the generator; a propagator is the
    platform that re-published the file, reported as such, never as its maker."""
    seen: set[tuple] = set()
    for label in facts.metadata.aigc_labels:
        key = tuple(sorted(label.fields.items()))
        if key in seen:
            continue
        seen.add(key)
        yield _label_evidence(label, facts.media.kind, n)


def _label_evidence(label: AigcLabel, media: str, n: Section) -> Evidence:
    value = (label.label or "").strip()
    weighed = value in n["label"]
    parties: list[str] = []
    generator: str | None = None
    roles: list[dict[str, str | None]] = []
    for role, code in label.roles():
        found = tc260.lookup(code)
        vendor = found.producer.vendor if found else None
        gen = found.producer.generator if found else None
        if gen is None and not found and role != "propagator":
            # a producer written as a name rather than a code ("Kling", an app name)
            gen = next((h.generator for h in match("metadata", code, media)[:1]), None)
        roles.append({"role": role, "code": code, "vendor": vendor, "generator": gen})
        who = f"{vendor} (producer code table)" if vendor else "not in the producer code table"
        parties.append(f"{_ROLE_WORDS[role]} '{short(code, 40)}': {who}")
        if role != "propagator" and generator is None and gen:
            generator = gen
    detail = (
        f"A TC260 AI-content label (China, GB 45438) at {label.where} marks the file as "
        f"{_AIGC_LABELS.get(value, 'labelled (Label=' + value + ')')}"
        + (f"; {'; '.join(parties)}" if parties else "")
        + "."
    )
    if generator is None and weighed:
        detail += " No generator is named: the producer is not one this tool knows."
    return Evidence(
        "metadata",
        "metadata.aigc-label",
        detail,
        n["label"][value] if weighed else n["other"],
        CLAIM_GENERATED if weighed else CLAIM_INFO,
        generator=generator,
        where={"field": str(label.where), "label": value, "roles": roles},
    )


_ROLE_WORDS = {
    "producer": "ContentProducer",
    "propagator": "ContentPropagator (a platform that re-published it)",
    "service-provider": "ServiceProvider",
}


@rule("xmp.ai-system-used")
def ai_system_used(facts: Facts, n: Section) -> Iterator[Evidence]:
    """IPTC 2025.1 Iptc4xmpExt:AISystemUsed names the AI system that generated the image:
    a statement of generation (unsigned), naming the generator when the table knows it."""
    x = facts.metadata.xmp
    if not x or not x.ai_system_used:
        return
    hit = next(iter(match("metadata", x.ai_system_used, facts.media.kind)), None)
    version = f" {x.ai_system_version}" if x.ai_system_version else ""
    yield Evidence(
        "xmp",
        "xmp.ai-system-used",
        f"XMP Iptc4xmpExt:AISystemUsed says '{short(x.ai_system_used)}{version}' made the "
        "image (IPTC: the AI system used to generate it); unsigned metadata"
        + ("." if hit else ", and the name is not in the generator table."),
        n["confidence"],
        CLAIM_GENERATED,
        generator=hit.generator if hit else None,
        where={
            "field": "Iptc4xmpExt:AISystemUsed",
            "value": x.ai_system_used,
            "name_in_table": bool(hit),
        },
    )


def claim_of(gen: Generator | None) -> str:
    """What naming this entry argues: a generator made it, an AI editor edited it, a
    camera, editor or platform says nothing about AI (generators.toml ``kind``)."""
    if gen is None or not gen.argues_ai:
        return CLAIM_INFO
    return CLAIM_COMPOSITE if gen.kind == "ai-editor" else CLAIM_GENERATED


def structured_wheres(meta: MetadataInfo) -> set[Where]:
    """Fields that a structured fact already stands for (generation parameters, TC260
    labels, vendor facts, AISystemUsed): one field is one piece of evidence, so the tool
    string rule does not count them again."""
    found: set[Where] = {p.where for p in meta.generation}
    found |= {label.where for label in meta.aigc_labels}
    v = meta.vendor
    for facts in (
        v.xai_signatures,
        v.samsung_genai,
        v.bytedance_exports,
        v.midjourney_jobs,
        v.hf_jobs,
    ):
        found |= {f.where for f in facts}
    for fact in v.xai_signatures:
        found |= {t.where for t in meta.texts if str(t.where) in fact.repeated_in}
    # platform labels are located by container and key (the tags of one MP4 meta box)
    labelled = set()
    for p in v.platform_labels:
        keys = [p.where.key] + (["comment", "©cmt"] if p.video_id else [])
        keys += ["vid_md5"] if p.content_md5 else []
        labelled |= {(p.where.container, k) for k in keys}
    found |= {t.where for t in meta.texts if (t.where.container, t.where.key) in labelled}
    found |= {t.where for t in meta.texts if t.where.key == "Iptc4xmpExt:AISystemUsed"}
    return found


def tool_strings(meta: MetadataInfo) -> list[tuple[str, str]]:
    """(where, text) of every unsigned string that may name the tool that made the file,
    but for fields a structured fact stands for. PNG text keys count too: a key such as
    'parameters' is itself the UI's signature."""
    skip = structured_wheres(meta)
    values: list[tuple[str, str]] = []
    for text in meta.texts:
        if text.where in skip:
            continue
        if text.where.container == "png" and text.where.key:
            values.append((f"PNG text key '{text.where.key}'", text.where.key))
        values.append((str(text.where), text.value[:2000]))
    if meta.container:
        for enc in meta.container.encoders:
            values.append(("container encoder", enc))
    return values
