"""Cost of a check against the cost of decoding the file, side by side in one run (issue 16).

    .venv/bin/python bench/cost.py [--runs 3] [--kind image|video] [--full-only] [target ...]

For every clip: a full OpenCV decode of every frame (the goal's yardstick,
``clips.decode_all``), the product's own decode of the frames a full check samples, with no
detector (``FrameSource``: the full check's floor, since no detector can start before its
frame is decoded), then ``check`` at full and quick depth, each timed in this warm process
(OCR model loaded once before), each run alternating with the others so machine load hits
all alike; the ratio is per clip, the median over clips is the figure. For every still
image: the product's own decode (``frames.read_image``), then full check, quick check and a
metadata-only check (no pixel detector). Defaults: the project's samples and the shared
fixtures; give folders to measure others (a real-world corpus). ``run_all.py`` prints these
with their goals. ``--kind`` keeps one kind of media; ``--full-only`` times the decode and
the full check alone (a quicker before/after of a detector change: run it on each tree, one
after the other).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
FIXTURES = Path(os.environ.get("PROVENANCE_FIXTURES", ROOT.parent / "shared" / "fixtures"))
SKIP = {".json", ".md", ".py", ".toml", ".pem", ".key", ".pub", ".c2pa", ".sh", ""}


@dataclass
class Row:
    path: str
    kind: str
    decode_s: float
    full_s: float
    quick_s: float
    meta_s: float = 0.0
    samples_s: float = math.nan  # clips: the sampled frames' decode alone
    extra: dict = field(default_factory=dict)

    @property
    def full_ratio(self) -> float:
        return self.full_s / self.decode_s if self.decode_s else float("nan")

    @property
    def samples_ratio(self) -> float:
        return self.samples_s / self.decode_s if self.decode_s else float("nan")

    @property
    def quick_ratio(self) -> float:
        return self.quick_s / self.decode_s if self.decode_s else float("nan")


def media_files(targets: list[Path]) -> list[Path]:
    out = []
    for t in targets:
        items = [t] if t.is_file() else sorted(t.rglob("*"))
        for p in items:
            if p.is_file() and p.suffix.lower() not in SKIP and "LICENSE" not in p.name:
                out.append(p)
    return out


def _timed(fn, runs: int) -> float:
    best = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        best.append(time.perf_counter() - t)
    return min(best)


def measure(
    paths: list[Path], runs: int = 3, kind: str | None = None, full_only: bool = False
) -> list[Row]:
    """One row per decodable image or clip (errors and audio are skipped)."""
    from clips import decode_all

    import provenance
    from provenance.frames import FrameSource, read_image
    from provenance.readers.probe import ProbeError, probe

    warm = ROOT / "samples" / "clips" / "sora_like.mp4"
    provenance.check(warm)  # OCR model and imports loaded before anything is timed
    rows = []
    for p in paths:
        try:
            media = probe(str(p))
        except ProbeError:
            continue
        if media.kind not in ("image", "video") or (kind and media.kind != kind):
            continue
        first = provenance.check(p)
        if first.status != "ok" or not first.media.frames_analyzed:
            continue
        path = str(p)
        if media.kind == "video":
            decode = lambda path=path: decode_all(path)  # noqa: E731
        else:
            decode = lambda path=path: read_image(path)  # noqa: E731
        times: dict[str, list[float]] = {
            k: [] for k in ("decode", "samples", "full", "quick", "meta")
        }
        for _ in range(runs):  # interleaved: load changes hit every figure alike
            times["decode"].append(_timed(decode, 1))
            if media.kind == "video":  # the planned samples, as a default full check has them
                times["samples"].append(
                    _timed(lambda path=path, m=first.media: sum(1 for _ in FrameSource(path, m)), 1)
                )
            times["full"].append(_timed(lambda path=path: provenance.check(path), 1))
            if full_only:
                continue
            times["quick"].append(
                _timed(lambda path=path: provenance.check(path, depth="quick"), 1)
            )
            if media.kind == "image":
                times["meta"].append(
                    _timed(lambda path=path: provenance.check(path, detectors=()), 1)
                )
        rows.append(
            Row(
                path,
                media.kind,
                min(times["decode"]),
                min(times["full"]),
                min(times["quick"]) if times["quick"] else math.nan,
                min(times["meta"]) if times["meta"] else 0.0,
                min(times["samples"]) if times["samples"] else math.nan,
                {"frames": first.media.frames_analyzed},
            )
        )
    return rows


def summary(rows: list[Row]) -> dict[str, float]:
    clips = [r for r in rows if r.kind == "video"]
    images = [r for r in rows if r.kind == "image"]
    out: dict[str, float] = {"clips": len(clips), "images": len(images)}
    if clips:
        out["clip_full_ratio_median"] = statistics.median(r.full_ratio for r in clips)
        out["clip_samples_ratio_median"] = statistics.median(r.samples_ratio for r in clips)
    if any(math.isnan(r.quick_s) for r in rows):  # --full-only
        if images:
            out["image_full_ratio_median"] = statistics.median(r.full_ratio for r in images)
        return out
    if clips:
        out["clip_quick_ratio_median"] = statistics.median(r.quick_ratio for r in clips)
        out["clip_quick_ratio_max"] = max(r.quick_ratio for r in clips)
    if images:
        out["image_full_ratio_median"] = statistics.median(r.full_ratio for r in images)
        out["image_quick_ms_median"] = 1000 * statistics.median(r.quick_s for r in images)
        out["image_quick_ms_max"] = 1000 * max(r.quick_s for r in images)
        out["image_meta_ms_median"] = 1000 * statistics.median(r.meta_s for r in images)
        out["image_meta_ms_max"] = 1000 * max(r.meta_s for r in images)
    return out


def print_rows(rows: list[Row]) -> None:
    """One line per file; ``samples``: a clip's sampled frames decoded alone, over its full
    decode (the full check's floor)."""
    print(
        f"{'file':48s} {'decode':>8s} {'samples':>7s} {'full':>8s} {'ratio':>6s} "
        f"{'quick':>8s} {'ratio':>6s}"
    )
    for r in rows:
        name = "/".join(Path(r.path).parts[-2:])[-48:]
        print(
            f"{name:48s} {r.decode_s * 1000:7.0f}m {r.samples_ratio:7.2f} "
            f"{r.full_s * 1000:7.0f}m {r.full_ratio:6.2f} {r.quick_s * 1000:7.0f}m "
            f"{r.quick_ratio:6.2f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("targets", nargs="*", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kind", choices=("image", "video"), default=None)
    ap.add_argument("--full-only", action="store_true")
    args = ap.parse_args()
    targets = media_files(args.targets or [ROOT / "samples", FIXTURES])
    rows = measure(targets, args.runs, args.kind, args.full_only)
    print_rows(rows)
    for k, v in summary(rows).items():
        print(f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}")


if __name__ == "__main__":
    main()
