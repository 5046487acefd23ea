"""The HTML report: self-contained, escapes everything from files, renders in a real
headless Chromium without console errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

import provenance
from provenance.formatters import html
from provenance.scanning.engine import iter_files
from tests.conftest import tool

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent / "provenance"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
EVIL_NAME = "<img src=x onerror=alert(1)>.jpg"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium() -> str:
    return tool("chromium", "chromium-browser")  # .ci/run installs it (apt-get install chromium)


def _browse(chromium: str, page: Path, tmp: Path, *extra: str) -> subprocess.CompletedProcess:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    return subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *extra,
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def _evil_dicts(tmp_path: Path) -> list[dict]:
    src = tmp_path / EVIL_NAME
    shutil.copy(SAMPLES / "credentials" / "gen_image.jpg", src)
    good = provenance.check(src, detectors=()).to_dict()
    bad = json.loads(json.dumps(good))
    bad["path"] = str(tmp_path / "x<script>alert(2)</script>.jpg")
    bad["c2pa"]["title"] = "<script>alert(3)</script>"
    bad["c2pa"]["signer"]["common_name"] = '"><script>alert(4)</script>'
    bad["c2pa"]["actions"][0]["software_agent"] = "<script>alert(5)</script>"
    bad["evidence"][0]["detail"] = "</li><script>alert(6)</script>"
    bad["verdict"]["summary"] = "<script>alert(7)</script>"
    bad["verdict"]["generator"] = "<b onmouseover=alert(8)>gen</b>"
    bad["verdict"]["stripped"] = ['x"]<script>alert(9)</script>']
    bad["watermarks"] = [
        {
            "kind": "visible",
            "generator": None,
            "confidence": 0.5,
            "method": "ocr",
            "text": "</dd><script>alert(10)</script>",
        }
    ]
    return [good, bad]


def test_html_escapes_names_and_fields(tmp_path):
    page = html.render(_evil_dicts(tmp_path))
    assert page.count("<script") == 1  # only the page's own, nonce-protected script
    assert "<img src=x" not in page and "<b onmouseover" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.jpg" in page
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page
    assert "script-src &#x27;nonce-" in page  # CSP: injected inline handlers would not run
    assert "http://" not in page.split("<body>")[1].replace(
        "http://cv.iptc.org", ""
    )  # nothing fetched from the network


def test_cli_check_html_with_hostile_name_in_chromium(tmp_path, chromium):
    src = tmp_path / EVIL_NAME
    shutil.copy(SAMPLES / "credentials" / "gen_image.jpg", src)
    out = tmp_path / "check.html"
    result = subprocess.run(
        [str(BIN), "check", "--detectors", "", "--html", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "HTML report written to" in result.stdout
    evil = tmp_path / "evil.html"
    evil.write_text(html.render(_evil_dicts(tmp_path)), encoding="utf-8")
    for page in (out, evil):
        dom = _browse(chromium, page, tmp_path, "--dump-dom")
        assert dom.returncode == 0, dom.stderr[-2000:]
        assert "1 of 1 shown" in dom.stdout or "2 of 2 shown" in dom.stdout  # our JS ran
        assert '<img src="x"' not in dom.stdout and "onerror=" not in dom.stdout.replace(
            "onerror=alert(1)&gt;", ""
        )
        assert "alert(" not in "".join(_console(dom.stderr))
        assert not _console(dom.stderr), _console(dom.stderr)


def test_console_errors_are_caught(tmp_path, chromium):
    """The harness itself: a page with a script error must be reported."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><p>x</p><script>throw new Error('boom')</script>")
    run = _browse(chromium, bad, tmp_path, "--dump-dom")
    assert any("boom" in line for line in _console(run.stderr))


def test_samples_report_renders_in_chromium(tmp_path, chromium):
    report = tmp_path / "samples.html"
    result = subprocess.run(
        [
            str(BIN),
            "scan",
            str(SAMPLES),
            "--generators",
            str(SAMPLES / "generators.toml"),
            "--trust-anchors",
            str(SAMPLES / "credentials" / "ca" / "test_root.pem"),
            "--jobs",
            "2",
            "--no-progress",
            "--html",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in (0, 1, 2), result.stderr
    page = report.read_text(encoding="utf-8")
    files = len(list(iter_files([SAMPLES])))
    assert page.count('<section class=card id="card-') == files
    assert "SynthGen" in page and "<svg" in page
    assert page.count("data:image/jpeg;base64,") > page.count("<img class=thumb")  # frames
    shot = tmp_path / "shot.png"
    run = _browse(chromium, report, tmp_path, "--window-size=1280,1600", f"--screenshot={shot}")
    assert run.returncode == 0, run.stderr[-2000:]
    assert not _console(run.stderr), _console(run.stderr)
    image = cv2.imread(str(shot))
    assert image is not None and image.shape[:2] == (1600, 1280)
    assert float(image.std()) > 20  # not a blank page
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 100
