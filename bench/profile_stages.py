"""Where a check's time goes, per stage, summed over a set of files (docs/performance.md).

    .venv/bin/python bench/profile_stages.py [folder-or-file ...] [--kind video|image]
        [--depth full|quick]

Wraps the pipeline's stages with timers in this (warm) process: probe, Content Credentials,
metadata, waiting for decoded frames (the part of decoding the detectors do not hide:
decoding runs in its own thread), each detector (start + feed + finish), the evidence and
stripping rules with fusion. Prints each stage's share of the summed wall time. For a
function-level profile of the same run: ``--cprofile`` (top functions by own time).
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import cost  # noqa: E402

SPENT: collections.Counter = collections.Counter()


def _timed(stage: str, fn):
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            SPENT[stage] += time.perf_counter() - t

    return wrapper


def _instrument() -> None:
    from provenance import pipeline
    from provenance.detectors.base import load
    from provenance.frames import source

    pipeline.probe = _timed("probe", pipeline.probe)
    pipeline.credentials.read = _timed("credentials (c2pa)", pipeline.credentials.read)
    pipeline.metadata.read = _timed("metadata", pipeline.metadata.read)
    pipeline.rules.run = _timed("rules + fusion", pipeline.rules.run)
    pipeline.attribute = _timed("rules + fusion", pipeline.attribute)
    pipeline.decide = _timed("rules + fusion", pipeline.decide)
    for name, cls in load().items():
        for method in ("start", "feed", "finish"):
            setattr(cls, method, _timed(f"detector {name}", getattr(cls, method)))
    plain = source.FrameSource.read_many

    def read_many(self, indices):
        frames = plain(self, indices)
        while True:
            t = time.perf_counter()
            try:
                frame = next(frames)
            except StopIteration:
                SPENT["waiting for decoded frames"] += time.perf_counter() - t
                return
            SPENT["waiting for decoded frames"] += time.perf_counter() - t
            yield frame

    source.FrameSource.read_many = read_many


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("targets", nargs="*", type=Path)
    ap.add_argument("--kind", choices=("video", "image"), default=None)
    ap.add_argument("--depth", choices=("full", "quick"), default="full")
    ap.add_argument("--cprofile", action="store_true")
    args = ap.parse_args()
    import provenance
    from provenance.readers.probe import ProbeError, probe

    provenance.check(ROOT / "samples" / "clips" / "sora_like.mp4")  # imports, OCR model
    files = []
    for p in cost.media_files(args.targets or [ROOT / "samples", cost.FIXTURES]):
        try:
            kind = probe(str(p)).kind
        except ProbeError:
            continue
        if kind in ("image", "video") and (args.kind is None or kind == args.kind):
            files.append(p)
    _instrument()
    profiler = None
    if args.cprofile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    from provenance import pipeline
    from provenance.options import CheckOptions

    options = CheckOptions(depth=args.depth)
    wall = 0.0
    for p in files:
        t = time.perf_counter()
        # pipeline.check, not provenance.check: the latter runs it in a thread under the
        # time limit, where cProfile (which profiles the calling thread) sees only a wait.
        pipeline.check(p, options)
        wall += time.perf_counter() - t
    if profiler is not None:
        profiler.disable()
    SPENT["other (pipeline, evidence images, bookkeeping)"] = wall - sum(SPENT.values())
    print(f"{len(files)} files, {wall:.2f} s in all ({args.depth} depth)")
    for stage, seconds in SPENT.most_common():
        print(f"  {stage:48s} {seconds:7.2f} s  {100 * seconds / wall:5.1f} %")
    if profiler is not None:
        import pstats

        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
