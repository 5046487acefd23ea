"""What a report was made with: tool version, knowledge version, the options that change
results, the file's SHA-256 and the time of the check.

Why: a stored report is only worth reusing (``--resume``) or citing later if it says what
produced it. Two reports with the same ``tool_version``, ``data_version`` and ``options``
of a file with the same ``sha256`` came from the same analysis.
"""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from provenance.options import CheckOptions

HASH_CHUNK = 1 << 20  # bytes read at a time: hashing a 4 GB video costs 1 MiB of memory
# Bundled data files outside the strict knowledge tables that still move answers.
_OTHER_DATA = (
    "weights.toml",
    "detectors.toml",
    "c2pa_codes.toml",
    "c2pa_signals.toml",
    "source_types.toml",
    "c2pa/SNAPSHOT.toml",  # digests of the bundled C2PA trust lists
)


def tool_version() -> str:
    from provenance import __version__

    return __version__


def utc_now() -> str:
    """The time of a check, UTC, ISO 8601 to the second (``2026-12-02T01:46:51Z``)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def file_sha256(path: str | os.PathLike, size: int | None = None) -> str | None:
    """SHA-256 (hex) of a regular file, streamed; of its first ``size`` bytes when given (a
    file that keeps growing must not keep the hashing going). None for anything that is not
    a regular file (reading a FIFO or a device could block) or cannot be read."""
    h = hashlib.sha256()
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # before open: opening a FIFO blocks
            return None
        with open(path, "rb") as fh:
            left = os.fstat(fh.fileno()).st_size if size is None else size
            while left > 0 and (chunk := fh.read(min(HASH_CHUNK, left))):
                h.update(chunk)
                left -= len(chunk)
    except (OSError, MemoryError):  # MemoryError: a worker at its memory ceiling
        return None
    return h.hexdigest()


def data_version() -> str:
    """16 hex characters over every knowledge file in use: the strict tables (generators,
    model families, TC260 producers, soft bindings) with the user's extra files, in order
    (those of the check that just ran: the pipeline applies its options' table files), and
    the other bundled data (weights, detector parameters, C2PA code tables, trust-list
    snapshot)."""
    from provenance.knowledge import tables

    return _with_other_data(tables.digest())


@lru_cache(maxsize=8)
def _with_other_data(tables_digest: str) -> str:
    h = hashlib.sha256(tables_digest.encode())
    root = resources.files("provenance").joinpath("data")
    for name in _OTHER_DATA:
        part = root.joinpath(name)
        data = part.read_bytes() if part.is_file() else b""
        h.update(f"{name}\0{hashlib.sha256(data).hexdigest()}\n".encode())
    return h.hexdigest()[:16]


def options_record(opts: CheckOptions) -> dict[str, Any]:
    """The options that can change a report's answer, as plain JSON (docs/report.md
    ``options``). Left out: where output goes (evidence_dir) and the time limit, which
    decide whether there is an answer, not what it is."""
    from provenance.knowledge import generators, model_families, soft_bindings, tc260

    tables = {  # option -> the table it extends, named as in the data files
        "generators_files": generators.SPEC.array,
        "model_family_files": model_families.SPEC.array,
        "tc260_files": tc260.SPEC.array,
        "soft_binding_files": soft_bindings.SPEC.array,
    }
    anchors = opts.trust_anchors
    return {
        "depth": opts.depth,
        "detectors": list(opts.detectors_to_run()),
        "max_frames": opts.max_frames,
        "sample_fps": opts.sample_fps,
        "trust_anchors": os.fsdecode(anchors) if anchors else None,
        "trust_anchors_sha256": file_sha256(anchors) if anchors else None,
        "trust_allowed_list_sha256": (
            file_sha256(opts.trust_allowed_list) if opts.trust_allowed_list else None
        ),
        "bundled_trust": opts.bundled_trust,
        "allow_network": opts.allow_network,
        "extra_tables": {
            tables[name]: [os.fsdecode(f) for f in files]
            for name, files in opts.table_files().items()
            if files
        },
    }


def stamp(report: Any, opts: CheckOptions, digest: bool = True) -> None:
    """Fill in what made ``report`` (never raises: a broken extra table file already made
    the report an error, and the stamp must not turn it into an exception)."""
    report.tool_version = tool_version()
    report.checked_at = report.checked_at or utc_now()
    try:
        report.options = options_record(opts)
        report.data_version = data_version()
    except (Exception, MemoryError):  # e.g. schema.DataError from the user's extra file
        report.data_version = None
    if digest and report.file.sha256 is None and report.file.size_bytes is not None:
        report.file.sha256 = file_sha256(report.path, report.file.size_bytes)
