"""provenance: did an AI generator make this file, how do we know, and were the marks stripped?

Public surface: ``check``, ``scan``, ``Report`` and ``CheckOptions``. Everything
else is internal and may change.
"""

from __future__ import annotations

import os as _os
from importlib import metadata as _metadata

# FFmpeg inside OpenCV prints decoder complaints to stderr; the report carries them instead.
_os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
_os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")

from provenance.model.report import SCHEMA_VERSION, Report
from provenance.options import CheckOptions

__all__ = ["check", "scan", "Report", "CheckOptions", "SCHEMA_VERSION"]
try:  # one source: the version pyproject.toml gives the installed distribution
    __version__ = _metadata.version("provenance")
except _metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"


def check(path, options: CheckOptions | None = None, **kwargs) -> Report:
    """Analyse one file. Never raises for a bad file: the report says ``status: error``.

    Keyword options are the fields of ``CheckOptions`` (trust_anchors, allow_network,
    sample_fps, max_frames, detectors, evidence_dir, timeout_s).
    """
    from provenance.pipeline import check as _check

    return _check(path, options, **kwargs)


def scan(paths, options: CheckOptions | None = None, **kwargs):
    """Walk files and folders, yield one Report per file as each finishes.

    Scan keywords: jobs, include, exclude, plus the ``CheckOptions`` fields.
    """
    from provenance.scanning.engine import scan as _scan

    return _scan(paths, options, **kwargs)
