"""A corpus of broken, hostile and odd inputs: each yields exactly one report, with a clear
one-line reason when it fails, no traceback, exit code 2, and the rest of the scan done.

The corpus is built by the tests from the project's samples and the shared fixtures (the
malformed fixtures are used as they are): zero-byte files, files truncated inside each
structure, wrong extensions, non-media bytes, MP4 boxes whose sizes lie, deep nesting,
decompression bombs, absurd frame counts and rates, broken links, a link loop, a folder,
a file name that is not UTF-8. From the hostile-input review (issue 13, built with
fuzz/hostile.py): sample-table bombs, 20,000 empty boxes in one container, a name of 253
bytes beside a same-size sibling, a name full of terminal control sequences, and (in the
scan) a link out of the scanned folder.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest

import provenance
from provenance.readers.metadata import bmff
from provenance.scanning.engine import ScanOptions, iter_files, run
from tests.cli_run import json_lines
from tests.conftest import tool

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent / "provenance"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CLIP = SAMPLES / "credentials" / "gen_clip.mp4"  # C2PA uuid box, mdat, then moov
STILL = SAMPLES / "clips" / "plain_still.jpg"
PNG = SAMPLES / "credentials" / "gen_image.png"
SIGNED_JPEG = SAMPLES / "credentials" / "gen_image.jpg"  # APP11 C2PA segments

ANY = ("ok", "error")


def _boxes(data: bytes) -> dict[str, bmff.Box]:
    """First box of each type, anywhere in the tree."""
    facts = bmff._Walker(io.BytesIO(data), len(data))
    found: dict[str, bmff.Box] = {}
    for box in bmff._iter(facts.walk(0, len(data), 0)):
        found.setdefault(box.uuid and box.type + ":" + box.uuid[:8] or box.type, box)
    return found


def _patch(data: bytes, offset: int, fmt: str, *values) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, *values)
    return bytes(out)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", len(body), kind) + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_bomb(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 4096)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def _jpeg_with_size(jpeg: bytes, width: int, height: int) -> bytes:
    """The same JPEG with its SOF header declaring another size (a bomb header)."""
    pos = 2
    while pos + 4 <= len(jpeg):
        code = jpeg[pos + 1]
        length = struct.unpack(">H", jpeg[pos + 2 : pos + 4])[0]
        if code in (0xC0, 0xC1, 0xC2):
            return _patch(jpeg, pos + 5, ">HH", height, width)
        pos += 2 + length
    raise AssertionError("no SOF segment")


def _jpeg_segment(jpeg: bytes, code: int) -> tuple[int, int]:
    pos = 2
    while pos + 4 <= len(jpeg):
        length = struct.unpack(">H", jpeg[pos + 2 : pos + 4])[0]
        if jpeg[pos + 1] == code:
            return pos, length
        pos += 2 + length
    raise AssertionError(f"no segment {code:#x}")


def _nested(depth: int) -> bytes:
    data = b""
    for _ in range(depth):
        data = struct.pack(">I4s", len(data) + 8, b"moov") + data
    return struct.pack(">I4s4s", 12, b"ftyp", b"isom") + data


def build_corpus(root: Path, fixtures: Path) -> dict[str, tuple[tuple[str, ...], str]]:
    """Write the corpus into ``root``; name → (allowed statuses, reason fragment)."""
    clip, still, png = CLIP.read_bytes(), STILL.read_bytes(), PNG.read_bytes()
    signed = SIGNED_JPEG.read_bytes()
    box = _boxes(clip)
    c2pa_box, mdat, moov = box["uuid:d8fec3d6"], box["mdat"], box["moov"]
    avc1, mdhd, stts = box["stsd"], box["mdhd"], box["stts"]
    rng = random.Random(7)
    cases: dict[str, tuple[bytes, tuple[str, ...], str]] = {
        "empty.jpg": (b"", ("error",), "empty file (0 bytes)"),
        "empty.mp4": (b"", ("error",), "empty file (0 bytes)"),
        "text.mp4": (b"this is not a video\n" * 50, ("error",), "not a recognised"),
        "text.jpg": (b"<html>not an image</html>\n", ("error",), "not a recognised"),
        "random.mp4": (rng.randbytes(50_000), ("error",), "not a recognised"),
        "random.jpg": (rng.randbytes(4096), ("error",), "not a recognised"),
        # truncated at many points
        "cut_in_ftyp.mp4": (clip[:10], ("error",), ""),
        "cut_after_ftyp.mp4": (clip[: box["ftyp"].size], ("error",), ""),
        "cut_in_c2pa_box.mp4": (clip[: c2pa_box.offset + c2pa_box.size // 2], ("error",), ""),
        "cut_in_mdat.mp4": (clip[: mdat.offset + mdat.size // 2], ("error",), ""),
        "cut_in_moov.mp4": (clip[: moov.offset + moov.size // 2], ("error",), ""),
        "cut_last_byte.mp4": (clip[:-1], ANY, ""),
        "cut_in_jpeg_header.jpg": (still[:3], ANY, ""),
        "cut_in_app11.jpg": (signed[: _jpeg_segment(signed, 0xEB)[0] + 300], ("error",), ""),
        "cut_in_scan.jpg": (still[: len(still) // 2], ANY, ""),
        "cut_in_png_ihdr.png": (png[:20], ("error",), ""),
        "cut_in_png_idat.png": (png[: len(png) // 2], ANY, ""),
        # wrong extensions both ways: the bytes decide
        "still_named.mp4": (still, ("ok",), ""),
        "clip_named.jpg": (clip, ("ok",), ""),
        "png_named.webp": (png, ("ok",), ""),
        # MP4 boxes whose sizes lie
        "moov_size_zero.mp4": (_patch(clip, moov.offset, ">I", 0), ANY, ""),
        "mdat_size_past_end.mp4": (_patch(clip, mdat.offset, ">I", 0xFFFFFFF0), ANY, ""),
        "c2pa_size_below_header.mp4": (_patch(clip, c2pa_box.offset, ">I", 3), ANY, ""),
        "mdat_huge_64bit.mp4": (
            _patch(clip, mdat.offset, ">I4s", 1, b"mdat")[: mdat.offset + 8]
            + struct.pack(">Q", 1 << 62)
            + clip[mdat.offset + 16 :],
            ANY,
            "",
        ),
        "lying_top_level.mp4": (
            struct.pack(">I4s4s", 12, b"ftyp", b"isom")
            + struct.pack(">I4s", 10**9, b"moov")
            + b"\0" * 64,
            ("error",),
            "",
        ),
        "deep_nesting.mp4": (_nested(20_000), ("error",), ""),
        # decompression bombs
        "bomb_100000x100000.png": (_png_bomb(100_000, 100_000), ("error",), "pixel"),
        "bomb_65000x65000.jpg": (_jpeg_with_size(still, 65_000, 65_000), ("error",), "pixel"),
        "bomb_avc1_65535.mp4": (
            _patch(clip, avc1.offset + 16 + 8 + 24, ">HH", 65535, 65535),
            ANY,
            "",
        ),
        # frame count and rate zero or absurd
        "timescale_zero.mp4": (_patch(clip, mdhd.offset + 20, ">I", 0), ANY, ""),
        "duration_huge.mp4": (_patch(clip, mdhd.offset + 24, ">I", 0xFFFFFFFF), ANY, ""),
        "sample_count_huge.mp4": (_patch(clip, stts.offset + 16, ">I", 0x7FFFFFFF), ANY, ""),
        "sample_delta_zero.mp4": (_patch(clip, stts.offset + 20, ">I", 0), ANY, ""),
    }
    expected = {}
    for name, (data, statuses, reason) in cases.items():
        (root / name).write_bytes(data)
        expected[name] = (statuses, reason)
    malformed = fixtures / "c2pa"
    for name in (
        "nested_moov_1000.mp4",
        "riff_bomb_1000.wav",
        "tiff_poc.tiff",
        "no_alg.jpg",
        "prerelease.jpg",
    ):
        shutil.copy(malformed / name, root / name)
    expected["nested_moov_1000.mp4"] = (("error",), "")
    expected["riff_bomb_1000.wav"] = (ANY, "")
    expected["tiff_poc.tiff"] = (("error",), "")
    expected["no_alg.jpg"] = (("ok",), "")  # the manifest is unreadable, the image is fine
    expected["prerelease.jpg"] = (("ok",), "")
    os.symlink(root / "missing.jpg", root / "broken_link.jpg")
    os.symlink(root / "loop_b.jpg", root / "loop_a.jpg")
    os.symlink(root / "loop_a.jpg", root / "loop_b.jpg")
    expected["broken_link.jpg"] = (("error",), "file not found")
    expected["loop_a.jpg"] = (("error",), "symbolic links")
    expected["loop_b.jpg"] = (("error",), "symbolic links")
    odd = os.fsdecode(b"caf\xe9 \xff.jpg")  # not UTF-8: surrogate escapes in Python
    (root / odd).write_bytes(still)
    expected[odd] = (("ok",), "")
    sys.path.insert(0, str(SAMPLES.parent))
    try:
        from fuzz import hostile
    finally:
        sys.path.pop(0)
    refused = "refused before decoding"
    hostile_cases = {
        "sample_table_bomb_1_track.mp4": (hostile.sample_table_bomb(1), ("error",), refused),
        "sample_table_bomb_3_tracks.mp4": (hostile.sample_table_bomb(3), ("error",), refused),
        "boxes_20000_empty_mdhd.mp4": (hostile.many_empty_boxes(20_000), ("ok",), ""),
        "图" * 83 + ".jpg": (still, ("ok",), ""),  # 253 bytes: NAME.c2pa is past NAME_MAX
        "long_name_sibling.jpg": (still[:-1] + b"\x00", ANY, ""),  # same size: hashed
        "\x1b[1A\x1b[2K\x1b]0;title\x07.jpg": (still, ("ok",), ""),
    }
    for name, (data, statuses, reason) in hostile_cases.items():
        (root / name).write_bytes(data)
        expected[name] = (statuses, reason)
    return expected


def _assert_one_report_each(reports: list[dict], expected: dict) -> None:
    by_name: dict[str, list[dict]] = {}
    for report in reports:
        by_name.setdefault(os.path.basename(report["path"]), []).append(report)
    assert sorted(by_name) == sorted(expected), set(by_name) ^ set(expected)
    for name, (statuses, reason) in expected.items():
        (report,) = by_name[name]  # exactly one report per input
        assert report["status"] in statuses, (name, report["status"], report["error"])
        if report["status"] == "error":
            error = report["error"]
            assert error and "\n" not in error and "Traceback" not in error, (name, error)
            assert reason in error, (name, error)
            assert name in report["verdict"]["summary"], report["verdict"]["summary"]
        else:
            assert not report["error"], (name, report["error"])


def _clean_terminal(result: subprocess.CompletedProcess) -> None:
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream and "Warning" not in stream, stream[-3000:]
        assert "[ERROR" not in stream, stream[-3000:]  # OpenCV/FFmpeg log lines
        assert "\x1b" not in stream and "\a" not in stream  # names are shown escaped


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, fixtures) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("faults")
    expected = build_corpus(root, fixtures)
    (root / "100%d_pattern.mp4").write_bytes(CLIP.read_bytes())  # not an image sequence
    expected["100%d_pattern.mp4"] = (("ok",), "")
    return root, expected


def test_scan_of_the_fault_corpus(corpus, tmp_path):
    root, expected = corpus
    expected = dict(expected)
    os.mkfifo(root / "stuck_fifo.mp4")  # opening it blocks: the time limit must end it
    expected["stuck_fifo.mp4"] = (("error",), "timed out after 6 s")
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(STILL.read_bytes())
    os.symlink(outside, root / "link_out_of_the_tree.jpg")  # checked when named, not found
    expected["link_out_of_the_tree.jpg"] = (("error",), "outside the scanned folders")
    try:
        out = tmp_path / "out.jsonl"
        result = subprocess.run(
            [
                str(BIN),
                "scan",
                str(root),
                "--jobs",
                "2",
                "--timeout",
                "6",
                "--output",
                str(out),
                "--detectors",
                "invisible",
                "--no-progress",
            ],
            capture_output=True,
            text=True,
            timeout=240,
            stdin=subprocess.DEVNULL,
        )
    finally:
        os.unlink(root / "stuck_fifo.mp4")
        os.unlink(root / "link_out_of_the_tree.jpg")
    assert result.returncode == 2, result.stderr[-3000:]
    _clean_terminal(result)
    _assert_one_report_each(json_lines(out.read_text("utf-8")), expected)
    assert f"Scanned {len(expected)} file(s)" in result.stdout
    for name, (statuses, _) in expected.items():
        if statuses == ("error",):
            assert (
                ": " in result.stdout
                and name in os.fsdecode(result.stdout.encode("utf-8", "surrogateescape"))
                or not name.isascii()
            )


def test_check_of_the_fault_corpus(corpus):
    root, expected = corpus
    expected = dict(expected)
    (root / "a_folder").mkdir(exist_ok=True)
    expected["a_folder"] = (("error",), "is a directory")
    files = sorted(os.listdir(root))
    result = subprocess.run(
        [str(BIN), "check", "--json", "--detectors", "invisible", *[str(root / f) for f in files]],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 2, result.stderr[-3000:]
    _clean_terminal(result)
    reports = json_lines(result.stdout)
    assert [os.path.basename(r["path"]) for r in reports] == files  # argument order
    _assert_one_report_each(reports, expected)
    bomb = next(r for r in reports if r["path"].endswith("bomb_100000x100000.png"))
    assert "10,000,000,000 pixels" in bomb["error"] and "100,000,000 pixel limit" in bomb["error"]


def test_check_timeout_stops_a_stuck_file(tmp_path):
    fifo = tmp_path / "stuck.mp4"
    os.mkfifo(fifo)
    started = time.monotonic()
    result = subprocess.run(
        [str(BIN), "check", "--json", "--timeout", "3", "--detectors", "", str(fifo), str(STILL)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert time.monotonic() - started < 60
    assert result.returncode == 2, result.stderr
    first, second = json_lines(result.stdout)
    assert first["status"] == "error" and first["error"] == "timed out after 3 s"
    assert "stuck.mp4" in first["verdict"]["summary"]
    assert second["status"] == "ok"


def test_non_utf8_name_round_trips_through_json_lines_and_resume(tmp_path):
    name = os.fsencode("caf") + b"\xe9.jpg"
    folder = tmp_path / "media"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), name), "wb") as fh:
        fh.write(STILL.read_bytes())
    out = tmp_path / "out.jsonl"
    args = [
        str(BIN),
        "scan",
        str(folder),
        "--output",
        str(out),
        "--detectors",
        "",
        "--no-progress",
        "--html",
        str(tmp_path / "r.html"),
    ]
    first = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    raw = out.read_bytes()
    raw.decode("utf-8")  # valid UTF-8 JSON Lines
    (report,) = json_lines(raw.decode("utf-8"))
    assert os.fsencode(report["path"]).endswith(name)  # the exact bytes come back
    assert "caf\\xe9.jpg" in (tmp_path / "r.html").read_text("utf-8")
    again = subprocess.run(args + ["--resume"], capture_output=True, text=True, timeout=120)
    assert "Skipped 1 file(s)" in again.stdout, again.stdout


def _without_root_powers(args: list[str]) -> list[str]:
    """Root reads everything: run without the capabilities that bypass permissions."""
    if os.geteuid() != 0:
        return args
    setpriv = tool("setpriv")  # as root, permissions cannot be tested without it
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", *args]


@pytest.mark.needs_tools
def test_unreadable_file_and_folder_are_error_reports(tmp_path):
    locked = tmp_path / "locked.jpg"
    locked.write_bytes(STILL.read_bytes())
    locked.chmod(0)
    closed = tmp_path / "closed"
    closed.mkdir()
    shutil.copy(STILL, closed / "inside.jpg")
    closed.chmod(0)
    shutil.copy(STILL, tmp_path / "fine.jpg")
    try:
        result = subprocess.run(
            _without_root_powers(
                [
                    str(BIN),
                    "check",
                    "--json",
                    "--detectors",
                    "",
                    str(locked),
                    str(tmp_path / "fine.jpg"),
                ]
            ),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 2, result.stderr
        first, second = json_lines(result.stdout)
        assert first["status"] == "error" and first["error"] == "permission denied"
        assert "locked.jpg" in first["verdict"]["summary"]
        assert second["status"] == "ok"
        scan = subprocess.run(
            _without_root_powers(
                [
                    str(BIN),
                    "scan",
                    str(tmp_path),
                    "--json",
                    "--jobs",
                    "1",
                    "--detectors",
                    "",
                    "--no-progress",
                ]
            ),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert scan.returncode == 2, scan.stderr
        by_name = {Path(r["path"]).name: r for r in json_lines(scan.stdout)}
        assert sorted(by_name) == ["closed", "fine.jpg", "locked.jpg"]
        assert by_name["closed"]["error"] == "permission denied"
        assert by_name["fine.jpg"]["status"] == "ok"
    finally:
        closed.chmod(0o755)
        locked.chmod(0o644)


def test_files_that_grow_or_vanish_during_a_scan(tmp_path):
    folder = tmp_path / "media"
    folder.mkdir()
    for i in range(6):
        shutil.copy(STILL, folder / f"still_{i}.jpg")
    growing = folder / "growing.mp4"
    shutil.copy(CLIP, growing)
    vanishing = folder / "vanishing.jpg"
    shutil.copy(STILL, vanishing)
    files = list(iter_files([folder]))
    vanishing.unlink()  # listed, then gone before its check
    stop = threading.Event()

    def grow():
        with open(growing, "ab") as fh:
            while not stop.is_set():
                fh.write(b"\0" * 4096)
                fh.flush()
                time.sleep(0.002)

    writer = threading.Thread(target=grow)
    writer.start()
    try:
        options = ScanOptions(jobs=1, check=provenance.CheckOptions(detectors=(), timeout_s=None))
        reports = list(run(files, options))
    finally:
        stop.set()
        writer.join()
    by_name = {Path(r.path).name: r for r in reports}
    assert len(reports) == len(files) == len(by_name)
    assert by_name["vanishing.jpg"].status == "error"
    assert by_name["vanishing.jpg"].error == "file not found"
    assert by_name["growing.mp4"].status in ANY
    assert all(by_name[f"still_{i}.jpg"].status == "ok" for i in range(6))


def test_pixel_limit_is_ours_and_leaves_pillows_setting_alone(tmp_path, samples):
    """A library must not change its host's process-wide settings: Pillow's
    MAX_IMAGE_PIXELS is the embedding program's. Our own limit still refuses a picture that
    Pillow by default only warns about (between its limit and twice it)."""
    from PIL import Image

    import provenance
    from provenance.frames import MAX_FRAME_PIXELS

    host_setting = 12_345_678_901
    before = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = host_setting
    try:
        assert provenance.check(samples / "clips" / "sparkle_still.jpg").status == "ok"
        width, height = 12_000, 10_000  # 120 Mpx: over ours, under twice Pillow's default
        assert MAX_FRAME_PIXELS < width * height < 2 * 89_478_485
        bomb = tmp_path / "wide.png"
        bomb.write_bytes(_png_bomb(width, height))
        report = provenance.check(bomb)
        assert report.status == "error" and "pixel limit" in report.error
        assert host_setting == Image.MAX_IMAGE_PIXELS
    finally:
        Image.MAX_IMAGE_PIXELS = before
