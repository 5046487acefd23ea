"""Invisible dwtDct watermarks (Stable Diffusion 1.x/2.x, SDXL, Stable Video Diffusion).

A mark is called by a statistical test, never by a bit-accuracy cut-off: per frame, the
block field of each decoder variant is matched against each known payload
(``dwtdct.payload_score``: a 2-vector whose null covariance comes from the picture's own
spatial autocovariance), giving a chi-square with 2 degrees of freedom. Frames of a clip
are not independent, so they are combined only in ways valid under *any* correlation:
the mean of the whitened per-frame vectors (its covariance is at most the identity) and
the best frame times the number of frames; the smaller p counts twice. The p-value is then
multiplied by the number of payload x variant tests (Bonferroni). Thresholds and their
measurement live in data/invisible_null.toml; the method in docs/invisible.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from provenance.detectors.base import DetectorResult, FileContext
from provenance.detectors.invisible import dwtdct
from provenance.frames import Frame
from provenance.knowledge import generators
from provenance.knowledge.datafiles import load_toml
from provenance.model.records import CLAIM_GENERATED, CLAIM_INFO, Evidence, Sighting, Watermark

METHOD = "dwtDct"
# Decode at most this many of the sampled frames (spread over the clip): the cost budget is
# 20% of a check, and a marked clip is decisive from one or two good frames (docs/invisible.md).
MAX_DECODED_FRAMES = 8
# Larger pictures are read on a band of this many blocks (8x8 px each; about 4 Mpx).
MAX_BLOCKS = 65536
# A decoded frame joins the mark's track when its own (uncorrected) p is below this.
TRACK_P = 1e-3
LN10 = math.log(10.0)


@dataclass(frozen=True)
class Policy:
    log10_p_call: float
    log10_p_decisive: float
    agreement_call: float
    agreement_decisive: float
    confidence_found: float
    confidence_decisive: float
    chi2_scale: float


@lru_cache(maxsize=1)
def policy() -> Policy:
    data = load_toml("invisible_null.toml")
    th, ev, cal = data["threshold"], data["evidence"], data["calibration"]
    return Policy(
        math.log10(th["p_call"]),
        math.log10(th["p_decisive"]),
        th["agreement_call"],
        th["agreement_decisive"],
        ev["confidence_found"],
        ev["confidence_decisive"],
        max(1.0, cal["chi2_scale"]),
    )


@dataclass(frozen=True)
class Candidate:
    generator: str
    payload: generators.InvisiblePayload


def candidates(media_kind: str) -> list[Candidate]:
    """Every dwtDct payload of the data file that this kind of media can carry."""
    return [
        Candidate(gen.id, p)
        for gen in generators.load().values()
        for p in gen.invisible
        if p.method == METHOD and media_kind in p.media
    ]


@dataclass
class FrameStat:
    index: int
    time_s: float
    stat: np.ndarray  # (2,) raw statistic
    white: np.ndarray  # (2,) whitened: N(0, I) without a mark
    means: np.ndarray  # (L, 2) per-bit field means
    package_agree: int


def analyse_frame(
    bgr: np.ndarray, cands: list[Candidate], index: int = 0, time_s: float = 0.0
) -> dict[tuple[str, str], FrameStat]:
    """Per (payload name, variant) statistics of one frame; keeps no pixels."""
    out: dict[tuple[str, str], FrameStat] = {}
    grids = dwtdct.block_grids(bgr, dwtdct.VARIANTS, max_blocks=MAX_BLOCKS)
    for variant in dwtdct.VARIANTS:
        prep = dwtdct.prepare(grids[variant])
        for cand in cands:
            score = dwtdct.payload_score(prep, cand.payload.bits)
            out[(cand.payload.name, variant)] = FrameStat(
                index, time_s, score.stat, score.whitened(), score.means, score.bits_agree
            )
    return out


@dataclass
class Combined:
    """One payload x variant over all decoded frames."""

    candidate: Candidate
    variant: str
    frames: list[FrameStat]
    tests: int
    log10_p: float = 0.0  # Bonferroni-corrected false-alarm probability, log10
    chi2_mean: float = 0.0
    chi2_max: float = 0.0
    agreement: float = 0.0  # aligned decoder over all frames
    package_agreement: float = 0.0  # the package's fixed-phase decision, mean over frames
    marked_frames: list[FrameStat] = field(default_factory=list)

    @property
    def p_value(self) -> float:
        return 10.0**self.log10_p


def _log10_sf_chi2_2(x: float) -> float:
    """log10 P(chi2 with 2 d.o.f. > x) = -x / (2 ln 10)."""
    return -max(x, 0.0) / (2.0 * LN10)


def combine(
    cand: Candidate, variant: str, frames: list[FrameStat], tests: int, scale: float = 1.0
) -> Combined:
    """Evidence of one payload over frames, valid however the frames are correlated."""
    res = Combined(cand, variant, frames, tests)
    n = len(frames)
    chi2 = [float(f.white @ f.white) / scale for f in frames]
    mean_white = np.mean([f.white for f in frames], axis=0)
    res.chi2_mean = float(mean_white @ mean_white) / scale
    res.chi2_max = max(chi2)
    log_p = _log10_sf_chi2_2(res.chi2_mean)
    if n > 1:
        log_p_max = _log10_sf_chi2_2(res.chi2_max) + math.log10(n)
        log_p = min(log_p, log_p_max) + math.log10(2)
    res.log10_p = min(0.0, log_p + math.log10(max(tests, 1)))
    stat = np.sum([f.stat for f in frames], axis=0)
    means = np.sum([f.means for f in frames], axis=0)
    bits = dwtdct.bits_from_string(cand.payload.bits)
    res.agreement = float((dwtdct.aligned_bits(means, stat) == bits).mean())
    res.package_agreement = float(np.mean([f.package_agree for f in frames])) / bits.size
    res.marked_frames = [
        f for f, c in zip(frames, chi2, strict=True) if _log10_sf_chi2_2(c) < math.log10(TRACK_P)
    ]
    return res


def best_match(
    per_frame: list[dict[tuple[str, str], FrameStat]], cands: list[Candidate], scale: float = 1.0
) -> list[Combined]:
    """All payload x variant results, strongest (lowest p) first."""
    tests = len(cands) * len(dwtdct.VARIANTS)
    results = [
        combine(cand, variant, [f[(cand.payload.name, variant)] for f in per_frame], tests, scale)
        for cand in cands
        for variant in dwtdct.VARIANTS
    ]
    return sorted(results, key=lambda r: (r.log10_p, -r.chi2_max))


def _p_text(log10_p: float) -> str:
    if log10_p < -300:
        return "<1e-300"
    return f"{10.0**log10_p:.2g}"


class InvisibleDetector:
    """FrameDetector for dwtDct payloads; statistics per frame, decision in ``finish``."""

    name = "invisible"

    def __init__(self) -> None:
        self._cands: list[Candidate] = []
        self._wanted: set[int] = set()
        self._per_frame: list[dict[tuple[str, str], FrameStat]] = []
        self._too_small = 0

    def start(self, context: FileContext) -> None:
        self._cands = candidates(context.media.kind)
        self._per_frame = []
        self._too_small = 0
        indices = list(getattr(context.frames, "indices", []) or [])
        if len(indices) > MAX_DECODED_FRAMES:
            step = len(indices) / MAX_DECODED_FRAMES
            indices = [indices[int(i * step + step / 2)] for i in range(MAX_DECODED_FRAMES)]
        self._wanted = set(indices)

    def feed(self, frame: Frame) -> None:
        if not self._cands or (self._wanted and frame.index not in self._wanted):
            return
        if not dwtdct.can_carry(frame.image.shape):
            self._too_small += 1
            return
        self._per_frame.append(analyse_frame(frame.image, self._cands, frame.index, frame.time_s))

    def finish(self) -> DetectorResult:
        result = DetectorResult()
        if not self._per_frame:
            return result
        pol = policy()
        ranked = best_match(self._per_frame, self._cands, pol.chi2_scale)
        best = ranked[0]
        n = len(self._per_frame)
        if best.log10_p <= pol.log10_p_call and best.agreement >= pol.agreement_call:
            decisive = (
                best.log10_p <= pol.log10_p_decisive and best.agreement >= pol.agreement_decisive
            )
            self._report_mark(result, best, decisive, pol)
        elif best.log10_p <= pol.log10_p_call:
            result.evidence.append(
                Evidence(
                    source="invisible-watermark",
                    kind="invisible.dwtdct.unattributed",
                    detail=(
                        f"A dwtDct-like pattern correlates with the {best.candidate.payload.name} "
                        f"payload (p {_p_text(best.log10_p)}) but only {best.agreement:.0%} of "
                        "its bits read back, so it is not attributed to any generator."
                    ),
                    confidence=0.0,
                    claim=CLAIM_INFO,
                    where={"frames": [f.index for f in best.frames]},
                )
            )
        else:
            names = ", ".join(sorted({c.payload.name for c in self._cands}))
            result.evidence.append(
                Evidence(
                    source="invisible-watermark",
                    kind="invisible.dwtdct.not-found",
                    detail=(
                        f"No known invisible dwtDct payload ({names}) found in {n} "
                        f"frame{'s' if n != 1 else ''} (best p {_p_text(best.log10_p)}); "
                        "JPEG, re-encoding, resizing and cropping erase this mark, so its "
                        "absence is not proof of anything."
                    ),
                    confidence=0.0,
                    claim=CLAIM_INFO,
                    where={"frames": [f.index for f in best.frames]},
                )
            )
        return result

    def _report_mark(
        self, result: DetectorResult, best: Combined, decisive: bool, pol: Policy
    ) -> None:
        cand, n = best.candidate, len(best.frames)
        name = generators.display_name(cand.generator) or cand.generator
        bits = len(cand.payload.bits)
        agree = round(best.agreement * bits)
        track = [
            Sighting(f.index, f.time_s, None, round(float(f.white @ f.white), 1))
            for f in best.marked_frames
        ]
        confidence = pol.confidence_decisive if decisive else pol.confidence_found
        stats = {
            "bit_agreement": best.agreement,
            "package_bit_agreement": best.package_agreement,
            "p_value": _p_text(best.log10_p),
            "log10_p_value": round(best.log10_p, 2),
            "frames": n,
            "frames_marked": len(best.marked_frames),
            "variant": best.variant,
            "chi2_mean": round(best.chi2_mean, 1),
            "chi2_max": round(best.chi2_max, 1),
            "tests": best.tests,
            "threshold": {
                "p_call": _p_text(pol.log10_p_call),
                "p_decisive": _p_text(pol.log10_p_decisive),
            },
        }
        result.watermarks.append(
            Watermark(
                kind="invisible",
                generator=cand.generator,
                confidence=confidence,
                method=METHOD,
                payload=cand.payload.name,
                track=track,
                stats=stats,
            )
        )
        where_frames = [f.index for f in best.marked_frames] or [f.index for f in best.frames]
        result.evidence.append(
            Evidence(
                source="invisible-watermark",
                kind="invisible.dwtdct",
                detail=(
                    f"Invisible dwtDct watermark of {name} decoded (payload {cand.payload.name}):"
                    f" {agree} of {bits} bits read back; the chance of a match this strong on "
                    f"unmarked content is {_p_text(best.log10_p)}"
                    f" ({n} frame{'s' if n != 1 else ''} decoded)."
                ),
                confidence=confidence,
                claim=CLAIM_GENERATED,
                generator=cand.generator,
                where={"frames": where_frames},
                decisive=decisive,
            )
        )
