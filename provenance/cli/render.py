"""Human-readable renderings of reports: a per-file summary and a scan summary table."""

from __future__ import annotations

import contextlib
import tempfile
from collections import Counter
from collections.abc import Iterator
from typing import Any

import click

from provenance.formatters import wording
from provenance.formatters.printable import printable
from provenance.knowledge.generators import display_name
from provenance.model.report import Report

_AI_COLOURS = {"yes": "red", "likely": "yellow", "unknown": None, "unlikely": "green"}


def file_summary(report: Report, verbose: bool = False) -> str:
    """Every string that comes from the file (name, signer, agent, metadata text, OCR) goes
    through ``printable``: a file cannot move the cursor or rewrite the verdict line."""
    p = printable
    lines = [click.style(p(report.path), bold=True)]
    if report.file.real_path:
        lines.append(f"  reached via a link to {p(report.file.real_path)}")
    if report.status != "ok":
        lines.append(click.style(f"  error: {p(report.error)}", fg="red"))
        return "\n".join(lines)
    v, m, c = report.verdict, report.media, report.c2pa
    size = f"{m.width}x{m.height}" if m.width else "?"
    extra = f", {m.duration_s:.1f} s at {m.fps:g} fps" if m.duration_s and m.fps else ""
    lines.append(f"  media:        {p(m.kind)} {p(m.mime)} {size}{extra}".rstrip())
    ai = click.style(wording.headline(v), fg=_AI_COLOURS.get(v.ai_generated), bold=True)
    gen = f" ({p(display_name(v.generator))})" if v.generator else ""
    sure = wording.confidence(v)
    lines.append(f"  verdict:      {ai}{gen}{'   ' + sure if sure else ''}")
    lines.append(f"  marks stripped: {wording.marks(v)}")
    cred = p(c.state)
    if c.state in ("valid", "trusted", "invalid"):
        cred += f" (content {p(c.content)}, signature {p(c.signature)}, signer {p(c.credential)})"
        if c.signer and (c.signer.common_name or c.signer.issuer):
            cred += f", signed by {p(c.signer.common_name or c.signer.issuer)}"
        # CAWG identity codes belong to the identity lines below, not to the C2PA signature
        failed = [f for f in c.failed_checks if not f.startswith(("signingCredential.", "cawg."))]
        if failed:
            cred += f"; failed checks: {p(', '.join(failed))}"
    elif c.state == "remote":
        cred += f" ({p(c.remote_url)})"
    elif c.error and c.state == "unreadable":
        cred += f" ({p(c.error)})"
    lines.append(f"  credentials:  {cred}")
    for ident in c.identities:
        named = f", names {p(ident.named_actor)}" if ident.named_actor else ""
        why = f"; failed checks: {p(', '.join(ident.failures))}" if ident.failures else ""
        kind = p(ident.kind or ident.sig_type or "identity assertion")
        lines.append(f"  identity:     {p(ident.status)} ({kind}{named}){why}")
    for wm in report.watermarks:
        who = p(display_name(wm.generator)) or "unknown overlay"
        text = f" '{p(wm.text)}'" if wm.text else ""
        handle = f" {p(wm.handle)}" if wm.handle else ""
        seen = wording.count(len(wm.track), "sampled frame")
        lines.append(
            f"  watermark:    {p(wm.kind)} {who}{text}{handle} "
            f"(confidence {wm.confidence:.2f}, seen in {seen})"
        )
    lines.append(f"  summary:      {p(v.summary)}")
    shown = report.evidence if verbose else [e for e in report.evidence if e.claim != "info"]
    for ev in shown:
        weight = "context" if ev.claim == "info" else f"{ev.confidence:.2f}"
        lines.append(f"    - [{p(ev.source)}] {p(ev.detail)} ({weight})")
    for conflict in v.conflicts:
        lines.append(click.style(f"  conflict:     {p(conflict)}", fg="yellow"))
    return "\n".join(lines)


def scan_summary(reports_counts: dict[str, Counter], total: int, elapsed: float) -> str:
    """Counts per status, verdict, generator and stripped kind. The count comes first, so
    that a long generator name is shown whole without pushing the numbers out of line."""
    ai, gens, stripped, status = (
        reports_counts[k] for k in ("ai", "generator", "stripped", "status")
    )
    rate = total / elapsed if elapsed > 0 else 0.0
    lines = [click.style(f"Scanned {total} file(s) in {elapsed:.1f} s ({rate:.1f}/s)", bold=True)]

    def section(title: str, rows: list[tuple[str, int]]) -> None:
        lines.append(f"  {'files':>7}  {title}")
        lines.extend(f"  {count:>7}  {name}" for name, count in rows)

    section("status", [(key, status.get(key, 0)) for key in ("ok", "error")])
    section("AI-generated", [(k, ai.get(k, 0)) for k in ("yes", "likely", "unknown", "unlikely")])
    if gens:
        section(
            "generator",
            [(printable(display_name(k) or k), n) for k, n in gens.most_common()],
        )
    if stripped:
        section("marks stripped", [(printable(k), n) for k, n in stripped.most_common()])
    return "\n".join(lines)


def new_counts() -> dict[str, Counter]:
    return {"ai": Counter(), "generator": Counter(), "stripped": Counter(), "status": Counter()}


def count(counts: dict[str, Counter], report: Report) -> None:
    counts["status"][report.status] += 1
    if report.status != "ok":
        return
    counts["ai"][report.verdict.ai_generated] += 1
    if report.verdict.generator:
        counts["generator"][report.verdict.generator] += 1
    for kind in report.verdict.stripped:
        counts["stripped"][kind] += 1


@contextlib.contextmanager
def evidence_for_html(options, html_path: str | None) -> Iterator[None]:
    """The HTML report inlines the annotated evidence frames; without --evidence they go
    to a temporary folder that lives until the page is written."""
    if not html_path or options.evidence_dir:
        yield
        return
    with tempfile.TemporaryDirectory(prefix="provenance-evidence-") as folder:
        options.evidence_dir = folder
        try:
            yield
        finally:
            options.evidence_dir = None


@contextlib.contextmanager
def html_page(options, html_path: str | None) -> Iterator[Any]:
    """The --html page (``formatters.html.Page``; None without --html), built as reports
    come, so the command keeps no report: enter it inside ``evidence_for_html``, whose
    frames each report's card reads when it is added."""
    if not html_path:
        yield None
        return
    from provenance.formatters import html

    with html.Page(options.evidence_dir) as page:
        yield page


def write_html(html_path: str, page: Any, to_stderr: bool, quiet: bool = False) -> None:
    """Save ``page`` (``formatters.html.Page``) and say where."""
    written = page.save(html_path)
    if not quiet:
        click.echo(f"HTML report written to {printable(written)}", err=to_stderr)


def _unknown_length() -> Iterator[None]:
    yield from ()


class ScanProgress:
    """The scan's progress bar on stderr. The walk streams (the first files are checked
    while it goes on), so the number of files is not known at the start: until the walk
    ends the bar counts the files checked (``Scanning  [  #   ]  1234``); from then on it
    shows checked/total and the time left (``set_total``)."""

    def __init__(self, label: str):
        import sys

        self._bar = click.progressbar(
            _unknown_length(), label=label, file=sys.stderr, show_pos=True, show_eta=True
        )

    def __enter__(self) -> ScanProgress:
        self._bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._bar.__exit__(*exc)

    def update(self, n: int) -> None:
        self._bar.update(n)

    def set_total(self, n: int) -> None:
        self._bar.length = n
        self._bar.render_progress()
