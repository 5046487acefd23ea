"""``provenance report``: re-render stored JSON Lines (a scan's ``-o`` file) as an HTML page
and/or CSV, also after an interrupted scan; and the CSV stream of ``--format csv``.

A stored file is read with ``scanning.stored`` (each line checked against the report
types): a line that is not a report (a hand edit, the half-written last line of a scan that
was killed) is named on stderr and skipped, never fatal.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile

import click

from provenance.cli.outputs import check_outputs, fail
from provenance.formatters import spreadsheet
from provenance.formatters.printable import printable
from provenance.model.report import EXIT_CLEAN, EXIT_ERROR, Report

FORMATS = ("text", "json", "csv")
FORMAT_OPTION = click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default=None,
    help="stdout: readable text (default), json (JSON Lines, as --json) or csv (a header "
    "and one row per file; columns in docs/report.md).",
)


class CsvStream:
    """``--format csv`` on stdout: the header before the first row, one row per report as
    each finishes (a spreadsheet can import a scan that was interrupted)."""

    def __init__(self, echo) -> None:
        self.echo = echo
        self.started = False

    def add(self, report: Report) -> None:
        if not self.started:
            self.echo(spreadsheet.line(spreadsheet.HEADER))
            self.started = True
        self.echo(spreadsheet.line(spreadsheet.row(report)))

    def finish(self) -> None:
        if not self.started:
            self.echo(spreadsheet.line(spreadsheet.HEADER))
            self.started = True


def stored_reports(jsonl: str) -> list[dict]:
    """The valid reports of ``jsonl``, the last one per file (``stored.latest``); bad lines
    and replaced reports are noted on stderr."""
    from provenance.scanning import stored

    try:
        found = stored.latest(jsonl)
    except OSError as exc:
        fail(f"cannot read {printable(jsonl)}: {exc.strerror or exc}")
    bad = found.problems
    for why in bad[: stored.MAX_LINE_PROBLEMS]:
        click.echo(f"warning: {printable(jsonl)} {printable(why)}; skipped", err=True)
    if len(bad) > stored.MAX_LINE_PROBLEMS:
        click.echo(
            f"warning: {len(bad) - stored.MAX_LINE_PROBLEMS} more line(s) of "
            f"{printable(jsonl)} are not valid reports; skipped",
            err=True,
        )
    if found.replaced:
        click.echo(
            f"note: {printable(jsonl)} has a later report for {found.replaced} of its "
            "files; each file is shown with its last one",
            err=True,
        )
    return found.reports


def write_csv(path: str, reports: list[dict]) -> None:
    """Write atomically beside the target (a reader never sees half a table)."""
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    fd, tmp = tempfile.mkstemp(prefix=".provenance-", suffix=".csv.tmp", dir=folder)
    try:
        with open(fd, "w", encoding="utf-8", newline="") as fh:
            spreadsheet.write(fh, reports)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@click.command("report")
@click.argument("jsonl", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False),
    help="Write one self-contained HTML report of the stored reports.",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write the stored reports as CSV ('-' for stdout).",
)
@click.option(
    "--evidence",
    "evidence_dir",
    type=click.Path(file_okay=False, exists=True),
    help="Folder of annotated evidence frames the scan wrote (--evidence), to inline them.",
)
def report(jsonl, html_path, csv_path, evidence_dir) -> None:
    """Render JSONL (JSON Lines written by scan -o or check --json) as an HTML page
    (--html) and/or CSV (--csv), without checking any file again. A file with several
    reports (checked again by --resume or --append) is shown with its last one. Lines that
    are not reports, such as the cut last line of an interrupted scan, are named and
    skipped."""
    if not html_path and not csv_path:
        raise click.UsageError("say what to write: --html FILE and/or --csv FILE")
    check_outputs(None, html_path, [jsonl])
    if csv_path and csv_path != "-":
        if os.path.realpath(csv_path) == os.path.realpath(jsonl):
            fail(f"--csv {printable(csv_path)} is the file being read; refusing")
        if not os.path.isdir(os.path.dirname(os.path.abspath(csv_path))):
            fail(f"the folder of --csv {printable(csv_path)} does not exist")
    reports = stored_reports(jsonl)
    if not reports:
        fail(f"{printable(jsonl)} holds no reports")
    to_stderr = csv_path == "-"
    if html_path:
        from provenance.cli import render
        from provenance.formatters.html import Page, UnsafeOutput

        try:
            with Page(evidence_dir) as page:
                render.write_html(html_path, page.add_all(reports), to_stderr)
        except UnsafeOutput as exc:
            fail(f"--html {exc}")
        except OSError as exc:
            fail(f"cannot write --html {printable(html_path)}: {exc.strerror or exc}")
    if csv_path == "-":
        spreadsheet.write(sys.stdout, reports)
    elif csv_path:
        try:
            write_csv(csv_path, reports)
        except OSError as exc:
            fail(f"cannot write --csv {printable(csv_path)}: {exc.strerror or exc}")
        click.echo(f"CSV written to {printable(os.path.abspath(csv_path))}")
    click.echo(f"{len(reports)} report(s) from {printable(jsonl)}", err=True)
    sys.exit(EXIT_CLEAN if reports else EXIT_ERROR)
