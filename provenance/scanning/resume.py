"""Resuming an interrupted scan from its JSON Lines output.

A file is done when the output already holds a report for the same path, size and
modification time, made by the same tool version, data version and result-changing options
(the report's ``tool_version``, ``data_version`` and ``options``); a changed file (new size
or mtime) or a report made otherwise (a metadata-only pass resumed with every detector, an
upgraded tool or generator table) is checked again, and its new report appended: the last
report of a path is the one that counts. Paths are compared absolute, so resume from the
folder the scan was started in.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from provenance.scanning import exit_codes

if TYPE_CHECKING:
    from provenance.options import CheckOptions

Key = tuple[str, int | None, float | None]
TAIL_BLOCK = 64 * 1024
REPORT_START = b'{"schema": "'  # how every line Report.to_json writes begins
HEAD_BYTES = 1024 * 1024  # bytes read to decide whether a file holds our JSON Lines


def holds_reports(output: str) -> bool | None:
    """Whether ``output`` is our JSON Lines: None when it does not exist or is empty, False
    when it is not a regular file or its first line is not one of our reports (an image, a
    video, notes), True otherwise. Nothing is ever appended to, or cut from, a file that is
    False. (Only the first line is looked at: a damaged report further on is for the
    reader, ``stored.read``, to skip.)"""
    try:
        st = os.stat(output)
    except FileNotFoundError:
        return None
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode):
        return False
    if st.st_size == 0:
        return None
    with open(output, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head.startswith(REPORT_START):
        return False
    first, newline, _ = head.partition(b"\n")
    if not newline:
        return True  # one half-written line (killed mid-write), or a line past 1 MiB
    try:
        data = json.loads(first)
    except (ValueError, RecursionError):
        return False
    return isinstance(data, dict) and "schema" in data and "path" in data


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
    JSON, a hand edit): such lines are skipped, so their files are checked again."""
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
        raise ValueError("not a report: its path or mtime cannot be used") from exc


def exit_code_of(data: dict, fail_on: str = exit_codes.DEFAULT_FAIL_ON) -> int:
    """The exit code of a stored report under a ``--fail-on`` threshold."""
    return exit_codes.of_stored(data, fail_on)


def repair_tail(output: str) -> None:
    """Cut a half-written last line (the scan was killed mid-write) so that appended
    lines start on a line of their own. Touches only the scan's own output file: a file
    that does not hold our JSON Lines (``holds_reports``) is never cut."""
    if not holds_reports(output):
        return
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


def load(output: str, problems: list[str] | None = None) -> dict[Key, dict]:
    """Reports already in ``output`` by key. Lines that are not valid reports (checked
    against the report schema, ``stored.problem``) are skipped, so their files are checked
    again, and named in ``problems``."""
    from provenance.scanning import stored

    done: dict[Key, dict] = {}
    try:
        lines = stored.read(output)
        for data, why in lines:
            if data is not None:
                try:
                    done[report_key(data)] = data
                    continue
                except ValueError as exc:
                    why = str(exc)
            if problems is not None:
                problems.append(why or "not a report")
    except FileNotFoundError:
        return done
    return done


# ------------------------------------------------------------------ what made a report

STAMP_FIELDS = ("tool_version", "data_version", "options")


def current_stamp(opts: CheckOptions) -> dict[str, Any]:
    """``tool_version``, ``data_version`` and ``options`` as this run's reports carry them
    (``model/stamp.py``, docs/report.md): what a stored report must match to be reused."""
    from provenance.model import stamp

    return {
        "tool_version": stamp.tool_version(),
        "data_version": stamp.data_version(),
        "options": stamp.options_record(opts),
    }


def same_making(data: dict, stamp: dict[str, Any]) -> bool:
    """Whether a stored report was made the way this run would make it."""
    return all(data.get(name) == stamp[name] for name in STAMP_FIELDS)


@dataclass
class ResumePlan:
    """What ``--resume`` makes of a list of files: those still to check, the reports kept."""

    todo: list[str] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # stored reports of skipped files
    bad_lines: list[str] = field(default_factory=list)  # "line N: why", skipped
    outdated: int = 0  # files whose stored report was made otherwise: checked again


def plan(files: Iterable[str], output: str, stamp: dict[str, Any] | None = None) -> ResumePlan:
    """Split ``files`` into those still to check and those ``output`` already has (made
    the same way, when ``stamp`` is given), all at once (a scan streams ``Resumer.todo``)."""
    resumer = Resumer(output, stamp, keep=True)
    todo = list(resumer.todo(files))
    return ResumePlan(todo, resumer.reports, resumer.bad_lines, resumer.outdated)


T = TypeVar("T")
_OUTDATED = -1  # a stored report made otherwise (tool, data or options): check again


def _compact(key: Key) -> bytes:
    """16 bytes for a key (a stored report's path, size and mtime)."""
    return hashlib.blake2b(repr(key).encode("utf-8", "backslashreplace"), digest_size=16).digest()


class Resumer:
    """``--resume`` over a stream of files (a ``Walk``): ``output``'s reports are read once
    (``load`` rules: bad lines are named in ``bad_lines`` and their files checked again),
    then ``todo`` skips, as the walk finds them, the files they cover. Memory per stored
    report: a 16-byte digest of its key and its exit code under ``fail_on`` (about 100
    bytes), plus the report itself only when ``keep`` asks (for ``--html``, which shows the
    skipped files too: ``reports``)."""

    def __init__(
        self,
        output: str,
        stamp: dict[str, Any] | None = None,
        fail_on: str = exit_codes.DEFAULT_FAIL_ON,
        keep: bool = False,
    ):
        from provenance.scanning import stored

        repair_tail(output)
        self.bad_lines: list[str] = []
        self.skipped = 0  # files skipped: their stored report stands
        self.outdated = 0  # files whose stored report was made otherwise: checked again
        self.code = exit_codes.EXIT_CLEAN  # the highest exit code of the skipped reports
        self.reports: list[dict] = []  # the skipped files' stored reports, when ``keep``
        self._keep = keep
        self._done: dict[bytes, Any] = {}  # key digest -> exit code (and report, if kept)
        try:
            for data, why in stored.read(output):
                if data is not None:
                    try:
                        key = _compact(report_key(data))
                    except ValueError as exc:
                        why = str(exc)
                    else:
                        made_here = stamp is None or same_making(data, stamp)
                        code = exit_codes.of_stored(data, fail_on) if made_here else _OUTDATED
                        self._done[key] = (code, data) if keep else code
                        continue
                self.bad_lines.append(why or "not a report")
        except FileNotFoundError:
            pass

    def todo(self, files: Iterable[T]) -> Iterator[T]:
        """The files of ``files`` (paths, or items with a ``path``) still to check."""
        for item in files:
            path: Any = getattr(item, "path", item)  # an Input, or a path
            entry = self._done.get(_compact(file_key(os.fsdecode(path))))
            if entry is None:
                yield item
                continue
            code, data = entry if self._keep else (entry, None)
            if code == _OUTDATED:
                self.outdated += 1
                yield item
                continue
            self.skipped += 1
            self.code = max(self.code, code)
            if data is not None:
                self.reports.append(data)
