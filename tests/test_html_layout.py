"""The HTML page read by people: what made it, words instead of ids, captions with
timecodes, error cards that say why, and a layout that fits a phone and prints."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_html import _browse, _console, chromium  # noqa: F401 (fixture)

import provenance
from provenance.formatters import html, wording

BIN = Path(sys.executable).parent / "provenance"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
LONG = "a-very-long-file-name-without-any-break-" * 5 + ".jpg"


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    """A scan of real samples with evidence frames, a long name, a copy and an error."""
    root = tmp_path_factory.mktemp("page")
    media = root / "media"
    media.mkdir()
    for src in ("clips/sora_like.mp4", "credentials/composite.jpg", "clips/plain_still.jpg"):
        shutil.copy(SAMPLES / src, media / Path(src).name)
    shutil.copy(SAMPLES / "credentials" / "gen_image.jpg", media / LONG)
    shutil.copy(SAMPLES / "credentials" / "gen_image.jpg", media / "copy.jpg")
    (media / "broken.mp4").write_bytes((SAMPLES / "clips" / "sora_like.mp4").read_bytes()[:900])
    out = root / "report.html"
    result = subprocess.run(
        [str(BIN), "scan", str(media), "-j", "1", "--no-progress", "--html", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr  # broken.mp4
    return out


def test_page_says_what_made_it(page):
    text = page.read_text("utf-8")
    assert "<dt>Tool version</dt><dd>" + provenance.__version__ in text
    data = re.search(r"<dt>Data version</dt><dd>([0-9a-f]{16})</dd>", text)
    assert data, "data version missing"
    assert "pixel detectors invisible, removal, visible" in text
    assert "offline" in text and "the bundled C2PA Trust List" in text
    assert re.search(r"<dt>Page made</dt><dd>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", text)
    import hashlib

    digest = hashlib.sha256((SAMPLES / "clips" / "sora_like.mp4").read_bytes()).hexdigest()
    assert f"<dt>SHA-256</dt><dd class=hash>{digest}</dd>" in text
    assert "<dt>Same bytes as</dt>" in text  # copy.jpg and the long name share bytes


def test_words_not_ids_and_no_confidence_for_unknown(page):
    text = page.read_text("utf-8")
    body = re.sub(r"<details>.*?</details>", "", text.split("<body>", 1)[1], flags=re.S)
    assert "AI-edited / contains AI elements" in body  # composite.jpg
    assert ">AI-edited<" in body and ">AI-generated<" in body
    assert "Content Credentials removed" in body  # sora_like.mp4, stripping in words
    assert "(c2pa-removed)" not in body and "sightings" not in body
    card = text.split("plain_still.jpg</h3>", 1)[1].split("</section>", 1)[0]
    assert "No evidence of AI found" in card
    assert "0.00" not in card.split("<details>")[0]


def test_frames_are_captioned_with_timecodes(page):
    text = page.read_text("utf-8")
    captions = re.findall(r"<figcaption>([^<]*)</figcaption>", text)
    assert captions, "no evidence frames"
    sora = [c for c in captions if "OpenAI Sora" in c]
    assert sora and all(re.search(r"at \d+:\d\d\.\d", c) for c in sora), sora
    assert any("red box marks where a known generator" in c for c in sora)
    report = json.loads(
        subprocess.run(
            [str(BIN), "check", "--json", str(SAMPLES / "clips" / "sora_like.mp4")],
            capture_output=True, text=True, timeout=300,
        ).stdout.splitlines()[0]
    )  # fmt: skip
    first = report["watermarks"][0]["track"][0]
    want = f"at {wording.timecode(first['time_s'])}"
    assert any(want in c for c in sora), (want, sora)


def test_error_card_says_why(page):
    text = page.read_text("utf-8")
    card = text.split("broken.mp4</h3>", 1)[1].split("</section>", 1)[0]
    assert "This file could not be analysed:" in card
    assert "damaged or incomplete" in card or "not an image or video" in card
    assert "Marks stripped" not in card and "confidence" not in card.split("<details>")[0]


def test_timecodes_and_counts():
    assert wording.timecode(3.75) == "0:03.8"
    assert wording.timecode(3.65) == "0:03.7"
    assert wording.timecode(62.0) == "1:02.0"
    assert wording.timecode(3725.04) == "1:02:05.0"
    assert wording.count(1, "sampled frame") == "1 sampled frame"
    assert wording.count(12, "sampled frame") == "12 sampled frames"
    assert wording.confidence({"ai_generated": "unknown", "confidence": 0.0}) is None
    assert wording.headline({"ai_generated": "yes", "ai_extent": "edited"}) == (
        "AI-edited / contains AI elements"
    )


def _measure(chromium, page: Path, tmp: Path, width: int) -> dict:  # noqa: F811
    """Load the page in a ``width`` px frame (headless windows are at least 500 px wide)
    with a probe script, allowed by the page's own nonce, that reports the layout's widths
    to the outer page, which writes them into its title for --dump-dom."""
    text = page.read_text("utf-8")
    nonce = re.search(r'<script nonce="([^"]+)"', text).group(1)
    probe = (
        f"<script nonce=\"{nonce}\">addEventListener('load',function(){{"
        "var wide=[];document.querySelectorAll('section,h3,.path,dd,figure,table').forEach("
        "function(el){var r=el.getBoundingClientRect();if(r.right>innerWidth+1&&"
        "!el.closest('.scroll'))wide.push(el.tagName+'.'+el.className);});"
        "parent.postMessage(JSON.stringify({scroll:document.documentElement.scrollWidth,"
        "inner:innerWidth,wide:wide.slice(0,5)}),'*');});</script>"
    )
    probed = tmp / f"probe-{width}.html"
    probed.write_text(text.replace("</body>", probe + "</body>"), "utf-8")
    outer = tmp / f"outer-{width}.html"
    outer.write_text(
        f"<!DOCTYPE html><title>waiting</title><iframe src='{probed.name}' "
        f"style='width:{width}px;height:800px;border:0'></iframe><script>"
        "addEventListener('message',function(m){document.title=m.data;});</script>",
        "utf-8",
    )
    run = _browse(
        chromium, outer, tmp, "--window-size=1300,900", "--virtual-time-budget=20000",
        "--dump-dom",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert not _console(run.stderr), _console(run.stderr)
    title = re.search(r"<title>(.*?)</title>", run.stdout, re.S).group(1)
    return json.loads(title.replace("&quot;", '"'))


def test_fits_a_phone_and_a_desktop(page, chromium, tmp_path):  # noqa: F811
    for width in (390, 1280):
        got = _measure(chromium, page, tmp_path, width)
        assert got["inner"] == width
        assert got["scroll"] <= width, got  # no sideways scrolling: long names wrap
        assert got["wide"] == [], got


def test_prints(page, chromium, tmp_path):  # noqa: F811
    text = page.read_text("utf-8")
    assert "@media print" in text and "break-inside:avoid" in text
    pdf = tmp_path / "report.pdf"
    run = _browse(chromium, page, tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert run.returncode == 0, run.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") >= 2


def test_render_from_dicts_matches_render_from_reports(samples):
    report = provenance.check(samples / "credentials" / "composite.jpg")
    a = html.render([report])
    b = html.render([json.loads(report.to_json())])
    strip = re.compile(r"nonce-[^']+'|nonce=\"[^\"]+\"|Page made</dt><dd>[^<]+")
    assert strip.sub("", a) == strip.sub("", b)


def test_page_keeps_counts_not_reports(monkeypatch, tmp_path):
    """A scan's --html page is built as reports come: what ``Page`` holds stays small however
    many reports it has taken (rows and cards spool to a temporary file), and the saved page
    is the one ``render`` makes from the whole list at once."""
    import os
    import tracemalloc

    monkeypatch.setattr(html, "SPOOL_CHARS", 64 * 1024)
    base = json.loads(
        provenance.check(SAMPLES / "clips" / "plain_still.jpg", detectors=()).to_json()
    )
    reports = [dict(base, path=f"/media/{i:05d}.jpg") for i in range(300)]
    paths = [f"/media/{i:05d}.jpg" for i in range(2000)]
    # Parsing a path interns its parts; 2000 new names can make the interpreter's interned-string
    # table grow (one block of megabytes, seen in CI) while memory is traced. Parse them first and
    # keep them alive so the trace sees what the page holds, not that table.
    parsed = [Path(p).parts for p in paths]
    tracemalloc.start()
    with html.Page() as page:
        for p in paths:
            page.add(dict(base, path=p))
        held, _ = tracemalloc.get_traced_memory()
        saved = page.save(tmp_path / "page.html")
    tracemalloc.stop()
    del parsed
    size = os.path.getsize(saved)
    text = Path(saved).read_text(encoding="utf-8")
    assert text.count("<section class=card") == 2000 and ">2000 file(s)." in text
    assert size > 2_000_000 and held < size / 10, (held, size)

    def masked(t: str) -> str:
        t = re.sub(r"nonce-[\w-]+|nonce=\"[\w-]+\"", "NONCE", t)
        return re.sub(r"<dt>Page made</dt><dd>[^<]*</dd>", "", t)

    with html.Page() as page:
        for r in reports:
            page.add(r)
        assert page._rows._rolled and page._cards._rolled  # on disk past SPOOL_CHARS
        spooled = page.text()
    monkeypatch.setattr(html, "SPOOL_CHARS", 1 << 30)
    assert masked(spooled) == masked(html.render(reports))
