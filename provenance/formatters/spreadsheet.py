"""Reports as CSV rows for spreadsheets: one row per file, a fixed set of columns.

The columns (``COLUMNS``, documented in docs/report.md "CSV") never change order within a
schema major version; new ones are only appended. Lists are joined with ``"; "``.

Why the cells are defused: a file name or a signer is chosen by whoever made the file, and
a spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
return) as a formula (CSV injection). Such a cell gets a leading apostrophe, which
spreadsheets show as text; control characters are shown as backslash escapes
(``printable``), so a cell is always one line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from provenance.formatters.printable import printable

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _get(*keys: str) -> Callable[[dict], Any]:
    def value(report: dict) -> Any:
        node: Any = report
        for key in keys:
            node = node.get(key) if isinstance(node, dict) else None
        return node

    return value


def _if_ok(get: Callable[[dict], Any]) -> Callable[[dict], Any]:
    """Blank for an error report: nothing was decided ("unknown" would read as an answer)."""
    return lambda report: get(report) if report.get("status") == "ok" else None


def _confidence(report: dict) -> Any:
    """Blank when there is no answer to be sure of (unknown, or an error), never 0.00."""
    v = report.get("verdict") or {}
    if report.get("status") != "ok" or v.get("ai_generated") == "unknown":
        return None
    return v.get("confidence")


def _generator_name(report: dict) -> str | None:
    from provenance.formatters.html import _generator_name as name

    return name((report.get("verdict") or {}).get("generator")) or None


def _signer(report: dict) -> str | None:
    signer = (report.get("c2pa") or {}).get("signer") or {}
    return signer.get("common_name") or signer.get("issuer")


def _watermarks(report: dict) -> str:
    from provenance.formatters.html import _generator_name as name

    marks = report.get("watermarks") or []
    return "; ".join(
        f"{m.get('kind')} {name(m.get('generator')) or 'unknown overlay'}" for m in marks
    )


# (column, how to get its value from a report dict)
COLUMNS: tuple[tuple[str, Callable[[dict], Any]], ...] = (
    ("path", _get("path")),
    ("status", _get("status")),
    ("error", _get("error")),
    ("ai_generated", _if_ok(_get("verdict", "ai_generated"))),
    ("ai_extent", _get("verdict", "ai_extent")),
    ("generator", _get("verdict", "generator")),
    ("generator_name", _generator_name),
    ("candidates", _get("verdict", "candidates")),
    ("marks_stripped", _if_ok(_get("verdict", "marks_stripped"))),
    ("stripped", _get("verdict", "stripped")),
    ("confidence", _confidence),
    ("summary", _get("verdict", "summary")),
    ("c2pa_state", _if_ok(_get("c2pa", "state"))),
    ("c2pa_signer", _signer),
    ("watermarks", _watermarks),
    ("media_kind", _if_ok(_get("media", "kind"))),
    ("mime", _get("media", "mime")),
    ("width", _get("media", "width")),
    ("height", _get("media", "height")),
    ("duration_s", _get("media", "duration_s")),
    ("size_bytes", _get("file", "size_bytes")),
    ("sha256", _get("file", "sha256")),
    ("duplicate_of", _get("duplicate_of")),
    ("checked_at", _get("checked_at")),
    ("depth", _if_ok(_get("coverage", "depth"))),
    ("tool_version", _get("tool_version")),
    ("data_version", _get("data_version")),
    ("schema", _get("schema")),
)
HEADER = tuple(name for name, _ in COLUMNS)


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}" if value != int(value) or abs(value) >= 1e15 else f"{value:.1f}"
    if isinstance(value, (list, tuple)):
        value = "; ".join(printable(v) for v in value)
    text = printable(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def row(report: Any) -> list[str]:
    """One report (a Report or its dict) as the cells of ``COLUMNS``."""
    data = report.to_dict() if hasattr(report, "to_dict") else report
    return [cell(get(data)) for _, get in COLUMNS]


def line(cells: Iterable[str]) -> str:
    """One CSV record (RFC 4180 quoting, no line end)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(list(cells))
    return buf.getvalue()


def write(out: TextIO, reports: Iterable[Any]) -> int:
    """The header and one row per report; returns the number of rows."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    count = 0
    for report in reports:
        writer.writerow(row(report))
        count += 1
    return count
