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
import tempfile
from collections.abc import Callable

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


def _ours(flag: str, path: str, real: str) -> bool | None:
    """True: this tool's output; None: nothing there yet; False: something else."""
    from provenance.formatters import html
    from provenance.scanning import resume

    if flag == "--output":
        return resume.holds_reports(path)
    if not os.path.lexists(real):
        return None
    try:
        html.output_target(path)
    except html.UnsafeOutput:
        return False
    return True if os.path.getsize(real) else None


def _writable(flag: str, path: str, real: str) -> None:
    """Fail now, not after the work is done, when the output cannot be written: a file
    is created in its folder and removed (permissions, a read-only or full file system),
    and an existing output is opened for appending (which changes nothing)."""
    folder = os.path.dirname(os.path.abspath(real))
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".provenance-", suffix=".tmp"):
            pass
        if os.path.isfile(real):
            with open(real, "ab"):
                pass
    except OSError as exc:
        fail(f"cannot write {flag} {printable(path)}: {exc.strerror or exc}")


def _html_target(path: str) -> None:
    from provenance.formatters import html

    try:
        html.output_target(path)
    except html.UnsafeOutput as exc:
        fail(f"--html {exc}")


def check_outputs(
    output: str | None,
    html_path: str | None,
    named: list[str],
    walked: Callable[[str], bool] | None = None,
) -> set[str]:
    """Refuse unsafe outputs (see the module docstring), before anything is read: an
    output that is one of the ``named`` files, or that the walk would list (``walked``,
    ``engine.Walk.would_list``) and is not ours. Return the output paths the walk must
    leave out: our own output found inside a scanned folder, and an output not written
    yet, which the walk, reading folders while the scan writes, must not find either."""
    from provenance.scanning.paths import path_key

    named_keys = {path_key(p) for p in named}
    leave_out: set[str] = set()
    targets: list[str] = []
    for flag, path in (("--output", output), ("--html", html_path)):
        if not path:
            continue
        _folder_exists(path, flag)
        real = os.path.realpath(path)
        targets.append(real)
        ours = _ours(flag, path, real)
        for candidate in dict.fromkeys((path, real)):
            found = walked is not None and walked(candidate)
            if path_key(candidate) in named_keys or (found and not ours):
                fail(f"{flag} {printable(path)} is one of the files being checked; refusing")
        leave_out.update((path, real))
        if ours is False:
            if flag == "--output":
                kind = "is not a regular file"
                if os.path.isfile(real):
                    kind = "does not hold provenance JSON Lines (its first line is not a report)"
                fail(f"--output {printable(path)} {kind}; refusing to write into it")
            _html_target(path)
        _writable(flag, path, real)
    if len(targets) == 2 and targets[0] == targets[1]:
        fail("--output and --html name the same file")
    return leave_out
