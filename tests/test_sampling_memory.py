"""Detector memory stays bounded whatever --frames is (issue 13): a detector that keeps
something per frame declares ``max_samples`` and the pipeline feeds it every k-th frame of a
longer plan; the other detectors still see every sampled frame."""

from __future__ import annotations

import cv2
import numpy as np

import provenance
from provenance.detectors.base import load
from provenance.knowledge.numbers import detector_params


def _clip(path, frames: int) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (320, 180))
    rng = np.random.default_rng(7)
    scene = rng.integers(0, 255, (180, 960, 3), dtype=np.uint8)
    for i in range(frames):
        writer.write(np.ascontiguousarray(scene[:, i % 640 : i % 640 + 320]))
    writer.release()


def test_detectors_that_keep_frames_get_at_most_max_samples(tmp_path, monkeypatch):
    clip = tmp_path / "long.mp4"
    _clip(clip, 600)
    fed: dict[str, int] = {}
    registry = load()
    for name, cls in registry.items():
        real = cls.feed

        def counting(self, frame, _real=real, _name=name):
            fed[_name] = fed.get(_name, 0) + 1
            return _real(self, frame)

        monkeypatch.setattr(cls, "feed", counting)
    report = provenance.check(clip, max_frames=600, sample_fps=30.0)
    assert report.status == "ok" and report.media.frames_analyzed == 600
    for name in ("visible", "removal"):
        cap = detector_params(name)["max_samples"]
        assert cap < 600 and 0 < fed[name] <= cap, (name, fed[name], cap)
        assert fed[name] >= cap // 2  # evenly strided, not cut off
    assert fed["invisible"] == 600  # keeps nothing per frame: sees every one
