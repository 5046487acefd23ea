"""Scan throughput: files per second over the samples folder (clips, stills, signed files:
a mixed folder) replicated to >= 500 files, with 1 and 2 local worker processes and a
2-worker Dask LocalCluster. Not run by tests; ``measure`` gives run_all.py its scale rows.

    .venv/bin/python bench/bench_scan.py            # prints files/s and speed-ups
    .venv/bin/python bench/bench_scan.py --files 400 --detectors ""

Copies are byte-identical, so the timed runs switch duplicate detection off and every
file is really analysed; the last run shows what duplicate detection saves.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import provenance  # noqa: E402
from provenance.scanning.engine import ScanOptions, iter_files, run  # noqa: E402

SAMPLES = ROOT / "samples"
MEDIA = (".jpg", ".png", ".mp4", ".c2pa")


def replicate(target: Path, count: int) -> list[str]:
    sources = [Path(p) for p in iter_files([SAMPLES]) if p.endswith(MEDIA)]
    copies = 0
    while copies < count:
        folder = target / f"copy{copies // len(sources):03d}"
        folder.mkdir(parents=True, exist_ok=True)
        for src in sources:
            shutil.copy2(src, folder / src.name)
            copies += 1
    return list(iter_files([target]))


def timed(files: list[str], options: ScanOptions) -> tuple[float, int]:
    started = time.perf_counter()
    errors = sum(r.status != "ok" for r in run(files, options))
    return time.perf_counter() - started, errors


def _check_options(detectors: tuple[str, ...] | None) -> provenance.CheckOptions:
    kwargs: dict = {
        "generators_files": (str(SAMPLES / "generators.toml"),),
        "trust_anchors": str(SAMPLES / "credentials" / "ca" / "test_root.pem"),
    }
    if detectors is not None:
        kwargs["detectors"] = detectors
    return provenance.CheckOptions.from_kwargs(**kwargs)


def runs(check: provenance.CheckOptions, dedupe_run: bool = True) -> dict[str, ScanOptions]:
    out = {
        "local, 1 worker": ScanOptions(jobs=1, dedupe=False, check=check),
        "local, 2 workers": ScanOptions(jobs=2, dedupe=False, check=check),
        "Dask LocalCluster, 2 workers": ScanOptions(dask="local:2", dedupe=False, check=check),
    }
    if dedupe_run:
        out["local, 2 workers, dedupe on"] = ScanOptions(jobs=2, check=check)
    return out


def measure(n_files: int = 500, detectors: tuple[str, ...] | None = None) -> dict[str, float]:
    """Seconds per scan of ``n_files`` copies (every detector unless told), and the two
    ratios of the goal table: 2 local workers over 1, Dask's 2 workers over the local 2."""
    from provenance.scanning.executors import dask_executor

    check = _check_options(detectors)
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmp:
        files = replicate(Path(tmp), n_files)
        elapsed = {name: timed(files, o)[0] for name, o in runs(check, dedupe_run=False).items()}
        # The same cluster, started before the clock: what a long scan pays per file.
        with dask_executor("local:2") as executor:
            warm = ScanOptions(executor=executor, jobs=executor.slots, dedupe=False, check=check)
            timed(files[:20], warm)  # workers import the checker and load the OCR model
            steady = timed(files, warm)[0]
    one, two, dask = elapsed.values()
    return {
        "scan_files": float(len(files)),
        "scan_local1_s": one,
        "scan_local2_s": two,
        "scan_dask2_s": dask,
        "scan_dask2_steady_s": steady,
        "scan_speedup_2_workers": one / two,
        "scan_dask_over_local": dask / two,  # time: 1.10 = Dask 10 % slower
        "scan_dask_steady_over_local": steady / two,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--detectors", default=None, help="comma-separated; default: all")
    args = parser.parse_args()
    detectors = None if args.detectors is None else tuple(d for d in args.detectors.split(",") if d)
    check = _check_options(detectors)
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmp:
        files = replicate(Path(tmp), args.files)
        shown = "all" if detectors is None else ",".join(detectors) or "none"
        print(f"{len(files)} files, detectors: {shown}, {os.cpu_count()} CPU(s)")
        base = None
        for name, options in runs(check).items():
            elapsed, errors = timed(files, options)
            rate = len(files) / elapsed
            base = base or rate
            print(
                f"{name:<32}{elapsed:8.1f} s {rate:8.1f} files/s  speed-up "
                f"{rate / base:4.2f}x  ({errors} error reports)"
            )


if __name__ == "__main__":
    main()
