"""The report contract: one JSON object per input file (documented in docs/report.md).

Bump ``SCHEMA_VERSION`` on any change a consumer could notice: a renamed or
removed field is a major bump, an added field a minor one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.formatters.printable import json_safe
from provenance.model.records import (
    Coverage,
    Evidence,
    MediaInfo,
    Status,
    Verdict,
    Watermark,
    as_plain,
    from_plain,
)
from provenance.readers.credentials.reader import C2paInfo
from provenance.readers.metadata import MetadataInfo

# 1.4: coverage (depth, pixels analysed); 1.5: tool_version, data_version, options,
# checked_at, duplicate_of, file.sha256
SCHEMA_VERSION = "1.5"

# Exit codes of the command line, decided per report and combined (2 wins).
EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


@dataclass
class FileFacts:
    """Size, mtime and digest of the file checked; ``--resume`` knows it by them (``file``)."""

    size_bytes: int | None = None
    mtime: float | None = None  # seconds since the epoch, as stat reports it
    real_path: str | None = None  # the file a symbolic link led to, when the scan followed one
    sha256: str | None = None  # of the bytes checked; None for a FIFO or an unreadable file


@dataclass
class Report:
    """What the checker found in one input file, written as one JSON object (docs/report.md)."""

    path: str
    status: Status = "ok"
    error: str | None = None
    elapsed_s: float = 0.0
    # What made this report (model/stamp.py): None on a report made without a check (a
    # refused path, a worker that died), which a resumed scan therefore checks again.
    tool_version: str | None = None
    data_version: str | None = None
    options: dict[str, Any] | None = None
    checked_at: str | None = None  # UTC, ISO 8601
    duplicate_of: str | None = None  # in a scan: the path whose analysis this copy shares
    file: FileFacts = field(default_factory=FileFacts)
    media: MediaInfo = field(default_factory=MediaInfo)
    coverage: Coverage = field(default_factory=Coverage)
    c2pa: C2paInfo = field(default_factory=C2paInfo)
    metadata: MetadataInfo = field(default_factory=MetadataInfo)
    watermarks: list[Watermark] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    verdict: Verdict = field(default_factory=Verdict)
    schema: str = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        data = as_plain(self)
        container = (data.get("metadata") or {}).get("container")
        if container:
            container.pop("xmp", None)  # raw bytes; the parsed facts are under metadata.xmp
        order = (
            "schema",
            "path",
            "status",
            "error",
            "elapsed_s",
            "tool_version",
            "data_version",
            "options",
            "checked_at",
            "duplicate_of",
            "file",
            "media",
            "coverage",
            "c2pa",
            "metadata",
            "watermarks",
            "evidence",
            "verdict",
        )
        return {key: data[key] for key in order}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """A report back from ``to_dict()`` output, e.g. a line of a JSON Lines file read
        with ``json.loads``: ``Report.from_dict(r.to_dict()).to_dict() == r.to_dict()``.
        Fields a newer minor version added are ignored; missing ones take their default."""
        if not isinstance(data, dict) or not isinstance(data.get("path"), str):
            raise ValueError("a report is a JSON object with a string 'path'")
        return from_plain(cls, data)

    @classmethod
    def from_json(cls, line: str) -> Report:
        """One JSON Lines line back into a report (``ValueError`` if it is not one)."""
        return cls.from_dict(json.loads(line))

    def to_json(self, indent: int | None = None) -> str:
        """JSON that is valid UTF-8 even for a non-UTF-8 path: its lone surrogates (PEP 383)
        are written as ``\\udcff`` escapes, which json.loads turns back into the same path;
        C1 controls and text-steering characters are escaped the same way (``json_safe``)."""
        text = json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, default=_json_default)
        return json_safe(text)

    def fail(self, reason: str) -> None:
        """Mark the report as an error with a one-line reason that names the file."""
        self.status = "error"
        self.error = " ".join(str(reason).split())[:500]
        self.verdict.summary = f"Could not analyse {Path(self.path).name}: {self.error}."

    @property
    def has_findings(self) -> bool:
        v = self.verdict
        return v.ai_generated in ("yes", "likely") or v.marks_stripped in ("yes", "likely")

    @property
    def exit_code(self) -> int:
        if self.status != "ok":
            return EXIT_ERROR
        return EXIT_FINDINGS if self.has_findings else EXIT_CLEAN


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def combined_exit_code(codes) -> int:
    result = EXIT_CLEAN
    for code in codes:
        result = max(result, code)
    return result
