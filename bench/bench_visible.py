"""Per-clip cost of `provenance.check` next to OpenCV decoding every frame (issue 3).

    .venv/bin/python samples/make_clips.py --bench     # renders /tmp/provenance_bench_*.mp4
    .venv/bin/python bench/bench_visible.py [clip ...] [--runs 5]

Both are timed side by side in one process, alternating, after a warm-up check that
loads the OCR model; prints the medians and their ratio (target: at most 1.5), and the
load average before and after (the machine is shared: say how loaded it was).
Defaults: the 10-second 720p bench clip and the real Sora repost (H.264 704x1280), all
default pixel detectors; ``--detectors visible,invisible`` to time a subset.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from clips import DEFAULT_CLIPS as DEFAULT  # noqa: E402
from clips import decode_all  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("clips", nargs="*", default=DEFAULT)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--detectors", help="comma-separated pixel detectors (default: all)")
    args = ap.parse_args()
    import provenance

    opts = {"detectors": tuple(args.detectors.split(","))} if args.detectors else {}
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

    for clip in args.clips:
        if not Path(clip).exists():
            print(f"{clip}: missing (run samples/make_clips.py --bench)")
            continue
        provenance.check(clip, **opts)  # warm-up: models loaded, caches filled
        dec, chk = [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            frames = decode_all(clip)
            dec.append(time.perf_counter() - t)
            t = time.perf_counter()
            report = provenance.check(clip, **opts).to_dict()
            chk.append(time.perf_counter() - t)
        md, mc = statistics.median(dec), statistics.median(chk)
        marks = [
            (w["generator"], w.get("handle"))
            for w in report["watermarks"]
            if w["kind"] == "visible"
        ]
        print(
            f"{Path(clip).name}: {frames} frames; decode-all median {md:.3f} s, "
            f"check median {mc:.3f} s, ratio {mc / md:.2f} "
            f"(sampled {report['media']['frames_analyzed']}); visible: {marks}"
        )
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
