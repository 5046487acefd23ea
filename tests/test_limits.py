"""Limits and guarantees: decompression bombs are refused, box walks and metadata reads are
bounded, nothing touches the network without --allow-network, inputs are never modified,
and an interrupted scan (SIGINT, SIGTERM) leaves a valid output that --resume completes."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import tracemalloc
import warnings
import zlib
from pathlib import Path

import pytest

import provenance
from provenance.frames import MAX_FRAME_PIXELS
from provenance.readers import metadata
from provenance.readers.credentials import reader as credentials
from provenance.readers.metadata import bmff, xmp
from provenance.readers.probe import ProbeError, probe
from provenance.scanning import resume
from provenance.scanning.engine import iter_files
from tests.conftest import FIXTURES, require, tool

BIN = Path(sys.executable).parent / "provenance"
REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
STILL = SAMPLES / "clips" / "plain_still.jpg"


def _png(width: int, height: int, extra: bytes = b"") -> bytes:
    def chunk(kind, body):
        return (
            struct.pack(">I4s", len(body), kind) + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + extra
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )


def _gif(width: int, height: int) -> bytes:
    return (
        b"GIF89a"
        + struct.pack("<HH", width, height)
        + b"\x80\x00\x00"
        + b"\0" * 6
        + b","
        + struct.pack("<HHHH", 0, 0, width, height)
        + b"\x00\x02\x02\x44\x01\x00;"
    )


# ------------------------------------------------------------------ decompression bombs


@pytest.mark.parametrize(
    "name,data",
    [
        ("png_100000x100000.png", _png(100_000, 100_000)),
        ("png_12000x9000.png", _png(12_000, 9_000)),  # 108 Mpx: over our limit, under Pillow's
        ("gif_65535x65535.gif", _gif(65_535, 65_535)),
    ],
)
def test_image_bombs_are_refused_before_decoding(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    tracemalloc.start()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no DecompressionBombWarning on the terminal
        with pytest.raises(ProbeError, match=f"{MAX_FRAME_PIXELS:,} pixel limit"):
            probe(str(path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 32 * 1024 * 1024  # nothing was decoded


def test_jpeg_bomb_header_refused(tmp_path):
    data = bytearray(STILL.read_bytes())
    pos = 2
    while data[pos + 1] not in (0xC0, 0xC1, 0xC2):
        pos += 2 + struct.unpack(">H", data[pos + 2 : pos + 4])[0]
    struct.pack_into(">HH", data, pos + 5, 60_000, 60_000)
    path = tmp_path / "bomb.jpg"
    path.write_bytes(bytes(data))
    with pytest.raises(ProbeError, match="pixel limit"):
        probe(str(path))


# --------------------------------------------------------------------- bounded walking


def test_box_walk_is_bounded_in_count_and_depth():
    many = struct.pack(">I4s4s", 12, b"ftyp", b"isom") + struct.pack(">I4s", 8, b"free") * 50_000
    facts = bmff.read_container(io.BytesIO(many), len(many))
    assert facts.box_count == bmff.MAX_BOXES
    assert any(f"more than {bmff.MAX_BOXES} boxes" in p for p in facts.problems)
    deep = b""
    for _ in range(50_000):
        deep = struct.pack(">I4s", len(deep) + 8, b"trak") + deep
    facts = bmff.read_container(io.BytesIO(deep), len(deep))
    assert facts.box_count <= bmff.MAX_DEPTH + 1
    assert any("deeper than" in p for p in facts.problems)


def _function_calls(fn, *args) -> int:
    """Python and C function calls made by ``fn``: a deterministic measure of work."""
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(count)
    try:
        fn(*args)
    finally:
        sys.setprofile(None)
    return calls


@pytest.mark.slow
def test_box_walk_is_linear_in_the_number_of_boxes():
    """Thousands of empty mdhd boxes in one top-level container (the review's 647 kB file
    that still plays took 80 s): doubling the boxes at most doubles the work. Work is
    counted in function calls, not timed; the quadratic walk searched the tree for each
    mdhd's parent and compared boxes field by field, which grew 4x per doubling."""
    sys.path.insert(0, str(REPO))
    try:
        from fuzz import hostile
    finally:
        sys.path.pop(0)
    work = {}
    for count in (2_500, 5_000):
        data = hostile.many_empty_boxes(count)
        work[count] = _function_calls(bmff.read_container, io.BytesIO(data), len(data))
        assert bmff.sample_table_refusal(io.BytesIO(data), len(data)) is None
    assert work[5_000] < 2.2 * work[2_500], work
    review = hostile.many_empty_boxes(20_000)
    assert len(review) == 647_260
    facts = bmff.read_container(io.BytesIO(review), len(review))
    assert facts.box_count == bmff.MAX_BOXES


def _peak_rss_mb(args: list[str]) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``args`` from a fresh Python process and return the peak resident size of its
    largest descendant (the scan or one of its workers), in MB."""
    probe_rss = (
        "import json, resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(json.dumps([r.returncode, r.stdout, r.stderr,"
        " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))\n"
    )
    wrapper = subprocess.run(
        [sys.executable, "-c", probe_rss, *args], capture_output=True, text=True, timeout=300
    )
    code, out, err, peak_kb = json.loads(wrapper.stdout)
    return subprocess.CompletedProcess(args, code, out, err), peak_kb / 1024


@pytest.mark.e2e
def test_sample_table_bombs_are_refused_before_any_decoder(tmp_path):
    """8-9 kB MP4s whose extra tracks declare 85 million one-byte samples made the decoder
    allocate ~5 GB per file on open, and the report said ok. Now the probe's box walk
    refuses them (an error report naming the track) and no worker grows."""
    sys.path.insert(0, str(REPO))
    try:
        from fuzz import hostile
    finally:
        sys.path.pop(0)
    folder = tmp_path / "media"
    folder.mkdir()
    for tracks in (1, 3):
        (folder / f"bomb_{tracks}.mp4").write_bytes(hostile.sample_table_bomb(tracks))
    half = hostile.sample_table_bomb(1, samples=hostile.BOMB_SAMPLES // 2)
    (folder / "bomb_half.mp4").write_bytes(half)
    shutil.copy(hostile.BOMB_BASE, folder / "fine.mp4")
    assert all(p.stat().st_size < 10_000 for p in folder.iterdir())
    result, peak_mb = _peak_rss_mb(
        [str(BIN), "scan", str(folder), "--json", "--jobs", "2", "--no-progress"]
        + ["--detectors", "visible,invisible"]
    )
    assert result.returncode == 2, result.stderr[-2000:]
    reports = {Path(r["path"]).name: r for r in map(json.loads, result.stdout.splitlines())}
    assert sorted(reports) == ["bomb_1.mp4", "bomb_3.mp4", "bomb_half.mp4", "fine.mp4"]
    for name in ("bomb_1.mp4", "bomb_3.mp4", "bomb_half.mp4"):
        error = reports[name]["error"] or ""
        assert reports[name]["status"] == "error", reports[name]
        assert "track 2 declares" in error and "refused before decoding" in error, error
    assert reports["fine.mp4"]["status"] == "ok", reports["fine.mp4"]["error"]
    assert peak_mb < 1024, peak_mb


def test_huge_metadata_box_is_read_bounded(tmp_path):
    """A sparse 3 GB MP4 whose XMP box declares (and has) 3 GB: at most 4 MB are read."""
    path = tmp_path / "sparse.mp4"
    size = 3 * 1024**3
    with open(path, "wb") as fh:
        fh.write(struct.pack(">I4s4s", 12, b"ftyp", b"isom"))
        fh.write(struct.pack(">I4sQ", 1, b"uuid", size - 12) + bytes.fromhex(bmff.XMP_UUID))
        fh.write(b"<x:xmpmeta>")
        fh.truncate(size)
    tracemalloc.start()
    meta = metadata.read(str(path), media_of("video", "video/mp4"))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 3 * bmff.MAX_PAYLOAD_READ + 8 * 1024 * 1024
    assert meta.xmp is not None and meta.xmp.error  # the packet was cut, not followed


def test_compressed_text_bomb_is_inflated_bounded(tmp_path):
    bomb = zlib.compress(b"A" * (200 * 1024 * 1024), 9)  # 200 MB of text in ~200 kB
    body = b"parameters\x00\x00" + bomb
    chunk = (
        struct.pack(">I4s", len(body), b"zTXt")
        + body
        + struct.pack(">I", zlib.crc32(b"zTXt" + body))
    )
    path = tmp_path / "text_bomb.png"
    path.write_bytes(_png(8, 8, chunk))
    tracemalloc.start()
    meta = metadata.read(str(path), media_of("image", "image/png"))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 16 * 1024 * 1024
    assert any("decompresses to more than" in p for p in meta.problems)
    with pytest.raises(ProbeError, match="too large"):  # Pillow refuses it too
        probe(str(path))


@pytest.mark.e2e
def test_xmp_entity_expansion_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x ['
        + b"".join(b'<!ENTITY e%d "&e%d;&e%d;&e%d;&e%d;">' % (i + 1, i, i, i, i) for i in range(20))
        + b']><x:xmpmeta xmlns:x="adobe:ns:meta/">&e20;</x:xmpmeta>'
    )
    assert xmp.parse(bomb).error


def media_of(kind: str, mime: str):
    from provenance.model.records import MediaInfo

    return MediaInfo(kind=kind, mime=mime)


# ------------------------------------------------------------------------- no network


def _network_calls(trace: str) -> list[str]:
    return [
        line
        for line in trace.splitlines()
        if ("AF_INET" in line or "AF_INET6" in line) and ("connect(" in line or "socket(" in line)
    ]


def _traced_check(tmp_path: Path, prefix: list[str], *flags: str) -> tuple[dict, str]:
    """Run `provenance check` on cloud.jpg (a remote manifest) under strace; the report and
    the network system calls traced."""
    strace = tool("strace")
    log = tmp_path / f"trace{len(flags)}.txt"
    result = subprocess.run(
        [
            *prefix,
            strace,
            "-f",
            "-qq",
            "-e",
            "trace=%network",
            "-o",
            str(log),
            str(BIN),
            "check",
            "--json",
            "--detectors",
            "",
            *flags,
            str(FIXTURES / "c2pa" / "cloud.jpg"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode in (0, 1), result.stderr
    (report,) = map(json.loads, result.stdout.splitlines())
    return report, log.read_text()


@pytest.mark.needs_tools
@pytest.mark.e2e
def test_offline_unless_allowed(tmp_path):
    """cloud.jpg points at a remote manifest. Without --allow-network no socket is even
    opened (every process traced with strace)."""
    report, trace = _traced_check(tmp_path, [])
    assert report["c2pa"]["state"] == "remote" and not report["c2pa"]["remote_fetched"]
    assert report["c2pa"]["error"] is None  # no fetch was attempted
    assert _network_calls(trace) == []


@pytest.mark.needs_tools
@pytest.mark.e2e
def test_allow_network_tries_the_network(tmp_path):
    """The control: with --allow-network an attempt is seen, in a network namespace with no
    network (unshare -rn), so nothing leaves the machine."""
    unshare = tool("unshare")
    ok = subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0
    require(ok, "a network namespace (`unshare -rn`)")
    report, trace = _traced_check(tmp_path, [unshare, "-rn"], "--allow-network")
    assert _network_calls(trace), "control: --allow-network should try the network"
    assert report["c2pa"]["error"] == "the remote manifest could not be fetched"


# ------------------------------------------------------------------- inputs untouched


def _fingerprints(root: Path) -> dict[str, tuple]:
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            st = path.stat()
            out[str(path)] = (
                hashlib.sha256(path.read_bytes()).hexdigest(),
                st.st_size,
                st.st_mtime_ns,
                st.st_mode,
            )
    return out


@pytest.mark.needs_tools
@pytest.mark.e2e
def test_inputs_are_opened_read_only_and_never_changed(fixtures, tmp_path):
    root = tmp_path / "inputs"
    root.mkdir()
    for folder in (fixtures / "c2pa", SAMPLES):
        shutil.copytree(folder, root / folder.name, symlinks=True)
    before = _fingerprints(root)
    assert len(before) > 60
    args = [
        str(BIN),
        "scan",
        str(root),
        "--jobs",
        "2",
        "--detectors",
        "invisible,removal",
        "--output",
        str(tmp_path / "out.jsonl"),
        "--evidence",
        str(tmp_path / "ev"),
        "--no-progress",
    ]
    strace = shutil.which("strace")  # the fingerprints are compared without it, too
    log = tmp_path / "files.txt"
    if strace:
        args = [
            strace,
            "-f",
            "-qq",
            "-o",
            str(log),
            "-e",
            "trace=open,openat,creat,truncate,rename,renameat,renameat2,unlink,unlinkat,"
            "utimensat,chmod,fchmodat,chown,fchownat",
            *args,
        ]
    result = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert result.returncode in (1, 2), result.stderr[-2000:]
    assert _fingerprints(root) == before
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    # One report per media file (notes, keys and sidecars in the folders are skipped).
    assert len(lines) == len(list(iter_files([root]))) and len(lines) < len(before)
    require(strace, "the `strace` command (to see every open is read-only)")
    lines = log.read_text().splitlines()
    touching = [line for line in lines if str(root) in line and "O_RDONLY" not in line]
    assert touching == []


# ------------------------------------------------------------- interrupt, then resume


def _lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.mark.e2e
@pytest.mark.parametrize(
    "sig,to_group",
    [(signal.SIGINT, True), (signal.SIGTERM, False), (signal.SIGTERM, True)],
    ids=["sigint-group", "sigterm-process", "sigterm-group"],
)
def test_interrupted_scan_keeps_finished_reports_and_resumes(tmp_path, sig, to_group):
    folder = tmp_path / "media"
    folder.mkdir()
    still = STILL.read_bytes()
    for i in range(40):
        (folder / f"f{i:02d}.jpg").write_bytes(still + bytes([i]))  # 40 distinct files
    os.mkfifo(folder / "00_stuck.mp4")  # holds one worker forever (no time limit)
    out = tmp_path / "out.jsonl"
    base = [
        str(BIN),
        "scan",
        str(folder),
        "--jobs",
        "2",
        "--detectors",
        "",
        "--output",
        str(out),
        "--no-progress",
    ]
    proc = subprocess.Popen(
        [*base, "--timeout", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(_lines(out)) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    if to_group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted after" in stderr
    first = _lines(out)  # every line parses: nothing half-written
    assert len(first) >= 3
    names = [Path(r["path"]).name for r in first]
    assert len(names) == len(set(names))
    assert "00_stuck.mp4" not in names  # the file being read got no false report
    assert all(r["status"] == "ok" for r in first)
    resumed = subprocess.run(
        [*base, "--timeout", "3", "--resume"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert resumed.returncode == 2, resumed.stderr
    final = _lines(out)
    names = sorted(Path(r["path"]).name for r in final)
    assert names == sorted(os.listdir(folder))  # every file exactly once
    assert final[: len(first)] == first
    stuck = next(r for r in final if r["path"].endswith("00_stuck.mp4"))
    assert stuck["error"] == "timed out after 3 s"
    assert f"Skipped {len(first)} file(s)" in resumed.stdout


def test_oversized_sidecar_manifest_is_not_read(tmp_path):
    asset = tmp_path / "photo.jpg"
    shutil.copy(STILL, asset)
    with open(tmp_path / "photo.c2pa", "wb") as fh:  # sparse: no disk space used
        fh.truncate(credentials.MAX_SIDECAR_BYTES + 1)
    report = provenance.check(asset, detectors=())
    assert report.status == "ok"
    assert "limit" in report.c2pa.error and report.c2pa.sidecar


def test_half_written_tail_is_cut_without_reading_the_whole_output(tmp_path):
    out = tmp_path / "out.jsonl"
    line = provenance.Report(path=str(STILL)).to_json().encode() + b"\n"
    out.write_bytes(line * 3 + b"x" * (3 * resume.TAIL_BLOCK + 5))
    resume.repair_tail(str(out))
    assert out.read_bytes() == line * 3
