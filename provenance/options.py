"""Options for one check; the CLI maps its flags onto this and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from provenance.frames import DEFAULT_MAX_FRAMES, DEFAULT_SAMPLE_FPS

ALL_DETECTORS = ("visible", "invisible", "removal")


@dataclass
class CheckOptions:
    trust_anchors: str | None = None  # PEM file of trust anchors added for C2PA signers
    # Trust the bundled C2PA Trust List snapshot (provenance/data/c2pa/); False trusts only
    # trust_anchors. A CLI flag (--no-bundled-trust) is still to come.
    bundled_trust: bool = True
    allow_network: bool = False  # fetch remote manifests / OCSP only when True
    sample_fps: float = DEFAULT_SAMPLE_FPS
    max_frames: int = DEFAULT_MAX_FRAMES
    detectors: tuple[str, ...] = ALL_DETECTORS  # pixel detectors to run
    evidence_dir: str | None = None  # write annotated frames here
    timeout_s: float | None = 120.0  # per-file limit in scans (worker processes)
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_kwargs(cls, **kwargs) -> CheckOptions:
        names = {f.name for f in fields(cls)}
        unknown = set(kwargs) - names
        if unknown:
            raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
        opts = cls(**kwargs)
        opts.detectors = tuple(opts.detectors)
        bad = set(opts.detectors) - set(ALL_DETECTORS)
        if bad:
            raise ValueError(f"unknown detector(s): {', '.join(sorted(bad))}")
        return opts
