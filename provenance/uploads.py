"""Bytes and binary file objects (web uploads) checked like files.

Every reader (the C2PA SDK, PyAV, the metadata parsers) opens its input by path, so an
upload is copied to a private temporary file, 1 MiB at a time (bounded memory for any
stream), checked, and removed. The report names the upload by its display name, not by
the temporary path, and has no ``mtime`` (the upload has none).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from provenance.model.report import Report

CHUNK = 1 << 20
DEFAULT_NAME = "upload"
Source = str | os.PathLike | bytes | bytearray | memoryview | IO[bytes]


def is_upload(source: Any) -> bool:
    return isinstance(source, (bytes, bytearray, memoryview)) or hasattr(source, "read")


def check_upload(source: Any, name: str | None, run: Callable[[str], Report]) -> Report:
    """``run`` on a temporary copy of ``source``; the report is addressed to ``name``. The
    suffix of ``name`` is kept (identical bytes are read by their extension in places)."""
    display = name or _name_of(source) or DEFAULT_NAME
    suffix = Path(display).suffix[:16]
    fd, tmp = tempfile.mkstemp(prefix="provenance-upload-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            _copy(source, out)
        report = run(tmp)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    report.path = display
    report.file.mtime = None
    if report.status != "ok":
        report.fail(report.error or "")  # the summary names the upload, not the temp file
    return report


def _copy(source: Any, out: IO[bytes]) -> None:
    if isinstance(source, (bytes, bytearray, memoryview)):
        out.write(source)
        return
    while True:
        chunk = source.read(CHUNK)
        if isinstance(chunk, str):
            raise TypeError("check() needs a binary file object (opened with 'rb'), not text")
        if not chunk:
            return
        out.write(chunk)


def _name_of(source: Any) -> str | None:
    name = getattr(source, "name", None)
    return os.path.basename(os.fsdecode(name)) if isinstance(name, (str, bytes)) else None
