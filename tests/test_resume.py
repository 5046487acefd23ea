"""--resume: files already in the output (same path, size, mtime) are skipped."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from provenance.scanning import resume

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent / "provenance"
SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "credentials"


def _scan(folder, out, *extra):
    return subprocess.run(
        [
            str(BIN),
            "scan",
            str(folder),
            "--output",
            str(out),
            "--detectors",
            "",
            "--no-progress",
            "--jobs",
            "2",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_resume_skips_done_files_and_rechecks_changed_ones(tmp_path):
    folder = tmp_path / "media"
    folder.mkdir()
    for name in ("gen_image.jpg", "captured.jpg", "stripped_manifest.jpg"):
        shutil.copy(SAMPLES / name, folder / name)
    out = tmp_path / "scan.jsonl"
    first = _scan(folder, out)
    assert first.returncode == 1, first.stderr
    assert len(out.read_text().splitlines()) == 3
    with open(out, "a") as fh:
        fh.write('{"path": "half a line')  # the scan was killed mid-write
    shutil.copy(SAMPLES / "gen_image.png", folder / "new.png")
    st = os.stat(folder / "captured.jpg")
    os.utime(folder / "captured.jpg", (st.st_atime, st.st_mtime + 10))  # changed file
    second = _scan(folder, out, "--resume")
    assert second.returncode == 1, second.stderr  # old findings still count
    assert "Scanned 2 file(s)" in second.stdout
    assert "Skipped 2 file(s)" in second.stdout
    lines = [json.loads(line) for line in out.read_text().splitlines()]  # all parse
    names = [Path(r["path"]).name for r in lines]
    assert sorted(names[3:]) == ["captured.jpg", "new.png"]
    third = _scan(folder, out, "--resume")
    assert "Scanned 0 file(s)" in third.stdout and "Skipped 4 file(s)" in third.stdout
    assert len(out.read_text().splitlines()) == 5


def test_resume_needs_output(tmp_path):
    result = subprocess.run(
        [str(BIN), "scan", str(tmp_path), "--resume"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "--resume needs --output" in result.stderr


def test_plan_matches_path_size_and_mtime(tmp_path):
    a = tmp_path / "a.jpg"
    a.write_bytes(b"abc")
    out = tmp_path / "o.jsonl"
    path, size, mtime = resume.file_key(str(a))
    out.write_text(
        json.dumps({"path": str(a), "status": "ok", "file": {"size_bytes": size, "mtime": mtime}})
        + "\n"
    )
    assert resume.plan([str(a)], str(out)).todo == []
    a.write_bytes(b"abcd")
    assert resume.plan([str(a)], str(out)).todo == [str(a)]
