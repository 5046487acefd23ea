"""Batch scanning: walk paths, check files in parallel worker processes, stream reports.

Every input yields exactly one report, in completion order. A worker that
crashes on a file costs that file an error report, not the scan: the pool is
rebuilt and the remaining files go on.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from .checker import check
from .options import CheckOptions
from .report import Report

# Files in flight per worker: enough to keep workers busy, bounded for huge scans.
IN_FLIGHT_PER_WORKER = 4


@dataclass
class ScanOptions:
    jobs: int | None = None  # worker processes; None = CPU count; 1 = in this process
    include: tuple[str, ...] = ()  # globs a file must match (name or relative path)
    exclude: tuple[str, ...] = ()  # globs that skip a file or a whole folder
    executor: Executor | None = None  # any concurrent.futures.Executor to run checks on
    check: CheckOptions = field(default_factory=CheckOptions)


def _matches(rel: str, name: str, globs: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in globs)


def iter_files(paths: Iterable[str | os.PathLike], include: Iterable[str] = (),
               exclude: Iterable[str] = ()) -> Iterator[str]:
    """Files under ``paths`` in a stable order. Symlinked folders are followed once each
    (a loop is cut where it closes); a broken link is still yielded, to be reported."""
    include, exclude = tuple(include), tuple(exclude)
    for top in paths:
        top = os.fsdecode(top)
        if not os.path.isdir(top):
            name = os.path.basename(top)
            if not _matches(top, name, exclude) and (not include or _matches(top, name, include)):
                yield top
            continue
        seen: set[tuple[int, int]] = set()
        yield from _walk(top, top, include, exclude, seen)


def _walk(top: str, folder: str, include, exclude, seen) -> Iterator[str]:
    try:
        st = os.stat(folder)
    except OSError:
        return
    key = (st.st_dev, st.st_ino)
    if key in seen:
        return  # symlink loop or a folder reached twice
    seen.add(key)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        yield folder  # unreadable folder: reported as one error
        return
    for entry in entries:
        rel = os.path.relpath(entry.path, top)
        if _matches(rel, entry.name, exclude):
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=True)
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(top, entry.path, include, exclude, seen)
        elif not include or _matches(rel, entry.name, include):
            yield entry.path


def _check_in_worker(path: str, options: CheckOptions) -> Report:
    return check(path, options)


def _crashed(path: str, why: str) -> Report:
    report = Report(path=path, status="error", error=why)
    report.verdict.summary = f"Could not analyse {Path(path).name}: {why}."
    return report


def _isolated(path: str, options: CheckOptions) -> Report:
    with ProcessPoolExecutor(max_workers=1) as solo:
        try:
            return solo.submit(_check_in_worker, path, options).result()
        except BrokenProcessPool:
            return _crashed(path, "the worker process died while analysing this file")


def run(files: Iterable[str], options: ScanOptions,
        on_start: Callable[[int], None] | None = None) -> Iterator[Report]:
    """Check ``files`` and yield reports as they finish."""
    jobs = options.jobs or os.cpu_count() or 1
    if options.executor is None and jobs <= 1:
        for path in files:
            yield check(path, options.check)
        return
    yield from _run_pool(iter(files), options, jobs)


def _run_pool(files: Iterator[str], options: ScanOptions, jobs: int) -> Iterator[Report]:
    own = options.executor is None
    executor = options.executor or ProcessPoolExecutor(max_workers=jobs)
    pending: dict[Future, str] = {}
    limit = jobs * IN_FLIGHT_PER_WORKER
    exhausted = False
    try:
        while True:
            while not exhausted and len(pending) < limit:
                path = next(files, None)
                if path is None:
                    exhausted = True
                    break
                try:
                    pending[executor.submit(_check_in_worker, path, options.check)] = path
                except BrokenProcessPool:
                    if not own:
                        raise
                    executor = ProcessPoolExecutor(max_workers=jobs)
                    pending[executor.submit(_check_in_worker, path, options.check)] = path
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            suspects: list[str] = []
            for future in done:
                path = pending.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool:
                    suspects.append(path)
                except Exception as exc:  # defensive: check() itself never raises
                    yield _crashed(path, f"internal error: {type(exc).__name__}: {exc}")
            if suspects:
                if not own:
                    for path in suspects:
                        yield _crashed(path, "the worker process died while analysing this file")
                    continue
                # A broken pool fails every future in it; rerun each alone to find the culprit.
                suspects += pending.values()
                pending.clear()
                executor.shutdown(wait=False, cancel_futures=True)
                for path in suspects:
                    yield _isolated(path, options.check)
                executor = ProcessPoolExecutor(max_workers=jobs)
    finally:
        if own:
            executor.shutdown(wait=True, cancel_futures=True)


def scan(paths, options: CheckOptions | None = None, *, jobs: int | None = None,
         include: Iterable[str] = (), exclude: Iterable[str] = (),
         executor: Executor | None = None, **kwargs) -> Iterator[Report]:
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    check_options = options if options is not None else CheckOptions.from_kwargs(**kwargs)
    scan_options = ScanOptions(jobs=jobs, include=tuple(include), exclude=tuple(exclude),
                               executor=executor, check=check_options)
    return run(iter_files(paths, include, exclude), scan_options)
