"""What a scan shows after its progress bar: the flagged and failed files, one row each (as
pytest lists its failures), what was skipped, or that there was nothing to scan.

Why: counts alone ("likely: 3") send the analyst back to the JSON Lines to find which three.
Columns are as wide as their longest cell: names are never cut, the file comes last so a
long path cannot push the other columns out of line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import click

from provenance.formatters.printable import printable
from provenance.knowledge.generators import display_name
from provenance.model.report import Report
from provenance.scanning import selection

HEADER = ("AI-generated", "marks stripped", "generator", "file")
_STYLE = {"yes": "red", "likely": "yellow", "error": "red"}
_SKIP_WORDS = {
    selection.NOT_MEDIA: "{n} not media",
    selection.HIDDEN: "{n} hidden (--hidden scans them)",
    selection.SIDECAR: "{n} sidecar manifest(s) (read with their assets)",
}


@dataclass(frozen=True)
class Row:
    """One line of the table of flagged and failed files, its cells already made printable."""

    ai: str
    stripped: str
    generator: str
    file: str
    failed: bool  # an error, not a finding


def row(report: Report) -> Row:
    p = printable
    if report.status != "ok":
        return Row("error", "-", "-", f"{p(report.path)}: {p(report.error)}", True)
    v = report.verdict
    stripped = p(v.marks_stripped) + (f" ({p(', '.join(v.stripped))})" if v.stripped else "")
    generator = p(display_name(v.generator)) or "-"
    return Row(p(v.ai_generated), stripped, generator, p(report.path), False)


def table(rows: Iterable[Row], total: int) -> str:
    """The flagged rows first, then the failed ones, each group by file name."""
    ordered = sorted(rows, key=lambda r: (r.failed, r.file))
    if not ordered:
        return ""
    flagged = sum(not r.failed for r in ordered)
    failed = len(ordered) - flagged
    title = f"{flagged} flagged, {failed} failed of {total} file(s):"
    cells = [HEADER] + [(r.ai, r.stripped, r.generator, r.file) for r in ordered]
    widths = [max(len(c[i]) for c in cells) for i in range(3)]
    lines = [click.style(title, bold=True)]
    heads = [h.ljust(w) for h, w in zip(HEADER, widths, strict=False)]
    lines.append("  " + "  ".join([*heads, HEADER[3]]))
    for r in ordered:
        first = click.style(r.ai.ljust(widths[0]), fg=_STYLE.get(r.ai))
        rest = [r.stripped.ljust(widths[1]), r.generator.ljust(widths[2])]
        lines.append("  " + "  ".join([first, *rest]) + "  " + r.file)
    return "\n".join(lines)


def skipped(counts: Counter[str]) -> str:
    parts = [
        _SKIP_WORDS.get(reason, "{n} " + reason).format(n=n)
        for reason, n in sorted(counts.items())
        if n
    ]
    return f"skipped: {', '.join(parts)}" if parts else ""


def nothing_to_scan(paths: Iterable[str], counts: Counter[str]) -> str:
    where = ", ".join(printable(p) for p in paths)
    why = skipped(counts)
    return f"no media files under {where}" + (f" ({why})" if why else "")
