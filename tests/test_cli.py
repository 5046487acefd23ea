"""The command line and the library's scan: exit codes, JSON Lines, errors as reports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import provenance

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent / "provenance"


def run(*args, cwd=None):
    return subprocess.run(
        [str(BIN), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300
    )


@pytest.fixture()
def bad_files(tmp_path, fixtures):
    d = tmp_path / "bad"
    d.mkdir()
    (d / "empty.jpg").write_bytes(b"")
    (d / "text.mp4").write_text("this is not a video\n")
    (d / "random.jpg").write_bytes(os.urandom(4096))
    data = (fixtures / "c2pa" / "P1000827.jpg").read_bytes()
    (d / "truncated.jpg").write_bytes(data[: len(data) // 3])
    clip = (fixtures / "c2pa" / "video1_no_manifest.mp4").read_bytes()
    (d / "truncated.mp4").write_bytes(clip[:2000])
    return d


def test_check_json_lines_and_exit_codes(fixtures):
    clean = run("check", "--json", "--detectors", "", fixtures / "c2pa" / "P1000827.jpg")
    assert clean.returncode == 0, clean.stderr
    flagged = run(
        "check",
        "--json",
        "--detectors",
        "",
        fixtures / "c2pa" / "XCA.jpg",
        fixtures / "c2pa" / "P1000827.jpg",
    )
    assert flagged.returncode == 1
    lines = flagged.stdout.splitlines()
    assert len(lines) == 2
    assert [json.loads(line)["verdict"]["stripped"] for line in lines] == [["c2pa-invalidated"], []]


def test_errors_are_reports_and_exit_2_wins(bad_files, fixtures):
    files = sorted(bad_files.iterdir()) + [fixtures / "c2pa" / "XCA.jpg"]
    result = run("check", "--json", *files)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(reports) == len(files)
    by_name = {Path(r["path"]).name: r for r in reports}
    for name in ("empty.jpg", "text.mp4", "random.jpg", "truncated.jpg", "truncated.mp4"):
        assert by_name[name]["status"] == "error", by_name[name]
        assert by_name[name]["error"] and "\n" not in by_name[name]["error"]
    assert "0 bytes" in by_name["empty.jpg"]["error"]
    assert by_name["XCA.jpg"]["status"] == "ok"


def test_readable_summary(fixtures):
    result = run("check", "--detectors", "", fixtures / "c2pa" / "XCA.jpg")
    assert result.returncode == 1
    # Stripping in words for people (the id c2pa-invalidated stays in the JSON).
    assert "marks stripped: yes: Content Credentials invalidated" in result.stdout
    assert "assertion.dataHash.mismatch" in result.stdout


def test_usage_error_is_exit_2(tmp_path):
    assert run("check").returncode == 2
    assert run("check", "--detectors", "nonsense", tmp_path).returncode == 2


def test_help_lists_options():
    out = run("scan", "--help").stdout
    for flag in (
        "--include",
        "--exclude",
        "--jobs",
        "--output",
        "--json",
        "--trust-anchors",
        "--allow-network",
        "Exit codes",
    ):
        assert flag in out


def test_scan_writes_one_line_per_file(tmp_path, fixtures, bad_files):
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    for name in ("XCA.jpg", "P1000827.jpg", "video1_no_manifest.mp4"):
        shutil.copy(fixtures / "c2pa" / name, tree / "sub" / name)
    shutil.copy(bad_files / "empty.jpg", tree / "empty.jpg")
    (tree / "notes.txt").write_text("skip me")
    os.symlink(tree, tree / "sub" / "loop")  # a symlink loop must not recurse forever
    os.symlink(tree / "missing.jpg", tree / "broken.jpg")
    out = tmp_path / "scan.jsonl"
    result = run(
        "scan", tree, "--jobs", "2", "--output", out, "--exclude", "*.txt", "--detectors", ""
    )
    assert result.returncode == 2, result.stderr
    reports = [json.loads(line) for line in out.read_text().splitlines()]
    names = sorted(Path(r["path"]).name for r in reports)
    assert names == ["P1000827.jpg", "XCA.jpg", "broken.jpg", "empty.jpg", "video1_no_manifest.mp4"]
    assert "Scanned 5 file(s)" in result.stdout
    assert "c2pa-removed" in result.stdout and "c2pa-invalidated" in result.stdout


def test_scan_include_and_json_stdout(tmp_path, fixtures):
    for name in ("XCA.jpg", "video1.mp4"):
        shutil.copy(fixtures / "c2pa" / name, tmp_path / name)
    result = run("scan", tmp_path, "--include", "*.mp4", "--json", "--jobs", "1", "--detectors", "")
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["path"].endswith("video1.mp4")
    assert "Scanned 1 file(s)" in result.stderr  # the summary stays off stdout with --json
    assert result.returncode == 0


def test_library_scan_matches_check(tmp_path, fixtures):
    for name in ("XCA.jpg", "no_manifest.jpg", "CA.jpg"):
        shutil.copy(fixtures / "c2pa" / name, tmp_path / name)
    scanned = {Path(r.path).name: r for r in provenance.scan([tmp_path], jobs=2, detectors=())}
    assert set(scanned) == {"XCA.jpg", "no_manifest.jpg", "CA.jpg"}
    for name, report in scanned.items():
        single = provenance.check(tmp_path / name, detectors=())
        assert report.verdict == single.verdict


def test_report_round_trips_to_json(fixtures):
    report = provenance.check(fixtures / "c2pa" / "C.jpg", detectors=())
    data = json.loads(report.to_json())
    assert data["schema"] == provenance.SCHEMA_VERSION
    assert data["c2pa"]["signer"]["common_name"] == "C2PA Signer"


def test_evidence_folders_of_same_named_files_differ(tmp_path):
    from provenance.evidence_images import evidence_folder

    a = evidence_folder(tmp_path, "day1/clip.mp4")
    b = evidence_folder(tmp_path, "day2/clip.mp4")
    assert a != b and a.name.startswith("clip.mp4-") and b.name.startswith("clip.mp4-")
    assert evidence_folder(tmp_path, "day1/clip.mp4") == a
