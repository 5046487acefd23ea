"""Resuming an interrupted scan from its JSON Lines output.

A file is done when the output already holds a report for the same path, size and
modification time; a changed file (new size or mtime) is checked again. Paths are
compared absolute, so resume from the folder the scan was started in.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from provenance.model.report import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS

Key = tuple[str, int | None, float | None]
TAIL_BLOCK = 64 * 1024


def file_key(path: str) -> Key:
    """(absolute path, size, mtime rounded as reports store it); no stat → Nones."""
    absolute = os.path.normpath(os.path.abspath(path))
    try:
        st = os.stat(path)
    except OSError:
        return absolute, None, None
    return absolute, st.st_size, round(st.st_mtime, 6)


def report_key(data: dict) -> Key:
    """Key of a stored report; ValueError when the line is not a report (another tool's
    JSON, a hand edit): such lines are ignored, so their files are checked again."""
    if not isinstance(data, dict) or not isinstance(data.get("path"), str):
        raise ValueError("not a report")
    facts = data.get("file")
    facts = facts if isinstance(facts, dict) else {}
    size, mtime = facts.get("size_bytes"), facts.get("mtime")
    if not isinstance(size, int) or isinstance(size, bool):
        size = None
    if not isinstance(mtime, (int, float)) or isinstance(mtime, bool) or mtime != mtime:
        mtime = None
    try:
        path = os.path.normpath(os.path.abspath(data["path"]))
        return path, size, None if mtime is None else round(float(mtime), 6)
    except (ValueError, OverflowError) as exc:  # NUL in the path, infinite mtime
        raise ValueError("not a report") from exc


def exit_code_of(data: dict) -> int:
    """The exit code of a stored report, as ``Report.exit_code`` decides it."""
    if not isinstance(data, dict) or data.get("status") != "ok":
        return EXIT_ERROR
    v = data.get("verdict")
    v = v if isinstance(v, dict) else {}
    flagged = ("yes", "likely")
    return (
        EXIT_FINDINGS
        if (v.get("ai_generated") in flagged or v.get("marks_stripped") in flagged)
        else EXIT_CLEAN
    )


def repair_tail(output: str) -> None:
    """Cut a half-written last line (the scan was killed mid-write) so that appended
    lines start on a line of their own. Touches only the scan's own output file."""
    try:
        with open(output, "rb+") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            if size == 0:
                return
            fh.seek(size - 1)
            if fh.read(1) == b"\n":
                return
            # Backwards in blocks: the output of a large scan need not fit in memory.
            end = size
            while end > 0:
                start = max(0, end - TAIL_BLOCK)
                fh.seek(start)
                at = fh.read(end - start).rfind(b"\n")
                if at >= 0:
                    fh.truncate(start + at + 1)
                    return
                end = start
            fh.truncate(0)
    except FileNotFoundError:
        return


def load(output: str) -> dict[Key, dict]:
    """Reports already in ``output`` by key; unreadable lines are ignored."""
    done: dict[Key, dict] = {}
    try:
        fh = open(output, encoding="utf-8", errors="replace")  # noqa: SIM115
    except FileNotFoundError:
        return done
    with fh:
        for line in fh:
            try:
                data = json.loads(line)
                done[report_key(data)] = data
            except (ValueError, KeyError, TypeError, RecursionError):
                continue
    return done


@dataclass
class ResumePlan:
    todo: list[str] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # stored reports of skipped files


def plan(files: Iterable[str], output: str) -> ResumePlan:
    """Split ``files`` into those still to check and those ``output`` already has."""
    repair_tail(output)
    done = load(output)
    result = ResumePlan()
    for path in files:
        stored = done.get(file_key(path))
        if stored is None:
            result.todo.append(path)
        else:
            result.skipped.append(stored)
    return result
