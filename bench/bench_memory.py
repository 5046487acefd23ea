"""Peak memory of `provenance check` on a 60-second 1080p clip (issue 3: < 400 MB).

    .venv/bin/python samples/make_clips.py --bench     # renders /tmp/provenance_bench_1080p_60s.mp4
    .venv/bin/python bench/bench_memory.py [clip]

Runs the check in a child process and prints its peak resident set (ru_maxrss), with
and without the visible detector, so the detector's own share is visible.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = (
    "import sys, resource; sys.path.insert(0, {root!r}); import provenance\n"
    "r = provenance.check({path!r}, detectors={dets!r}).to_dict()\n"
    "print(r['media']['frames_analyzed'], len(r['watermarks']))\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("clip", nargs="?", default="/tmp/provenance_bench_1080p_60s.mp4")
    args = ap.parse_args()
    if not Path(args.clip).exists():
        sys.exit(f"{args.clip}: missing (run samples/make_clips.py --bench)")
    for dets in (("visible", "invisible", "removal"), ("visible", "invisible"), ("visible",), ()):
        t = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", CHILD.format(root=str(ROOT), path=args.clip, dets=tuple(dets))],
            capture_output=True,
            text=True,
        )
        lines = out.stdout.split()
        if out.returncode or len(lines) < 3:
            print(f"detectors={dets}: failed\n{out.stderr[-1500:]}")
            continue
        print(
            f"detectors={','.join(dets) or 'none'}: peak RSS {int(lines[2]) / 1024:.0f} MB, "
            f"{lines[0]} frames sampled, {lines[1]} watermarks, "
            f"{time.perf_counter() - t:.1f} s"
        )


if __name__ == "__main__":
    main()
