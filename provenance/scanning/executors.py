"""The engines that run checks for a scan: a local pool that can kill a stuck worker, and
Dask glue (``distributed`` is an optional extra, imported only when asked for).

Why an own pool: ``concurrent.futures`` cannot stop a running task, so a file whose
decode never returns (a FIFO, a hung network mount) would hold a worker forever. Here
each worker is a process with a pipe; on its deadline it is killed, the file gets an
error report and a fresh worker takes its place. Only the guilty file is affected.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from provenance.model.report import FileFacts, Report
from provenance.options import CheckOptions

if TYPE_CHECKING:  # multiprocessing is imported by the pool that uses it: a one-file check
    import multiprocessing.process  # (the command's start-up) never needs it
    from multiprocessing.connection import Connection

ENV_PREFIX = "PROVENANCE_"  # settings workers must share with the caller (generators file)
WORKER_DIED = "the worker process died while analysing this file"
# Address space (RLIMIT_AS) a worker process may use, in MiB (--memory-limit). A worker here
# peaks at ~1 GB of address space (VmPeak: Python, OpenCV, onnxruntime's OCR model, the C2PA
# SDK, with all detectors on a 1080p clip; ~210 MB resident), so 4 GiB leaves room for 4K
# frames while a decoder that believes a hostile file's sizes fails its allocation instead
# of taking the machine's memory. 0 or None: no ceiling.
DEFAULT_MEMORY_LIMIT_MB = 4096


def provenance_env() -> dict[str, str]:
    """The caller's PROVENANCE_* variables, sent with each task so that workers started
    earlier (forkserver, a remote Dask cluster) use the same generator tables."""
    return {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIX)}


def _apply_env(env: dict[str, str]) -> None:
    changed = False
    for key in [k for k in os.environ if k.startswith(ENV_PREFIX) and k not in env]:
        del os.environ[key]
        changed = True
    for key, value in env.items():
        if os.environ.get(key) != value:
            os.environ[key] = value
            changed = True
    if changed:
        from provenance.knowledge import generators

        generators.load.cache_clear()


@dataclass(frozen=True)
class TaskSettings:
    """What a worker needs besides the file and its CheckOptions."""

    env: dict[str, str] = field(default_factory=provenance_env)
    memory_limit_mb: int | None = DEFAULT_MEMORY_LIMIT_MB
    caller_pid: int = field(default_factory=os.getpid)  # limits and threads: workers only
    thumbnails: bool = False  # write a preview into the evidence folder (for --html)
    # OCR threads of a worker, one of ``jobs`` sharing the cores (None: a check that has
    # the machine to itself, ``ocr.default_threads``); fixed when its OCR model loads.
    # Applied in worker processes only: a task run in the caller's own process (a one-job
    # scan without limits) leaves the caller's setting alone for its later checks.
    ocr_threads: int | None = 1


def check_task(path: str, options: CheckOptions, settings: TaskSettings | None = None) -> Report:
    """What every engine runs for one file (importable by name on any worker). Python
    warnings (Pillow's "Tag data larger than file", DecompressionBombWarning...) become
    problems in the report instead of lines on a terminal."""
    from provenance.detectors.visible import ocr
    from provenance.pipeline import check

    settings = settings or TaskSettings(memory_limit_mb=None)
    _apply_env(settings.env)
    if os.getpid() != settings.caller_pid:
        ocr.use_threads(settings.ocr_threads)
        set_memory_ceiling(settings.memory_limit_mb)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = check(path, options)
        if settings.thumbnails and report.status == "ok" and options.evidence_dir:
            _thumbnail(report, options.evidence_dir)
    for warning in caught:
        text = f"{warning.category.__name__}: {' '.join(str(warning.message).split())[:300]}"
        if text not in report.metadata.problems and len(report.metadata.problems) < 64:
            report.metadata.problems.append(text)
    return report


def check_batch(
    paths: list[str], options: CheckOptions, settings: TaskSettings | None = None
) -> list[Report]:
    """``check_task`` for several small files in one task: a Dask task costs ~4 ms of
    scheduler and transport work, as much as a small still's whole check on two cores. A
    batch that raises or outlives its time is split by the engine, each file run alone."""
    return [check_task(path, options, settings) for path in paths]


def _thumbnail(report: Report, evidence_dir: str) -> None:
    from provenance.evidence_images import evidence_folder
    from provenance.readers import thumbnail

    try:
        thumbnail.write(report.path, report.media.kind, evidence_folder(evidence_dir, report.path))
    except MemoryError:
        report.metadata.problems.append("no preview: ran out of memory decoding it")
    except Exception as exc:  # a preview is a courtesy; the report stands without it
        report.metadata.problems.append(f"no preview: {type(exc).__name__}: {exc}"[:300])


_CEILING: int | None = None


def set_memory_ceiling(limit_mb: int | None) -> None:
    """Cap this process's address space (RLIMIT_AS) at ``limit_mb`` MiB, once per process.
    Past it an allocation fails (MemoryError in Python, NULL in FFmpeg, an abort in some
    native code): the file gets an error report and the worker is replaced."""
    global _CEILING
    if not limit_mb or limit_mb == _CEILING:
        return
    import resource

    from provenance import allocator

    # glibc reserves 64 MB of address space per arena, up to 8 per core: fewer arenas (as
    # the command line already asked before forking this worker) leave more of the ceiling.
    allocator.limit_arenas()
    limit = limit_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        _CEILING = limit_mb


def died(process: multiprocessing.process.BaseProcess, memory_limit_mb: int | None) -> str:
    """Why a worker's file got no report: how the worker ended, and its ceiling."""
    code = process.exitcode
    how = []
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            how.append(f"killed by {signal.Signals(-code).name}")
    elif code:
        how.append(f"exit status {code}")
    if memory_limit_mb:
        how.append(f"memory limit {memory_limit_mb} MiB")
    return WORKER_DIED + (f" ({'; '.join(how)})" if how else "")


def error_report(path: str, why: str) -> Report:
    """A report for a file whose check never returned; file facts come from a
    non-blocking stat so that --resume recognises the file next time."""
    report = Report(path=path)
    report.fail(why)
    with contextlib.suppress(OSError):
        st = os.stat(path)
        report.file = FileFacts(size_bytes=st.st_size, mtime=st.st_mtime)
    return report


# ---------------------------------------------------------------------------- local pool


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when the scanning process dies, even by
    SIGKILL, so a worker stuck on a FIFO is never orphaned. Best effort elsewhere."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _worker_main(conn: Connection) -> None:
    # Ctrl-C and a SIGTERM to the process group reach the workers too: the parent
    # handles them (every finished report is kept) and kills its workers, so a file that
    # was being checked gets no false "worker died" report.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _die_with_parent()
    while True:
        try:
            task = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if task is None:
            return
        try:
            conn.send(check_task(*task))
        except MemoryError:
            # Under a tight ceiling even the finished report may not pickle: end without a
            # traceback on the user's terminal; the parent reports the file as the worker's
            # death, naming the ceiling (``died``).
            os._exit(3)


@dataclass
class _Slot:
    """One worker process and its pipe; ``path`` is the file it is checking (None: idle)."""

    process: multiprocessing.process.BaseProcess
    conn: Connection
    path: str | None = None
    deadline: float = float("inf")


class LocalPool:
    """``jobs`` worker processes, one file each at a time, each with a deadline and a
    memory ceiling (``settings.memory_limit_mb``)."""

    def __init__(
        self, jobs: int, timeout_s: float | None = None, settings: TaskSettings | None = None
    ):
        self.jobs = max(1, jobs)
        self.timeout_s = timeout_s
        self.settings = settings or TaskSettings()
        # fork, as ProcessPoolExecutor does on Linux: a replacement worker starts in
        # milliseconds with the checker already imported, and the caller's script needs
        # no ``if __name__ == "__main__"`` guard (spawn and forkserver re-import it).
        import multiprocessing

        self._ctx = multiprocessing.get_context("fork")
        self._slots: list[_Slot] = []

    def _spawn(self) -> _Slot:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=_worker_main, args=(child,), daemon=True)
        process.start()
        child.close()
        return _Slot(process, parent)

    def _retire(self, slot: _Slot, kill: bool) -> None:
        if kill and slot.process.is_alive():
            slot.process.kill()
        slot.process.join(timeout=5)
        slot.conn.close()

    def run(self, files: Iterator[Any], options: CheckOptions) -> Iterator[Any]:
        """Reports for the paths (str) in ``files``, as they finish; any other item is
        passed on as it comes (a report made without a check). ``files`` is read as
        workers free up, and workers start as files come, up to ``jobs``."""
        self._slots = []
        try:
            yield from self._loop(files, options, self.settings)
        finally:
            for slot in self._slots:
                with contextlib.suppress(OSError):
                    slot.conn.send(None)
            for slot in self._slots:
                self._retire(slot, kill=slot.path is not None)
            self._slots = []

    def _loop(self, files: Iterator[Any], options, settings: TaskSettings) -> Iterator[Any]:
        from multiprocessing import connection

        exhausted = False
        while True:
            while not exhausted:
                idle = next((s for s in self._slots if s.path is None), None)
                if idle is None and len(self._slots) >= self.jobs:
                    break
                item = next(files, None)
                if item is None:
                    exhausted = True
                    break
                if not isinstance(item, str):
                    yield item
                    continue
                if idle is None:
                    idle = self._spawn()
                    self._slots.append(idle)
                idle.path = item
                idle.deadline = (
                    time.monotonic() + self.timeout_s if self.timeout_s else float("inf")
                )
                idle.conn.send((item, options, settings))
            busy = [s for s in self._slots if s.path is not None]
            if not busy:
                return
            nearest = min(s.deadline for s in busy) - time.monotonic()
            ready = connection.wait(
                [s.conn for s in busy] + [s.process.sentinel for s in busy],
                timeout=None if nearest == float("inf") else max(0.0, nearest),
            )
            for index, slot in enumerate(list(self._slots)):
                if slot.path is not None:
                    report = self._collect(index, slot, ready)
                    if report is not None:
                        yield report

    def _collect(self, index: int, slot: _Slot, ready: list) -> Report | None:
        """The slot's report if it has one, an error report if its worker died or ran
        out of time (the worker is then replaced), else None."""
        path = slot.path or ""
        if slot.conn in ready or slot.process.sentinel in ready:
            try:
                if slot.conn.poll():
                    report = slot.conn.recv()
                    slot.path, slot.deadline = None, float("inf")
                    return report
            except (EOFError, OSError):
                pass
            if slot.process.is_alive() and slot.conn not in ready:
                return None
            why = None
        elif time.monotonic() >= slot.deadline:
            why = f"timed out after {self.timeout_s or 0:g} s"
        else:
            return None
        self._retire(slot, kill=True)
        why = why or died(slot.process, self.settings.memory_limit_mb)
        self._slots[index] = self._spawn()
        return error_report(path, why)


# ------------------------------------------------------------------------------- Dask


class DaskExecutor(cf.Executor):
    """A ``concurrent.futures.Executor`` over a ``distributed.Client`` that can also
    give up on a task: cancel it and restart the worker that runs it (workers under a
    nanny only; otherwise the worker stays busy until the task returns)."""

    # Small files go to the engine's tasks together (engine._units): up to ``batch_files``
    # regular files of at most ``batch_bytes`` in all, so a batch is a fraction of a second of
    # work and the scheduler's per-task cost is paid once for it.
    batch_files = 8
    batch_bytes = 4 * 1024 * 1024

    def __init__(self, client):
        self.client = client
        self._tasks: dict[cf.Future, Any] = {}
        self._lock = threading.Lock()

    @property
    def slots(self) -> int:
        """Tasks the cluster can run at once (threads of all workers)."""
        try:
            return max(1, sum(self.client.nthreads().values()))
        except Exception:
            return 1

    def submit(self, fn: Callable, /, *args, **kwargs) -> cf.Future:
        task = self.client.submit(fn, *args, pure=False, **kwargs)
        result: cf.Future = cf.Future()
        result.set_running_or_notify_cancel()
        with self._lock:
            self._tasks[result] = task
        task.add_done_callback(lambda t, r=result: self._settle(t, r))
        return result

    def _settle(self, task, result: cf.Future) -> None:
        with self._lock:
            self._tasks.pop(result, None)
        if result.done():
            return
        try:
            if task.status == "finished":
                result.set_result(task.result())
            elif task.status == "cancelled":
                result.set_exception(cf.CancelledError())
            else:
                result.set_exception(task.exception())
        except Exception as exc:  # the result could not be fetched (lost connection...)
            with contextlib.suppress(cf.InvalidStateError):
                result.set_exception(exc)

    def abandon(self, result: cf.Future) -> None:
        with self._lock:
            task = self._tasks.pop(result, None)
        if task is None:
            return
        try:
            processing = self.client.processing()
            workers = [w for w, keys in processing.items() if task.key in keys]
            task.cancel()
            if workers:
                self.client.restart_workers(workers, timeout=60, raise_for_error=False)
        except Exception:
            pass  # best effort: the scan goes on with the workers it has

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if cancel_futures:
            with self._lock:
                tasks = list(self._tasks.values())
                self._tasks.clear()
            for task in tasks:
                with contextlib.suppress(Exception):
                    task.cancel()


def parse_dask(spec: str) -> tuple[str, int | None]:
    """``local`` / ``local:N`` → ("local", N or None); anything else is an address."""
    if spec == "local" or spec.startswith("local:"):
        _, _, count = spec.partition(":")
        if count and (not count.isdigit() or int(count) < 1):
            raise ValueError(f"--dask local:N needs a positive worker count, not {count!r}")
        return "local", int(count) if count else None
    return spec, None


@contextlib.contextmanager
def _children_ignore_interrupts() -> Iterator[None]:
    """Processes started inside (a LocalCluster's nannies and workers) inherit ignored
    SIGINT/SIGTERM, as LocalPool workers do: a Ctrl-C reaches the whole process group, and
    the scanning process, not each worker, decides how to stop (it closes the cluster).
    Without this every nanny printed its own KeyboardInterrupt traceback."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in saved:
        signal.signal(sig, signal.SIG_IGN)
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def dask_executor(spec: str, memory_limit_mb: int | None = None) -> Iterator[DaskExecutor]:
    """Connect to a scheduler at ``spec``, or start a LocalCluster for ``local[:N]`` whose
    nannies also restart a worker past ``memory_limit_mb`` (Dask's own memory limit)."""
    try:
        import logging

        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise RuntimeError(
            "--dask needs the optional extra: pip install 'provenance-check[dask]' "
            "(dask[distributed])"
        ) from exc
    where, workers = parse_dask(spec)
    with contextlib.ExitStack() as stack:
        if where == "local":
            import dask

            # Dask's nannies start workers with MALLOC_TRIM_THRESHOLD_=65536, which also
            # turns off glibc's adaptive mmap threshold: every frame-sized array is then a
            # fresh mmap, page-faulted in and unmapped again, and checks ran ~1.5x slower
            # in Dask workers than in the local pool (bench/bench_scan.py). Our workers
            # bound memory themselves (memory_limit_mb), so the default allocator stays.
            no_trim = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
            with _children_ignore_interrupts(), dask.config.set(no_trim):
                cluster = LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=":0",  # a free port: 8787 may be taken
                    silence_logs=logging.ERROR,
                    memory_limit=f"{memory_limit_mb}MiB" if memory_limit_mb else "auto",
                )
            stack.enter_context(cluster)
            client = stack.enter_context(Client(cluster))
        else:
            client = stack.enter_context(Client(where, timeout="30s"))
        executor = DaskExecutor(client)
        try:
            yield executor
        finally:
            executor.shutdown(cancel_futures=True)
