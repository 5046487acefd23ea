"""docs/embedding.md's FastAPI example, run as written under a real uvicorn process and
called over HTTP; plus the library entry it relies on (uploads, names, limits, types)."""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
import time
import typing
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import provenance
from provenance.model.report import Report

DOC = Path(__file__).resolve().parent.parent / "docs" / "embedding.md"


def example_app() -> str:
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    app = [b for b in blocks if "FastAPI(" in b]
    assert len(app) == 1, "docs/embedding.md must hold one FastAPI example"
    return app[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    httpx = pytest.importorskip("httpx")
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    pytest.importorskip("multipart")
    folder = tmp_path_factory.mktemp("app")
    (folder / "app.py").write_text(example_app(), encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app:app", "--app-dir", str(folder),
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"uvicorn did not start: {proc.stdout.read().decode()[-2000:]}")
        time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(10)


def post(base: str, name: str, data: bytes) -> dict:
    import httpx

    answer = httpx.post(base + "/check", files={"file": (name, data)}, timeout=120)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_upload_over_http_gets_the_report(server, samples):
    data = (samples / "credentials" / "gen_image.jpg").read_bytes()
    got = post(server, "gen_image.jpg", data)
    assert got["path"] == "gen_image.jpg"
    assert got["status"] == "ok"
    assert got["verdict"]["ai_generated"] == "yes"
    assert got["verdict"]["ai_extent"] == "generated"
    assert got["c2pa"]["state"] == "valid"
    assert got["file"]["size_bytes"] == len(data)
    assert Report.from_dict(got).verdict.ai_generated == "yes"


def test_bad_upload_is_an_error_report_not_a_server_error(server):
    got = post(server, "notes.jpg", b"these are not the pixels you are looking for")
    assert got["status"] == "error"
    assert got["path"] == "notes.jpg"
    assert "notes.jpg" in got["verdict"]["summary"]
    assert "provenance-upload" not in got["verdict"]["summary"]


def test_concurrent_requests_get_their_own_answers(server, samples):
    names = [
        samples / "credentials" / "gen_image.jpg",
        samples / "credentials" / "captured.jpg",
        samples / "credentials" / "tampered_pixels.jpg",
        samples / "clips" / "plain_still.jpg",
        samples / "clips" / "sora_like.mp4",  # OCR reads its stamp
    ] * 2
    direct = {p.name: provenance.check(p).verdict for p in names}
    with ThreadPoolExecutor(len(names)) as pool:
        answers = list(pool.map(lambda p: post(server, p.name, p.read_bytes()), names))
    for path, got in zip(names, answers, strict=True):
        assert got["path"] == path.name
        want = direct[path.name]
        assert got["verdict"]["ai_generated"] == want.ai_generated, path.name
        assert got["verdict"]["marks_stripped"] == want.marks_stripped, path.name
        assert got["verdict"]["generator"] == want.generator, path.name


# ------------------------------------------------------------------ the library entry


def test_bytes_and_file_objects_are_checked_like_the_file(samples):
    path = samples / "credentials" / "tampered_pixels.jpg"
    data = path.read_bytes()
    from_path = provenance.check(path)
    from_bytes = provenance.check(data, name="upload.jpg")
    from_stream = provenance.check(io.BytesIO(data), name="upload.jpg")
    for report in (from_bytes, from_stream):
        assert report.path == "upload.jpg"
        assert report.verdict.ai_generated == from_path.verdict.ai_generated
        assert report.verdict.marks_stripped == from_path.verdict.marks_stripped == "yes"
        assert report.file.sha256 == from_path.file.sha256
        assert report.file.mtime is None
    with open(path, "rb") as fh:  # a real file object names itself
        assert provenance.check(fh).path == "tampered_pixels.jpg"


def test_bad_content_never_raises():
    for data in (b"", b"\x00" * 10, b"\xff\xd8\xff" + b"\x00" * 40, io.BytesIO(b"GIF89a")):
        report = provenance.check(data, name="bad.gif")
        assert report.status == "error"
        assert report.error
        assert report.verdict.summary.startswith("Could not analyse bad.gif")


def test_usage_errors_are_clear(samples):
    path = samples / "credentials" / "gen_image.jpg"
    with pytest.raises(TypeError, match="not a string"):
        provenance.check(path, detectors="visible")
    with pytest.raises(TypeError, match="not a string"):
        provenance.check(path, provenance.CheckOptions(detectors="visible"))
    with pytest.raises(TypeError, match="binary file object"):
        provenance.check(io.StringIO("text"))
    with pytest.raises(TypeError):
        provenance.check(12345)


def test_timeout_is_honoured(samples):
    started = time.monotonic()
    report = provenance.check(samples / "clips" / "sora_like.mp4", timeout_s=0.01)
    assert time.monotonic() - started < 2
    assert report.status == "error"
    assert report.error == "timed out after 0.01 s"
    assert provenance.check(samples / "clips" / "sora_like.mp4", timeout_s=None).status == "ok"


def test_public_types():
    hints = typing.get_type_hints(provenance.scan)
    assert hints["return"] == Iterator[Report]
    assert typing.get_type_hints(provenance.check)["return"] is Report
    assert typing.get_args(typing.get_type_hints(provenance.Verdict)["ai_generated"]) == (
        "yes", "likely", "unknown", "unlikely",
    )  # fmt: skip
    for name in ("Verdict", "Evidence", "Watermark", "Sighting", "MediaInfo", "C2paInfo"):
        assert name in provenance.__all__ and hasattr(provenance, name)
