"""Peak memory of the scanning parent over many small files (issue 16, "Scale": bounded
whatever the folder size).

    .venv/bin/python bench/bench_scan_memory.py [--files 1000 10000 100000] [--jobs 1 2]

Builds N tiny valid PNGs (8x8, each with its own pixels, so distinct bytes; one in
``DUPLICATE_EVERY`` is a byte copy of an earlier file, so duplicates are found across the
stream) in a temporary folder of ``PER_FOLDER`` files per subfolder, then scans the folder
with ``provenance.scan(folder, detectors=(), jobs=J)`` and reads the scanning process's
peak resident set (``VmHWM`` in /proc/self/status, reset with /proc/self/clear_refs just
before the scan; where that reset is refused, ``VmRSS`` is sampled every 5 ms instead).
Worker processes are not counted: the figure is the parent, which walks, deduplicates and
collects the reports.

Each scan runs in a fresh Python process that calls ``provenance.scan`` in-process: memory a
run freed stays with the allocator and would hide the next run's growth. Before measuring,
that process scans a few files once, so the modules the scan imports are not counted.
"growth" is the peak minus the resident set just before the scan; the growth per 1,000 files
is the slope between two N (the fixed cost of a scan cancels out): between each N given and
the next, and from the smallest to the largest; the goal row takes the two largest.
``measure(n)`` (for bench/run_all.py) scans n and n / 10 files.
"""

from __future__ import annotations

import argparse
import json
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PER_FOLDER = 1000
DUPLICATE_EVERY = 20  # every 20th file copies the file 7 places before it (5 % duplicates)
DUPLICATE_BACK = 7
# The goal-table row: growth of the parent's peak RSS per 1,000 files scanned, in MiB.
GOAL_KEY = "scan_parent_mb_per_1000_files"
GOAL = ("scan parent: peak RSS growth per 1,000 files (jobs=2)", 0.1, "MiB")


def png(index: int) -> bytes:
    """An 8x8 RGB PNG whose pixels encode ``index`` (every index gives other bytes)."""
    r, g, b = index & 0xFF, (index >> 8) & 0xFF, (index >> 16) & 0xFF
    raw = b"".join(b"\0" + bytes((r, g, (b + y) & 0xFF)) * 8 for y in range(8))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def build(folder: Path, n_files: int) -> int:
    """``n_files`` PNGs under ``folder``; returns how many are byte copies of another."""
    copies = 0
    for i in range(n_files):
        sub = folder / f"d{i // PER_FOLDER:04d}"
        if i % PER_FOLDER == 0:
            sub.mkdir(parents=True, exist_ok=True)
        target = sub / f"f{i:07d}.png"
        if i % DUPLICATE_EVERY == DUPLICATE_EVERY - 1 and i >= DUPLICATE_BACK:
            target.write_bytes(png(i - DUPLICATE_BACK))
            copies += 1
        else:
            target.write_bytes(png(i))
    return copies


CHILD = r"""
import json, os, resource, sys, threading, time
sys.path.insert(0, {root!r})
import provenance

def status(field):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB -> MiB
    return 0.0

for _ in provenance.scan({warm!r}, jobs={jobs}, detectors=()):
    pass
baseline = status("VmRSS")
sampled = [baseline]
stop = threading.Event()
try:
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # reset VmHWM to the current resident set
    sampler = None
except OSError:
    def sample():
        while not stop.wait(0.005):
            sampled.append(status("VmRSS"))
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
def cpu():
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime

cpu_started = cpu()
started = time.perf_counter()
reports = duplicates = errors = 0
first = None
for report in provenance.scan({folder!r}, jobs={jobs}, detectors=()):
    if first is None:
        first = time.perf_counter() - started
    reports += 1
    duplicates += report.duplicate_of is not None
    errors += report.status != "ok"
elapsed = time.perf_counter() - started
parent_cpu = cpu() - cpu_started
stop.set()
if sampler is not None:
    sampler.join()
peak = max(sampled) if sampler is not None else status("VmHWM")
print(json.dumps({{"baseline_mb": baseline, "peak_mb": peak, "elapsed_s": elapsed,
    "first_report_s": first or 0.0, "parent_cpu_s": parent_cpu, "reports": reports,
    "duplicates": duplicates, "errors": errors}}))
"""


def scan_once(folder: Path, warm: Path, jobs: int) -> dict[str, float]:
    """One scan of ``folder`` in a fresh process; its parent's memory and timings."""
    code = CHILD.format(root=str(ROOT), warm=str(warm), folder=str(folder), jobs=jobs)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT
    )
    if out.returncode:
        raise RuntimeError(f"scan with jobs={jobs} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _scans(n_files: int, jobs_list: tuple[int, ...]) -> dict[int, dict[str, float]]:
    with tempfile.TemporaryDirectory(prefix="provenance-scan-memory-") as tmp:
        folder, warm = Path(tmp) / "media", Path(tmp) / "warm"
        warm.mkdir()
        for i in range(3):
            (warm / f"w{i}.png").write_bytes(png(10_000_000 + i))
        copies = build(folder, n_files)
        runs = {}
        for jobs in jobs_list:
            run = scan_once(folder, warm, jobs)
            run["copies"] = copies
            if run["reports"] != n_files or run["duplicates"] != copies:
                raise RuntimeError(
                    f"jobs={jobs}: {run['reports']} reports ({n_files} files), "
                    f"{run['duplicates']} duplicates ({copies} copies)"
                )
            runs[jobs] = run
        shutil.rmtree(folder)
    return runs


def _growth(run: dict[str, float]) -> float:
    return run["peak_mb"] - run["baseline_mb"]


def _slope(small: dict[str, float], large: dict[str, float], n_small: int, n_large: int) -> float:
    """MiB of peak growth per 1,000 more files, from two scans."""
    return max(0.0, _growth(large) - _growth(small)) / ((n_large - n_small) / 1000)


def measure(n_files: int) -> dict[str, float]:
    """Scan ``n_files`` small PNGs, and a tenth as many, with jobs=1 and jobs=2: for
    ``n_files``, the parent's peak RSS and its growth during the scan (MiB), files per
    second, the parent's CPU time per file (ms) and seconds to the first report; and the
    growth per 1,000 files between the two (``GOAL_KEY`` for jobs=2: the fixed cost of a
    scan cancels out). Use n of 100,000 (about 4 minutes): below ~40,000 the duplicate
    finder's window (full after 4,096 files, ~3.5 MiB) still shows as growth."""
    small_n = max(100, n_files // 10)
    small, large = _scans(small_n, (1, 2)), _scans(n_files, (1, 2))
    figures: dict[str, float] = {"scan_files": float(n_files)}
    for jobs, run in large.items():
        figures[f"scan_j{jobs}_peak_mb"] = run["peak_mb"]
        figures[f"scan_j{jobs}_growth_mb"] = _growth(run)
        figures[f"scan_j{jobs}_files_per_s"] = n_files / run["elapsed_s"]
        figures[f"scan_j{jobs}_first_report_s"] = run["first_report_s"]
        figures[f"scan_j{jobs}_parent_cpu_ms_per_file"] = run["parent_cpu_s"] * 1000 / n_files
        slope = _slope(small[jobs], run, small_n, n_files)
        figures[f"scan_j{jobs}_mb_per_1000_files"] = slope
    figures[GOAL_KEY] = figures["scan_j2_mb_per_1000_files"]
    return figures


def goal_row(value: float, label: str = GOAL[0]) -> str:
    """A row of the goal table of bench/run_all.py."""
    target, unit = GOAL[1], GOAL[2]
    met = "yes" if value <= target else "no"
    return f"| {label:58s} | {value:7.3f} {unit} | {target:g} {unit} | {met:3s} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    sizes = sorted(set(args.files))
    jobs_list = tuple(args.jobs)
    results: dict[int, dict[int, dict[str, float]]] = {}
    head = ("files", "jobs", "peak MiB", "growth MiB", "files/s", "parent CPU", "first report")
    print("{:>8}  {:>4}  {:>8}  {:>10}  {:>8}  {:>10}  {}".format(*head))
    for n in sizes:
        results[n] = _scans(n, jobs_list)
        for jobs, run in results[n].items():
            print(
                f"{n:>8,}  {jobs:>4}  {run['peak_mb']:8.1f}  {_growth(run):10.1f}  "
                f"{n / run['elapsed_s']:8.0f}  "
                f"{run['parent_cpu_s'] * 1000 / n:7.3f} ms  {run['first_report_s']:.2f} s",
                flush=True,
            )
    print()
    pairs = list(zip(sizes, sizes[1:], strict=False)) or [(0, sizes[0])]
    if len(sizes) > 2:
        pairs.append((sizes[0], sizes[-1]))
    slopes: dict[tuple[int, int, int], float] = {}
    for jobs in jobs_list:
        for lo, hi in pairs:
            if lo == 0:  # one size: the fixed cost of a scan included
                slope = max(0.0, _growth(results[hi][jobs])) / (hi / 1000)
            else:
                slope = _slope(results[lo][jobs], results[hi][jobs], lo, hi)
            slopes[jobs, lo, hi] = slope
            print(
                f"jobs={jobs}: peak growth per 1,000 files {slope * 1024:7.1f} KiB "
                f"({lo:,} to {hi:,} files)"
            )
    jobs = 2 if 2 in jobs_list else jobs_list[-1]
    lo, hi = pairs[len(sizes) - 2] if len(sizes) > 1 else pairs[0]
    print()
    label = f"scan parent: peak RSS growth per 1,000 files (jobs={jobs})"
    print(goal_row(slopes[jobs, lo, hi], label) + f"  ({lo:,} to {hi:,} files)")


if __name__ == "__main__":
    main()
