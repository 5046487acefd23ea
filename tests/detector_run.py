"""Run one pixel detector and the rules that judge its observations, nothing else: what the
detector tests assert on (the readers' facts are left empty, so no other rule fires)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from provenance import rules
from provenance.frames import FrameSource
from provenance.fusion.attribution import attribute
from provenance.model.records import Evidence, MediaInfo, Watermark
from provenance.options import CheckOptions
from provenance.pipeline import _detect
from provenance.readers.credentials.reader import C2paInfo
from provenance.readers.metadata import MetadataInfo
from provenance.readers.probe import probe


@dataclass
class Detected:
    evidence: list[Evidence] = field(default_factory=list)
    watermarks: list[Watermark] = field(default_factory=list)
    observations: list = field(default_factory=list)


def run_detector(path: str | Path, name: str, media: MediaInfo | None = None, **opts) -> Detected:
    options = CheckOptions(detectors=(name,), **opts)
    media = media or probe(str(path))
    facts = rules.Facts(str(path), media, C2paInfo(), MetadataInfo(), options)
    frames = FrameSource(str(path), media, options.sample_fps, options.max_frames)
    facts.observations, facts.detectors_run = _detect(facts, frames, options)
    evidence, marks = rules.run("evidence", facts)
    judged = rules.Judged.of_facts(facts, evidence, attribute(evidence))
    stripping, more = rules.run("stripping", judged)
    mine = {k for k, r in rules.RULES.items() if r.module == f"provenance.rules.{name}"}
    return Detected(
        [e for e in evidence + stripping if e.kind in mine], marks + more, facts.observations
    )
