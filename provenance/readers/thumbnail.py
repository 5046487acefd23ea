"""A small preview of a file, made in the worker that checked it (for the HTML report).

Why here and not in the renderer: decoding is the risky part (decompression bombs,
decoders that allocate what a file declares), so it runs where every other decode runs,
under the worker's time limit and memory ceiling, with warnings recorded in the report.
The renderer only inlines the JPEG bytes written here, and never opens an input.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

THUMB_PX = 240  # longest side of a file thumbnail
THUMB_NAME = "thumbnail.jpg"  # in the file's evidence folder (evidence_images.evidence_folder)
JPEG_QUALITY = 82


def write(path: str, kind: str, folder: Path) -> Path | None:
    """Decode the first picture of ``path`` (an image or video the checker decoded), and
    write it at most THUMB_PX on its longest side as ``folder/thumbnail.jpg``."""
    if kind not in ("image", "video") or not stat.S_ISREG(os.stat(path).st_mode):
        return None
    import cv2

    bgr = _first_picture(path, kind)
    if bgr is None:
        return None
    h, w = bgr.shape[:2]
    scale = min(1.0, THUMB_PX / max(h, w, 1))
    if scale < 1.0:
        size = (max(1, int(w * scale)), max(1, int(h * scale)))
        bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / THUMB_NAME
    target.write_bytes(buf.tobytes())
    return target


def _first_picture(path: str, kind: str):
    import cv2
    import numpy as np

    if kind == "image":
        from provenance.frames import MAX_FRAME_PIXELS, formats

        with formats.open_image(path, MAX_FRAME_PIXELS) as img:  # the probe's limit
            img.draft("RGB", (THUMB_PX * 2, THUMB_PX * 2))
            img.thumbnail((THUMB_PX, THUMB_PX))
            rgb = np.asarray(img.convert("RGB"))
        return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    capture = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
    try:
        ok, frame = capture.read()
    finally:
        capture.release()
    return frame if ok else None
