"""Rules on generation parameters written by diffusion UIs and APIs (A1111 / Forge, ComfyUI,
InvokeAI, NovelAI, Fooocus, SwarmUI, Draw Things, Pollinations).

Such parameters are a statement of generation: only a generation pipeline writes a sampler,
a seed and a model file. They are unsigned, so they are strong but never decisive. The model
file names the family (model_families.toml) and the family the generator; when no family is
recognised, the tool itself names an entry (generators.toml ``generation_tools``: an open
model in a local UI, or a hosted service such as NovelAI).
"""

from __future__ import annotations

from collections.abc import Iterator

from provenance.knowledge import generators, model_families
from provenance.knowledge.model_families import FamilyMatch
from provenance.knowledge.numbers import Section
from provenance.model.records import CLAIM_GENERATED, Evidence
from provenance.readers.metadata.genparams import GenerationParams
from provenance.rules.base import Facts, rule
from provenance.rules.metadata import claim_of
from provenance.text import short

# Model roles in the order they decide the family: the main weights before add-ons.
_ROLE_ORDER = ("checkpoint", "diffusion", "any", "lora", "controlnet", "other")


def family(params: GenerationParams) -> FamilyMatch | None:
    """The first family a model of these parameters belongs to, main weights first."""
    models = sorted(
        params.models,
        key=lambda m: _ROLE_ORDER.index(m.role) if m.role in _ROLE_ORDER else len(_ROLE_ORDER),
    )
    for model in models:
        found = model_families.family_of(model.name, model.role)
        if found:
            return found
    return None


@rule("metadata.generation-params")
def generation_params(facts: Facts, n: Section) -> Iterator[Evidence]:
    """One record per file: a UI writes the same statement in several fields (ComfyUI's API
    and UI graphs), which are one piece of evidence. The statement that names a family wins."""
    statements = facts.metadata.generation
    if not statements:
        return
    named = [(p, family(p)) for p in statements]
    params, fam = next(((p, f) for p, f in named if f), named[0])
    fam_entry = model_families.load().get(fam.family) if fam else None
    gen_id = fam.generator if fam and fam.generator else None
    by_tool = generators.by_generation_tool(params.tool)
    if gen_id is None and by_tool:
        gen_id = by_tool.id
    gen = generators.get(gen_id)
    models = (
        ", ".join(
            f"{m.node + ': ' if m.node else ''}{short(m.name, 60)} ({m.role})"
            for m in params.models[:4]
        )
        or "none"
    )
    detail = f"{params.tool} generation parameters at {params.where} (models: {models}"
    if fam and fam_entry:
        detail += f"; family {fam_entry.name} of {fam_entry.vendor}"
        if not fam.generator:
            detail += ", no generator entry of its own"
    detail += (
        "): a generation pipeline wrote them; unsigned metadata, easy to add or remove."
        if params.format != "unparsed"
        else "): they did not parse, but only such a tool writes this field."
    )
    yield Evidence(
        "metadata",
        "metadata.generation-params",
        detail,
        n["family"] if fam else n["tool"],
        claim_of(gen) if gen else CLAIM_GENERATED,
        generator=gen_id,
        where={
            "field": str(params.where),
            "tool": params.tool,
            "format": params.format,
            "family": fam.family if fam else None,
            "model": fam.name if fam else None,
            "pattern": fam.pattern if fam else None,
        },
    )
