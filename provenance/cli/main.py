"""The ``provenance`` command: parse options, call the library, render. Nothing else."""

from __future__ import annotations

import atexit
import contextlib
import gc
import itertools
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from provenance import allocator
from provenance.cli import config, preflight, render
from provenance.cli import listing as listing_text
from provenance.cli.outputs import check_outputs, fail
from provenance.cli.report_cmd import FORMAT_OPTION, CsvStream
from provenance.cli.report_cmd import report as report_command
from provenance.formatters.printable import printable
from provenance.model.report import EXIT_CLEAN, EXIT_ERROR
from provenance.options import CheckOptions, detector_names
from provenance.scanning import exit_codes
from provenance.scanning.executors import DEFAULT_MEMORY_LIMIT_MB
from provenance.scanning.exit_codes import EXIT_HELP, EXIT_INTERRUPTED

if TYPE_CHECKING:
    from provenance.scanning.paths import Listing


def _set_color(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """--color always/never, else NO_COLOR (https://no-color.org), else colour on a
    terminal only (click strips styles from a pipe)."""
    if value == "always":
        ctx.color = True
    elif value == "never" or os.environ.get("NO_COLOR"):
        ctx.color = False
    else:
        ctx.color = None
    return value


def _check_options(f):
    """Options shared by check and scan."""
    decorators = [
        click.option(
            "--json",
            "as_json",
            is_flag=True,
            help="Print one JSON object per file (JSON Lines), nothing else, on stdout.",
        ),
        FORMAT_OPTION,
        click.option(
            "--trust-anchors",
            type=click.Path(dir_okay=False),
            help="PEM file of certificates to trust as C2PA signing roots (offline). "
            "Setting: trust_anchors, $PROVENANCE_TRUST_ANCHORS.",
        ),
        click.option(
            "--allowed-list",
            type=click.Path(dir_okay=False),
            expose_value=False,
            callback=_trust_file("trust_allowed_list"),
            help="PEM file of signing (end-entity) certificates to trust as they are, as "
            "c2patool's --allowed_list.",
        ),
        click.option(
            "--no-bundled-trust",
            is_flag=True,
            help="Do not trust the bundled C2PA Trust List snapshot; trust only "
            "--trust-anchors (docs/credentials.md).",
        ),
        click.option(
            "--depth",
            type=click.Choice(["full", "quick"]),
            default="full",
            show_default=True,
            help="quick: credentials, metadata, container and bitstream strings, and a few "
            "keyframes for invisible marks; the report says whether a full check could change "
            "the answer (docs/performance.md).",
        ),
        click.option(
            "--allow-network",
            is_flag=True,
            help="Allow fetching remote manifests and OCSP status. Off by default.",
        ),
        click.option(
            "--frames",
            "max_frames",
            type=click.IntRange(1, 10_000),
            default=None,
            help="Most frames sampled per video (default 48).",
        ),
        click.option(
            "--sample-fps",
            type=click.FloatRange(0.01, 240),
            default=None,
            help="Frames sampled per second of video (default 2).",
        ),
        click.option(
            "--detectors",
            default=None,
            metavar="NAMES",
            help="Pixel detectors to run, comma-separated (default: all of "
            f"{','.join(detector_names())}); empty for none.",
        ),
        click.option(
            "--evidence",
            "evidence_dir",
            type=click.Path(file_okay=False),
            help="Write annotated evidence images per file into this folder.",
        ),
        *(
            click.option(
                flag,
                type=click.Path(exists=True, dir_okay=False),
                multiple=True,
                expose_value=False,
                callback=_table_files(option),
                help=f"Extra {what} data file (TOML, same schema as the bundled one; "
                "repeatable). docs/generators.md",
            )
            for flag, option, what in _TABLE_FLAGS
        ),
        click.option(
            "--fail-on",
            type=click.Choice(list(exit_codes.FAIL_ON)),
            default=exit_codes.DEFAULT_FAIL_ON,
            show_default=True,
            help=exit_codes.FAIL_ON_HELP + ".",
        ),
        click.option(
            "-v",
            "--verbose",
            is_flag=True,
            help="Also list informational evidence in the readable output.",
        ),
        click.option(
            "-q",
            "--quiet",
            is_flag=True,
            help="Print nothing but errors and warnings (on stderr) and what --json asks "
            "for; the exit code says the rest.",
        ),
        click.option(
            "--color",
            type=click.Choice(config.COLORS),
            default="auto",
            show_default=True,
            callback=_set_color,
            expose_value=False,
            is_eager=True,
            help="Colour in the readable output; auto: on a terminal, unless $NO_COLOR is set.",
        ),
    ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


# The user's knowledge files: flag, CheckOptions field, what the table holds.
_TABLE_FLAGS = (
    ("--generators", "generators_files", "generator"),
    ("--model-families", "model_family_files", "model-family"),
    ("--tc260-producers", "tc260_files", "TC260 producer-code"),
    ("--soft-bindings", "soft_binding_files", "soft-binding algorithm"),
)


def _trust_file(option: str):
    """Keep --allowed-list (absolute: workers get it in the options)."""

    def keep(ctx: click.Context, _param, value) -> None:
        if value:
            ctx.meta.setdefault("provenance.trust", {})[option] = os.path.abspath(value)

    return keep


def _table_files(option: str):
    """Keep a table flag's files (absolute: worker processes get them in the options)."""

    def keep(ctx: click.Context, _param, value) -> None:
        ctx.meta.setdefault("provenance.tables", {})[option] = tuple(
            os.path.abspath(v) for v in value or ()
        )

    return keep


def _build_options(
    trust_anchors,
    allow_network,
    max_frames,
    sample_fps,
    detectors,
    evidence_dir,
    depth: str = "full",
    no_bundled_trust: bool = False,
) -> CheckOptions:
    """CheckOptions from the flags, after the settings that could fail every file (a trust
    file that is not PEM, a broken knowledge table) were checked once (``preflight``)."""
    meta = click.get_current_context().meta
    tables = meta.get("provenance.tables", {})
    trust_files = meta.get("provenance.trust", {})
    preflight.settings(trust_anchors, tables, trust_files)
    names = (
        None if detectors is None else tuple(d.strip() for d in detectors.split(",") if d.strip())
    )
    kwargs = {
        "trust_anchors": trust_anchors,
        "allow_network": allow_network,
        "detectors": names,
        "evidence_dir": evidence_dir,
        "depth": depth,
        "bundled_trust": not no_bundled_trust,
        **tables,
        **trust_files,
    }
    if max_frames is not None:
        kwargs["max_frames"] = max_frames
    if sample_fps is not None:
        kwargs["sample_fps"] = sample_fps
    try:
        options = CheckOptions.from_kwargs(**kwargs)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--detectors") from exc
    # The names in the summaries and listings are rendered here, with the same tables.
    from provenance.knowledge import tables as knowledge
    from provenance.options import TABLE_FILE_OPTIONS

    knowledge.use_extra_files(**{n: getattr(options, n) or None for n in TABLE_FILE_OPTIONS})
    return options


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from provenance.cli import versions

    click.echo(versions.text())
    ctx.exit()


CONFIG_HELP = """
Settings (defaults for the flags) come from $XDG_CONFIG_HOME/provenance/config.toml, then
[tool.provenance] in ./pyproject.toml, then ./provenance.toml (or only --config FILE /
$PROVENANCE_CONFIG), then $PROVENANCE_<SETTING> variables; flags win. Settings:
trust_anchors, bundled_trust, generators, model_families, tc260_producers, soft_bindings,
allow_network, depth, detectors, frames, sample_fps, timeout, memory_limit, fail_on, color,
verbose, include, exclude, jobs, hidden, follow_outside (docs/cli.md).
"""


@click.group(
    epilog=CONFIG_HELP + EXIT_HELP, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the versions of the tool, the C2PA SDK, OpenCV, PyAV, the OCR runtime and "
    "the data files, and exit.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Read settings from this TOML file only (instead of the usual places).",
)
@click.pass_context
def cli(ctx: click.Context, config_file: str | None) -> None:
    """Did an AI generator make this image or video, how do we know, and were the
    provenance marks stripped? Reads Content Credentials (C2PA), metadata, container
    traces and watermarks; every verdict cites its evidence. Offline by default."""
    try:
        values = config.load(config_file)
    except config.ConfigError as exc:
        fail(printable(exc))
    ctx.default_map = config.default_map(values)
    ctx.meta["settings"] = values


cli.add_command(report_command)


def _formats(as_json: bool, output_format: str | None) -> tuple[bool, CsvStream | None]:
    """(JSON Lines on stdout, the CSV stream on stdout or None) from --json / --format."""
    if as_json and output_format not in (None, "json"):
        raise click.UsageError(f"--json and --format {output_format} contradict each other")
    as_csv = CsvStream(_echo) if output_format == "csv" else None
    return as_json or output_format == "json", as_csv


def _timeout_option(what: str):
    return click.option(
        "--timeout",
        "timeout_s",
        type=click.FloatRange(0),
        default=None,
        help=f"Seconds one file may take before it gets an error report {what} "
        "(default 120; 0 for no limit).",
    )


_MEMORY_OPTION = click.option(
    "--memory-limit",
    "memory_limit_mb",
    type=click.IntRange(0),
    default=DEFAULT_MEMORY_LIMIT_MB,
    show_default=True,
    metavar="MiB",
    help="Address space each worker process may use (RLIMIT_AS); a file that needs more "
    "gets an error report. 0 for no limit.",
)


def _echo(text: str, err: bool = False) -> None:
    try:
        click.echo(text, err=err)
    except UnicodeEncodeError:  # a non-UTF-8 file name on a strict terminal
        click.echo(text.encode("utf-8", "backslashreplace").decode("utf-8"), err=err)


def _interrupt(signum, frame) -> None:
    """Ctrl-C and SIGTERM: stop, keep every finished report, say so. Only the first signal
    counts: a burst of Ctrl-C must not break the cleanup that follows (workers being
    stopped, the output closed) into tracebacks from atexit handlers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def _interrupted(message: str) -> None:
    click.echo(f"\n{message}", err=True)
    sys.exit(EXIT_INTERRUPTED)


_HTML_OPTION = click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write one self-contained HTML report (images inlined, works offline).",
)


@cli.command(epilog=EXIT_HELP)
@click.argument("files", nargs=-1, required=True, type=click.Path(readable=False))
@_timeout_option("(the check runs in a worker process that is then stopped)")
@_MEMORY_OPTION
@_HTML_OPTION
@_check_options
def check(
    files,
    timeout_s,
    memory_limit_mb,
    html_path,
    as_json,
    output_format,
    trust_anchors,
    allow_network,
    max_frames,
    sample_fps,
    detectors,
    evidence_dir,
    fail_on,
    verbose,
    quiet,
    depth,
    no_bundled_trust,
) -> None:
    """Check FILES and print a readable summary (or JSON Lines with --json, CSV with
    --format csv). A file named twice is checked and reported once; a file that is not
    media is an error."""
    from provenance.scanning.paths import Listing

    as_json, as_csv = _formats(as_json, output_format)

    options = _build_options(
        trust_anchors,
        allow_network,
        max_frames,
        sample_fps,
        detectors,
        evidence_dir,
        depth,
        no_bundled_trust,
    )
    if timeout_s is not None:
        options.timeout_s = timeout_s or None
    listing = Listing()
    for path in files:
        listing.add(path, real=os.path.realpath(path) if os.path.islink(path) else None)
    check_outputs(None, html_path, listing.paths)
    codes = []
    try:
        with (
            render.evidence_for_html(options, html_path),
            render.html_page(options, html_path) as page,
        ):
            given = click.get_current_context().get_parameter_source("memory_limit_mb")
            limit_given = given is not click.core.ParameterSource.DEFAULT
            for report in _check_reports(
                listing, options, memory_limit_mb, bool(html_path), limit_given
            ):
                codes.append(exit_codes.of_report(report, fail_on))
                if page:
                    page.add(report.to_dict())
                if as_csv:
                    as_csv.add(report)
                elif as_json:
                    _echo(report.to_json())
                elif not quiet:
                    _echo(render.file_summary(report, verbose))
                    click.echo()
            if as_csv:
                as_csv.finish()
            if page:
                machine = as_json or bool(as_csv)  # stdout holds only the machine output
                _write_html(html_path, page, machine, quiet)
    except KeyboardInterrupt:
        _interrupted(f"interrupted after {len(codes)} of {len(listing.paths)} file(s)")
    sys.exit(exit_codes.combined(codes))


def _check_reports(
    listing: Listing,
    options: CheckOptions,
    memory_limit_mb: int = 0,
    thumbnails: bool = False,
    limit_given: bool = False,
):
    """Reports in argument order. One file runs in this process, under a timer when there is
    a time limit (pipeline.check_with_limit: no second interpreter to start), unless a memory
    ceiling was asked for explicitly; several files, or an explicit ceiling, run in one
    worker process (the scan's pool, one slot) that is killed and replaced at its deadline or
    when it dies."""
    from provenance.pipeline import check_with_limit
    from provenance.scanning.executors import LocalPool, TaskSettings, check_task

    # One file at a time, wherever it runs: its OCR may take the cores a scan's other
    # workers would have (ocr_threads=None).
    settings = TaskSettings(
        memory_limit_mb=memory_limit_mb or None, thumbnails=thumbnails, ocr_threads=None
    )
    in_process = TaskSettings(memory_limit_mb=None, thumbnails=thumbnails, ocr_threads=None)
    if len(listing.paths) == 1 and not limit_given:
        reports = iter(
            [
                check_with_limit(
                    listing.paths[0],
                    options,
                    lambda p, o: check_task(os.fsdecode(p), o, in_process),
                )
            ]
        )
    elif options.timeout_s or settings.memory_limit_mb:
        reports = LocalPool(1, options.timeout_s, settings).run(iter(listing.paths), options)
    else:
        reports = (check_task(path, options, settings) for path in listing.paths)
    for report in reports:
        report.file.real_path = listing.links.get(report.path)
        yield report


def _write_html(html_path: str, page, to_stderr: bool, quiet: bool = False) -> None:
    from provenance.formatters.html import UnsafeOutput

    try:
        render.write_html(html_path, page, to_stderr, quiet)
    except UnsafeOutput as exc:  # the path changed since it was checked
        fail(f"--html {exc}")
    except OSError as exc:
        fail(f"cannot write --html {printable(html_path)}: {exc.strerror or exc}")


@cli.command(epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(readable=False))
@click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    help="Only files whose name or relative path matches (repeatable; case ignored).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Skip files and folders whose name or relative path matches (repeatable; case ignored).",
)
@click.option(
    "--hidden",
    is_flag=True,
    help="Also scan hidden files and folders (names starting with '.'), skipped by default.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 512),
    default=None,
    help="Worker processes (default: CPU count).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write JSON Lines to this new file as each file finishes (flushed per line). An "
    "existing file is refused unless --force (replaced: emptied when the scan starts), "
    "--append (added to) or --resume.",
)
@click.option("--force", is_flag=True, help="Replace an existing --output.")
@click.option("--append", is_flag=True, help="Add to an existing --output.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: when stderr is a terminal).",
)
@click.option(
    "--dask",
    "dask_spec",
    metavar="ADDRESS",
    help="Run on a Dask scheduler (tcp://host:8786), or 'local[:N]' for a local "
    "cluster of N workers. Workers read files by path: use shared storage.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Go on from --output: skip files it already has a report for with the same path, "
    "size and mtime, made by the same tool version, data version and result-changing "
    "options; check the rest and add them.",
)
@click.option(
    "--follow-outside",
    is_flag=True,
    help="Follow symbolic links that lead out of the scanned folders (by default such a "
    "link gets an error report and is not opened).",
)
@_timeout_option("and its worker is replaced")
@_MEMORY_OPTION
@_HTML_OPTION
@_check_options
def scan(
    paths,
    include,
    exclude,
    hidden,
    jobs,
    output,
    force,
    append,
    progress,
    dask_spec,
    resume,
    follow_outside,
    timeout_s,
    memory_limit_mb,
    html_path,
    as_json,
    output_format,
    trust_anchors,
    allow_network,
    max_frames,
    sample_fps,
    detectors,
    evidence_dir,
    fail_on,
    verbose,
    quiet,
    depth,
    no_bundled_trust,
) -> None:
    """Scan files and folders recursively, in parallel, and list what was found. In
    folders, files that are not media, hidden entries and C2PA sidecars (read with their
    asset) are skipped and counted; files named here are always checked."""
    as_json, as_csv = _formats(as_json, output_format)
    from provenance.scanning import resume as resuming
    from provenance.scanning.engine import ScanOptions, Walk, run
    from provenance.scanning.executors import parse_dask

    if (resume or append or force) and not output:
        flag = "--resume" if resume else "--append" if append else "--force"
        raise click.UsageError(f"{flag} needs --output (the file to {flag[2:]})")
    if sum((resume, append, force)) > 1:
        raise click.UsageError("use one of --force, --append and --resume")
    options = _build_options(
        trust_anchors,
        allow_network,
        max_frames,
        sample_fps,
        detectors,
        evidence_dir,
        depth,
        no_bundled_trust,
    )
    if timeout_s is not None:
        options.timeout_s = timeout_s or None
    if dask_spec:
        try:
            parse_dask(dask_spec)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--dask") from exc
    stamp = resuming.current_stamp(options)
    resumer = None
    # The walk is read as the checks need files: the first report comes while it goes on,
    # and no list of the paths is ever held (docs/performance.md, "Scanning parent memory").
    walk = Walk(paths, include, exclude, follow_outside, hidden)
    try:
        named = [os.fsdecode(p) for p in paths if not os.path.isdir(p)]
        walk.leave_out(check_outputs(output, html_path, named, walk.would_list))
        if options.evidence_dir:
            walk.leave_out([options.evidence_dir])
        if output and not (resume or append or force) and resuming.holds_reports(output):
            fail(
                f"--output {printable(output)} exists; --force replaces it, --append adds "
                "to it, --resume goes on from it"
            )
        files: Iterator = iter(walk)
        if resume:
            resumer = resuming.Resumer(output, stamp, fail_on, keep=bool(html_path))
            files = resumer.todo(files)
            _warn_bad_lines(output, resumer.bad_lines)
        elif append:
            resuming.repair_tail(output)
        first = next(files, None)  # as far as the first file to check
    except KeyboardInterrupt:
        _interrupted("interrupted while listing files; nothing was checked")
    except OSError as exc:
        fail(f"cannot read --output {printable(output)}: {exc.strerror or exc}")
    to_stderr = as_json or bool(as_csv)  # the summary stays off stdout when it is JSON/CSV
    skipped_before = resumer.skipped if resumer else 0
    if first is None and not skipped_before:
        if not quiet:
            click.echo(listing_text.nothing_to_scan(paths, walk.skipped), err=to_stderr)
        sys.exit(EXIT_CLEAN)
    if first is not None:
        files = itertools.chain([first], files)
    scan_options = ScanOptions(
        jobs=jobs,
        include=include,
        exclude=exclude,
        dask=dask_spec,
        check=options,
        memory_limit_mb=memory_limit_mb or None,
        thumbnails=bool(html_path),
    )
    show_progress = (sys.stderr.isatty() if progress is None else progress) and not quiet
    counts = render.new_counts()
    code = EXIT_CLEAN
    checked = 0
    listed = fail_on if fail_on != "never" else exit_codes.DEFAULT_FAIL_ON
    rows = []
    total: list[int] = []  # the number of files to check, once the walk has ended
    started = time.perf_counter()
    try:
        mode = "w" if force else "a"
        out = open(output, mode, encoding="utf-8") if output else None  # noqa: SIM115
    except OSError as exc:
        fail(f"cannot write --output {printable(output)}: {exc.strerror or exc}")
    try:
        with (
            render.evidence_for_html(options, html_path),
            render.html_page(options, html_path) as page,
            render.ScanProgress("Scanning") if show_progress else _Null() as bar,
        ):
            if options.evidence_dir:
                walk.leave_out([options.evidence_dir])  # also the temporary one of --html

            def add_skipped() -> None:
                """The stored reports of the files --resume skipped so far, onto the page
                in the walk's order (the walk runs ahead of the checks)."""
                if page and resumer:
                    for data in resumer.reports:
                        page.add(data)
                    resumer.reports.clear()

            def listed_all(n: int) -> None:
                total.append(n)
                bar.set_total(n)

            for report in run(files, scan_options, on_start=listed_all):
                checked += 1
                code = max(code, exit_codes.of_report(report, fail_on))
                render.count(counts, report)
                if report.status != "ok" or exit_codes.of_report(report, listed):
                    rows.append(listing_text.row(report))
                if page:
                    add_skipped()
                    page.add(report.to_dict())
                line = report.to_json()
                if out:
                    _write_line(out, line, output, checked)
                if as_csv:
                    as_csv.add(report)
                elif as_json:
                    _echo(line)
                bar.update(1)
            if as_csv:
                as_csv.finish()
            if page:
                add_skipped()
                _write_html(html_path, page, to_stderr, quiet)
    except KeyboardInterrupt:
        of = f" of {total[0]}" if total else ""
        _interrupted(
            f"interrupted after {checked}{of} file(s)"
            + ("; run again with --resume to go on" if output else "")
        )
    except RuntimeError as exc:  # e.g. --dask without the extra, or no scheduler there
        fail(printable(exc))
    finally:
        if out:
            with contextlib.suppress(OSError):
                out.close()
    if resumer:
        code = max(code, resumer.code)
    if not quiet:
        _summary(counts, rows, checked, walk, time.perf_counter() - started, to_stderr)
        if resumer and resumer.skipped:
            click.echo(
                f"Skipped {resumer.skipped} file(s) already in {printable(output)} (--resume)",
                err=to_stderr,
            )
        if resumer and resumer.outdated:
            click.echo(
                f"Checked {resumer.outdated} file(s) again: their stored report came from "
                "another tool version, data version or options",
                err=to_stderr,
            )
        if output:
            where = printable(os.path.abspath(output))
            click.echo(f"JSON Lines written to {where}", err=to_stderr)
    sys.exit(code)


def _summary(counts, rows, total: int, walk, elapsed: float, to_stderr: bool):
    """The counts table, then (unless stdout carries JSON Lines or CSV, whose rows already
    say it) the flagged and failed files, then what was skipped."""
    _echo(render.scan_summary(counts, total, elapsed), err=to_stderr)
    if rows and not to_stderr:
        _echo(listing_text.table(rows, total), err=to_stderr)
    skipped = listing_text.skipped(walk.skipped)
    if skipped:
        click.echo(skipped, err=to_stderr)


def _write_line(out, line: str, output: str, written: int) -> None:
    """One report line, flushed; a full disk or a vanished mount ends the scan with one
    line (the reports already written stay, and --resume goes on from them)."""
    try:
        out.write(line + "\n")
        out.flush()
    except OSError as exc:
        fail(
            f"cannot write --output {printable(output)}: {exc.strerror or exc} "
            f"({written - 1} report(s) written; free space and run again with --resume)"
        )


def _warn_bad_lines(output: str, bad: list[str]) -> None:
    """Stored lines that are not valid reports: named on stderr, skipped (their files are
    checked again), never fatal."""
    from provenance.scanning.stored import MAX_LINE_PROBLEMS

    for why in bad[:MAX_LINE_PROBLEMS]:
        click.echo(f"warning: {printable(output)} {printable(why)}; skipped", err=True)
    if len(bad) > MAX_LINE_PROBLEMS:
        click.echo(
            f"warning: {len(bad) - MAX_LINE_PROBLEMS} more line(s) of {printable(output)} "
            "are not valid reports; skipped",
            err=True,
        )


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n: int) -> None:
        pass

    def set_total(self, n: int) -> None:
        pass


def _register_commands() -> None:
    from provenance.cli.conformance import conformance

    cli.add_command(conformance)


_register_commands()


def main() -> None:
    entry = _entry_point()
    if entry:
        # Everything made so far (modules, classes, tables of the imports) lives until
        # exit: frozen, no collection walks it again. Measured: 40 ms of a 0.34 s check.
        gc.freeze()
    # Before any thread starts: the check's threads share malloc arenas, so memory the
    # decoder frees is reused by the OCR model (provenance/allocator.py).
    allocator.limit_arenas()
    try:
        _main()
    except SystemExit as stop:
        if not entry:
            raise
        _exit(stop.code)
    if entry:
        _exit(0)


def _entry_point() -> bool:
    """Whether this process is the ``provenance`` command itself (the console script, or
    ``python -m provenance.cli.main``), the only case where ``main`` may end the process
    without the interpreter's teardown: a program (or a test) calling ``main()`` gets an
    ordinary return or SystemExit."""
    top = sys.modules.get("__main__")
    spec = getattr(top, "__spec__", None)
    if spec is not None and spec.name == "provenance.cli.main":  # python -m
        return True
    return os.path.basename(getattr(top, "__file__", None) or "") == "provenance"


def _exit(code: str | int | None) -> None:
    """Exit without the interpreter's teardown of every module (~40-75 ms after a check,
    bench/run_all.py start-up row) once the command is done: output flushed, exit
    handlers run (multiprocessing's, tempfile's). Anything unusual (a message as the code,
    another thread still running, a flush that fails) takes the ordinary way out."""
    if code is None:
        code = 0
    if not isinstance(code, int) or any(
        t.is_alive() and not t.daemon
        for t in threading.enumerate()
        if t is not threading.current_thread()
    ):
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    atexit._run_exitfuncs()
    os._exit(code)


def _main() -> None:
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:  # Ctrl-C outside a command's own handling
        _interrupted("interrupted")
    except click.UsageError as exc:  # one line, as every other refusal
        hint = f" (see {exc.ctx.command_path} --help)" if exc.ctx else ""
        click.echo(f"error: {exc.format_message()}{hint}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except Exception:  # a bug: loud, and never exit 1, which reads as "findings"
        traceback.print_exc()
        click.echo(
            "error: internal error (a bug in provenance); please report it with the lines "
            "above and the output of `provenance --version`",
            err=True,
        )
        sys.exit(EXIT_ERROR)


if __name__ == "__main__":
    main()
