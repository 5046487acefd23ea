"""Lazy, offline text recognition with rapidocr (PP-OCR models shipped in its wheel).

Only the recognition model is used: the caller cuts one-line crops itself
(``overlay.split_lines``). Detection on a small crop costs ~0.4 s because
rapidocr upscales it to 736 px, while recognition of one line costs ~13 ms.
Importing rapidocr and loading the model cost ~0.45 s (~0.6 s before its model table
was parsed once, ``_model_table_loaded_once``), so nothing here is imported until the
first crop is read; a check that finds no candidate never loads a model.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from provenance import allocator

_ENGINE: Any = None
_LOCK = threading.Lock()
# Recognition input height of PP-OCR; crops are padded to at least this ratio.
REC_HEIGHT = 48
REC_MIN_WIDTH = 160
# Threads of the recognition model. OCR runs when a file's frames are all decoded (the
# visible detector's finish), so in a check of its own the decoder's core is free: a line
# takes ~15 ms with two threads against ~28 ms with one on this 2-core machine, same text
# (docs/performance.md). A worker of a scan is one of ``jobs`` processes sharing the cores
# and uses one (``executors.TaskSettings.ocr_threads``). More than two were not measured.
MAX_THREADS = 2
_threads: int | None = None  # None: default_threads()


@dataclass
class Line:
    """The text recognised in one line crop and the model's confidence (0 when nothing was read)."""

    text: str
    score: float


def _silence() -> None:
    for name in ("RapidOCR", "rapidocr", "onnxruntime"):
        logging.getLogger(name).setLevel(logging.ERROR)


_ABANDONED: list[Any] = []


def _after_fork_in_child() -> None:
    """A forked process (a scan's worker) makes its own engine: the parent's session may
    have a thread pool, whose threads a fork does not copy, so running it could wait
    forever. It is kept, not freed: its destructor would join those threads."""
    global _ENGINE, _LOCK
    _LOCK = threading.Lock()  # another thread of the parent may have held it
    if _ENGINE is not None:
        _ABANDONED.append(_ENGINE)
        _ENGINE = None


os.register_at_fork(after_in_child=_after_fork_in_child)


def default_threads() -> int:
    """Threads for a check that has the machine to itself: the usable cores, at most two."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(MAX_THREADS, cores))


def use_threads(n: int | None) -> None:
    """Threads of the engine this process will make (None: ``default_threads``). No effect
    once the engine exists: a session keeps the threads it was made with."""
    global _threads
    _threads = n


def engine() -> Any:
    """The process-wide rapidocr engine (created once, never downloads: the model paths
    point into the installed wheel)."""
    global _ENGINE
    if _ENGINE is None:
        with _LOCK:
            if _ENGINE is None:
                # The model (~60 MB with onnxruntime) is a check's largest allocation: give
                # back the pages the frames freed first, so they are not counted twice.
                allocator.release_free_memory()
                _silence()
                with _model_table_loaded_once():
                    from rapidocr import RapidOCR

                _ENGINE = RapidOCR(
                    params={
                        "Global.log_level": "error",
                        "Global.use_det": False,
                        "Global.use_cls": False,
                        "EngineConfig.onnxruntime.intra_op_num_threads": (
                            _threads or default_threads()
                        ),
                        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                        # No CPU memory arena (rapidocr's default, kept whatever it becomes):
                        # with one, each new input width grows a pool that is never given
                        # back (+130 MB after a few wide batches, measured; same outputs).
                        "EngineConfig.onnxruntime.enable_cpu_mem_arena": False,
                        # Narrowest input canvas 48x160 instead of 48x320 (wider lines still get
                        # their own width): half the cost (13 ms against 25 ms a line) and the
                        # same text on every line crop of the samples and the real Sora repost;
                        # only junk crops (icons, < 0.6 confidence either way) read differently.
                        "Rec.rec_img_shape": [3, REC_HEIGHT, REC_MIN_WIDTH],
                    }
                )
                _ENGINE._load_rec_model()  # load now: start-up, not the first file, pays
                _silence()
    return _ENGINE


@contextlib.contextmanager
def _model_table_loaded_once() -> Iterator[None]:
    """While rapidocr imports, its model table is parsed once instead of twice.

    rapidocr 3.10 loads its 85 KB ``default_models.yaml`` with ``OmegaConf.load`` in two
    modules as they import (``utils/model_resolver.py``, ``inference_engine/base.py``):
    ~0.2 s each here, of a 0.7 s engine start. Both only read it (two keys at import; a
    ``select`` per model lookup), so the second is handed the first's config. Any other
    file, and any load after the import, goes to OmegaConf as before."""
    spec = importlib.util.find_spec("rapidocr")
    folders = list(spec.submodule_search_locations or []) if spec else []
    if not folders:
        yield
        return
    from omegaconf import OmegaConf

    table = os.path.join(folders[0], "default_models.yaml")
    original = OmegaConf.__dict__["load"]  # the staticmethod itself, put back as it was
    load = OmegaConf.load
    parsed: list[Any] = []

    def load_once(file_: Any, *args: Any, **kwargs: Any) -> Any:
        # The same test of a path as OmegaConf's own: anything else is an open file.
        is_table = isinstance(file_, (str, Path)) and os.path.abspath(file_) == table
        if args or kwargs or not is_table:
            return load(file_, *args, **kwargs)
        if not parsed:
            parsed.append(load(file_))
        return parsed[0]

    OmegaConf.load = staticmethod(load_once)  # type: ignore[method-assign]
    try:
        yield
    finally:
        OmegaConf.load = original  # type: ignore[method-assign]


def loaded() -> bool:
    return _ENGINE is not None


def _prepare(crop: np.ndarray) -> np.ndarray:
    """Pad a line crop with its border colour so thin text is not stretched."""
    if crop.ndim == 2:
        crop = np.repeat(crop[:, :, None], 3, axis=2)
    h = crop.shape[0]
    pad = max(2, h // 5)
    border = np.median(np.concatenate([crop[0], crop[-1]]), axis=0).astype(np.uint8)
    out = np.empty((h + 2 * pad, crop.shape[1] + 2 * pad, 3), np.uint8)
    out[:] = border
    out[pad : pad + h, pad : pad + crop.shape[1]] = crop
    return out


def read_lines(crops: list[np.ndarray]) -> list[Line]:
    """Recognise each one-line crop (BGR or gray); returns one Line per crop."""
    if not crops:
        return []
    eng = engine()  # first: it imports rapidocr (_model_table_loaded_once)
    from rapidocr.ch_ppocr_rec.typings import TextRecInput

    rec = eng._load_rec_model()  # batched recognition; the public call takes one image
    out = rec(TextRecInput(img=[_prepare(c) for c in crops]))
    txts = out.txts or ()
    scores = list(out.scores or ())
    lines = []
    for i in range(len(crops)):
        text = txts[i] if i < len(txts) else ""
        score = float(scores[i]) if i < len(scores) else 0.0
        lines.append(Line(text.strip(), score))
    return lines
