"""The command line's output files (``--output``, ``--html``): checked before the scan
starts, so that an output path never destroys what it names and a mistake costs one line.

Refused, with ``error: ...`` and exit code 2: an output whose folder does not exist; an
output that is one of the files being scanned (``-o input.jpg``), unless it is this
tool's own output found inside a scanned folder, which is then left out of the scan; an
``--output`` that is not a regular file (a FIFO, a device) or whose first line is not one
of our reports (it is appended to, and ``--resume`` cuts its half-written last line); an
``--html`` that is not a regular file or not a page we wrote (it is replaced). A symbolic
link is written through: its target is appended to or replaced, the link stays.
"""

from __future__ import annotations

import os
import sys

import click

from provenance.formatters.printable import printable
from provenance.model.report import EXIT_ERROR


def fail(message: str) -> None:
    """End the command with one line on stderr and exit code 2 (2: could not analyse)."""
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _folder_exists(path: str, flag: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        fail(f"the folder of {flag} {printable(path)} does not exist ({printable(folder)})")


def check_outputs(
    output: str | None,
    html_path: str | None,
    inputs: list[str],
    named: list[str],
) -> set[str]:
    """Refuse unsafe outputs (see the module docstring); return the input paths that are
    our own outputs found inside a scanned folder, to leave out of the scan."""
    from provenance.formatters import html
    from provenance.scanning import resume
    from provenance.scanning.engine import path_key

    keys = {path_key(p): p for p in inputs}
    named_keys = {path_key(p) for p in named}
    leave_out: set[str] = set()
    targets: list[str] = []
    for flag, path in (("--output", output), ("--html", html_path)):
        if not path:
            continue
        _folder_exists(path, flag)
        real = os.path.realpath(path)
        targets.append(real)
        if flag == "--output":
            ours = resume.holds_reports(path)
            if ours is False:
                kind = "is not a regular file" if os.path.exists(real) else "cannot be read"
                if os.path.isfile(real):
                    kind = "does not hold provenance JSON Lines (its first line is not a report)"
                fail(f"--output {printable(path)} {kind}; refusing to write into it")
        else:
            try:
                html.output_target(path)
            except html.UnsafeOutput as exc:
                fail(f"--html {exc}")
            ours = os.path.isfile(real) or None
        for key in {path_key(path), path_key(real)}:
            if key not in keys:
                continue
            if ours and key not in named_keys:
                leave_out.add(keys[key])  # our own output inside a scanned folder
            else:
                fail(f"{flag} {printable(path)} is one of the files being checked; refusing")
    if len(targets) == 2 and targets[0] == targets[1]:
        fail("--output and --html name the same file")
    return leave_out
