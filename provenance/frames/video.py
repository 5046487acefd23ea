"""Sampled video frames with PyAV, decoding no more than the samples need.

A check looks at about two frames a second; a full decode of every frame cost more than
all the detectors together on the real clips measured (docs/performance.md). Three levers,
none of which changes a sampled picture:

* **Non-reference frames are not decoded** unless one is a sample: nothing refers to them
  (in H.264/HEVC with B-frames, about half the frames), so ``skip_frame = "NONREF"`` is set
  for every packet that is not a sample and lifted for those that are. The frames that
  are decoded are bit-identical to a full decode (tests/test_formats.py checks it against
  OpenCV). Where a planned frame has no packet of its own (variable frame rate), the
  nearest decoded frame stands in for it (``Frame.planned`` keeps the plan's number).
* **Keyframe seeks** when the container's index shows a keyframe between the frame decoded
  last and the next sample (long clips sampled sparsely, short GOPs): decoding restarts
  there instead of running through the packets in between.
* **Colour conversion only for samples**: frames stay in the decoder's YUV until chosen.

``keyframes_only`` (``--depth quick``) decodes keyframes alone (``skip_frame = "NONKEY"``,
0.02-0.06x a full decode) and hands out the keyframe nearest each planned frame.

Frame numbers come from presentation times (``round(t * fps)``), which is what OpenCV's
sequential count gives on constant-rate clips; on variable-rate clips the plan's times are
now honoured over the whole clip. Memory: the previous decoded frame, in YUV, and the one
being converted. OpenCV stays the fallback when PyAV cannot open a file.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from provenance.frames.source import MAX_FRAME_PIXELS, Frame

# Containers whose packet times are decode times, not presentation times (AVI stores no
# presentation time: with B-frames the decoder's output times come out of order). There the
# frames are counted as they come out, as OpenCV counts them, and none is skipped.
COUNTED_FORMATS = {"avi", "h264", "hevc", "m4v", "mpegvideo", "rawvideo"}
# Seek only when the index says it skips at least this many packets: a seek flushes the
# decoder (and its frame threads), which costs about as much as decoding a few frames.
MIN_SEEK_SKIP = 24
# Demuxers whose index holds decode times (ISO BMFF: each sample's DTS), where a keyframe is
# shown later by the decoder's delay (B-frames: 1,024 ticks on most corpus clips).
DTS_INDEX_FORMATS = {"mov", "mp4"}


class Unavailable(Exception):
    """PyAV cannot read this file (not installed, no video stream, not openable)."""


# OpenCV's threshold below which a rate or a duration counts as unknown (cap_ffmpeg_impl).
_EPS_ZERO = 0.000025


@dataclass
class Opened:
    """A clip PyAV has opened for the probe, and its facts as OpenCV's probe gives them;
    the container is handed to the first decode (``decode(container=...)``)."""

    container: Any
    width: int
    height: int
    fps: float
    count: int


SHORT_PROBE = {"probesize": "32"}  # bytes FFmpeg reads to probe the streams (default 5 MB)


def open_for_facts(path: str, rotation: int) -> Opened | None:
    """Open ``path`` with PyAV and read what OpenCV's ``VideoCapture`` reports
    (cap_ffmpeg_impl.hpp): the rate is the stream's average rate, else FFmpeg's guess, else
    one over the time base; the count is the stream's frame count, else
    ``floor(duration * rate + 0.5)``; the size is the codec's, swapped when the display
    ``rotation`` (degrees, readers/metadata/bmff.display_rotation) is 90 or 270. The same
    facts as OpenCV's on all 103 clips of the samples, fixtures, corpus and fuzz cases
    (docs/performance.md). None when PyAV cannot open the file or finds no video stream:
    the caller asks OpenCV."""
    try:
        import av

        # A short probe first: the facts below come from the MP4 index, and FFmpeg's full
        # probe reads on through the file until it has seen every stream's packets (on
        # clips whose audio comes late, 25-40 ms against 10-15 ms). It leaves the pixel
        # format for the first decode and may guess the rate differently, so without an
        # average rate or a size the clip is opened again with the full probe.
        container = av.open(path, metadata_errors="ignore", options=SHORT_PROBE)
        video = container.streams.video
        if video and not (_rate(video[0].average_rate) and video[0].codec_context.width):
            container.close()
            container = av.open(path, metadata_errors="ignore")
    except Exception:
        return None
    try:
        if not container.streams.video:
            container.close()
            return None
        stream = container.streams.video[0]
        fps = _rate(stream.average_rate)
        if fps < _EPS_ZERO:
            fps = _rate(stream.guessed_rate)
        if fps < _EPS_ZERO and stream.time_base:
            fps = 1.0 / float(stream.time_base)
        count = int(stream.frames or 0)
        if count == 0:
            seconds = (container.duration or 0) / 1_000_000
            if seconds < _EPS_ZERO:
                seconds = (stream.duration or 0) * float(stream.time_base or 0)
            count = int(math.floor(seconds * fps + 0.5))
        width, height = stream.codec_context.width, stream.codec_context.height
        if rotation in (90, 270):
            width, height = height, width
    except Exception:
        container.close()
        return None
    return Opened(container, int(width or 0), int(height or 0), fps, count)


def _rate(value: Any) -> float:
    return float(value) if value is not None and value.denominator else 0.0


def decode(
    path: str,
    indices: list[int],
    fps: float,
    stop: threading.Event | None = None,
    keyframes_only: bool = False,
    container: Any = None,
) -> Iterator[Frame]:
    """Frames nearest ``indices`` (sorted), each decoded once, in one forward pass; from
    ``container`` when the probe opened the clip already (``open_for_facts``), else PyAV
    opens it. Raises ``Unavailable`` before yielding anything if PyAV cannot open the file."""
    try:
        import av
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise Unavailable("PyAV is not installed") from exc
    if container is None:
        try:
            container = av.open(path, metadata_errors="ignore")
        except Exception as exc:
            raise Unavailable(str(exc)) from exc
    try:
        if not container.streams.video:
            raise Unavailable("no video stream")
        stream = container.streams.video[0]
        # Frame threads for a run of frames; slice threads for a keyframe alone (frame
        # threading holds each output back until several packets are in).
        stream.thread_type = "SLICE" if keyframes_only else "AUTO"
        yield from _Sampler(container, stream, indices, fps, stop, keyframes_only).run()
    finally:
        container.close()


class _Sampler:
    def __init__(
        self,
        container: Any,
        stream: Any,
        indices: list[int],
        fps: float,
        stop: threading.Event | None,
        keyframes_only: bool,
    ) -> None:
        self.container, self.stream = container, stream
        self.targets = indices
        self.wanted = set(indices)
        self.fps = fps
        self.stop = stop
        self.keyframes_only = keyframes_only
        self.tb = stream.time_base or Fraction(1, 90000)
        self.start = stream.start_time or 0
        self.next = 0  # position in targets of the next sample to hand out
        self.prev: tuple[int, Any] | None = None  # last decoded (index, frame)
        self.count = 0  # frames decoded, for streams without timestamps
        self.sent = 0  # packets sent to the decoder
        self.last_yielded: int | None = None  # frame number of the last sample handed out
        names = set((container.format.name or "").split(","))
        self.counted = bool(names & COUNTED_FORMATS)
        self.keyframes = [] if self.counted else self._keyframe_indices(names)

    def index_of(self, pts: int | None) -> int:
        if pts is None or self.counted:
            return self.count
        return int(round(float((pts - self.start) * self.tb) * self.fps))

    def _keyframe_indices(self, names: set[str]) -> list[int]:
        """Frame numbers of the index's keyframes (empty when the container has no index).

        An MP4 index gives decode times, and the demuxer seeks by presentation time: read
        as they are, the keyframes of a clip with B-frames came out two frames early, so a
        seek to one landed on the keyframe before it (a GOP decoded again at full depth,
        the earlier keyframe handed out at quick depth). Each is shifted by the first
        sample's delay (start time minus its decode time), which on every corpus clip is
        every keyframe's presentation minus decode time."""
        try:
            entries = self.stream.index_entries
            shift = 0
            if names & DTS_INDEX_FORMATS and entries:
                shift = max(0, (self.stream.start_time or 0) - entries[0].timestamp)
            return sorted(self.index_of(e.timestamp + shift) for e in entries if e.is_keyframe)
        except Exception:
            return []

    def run(self) -> Iterator[Frame]:
        cc = self.stream.codec_context
        if self.keyframes_only:
            cc.skip_frame = "NONKEY"
            if self.keyframes:
                yield from self._seek_keyframes()
                if self.last_yielded is not None or not self._rewind():
                    return
                # No seek found a keyframe: read every packet from the start instead.
        pos = -1  # frame number of the last packet sent
        for packet in self.container.demux(self.stream):
            if self.stop is not None and self.stop.is_set():
                return
            if self.next >= len(self.targets):
                return
            if packet.size == 0:
                continue
            self.sent += 1
            if packet.pts is not None and not (self.keyframes_only or self.counted):
                i = self.index_of(packet.pts)
                if self._seek_past(pos, i):
                    pos = -1
                    continue  # the packet came before the seek; read on from the keyframe
                pos = max(pos, i)
                # Each packet's own skip decision: samples are always decoded.
                cc.skip_frame = "DEFAULT" if i in self.wanted else "NONREF"
            elif not self.keyframes_only:
                cc.skip_frame = "DEFAULT"  # no presentation times: count every frame
            for frame in cc.decode(packet):
                yield from self._take(frame)
                if self.next >= len(self.targets):
                    return
        for frame in cc.decode(None):  # drain the decoder's delayed frames
            yield from self._take(frame)
        if self.keyframes_only and self.prev is not None and self.next < len(self.targets):
            # Samples after the last keyframe: it is the nearest one.
            yield from self._take(self.prev[1], self.prev[0])
        # Full depth: samples beyond the last frame are dropped, as OpenCV drops them (the
        # container promised more frames than it holds).

    def _seek_keyframes(self) -> Iterator[Frame]:
        """Quick depth with an index: seek to the keyframe at or before each sample and
        decode that one frame (a scan of all packets costs 0.02-0.06x a full decode, a seek
        per sample far less on long clips)."""
        keys: list[int] = []
        for target in self.targets:
            key = _last_at_or_before(self.keyframes, target)
            key = self.keyframes[0] if key is None else key
            if key not in keys:
                keys.append(key)
        for key, target in zip(keys, self.targets, strict=False):
            if self.stop is not None and self.stop.is_set():
                return
            frame = self._keyframe_at(key)
            if frame is None:
                # The index names a keyframe where the stream holds none (FFmpeg's FLV
                # demuxer indexes the end-of-sequence tag, which its muxer flags as key):
                # the keyframe before it.
                earlier = _last_at_or_before(self.keyframes, key - 1)
                frame = None if earlier is None else self._keyframe_at(earlier)
            if frame is None:
                continue
            i = self.index_of(frame.pts)
            if i == self.last_yielded:
                continue
            image = _bgr(frame)
            if image is None:
                return
            self.last_yielded = i
            yield Frame(i, i / self.fps, image, planned=target)

    def _keyframe_at(self, key: int) -> Any:
        """The first frame decoded after seeking to keyframe ``key``; None if none."""
        ts = int(self.start + key / self.fps / float(self.tb))
        try:
            self.container.seek(ts, stream=self.stream, backward=True, any_frame=False)
        except Exception:
            return None
        self.stream.codec_context.flush_buffers()
        return next(self._frames_from_here(), None)

    def _rewind(self) -> bool:
        """Back to the first packet, nothing handed out yet; False if the demuxer cannot."""
        try:
            self.container.seek(0, backward=True, any_frame=False)
        except Exception:
            return False
        self.stream.codec_context.flush_buffers()
        self.keyframes, self.next, self.prev, self.count, self.sent = [], 0, None, 0, 0
        return True

    def _frames_from_here(self) -> Iterator[Any]:
        """Decoded frames from the seek point; a keyframe's packet is drained at once.

        A decoder that reorders (H.264 with B-frames) holds each output back until later
        frames arrive; with every non-key frame skipped, those are the next keyframe's, so
        the first keyframe came out only after demuxing the whole GOP and decoding two
        (51 packets and 48 ms instead of 1 packet and 13 ms on a 1080p Premiere export;
        same pixels on every corpus clip). Draining ends the decoder's stream: it is reset
        before reading on, which costs nothing here (only keyframes are decoded)."""
        cc = self.stream.codec_context
        for packet in self.container.demux(self.stream):
            if not packet.size:
                continue
            yield from cc.decode(packet)
            if packet.is_keyframe:
                yield from cc.decode(None)
                cc.flush_buffers()
        yield from cc.decode(None)

    def _seek_past(self, pos: int, packet_index: int) -> bool:
        """Seek to the keyframe before the next sample when that skips enough packets."""
        if not self.keyframes or self.next >= len(self.targets):
            return False
        target = self.targets[self.next]
        here = max(pos, packet_index)
        key = _last_at_or_before(self.keyframes, target)
        if key is None or key - here < MIN_SEEK_SKIP:
            return False
        seconds = key / self.fps
        ts = int(self.start + seconds / float(self.tb))
        try:
            self.container.seek(ts, stream=self.stream, backward=True, any_frame=False)
        except Exception:
            self.keyframes = []  # the index cannot be trusted: read on sequentially
            return False
        self.stream.codec_context.flush_buffers()
        self.prev = None
        self.keyframes = [k for k in self.keyframes if k > key]
        return True

    def _take(self, frame: Any, last: int | None = None) -> Iterator[Frame]:
        """Hand out the samples up to ``frame`` (each the nearer of it and the previous
        decoded frame); ``last``: the stream ended, ``frame`` (number ``last``) serves all
        samples left."""
        if last is not None:
            i = last
        elif self.counted and self.keyframes_only:
            i = self.sent - 1  # keyframes alone cannot be counted: their place in the stream
        else:
            i = self.index_of(frame.pts)
        self.count += 1
        while self.next < len(self.targets) and (last is not None or self.targets[self.next] <= i):
            target = self.targets[self.next]
            self.next += 1
            chosen_i, chosen = i, frame
            if self.prev is not None and abs(self.prev[0] - target) < abs(i - target):
                chosen_i, chosen = self.prev
            if chosen_i == self.last_yielded:
                continue  # two samples fall on one decodable frame: hand it out once
            image = _bgr(chosen)
            if image is None:
                self.next = len(self.targets)
                return
            self.last_yielded = chosen_i
            yield Frame(chosen_i, chosen_i / self.fps, image, planned=target)
        self.prev = (i, frame)


def _last_at_or_before(values: list[int], limit: int) -> int | None:
    import bisect

    k = bisect.bisect_right(values, limit)
    return values[k - 1] if k else None


def _bgr(frame: Any) -> np.ndarray | None:
    """BGR uint8 as OpenCV gives it: same conversion, display rotation applied."""
    if frame.width * frame.height > MAX_FRAME_PIXELS:
        return None
    image = frame.to_ndarray(format="bgr24")
    turn = int(round(getattr(frame, "rotation", 0) or 0)) % 360
    if turn:
        image = np.ascontiguousarray(np.rot90(image, k=turn // 90))
    return image
