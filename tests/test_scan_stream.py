"""The scan streams (issue 16, "Scale"): the first report comes while the walk of the folder
goes on, paths are read as checks need them, identical files found far apart in the stream
are still analysed once, and the scanning process's memory stays flat over many files."""

from __future__ import annotations

import itertools
import os
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from provenance.model.report import Report
from provenance.options import CheckOptions
from provenance.scanning.engine import WAIT, ScanOptions, Twins, Walk, run

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import bench_scan_memory as bench  # noqa: E402

sys.path.pop(0)

FAST = CheckOptions(detectors=(), timeout_s=None)


def _in_process() -> ScanOptions:
    return ScanOptions(jobs=1, memory_limit_mb=None, check=FAST)


def _pool() -> ScanOptions:
    return ScanOptions(jobs=2, check=FAST)


ENGINES = [
    pytest.param(_in_process, id="in-process"),
    pytest.param(_pool, id="worker-pool", marks=pytest.mark.e2e),
]


def _tree(root: Path, folders: int = 6, per_folder: int = 3) -> list[Path]:
    files = []
    for f in range(folders):
        folder = root / f"f{f}"
        folder.mkdir(parents=True)
        for i in range(per_folder):
            path = folder / f"{i}.png"
            path.write_bytes(bench.png(f * 100 + i))
            files.append(path)
    return files


@pytest.mark.parametrize("engine", ENGINES)
def test_the_first_report_comes_before_the_walk_ends(tmp_path, monkeypatch, engine):
    files = _tree(tmp_path / "media")
    events: list[tuple[str, str]] = []
    real_scandir = os.scandir

    def scandir(path="."):
        events.append(("list", os.fspath(path)))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    for report in run(Walk([tmp_path / "media"]), engine()):
        events.append(("report", report.path))
    monkeypatch.undo()
    kinds = [kind for kind, _ in events]
    assert kinds.count("list") == 7 and kinds.count("report") == len(files)
    last_listing = len(kinds) - 1 - kinds[::-1].index("list")
    assert kinds.index("report") < last_listing, events  # checked while the walk went on
    if engine is _in_process:  # one file at a time: reports in walk order
        assert [p for kind, p in events if kind == "report"] == [str(f) for f in files]


def test_paths_are_read_as_checks_need_them(tmp_path):
    files = _tree(tmp_path / "media", folders=1, per_folder=4)
    pulled = 0

    def paths():
        nonlocal pulled
        for i in range(100_000):  # most of them never exist: only 3 reports are taken
            pulled += 1
            yield str(files[i % len(files)]) if i < len(files) else str(tmp_path / f"{i}.png")

    reports = list(itertools.islice(run(paths(), _in_process()), 3))
    assert [r.path for r in reports] == [str(f) for f in files[:3]]
    assert pulled <= 4, pulled


@pytest.mark.parametrize(
    "engine",
    [*ENGINES, pytest.param("executor", id="executor", marks=pytest.mark.e2e)],
)
def test_identical_files_across_the_stream_are_analysed_once(tmp_path, engine):
    root = tmp_path / "media"
    files = _tree(root, folders=8, per_folder=4)
    original = files[0]
    near = original.parent / "0_copy.png"  # right after it: its original is still in flight
    far = root / "f7" / "9_copy.png"  # dozens of files later: its original has finished
    other_name = root / "f7" / "9_copy.bin"  # same bytes, other extension: analysed itself
    for copy in (near, far, other_name):
        shutil.copy(original, copy)
    if engine == "executor":
        with ProcessPoolExecutor(max_workers=2) as pool:  # threads would taint later forks
            reports = list(run(Walk([root]), ScanOptions(executor=pool, check=FAST)))
    else:
        reports = list(run(Walk([root]), engine()))
    by_path = {r.path: r for r in reports}
    assert len(reports) == len(by_path) == len(files) + 3
    for copy in (near, far):
        twin = by_path[str(copy)]
        assert twin.duplicate_of == str(original) and twin.elapsed_s == 0.0
        assert twin.verdict == by_path[str(original)].verdict and twin.status == "ok"
        assert twin.file.size_bytes == original.stat().st_size
    assert by_path[str(other_name)].duplicate_of is None
    assert sum(r.duplicate_of is not None for r in reports) == 2
    order = [r.path for r in reports]
    assert order.index(str(original)) < order.index(str(near))  # a copy follows its original


def test_a_copy_waits_for_its_original_and_later_copies_get_the_stored_report(tmp_path):
    original, waiting, later = (tmp_path / n for n in ("a.png", "b.png", "c.png"))
    original.write_bytes(bench.png(1))
    shutil.copy(original, waiting)
    shutil.copy(original, later)
    twins = Twins()
    assert twins.place(str(original)) is None  # check it
    assert twins.place(str(waiting), real="/elsewhere/b.png") is WAIT
    report = Report(path=str(original))
    report.verdict.ai_generated = "likely"
    (copy,) = twins.finished(report)
    assert copy.path == str(waiting) and copy.duplicate_of == str(original)
    assert copy.file.real_path == "/elsewhere/b.png" and copy.verdict.ai_generated == "likely"
    stored = twins.place(str(later))
    assert isinstance(stored, Report) and stored.path == str(later)
    assert stored.duplicate_of == str(original) and stored.verdict.ai_generated == "likely"
    assert stored is not copy and report.path == str(original)  # copies, not the original


def test_the_duplicate_finder_keeps_a_bounded_window(tmp_path):
    twins = Twins(window=5)
    paths = []
    for i in range(60):
        path = tmp_path / f"{i}.png"
        path.write_bytes(bench.png(i))  # most of these PNGs share a size: all get hashed
        paths.append(str(path))
        assert twins.place(str(path)) is None
        assert twins.finished(Report(path=str(path))) == []
    assert len(twins.done) == 5 and not twins.pending
    assert len(twins.digests) <= 5 and len(twins.sizes) <= 5
    assert 0 < twins.stored < 5 * 1024
    copy_of_old, copy_of_recent = tmp_path / "old.png", tmp_path / "recent.png"
    shutil.copy(paths[0], copy_of_old)
    shutil.copy(paths[-1], copy_of_recent)
    assert twins.place(str(copy_of_old)) is None  # left the window: analysed anew
    recent = twins.place(str(copy_of_recent))
    assert isinstance(recent, Report) and recent.duplicate_of == paths[-1]


def test_each_path_is_listed_once_however_it_is_named(tmp_path):
    root = tmp_path / "media"
    files = _tree(root, folders=2, per_folder=2)
    (root / "notes.txt").write_text("not media")
    walk = Walk([root, root / "f1", files[0], f"{root}/./f0", root / "f1" / "1.png"])
    listed = [item.path for item in walk]
    assert len(listed) == len(set(map(os.path.abspath, listed))) == len(files)
    assert walk.finished and walk.listed == len(files)
    assert walk.skipped["not media"] == 1
    alone = Walk([files[2], root])  # a named file first, found again in its folder
    assert [item.path for item in alone][0] == str(files[2])
    assert alone.listed == len(files)


@pytest.mark.slow
@pytest.mark.e2e
def test_parent_memory_stays_flat_over_15000_small_files():
    """The scanning process of 15,000 tiny PNGs (5 % duplicates), measured as
    bench/bench_scan_memory.py does (a fresh process, VmHWM reset before the scan). Listing
    every path first and stating every file up front grew it by about 10 MiB (0.64 MiB per
    1,000 files); streamed, only the duplicate finder's window (~3 MiB, full after 4,096
    files) and allocator slack remain."""
    (scan,) = bench._scans(15_000, (1,)).values()
    growth = scan["peak_mb"] - scan["baseline_mb"]
    assert scan["reports"] == 15_000 and scan["duplicates"] == scan["copies"] > 0
    assert growth < 7.0, f"the scanning process grew {growth:.1f} MiB over 15,000 files"
