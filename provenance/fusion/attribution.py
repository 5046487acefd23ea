"""Attribution: from the evidence of generation to one answer: is it AI, and whose?

Run once per file, between the evidence rules and the stripping rules (which need to know
whose output the file is said to be). ``ai_generated`` is "yes" only with decisive evidence
(a verified C2PA statement of generation, a decoded invisible payload with overwhelming
statistics); "likely" when the noisy-OR of generated/composite evidence reaches the
threshold; "unlikely" when a credential states a capture and nothing argues for
generation; otherwise "unknown". Absence of marks never gives "unlikely".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from provenance.knowledge.generators import get
from provenance.knowledge.numbers import weights
from provenance.model.records import (
    CLAIM_CAPTURED,
    CLAIM_COMPOSITE,
    CLAIM_GENERATED,
    CLAIM_NOT_AI,
    AiExtent,
    AiGenerated,
    Evidence,
)


@dataclass
class Attribution:
    """The answer of ``attribute``: AI or not, how sure, whose, and the records it rests on."""

    ai_generated: AiGenerated = "unknown"
    ai_extent: AiExtent | None = None  # when yes or likely
    confidence: float = 0.0
    generator: str | None = None
    # Every generator the evidence names, with its weight (sum of confidences, +1 for
    # decisive records), strongest first.
    candidates: dict[str, float] = field(default_factory=dict)
    generated: list[Evidence] = field(default_factory=list)  # generated/composite records
    captured: list[Evidence] = field(default_factory=list)  # capture / not-AI statements


def noisy_or(values: list[float]) -> float:
    p = 1.0
    for v in values:
        p *= 1.0 - v
    return 1.0 - p


def attribute(evidence: list[Evidence]) -> Attribution:
    """The media filter is applied where identities are matched (rules/credentials.py,
    rules/metadata.py: one signer certificate signs Sora videos and ChatGPT images), not here:
    a mark seen in the pixels names whose output they are, also on a frame grab."""
    cfg = weights("verdict")
    naming = weights("attribution")["min_naming_confidence"]
    out = Attribution(
        generated=[e for e in evidence if e.claim in (CLAIM_GENERATED, CLAIM_COMPOSITE)],
        captured=[e for e in evidence if e.claim in (CLAIM_CAPTURED, CLAIM_NOT_AI)],
    )
    score = noisy_or([e.confidence for e in out.generated])
    if any(e.decisive for e in out.generated):
        out.ai_generated = "yes"
    elif out.generated and score >= cfg["likely"]:
        out.ai_generated = "likely"
    elif out.captured and not out.generated:
        out.ai_generated = "unlikely"
    if out.ai_generated in ("yes", "likely"):
        out.confidence = score
        # On a tie a statement of generation wins: created by a generator, then AI-edited,
        # is still AI-generated.
        top = max(
            out.generated, key=lambda e: (e.decisive, e.confidence, e.claim == CLAIM_GENERATED)
        )
        out.ai_extent = "edited" if top.claim == CLAIM_COMPOSITE else "generated"
    elif out.ai_generated == "unlikely":
        out.confidence = max(e.confidence for e in out.captured)

    by_generator: dict[str, float] = defaultdict(float)
    strongest: dict[str, float] = defaultdict(float)
    for e in out.generated:
        gen = get(e.generator)
        # A verified manifest naming a generator the table does not know keeps that name
        # (rules/credentials.py flags it generator_in_table = false).
        unlisted = e.where.get("generator_in_table") is False
        key = gen.id if gen else (e.generator if unlisted else None)
        if key is None:
            continue
        by_generator[key] += e.confidence + (1.0 if e.decisive else 0.0)
        strongest[key] = max(strongest[key], 2.0 if e.decisive else e.confidence)
    out.candidates = dict(sorted(by_generator.items(), key=lambda kv: -kv[1]))
    named = {g: w for g, w in by_generator.items() if strongest[g] >= naming}
    if named and out.ai_generated in ("yes", "likely"):
        # Weak hints (a container fingerprint) never name a generator on their own: a
        # verdict that rests on evidence naming nobody keeps generator null.
        out.generator = max(named, key=lambda g: named[g])
    return out
