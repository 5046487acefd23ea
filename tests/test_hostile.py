"""The hostile-input review of issue 13: the classes of input that still got through, each
run through the real command line. Every input below is built inside the test, from the
project's samples, the test CA of samples/make_credentials.py and the box editor of
fuzz/hostile.py (the same cases seed the fuzzers)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from tests.cli_run import BIN, json_lines, no_traceback, one_error_line, run
from tests.conftest import require, tool

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
GEN = SAMPLES / "credentials" / "gen_image.jpg"  # AI-generated (signed C2PA)
STILL = SAMPLES / "clips" / "plain_still.jpg"
ROOT_CA = SAMPLES / "credentials" / "ca" / "test_root.pem"
ESC = "\x1b"
# What the review used: erase the line and move up, set the window title, a hyperlink.
SPOOF = f"{ESC}[1A{ESC}[2K  AI-generated: unlikely{ESC}]0;pwned\a{ESC}]8;;https:x.invalid\a."


# ------------------------------------------------------------------ a path named twice


def test_a_path_named_twice_is_reported_once(tmp_path):
    """`scan dir dir`, `scan a.jpg a.jpg` and `scan dir dir/a.jpg` deduplicated the file
    against itself: no report, nothing counted, exit 0 for an AI-generated file."""
    folder = tmp_path / "media"
    folder.mkdir()
    shutil.copy(GEN, folder / "a.jpg")
    a = folder / "a.jpg"
    for args in ([folder, folder], [a, a], [folder, a], [folder, f"{folder}/./"]):
        result = run("scan", *args, "--json", "--detectors", "", "--no-progress")
        no_traceback(result)
        (report,) = json_lines(result.stdout)
        assert report["verdict"]["ai_generated"] == "yes", report
        assert result.returncode == 1 and "Scanned 1 file(s)" in result.stderr
    shutil.copy(GEN, folder / "b.jpg")  # same bytes, another path: analysed once, two reports
    result = run("scan", folder, folder / "b.jpg", "--json", "--detectors", "", "--no-progress")
    reports = json_lines(result.stdout)
    assert sorted(Path(r["path"]).name for r in reports) == ["a.jpg", "b.jpg"]
    assert sorted(r["elapsed_s"] == 0 for r in reports) == [False, True]  # one was a copy
    result = run("check", "--json", "--detectors", "", a, a, f"{folder}/../media/a.jpg")
    assert len(json_lines(result.stdout)) == 1 and result.returncode == 1


# ------------------------------------------------------------------- terminal spoofing


def _hostile_signed_jpeg(path: Path) -> None:
    """A real C2PA manifest, signed by the test CA, whose signer common name and
    softwareAgent carry terminal control sequences."""
    sys.path.insert(0, str(SAMPLES))
    try:
        import make_credentials as mc
    finally:
        sys.path.pop(0)
    ca = mc.build_ca()
    end = mc.EPOCH.replace(year=2040)
    cred = mc.leaf(ca.inter, ca.inter_key, f"Signer{ESC}[2K{ESC}]0;title\a", 9, mc.EPOCH, end)
    definition = mc.manifest("hostile", [mc.created(mc.TRAINED, agent="Agent" + SPOOF)])
    signed, _ = mc.sign(definition, "image/jpeg", mc.jpeg(mc.gen_pixels()), cred)
    path.write_bytes(signed)


def test_control_characters_from_files_are_escaped_on_the_terminal(tmp_path):
    """File names, C2PA signer names and softwareAgent, unsigned PNG text were printed raw:
    cursor and erase sequences could make "AI-generated: yes" read "unlikely", and window
    title and hyperlink sequences survived a pipe. Now they are shown escaped, as ls -b."""
    folder = tmp_path / "media"
    folder.mkdir()
    _hostile_signed_jpeg(folder / "signed.jpg")
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "a fox, Steps: 20, Model: sd_xl_base_1.0" + SPOOF)
    Image.new("RGB", (64, 48), (90, 120, 30)).save(folder / "text.png", pnginfo=info)
    shutil.copy(GEN, folder / f"name{SPOOF}.jpg")
    readable = run(
        "check", "-v", "--detectors", "", "--trust-anchors", ROOT_CA, *sorted(folder.iterdir())
    )
    piped = run("scan", folder, "--detectors", "", "--no-progress", "--trust-anchors", ROOT_CA)
    for result in (readable, piped):
        no_traceback(result)
        assert result.returncode == 1, result.stderr
        for stream in (result.stdout, result.stderr):
            assert not any(c in stream for c in (ESC, "\a", "\x9b")), repr(stream[-2000:])
    out = readable.stdout
    assert out.count("verdict:      AI-generated") == 2
    assert "verdict:      Likely AI-generated" in out
    assert "signed by Signer\\x1b[2K\\x1b]0;title\\a" in out
    assert "Agent\\x1b[1A\\x1b[2K  AI-generated: unlikely\\x1b]0;pwned\\a" in out
    assert "name\\x1b[1A\\x1b[2K" in out and "name\\x1b[1A\\x1b[2K" in piped.stdout
    assert "Model: sd_xl_base_1.0\\x1b[1A" in out  # the PNG text, quoted in the evidence


# ------------------------------------------------------------------- memory ceiling


def test_worker_memory_ceiling_bounds_what_a_decoder_allocates(tmp_path):
    """A sample-table bomb padded (sparsely) to 100 MB passes the box walk's believability
    checks, so only the worker's memory ceiling stands between the decoder and ~3 GB
    (measured: 3.1 GB and 25 s without a ceiling, 67 MB with one). The file gets a report,
    and the scan goes on; a ceiling below what a check needs costs error reports, not the
    scan."""
    sys.path.insert(0, str(REPO))
    try:
        from fuzz import hostile
    finally:
        sys.path.pop(0)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from test_limits import _peak_rss_mb

    size = 100 * 1024 * 1024
    folder = tmp_path / "media"
    folder.mkdir()
    hostile.pad(folder / "padded_bomb.mp4", hostile.padded_sample_table_bomb(size), size)
    shutil.copy(STILL, folder / "still.jpg")
    result, peak_mb = _peak_rss_mb(
        [str(BIN), "scan", str(folder), "--json", "--jobs", "2", "--no-progress"]
        + ["--detectors", "invisible", "--memory-limit", "1536"]
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    reports = {Path(r["path"]).name: r for r in json_lines(result.stdout)}
    assert sorted(reports) == ["padded_bomb.mp4", "still.jpg"]
    assert peak_mb < 1536, peak_mb
    starved = run("scan", folder, "--json", "--jobs", "1", "--no-progress", "--memory-limit", "64")
    no_traceback(starved)
    reports = json_lines(starved.stdout)
    assert len(reports) == 2 and all(r["status"] == "error" for r in reports), reports
    assert starved.returncode == 2


# ------------------------------------------------------------------ long names and paths


def test_names_past_name_max_and_paths_past_path_max_getjson_lines(tmp_path):
    """An 83-character Chinese name (253 bytes) made the sidecar lookup (NAME.c2pa, past
    NAME_MAX) raise; with a same-size sibling the whole scan crashed in the duplicate
    finder. A path past PATH_MAX inside a scanned folder was skipped without a word."""
    folder = tmp_path / "media"
    folder.mkdir()
    long_name = "图" * 83 + ".jpg"
    assert len(long_name.encode()) == 253
    shutil.copy(STILL, folder / long_name)
    still = STILL.read_bytes()
    (folder / "sibling.jpg").write_bytes(still[:-1] + bytes([still[-1] ^ 1]))  # same size
    fd = os.open(folder, os.O_RDONLY)
    depth = 0
    try:
        while len(str(folder).encode()) + depth * 201 < 4200:  # past PATH_MAX (4096)
            os.mkdir("d" * 200, dir_fd=fd)
            inner = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd, depth = inner, depth + 1
        with open(os.open("deep.jpg", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as fh:
            fh.write(still)
    finally:
        os.close(fd)
    result = run("scan", folder, "--json", "--jobs", "2", "--detectors", "", "--no-progress")
    no_traceback(result)
    reports = {Path(r["path"]).name: r for r in json_lines(result.stdout)}
    assert reports[long_name]["status"] == "ok", reports[long_name]
    assert reports["sibling.jpg"]["status"] == "ok"
    (too_long,) = [r for name, r in reports.items() if name.startswith("d")]
    assert too_long["status"] == "error" and "longer than the system allows" in too_long["error"]
    assert len(reports) == 3 and result.returncode == 2
    html = run("check", "--detectors", "", "--html", tmp_path / "r.html", folder / long_name)
    assert html.returncode == 0, html.stderr


# ------------------------------------------------------------- stored reports (resume)


def test_resume_with_html_skips_stored_lines_with_wrong_types(tmp_path):
    """Stored lines with a string confidence, a list verdict, a string `watermarks` made
    `--resume --html` crash. They are named on stderr and skipped (their files are checked
    again); the page is written."""
    folder = tmp_path / "media"
    folder.mkdir()
    for name in ("a.jpg", "b.jpg", "c.jpg", "d.jpg"):
        (folder / name).write_bytes(STILL.read_bytes() + name.encode())
    out = tmp_path / "out.jsonl"
    first = run("scan", folder, "-o", out, "--detectors", "", "--no-progress")
    assert first.returncode == 0, first.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    by_name = {Path(r["path"]).name: r for r in lines}
    by_name["a.jpg"]["verdict"]["confidence"] = "high"
    by_name["b.jpg"]["verdict"] = ["yes"]
    by_name["c.jpg"]["watermarks"] = "none"
    out.write_text("".join(json.dumps(r) + "\n" for r in by_name.values()))
    page = tmp_path / "report.html"
    # The same options: a stored report is reused only when they match (scanning/resume.py).
    again = run(
        "scan", folder, "-o", out, "--resume", "--html", page, "--detectors", "", "--no-progress"
    )
    assert again.returncode == 0, again.stderr
    no_traceback(again)
    warnings = [line for line in again.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 3, again.stderr
    assert any("verdict.confidence: expected a number, got string" in w for w in warnings)
    assert any("verdict: expected an object, got list" in w for w in warnings)
    assert any("watermarks: expected a list, got string" in w for w in warnings)
    assert "Scanned 3 file(s)" in again.stdout and "Skipped 1 file(s)" in again.stdout
    assert page.read_text().count("<section class=card") == 4


# -------------------------------------------------------------------- output failures


def test_output_failures_end_with_one_line_and_exit_2(tmp_path):
    """A missing output folder, a FIFO as -o with --resume, an output that is an input or
    not our JSON Lines ended in a traceback (exit 1, "findings") or destroyed the file."""
    folder = tmp_path / "media"
    folder.mkdir()
    shutil.copy(STILL, folder / "still.jpg")
    clip = folder / "clip.mp4"
    shutil.copy(SAMPLES / "credentials" / "gen_clip.mp4", clip)
    before = clip.read_bytes()
    common = ["--detectors", "", "--no-progress"]
    one_error_line(
        run("scan", folder, "-o", tmp_path / "nowhere" / "o.jsonl", *common), "does not exist"
    )
    one_error_line(
        run("scan", folder, "--html", tmp_path / "nowhere" / "r.html", *common), "does not exist"
    )
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    one_error_line(
        run("scan", folder, "-o", fifo, "--resume", *common, timeout=60), "not a regular file"
    )
    one_error_line(run("scan", folder, "-o", clip, "--resume", *common), "one of the files")
    one_error_line(run("scan", folder / "still.jpg", "-o", clip, *common), "JSON Lines")
    image = tmp_path / "photo.jpg"
    shutil.copy(STILL, image)
    one_error_line(run("scan", folder, "-o", image, *common), "JSON Lines")
    one_error_line(run("scan", folder, "--html", image, *common), "not an HTML report")
    assert clip.read_bytes() == before and image.read_bytes() == STILL.read_bytes()
    out = folder / "scan.jsonl"  # our own output inside the scanned folder: left out
    assert run("scan", folder, "-o", out, *common).returncode == 1
    again = run("scan", folder, "-o", out, "--resume", *common)
    assert again.returncode == 1 and "Skipped 2 file(s)" in again.stdout, again.stdout


@pytest.mark.needs_tools
def test_full_disk_ends_with_one_line_and_exit_2(tmp_path):
    """Writing the output onto a full file system (a 64 kB tmpfs in a private mount
    namespace): one line, exit 2, the lines written so far intact."""
    unshare = tool("unshare")
    probe = [unshare, "-rm", "sh", "-c", "mount -t tmpfs -o size=64k t /mnt"]
    mounted = subprocess.run(probe, capture_output=True).returncode == 0
    require(mounted, "a tmpfs mount in a user namespace (`unshare -rm`)")
    folder = tmp_path / "media"
    folder.mkdir()
    still = STILL.read_bytes()
    for i in range(40):
        (folder / f"f{i:02d}.jpg").write_bytes(still + bytes([i]))
    disk = tmp_path / "disk"
    disk.mkdir()
    script = (
        f'mount -t tmpfs -o size=64k tmpfs "{disk}" && '
        f'head -c 40000 /dev/zero > "{disk}/filler" && '
        f'exec "{BIN}" scan "{folder}" -o "{disk}/o.jsonl" --html "{disk}/r.html" '
        '--detectors "" --no-progress --jobs 2'
    )
    result = subprocess.run(
        [unshare, "-rm", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=240,
    )
    one_error_line(result, "No space left on device")
    assert "report(s) written" in result.stderr and "--resume" in result.stderr


# ---------------------------------------------------------------------------- signals


def _start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
    )


def _wait_for_lines(out: Path, count: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if out.exists() and len(out.read_text().splitlines()) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} reports in {seconds} s")


def _interrupted_cleanly(proc: subprocess.Popen) -> str:
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, (proc.returncode, stderr[-3000:])
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr[-3000:]
    assert "interrupted after" in stderr
    return stderr


def _media(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    still = STILL.read_bytes()
    for i in range(count):
        (folder / f"f{i:03d}.jpg").write_bytes(still + bytes([i % 256, i // 256]))
    return folder


def test_a_burst_of_ctrl_c_ends_cleanly(tmp_path):
    """Five Ctrl-C in a row printed "Exception ignored in atexit callback" and exited -2."""
    folder = _media(tmp_path, 300)
    out = tmp_path / "out.jsonl"
    proc = _start(["scan", folder, "--jobs", "2", "--detectors", "", "-o", out, "--no-progress"])
    _wait_for_lines(out, 3)
    for _ in range(5):
        os.killpg(proc.pid, signal.SIGINT)
        time.sleep(0.01)
    _interrupted_cleanly(proc)
    assert all(json.loads(line) for line in out.read_text().splitlines())


def test_ctrl_c_on_a_dask_scan_ends_cleanly(tmp_path):
    """Ctrl-C on `--dask local:2` printed ~60 lines of tracebacks from the cluster."""
    pytest.importorskip("distributed")
    folder = _media(tmp_path, 300)
    out = tmp_path / "out.jsonl"
    proc = _start(["scan", folder, "--dask", "local:2", "--detectors", "", "-o", out])
    _wait_for_lines(out, 3, seconds=180)
    os.killpg(proc.pid, signal.SIGINT)
    stderr = _interrupted_cleanly(proc)
    assert len(stderr.strip().splitlines()) <= 3, stderr


# ------------------------------------------------------------ warnings and thumbnails


def _png_of(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I4s", len(body), kind) + body + crc

    row = b"\x00" + b"\x60\x80\xa0" * width
    raw = zlib.compressobj(1)
    idat = b"".join(raw.compress(row) for _ in range(height)) + raw.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_warnings_go_into_reports_and_thumbnails_are_made_by_workers(tmp_path):
    """Pillow's "Tag data larger than file" (a broken MPF segment) and the HTML
    thumbnailer's DecompressionBombWarning (a 95 Mpx PNG: under our 100 Mpx limit, over
    Pillow's default 89 Mpx, which the renderer kept) reached the terminal. Warnings are
    now report problems, and previews are made in the worker, so the page still has them."""
    folder = tmp_path / "media"
    folder.mkdir()
    still = STILL.read_bytes()
    ifd = b"II*\x00" + struct.pack("<IH", 8, 1) + struct.pack("<HHII", 0xB002, 7, 100_000, 8)
    body = b"MPF\x00" + ifd + b"\0\0\0\0"
    (folder / "mpf.jpg").write_bytes(
        still[:2] + b"\xff\xe2" + struct.pack(">H", len(body) + 2) + body + still[2:]
    )
    (folder / "95mpx.png").write_bytes(_png_of(10_000, 9_500))
    page = tmp_path / "r.html"
    result = run(
        "scan",
        folder,
        "--html",
        page,
        "-o",
        tmp_path / "o.jsonl",
        "--detectors",
        "",
        "--no-progress",
    )
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    reports = {Path(r["path"]).name: r for r in json_lines((tmp_path / "o.jsonl").read_text())}
    problems = reports["mpf.jpg"]["metadata"]["problems"]
    assert any("Tag data larger than file" in p for p in problems), problems
    assert reports["95mpx.png"]["status"] == "ok"
    text = page.read_text()
    assert text.count("<img class=thumb") == 2  # both previews, made by the workers


# ------------------------------------------------------------------ output destruction


def test_html_output_never_replaces_a_device_and_writes_through_links(tmp_path):
    """`--html PATH` was moved over PATH with os.replace: as root it replaced a device
    node, and it replaced a symlink instead of writing through it."""
    common = ["--detectors", "", GEN]
    if os.geteuid() == 0:
        node = tmp_path / "null"
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        one_error_line(run("check", "--html", node, *common), "not a regular file")
        assert stat.S_ISCHR(os.lstat(node).st_mode)
    target = tmp_path / "reports" / "latest.html"
    target.parent.mkdir()
    link = tmp_path / "report.html"
    link.symlink_to(target)
    for _ in range(2):  # created through the link, then replaced through it
        result = run("check", "--html", link, *common)
        assert result.returncode == 1, result.stderr
        assert link.is_symlink() and os.readlink(link) == str(target)
        assert "<section class=card" in target.read_text()


# ------------------------------------------------------------------ scope of a scan


def test_links_out_of_the_scanned_folder_are_not_followed_by_default(tmp_path):
    """A link planted in an upload folder pulled any readable host file into the scan and
    its thumbnail into the HTML report."""
    secret = tmp_path / "host" / "secret.jpg"
    secret.parent.mkdir()
    shutil.copy(GEN, secret)
    uploads = tmp_path / "uploads"
    (uploads / "sub").mkdir(parents=True)
    shutil.copy(STILL, uploads / "sub" / "inside.jpg")
    (uploads / "planted.jpg").symlink_to(secret)
    (uploads / "planted_dir").symlink_to(secret.parent)
    (uploads / "alias.jpg").symlink_to(uploads / "sub" / "inside.jpg")
    page = tmp_path / "r.html"
    common = ["--json", "--detectors", "", "--no-progress", "--jobs", "1"]
    result = run("scan", uploads, "--html", page, *common)
    assert result.returncode == 2, result.stderr
    reports = {Path(r["path"]).name: r for r in json_lines(result.stdout)}
    assert sorted(reports) == ["alias.jpg", "inside.jpg", "planted.jpg", "planted_dir"]
    for name in ("planted.jpg", "planted_dir"):
        assert reports[name]["status"] == "error"
        assert "outside the scanned folders" in reports[name]["error"]
        assert reports[name]["file"]["real_path"] == str(
            secret if name == "planted.jpg" else secret.parent
        )
    assert reports["alias.jpg"]["status"] == "ok"
    assert reports["alias.jpg"]["file"]["real_path"] == str(uploads / "sub" / "inside.jpg")
    assert reports["inside.jpg"]["file"]["real_path"] is None
    assert page.read_text().count("<img class=thumb") == 2  # the two inside files only
    followed = run("scan", uploads, "--follow-outside", *common)
    reports = {Path(r["path"]).name: r for r in json_lines(followed.stdout)}
    assert reports["planted.jpg"]["status"] == "ok"
    assert reports["planted.jpg"]["file"]["real_path"] == str(secret)
    assert reports["secret.jpg"]["file"]["real_path"] == str(secret)
    assert followed.returncode == 1


@pytest.mark.needs_chromium
def test_long_names_wrap_in_the_html_layout(tmp_path):
    """A 200-character name without spaces pushed the page wider than the window."""
    chromium = tool("chromium", "chromium-browser")
    name = "x" * 200 + ".jpg"
    shutil.copy(STILL, tmp_path / name)
    page = tmp_path / "r.html"
    assert run("check", "--detectors", "", "--html", page, tmp_path / name).returncode == 0
    text = page.read_text()
    nonce = text.split('<script nonce="', 1)[1].split('"', 1)[0]
    measure = (  # at the end of the body, so the whole page is laid out when it runs
        f"<script nonce=\"{nonce}\">document.title = 'width=' + "
        "document.documentElement.scrollWidth;</script>"
    )
    probe = tmp_path / "probe.html"
    probe.write_text(text.replace("</body>", measure + "</body>"))
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1024,800"]
        + [f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", probe.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    width = int(dom.stdout.split("<title>width=", 1)[1].split("<", 1)[0])
    assert width <= 1024, width
