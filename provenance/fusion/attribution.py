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

from provenance.knowledge.numbers import weights
from provenance.model.records import CLAIM_CAPTURED, CLAIM_COMPOSITE, CLAIM_GENERATED, Evidence


@dataclass
class Attribution:
    ai_generated: str = "unknown"  # yes / likely / unknown / unlikely
    confidence: float = 0.0
    generator: str | None = None
    # Every generator the evidence names, with its weight (sum of confidences, +1 for
    # decisive records), strongest first.
    candidates: dict[str, float] = field(default_factory=dict)
    generated: list[Evidence] = field(default_factory=list)  # generated/composite records
    captured: list[Evidence] = field(default_factory=list)


def noisy_or(values: list[float]) -> float:
    p = 1.0
    for v in values:
        p *= 1.0 - v
    return 1.0 - p


def attribute(evidence: list[Evidence]) -> Attribution:
    cfg = weights("verdict")
    out = Attribution(
        generated=[e for e in evidence if e.claim in (CLAIM_GENERATED, CLAIM_COMPOSITE)],
        captured=[e for e in evidence if e.claim == CLAIM_CAPTURED],
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
    elif out.ai_generated == "unlikely":
        out.confidence = max(e.confidence for e in out.captured)

    by_generator: dict[str, float] = defaultdict(float)
    for e in out.generated:
        if e.generator:
            by_generator[e.generator] += e.confidence + (1.0 if e.decisive else 0.0)
    out.candidates = dict(sorted(by_generator.items(), key=lambda kv: -kv[1]))
    if by_generator and out.ai_generated in ("yes", "likely"):
        # Weak hints (a container fingerprint) name no generator in an "unknown" verdict.
        out.generator = max(by_generator, key=lambda g: by_generator[g])
    return out
