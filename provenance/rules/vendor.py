"""Rules on structured vendor metadata (readers/metadata/vendor.py): Grok's signature, Samsung's
genAIType, ByteDance app exports, Midjourney job ids, Hugging Face job ids, TikTok's platform
label. Which entry each fact names is data (generators.toml ``vendor_facts``,
``app_products``); what naming it argues follows the entry's ``kind`` (a platform's label says
who re-published the file, not that AI made it). Unsigned, so never decisive."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from provenance.knowledge import generators
from provenance.knowledge.numbers import Section
from provenance.model.records import CLAIM_INFO, Evidence
from provenance.readers.metadata.vendor import VendorFacts
from provenance.rules.base import Facts, rule
from provenance.rules.metadata import claim_of

# VendorFacts field -> (generators.toml vendor_facts kind, what the fact is, in words)
_FACTS = {
    "xai_signatures": ("xai-signature", "an xAI 'Signature:' field"),
    "samsung_genai": ("samsung-genai", "Samsung's genAIType (a Galaxy AI generative edit)"),
    "midjourney_jobs": ("midjourney-job", "a Midjourney job id"),
    "hf_jobs": ("hf-job", "a Hugging Face job id (hf-job-id)"),
    "platform_labels": ("tiktok-label", "TikTok's aigc_info / video id tags"),
}


def _detail(field: str, fact: Any) -> str:
    """The facts a person can check, per kind."""
    if field == "xai_signatures":
        extra = f", image id {fact.artist_uuid}" if fact.artist_uuid else ""
        return f"{fact.signature_chars}-character signature{extra}"
    if field == "samsung_genai":
        return f"genAIType = {fact.gen_ai_type}"
    if field == "midjourney_jobs":
        version = f", --v {fact.version}" if fact.version else ""
        return f"job {fact.job_id}{version}"
    if field == "hf_jobs":
        return f"job {fact.job_id}"
    label = f"aigc_label_type = {fact.label_type}" if fact.label_type is not None else ""
    vid = f"video id {fact.video_id}" if fact.video_id else ""
    return "; ".join(x for x in (label, vid) if x) + " (the label's meaning is not documented)"


@rule("metadata.vendor-fact")
def vendor_fact(facts: Facts, n: Section) -> Iterator[Evidence]:
    v: VendorFacts = facts.metadata.vendor
    for field, (kind, words) in _FACTS.items():
        found = getattr(v, field)
        gen = generators.by_vendor_fact(kind)
        if not found or gen is None:
            continue
        fact = found[0]
        claim = claim_of(gen)
        yield Evidence(
            "metadata",
            "metadata.vendor-fact",
            f"{str(fact.where)} carries {words} of {gen.name}: {_detail(field, fact)}; "
            "unsigned metadata, easy to add or remove.",
            n[kind] if claim != CLAIM_INFO else n["info"],
            claim,
            generator=gen.id,
            where={"field": str(fact.where), "fact": kind},
        )
    for export in v.bytedance_exports[:1]:
        gen = next(
            (g for g in map(generators.by_app_product, export.products) if g is not None), None
        )
        said = export.export_type or "unstated"
        flagged = bool(export.aigc_type or export.aigc_label_type)
        claim = claim_of(gen) if gen and (said in n["generated_exports"] or flagged) else CLAIM_INFO
        yield Evidence(
            "metadata",
            "metadata.vendor-fact",
            f"{str(export.where)} carries a ByteDance app export record (product "
            f"{', '.join(export.products) or 'unstated'}, exportType {said}"
            + (f", aigc_type {export.aigc_type}" if export.aigc_type is not None else "")
            + (
                f", aigc_label_type {export.aigc_label_type}"
                if export.aigc_label_type is not None
                else ""
            )
            + ")"
            + (f" naming {gen.name}" if gen else ", a product this tool does not know")
            + "; unsigned metadata.",
            n["bytedance-export"] if claim != CLAIM_INFO else n["info"],
            claim,
            generator=gen.id if gen else None,
            where={"field": str(export.where), "fact": "bytedance-export"},
        )
