"""Detector memory stays bounded whatever --frames is (issue 13): a detector that keeps
something per frame declares ``max_samples`` and the pipeline feeds it every k-th frame of a
longer plan; the other detectors still see every sampled frame. And what bounds a check's
peak resident memory (issue 16, docs/performance.md "Per-file peak memory"): no frame kept
past its use, packed per-sample maps, malloc's arenas capped by the command line."""

from __future__ import annotations

import contextlib
import gc
import os
import subprocess
import sys
import textwrap
import weakref
from pathlib import Path

import cv2
import numpy as np
import pytest

import provenance
from provenance import allocator
from provenance.detectors.base import load
from provenance.detectors.visible.overlay import BitMap, BitStack
from provenance.knowledge.numbers import detector_params

REPO = Path(__file__).resolve().parent.parent


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


def test_no_frame_outlives_the_detectors_look_at_it(tmp_path, monkeypatch):
    """A decoded frame (6 MB at 1080p) is freed once every detector has seen it: none is
    left alive while the detectors finish (where the OCR model loads), not even the first
    one, which the pipeline decodes before the detectors start."""
    clip = tmp_path / "short.mp4"
    _clip(clip, 24)
    seen: list[weakref.ref] = []
    alive_at_finish: list[int] = []
    registry = load()
    real_feed, real_finish = registry["invisible"].feed, registry["visible"].finish

    def feed(self, frame, _real=real_feed):
        seen.append(weakref.ref(frame))
        return _real(self, frame)

    def finish(self, _real=real_finish):
        gc.collect()
        alive_at_finish.append(sum(ref() is not None for ref in seen))
        return _real(self)

    monkeypatch.setattr(registry["invisible"], "feed", feed)
    monkeypatch.setattr(registry["visible"], "finish", finish)
    report = provenance.check(clip, max_frames=24, sample_fps=30.0)
    assert report.status == "ok" and len(seen) == report.media.frames_analyzed > 1
    assert alive_at_finish == [0]


def test_packed_masks_read_back_exactly():
    """The visible detector keeps its per-sample stroke and evidence maps as packed bits:
    every rectangle (any offset, past the edges, empty) reads back as the bool map."""
    rng = np.random.default_rng(5)
    for _ in range(400):
        h, w = (int(v) for v in rng.integers(1, 50, 2))
        mask = rng.random((h, w)) < rng.random()
        packed = BitMap.of(mask.astype(np.uint8) if rng.random() < 0.5 else mask)
        assert packed.bits.nbytes <= h * (w + 7) // 8
        assert np.array_equal(packed.full(), mask)
        y0, y1 = sorted(int(v) for v in rng.integers(0, h + 4, 2))
        x0, x1 = sorted(int(v) for v in rng.integers(0, w + 4, 2))
        part = packed[y0:y1, x0:x1]
        assert part.dtype == bool and np.array_equal(part, mask[y0:y1, x0:x1])


def test_stacked_masks_read_back_as_each_map_does():
    """A candidate reads its box in every sample's map at once (``BitStack``): the same
    rectangles as each ``BitMap`` alone, stacked; an empty stack gives no maps."""
    rng = np.random.default_rng(6)
    for _ in range(200):
        h, w = (int(v) for v in rng.integers(1, 50, 2))
        masks = [rng.random((h, w)) < rng.random() for _ in range(int(rng.integers(1, 6)))]
        stack = BitStack.of([BitMap.of(m) for m in masks], (h, w))
        assert len(stack) == len(masks)
        y0, y1 = sorted(int(v) for v in rng.integers(0, h + 4, 2))
        x0, x1 = sorted(int(v) for v in rng.integers(0, w + 4, 2))
        part = stack[y0:y1, x0:x1]
        assert part.dtype == bool
        assert np.array_equal(part, np.stack([m[y0:y1, x0:x1] for m in masks]))
    empty = BitStack.of([], (9, 13))
    assert len(empty) == 0 and empty[2:5, 3:11].shape == (0, 3, 8)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc only")
def test_arena_cap_keeps_threads_in_two_arenas():
    """``allocator.limit_arenas`` (what the command line does first): threads that allocate
    share two malloc arenas instead of one each, so what one frees another reuses."""
    code = textwrap.dedent(f"""
        import ctypes, os, re, sys, tempfile, threading
        sys.path.insert(0, {str(REPO)!r})
        from provenance import allocator
        if sys.argv[1] == "cap":
            assert allocator.limit_arenas()
        libc = ctypes.CDLL(None)
        libc.malloc.restype = ctypes.c_void_p
        hold, go = [], threading.Barrier(6)
        def work():
            go.wait()
            hold.append(libc.malloc(200_000 - 8))
        threads = [threading.Thread(target=work) for _ in range(6)]
        for t in threads: t.start()
        for t in threads: t.join()
        libc.fopen.restype = ctypes.c_void_p
        libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
        libc.fclose.argtypes = [ctypes.c_void_p]
        path = os.path.join(tempfile.mkdtemp(), "info.xml")
        f = libc.fopen(path.encode(), b"w"); libc.malloc_info(0, f); libc.fclose(f)
        print(len(re.findall(r'<heap nr=', open(path).read())))
    """)
    env = {k: v for k, v in os.environ.items() if k not in ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES")}
    try:
        os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError):
        pytest.skip("not glibc")
    arenas = {}
    for how in ("cap", "default"):
        out = subprocess.run(
            [sys.executable, "-c", code, how], capture_output=True, text=True, env=env, timeout=60
        )
        assert out.returncode == 0, out.stderr[-1500:]
        arenas[how] = int(out.stdout.split()[-1])
    assert arenas["cap"] <= allocator.ARENAS < arenas["default"]
    env["MALLOC_ARENA_MAX"] = "8"
    kept = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(REPO)!r}); "
            "from provenance import allocator; print(allocator.limit_arenas())",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert kept.stdout.strip() == "False"  # the environment's choice is kept


def test_command_line_caps_arenas_before_anything_runs(monkeypatch):
    from provenance.cli import main as cli_main

    calls = []
    monkeypatch.setattr(cli_main.allocator, "limit_arenas", lambda: calls.append(1) or True)
    monkeypatch.setattr(cli_main.signal, "signal", lambda *a: None)  # keep pytest's handlers
    monkeypatch.setattr(sys, "argv", ["provenance", "--version"])
    with contextlib.suppress(SystemExit):
        cli_main.main()
    assert calls == [1]
