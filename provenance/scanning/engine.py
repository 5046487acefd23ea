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
import errno
import os
import shutil
import stat
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from provenance.evidence_images import evidence_folder
from provenance.model.report import FileFacts, Report
from provenance.model.stamp import file_sha256
from provenance.options import CheckOptions
from provenance.scanning import selection
from provenance.scanning.executors import (
    DEFAULT_MEMORY_LIMIT_MB,
    WORKER_DIED,
    LocalPool,
    TaskSettings,
    check_task,
    dask_executor,
    error_report,
)

# Files in flight per worker: a worker never waits for the round trip of its next file
# (Dask's scheduler and result transfer cost milliseconds a file; most files take tens).
IN_FLIGHT_PER_WORKER = 4


@dataclass
class ScanOptions:
    jobs: int | None = None  # worker processes; None = CPU count
    include: tuple[str, ...] = ()  # globs a file must match (name or relative path)
    exclude: tuple[str, ...] = ()  # globs that skip a file or a whole folder
    executor: Executor | None = None  # any concurrent.futures.Executor to run checks on
    dask: str | None = None  # scheduler address, or "local" / "local:N" for a LocalCluster
    dedupe: bool = True  # analyse identical files once, report each path
    check: CheckOptions = field(default_factory=CheckOptions)
    memory_limit_mb: int | None = DEFAULT_MEMORY_LIMIT_MB  # per worker process; None: none
    thumbnails: bool = False  # workers write previews into the evidence folder (--html)

    def settings(self) -> TaskSettings:
        return TaskSettings(memory_limit_mb=self.memory_limit_mb, thumbnails=self.thumbnails)


_matches = selection.matches


def path_key(path: str) -> str:
    """One spelling per path (``dir/a.jpg``, ``./dir/a.jpg``, ``dir//a.jpg``): a path named
    twice, or found again under a folder named too, is one input."""
    return os.path.normpath(os.path.abspath(path))


@dataclass
class Listing:
    """What a scan was given: every input path once, in a stable order, and for some of
    them why they get an error report unopened, or the real file a link led to; and how
    many folder entries were left out, by reason (``selection``: not media, hidden,
    sidecar manifest)."""

    paths: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # path -> reason (never opened)
    links: dict[str, str] = field(default_factory=dict)  # path -> real path behind a link
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> folder entries
    _keys: set[str] = field(default_factory=set, repr=False)

    def add(self, path: str, refused: str | None = None, real: str | None = None) -> None:
        key = path_key(path)
        if key in self._keys:
            return
        self._keys.add(key)
        self.paths.append(path)
        if refused:
            self.refused[path] = refused
        if real:
            self.links[path] = real


def _inside(real: str, roots: list[str]) -> bool:
    return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _too_long(exc: OSError, path: str) -> str | None:
    if exc.errno != errno.ENAMETOOLONG:
        return None
    return (
        f"path is {len(os.fsencode(path)):,} bytes, longer than the system allows "
        "(PATH_MAX or NAME_MAX): it cannot be opened"
    )


def list_inputs(
    paths: Iterable[str | os.PathLike],
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    follow_outside: bool = False,
    hidden: bool = False,
) -> Listing:
    """Files under ``paths``. Symlinked folders are followed once each (a loop is cut where
    it closes); a broken link is still listed, to be reported. A link inside a scanned
    folder whose target lies outside every scanned folder is not followed unless
    ``follow_outside``: it gets an error report, so a link planted in an upload folder
    cannot pull a host file into the scan. Inside folders, entries that are not media,
    hidden entries (unless ``hidden``) and C2PA sidecars of an asset beside them are left
    out and counted (``selection``). Files named on the command line are taken as named.
    Globs ignore case."""
    include, exclude = tuple(include), tuple(exclude)
    tops = [os.fsdecode(t) for t in paths]
    roots = [os.path.realpath(t) for t in tops if os.path.isdir(t)]
    listing = Listing()
    for top in tops:
        if not os.path.isdir(top):
            name = os.path.basename(top)
            if not _matches(top, name, exclude) and (not include or _matches(top, name, include)):
                real = os.path.realpath(top) if os.path.islink(top) else None
                listing.add(top, real=real)
            continue
        walk = _Walk(top, include, exclude, roots, follow_outside, listing, hidden)
        walk.folder(top, linked=False)
    return listing


def iter_files(
    paths: Iterable[str | os.PathLike],
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    follow_outside: bool = False,
    hidden: bool = False,
) -> Iterator[str]:
    """Every input path of ``list_inputs``, in order (refused ones included)."""
    yield from list_inputs(paths, include, exclude, follow_outside, hidden).paths


@dataclass
class _Walk:
    top: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    roots: list[str]
    follow_outside: bool
    listing: Listing
    hidden: bool = False  # also walk entries whose name starts with "."
    seen: set[tuple[int, int]] = field(default_factory=set)

    def folder(self, folder: str, linked: bool) -> None:
        try:
            st = os.stat(folder)
        except OSError as exc:
            self.listing.add(folder, refused=_too_long(exc, folder))
            return
        key = (st.st_dev, st.st_ino)
        if key in self.seen:
            return  # symlink loop or a folder reached twice
        self.seen.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            self.listing.add(folder, refused=_too_long(exc, folder))  # one error report
            return
        owned = selection.sidecars_owned(e.name for e in entries)
        for entry in entries:
            if entry.name in owned:
                self.listing.skipped[selection.SIDECAR] += 1
                continue
            self.entry(entry, linked)

    def entry(self, entry: os.DirEntry, linked: bool) -> None:
        rel = os.path.relpath(entry.path, self.top)
        if _matches(rel, entry.name, self.exclude):
            return
        if not self.hidden and selection.is_hidden(entry.name):
            self.listing.skipped[selection.HIDDEN] += 1
            return
        is_link = entry.is_symlink()
        real = os.path.realpath(entry.path) if is_link or linked else None
        if is_link and real and not self.follow_outside and not _inside(real, self.roots):
            self.listing.add(
                entry.path,
                refused=f"symbolic link to {real}, outside the scanned folders: not followed "
                "(--follow-outside follows such links)",
                real=real,
            )
            return
        try:
            is_dir = entry.is_dir(follow_symlinks=True)
        except OSError as exc:
            if _too_long(exc, entry.path):
                self.listing.add(entry.path, refused=_too_long(exc, entry.path))
                return
            is_dir = False
        if is_dir:
            self.folder(entry.path, linked or is_link)
        elif not self.include or _matches(rel, entry.name, self.include):
            decision = selection.media_decision(entry.path, entry.name)
            if decision.keep:
                self.listing.add(entry.path, real=real)
            else:
                self.listing.skipped[decision.reason or selection.NOT_MEDIA] += 1


# --------------------------------------------------------------------------- duplicates


def _digest(path: str, size: int | None = None) -> str | None:
    """SHA-256 of the first ``size`` bytes (the size when the file was listed: a file that
    keeps growing during the scan must not keep the hashing going)."""
    return file_sha256(path, size)


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
            digest = _digest(path, size)  # None when unreadable: checked on its own
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
    twin.duplicate_of = report.path
    try:
        st = os.stat(path)
        twin.file = FileFacts(size_bytes=st.st_size, mtime=st.st_mtime, sha256=report.file.sha256)
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
    files: Iterable[str],
    options: ScanOptions,
    on_start: Callable[[int], None] | None = None,
    listing: Listing | None = None,
) -> Iterator[Report]:
    """Check ``files`` and yield one report per distinct path as each finishes. With the
    ``listing`` the files came from, its refused paths get their error report unopened and
    files reached through a link say so (``file.real_path``)."""
    unique = Listing()
    for path in files:
        unique.add(os.fsdecode(path))
    files = unique.paths
    refused = listing.refused if listing else {}
    links = listing.links if listing else {}
    checked = [f for f in files if f not in refused]
    duplicates = find_duplicates(checked) if options.dedupe else {}
    twins: dict[str, list[str]] = defaultdict(list)
    for dup, original in duplicates.items():
        twins[original].append(dup)
    todo = [f for f in checked if f not in duplicates]
    if on_start:
        on_start(len(files))

    def addressed(report: Report) -> Report:
        report.file.real_path = links.get(report.path)
        return report

    for path in files:
        if path in refused:
            yield addressed(error_report(path, refused[path]))
    for report in _engine(todo, options):
        yield addressed(report)
        for path in twins.get(report.path, ()):
            yield addressed(_report_for_copy(report, path, options.check.evidence_dir))


def _engine(files: list[str], options: ScanOptions) -> Iterator[Report]:
    jobs = options.jobs or os.cpu_count() or 1
    timeout = options.check.timeout_s
    settings = options.settings()
    if not files:
        return
    if options.dask:
        with dask_executor(options.dask, options.memory_limit_mb) as executor:
            yield from _run_executor(files, options.check, executor, executor.slots, settings)
    elif options.executor is not None:
        yield from _run_executor(files, options.check, options.executor, jobs, settings)
    elif jobs <= 1 and not timeout and not options.memory_limit_mb:
        for path in files:
            yield check_task(path, options.check, settings)
    else:
        # Also for jobs=1 with a time limit or a memory ceiling: only a separate process
        # can be stopped or capped.
        pool = LocalPool(min(jobs, max(1, len(files))), timeout, settings)
        yield from pool.run(iter(files), options.check)


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
    files: list[str],
    options: CheckOptions,
    executor: Executor,
    workers: int,
    settings: TaskSettings,
) -> Iterator[Report]:
    """Run on any Executor; past its deadline a file gets an error report and, when the
    executor can (``abandon``), its worker is reclaimed. An executor that cannot reclaim
    loses that worker, so fewer files are kept in flight.

    A file's clock starts when it is among the ``workers`` oldest files in flight, not when
    it was submitted: executors run files in submission order (Dask's scheduler by
    priority, which is submission order here), so the files queued behind do not lose
    their time waiting, and queueing a few per worker is fair to every deadline."""
    timeout = options.timeout_s
    slots = max(1, workers) * IN_FLIGHT_PER_WORKER
    running = max(1, workers)
    abandon = getattr(executor, "abandon", None)
    pending: dict[Future, list] = {}  # in submission order: [path, deadline or None]
    todo = iter(files)
    exhausted = False
    while True:
        while not exhausted and len(pending) < slots:
            path = next(todo, None)
            if path is None:
                exhausted = True
                break
            try:
                future = executor.submit(check_task, path, options, settings)
            except Exception as exc:  # a broken or shut-down executor
                yield error_report(path, f"could not start the check: {exc}")
                continue
            pending[future] = [path, None]
        if not pending:
            return
        if timeout:
            now = time.monotonic()
            for entry in list(pending.values())[:running]:
                if entry[1] is None:
                    entry[1] = now + timeout
        deadlines = [d for _, d in pending.values() if d is not None]
        nearest = min(deadlines) - time.monotonic() if deadlines else None
        done, _ = wait(
            pending,
            return_when=FIRST_COMPLETED,
            timeout=None if nearest is None else max(0.0, nearest),
        )
        for future in done:
            yield _outcome(future, pending.pop(future)[0])
        now = time.monotonic()
        for future, (path, deadline) in list(pending.items()):
            if deadline is None or now < deadline or future.done():
                continue
            del pending[future]
            future.cancel()
            if abandon:
                abandon(future)
            else:  # the worker stays busy with it: one fewer to run and to queue for
                running = max(1, running - 1)
                slots = max(1, slots - IN_FLIGHT_PER_WORKER)
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
    follow_outside: bool = False,
    hidden: bool = False,
    memory_limit_mb: int | None = DEFAULT_MEMORY_LIMIT_MB,
    **kwargs,
) -> Iterator[Report]:
    """Reports for every file under ``paths``; ``dask`` / ``executor`` pick the engine.
    Links that leave the scanned folders are reported, not followed, unless
    ``follow_outside``; in folders, what is not media, hidden entries (unless ``hidden``)
    and sidecar manifests are left out (``list_inputs``)."""
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
        memory_limit_mb=memory_limit_mb,
    )
    listing = list_inputs(paths, include, exclude, follow_outside, hidden)
    return run(listing.paths, scan_options, listing=listing)
