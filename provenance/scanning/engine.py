"""Batch scanning: walk paths, check files in parallel, stream reports as they finish.

Every input yields exactly one report, in completion order. A worker that crashes or
a file that hangs past ``CheckOptions.timeout_s`` costs that file an error report, not
the scan. Engines: this process (jobs=1 without a time limit), a local pool of worker
processes (``executors.LocalPool``), any ``concurrent.futures.Executor``, or a Dask
cluster (``dask="tcp://host:8786"`` or ``"local:N"``). Workers open files by path, so
remote workers need the same paths on shared storage (see docs/scanning.md).
"""

from __future__ import annotations

import copy
import fnmatch
import hashlib
import os
import shutil
import stat
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from provenance.evidence_images import evidence_folder
from provenance.model.report import FileFacts, Report
from provenance.options import CheckOptions
from provenance.pipeline import check
from provenance.scanning.executors import (
    WORKER_DIED,
    LocalPool,
    check_task,
    dask_executor,
    error_report,
    provenance_env,
)

# Files in flight per worker when there is no time limit (a deadline runs from
# submission, so with a limit only as many files as workers are in flight).
IN_FLIGHT_PER_WORKER = 4
HASH_CHUNK = 1 << 20


@dataclass
class ScanOptions:
    jobs: int | None = None  # worker processes; None = CPU count
    include: tuple[str, ...] = ()  # globs a file must match (name or relative path)
    exclude: tuple[str, ...] = ()  # globs that skip a file or a whole folder
    executor: Executor | None = None  # any concurrent.futures.Executor to run checks on
    dask: str | None = None  # scheduler address, or "local" / "local:N" for a LocalCluster
    dedupe: bool = True  # analyse identical files once, report each path
    check: CheckOptions = field(default_factory=CheckOptions)


def _matches(rel: str, name: str, globs: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in globs)


def iter_files(
    paths: Iterable[str | os.PathLike], include: Iterable[str] = (), exclude: Iterable[str] = ()
) -> Iterator[str]:
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


# --------------------------------------------------------------------------- duplicates


def _digest(path: str, size: int | None = None) -> str | None:
    """SHA-256 of the first ``size`` bytes (the size when the file was listed: a file that
    keeps growing during the scan must not keep the hashing going)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            left = os.fstat(fh.fileno()).st_size if size is None else size
            while left > 0 and (chunk := fh.read(min(HASH_CHUNK, left))):
                h.update(chunk)
                left -= len(chunk)
    except OSError:
        return None
    return h.hexdigest()


def _sidecar_digest(path: str) -> str | None:
    from provenance.readers.credentials.reader import sidecar_for

    side = sidecar_for(path)
    return _digest(str(side)) if side else None


def find_duplicates(files: list[str]) -> dict[str, str]:
    """Duplicate path → the first path with the same content. Only regular files that
    share a size are hashed (never a FIFO or device: reading one could block). The
    extension and any sidecar manifest are part of the key, since both change the
    analysis of identical bytes."""
    by_size: dict[int, list[str]] = defaultdict(list)
    for path in files:
        try:
            st = os.stat(path)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            by_size[st.st_size].append(path)
    duplicates: dict[str, str] = {}
    for size, group in by_size.items():
        if len(group) < 2:
            continue
        first: dict[tuple, str] = {}
        for path in group:
            digest = _digest(path, size)
            if digest is None:
                continue
            key = (digest, Path(path).suffix.lower(), _sidecar_digest(path))
            if key in first:
                duplicates[path] = first[key]
            else:
                first[key] = path
    return duplicates


def _report_for_copy(report: Report, path: str, evidence_dir: str | None) -> Report:
    """The report of an identical file, re-addressed to ``path`` (no second analysis)."""
    twin = copy.deepcopy(report)
    twin.path = path
    twin.elapsed_s = 0.0
    try:
        st = os.stat(path)
        twin.file = FileFacts(size_bytes=st.st_size, mtime=st.st_mtime)
    except OSError:
        pass
    if twin.status != "ok":
        twin.fail(twin.error or "")  # the summary names this path's file
    if evidence_dir:
        src = evidence_folder(evidence_dir, report.path)
        dst = evidence_folder(evidence_dir, path)
        if src.is_dir() and src != dst and not dst.exists():
            shutil.copytree(src, dst)
    return twin


# ------------------------------------------------------------------------------ engines


def run(
    files: Iterable[str], options: ScanOptions, on_start: Callable[[int], None] | None = None
) -> Iterator[Report]:
    """Check ``files`` and yield one report per file as each finishes."""
    files = list(files)
    duplicates = find_duplicates(files) if options.dedupe else {}
    twins: dict[str, list[str]] = defaultdict(list)
    for dup, original in duplicates.items():
        twins[original].append(dup)
    unique = [f for f in files if f not in duplicates]
    if on_start:
        on_start(len(files))
    for report in _engine(unique, options):
        yield report
        for path in twins.get(report.path, ()):
            yield _report_for_copy(report, path, options.check.evidence_dir)


def _engine(files: list[str], options: ScanOptions) -> Iterator[Report]:
    jobs = options.jobs or os.cpu_count() or 1
    timeout = options.check.timeout_s
    if not files:
        return
    if options.dask:
        with dask_executor(options.dask) as executor:
            yield from _run_executor(files, options.check, executor, executor.slots)
    elif options.executor is not None:
        yield from _run_executor(files, options.check, options.executor, jobs)
    elif jobs <= 1 and not timeout:
        for path in files:
            yield check(path, options.check)
    else:
        # Also for jobs=1 with a time limit: only a separate process can be stopped.
        yield from LocalPool(min(jobs, max(1, len(files))), timeout).run(iter(files), options.check)


def _outcome(future: Future, path: str) -> Report:
    try:
        return future.result()
    except (BrokenProcessPool, CancelledError):
        return error_report(path, WORKER_DIED)
    except Exception as exc:
        if type(exc).__name__ == "KilledWorker":  # Dask gave up after worker deaths
            return error_report(path, WORKER_DIED)
        return error_report(path, f"internal error: {type(exc).__name__}: {exc}")


def _run_executor(
    files: list[str], options: CheckOptions, executor: Executor, workers: int
) -> Iterator[Report]:
    """Run on any Executor; past its deadline a file gets an error report and, when the
    executor can (``abandon``), its worker is reclaimed. An executor that cannot reclaim
    loses that worker, so fewer files are kept in flight to keep deadlines fair."""
    timeout = options.timeout_s
    slots = max(1, workers) * (1 if timeout else IN_FLIGHT_PER_WORKER)
    abandon = getattr(executor, "abandon", None)
    env = provenance_env()
    pending: dict[Future, tuple[str, float]] = {}
    todo = iter(files)
    exhausted = False
    while True:
        while not exhausted and len(pending) < slots:
            path = next(todo, None)
            if path is None:
                exhausted = True
                break
            try:
                future = executor.submit(check_task, path, options, env)
            except Exception as exc:  # a broken or shut-down executor
                yield error_report(path, f"could not start the check: {exc}")
                continue
            pending[future] = (path, time.monotonic() + timeout if timeout else float("inf"))
        if not pending:
            return
        nearest = min(deadline for _, deadline in pending.values()) - time.monotonic()
        done, _ = wait(
            pending,
            return_when=FIRST_COMPLETED,
            timeout=None if nearest == float("inf") else max(0.0, nearest),
        )
        for future in done:
            yield _outcome(future, pending.pop(future)[0])
        now = time.monotonic()
        for future, (path, deadline) in list(pending.items()):
            if now < deadline or future.done():
                continue
            del pending[future]
            future.cancel()
            if abandon:
                abandon(future)
            else:
                slots = max(1, slots - 1)
            yield error_report(path, f"timed out after {timeout:g} s")


def scan(
    paths,
    options: CheckOptions | None = None,
    *,
    jobs: int | None = None,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    executor: Executor | None = None,
    dask: str | None = None,
    dedupe: bool = True,
    **kwargs,
) -> Iterator[Report]:
    """Reports for every file under ``paths``; ``dask`` / ``executor`` pick the engine."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    check_options = options if options is not None else CheckOptions.from_kwargs(**kwargs)
    scan_options = ScanOptions(
        jobs=jobs,
        include=tuple(include),
        exclude=tuple(exclude),
        executor=executor,
        dask=dask,
        dedupe=dedupe,
        check=check_options,
    )
    return run(iter_files(paths, include, exclude), scan_options)
