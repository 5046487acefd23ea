"""Real OCR (rapidocr + onnxruntime, models from the wheel), offline and lazy."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest

from provenance.detectors.visible import ocr

REPO = Path(__file__).resolve().parent.parent


def _line(text: str) -> np.ndarray:
    img = np.full((40, 24 * len(text) + 20, 3), 40, np.uint8)
    cv2.putText(img, text, (10, 30), cv2.FONT_HERSHEY_DUPLEX, 1.0, (235, 235, 235), 2, cv2.LINE_AA)
    return img


def test_reads_one_line_crops():
    lines = ocr.read_lines([_line("MADE WITH PIKA"), _line("@sorastats")])
    assert lines[0].text.replace(" ", "").upper() == "MADEWITHPIKA"
    assert lines[1].text == "@sorastats"
    assert all(ln.score > 0.8 for ln in lines)


def test_reads_chinese_marks_from_sample_pixels(samples):
    """The Chinese sample's pixels (rendered with a CJK font the product never needs):
    Kling's "可灵AI 3.0" bottom-right and an "AI生成" label top-left, cut from a frame."""
    cap = cv2.VideoCapture(str(samples / "clips" / "kling_zh_like.mp4"))
    ok, frame = cap.read()
    cap.release()
    assert ok and frame.shape[:2] == (360, 640)
    kling = frame[316:344, 532:587]  # "可灵AI" (the version "3.0" follows at x 590)
    label = frame[12:40, 14:80]  # "AI生成"
    lines = ocr.read_lines([kling, label])
    assert [ln.text for ln in lines] == ["可灵AI", "AI生成"]
    assert all(ln.score > 0.9 for ln in lines)


@pytest.mark.e2e
def test_ocr_works_with_network_blocked():
    """Any socket use raises in the child; OCR must still load its models and read."""
    code = textwrap.dedent(f"""
        import socket, sys
        class Refused(socket.socket):
            def __init__(self, *a, **k):
                raise OSError("network blocked by test")
        def refuse(*a, **k):
            raise OSError("network blocked by test")
        socket.socket = Refused
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        sys.path.insert(0, {str(REPO)!r})
        import cv2, numpy as np, logging
        from provenance.detectors.visible import ocr
        img = np.full((40, 140, 3), 30, np.uint8)
        cv2.putText(img, "Sora", (10, 30), cv2.FONT_HERSHEY_DUPLEX, 1.0, (230, 230, 230), 2)
        lines = ocr.read_lines([img])
        assert lines[0].text == "Sora", lines
        assert logging.getLogger("RapidOCR").level >= logging.ERROR
        print("OK")
    """)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("OK")
    assert "INFO" not in out.stderr  # rapidocr's INFO logging is silenced


@pytest.mark.e2e
def test_import_is_lazy():
    """Importing the detector does not import rapidocr (start-up cost ~0.8 s)."""
    code = (
        "import sys; import provenance.detectors.visible.detector; "
        "print('rapidocr' in sys.modules, 'onnxruntime' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO
    )
    assert out.stdout.split() == ["False", "False"], out.stderr[-2000:]


def test_session_runs_without_a_cpu_memory_arena():
    """The recognition session allocates per run and gives it back: with onnxruntime's CPU
    arena each new input width grows a pool that is never returned (+130 MB resident after
    a few wide batches, same text), so the option is set, not left to rapidocr's default."""
    session = ocr.engine()._load_rec_model().session.session
    options = session.get_session_options()
    assert options.enable_cpu_mem_arena is False


THREADS = """\
import os, sys
from provenance import CheckOptions, check, scan
from provenance.detectors.visible import ocr
from provenance.scanning.executors import TaskSettings, check_task
if sys.argv[2] == "worker":  # a scan's worker (the caller is this test's process)
    worker = TaskSettings(memory_limit_mb=None, caller_pid=os.getppid())
    check_task(sys.argv[1], CheckOptions(), worker)
elif sys.argv[2] == "scan-here":  # a one-job scan without limits runs in this process
    list(scan(sys.argv[1], jobs=1, memory_limit_mb=None, timeout_s=None))
    check(sys.argv[1])
else:  # a check with the machine to itself
    check(sys.argv[1])
session = ocr.engine()._load_rec_model().session.session
print(session.get_session_options().intra_op_num_threads, ocr.default_threads())
"""


@pytest.mark.parametrize("who", ["worker", "own", "scan-here"])
def test_ocr_threads_follow_who_runs_the_check(samples, who):
    """OCR runs once a file's frames are decoded, so a check of its own gives it the
    decoder's core too (up to two threads); a scan's worker process keeps to one. A scan
    run in the caller's own process does not change the caller's later checks."""
    still = samples / "clips" / "meta_like.jpg"  # its "Imagined with AI" is read by OCR
    out = subprocess.run(
        [sys.executable, "-c", THREADS, str(still), who],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    threads, default = map(int, out.stdout.split())
    assert default == min(2, len(os.sched_getaffinity(0)))
    assert threads == (1 if who == "worker" else default)


FORKED = """\
import multiprocessing, sys
from provenance.detectors.visible import ocr
sys.path.insert(0, sys.argv[1])
from test_ocr import _line
ocr.use_threads(2)
assert ocr.read_lines([_line("MADE WITH PIKA")])[0].text
parent = id(ocr.engine())
def child(queue):
    queue.put((ocr.read_lines([_line("@sorastats")])[0].text, id(ocr.engine()) != parent))
ctx = multiprocessing.get_context("fork")
queue = ctx.Queue()
process = ctx.Process(target=child, args=(queue,))
process.start()
print(*queue.get(timeout=60))
process.join(10)
"""


def test_a_forked_worker_makes_its_own_engine():
    """A scan's workers are forked: one forked from a process whose OCR session has a
    thread pool (whose threads a fork does not copy) must not run that session."""
    out = subprocess.run(
        [sys.executable, "-c", FORKED, str(REPO / "tests")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert out.stdout.split() == ["@sorastats", "True"], out.stderr[-2000:]


ONE_LOAD = """\
import sys
from omegaconf import OmegaConf
load = OmegaConf.__dict__["load"]
from provenance.detectors.visible import ocr
assert ocr.read_lines([_line("@sorastats")])[0].text == "@sorastats"
from rapidocr.inference_engine.base import InferSession
from rapidocr.utils import model_resolver
print(InferSession.model_info is model_resolver._MODEL_CONFIG, OmegaConf.__dict__["load"] is load)
"""


def test_rapidocr_parses_its_model_table_once():
    """rapidocr's two modules that load default_models.yaml share one parse (~0.2 s of the
    engine's start), the recognizer still reads, and OmegaConf.load is put back."""
    script = f"import sys; sys.path.insert(0, {str(REPO / 'tests')!r})\n"
    script += "from test_ocr import _line\n" + ONE_LOAD
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert out.stdout.split() == ["True", "True"], out.stderr[-2000:]
