"""The verdict: the attribution plus the stripping evidence, in words a journalist can use.

- ``marks_stripped`` is "yes" for direct proof (confidence >= stripped_yes), "likely" for
  inferred removal, "no" when intact credentials are present and nothing was stripped,
  otherwise "unknown".
- Conflicts (a capture claim next to generation evidence, several generators) are listed, not
  resolved away.
"""

from __future__ import annotations

from provenance.fusion.attribution import Attribution
from provenance.knowledge.generators import display_name
from provenance.knowledge.numbers import weights
from provenance.model.records import (
    CLAIM_NOT_AI,
    CLAIM_STRIPPED,
    Evidence,
    Verdict,
    stripped_words,
)
from provenance.readers.credentials.reader import C2paInfo
from provenance.text import and_list

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


def decide(attribution: Attribution, evidence: list[Evidence], c2pa: C2paInfo) -> Verdict:
    cfg = weights("verdict")
    stripped = [e for e in evidence if e.claim == CLAIM_STRIPPED and e.stripped]
    verdict = Verdict(
        ai_generated=attribution.ai_generated,
        ai_extent=attribution.ai_extent,
        generator=attribution.generator,
        candidates=list(attribution.candidates),
        confidence=attribution.confidence,
    )
    if len(attribution.candidates) > 1:
        names = ", ".join(display_name(g) or g for g in attribution.candidates)
        verdict.conflicts.append(f"evidence names more than one generator: {names}")

    kinds = {e.stripped for e in stripped if e.confidence >= cfg["stripped_likely"]}
    verdict.stripped = [k for k in STRIPPED_ORDER if k in kinds] + sorted(
        k for k in kinds if k and k not in STRIPPED_ORDER
    )
    strongest = max((e.confidence for e in stripped if e.stripped != "reencoded"), default=0.0)
    if strongest >= cfg["stripped_yes"]:
        verdict.marks_stripped = "yes"
    elif strongest >= cfg["stripped_likely"]:
        verdict.marks_stripped = "likely"
    elif c2pa.state in ("valid", "trusted"):
        verdict.marks_stripped = "no"

    generated, captured = attribution.generated, attribution.captured
    if captured and generated:
        verdict.conflicts.append(
            "a capture claim ("
            + ", ".join(sorted({e.source for e in captured}))
            + ") stands next to evidence of generation ("
            + ", ".join(sorted({e.source for e in generated}))
            + ")"
        )
    verdict.summary = summarize(verdict, generated, captured)
    return verdict


def summarize(
    verdict: Verdict, generated: list[Evidence], captured: list[Evidence] | None = None
) -> str:
    """One sentence a journalist could paste: what, who, how we know, what was removed."""
    name = display_name(verdict.generator) if verdict.generator else None
    sources = sorted(
        {_SOURCE_WORDS.get(e.source, e.source) for e in generated if e.confidence >= 0.3}
    )
    how = " and ".join(sources) if sources else "no evidence"
    edited = verdict.ai_extent == "edited"
    what = "Contains AI-generated or AI-edited elements" if edited else "AI-generated"
    removed = [k for k in verdict.stripped if k != "reencoded"]
    if verdict.ai_generated == "yes":
        who = (f" ({name})" if edited else f" by {name}") if name else ""
        text = f"{what}{who}, shown by {how}"
    elif verdict.ai_generated == "likely":
        source = f" from {name}" if name else ""
        likely = "containing AI-generated or AI-edited elements" if edited else "AI-generated"
        text = f"Likely {likely}{source}, based on {how}"
    elif verdict.ai_generated == "unlikely":
        said = (
            "a creation without generative AI"
            if captured and all(e.claim == CLAIM_NOT_AI for e in captured)
            else "a camera capture"
        )
        if removed:
            # Not "no evidence of AI ... marks were removed": the removal is the finding.
            text = (
                f"Content Credentials describe {said}, but provenance marks were "
                f"{_how_sure(verdict)} ({and_list(stripped_words(removed))}), so that "
                "statement cannot be relied on"
            )
            removed = []
        else:
            text = f"Content Credentials describe {said}; no evidence of AI generation found"
    elif removed:
        text = (
            f"Provenance marks were {_how_sure(verdict)}: {and_list(stripped_words(removed))}; "
            "what is left in the file does not show whether it is AI-generated"
        )
        removed = []
    elif verdict.candidates:
        hints = ", ".join(display_name(g) or g for g in verdict.candidates[:3])
        text = (
            f"Nothing shows that it was AI-generated: only weak hints point to {hints}, which is "
            "not enough to say so (and does not show the file is authentic)"
        )
    else:
        text = "No evidence of AI generation was found, which does not show the file is authentic"
    if removed:
        marks = and_list(stripped_words(removed))
        text += f"; provenance marks were {_how_sure(verdict)}: {marks}"
    if verdict.conflicts:
        text += f"; note the conflict: {verdict.conflicts[0]}"
    return text + "."


def _how_sure(verdict: Verdict) -> str:
    return "removed or invalidated" if verdict.marks_stripped == "yes" else "probably removed"
