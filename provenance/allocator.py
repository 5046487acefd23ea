"""glibc malloc settings that bound a check's resident memory (docs/performance.md,
"Per-file peak memory"). Both are no-ops where the C library is not glibc.

Why: a check spreads its allocations over several threads (the check itself, the decode
thread, FFmpeg's frame threads), and glibc gives each thread its own arena. What the
decoder's threads free stays resident in their arenas, out of reach of the check thread,
which then grows its own arena for the OCR model (~60 MB) instead of reusing it: on a 60 s
1080p clip that is ~20 MB of peak RSS. And a freed block in the middle of an arena stays
resident until ``malloc_trim`` hands its pages back.

* ``limit_arenas``: at most ``ARENAS`` arenas for the process (``mallopt(M_ARENA_MAX)``).
  Process-wide, so only a process provenance owns sets it: the command line (``main``) and
  the scan's worker processes. A program that embeds ``check`` decides for itself (the
  same call, or ``MALLOC_ARENA_MAX=2`` in its environment; docs/embedding.md).
* ``release_free_memory``: ``malloc_trim(0)``, before the largest single allocation of a
  check (the OCR model, loaded once per process, ``detectors/visible/ocr.py``).
"""

from __future__ import annotations

import ctypes
import os
from functools import cache
from typing import Any

# Two arenas (the main thread's and one shared by the others) gave the lowest peak on the
# 60 s 1080p bench clip, each with the trim: 224-228 MB, against 226-237 with 3, 236-257
# with 4 and 243-249 with glibc's default (8 per core); no measurable cost in CPU time.
ARENAS = 2
_M_ARENA_MAX = -8  # malloc.h


@cache
def _glibc() -> Any:
    """The process's C library when it is glibc, else None."""
    try:
        os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError, AttributeError):
        return None  # not glibc (musl, macOS, Windows)
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas for this process, unless the environment already chose
    (``MALLOC_ARENA_MAX``, or ``arena_max`` in ``GLIBC_TUNABLES``). Takes effect for arenas
    made afterwards: call it before the process starts its worker threads. Whether set."""
    if "MALLOC_ARENA_MAX" in os.environ or "arena_max" in os.environ.get("GLIBC_TUNABLES", ""):
        return False
    libc = _glibc()
    if libc is None or not hasattr(libc, "mallopt"):
        return False
    return bool(libc.mallopt(_M_ARENA_MAX, int(arenas)))


def release_free_memory() -> bool:
    """Hand the pages of freed blocks back to the system (glibc ``malloc_trim(0)``; a few
    ms). Whether any memory was released."""
    libc = _glibc()
    if libc is None or not hasattr(libc, "malloc_trim"):
        return False
    return bool(libc.malloc_trim(0))
