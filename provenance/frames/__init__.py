"""Sampled frames shared by every pixel detector (see ``source``)."""

from provenance.frames.source import (
    DEFAULT_MAX_FRAMES,
    DEFAULT_SAMPLE_FPS,
    MAX_FRAME_PIXELS,
    Frame,
    FrameSource,
    plan_indices,
    read_image,
)

__all__ = [
    "DEFAULT_MAX_FRAMES",
    "DEFAULT_SAMPLE_FPS",
    "MAX_FRAME_PIXELS",
    "Frame",
    "FrameSource",
    "plan_indices",
    "read_image",
]
