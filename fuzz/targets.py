"""One fuzz target per parser the project wrote itself.

Each target takes arbitrary bytes and drives one reader the way the product does. The
contract under test: the reader returns (problems go into the result), it never raises,
never hangs and never allocates more than its documented limits. Any exception is a
finding. Third-party parsers are only exercised through the project's own glue (EXIF
goes through Pillow, XMP through defusedxml), never fuzzed on their own.
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import tempfile
import time
from collections.abc import Callable

# Linear-time guard (on when FUZZ_TIME_GUARD is set, as fuzz/run.py does): every parser the
# project wrote is linear in its input, so CPU time per input (not wall time: campaigns run
# niced on shared cores) may be at most TIME_BASE_S plus TIME_PER_BYTE_S per input byte.
# Measured under atheris' instrumentation on the seeds, the slowest target (bmff, many small
# boxes) needs ~1 us per byte; the box walk that was quadratic needed ~150 us per byte on the
# 131 kB inputs the bmff target gets. The allowance is 20 us per byte.
TIME_BASE_S = 0.5
TIME_PER_BYTE_S = 20e-6


class TooSlow(Exception):
    """An input took more CPU time than a linear parser needs: a finding."""


def _sniff(data: bytes) -> None:
    from provenance.readers.probe import sniff

    found = sniff(data[:64])
    assert found.kind in ("image", "video", "audio", "other")


def _bmff(data: bytes) -> None:
    from provenance.readers import metadata
    from provenance.readers.metadata import bmff

    facts = bmff.read_container(io.BytesIO(data), len(data))
    assert facts.box_count <= bmff.MAX_BOXES
    metadata.read_bytes(data, "video/mp4")  # keys, AIGC labels and XMP of the container
    why = bmff.sample_table_refusal(io.BytesIO(data), len(data))  # what the probe refuses
    assert why is None or "refused before decoding" in why


def _jpeg(data: bytes) -> None:
    from provenance.readers import metadata

    metadata.read_bytes(b"\xff\xd8" + data, "image/jpeg")  # segments, XMP, EXIF


def _png(data: bytes) -> None:
    from provenance.readers import metadata

    metadata.read_bytes(b"\x89PNG\r\n\x1a\n" + data, "image/png")  # chunks, text, eXIf


def _webp(data: bytes) -> None:
    from provenance.readers import metadata

    n = len(data) + 4
    head = b"RIFF" + n.to_bytes(4, "little") + b"WEBP"
    metadata.read_bytes(head + data, "image/webp")  # chunks, XMP, EXIF


def _xmp(data: bytes) -> None:
    from provenance.readers.metadata import xmp

    facts = xmp.parse(data)
    assert len(facts.c2pa_refs) <= 16
    xmp.parse_aigc(data.decode("utf-8", "replace"))


def _exif(data: bytes) -> None:
    from provenance.readers import metadata

    info = metadata.MetadataInfo()
    metadata._exif_from_bytes(data, info)  # a PNG eXIf chunk: raw TIFF-structured EXIF
    info = metadata.MetadataInfo()
    metadata._exif(io.BytesIO(b"II*\x00" + data), info)  # a TIFF file through Pillow


_RESUME_DIR: str | None = None


def _resume(data: bytes) -> None:
    """The JSON Lines reader of --resume (each line checked against the report schema,
    scanning/stored.py), and the tail repair that precedes it."""
    global _RESUME_DIR
    from provenance.scanning import resume

    if _RESUME_DIR is None:
        # fuzz/run.py's scratch folder (it removes it; each CI run had left one in /tmp),
        # else one of this process's own (the seed-corpus test runs targets in-process).
        _RESUME_DIR = os.environ.get("FUZZ_SCRATCH") or tempfile.mkdtemp(prefix="fuzz-resume-")
        if "FUZZ_SCRATCH" not in os.environ:
            atexit.register(shutil.rmtree, _RESUME_DIR, True)
    path = os.path.join(_RESUME_DIR, "out.jsonl")
    with open(path, "wb") as fh:
        fh.write(data)
    resume.holds_reports(path)
    resume.repair_tail(path)
    problems: list[str] = []
    for data_ in resume.load(path, problems).values():
        resume.exit_code_of(data_)
    assert all(p.startswith("line ") or p.startswith("not a report") for p in problems)
    resume.plan([path], path)


def _guarded(fn: Callable[[bytes], None]) -> Callable[[bytes], None]:
    def timed(data: bytes) -> None:
        started = time.process_time()
        fn(data)
        spent = time.process_time() - started
        allowed = TIME_BASE_S + TIME_PER_BYTE_S * len(data)
        if spent > allowed:
            raise TooSlow(f"{spent:.2f} s of CPU for {len(data):,} bytes (allowed {allowed:.2f} s)")

    timed.__name__ = fn.__name__
    return timed


def target(name: str) -> Callable[[bytes], None]:
    """The target to fuzz: with the time guard when FUZZ_TIME_GUARD is set."""
    fn = TARGETS[name]
    return _guarded(fn) if os.environ.get("FUZZ_TIME_GUARD") else fn


TARGETS = {  # in campaign order: the richest parsers first
    "bmff": _bmff,
    "jpeg": _jpeg,
    "exif": _exif,
    "png": _png,
    "webp": _webp,
    "xmp": _xmp,
    "resume": _resume,
    "sniff": _sniff,
}
