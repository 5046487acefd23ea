"""Options for one check; the CLI maps its flags onto this and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, fields

from provenance.frames import DEFAULT_MAX_FRAMES, DEFAULT_SAMPLE_FPS

DEPTHS = ("full", "quick")
# Quick depth (docs/performance.md): credentials, metadata, container and bitstream strings,
# and, on at most QUICK_MAX_FRAMES keyframes of a clip (the keyframe nearest each of that many
# evenly spread samples), the detectors that decide from one frame: the invisible dwtDct
# decoder (a marked frame is decisive alone, docs/invisible.md). Visible stamps and removal
# traces are judged from how pixels change over time, which keyframes alone do not show
# (measured: on 2-4 keyframes they found nothing the full check found, on the samples and 32
# real clips); no pixels of a still image (its decode alone exceeds the quick budget).
QUICK_MAX_FRAMES = 2
QUICK_DETECTORS = ("invisible",)
TABLE_FILE_OPTIONS = ("generators_files", "model_family_files", "tc260_files", "soft_binding_files")


@dataclass
class CheckOptions:
    """The settings of one check; ``from_kwargs`` builds them with every value checked."""

    trust_anchors: str | None = None  # PEM file of trust anchors added for C2PA signers
    # Trust the bundled C2PA Trust List snapshot (provenance/data/c2pa/); False trusts only
    # trust_anchors (the CLI flag --no-bundled-trust).
    bundled_trust: bool = True
    # As c2patool's --allowed_list: a PEM of end-entity signing certificates trusted as they
    # are, whatever they chain to.
    trust_allowed_list: str | None = None
    allow_network: bool = False  # fetch remote manifests / OCSP only when True
    sample_fps: float = DEFAULT_SAMPLE_FPS
    max_frames: int = DEFAULT_MAX_FRAMES
    # Pixel detectors to run, by name; None runs every registered one, () none.
    detectors: tuple[str, ...] | None = None
    evidence_dir: str | None = None  # write annotated frames here
    # Per-file limit: a scan replaces the stuck worker; provenance.check returns "timed out".
    timeout_s: float | None = 120.0
    # "full": every sampled frame; "quick": keyframes only, no still-image pixels, and the
    # report's coverage says whether a full check could change the answer.
    depth: str = "full"
    # The user's own knowledge files, loaded after the bundled tables (same schemas,
    # docs/generators.md): generators, model families, TC260 producers, soft bindings.
    generators_files: tuple[str, ...] = ()
    model_family_files: tuple[str, ...] = ()
    tc260_files: tuple[str, ...] = ()
    soft_binding_files: tuple[str, ...] = ()

    @classmethod
    def from_kwargs(cls, **kwargs) -> CheckOptions:
        names = {f.name for f in fields(cls)}
        unknown = set(kwargs) - names
        if unknown:
            raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
        opts = cls(**kwargs)
        for name in TABLE_FILE_OPTIONS:
            value = getattr(opts, name)
            if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
                raise TypeError(f"{name} takes a sequence of paths, e.g. ('ours.toml',)")
            setattr(opts, name, tuple(str(p) for p in value))
        if opts.depth not in DEPTHS:
            raise ValueError(f"depth must be one of {', '.join(DEPTHS)}, not {opts.depth!r}")
        if opts.detectors is not None:
            if isinstance(opts.detectors, str):
                raise TypeError(
                    "detectors takes a sequence of names, e.g. ('visible',), not a string"
                )
            opts.detectors = tuple(opts.detectors)
            bad = set(opts.detectors) - set(detector_names())
            if bad:
                raise ValueError(
                    f"unknown detector(s): {', '.join(sorted(bad))}; "
                    f"known: {', '.join(detector_names())}"
                )
        return opts

    def table_files(self) -> dict[str, tuple[str, ...]]:
        """The extra table files, as ``knowledge.tables.use_extra_files`` takes them."""
        return {name: tuple(getattr(self, name)) for name in TABLE_FILE_OPTIONS}

    def detectors_to_run(self) -> tuple[str, ...]:
        names = detector_names() if self.detectors is None else tuple(self.detectors)
        if self.depth == "quick":
            return tuple(n for n in names if n in QUICK_DETECTORS)
        return names


def detector_names() -> tuple[str, ...]:
    """Every registered pixel detector (imports them: call when needed, not at import)."""
    from provenance.detectors.base import load

    return tuple(load())
