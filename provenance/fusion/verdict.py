"""Verdict fusion: evidence records in, one verdict out.

Rules, in the order they are applied:
- ``ai_generated`` is "yes" only with decisive evidence (a verified C2PA statement of
  generation, a decoded invisible payload with overwhelming statistics); "likely" when the
  noisy-OR of generated/composite evidence reaches the threshold in data/weights.toml;
  "unlikely" when a credential states a capture and nothing argues for generation;
  otherwise "unknown". Absence of marks never gives "unlikely".
- ``marks_stripped`` is "yes" for direct proof (confidence >= stripped_yes), "likely" for
  inferred removal, "no" when intact credentials are present and nothing was stripped,
  otherwise "unknown".
- Conflicts (a capture claim next to generation evidence) are listed, not resolved away.
"""

from __future__ import annotations

from collections import defaultdict

from provenance.knowledge.datafiles import load_toml
from provenance.knowledge.generators import display_name
from provenance.model.records import (
    CLAIM_CAPTURED,
    CLAIM_COMPOSITE,
    CLAIM_GENERATED,
    CLAIM_STRIPPED,
    Evidence,
    Verdict,
)
from provenance.readers.credentials.reader import C2paInfo

STRIPPED_ORDER = (
    "c2pa-invalidated",
    "c2pa-removed",
    "visible-watermark-removed",
    "cropped",
    "reencoded",
)
_SOURCE_WORDS = {
    "c2pa": "Content Credentials",
    "xmp": "XMP metadata",
    "metadata": "metadata",
    "container": "container metadata",
    "visible-watermark": "a visible watermark",
    "invisible-watermark": "an invisible watermark",
    "stripping": "stripping analysis",
}


def _noisy_or(values: list[float]) -> float:
    p = 1.0
    for v in values:
        p *= 1.0 - v
    return 1.0 - p


def fuse(evidence: list[Evidence], c2pa: C2paInfo) -> Verdict:
    cfg = load_toml("weights.toml")["verdict"]
    generated = [e for e in evidence if e.claim in (CLAIM_GENERATED, CLAIM_COMPOSITE)]
    captured = [e for e in evidence if e.claim == CLAIM_CAPTURED]
    stripped = [e for e in evidence if e.claim == CLAIM_STRIPPED and e.stripped]

    verdict = Verdict()
    score = _noisy_or([e.confidence for e in generated])
    if any(e.decisive for e in generated):
        verdict.ai_generated = "yes"
    elif generated and score >= cfg["likely"]:
        verdict.ai_generated = "likely"
    elif captured and not generated:
        verdict.ai_generated = "unlikely"
    verdict.confidence = (
        score
        if verdict.ai_generated in ("yes", "likely")
        else max(e.confidence for e in captured)
        if verdict.ai_generated == "unlikely"
        else 0.0
    )

    by_generator: dict[str, float] = defaultdict(float)
    for e in generated:
        if e.generator:
            by_generator[e.generator] += e.confidence + (1.0 if e.decisive else 0.0)
    if by_generator and verdict.ai_generated in ("yes", "likely"):
        # Weak hints (a container fingerprint) name no generator in an "unknown" verdict.
        verdict.generator = max(by_generator, key=lambda g: by_generator[g])
    if len(by_generator) > 1:
        names = ", ".join(display_name(g) or g for g in by_generator)
        verdict.conflicts.append(f"evidence names more than one generator: {names}")

    kinds = {e.stripped for e in stripped if e.confidence >= cfg["stripped_likely"]}
    verdict.stripped = [k for k in STRIPPED_ORDER if k in kinds] + sorted(
        k for k in kinds if k not in STRIPPED_ORDER
    )
    strongest = max((e.confidence for e in stripped if e.stripped != "reencoded"), default=0.0)
    if strongest >= cfg["stripped_yes"]:
        verdict.marks_stripped = "yes"
    elif strongest >= cfg["stripped_likely"]:
        verdict.marks_stripped = "likely"
    elif c2pa.state in ("valid", "trusted"):
        verdict.marks_stripped = "no"

    if captured and generated:
        verdict.conflicts.append(
            "a capture claim ("
            + ", ".join(sorted({e.source for e in captured}))
            + ") stands next to evidence of generation ("
            + ", ".join(sorted({e.source for e in generated}))
            + ")"
        )
    verdict.summary = summarize(verdict, generated, stripped)
    return verdict


def summarize(verdict: Verdict, generated: list[Evidence], stripped: list[Evidence]) -> str:
    """One sentence a journalist could paste: what, who, how we know, what was removed."""
    name = display_name(verdict.generator) if verdict.generator else None
    sources = sorted(
        {_SOURCE_WORDS.get(e.source, e.source) for e in generated if e.confidence >= 0.3}
    )
    how = " and ".join(sources) if sources else "no evidence"
    partly = generated and all(e.claim == CLAIM_COMPOSITE for e in generated)
    what = "Contains AI-generated elements" if partly else "AI-generated"
    if verdict.ai_generated == "yes":
        text = f"{what}{' by ' + name if name else ''}, shown by {how}"
    elif verdict.ai_generated == "likely":
        source = f" from {name}" if name else ""
        text = (
            f"Likely {'containing AI-generated elements' if partly else 'AI-generated'}"
            f"{source}, based on {how}"
        )
    elif verdict.ai_generated == "unlikely":
        text = "Content Credentials describe a camera capture; no evidence of AI generation found"
    else:
        text = "No evidence of AI generation was found, which does not show the file is authentic"
    if verdict.stripped:
        removed = [k for k in verdict.stripped if k != "reencoded"]
        if removed:
            how_sure = (
                "removed or invalidated" if verdict.marks_stripped == "yes" else "probably removed"
            )
            text += f"; provenance marks were {how_sure} ({', '.join(removed)})"
    if verdict.conflicts:
        text += f"; note the conflict: {verdict.conflicts[0]}"
    return text + "."
