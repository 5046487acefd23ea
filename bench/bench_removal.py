"""Cost of the removal detector next to OpenCV decoding every frame (issue 5).

    .venv/bin/python samples/make_clips.py --bench     # renders /tmp/provenance_bench_*.mp4
    .venv/bin/python bench/bench_removal.py [clip ...] [--runs 5]

The sampled frames are decoded once, up front; then only ``RemovalDetector.feed`` and
``finish`` are timed (median of the runs), and compared with the median time to decode
every frame of the clip (``cv2.VideoCapture.read``). The budget is the whole check's (at
most 1.5x decoding every frame, bench/bench_visible.py); this shows the detector's share.
Defaults: the 10-second 720p bench clip and the real Sora repost (H.264 704x1280).
"""

from __future__ import annotations

import argparse
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
    args = ap.parse_args()
    from provenance.detectors.base import FileContext
    from provenance.detectors.removal.detector import RemovalDetector
    from provenance.frames import FrameSource
    from provenance.options import CheckOptions
    from provenance.readers.credentials.reader import C2paInfo
    from provenance.readers.metadata import MetadataInfo
    from provenance.readers.probe import probe

    for clip in args.clips:
        if not Path(clip).exists():
            print(f"{clip}: missing (run samples/make_clips.py --bench)")
            continue
        media = probe(clip)
        source = FrameSource(clip, media)
        frames = list(source)
        shape = frames[0].image.shape[:2]
        context = FileContext(
            clip, media, CheckOptions(), source, C2paInfo(), MetadataInfo(), shape
        )
        dec, det, feed = [], [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            decoded = decode_all(clip)
            dec.append(time.perf_counter() - t)
            d = RemovalDetector()
            t = time.perf_counter()
            d.start(context)
            for f in frames:
                d.feed(f)
            t_feed = time.perf_counter() - t
            result = d.finish()
            det.append(time.perf_counter() - t)
            feed.append(t_feed)
        md, mt = statistics.median(dec), statistics.median(det)
        print(
            f"{Path(clip).name}: decode {decoded} frames {md:.3f} s; removal detector on "
            f"{len(frames)} samples {mt * 1000:.1f} ms ({statistics.median(feed) * 1000:.1f} ms "
            f"feed, {mt / max(1, len(frames)) * 1000:.2f} ms/sample) = {mt / md:.1%} of decode;"
            f" observations: {[type(o).__name__ for o in result] or 'none'}"
        )


if __name__ == "__main__":
    main()
