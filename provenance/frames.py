"""Frame sampling shared by every pixel detector.

Frames are decoded once and handed to each detector in turn, so memory holds
one full-resolution frame at a time whatever the clip length. Still images are
one-frame media for the same detectors.

Why sequential grabbing and no seeking: on the real 704x1280 H.264 clip in the
fixtures, ``grab()`` of all 292 frames takes 0.25 s while 20 seeks take 1.9 s
(each seek decodes again from the previous key frame, and social re-encodes
have long GOPs). ``grab()`` decodes without colour conversion, which is half
the cost of ``read()``; only sampled frames are converted (``retrieve``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from .records import MediaInfo

DEFAULT_SAMPLE_FPS = 2.0
DEFAULT_MAX_FRAMES = 48
# Refuse frames larger than this many pixels (decompression bombs); 8K UHD is 33 Mpx.
MAX_FRAME_PIXELS = 100_000_000


@dataclass
class Frame:
    index: int  # frame number in the clip (0 for a still image)
    time_s: float
    image: np.ndarray  # BGR uint8, full resolution


def plan_indices(
    frame_count: int, fps: float, sample_fps: float = DEFAULT_SAMPLE_FPS,
    max_frames: int = DEFAULT_MAX_FRAMES,
) -> list[int]:
    """Frame indices spread over the whole clip: about ``sample_fps`` a second, at most
    ``max_frames``, each the middle of an equal slice of the clip (so the first and last
    seconds are both covered)."""
    if frame_count <= 0:
        return []
    fps = fps if fps and fps > 0 else 25.0
    duration = frame_count / fps
    wanted = max(1, min(max(1, max_frames), int(round(duration * sample_fps)) or 1))
    if wanted >= frame_count:
        return list(range(frame_count))
    step = frame_count / wanted
    return sorted({min(frame_count - 1, int(i * step + step / 2)) for i in range(wanted)})


class FrameSource:
    """Sampled frames of one file, decoded lazily with OpenCV in one forward pass."""

    def __init__(self, path: str, media: MediaInfo, sample_fps: float = DEFAULT_SAMPLE_FPS,
                 max_frames: int = DEFAULT_MAX_FRAMES) -> None:
        self.path = path
        self.media = media
        self.sample_fps = sample_fps
        self.max_frames = max_frames
        self.decoded = 0  # frames decoded so far (grabbed), for cost reports
        if media.kind == "video":
            self.indices = plan_indices(
                media.frame_count or 0, media.fps or 0.0, sample_fps, max_frames
            )
        elif media.kind == "image":
            self.indices = [0]
        else:
            self.indices = []

    @property
    def fps(self) -> float:
        return self.media.fps if self.media.fps and self.media.fps > 0 else 25.0

    def time_of(self, index: int) -> float:
        return 0.0 if self.media.kind == "image" else index / self.fps

    def __iter__(self) -> Iterator[Frame]:
        yield from self.read_many(self.indices)

    def read(self, index: int) -> Frame | None:
        """One frame by index; for detectors that revisit a frame at full size. Costs a
        decode pass up to ``index``: prefer ``read_many`` for several."""
        for frame in self.read_many([index]):
            return frame
        return None

    def read_many(self, indices: Iterable[int]) -> Iterator[Frame]:
        """Frames at ``indices`` (sorted, deduplicated) in one forward decode pass."""
        wanted = sorted({int(i) for i in indices if int(i) >= 0})
        if not wanted:
            return
        if self.media.kind == "image":
            if wanted[0] == 0:
                image = read_image(self.path)
                if image is not None:
                    yield Frame(0, 0.0, image)
            return
        if self.media.kind == "video":
            yield from self._video_frames(wanted)

    def _video_frames(self, indices: list[int]) -> Iterator[Frame]:
        import cv2

        cap = cv2.VideoCapture(self.path)
        try:
            if not cap.isOpened():
                return
            pos = 0
            for target in indices:
                while pos < target:
                    if not cap.grab():
                        return  # container promised more frames than it holds
                    pos += 1
                    self.decoded += 1
                if not cap.grab():
                    return
                pos += 1
                self.decoded += 1
                ok, image = cap.retrieve()
                if not ok or image is None:
                    return
                if image.shape[0] * image.shape[1] > MAX_FRAME_PIXELS:
                    return
                yield Frame(target, target / self.fps, image)
        finally:
            cap.release()


def read_image(path: str) -> np.ndarray | None:
    """Decode a still image to BGR with a pixel-count guard against bombs."""
    import cv2
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_FRAME_PIXELS
    try:
        with Image.open(path) as im:
            if im.width * im.height > MAX_FRAME_PIXELS:
                return None
            im.seek(0)
            rgb = np.asarray((im.convert("RGBA") if im.mode == "P" else im).convert("RGB"))
    except Exception:
        return None
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
