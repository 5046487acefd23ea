"""Invisible dwtDct watermarks (Stable Diffusion 1.x/2.x, SDXL, Stable Video Diffusion).

A mark is called by a statistical test, never by a bit-accuracy cut-off: per frame, the
block field of each decoder variant is matched against each known payload
(``dwtdct.payload_score``: a 2-vector whose null covariance comes from the picture's own
spatial autocovariance), giving a chi-square with 2 degrees of freedom. Frames of a clip
are not independent, so they are combined only in ways valid under *any* correlation:
the mean of the whitened per-frame vectors (its covariance is at most the identity) and
the best frame times the number of frames; the smaller p counts twice. The p-value is then
multiplied by the number of payload x variant tests (Bonferroni). Thresholds and their
measurement live in data/detectors.toml [invisible]; the method in docs/invisible.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from provenance.detectors.base import FileContext, detector
from provenance.detectors.invisible import dwtdct
from provenance.frames import Frame
from provenance.knowledge import generators
from provenance.knowledge.numbers import detector_params

METHOD = "dwtDct"
LN10 = math.log(10.0)


@dataclass(frozen=True)
class Candidate:
    """A dwtDct payload of the data file, with the generator that embeds it."""

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
    """One frame's statistics for one payload x decoder variant; no pixels are kept."""

    index: int
    time_s: float
    stat: np.ndarray  # (2,) raw statistic
    white: np.ndarray  # (2,) whitened: N(0, I) without a mark
    means: np.ndarray  # (L, 2) per-bit field means
    package_agree: int


def analyse_frame(
    bgr: np.ndarray,
    cands: list[Candidate],
    index: int = 0,
    time_s: float = 0.0,
    max_blocks: int = 65536,
) -> dict[tuple[str, str], FrameStat]:
    """Per (payload name, variant) statistics of one frame; keeps no pixels."""
    out: dict[tuple[str, str], FrameStat] = {}
    grids = dwtdct.block_grids(bgr, dwtdct.VARIANTS, max_blocks=max_blocks)
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
    cand: Candidate,
    variant: str,
    frames: list[FrameStat],
    tests: int,
    scale: float = 1.0,
    track_p: float = 1e-3,
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
        f for f, c in zip(frames, chi2, strict=True) if _log10_sf_chi2_2(c) < math.log10(track_p)
    ]
    return res


def best_match(
    per_frame: list[dict[tuple[str, str], FrameStat]],
    cands: list[Candidate],
    scale: float = 1.0,
    track_p: float = 1e-3,
) -> list[Combined]:
    """All payload x variant results, strongest (lowest p) first."""
    tests = len(cands) * len(dwtdct.VARIANTS)
    results = [
        combine(
            cand,
            variant,
            [f[(cand.payload.name, variant)] for f in per_frame],
            tests,
            scale,
            track_p,
        )
        for cand in cands
        for variant in dwtdct.VARIANTS
    ]
    return sorted(results, key=lambda r: (r.log10_p, -r.chi2_max))


@dataclass
class DwtDctResult:
    """The strongest payload x decoder variant over the decoded frames, what was tried, and
    the outcome of the test: ``significant`` (false-alarm probability at most p_call),
    ``found`` (significant and enough bits read back to name the payload), ``decisive``
    (found with overwhelming statistics). Thresholds: detectors.toml [invisible]."""

    best: Combined
    payloads: list[str]  # names of every payload tested
    frames: int  # frames decoded
    significant: bool
    found: bool
    decisive: bool
    p_call: float
    p_decisive: float


def classify(best: Combined, params) -> tuple[bool, bool, bool]:
    """(significant, found, decisive) of a match under the thresholds in ``params``."""
    significant = best.log10_p <= math.log10(params["p_call"])
    found = significant and best.agreement >= params["agreement_call"]
    decisive = (
        found
        and best.log10_p <= math.log10(params["p_decisive"])
        and best.agreement >= params["agreement_decisive"]
    )
    return significant, found, decisive


@detector
class InvisibleDetector:
    """dwtDct payloads: statistics per frame, the strongest match over the file in ``finish``."""

    name = "invisible"

    def start(self, context: FileContext) -> None:
        self.params = detector_params("invisible")
        self.cands = candidates(context.media.kind)
        self.per_frame: list[dict[tuple[str, str], FrameStat]] = []
        most = self.params["max_decoded_frames"]
        indices = list(context.frames.indices)
        if len(indices) > most:
            step = len(indices) / most
            indices = [indices[int(i * step + step / 2)] for i in range(most)]
        self.wanted = set(indices)

    def feed(self, frame: Frame) -> None:
        if not self.cands or (self.wanted and frame.planned not in self.wanted):
            return
        if not dwtdct.can_carry(frame.image.shape):
            return
        self.per_frame.append(
            analyse_frame(
                frame.image, self.cands, frame.index, frame.time_s, self.params["max_blocks"]
            )
        )

    def finish(self) -> list[DwtDctResult]:
        if not self.per_frame:
            return []
        ranked = best_match(
            self.per_frame, self.cands, max(1.0, self.params["chi2_scale"]), self.params["track_p"]
        )
        payloads = sorted({c.payload.name for c in self.cands})
        p = self.params
        return [
            DwtDctResult(
                ranked[0],
                payloads,
                len(self.per_frame),
                *classify(ranked[0], p),
                p_call=p["p_call"],
                p_decisive=p["p_decisive"],
            )
        ]
