"""Scale-out: a real Dask LocalCluster gives the same reports as a local scan; stuck files
time out without stopping the scan; identical files are analysed once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

import provenance
from provenance.evidence_images import evidence_folder

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent / "provenance"
SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "credentials"
PICKS = (
    "gen_image.jpg",
    "captured.jpg",
    "stripped_manifest.jpg",
    "tampered_clip.mp4",
    "sd_parameters.png",
)


@pytest.fixture()
def folder(tmp_path) -> Path:
    d = tmp_path / "media"
    (d / "sub").mkdir(parents=True)
    for name in PICKS:
        shutil.copy(SAMPLES / name, d / name)
    shutil.copy(SAMPLES / "gen_image.jpg", d / "sub" / "same_bytes.jpg")  # a duplicate
    (d / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    return d


def _comparable(report: dict) -> dict:
    data = dict(report)
    data.pop("elapsed_s")
    data.pop("checked_at")  # when this run checked the file, like elapsed_s
    # the SDK's validation time is when this run validated, like elapsed_s (issue 14)
    data["c2pa"] = {k: v for k, v in data["c2pa"].items() if k != "validation_time"}
    return data


def test_dask_local_cluster_matches_local_scan(folder):
    local = {r.path: r.to_dict() for r in provenance.scan([folder], jobs=2)}
    dask = {r.path: r.to_dict() for r in provenance.scan([folder], dask="local:2")}
    assert set(local) == set(dask) and len(local) == len(PICKS) + 2
    for path in local:
        assert _comparable(local[path]) == _comparable(dask[path]), path
    twin, original = (
        dask[str(folder / "sub" / "same_bytes.jpg")],
        dask[str(folder / "gen_image.jpg")],
    )
    assert twin["verdict"] == original["verdict"] and twin["file"]["size_bytes"]


def test_any_executor_plugs_in(folder):
    with ProcessPoolExecutor(max_workers=2) as pool:  # threads here would taint later forks
        reports = list(provenance.scan([folder], executor=pool, detectors=()))
    assert len(reports) == len(PICKS) + 2
    assert {r.status for r in reports} == {"ok", "error"}


def test_duplicates_analysed_once_with_evidence(folder, tmp_path):
    # A still with a visible mark writes evidence images; its copy must get them too.
    still = SAMPLES.parent / "clips" / "sparkle_still.jpg"
    shutil.copy(still, folder / "sparkle.jpg")
    shutil.copy(still, folder / "sub" / "sparkle_copy.jpg")
    evidence = tmp_path / "evidence"
    reports = {
        Path(r.path).name: r for r in provenance.scan([folder], jobs=2, evidence_dir=str(evidence))
    }
    for first, copy in (("gen_image.jpg", "same_bytes.jpg"), ("sparkle.jpg", "sparkle_copy.jpg")):
        pair = [reports[first], reports[copy]]
        assert sorted(r.elapsed_s == 0.0 for r in pair) == [False, True]  # one analysis
        assert pair[0].verdict == pair[1].verdict
    folders = [
        evidence_folder(evidence, reports[n].path) for n in ("sparkle.jpg", "sparkle_copy.jpg")
    ]
    images = [sorted(p.name for p in f.iterdir()) if f.is_dir() else [] for f in folders]
    assert images[0] and images[0] == images[1], images


@pytest.mark.parametrize("engine", [["--jobs", "2"], ["--dask", "local:2"]])
def test_stuck_file_times_out_and_scan_goes_on(folder, tmp_path, engine):
    os.mkfifo(folder / "stuck.mp4")  # opening it for reading blocks forever
    out = tmp_path / "out.jsonl"
    result = subprocess.run(
        [
            str(BIN),
            "scan",
            str(folder),
            *engine,
            "--timeout",
            "4",
            "--detectors",
            "",
            "--output",
            str(out),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2, result.stderr[-3000:]
    reports = {Path(r["path"]).name: r for r in map(json.loads, out.read_text().splitlines())}
    assert len(reports) == len(PICKS) + 3
    assert reports["stuck.mp4"]["error"] == "timed out after 4 s"
    assert all(reports[name]["status"] == "ok" for name in PICKS)
    assert f"Scanned {len(PICKS) + 3} file(s)" in result.stdout


def test_files_queued_behind_a_busy_worker_keep_their_whole_time_limit(tmp_path):
    """Several files wait per worker (no idle round trip), and a file's time limit runs
    from when its turn comes, not from when it was queued: four files of 1 s each on one
    worker, a 2.5 s limit, all finish (counted from submission, the third would not)."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from provenance.model.report import Report
    from provenance.options import CheckOptions
    from provenance.scanning.engine import ScanOptions, run

    class OneWorker(ThreadPoolExecutor):
        """The user's executor; each file costs 1 s of its one worker."""

        def __init__(self):
            super().__init__(max_workers=1)
            self.lock, self.queued, self.most_queued = threading.Lock(), 0, 0

        def submit(self, fn, path, *args, **kwargs):
            with self.lock:
                self.queued += 1
                self.most_queued = max(self.most_queued, self.queued)

            def one_second():
                time.sleep(1.0)
                with self.lock:
                    self.queued -= 1
                return Report(path=path)

            return super().submit(one_second)

    files = []
    for i in range(4):
        (tmp_path / f"f{i}.jpg").write_bytes(b"x" * (i + 1))
        files.append(str(tmp_path / f"f{i}.jpg"))
    with OneWorker() as executor:
        options = ScanOptions(
            jobs=1, executor=executor, dedupe=False, check=CheckOptions(timeout_s=2.5)
        )
        reports = list(run(files, options))
    assert [r.status for r in reports] == ["ok"] * 4, [r.error for r in reports]
    assert executor.most_queued == 4


def test_dask_workers_keep_the_default_allocator():
    """Dask's nannies would start workers with MALLOC_TRIM_THRESHOLD_ set, which made every
    check ~1.5x slower there than in the local pool (docs/performance.md, scale)."""
    from provenance.scanning.executors import dask_executor

    with dask_executor("local:1") as executor:
        seen = executor.client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_", "unset"))
    assert list(seen.values()) == ["unset"]


def test_small_files_share_a_task_and_the_rest_go_alone(tmp_path):
    """Consecutive small regular files are grouped up to the count and the byte budget;
    a larger file, a FIFO (it could block a whole batch) and a missing path go alone."""
    from provenance.scanning.engine import _Ready, _units

    sizes = {"a": 100, "b": 200, "c": 300, "big": 2000, "d": 400, "e": 500, "f": 600, "g": 50}
    paths = {}
    for name, size in sizes.items():
        paths[name] = str(tmp_path / f"{name}.jpg")
        Path(paths[name]).write_bytes(b"x" * size)
    os.mkfifo(tmp_path / "fifo.mp4")
    paths["fifo"] = str(tmp_path / "fifo.mp4")
    paths["gone"] = str(tmp_path / "gone.jpg")
    ready = _Ready(provenance.Report(path="refused"))
    order = ["a", "b", "c", "big", "d", ready, "e", "fifo", "f", "gone", "g"]
    items = [paths[n] if isinstance(n, str) else n for n in order]
    # At most 3 files and 1,000 bytes a task: a+b+c (600 bytes, full at c), big alone
    # (over the budget), the ready report as it comes, the FIFO alone while d waits for
    # company, d+e (900: f would make 1,500), the missing path alone, then f+g at the end.
    units = list(_units(iter(items), 3, 1000))
    named = {v: k for k, v in paths.items()}
    assert [u if isinstance(u, _Ready) else [named[p] for p in u] for u in units] == [
        ["a", "b", "c"],
        ["big"],
        ready,
        ["fifo"],
        ["d", "e"],
        ["gone"],
        ["f", "g"],
    ]
    assert [[named[p] for p in u] for u in _units(iter(items[:3]), 1, 1000)] == [
        ["a"],
        ["b"],
        ["c"],
    ]


def test_dask_batches_small_files_and_splits_a_batch_past_its_time_limit(tmp_path):
    """On a real cluster, small clips share one task; with a time limit of half the batch's
    time, many times any one clip's, the batch is given up and every clip runs alone and
    gets its report (none is reported as timed out for its neighbours)."""
    import time

    from provenance.scanning.executors import dask_executor

    clip = SAMPLES.parent / "false_claims" / "sora1_480x720_unsigned.mp4"  # ~0.3 s, 311 KB
    folder = tmp_path / "clips"
    folder.mkdir()
    count = 24
    with dask_executor("local:1") as executor:
        # A batch long enough that half of it also covers a replaced worker's first
        # check (its imports and models: ~1.5 s) with room to spare.
        executor.batch_files, executor.batch_bytes = count, count * clip.stat().st_size
        for i in range(count):
            shutil.copy(clip, folder / f"copy{i:02d}.mp4")
        client = executor.client
        list(provenance.scan([clip], executor=executor))  # the worker loads its models
        client.get_task_stream()  # starts the recording

        def tasks(since: float) -> list[str]:
            return [t["key"].split("-")[0] for t in client.get_task_stream(start=since)]

        started = time.time()
        reports = list(provenance.scan([folder], executor=executor, dedupe=False, timeout_s=0))
        assert [r.status for r in reports] == ["ok"] * count
        assert tasks(started) == ["check_batch"]
        limit = sum(r.elapsed_s for r in reports) / 2
        assert limit > 8 * max(r.elapsed_s for r in reports)
        started = time.time()
        reports = list(provenance.scan([folder], executor=executor, dedupe=False, timeout_s=limit))
        assert [r.status for r in reports] == ["ok"] * count, [r.error for r in reports]
        assert tasks(started).count("check_task") == count
