"""Stripping evidence that needs the other detectors' results first.

Per-source stripping facts (a hash mismatch, a dangling XMP pointer) are found
where they are read. This module adds what only the whole picture shows: a
generator that embeds Content Credentials by default was identified by other
evidence, yet the file has no manifest.
"""

from __future__ import annotations

from .credentials import C2paInfo
from .findings import weight
from .generators import get
from .records import CLAIM_COMPOSITE, CLAIM_GENERATED, CLAIM_STRIPPED, Evidence


def infer(evidence: list[Evidence], c2pa: C2paInfo) -> list[Evidence]:
    out: list[Evidence] = []
    if c2pa.state != "absent" or c2pa.sidecar:
        return out
    if any(e.stripped == "c2pa-removed" for e in evidence):
        return out  # already proven more directly (e.g. a dangling XMP pointer)
    seen: set[str] = set()
    # Strongest identification first: a visible stamp outweighs a container fingerprint.
    for ev in sorted(evidence, key=lambda e: -e.confidence):
        if ev.claim not in (CLAIM_GENERATED, CLAIM_COMPOSITE) or not ev.generator:
            continue
        gen = get(ev.generator)
        if gen is None or not gen.c2pa_by_default or gen.id in seen:
            continue
        seen.add(gen.id)
        out.append(Evidence(
            "stripping", "stripping.c2pa-removed",
            f"{gen.name} writes Content Credentials into its downloads by default, and this file "
            f"was identified as {gen.name} output ({ev.source}), yet it has no manifest: "
            "the credentials were most likely removed (re-encode or platform upload).",
            min(weight("stripping.c2pa-removed.by-generator"), ev.confidence),
            CLAIM_STRIPPED, generator=gen.id, stripped="c2pa-removed",
            where={"identified_by": ev.kind}))
    return out
