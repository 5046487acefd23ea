"""CSV output (--format csv) and `provenance report` re-rendering stored JSON Lines."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import provenance
from provenance.formatters import spreadsheet

BIN = Path(sys.executable).parent / "provenance"
DOC = Path(__file__).resolve().parent.parent / "docs" / "report.md"


def run(*args):
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, timeout=300)


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_columns_are_the_documented_ones():
    """docs/report.md lists the columns in order: the table and the code agree."""
    text = DOC.read_text("utf-8")
    section = text.split("## CSV", 1)[1].split("\n## ", 1)[0]
    documented = [line.split("|")[1].strip(" `") for line in section.splitlines()
                  if line.startswith("| `")]  # fmt: skip
    assert documented == list(spreadsheet.HEADER)


def test_check_format_csv(samples, tmp_path):
    files = [
        samples / "credentials" / "gen_image.jpg",
        samples / "clips" / "plain_still.jpg",
        samples / "credentials" / "tampered_pixels.jpg",
        samples / "credentials" / "README.md",
    ]
    result = run("check", "--format", "csv", *files)
    assert result.returncode == 2  # README.md is not media
    got = rows(result.stdout)
    assert list(got[0]) == list(spreadsheet.HEADER)
    by_name = {Path(r["path"]).name: r for r in got}
    assert by_name["gen_image.jpg"]["ai_generated"] == "yes"
    assert by_name["gen_image.jpg"]["ai_extent"] == "generated"
    assert float(by_name["gen_image.jpg"]["confidence"]) > 0.9
    assert by_name["plain_still.jpg"]["ai_generated"] == "unknown"
    assert by_name["plain_still.jpg"]["confidence"] == ""  # never 0.00 for unknown
    assert by_name["tampered_pixels.jpg"]["marks_stripped"] == "yes"
    assert by_name["tampered_pixels.jpg"]["stripped"] == "c2pa-invalidated"
    err = by_name["README.md"]
    assert err["status"] == "error" and err["error"] and err["ai_generated"] == ""
    data = (samples / "credentials" / "gen_image.jpg").read_bytes()
    import hashlib

    assert by_name["gen_image.jpg"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert "Scanned" not in result.stdout and "media:" not in result.stdout


def test_hostile_cells_are_defused(tmp_path, samples):
    data = (samples / "clips" / "plain_still.jpg").read_bytes()
    cell = spreadsheet.row(provenance.check(data, name="=HYPERLINK(1)\x1b[2J.jpg"))[0]
    assert cell.startswith("'") and "\x1b" not in cell and "\\x1b" in cell
    assert spreadsheet.cell("-1+2") == "'-1+2"
    assert spreadsheet.cell("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet.cell(["a", "b"]) == "a; b"


def test_json_and_csv_contradict():
    result = run("check", "--json", "--format", "csv", "x.jpg")
    assert result.returncode == 2
    assert "contradict" in result.stderr


def test_report_rerenders_an_interrupted_scan(samples, tmp_path):
    folder = tmp_path / "media"
    folder.mkdir()
    for name in ("gen_image.jpg", "tampered_pixels.jpg", "captured.jpg"):
        shutil.copy(samples / "credentials" / name, folder / name)
    out = tmp_path / "results.jsonl"
    scan = run("scan", folder, "-j", "1", "-o", out, "--no-progress")
    assert scan.returncode == 1, scan.stderr
    lines = out.read_text("utf-8").splitlines()
    assert len(lines) == 3
    # An interrupted scan: the last line was cut halfway through.
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:2]) + "\n" + lines[2][: len(lines[2]) // 2], "utf-8")
    html, table = tmp_path / "page.html", tmp_path / "table.csv"
    result = run("report", cut, "--html", html, "--csv", table)
    assert result.returncode == 0, result.stderr
    assert "line 3" in result.stderr and "skipped" in result.stderr
    got = rows(table.read_text("utf-8"))
    assert [r["path"] for r in got] == [json.loads(line)["path"] for line in lines[:2]]
    page = html.read_text("utf-8")
    for line in lines[:2]:
        assert Path(json.loads(line)["path"]).name in page
    assert Path(json.loads(lines[2])["path"]).name not in page
    # The full file renders all three, to stdout too.
    full = run("report", out, "--csv", "-")
    assert full.returncode == 0
    assert len(rows(full.stdout)) == 3


def test_report_shows_each_file_with_its_last_report(samples, tmp_path):
    """A file checked again (a quick scan, then a full check of what it left open, added
    with --append; or --resume of a changed file) has a second line, and the last one per
    path counts (docs/scanning.md): the page and the table show it once, in the place it
    first had, with what the later check found."""
    gen, cam = samples / "credentials" / "gen_image.jpg", samples / "credentials" / "captured.jpg"
    out = tmp_path / "results.jsonl"
    quick = run("scan", gen, cam, "-j", "1", "--depth", "quick", "-o", out, "--no-progress")
    assert quick.returncode in (0, 1), quick.stderr
    first = [json.loads(line)["path"] for line in out.read_text("utf-8").splitlines()]
    assert sorted(Path(p).name for p in first) == ["captured.jpg", "gen_image.jpg"]
    full = run("scan", gen, "-j", "1", "-o", out, "--append", "--no-progress")
    assert full.returncode in (0, 1), full.stderr
    assert len(out.read_text("utf-8").splitlines()) == 3
    page = tmp_path / "page.html"
    result = run("report", out, "--csv", "-", "--html", page)
    assert result.returncode == 0, result.stderr
    got = [(r["path"], r["depth"]) for r in rows(result.stdout)]
    depth = {str(gen): "full", str(cam): "quick"}
    assert got == [(p, depth[p]) for p in first]
    assert "later report for 1 of its files" in result.stderr
    assert "2 file(s)." in page.read_text("utf-8")
    # The library's renderer takes the stored file the same way.
    from provenance.formatters import html

    again = tmp_path / "again.html"
    html.from_jsonl(str(out), str(again))
    assert "2 file(s)." in again.read_text("utf-8")


def test_report_refusals(tmp_path, samples):
    assert run("report", samples / "clips" / "truth.json").returncode == 2  # nothing asked
    empty = tmp_path / "empty.jsonl"
    empty.write_text("not json\n")
    result = run("report", empty, "--csv", tmp_path / "x.csv")
    assert result.returncode == 2 and "holds no reports" in result.stderr
    assert not (tmp_path / "x.csv").exists()
    stored = tmp_path / "r.jsonl"
    stored.write_text(provenance.check(samples / "clips" / "plain_still.jpg").to_json() + "\n")
    same = run("report", stored, "--csv", stored)
    assert same.returncode == 2 and "refusing" in same.stderr
    assert json.loads(stored.read_text())["path"].endswith("plain_still.jpg")
