"""Frame sampling shared by every pixel detector.

Frames are decoded once and handed to each detector in turn, so memory holds
one full-resolution frame at a time whatever the clip length. Still images are
one-frame media for the same detectors.

Clips are decoded with PyAV (``frames/video.py``): every sampled frame exactly as a full
sequential decode gives it, without decoding the non-reference frames nobody samples, and
with a keyframe seek where the container's index shows one between two samples (each seek
restarts at a keyframe, so on long-GOP social re-encodes a forward pass is cheaper: seeks
are taken only when they skip enough packets). OpenCV's sequential ``grab`` (no colour
conversion) with ``retrieve`` for samples is the fallback when PyAV cannot open a file.
Animated GIF / WebP are sampled like clips (``frames/formats.py``).

Decoding runs in a background thread that stays at most ``PREFETCH`` sampled frames
ahead of the detectors (PyAV and OpenCV release the GIL while they decode, numpy and OpenCV
while the detectors work), so on two cores the detectors' per-frame work hides behind
the decoder instead of adding to it. Memory stays bounded: ``PREFETCH`` frames waiting,
one being decoded, one in the detectors; frames above ``PREFETCH_MAX_PIXELS`` are
decoded in the caller's thread, one at a time.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from provenance.model.records import MediaInfo

DEFAULT_SAMPLE_FPS = 2.0
DEFAULT_MAX_FRAMES = 48
# Refuse frames larger than this many pixels (decompression bombs); 8K UHD is 33 Mpx.
MAX_FRAME_PIXELS = 100_000_000
# Sampled frames the decode thread may hold ready ahead of the detectors, and the largest
# frame (pixels) it does that for: 4K UHD; bigger frames are decoded without a thread.
PREFETCH = 2
PREFETCH_MAX_PIXELS = 3840 * 2160


@dataclass
class Frame:
    """One decoded frame at full resolution, as every detector is fed it."""

    index: int  # frame number in the clip (0 for a still image)
    time_s: float
    image: np.ndarray  # BGR uint8, full resolution
    # The plan's frame number this frame stands for (``FrameSource.indices``): the same as
    # ``index`` unless that frame could not be decoded alone (frames/video.py).
    planned: int = -1

    def __post_init__(self) -> None:
        if self.planned < 0:
            self.planned = self.index

    @cached_property
    def gray(self) -> np.ndarray:
        """Full-resolution grey, converted once however many detectors ask for it."""
        import cv2

        return self.image if self.image.ndim == 2 else cv2.cvtColor(self.image, cv2.COLOR_BGR2GRAY)


def plan_indices(
    frame_count: int,
    fps: float,
    sample_fps: float = DEFAULT_SAMPLE_FPS,
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
    """Sampled frames of one file, decoded lazily in one forward pass."""

    def __init__(
        self,
        path: str,
        media: MediaInfo,
        sample_fps: float = DEFAULT_SAMPLE_FPS,
        max_frames: int = DEFAULT_MAX_FRAMES,
        keyframes_only: bool = False,
        container: Any = None,
    ) -> None:
        self.path = path
        # The probe's PyAV container (frames/video.py open_for_facts), for the first decode.
        self._opened = container
        self.media = media
        self.sample_fps = sample_fps
        self.max_frames = max_frames
        self.keyframes_only = keyframes_only  # quick depth: the keyframe nearest each sample
        self.decoder = ""  # "pyav" or "opencv" once a clip was decoded
        if media.kind == "video":
            self.indices = plan_indices(
                media.frame_count or 0, media.fps or 0.0, sample_fps, max_frames
            )
        elif self.animated:
            self.indices = plan_indices(
                media.frame_count or 0, media.fps or 0.0, sample_fps, max_frames
            )
            if keyframes_only:
                self.indices = self.indices[:1]  # an animation has no keyframes: its first
        elif media.kind == "image":
            self.indices = [0]
        else:
            self.indices = []

    @property
    def animated(self) -> bool:
        """An animated GIF / WebP: sampled like a short clip (frames/formats.py)."""
        return self.media.kind == "image" and (self.media.frame_count or 1) > 1

    @property
    def fps(self) -> float:
        return self.media.fps if self.media.fps and self.media.fps > 0 else 25.0

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
        if self.animated:
            from provenance.frames import formats

            for index, image in formats.read_frames(self.path, wanted, MAX_FRAME_PIXELS):
                yield Frame(index, index / self.fps, image)
            return
        if self.media.kind == "image":
            if wanted[0] == 0:
                image = read_image(self.path, self.media.mime)
                if image is not None:
                    yield Frame(0, 0.0, image)
            return
        if self.media.kind == "video":
            yield from self._video_frames(wanted)

    def _video_frames(self, indices: list[int]) -> Iterator[Frame]:
        big = (self.media.width or 0) * (self.media.height or 0) > PREFETCH_MAX_PIXELS
        if len(indices) < 2 or big or PREFETCH < 1:
            yield from self._decode(indices, None)
            return
        yield from self._prefetched(indices)

    def _prefetched(self, indices: list[int]) -> Iterator[Frame]:
        """``_decode`` in a background thread, handing frames over through a small queue."""
        ready: queue.Queue = queue.Queue(maxsize=PREFETCH)
        stop = threading.Event()

        def hand_over(item: object) -> bool:
            while not stop.is_set():
                try:
                    ready.put(item, timeout=0.05)
                    return True
                except queue.Full:
                    continue
            return False

        def work() -> None:
            try:
                for frame in self._decode(indices, stop):
                    handed = hand_over(frame)
                    del frame  # the queue has it: not kept while the next one is decoded
                    if not handed:
                        return
                hand_over(_END)
            except BaseException as exc:  # handed to the caller's thread, raised there
                hand_over(_Failed(exc))

        worker = threading.Thread(target=work, name="provenance-decode", daemon=True)
        worker.start()
        try:
            while True:
                item = ready.get()
                if item is _END:
                    return
                if isinstance(item, _Failed):
                    raise item.error
                yield item
                del item  # the caller is done with it: not kept while waiting for the next
        finally:
            stop.set()  # the caller stopped early, or an error: let the thread go
            worker.join()

    def _decode(self, indices: list[int], stop: threading.Event | None) -> Iterator[Frame]:
        """PyAV, decoding only what the samples need (frames/video.py); OpenCV when PyAV
        cannot open the file."""
        from provenance.frames import video

        opened, self._opened = self._opened, None
        frames = video.decode(self.path, indices, self.fps, stop, self.keyframes_only, opened)
        try:
            first = next(frames)
        except video.Unavailable:
            self.decoder = "opencv"
            yield from self._decode_opencv(indices, stop)
            return
        except StopIteration:
            self.decoder = "pyav"
            return
        self.decoder = "pyav"
        yield first
        del first  # not kept for the rest of the clip
        yield from frames

    def _decode_opencv(self, indices: list[int], stop: threading.Event | None) -> Iterator[Frame]:
        """Every frame up to the last sample, sequentially (``grab`` without colour
        conversion, ``retrieve`` for samples only)."""
        import cv2

        cap = cv2.VideoCapture(self.path, cv2.CAP_FFMPEG)
        try:
            if not cap.isOpened():
                return
            pos = 0
            for target in indices:
                while pos < target:
                    if stop is not None and stop.is_set():
                        return
                    if not cap.grab():
                        return  # container promised more frames than it holds
                    pos += 1
                if not cap.grab():
                    return
                pos += 1
                ok, image = cap.retrieve()
                if not ok or image is None:
                    return
                if image.shape[0] * image.shape[1] > MAX_FRAME_PIXELS:
                    return
                yield Frame(target, target / self.fps, image)
        finally:
            cap.release()


_END = object()


@dataclass
class _Failed:
    """An exception of the decode thread, queued to be raised in the caller's thread."""

    error: BaseException


def read_image(path: str, mime: str | None = None) -> np.ndarray | None:
    """Decode a still image to BGR with a pixel-count guard against bombs."""
    import cv2

    from provenance.frames import formats

    if mime is None or mime in formats.PLUGIN_MIMES:
        formats.register()
    try:
        with formats.open_image(path, MAX_FRAME_PIXELS) as im:
            im.seek(0)
            if im.mode != "RGB":  # an RGB image is read as it is: convert would copy it
                im = (im.convert("RGBA") if im.mode == "P" else im).convert("RGB")
            rgb = np.asarray(im)
    except Exception:
        return None
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
