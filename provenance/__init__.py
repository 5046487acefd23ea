"""provenance: did an AI generator make this file, how do we know, and were the marks stripped?

Public surface: ``check``, ``scan``, ``Report``, ``CheckOptions`` and the record classes a
report holds (``Verdict``, ``Evidence``, ...). Everything else is internal and may change.

Thread safety: ``check`` may be called from several threads at once (a web server's
workers): a check keeps its state in its own report, and the shared knowledge tables are
loaded once and only read. Process-wide: the user's extra knowledge files (the
``*_files`` options) are applied to the tables by each check, so concurrent checks must use
the same ones. See docs/embedding.md.
"""

from __future__ import annotations

import os as _os
from collections.abc import Iterable, Iterator
from typing import Any

# FFmpeg inside OpenCV prints decoder complaints to stderr; the report carries them instead.
_os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
_os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")

from provenance._version import __version__ as __version__  # noqa: E402
from provenance.model.records import (  # noqa: E402
    AiExtent,
    AiGenerated,
    Coverage,
    Evidence,
    MarksStripped,
    MediaInfo,
    Sighting,
    Status,
    Verdict,
    Watermark,
)
from provenance.model.report import SCHEMA_VERSION, FileFacts, Report  # noqa: E402
from provenance.options import CheckOptions  # noqa: E402
from provenance.readers.credentials.reader import C2paInfo  # noqa: E402
from provenance.readers.metadata import MetadataInfo  # noqa: E402
from provenance.uploads import Source  # noqa: E402

__all__ = [
    "check",
    "scan",
    "Report",
    "CheckOptions",
    "SCHEMA_VERSION",
    "Verdict",
    "Evidence",
    "Watermark",
    "Sighting",
    "MediaInfo",
    "Coverage",
    "FileFacts",
    "C2paInfo",
    "MetadataInfo",
    "AiGenerated",
    "AiExtent",
    "MarksStripped",
    "Status",
]


def check(
    source: Source,
    options: CheckOptions | None = None,
    *,
    name: str | None = None,
    **kwargs: Any,
) -> Report:
    """Analyse one file: a path, or the bytes or binary file object of an upload (``name``
    is then the file name the report shows, e.g. ``check(data, name="upload.jpg")``).
    Never raises for bad content: the report says ``status: error`` and why.

    Keyword options are the fields of ``CheckOptions`` (trust_anchors, allow_network,
    sample_fps, max_frames, detectors, evidence_dir, timeout_s, depth). ``timeout_s``
    (default 120, None for none) is honoured: past it the report is an error ``timed
    out``; the analysis thread cannot be stopped and finishes in the background.
    """
    from provenance.pipeline import check as _check
    from provenance.pipeline import check_with_limit, usable_options
    from provenance.uploads import check_upload, is_upload

    if options is not None and kwargs:
        raise TypeError("pass either options or keyword options, not both")
    opts = usable_options(options if options is not None else CheckOptions.from_kwargs(**kwargs))
    if is_upload(source):
        return check_upload(source, name, lambda tmp: check_with_limit(tmp, opts, _check))
    if not isinstance(source, (str, _os.PathLike)):
        raise TypeError(
            f"check() takes a path, bytes or a binary file object, not {type(source).__name__}"
        )
    report = check_with_limit(source, opts, _check)
    if name:
        report.path = name
    return report


def scan(
    paths: str | _os.PathLike | Iterable[str | _os.PathLike],
    options: CheckOptions | None = None,
    **kwargs: Any,
) -> Iterator[Report]:
    """Walk files and folders, yield one Report per file as each finishes.

    Scan keywords: jobs, include, exclude, executor, dask, dedupe, follow_outside,
    memory_limit_mb, plus the ``CheckOptions`` fields.
    """
    from provenance.scanning.engine import scan as _scan

    return _scan(paths, options, **kwargs)
