"""What the clip benchmarks share: the default clips and the decode-everything floor.

The 720p clip is rendered by `.venv/bin/python samples/make_clips.py --bench`; the real
repost comes from the shared fixtures beside the repository.
"""

from __future__ import annotations

from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CLIPS = [
    "/tmp/provenance_bench_720p_10s.mp4",
    str(ROOT.parent / "shared" / "fixtures" / "real" / "sora_repost.mp4"),
]


def decode_all(path: str) -> int:
    """Decode every frame with OpenCV (the floor a check is compared with); frame count."""
    cap = cv2.VideoCapture(path)
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    return n
