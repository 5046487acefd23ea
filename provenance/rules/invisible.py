"""Rules on invisible watermarks. The detector tests a dwtDct payload by its false-alarm
probability (corrected for every payload x variant tried) and the share of its bits read
back; these rules word and weigh the outcome."""

from __future__ import annotations

import math
from collections.abc import Iterator

from provenance.detectors.invisible.detector import METHOD, DwtDctResult
from provenance.knowledge.generators import display_name
from provenance.knowledge.numbers import Section
from provenance.model.records import CLAIM_GENERATED, CLAIM_INFO, Evidence, Sighting, Watermark
from provenance.rules.base import Facts, rule


def p_text(log10_p: float) -> str:
    return "<1e-300" if log10_p < -300 else f"{10.0**log10_p:.2g}"


def _frames(n: int) -> str:
    return f"{n} frame{'s' if n != 1 else ''}"


@rule("invisible.dwtdct")
def dwtdct(facts: Facts, n: Section) -> Iterator[Evidence | Watermark]:
    for obs in facts.of(DwtDctResult):
        best, decisive = obs.best, obs.decisive
        if not obs.found:
            continue
        cand, frames = best.candidate, len(best.frames)
        name = display_name(cand.generator) or cand.generator
        bits = len(cand.payload.bits)
        confidence = n["confidence_decisive"] if decisive else n["confidence_found"]
        yield Watermark(
            kind="invisible",
            generator=cand.generator,
            confidence=confidence,
            method=METHOD,
            payload=cand.payload.name,
            track=[
                Sighting(f.index, f.time_s, None, round(float(f.white @ f.white), 1))
                for f in best.marked_frames
            ],
            stats={
                "bit_agreement": best.agreement,
                "package_bit_agreement": best.package_agreement,
                "p_value": p_text(best.log10_p),
                "log10_p_value": round(best.log10_p, 2),
                "frames": frames,
                "frames_marked": len(best.marked_frames),
                "variant": best.variant,
                "chi2_mean": round(best.chi2_mean, 1),
                "chi2_max": round(best.chi2_max, 1),
                "tests": best.tests,
                "threshold": {
                    "p_call": p_text(math.log10(obs.p_call)),
                    "p_decisive": p_text(math.log10(obs.p_decisive)),
                },
            },
        )
        where = [f.index for f in best.marked_frames] or [f.index for f in best.frames]
        yield Evidence(
            source="invisible-watermark",
            kind="invisible.dwtdct",
            detail=(
                f"Invisible dwtDct watermark of {name} decoded (payload {cand.payload.name}):"
                f" {round(best.agreement * bits)} of {bits} bits read back; the chance of a "
                f"match this strong on unmarked content is {p_text(best.log10_p)}"
                f" ({_frames(frames)} decoded)."
            ),
            confidence=confidence,
            claim=CLAIM_GENERATED,
            generator=cand.generator,
            where={"frames": where},
            decisive=decisive,
        )


@rule("invisible.dwtdct.unattributed")
def unattributed(facts: Facts, n: Section) -> Iterator[Evidence]:
    for obs in facts.of(DwtDctResult):
        best = obs.best
        if obs.significant and not obs.found:
            yield Evidence(
                source="invisible-watermark",
                kind="invisible.dwtdct.unattributed",
                detail=(
                    f"A dwtDct-like pattern correlates with the {best.candidate.payload.name} "
                    f"payload (a match this strong on unmarked content has a chance of "
                    f"{p_text(best.log10_p)}) but only {best.agreement:.0%} of its bits read "
                    "back, so it is not attributed to any generator."
                ),
                confidence=n["confidence"],
                claim=CLAIM_INFO,
                where={"frames": [f.index for f in best.frames]},
            )


@rule("invisible.dwtdct.not-found")
def not_found(facts: Facts, n: Section) -> Iterator[Evidence]:
    for obs in facts.of(DwtDctResult):
        best = obs.best
        if obs.significant:
            continue
        yield Evidence(
            source="invisible-watermark",
            kind="invisible.dwtdct.not-found",
            detail=(
                f"No known invisible dwtDct payload ({', '.join(obs.payloads)}) found in "
                f"{_frames(obs.frames)}; JPEG, re-encoding, resizing and cropping erase this "
                "mark, so its absence is not proof of anything."
            ),
            confidence=n["confidence"],
            claim=CLAIM_INFO,
            where={"frames": [f.index for f in best.frames], "best_p": p_text(best.log10_p)},
        )
