"""Every cost goal of issue 16 in one table, measured on this machine in one run.

    .venv/bin/python bench/run_all.py [--runs 3] [--startup-runs 5] [folder ...]

Figures (all side by side in this run, so machine load hits each alike; ratios are the
figures, seconds only for orientation):

* clips, full depth: ``check`` / a full OpenCV decode of every frame, median over clips;
  beside it the floor: the product's decode of the frames a full check samples, with no
  detector, over the same full decode (``cost.py``'s ``samples`` column);
* clips, quick depth: the same for ``depth="quick"`` (median and worst clip);
* images, full depth: ``check`` / the image's own decode (``frames.read_image``), median;
* images, metadata only (no pixel detector) and quick depth: ms per file, median and worst;
* start-up: a cold ``provenance check --json`` of one small image without OCR, process start
  to report, median of fresh processes; beside it the floor: ``python -c "import cv2, c2pa"``
  in fresh processes, alternating with it;
* scale (``bench_scan.py``): a mixed folder of >= 500 files (the samples, copied), scanned
  with 1 and 2 local workers and a 2-worker Dask LocalCluster: the speed-up of 2 workers and
  Dask's time over the local pool's;
* memory: the scanning parent's peak RSS over 100,000 small files against 1,000
  (``bench_scan_memory.py``), and one check's peak RSS on a 60-s 1080p clip
  (``bench_memory.py``, which renders the clip when it is missing).

``--no-scale`` leaves out the scale and memory rows (minutes of work), for a quick look at
the cost ratios.

Clips and images come from the folders given (default: the project's samples and the
shared fixtures); docs/performance.md keeps the latest table and where the time goes
(bench/profile_stages.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import cost  # noqa: E402

SMALL_IMAGE = ROOT / "samples" / "clips" / "plain_still.jpg"
GOALS = {
    "clip_full_ratio_median": ("video, full check / full OpenCV decode (median)", 0.5, "x"),
    "clip_quick_ratio_median": ("video, quick check / full OpenCV decode (median)", 0.1, "x"),
    "clip_quick_ratio_max": ("video, quick check / full OpenCV decode (worst clip)", 0.1, "x"),
    "image_full_ratio_median": ("image, full check / image decode (median)", 2.0, "x"),
    "image_meta_ms_median": ("image, metadata-only check (median)", 30.0, "ms"),
    "image_meta_ms_max": ("image, metadata-only check (worst file)", 30.0, "ms"),
    "image_quick_ms_median": ("image, quick check (median)", 30.0, "ms"),
    "image_quick_ms_max": ("image, quick check (worst file)", 30.0, "ms"),
    "startup_s": ("start-up: cold `provenance check` of a small image (median)", 0.3, "s"),
    # Ratios where higher is better are printed as their inverse goal (see ``HIGHER``).
    "scan_speedup_2_workers": ("scale: 2 local workers / 1, mixed folder (speed-up)", 1.9, "x"),
    "scan_dask_over_local": (
        "scale: Dask LocalCluster / local pool, cluster start incl.",
        1.1,
        "x",
    ),
    "scan_dask_steady_over_local": (
        "scale: Dask LocalCluster / local pool, cluster started",
        1.1,
        "x",
    ),
    "scan_parent_mb_per_1000_files": (
        "scale: scanning parent's RSS growth per 1,000 files (jobs=2)",
        0.1,
        "MiB",
    ),
    "clip_peak_mb": ("memory: one check's peak RSS, 60-s 1080p clip", 250.0, "MB"),
}
HIGHER = {"scan_speedup_2_workers"}  # met when the measured value is at least the target


def startup(runs: int) -> dict[str, float]:
    """Cold start to first report, alternating with the import floor."""
    exe = Path(sys.executable).parent / "provenance"
    cmd = [str(exe), "check", "--json", str(SMALL_IMAGE)]
    if not exe.exists():
        cmd = [sys.executable, "-m", "provenance.cli.main", "check", "--json", str(SMALL_IMAGE)]
    floor_cmd = [sys.executable, "-c", "import cv2, c2pa"]
    ours, floor = [], []
    for _ in range(runs):
        for target, out in ((cmd, ours), (floor_cmd, floor)):
            t = time.perf_counter()
            subprocess.run(target, capture_output=True, check=False, cwd=ROOT)
            out.append(time.perf_counter() - t)
    return {"startup_s": statistics.median(ours), "startup_floor_s": statistics.median(floor)}


def scale(scan_files: int, parent_files: int) -> dict[str, float]:
    """The scale and memory rows (each module's ``measure``; see its docstring)."""
    import bench_scan
    import bench_scan_memory

    out = bench_scan.measure(scan_files)
    parent = bench_scan_memory.measure(parent_files)
    out[bench_scan_memory.GOAL_KEY] = parent[bench_scan_memory.GOAL_KEY]
    out["parent_peak_mb"] = parent["scan_j2_peak_mb"]
    # In a small process of its own: a child's ru_maxrss counts the memory of the process
    # it was forked from, and this one has held every corpus file by now.
    child = "import sys, json; sys.path.insert(0, 'bench'); import bench_memory as m; "
    child += "print(json.dumps(m.measure()))"
    done = subprocess.run(
        [sys.executable, "-c", child], cwd=ROOT, capture_output=True, text=True, check=True
    )
    memory = json.loads(done.stdout.splitlines()[-1])
    out["clip_peak_mb"] = memory["all_detectors_mb"]  # the command line, as a user runs it
    out["clip_peak_api_mb"] = memory["api_all_detectors_mb"]
    out["clip_peak_none_mb"] = memory["no_detectors_mb"]
    return out


def load() -> str:
    try:
        one, five, _ = os.getloadavg()
        return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"
    except OSError:
        return "load unknown"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("targets", nargs="*", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--startup-runs", type=int, default=5)
    ap.add_argument("--rows", action="store_true", help="also print every file's figures")
    ap.add_argument("--no-scale", action="store_true", help="leave out scale and memory rows")
    ap.add_argument("--scan-files", type=int, default=500)
    ap.add_argument("--parent-files", type=int, default=100_000)
    ap.add_argument("--scale-only", action="store_true", help="only the scale and memory rows")
    args = ap.parse_args()
    before = load()
    figures: dict[str, float] = {}
    rows: list = []
    if not args.scale_only:
        figures.update(startup(args.startup_runs))
        rows = cost.measure(
            cost.media_files(args.targets or [ROOT / "samples", cost.FIXTURES]), args.runs
        )
        figures.update(cost.summary(rows))
    if not args.no_scale:
        figures.update(scale(args.scan_files, args.parent_files))
    if args.rows:
        cost.print_rows(rows)
        print()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    print(f"commit {commit}, Python {platform.python_version()}, {platform.machine()}")
    print(f"machine: before {before}; after {load()}")
    print(f"files: {int(figures.get('clips', 0))} clips, {int(figures.get('images', 0))} images")
    print()
    print(f"| {'goal':58s} | {'measured':>9s} | {'target':>7s} | met |")
    print(f"|{'-' * 60}|{'-' * 11}|{'-' * 9}|-----|")
    for key, (label, target, unit) in GOALS.items():
        if key not in figures:
            continue
        value = figures[key]
        shown = f"{value:.0f} {unit}" if unit in ("ms", "MB") else f"{value:.3f}{unit}"
        shown = f"{value:.3f} {unit}" if unit == "MiB" else shown
        goal = f"{target:g} {unit}" if unit in ("ms", "MB", "MiB") else f"{target:g}{unit}"
        met = value >= target if key in HIGHER else value <= target
        print(f"| {label:58s} | {shown:>9s} | {goal:>7s} | {'yes' if met else 'no':3s} |")
    if "scan_local1_s" in figures:
        print(
            f"\nscale: {int(figures['scan_files'])} files, 1 worker "
            f"{figures['scan_local1_s']:.1f} s, 2 workers {figures['scan_local2_s']:.1f} s, "
            f"Dask 2 workers {figures['scan_dask2_s']:.1f} s with the cluster's start and "
            f"stop, {figures['scan_dask2_steady_s']:.1f} s on a started cluster; "
            f"scanning parent's peak RSS {figures['parent_peak_mb']:.0f} MiB at "
            f"{args.parent_files:,} files (jobs=2); one check of the "
            f"60-s clip: {figures['clip_peak_api_mb']:.0f} MB through provenance.check, "
            f"{figures['clip_peak_none_mb']:.0f} MB with no detector"
        )
    if "clip_samples_ratio_median" in figures:
        print(
            "\nfull-depth floor (the sampled frames decoded alone, no detector, / full OpenCV "
            f"decode, median): {figures['clip_samples_ratio_median']:.3f}x"
        )
    if "startup_floor_s" not in figures:
        return
    print(
        f"\nstart-up floor (python -c 'import cv2, c2pa', same run): "
        f"{figures['startup_floor_s']:.3f} s; start-up / floor: "
        f"{figures['startup_s'] / figures['startup_floor_s']:.2f}"
    )


if __name__ == "__main__":
    main()
