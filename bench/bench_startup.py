"""Start-up: process start to first report of `provenance check` (issue 3).

    .venv/bin/python bench/bench_startup.py [--runs 3]

Runs the installed CLI (or `python -m provenance.cli.main` fallback) in fresh processes on
a small image and on a clip, and reports whether the OCR runtime was imported (a check
that needs no OCR must not load it: see provenance/detectors/ocr.py).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "small image (plain_still.jpg)": ROOT / "samples" / "clips" / "plain_still.jpg",
    "clip without marks (neg_plain.mp4)": ROOT / "samples" / "clips" / "neg_plain.mp4",
    "clip with a stamp (sora_repost.mp4)": ROOT.parent
    / "shared"
    / "fixtures"
    / "real"
    / "sora_repost.mp4",
}
# One file is checked in this process, with or without a time limit (pipeline.check_with_limit),
# so the probe below sees what the check imported; --timeout 0 keeps it on the main thread.
PROBE = (
    "import sys, runpy; sys.argv = ['provenance', 'check', '--json', '--timeout', '0', "
    "{path!r}]\n"
    "try:\n    runpy.run_module('provenance.cli.main', run_name='__main__')\n"
    "except SystemExit:\n    pass\n"
    "print('OCR_LOADED', 'rapidocr' in sys.modules, file=sys.stderr)\n"
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    exe = shutil.which("provenance", path=str(Path(sys.executable).parent))
    for label, path in FILES.items():
        times = []
        loaded = None
        for _ in range(args.runs):
            t = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", PROBE.format(path=str(path))],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            times.append(time.perf_counter() - t)
            loaded = "OCR_LOADED True" in out.stderr
        print(
            f"{label}: median {statistics.median(times):.2f} s to first report; "
            f"OCR loaded: {loaded}"
        )
    if exe:
        t = time.perf_counter()
        subprocess.run(
            [exe, "check", str(FILES["small image (plain_still.jpg)"])], capture_output=True
        )
        print(f"installed `provenance check` on the small image: {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
