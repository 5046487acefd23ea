"""Frame sampler: spread, caps, single forward pass, stills as one-frame media."""

from __future__ import annotations

import cv2
import numpy as np

from provenance.frames import DEFAULT_MAX_FRAMES, FrameSource, plan_indices, read_image
from provenance.model.records import MediaInfo


def _video_media(path) -> MediaInfo:
    cap = cv2.VideoCapture(str(path))
    media = MediaInfo(
        kind="video",
        fps=cap.get(cv2.CAP_PROP_FPS),
        frame_count=int(cap.get(cv2.CAP_PROP_FRAME_COUNT)),
    )
    cap.release()
    return media


def test_plan_spreads_over_whole_clip_and_caps():
    idx = plan_indices(300, 30.0, sample_fps=2.0)
    assert len(idx) == 20
    assert idx[0] < 15 and idx[-1] > 280  # first and last second covered
    assert idx == sorted(set(idx))
    assert len(plan_indices(30 * 600, 30.0)) == DEFAULT_MAX_FRAMES
    assert plan_indices(5, 30.0) == [2]  # a 1/6 s clip still gets a frame
    assert plan_indices(0, 30.0) == []
    assert len(plan_indices(300, 30.0, sample_fps=1.0, max_frames=4)) == 4


def test_video_samples_carry_index_time_and_match_direct_decode(sora_repost):
    path = sora_repost
    src = FrameSource(str(path), _video_media(path), sample_fps=1.0, max_frames=5)
    frames = list(src)
    assert [f.index for f in frames] == src.indices and len(frames) == 5
    assert all(abs(f.time_s - f.index / 30.0) < 1e-6 for f in frames)
    assert frames[0].image.shape == (1280, 704, 3)
    # The sampled frame equals the frame decoded by reading every frame up to it.
    cap = cv2.VideoCapture(str(path))
    for _ in range(frames[1].index + 1):
        ok, direct = cap.read()
    cap.release()
    assert np.array_equal(direct, frames[1].image)
    again = src.read(frames[2].index)
    assert again is not None and np.array_equal(again.image, frames[2].image)


def test_still_image_is_one_frame(samples):
    path = samples / "clips" / "plain_still.jpg"
    src = FrameSource(str(path), MediaInfo(kind="image"))
    frames = list(src)
    assert len(frames) == 1 and frames[0].index == 0 and frames[0].time_s == 0.0
    assert frames[0].image.shape == read_image(str(path)).shape


def test_prefetch_thread_gives_the_same_frames_and_stops_with_the_caller(sora_repost, monkeypatch):
    import threading

    import provenance.frames.source as frames_mod

    path = sora_repost
    media = _video_media(path)
    threaded = list(FrameSource(str(path), media, sample_fps=1.0, max_frames=6))
    monkeypatch.setattr(frames_mod, "PREFETCH", 0)
    plain = list(FrameSource(str(path), media, sample_fps=1.0, max_frames=6))
    monkeypatch.undo()
    assert [f.index for f in threaded] == [f.index for f in plain] and len(plain) == 6
    assert all(np.array_equal(a.image, b.image) for a, b in zip(threaded, plain, strict=True))
    # Leaving the loop early releases the decoder thread at once.
    src = FrameSource(str(path), media, sample_fps=1.0, max_frames=6)
    first = next(iter(src))
    assert first.index == src.indices[0]
    assert not [t for t in threading.enumerate() if t.name == "provenance-decode"]


def test_decoder_errors_reach_the_caller(sora_repost, monkeypatch):
    import pytest

    path = sora_repost
    src = FrameSource(str(path), _video_media(path), sample_fps=1.0, max_frames=6)

    def broken(indices, stop):
        yield from ()
        raise RuntimeError("decoder broke")

    monkeypatch.setattr(src, "_decode", broken)
    with pytest.raises(RuntimeError, match="decoder broke"):
        list(src)
