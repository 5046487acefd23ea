"""Batch scanning: walk paths, check files in parallel, stream reports as they finish.

Every input yields exactly one report, in completion order. A worker that crashes or
a file that hangs past ``CheckOptions.timeout_s`` costs that file an error report, not
the scan. Engines: this process (jobs=1 without a time limit), a local pool of worker
processes (``executors.LocalPool``), any ``concurrent.futures.Executor``, or a Dask
cluster (``dask="tcp://host:8786"`` or ``"local:N"``). Workers open files by path, so
remote workers need the same paths on shared storage (see docs/scanning.md).

Everything streams (issue 16, "Scale"): the folder walk (``Walk``) is read as checks
need files, so the first report comes while the walk goes on, and the scanning process
never holds a list of the paths. What it keeps does not grow with the folder: per folder
being walked its sorted entry names, per folder entered its (device, inode) to cut
symlink loops, the files in flight, and the bounded window of the duplicate finder
(``Twins``). Only folders named inside one another (``scan a a/sub``) keep one key per
file, to list each path once.
"""

from __future__ import annotations

import copy
import errno
import hashlib
import itertools
import os
import pickle
import shutil
import stat
import time
import zlib
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,  # BrokenProcessPool's base: its module imports multiprocessing
    CancelledError,
    Executor,
    Future,
    wait,
)
from dataclasses import dataclass, field

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
    check_batch,
    check_task,
    dask_executor,
    error_report,
)
from provenance.scanning.paths import Listing, path_key

# Files in flight per worker: a worker never waits for the round trip of its next file
# (Dask's scheduler and result transfer cost milliseconds a file; most files take tens).
IN_FLIGHT_PER_WORKER = 4
# The duplicate finder remembers the last TWIN_WINDOW analysed files (at most
# TWIN_BUDGET bytes of their compressed reports): a copy of an older one is analysed anew.
TWIN_WINDOW = 4096
TWIN_BUDGET = 16 * 1024 * 1024


@dataclass
class ScanOptions:
    """How a scan runs: its workers or executor, which files, duplicates, the check options."""

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


def _under(key: str, folder_key: str) -> bool:
    return key.startswith(folder_key.rstrip(os.sep) + os.sep)


@dataclass(frozen=True, slots=True)
class Input:
    """One input of a scan: a path, and why it gets an error report unopened (``refused``)
    or the real file a link led to (``real``)."""

    path: str
    refused: str | None = None
    real: str | None = None


def _inside(real: str, roots: list[str]) -> bool:
    return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _too_long(exc: OSError, path: str) -> str | None:
    if exc.errno != errno.ENAMETOOLONG:
        return None
    return (
        f"path is {len(os.fsencode(path)):,} bytes, longer than the system allows "
        "(PATH_MAX or NAME_MAX): it cannot be opened"
    )


# Kinds of folder entry the walk remembers from os.scandir (a regular file, the most
# common entry by far, is remembered as nothing at all).
_LINK, _DIR, _UNKNOWN = 1, 2, 3


class Walk:
    """The inputs under ``paths``, read as they are iterated (``Input`` items, each path
    once). Symlinked folders are followed once each (a loop is cut where it closes); a
    broken link is still listed, to be reported. A link inside a scanned folder whose
    target lies outside every scanned folder is not followed unless ``follow_outside``: it
    is listed as refused (an error report), so a link planted in an upload folder cannot
    pull a host file into the scan. Inside folders, entries that are not media, hidden
    entries (unless ``hidden``) and C2PA sidecars of an asset beside them are left out and
    counted in ``skipped`` as the walk goes; ``leave_out`` paths (the scan's own outputs)
    are left out silently. Files named in ``paths`` are taken as named. Globs ignore case.

    Order: the paths as given, each folder depth-first with its entries sorted by name.
    Memory: nothing per file; per folder on the current branch its sorted entry names
    (and the few that are folders or links), per folder entered its (device, inode); one
    key per file only when named folders lie inside one another (``a a/sub``)."""

    def __init__(
        self,
        paths: Iterable[str | os.PathLike],
        include: Iterable[str] = (),
        exclude: Iterable[str] = (),
        follow_outside: bool = False,
        hidden: bool = False,
        leave_out: Iterable[str] = (),
    ):
        self.tops = [os.fsdecode(t) for t in paths]
        self.include, self.exclude = tuple(include), tuple(exclude)
        self.follow_outside, self.hidden = follow_outside, hidden
        self.skipped: Counter[str] = Counter()  # reason -> folder entries left out so far
        self.listed = 0  # inputs yielded so far
        self.finished = False  # the walk has ended
        self._leave_out: set[str] = set()
        self._leave_names: set[str] = set()
        self.leave_out(leave_out)

    def leave_out(self, paths: Iterable[str]) -> None:
        """Never list these paths (files, or folders with everything in them)."""
        for path in paths:
            key = path_key(path)
            self._leave_out.add(key)
            self._leave_names.add(os.path.basename(key))

    def _left_out(self, path: str, name: str) -> bool:
        return name in self._leave_names and path_key(path) in self._leave_out

    def __iter__(self) -> Iterator[Input]:
        self.skipped.clear()
        self.listed = 0
        self.finished = False
        is_folder = [os.path.isdir(t) for t in self.tops]
        folder_tops = [t for t, d in zip(self.tops, is_folder, strict=True) if d]
        roots = [os.path.realpath(t) for t in folder_tops]
        folder_keys = [path_key(t) for t in folder_tops]
        named = {path_key(t) for t, d in zip(self.tops, is_folder, strict=True) if not d}
        # Keys of what was listed, to list each path once: every key when named folders
        # overlap, else only those of files named on their own (a file named and found
        # again under a named folder).
        every = len(set(folder_keys)) < len(folder_keys) or _any_under(folder_keys, folder_keys)
        some = bool(named) and _any_under(named, folder_keys)
        keys: set[str] = set()
        for top, folder in zip(self.tops, is_folder, strict=True):
            if not folder:
                name = os.path.basename(top)
                if _matches(top, name, self.exclude):
                    continue
                if self.include and not _matches(top, name, self.include):
                    continue
                key = path_key(top)
                if key in keys:
                    continue
                keys.add(key)
                real = os.path.realpath(top) if os.path.islink(top) else None
                self.listed += 1
                yield Input(top, real=real)
                continue
            for item in _Tree(self, top, roots).folder(top, linked=False):
                if every or some:
                    key = path_key(item.path)
                    if every or key in named:
                        if key in keys:
                            continue
                        keys.add(key)
                self.listed += 1
                yield item
        self.finished = True

    def would_list(self, path: str) -> bool:
        """Whether iterating would list ``path``, an existing path (or a dangling link),
        judged on its names as the walk judges them, without walking: it is named, or it
        lies inside a named folder, no folder on the way and not the entry itself is
        excluded or hidden, it matches the include globs, is no sidecar of an asset beside
        it and is media (or a link the walk refuses). Links on the way count as named."""
        if not os.path.lexists(path):
            return False
        key = path_key(path)
        for top in self.tops:
            top_key = path_key(top)
            if key == top_key and not os.path.isdir(top):
                return True
            if not os.path.isdir(top) or not _under(key, top_key):
                continue
            parts = os.path.relpath(key, top_key).split(os.sep)
            rels = [os.path.join(*parts[: i + 1]) for i in range(len(parts))]
            if any(
                self._left_out(os.path.join(top, rel), name)
                or _matches(rel, name, self.exclude)
                or (not self.hidden and selection.is_hidden(name))
                for rel, name in zip(rels, parts, strict=True)
            ):
                continue
            rel, name = rels[-1], parts[-1]
            entry = os.path.join(top, rel)
            if os.path.isdir(entry):
                continue
            if self.include and not _matches(rel, name, self.include):
                continue
            if name.lower().endswith(selection.SIDECAR_SUFFIX):
                try:
                    if name in selection.sidecars_owned(os.listdir(os.path.dirname(entry))):
                        continue
                except OSError:
                    pass
            if os.path.islink(entry) or selection.media_decision(entry, name).keep:
                return True
        return False


def _any_under(keys: Iterable[str], folder_keys: Iterable[str]) -> bool:
    """Whether one of ``keys`` lies inside one of the folders ``folder_keys``."""
    folders = set(folder_keys)
    for key in keys:
        parent = os.path.dirname(key)
        while parent and parent not in folders:
            up = os.path.dirname(parent)
            parent = "" if up == parent else up
        if parent:
            return True
    return False


class _Tree:
    """One named folder's walk (``Walk``), depth-first."""

    def __init__(self, walk: Walk, top: str, roots: list[str]):
        self.walk = walk
        self.top = top
        self.roots = roots
        self.seen: set[tuple[int, int]] = set()

    def folder(self, folder: str, linked: bool) -> Iterator[Input]:
        try:
            st = os.stat(folder)
        except OSError as exc:
            yield Input(folder, refused=_too_long(exc, folder))
            return
        key = (st.st_dev, st.st_ino)
        if key in self.seen:
            return  # symlink loop or a folder reached twice
        self.seen.add(key)
        names: list[str] = []
        kinds: dict[str, int] = {}  # the entries that are not plain regular files
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    names.append(entry.name)
                    try:
                        if entry.is_symlink():
                            kinds[entry.name] = _LINK
                        elif entry.is_dir(follow_symlinks=False):
                            kinds[entry.name] = _DIR
                    except OSError:
                        kinds[entry.name] = _UNKNOWN
        except OSError as exc:
            yield Input(folder, refused=_too_long(exc, folder))  # one error report
            return
        names.sort()
        owned = selection.sidecars_owned(names)
        skipped = self.walk.skipped
        for name in names:
            if name in owned:
                skipped[selection.SIDECAR] += 1
                continue
            yield from self.entry(os.path.join(folder, name), name, kinds.get(name), linked)

    def entry(self, path: str, name: str, kind: int | None, linked: bool) -> Iterator[Input]:
        walk = self.walk
        rel = os.path.relpath(path, self.top)
        if walk._leave_names and walk._left_out(path, name):
            return
        if _matches(rel, name, walk.exclude):
            return
        if not walk.hidden and selection.is_hidden(name):
            walk.skipped[selection.HIDDEN] += 1
            return
        is_link = kind == _LINK
        real = os.path.realpath(path) if is_link or linked else None
        if is_link and real and not walk.follow_outside and not _inside(real, self.roots):
            yield Input(
                path,
                refused=f"symbolic link to {real}, outside the scanned folders: not followed "
                "(--follow-outside follows such links)",
                real=real,
            )
            return
        is_dir = kind == _DIR
        if kind in (_LINK, _UNKNOWN):
            try:
                is_dir = stat.S_ISDIR(os.stat(path).st_mode)
            except FileNotFoundError:
                is_dir = False  # a broken link: listed, its report says so
            except OSError as exc:
                if _too_long(exc, path):
                    yield Input(path, refused=_too_long(exc, path))
                    return
                is_dir = False
        if is_dir:
            yield from self.folder(path, linked or is_link)
        elif not walk.include or _matches(rel, name, walk.include):
            decision = selection.media_decision(path, name)
            if decision.keep:
                yield Input(path, real=real)
            else:
                walk.skipped[decision.reason or selection.NOT_MEDIA] += 1


def list_inputs(
    paths: Iterable[str | os.PathLike],
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    follow_outside: bool = False,
    hidden: bool = False,
) -> Listing:
    """Every input of a ``Walk`` over ``paths``, collected into a ``Listing`` (a list of all
    the paths: a scan streams the walk instead)."""
    walk = Walk(paths, include, exclude, follow_outside, hidden)
    listing = Listing()
    for item in walk:
        listing.add(item.path, refused=item.refused, real=item.real)
    listing.skipped = walk.skipped
    return listing


def iter_files(
    paths: Iterable[str | os.PathLike],
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    follow_outside: bool = False,
    hidden: bool = False,
) -> Iterator[str]:
    """Every input path of a ``Walk``, in order (refused ones included), as it is found."""
    for item in Walk(paths, include, exclude, follow_outside, hidden):
        yield item.path


# --------------------------------------------------------------------------- duplicates


def _digest(path: str, size: int | None = None) -> str | None:
    """SHA-256 of the first ``size`` bytes (the size when the file was found: a file that
    keeps growing during the scan must not keep the hashing going)."""
    return file_sha256(path, size)


def _sidecar_digest(path: str) -> str | None:
    from provenance.readers.credentials.reader import sidecar_for

    side = sidecar_for(path)
    return _digest(str(side)) if side else None


def content_key(path: str, size: int) -> bytes | None:
    """16 bytes naming what decides the analysis of a file: the SHA-256 of its first
    ``size`` bytes, its extension and its sidecar manifest's SHA-256 (both change the
    analysis of identical bytes). None when it cannot be read."""
    digest = _digest(path, size)
    if digest is None:
        return None
    suffix = os.path.splitext(path)[1].lower()
    mixed = "\0".join((digest, suffix, _sidecar_digest(path) or ""))
    return hashlib.blake2b(mixed.encode("utf-8", "surrogateescape"), digest_size=16).digest()


def _readdress(twin: Report, path: str, evidence_dir: str | None) -> Report:
    """``twin``, a copy of the report of an identical file, re-addressed to ``path``."""
    original = twin.path
    twin.path = path
    twin.elapsed_s = 0.0
    twin.duplicate_of = original
    try:
        st = os.stat(path)
        twin.file = FileFacts(size_bytes=st.st_size, mtime=st.st_mtime, sha256=twin.file.sha256)
    except OSError:
        pass
    if twin.status != "ok":
        twin.fail(twin.error or "")  # the summary names this path's file
    if evidence_dir:
        src = evidence_folder(evidence_dir, original)
        dst = evidence_folder(evidence_dir, path)
        if src.is_dir() and src != dst and not dst.exists():
            shutil.copytree(src, dst)
    return twin


def _report_for_copy(report: Report, path: str, evidence_dir: str | None) -> Report:
    """The report of an identical file, re-addressed to ``path`` (no second analysis)."""
    return _readdress(copy.deepcopy(report), path, evidence_dir)


@dataclass(slots=True)
class _Original:
    """An analysed file the duplicate finder remembers (``Twins``)."""

    path: str  # the walk's string (the report's own copy is not kept)
    size: int
    key: bytes | None = None  # content key, once a file of the same size came
    waiting: list[tuple[str, str | None]] | None = None  # copies waiting: path, real
    blob: bytes = b""  # its report, pickled and compressed, once it came


class _Waiting:
    """``Twins.place``: the twin waits for its original's report."""


WAIT = _Waiting()


class Twins:
    """Identical files analysed once, over a stream of paths. ``place(path)`` says what to
    do with the next file: None, check it (a new file, or not a regular file); ``WAIT``, it
    is a copy of a file still being checked, whose report (``finished``) brings the copy's
    too; or a Report, the copy's report, re-addressed from the stored report of a file
    already analysed (``duplicate_of`` names that file).

    Files are grouped by size first; only a size seen twice is hashed (SHA-256 of the
    bytes, folded with the extension and any sidecar manifest into a 16-byte key), never a
    FIFO or device. Memory, per file: nothing once a file is out of the window, the last
    ``window`` analysed files (and those still being checked). In the window a file costs
    its path, its size, its 16-byte key once hashed, and its report pickled and compressed
    (``_pack``: ~140 bytes for an image checked without detectors, ~700 with all of them;
    the window also stops at ``budget`` bytes of reports): about 0.5 to 1 kB each with the
    dictionary entries, so at most a few MB. A copy waiting for its original keeps its
    path (and link target) until the original's report comes; a copy of a file in the
    window keeps nothing. A copy of a file that left the window is analysed anew: correct,
    slower, and its report has no ``duplicate_of``."""

    def __init__(
        self,
        evidence_dir: str | None = None,
        window: int = TWIN_WINDOW,
        budget: int = TWIN_BUDGET,
    ):
        self.evidence_dir = evidence_dir
        self.window, self.budget = window, budget
        # size -> the one path of that size not hashed yet, or how many hashed files in
        # the window have that size
        self.sizes: dict[int, str | int] = {}
        self.digests: dict[bytes, str] = {}  # content key -> the analysed file's path
        self.pending: dict[str, _Original] = {}  # being checked
        self.done: OrderedDict[str, _Original] = OrderedDict()  # analysed, oldest first
        self.stored = 0  # bytes of stored reports
        self.zdict = b""  # what the stored reports are compressed against

    def _find(self, path: str) -> _Original:
        return self.pending[path] if path in self.pending else self.done[path]

    def place(self, path: str, real: str | None = None) -> Report | _Waiting | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        size = st.st_size
        held = self.sizes.get(size)
        if held is None:
            self.sizes[size] = path
            self.pending[path] = _Original(path, size)
            return None
        if isinstance(held, str):  # the first file of that size: hash it now
            first = self._find(held)
            first.key = content_key(held, size)
            self.sizes[size] = 0
            if first.key is not None:
                self.digests[first.key] = held
                self.sizes[size] = 1
        key = content_key(path, size)
        if key is None:
            if self.sizes[size] == 0:
                del self.sizes[size]
            return None
        original = self.digests.get(key)
        if original is None:
            self.digests[key] = path
            self.sizes[size] = int(self.sizes[size]) + 1
            self.pending[path] = _Original(path, size, key)
            return None
        if original in self.pending:
            state = self.pending[original]
            state.waiting = [*(state.waiting or ()), (path, real)]
            return WAIT
        self.done.move_to_end(original)  # a file copied often stays in the window
        return self._copy(self.done[original].blob, path, real)

    def finished(self, report: Report) -> list[Report]:
        """The reports of the copies that waited for ``report``'s file."""
        state = self.pending.pop(report.path, None)
        if state is None:
            return []
        waiting, state.waiting = state.waiting or [], None
        try:
            state.blob = self._pack(report)
        except Exception:  # not picklable: the waiting copies are deep copies, no more
            self._forget(state.path, state)
            return [
                _addressed(_report_for_copy(report, path, self.evidence_dir), real)
                for path, real in waiting
            ]
        self.done[state.path] = state
        self.stored += len(state.blob)
        copies = [self._copy(state.blob, path, real) for path, real in waiting]
        while self.done and (len(self.done) > self.window or self.stored > self.budget):
            self._forget(*self.done.popitem(last=False))
        return copies

    def _pack(self, report: Report) -> bytes:
        """The report pickled and compressed against the first one stored (``zdict``:
        reports share most of their field names and values), ~140 bytes for an image
        checked without detectors, ~700 with all of them."""
        pickled = pickle.dumps(report, pickle.HIGHEST_PROTOCOL)
        if not self.zdict:
            self.zdict = pickled[-32768:]
        packer = zlib.compressobj(1, zdict=self.zdict)
        return packer.compress(pickled) + packer.flush()

    def _copy(self, blob: bytes, path: str, real: str | None) -> Report:
        twin = pickle.loads(zlib.decompressobj(zdict=self.zdict).decompress(blob))
        return _addressed(_readdress(twin, path, self.evidence_dir), real)

    def _forget(self, path: str, state: _Original) -> None:
        self.stored -= len(state.blob)
        if state.key is None:
            if self.sizes.get(state.size) == path:
                del self.sizes[state.size]
            return
        if self.digests.get(state.key) == path:
            del self.digests[state.key]
        left = self.sizes.get(state.size)
        if isinstance(left, int):
            if left > 1:
                self.sizes[state.size] = left - 1
            else:
                del self.sizes[state.size]


# ------------------------------------------------------------------------------ engines


@dataclass(frozen=True, slots=True)
class _Ready:
    """A report made without a check (a refused path, a copy), passed through the engine in
    order: engines pass on whatever is not a path."""

    report: Report


def _addressed(report: Report, real: str | None) -> Report:
    report.file.real_path = real
    return report


def _inputs(files: Iterable, listing: Listing | None) -> Iterator[Input]:
    """``files`` as Input items: those of a walk as they are; paths once each (a key per
    path is kept), refused or linked as ``listing`` says."""
    keys: set[str] = set()
    for entry in files:
        if isinstance(entry, Input):
            yield entry
            continue
        path = os.fsdecode(entry)
        key = path_key(path)
        if key in keys:
            continue
        keys.add(key)
        if listing is None:
            yield Input(path)
        else:
            yield Input(path, listing.refused.get(path), listing.links.get(path))


def run(
    files: Iterable[str | os.PathLike | Input],
    options: ScanOptions,
    on_start: Callable[[int], None] | None = None,
    listing: Listing | None = None,
) -> Iterator[Report]:
    """Check ``files`` and yield one report per distinct path as each finishes. ``files``
    is read as checks need it: a ``Walk`` (or its ``Input`` items) streams, the first
    report comes while the walk goes on. Plain paths are taken once each; with the
    ``listing`` they came from, its refused paths get their error report unopened and files
    reached through a link say so (``file.real_path``). Identical files are analysed once
    (``Twins``, unless ``options.dedupe`` is off). ``on_start`` is called once, with the
    number of reports the scan yields, when ``files`` is exhausted (for a walk: when it
    ends, before the last reports arrive)."""
    twins = Twins(options.check.evidence_dir) if options.dedupe else None
    links: dict[str, str] = {}  # files in flight reached through a link -> real path

    def feed() -> Iterator[str | _Ready]:
        count = 0
        for item in _inputs(files, listing):
            count += 1
            if item.refused:
                yield _Ready(_addressed(error_report(item.path, item.refused), item.real))
                continue
            if twins is not None:
                placed = twins.place(item.path, item.real)
                if isinstance(placed, Report):
                    yield _Ready(placed)
                    continue
                if placed is WAIT:
                    continue
            if item.real:
                links[item.path] = item.real
            yield item.path
        if on_start:
            on_start(count)

    for out in _engine(feed(), options):
        if isinstance(out, _Ready):
            yield out.report
            continue
        yield _addressed(out, links.pop(out.path, None))
        if twins is not None:
            yield from twins.finished(out)


def _engine(items: Iterator[str | _Ready], options: ScanOptions) -> Iterator[Report | _Ready]:
    jobs = options.jobs or os.cpu_count() or 1
    timeout = options.check.timeout_s
    settings = options.settings()
    # Until the first path, pass ready reports on: no worker or cluster is started for a
    # scan with nothing to check.
    first: str | None = None
    for item in items:
        if isinstance(item, str):
            first = item
            break
        yield item
    if first is None:
        return
    todo: Iterator[str | _Ready] = itertools.chain([first], items)
    if options.dask:
        with dask_executor(options.dask, options.memory_limit_mb) as executor:
            yield from _run_executor(todo, options.check, executor, executor.slots, settings)
    elif options.executor is not None:
        yield from _run_executor(todo, options.check, options.executor, jobs, settings)
    elif jobs <= 1 and not timeout and not options.memory_limit_mb:
        for item in todo:
            yield check_task(item, options.check, settings) if isinstance(item, str) else item
    else:
        # Also for jobs=1 with a time limit or a memory ceiling: only a separate process
        # can be stopped or capped. Workers start as files come, up to ``jobs``.
        pool = LocalPool(jobs, timeout, settings)
        yield from pool.run(todo, options.check)


def _outcome(future: Future, path: str) -> Report:
    try:
        return future.result()
    except (BrokenExecutor, CancelledError):  # a process pool whose worker died
        return error_report(path, WORKER_DIED)
    except Exception as exc:
        if type(exc).__name__ == "KilledWorker":  # Dask gave up after worker deaths
            return error_report(path, WORKER_DIED)
        return error_report(path, f"internal error: {type(exc).__name__}: {exc}")


def _small(path: str, limit: int) -> int | None:
    """The size of ``path`` if it is a regular file of at most ``limit`` bytes: what may share
    a task. Anything else (a FIFO, a device, a file that cannot be read) goes alone."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) and st.st_size <= limit else None


def _units(
    items: Iterator[str | _Ready], batch_files: int, batch_bytes: int
) -> Iterator[list[str] | _Ready]:
    """``items`` as what each task runs: small files together, up to ``batch_files`` of
    ``batch_bytes`` in all (a batch goes as soon as it is full); every other path on its
    own, as it comes; items that are not paths as they come."""
    batch: list[str] = []
    size = 0
    for item in items:
        if not isinstance(item, str):
            yield item
            continue
        small = _small(item, batch_bytes) if batch_files > 1 else None
        if small is None:
            yield [item]
            continue
        if size + small > batch_bytes:
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += small
        if len(batch) >= batch_files:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _run_executor(
    files: Iterator[str | _Ready],
    options: CheckOptions,
    executor: Executor,
    workers: int,
    settings: TaskSettings,
) -> Iterator[Report | _Ready]:
    """Run on any Executor; past its deadline a file gets an error report and, when the
    executor can (``abandon``), its worker is reclaimed. An executor that cannot reclaim
    loses that worker, so fewer files are kept in flight. Items that are not paths are
    passed on as they come.

    A file's clock starts when it is among the ``workers`` oldest files in flight, not when
    it was submitted: executors run files in submission order (Dask's scheduler by
    priority, which is submission order here), so the files queued behind do not lose
    their time waiting, and queueing a few per worker is fair to every deadline.

    An executor that can reclaim a worker and names ``batch_files`` / ``batch_bytes`` (Dask)
    gets small files several to a task (``_units``). A batch has one file's time limit:
    if it outlives it, or fails as a whole (its worker died), it is reclaimed and each of
    its files runs again on its own, with its own limit, so a stuck or fatal file costs
    only itself its report."""
    timeout = options.timeout_s
    slots = max(1, workers) * IN_FLIGHT_PER_WORKER
    running = max(1, workers)
    abandon = getattr(executor, "abandon", None)
    batch_files = getattr(executor, "batch_files", 1) if abandon else 1
    units = _units(files, batch_files, getattr(executor, "batch_bytes", 0))
    alone: deque[str] = deque()  # the files of a split batch
    pending: dict[Future, list] = {}  # in submission order: [paths, deadline or None]
    exhausted = False
    while True:
        while len(pending) < slots and (alone or not exhausted):
            paths = [alone.popleft()] if alone else next(units, None)
            if paths is None:
                exhausted = True
                break
            if not isinstance(paths, list):
                yield paths
                continue
            future: Future  # of a Report, or of a batch's list of them
            try:
                if len(paths) == 1:
                    future = executor.submit(check_task, paths[0], options, settings)
                else:
                    future = executor.submit(check_batch, paths, options, settings)
            except Exception as exc:  # a broken or shut-down executor
                for path in paths:
                    yield error_report(path, f"could not start the check: {exc}")
                continue
            pending[future] = [paths, None]
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
            paths = pending.pop(future)[0]
            if len(paths) == 1:
                yield _outcome(future, paths[0])
                continue
            try:
                reports = future.result()
            except Exception:  # its worker died, or the cluster gave up on it
                alone.extend(paths)
                continue
            yield from reports
        now = time.monotonic()
        for future, (paths, deadline) in list(pending.items()):
            if deadline is None or now < deadline or future.done():
                continue
            del pending[future]
            future.cancel()
            if abandon:
                abandon(future)
            else:  # the worker stays busy with it: one fewer to run and to queue for
                running = max(1, running - 1)
                slots = max(1, slots - IN_FLIGHT_PER_WORKER)
            if len(paths) > 1:
                alone.extend(paths)
            else:
                yield error_report(paths[0], f"timed out after {timeout:g} s")


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
    """Reports for every file under ``paths``, streamed as the walk goes (``Walk``, ``run``);
    ``dask`` / ``executor`` pick the engine. Links that leave the scanned folders are
    reported, not followed, unless ``follow_outside``; in folders, what is not media, hidden
    entries (unless ``hidden``) and sidecar manifests are left out, and so is the evidence
    folder the scan writes into."""
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
    evidence = check_options.evidence_dir
    walk = Walk(paths, include, exclude, follow_outside, hidden, [evidence] if evidence else ())
    return run(walk, scan_options)
