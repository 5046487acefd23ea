"""One self-contained HTML page for a scan: summary with chart, filterable table, a card
per file with thumbnail, evidence and annotated evidence frames.

Why like this: the page must open offline, years later, from an e-mail attachment, so
every image is inlined as a data: URI and the little JS is inline. Everything taken
from a file (names, manifest fields, OCR text) is escaped, and a Content-Security-Policy
with a per-page nonce forbids any script we did not write (inline handlers included) and
any network load, as a second line of defence.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import stat
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from provenance.formatters.printable import json_safe, printable

FRAME_PX = 560  # longest side of an inlined evidence frame
MAX_FRAMES = 6  # evidence images per file
MAX_THUMB_BYTES = 256 * 1024  # a 240 px JPEG is ~10 kB; anything bigger is not ours
GENERATOR = "provenance"  # <meta name="generator">: marks a page this module wrote
VERDICTS = ("yes", "likely", "unknown", "unlikely", "error")
COLOURS = {
    "yes": "#c62828",
    "likely": "#ef6c00",
    "unknown": "#78909c",
    "unlikely": "#2e7d32",
    "error": "#6a1b9a",
}


def e(value: Any) -> str:
    """Escape for text and quoted attributes; None becomes an empty string. Control and
    text-steering characters and the bytes of a non-UTF-8 file name are shown as
    backslash escapes (``printable``, as on the terminal)."""
    return escape(printable(value), quote=True)


def _plain(report: Any) -> dict:
    return report.to_dict() if hasattr(report, "to_dict") else dict(report)


def verdict_of(report: dict) -> str:
    if report.get("status") != "ok":
        return "error"
    return (report.get("verdict") or {}).get("ai_generated") or "unknown"


def _generator_name(gen_id: str | None) -> str:
    if not gen_id:
        return ""
    from provenance.knowledge.generators import display_name

    try:
        return display_name(gen_id) or gen_id
    except Exception:  # a broken extra generators file must not stop the page
        return gen_id


# ------------------------------------------------------------------------------- images


def _data_uri(bgr, longest: int) -> str | None:
    import cv2

    h, w = bgr.shape[:2]
    scale = min(1.0, longest / max(h, w, 1))
    if scale < 1.0:
        bgr = cv2.resize(
            bgr, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA
        )
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 82])
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode() if ok else None


def thumbnail(report: dict, evidence_dir: str | None) -> str | None:
    """The preview the worker wrote for this file (``readers/thumbnail.py``), inlined as
    it is: the renderer never opens an input file nor decodes one."""
    if not evidence_dir:
        return None
    from provenance.evidence_images import evidence_folder
    from provenance.readers.thumbnail import THUMB_NAME

    path = evidence_folder(evidence_dir, str(report.get("path", ""))) / THUMB_NAME
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_THUMB_BYTES else b""
    except OSError:
        return None
    if not data.startswith(b"\xff\xd8\xff"):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(data).decode()


def evidence_images(report: dict, evidence_dir: str | None) -> list[tuple[str, str]]:
    """(name, data URI) of the annotated frames the checker wrote for this file."""
    if not evidence_dir:
        return []
    from provenance.evidence_images import evidence_folder

    folder = evidence_folder(evidence_dir, str(report.get("path", "")))
    if not folder.is_dir():
        return []
    import cv2

    images = []
    for png in sorted(folder.glob("*.png"))[:MAX_FRAMES]:
        bgr = cv2.imread(str(png), cv2.IMREAD_COLOR)
        uri = _data_uri(bgr, FRAME_PX) if bgr is not None else None
        if uri:
            images.append((png.stem, uri))
    return images


# ------------------------------------------------------------------------------- pieces


@dataclass
class Summary:
    verdicts: Counter
    generators: Counter
    stripped: Counter
    total: int


def summarise(reports: list[dict]) -> Summary:
    verdicts: Counter[str] = Counter()
    gens: Counter[str] = Counter()
    stripped: Counter[str] = Counter()
    for r in reports:
        verdicts[verdict_of(r)] += 1
        v = r.get("verdict") or {}
        if r.get("status") == "ok":
            if v.get("generator"):
                gens[_generator_name(v["generator"])] += 1
            for kind in v.get("stripped") or []:
                stripped[kind] += 1
    return Summary(verdicts, gens, stripped, len(reports))


def chart(summary: Summary) -> str:
    """Horizontal bars, one per verdict, as inline SVG."""
    row, width = 26, 360
    most = max(summary.verdicts.values(), default=1) or 1
    bars = []
    for i, key in enumerate(VERDICTS):
        n = summary.verdicts.get(key, 0)
        y = i * row
        w = int(width * n / most)
        bars.append(
            f'<text x="0" y="{y + 17}" class="lbl">{e(key)}</text>'
            f'<rect x="90" y="{y + 4}" width="{w}" height="18" rx="3" fill="{COLOURS[key]}"/>'
            f'<text x="{96 + w}" y="{y + 18}" class="num">{n}</text>'
        )
    height = row * len(VERDICTS)
    return (
        f'<svg class="chart" role="img" aria-label="files by verdict" '
        f'viewBox="0 0 500 {height}" width="500" height="{height}">{"".join(bars)}</svg>'
    )


def _count_table(title: str, counts: Counter) -> str:
    if not counts:
        return ""
    rows = "".join(f"<tr><td>{e(k)}</td><td class=n>{n}</td></tr>" for k, n in counts.most_common())
    return f"<table class=counts><tr><th>{e(title)}</th><th>files</th></tr>{rows}</table>"


def _row(i: int, r: dict) -> str:
    v = r.get("verdict") or {}
    verdict = verdict_of(r)
    gen = _generator_name(v.get("generator"))
    stripped = v.get("stripped") or []
    c2pa = (r.get("c2pa") or {}).get("state", "") if verdict != "error" else ""
    conf = v.get("confidence") or 0.0
    return (
        f'<tr data-verdict="{e(verdict)}" data-generator="{e(gen)}" '
        f'data-stripped="{escape(json_safe(json.dumps(stripped)), quote=True)}">'
        f"<td class=n>{i + 1}</td>"
        f'<td><a href="#card-{i}">{e(Path(r.get("path", "")).name)}</a></td>'
        f'<td><span class="pill v-{e(verdict)}">{e(verdict)}</span></td>'
        f"<td>{e(gen)}</td><td>{e(', '.join(stripped))}</td><td>{e(c2pa)}</td>"
        f'<td class=n data-sort="{conf}">{conf:.2f}</td></tr>'
    )


def _c2pa_block(c2pa: dict) -> str:
    state = c2pa.get("state") or "absent"
    parts = [f"<dt>Content Credentials</dt><dd>{e(state)}"]
    if state not in ("absent",):
        parts.append(
            f" (content {e(c2pa.get('content'))}, signature "
            f"{e(c2pa.get('signature'))}, signer {e(c2pa.get('credential'))})"
        )
    parts.append("</dd>")
    signer = c2pa.get("signer") or {}
    if signer.get("common_name") or signer.get("issuer"):
        parts.append(
            f"<dt>Signer</dt><dd>{e(signer.get('common_name'))}"
            f"{' / ' + e(signer.get('issuer')) if signer.get('issuer') else ''}"
            f"{' at ' + e(signer.get('time')) if signer.get('time') else ''}</dd>"
        )
    if c2pa.get("title"):
        parts.append(f"<dt>Manifest title</dt><dd>{e(c2pa['title'])}</dd>")
    actions = c2pa.get("actions") or []
    if actions:
        items = "".join(
            f"<li><code>{e(a.get('action'))}</code>"
            f"{' by ' + e(a.get('software_agent')) if a.get('software_agent') else ''}"
            f"{' — ' + e(a.get('source_type_label') or a.get('digital_source_type')) if (a.get('source_type_label') or a.get('digital_source_type')) else ''}"  # noqa: E501
            f"</li>"
            for a in actions
        )
        parts.append(f"<dt>Actions</dt><dd><ul>{items}</ul></dd>")
    if c2pa.get("error"):
        parts.append(f"<dt>Credential error</dt><dd>{e(c2pa['error'])}</dd>")
    return "".join(parts)


def _card(i: int, r: dict, thumb: str | None, frames: list[tuple[str, str]]) -> str:
    v = r.get("verdict") or {}
    verdict = verdict_of(r)
    path = r.get("path", "")
    media = r.get("media") or {}
    img = (
        f'<img class=thumb alt="preview" src="{e(thumb)}">'
        if thumb
        else '<div class="thumb none">no preview</div>'
    )
    facts = [
        f"<dt>AI-generated</dt><dd><span class='pill v-{e(verdict)}'>{e(verdict)}</span>"
        f" confidence {float(v.get('confidence') or 0):.2f}</dd>"
    ]
    if v.get("generator"):
        facts.append(f"<dt>Generator</dt><dd>{e(_generator_name(v['generator']))}</dd>")
    stripped = ", ".join(v.get("stripped") or [])
    facts.append(
        f"<dt>Marks stripped</dt><dd>{e(v.get('marks_stripped'))}"
        f"{' (' + e(stripped) + ')' if stripped else ''}</dd>"
    )
    if media.get("kind"):
        size = f" {media['width']}×{media['height']}" if media.get("width") else ""
        facts.append(
            f"<dt>Media</dt><dd>{e(media.get('kind'))} {e(media.get('mime'))}{e(size)}</dd>"
        )
    real = (r.get("file") or {}).get("real_path")
    if real:
        facts.append(f"<dt>Reached via a link to</dt><dd class=path>{e(real)}</dd>")
    if r.get("status") != "ok":
        facts.append(f"<dt>Error</dt><dd>{e(r.get('error'))}</dd>")
    else:
        facts.append(_c2pa_block(r.get("c2pa") or {}))
    for wm in r.get("watermarks") or []:
        text = f" “{e(wm.get('text'))}”" if wm.get("text") else ""
        facts.append(
            f"<dt>Watermark</dt><dd>{e(wm.get('kind'))} "
            f"{e(_generator_name(wm.get('generator')) or 'unknown')}{text} "
            f"({e(wm.get('method'))}, confidence "
            f"{float(wm.get('confidence') or 0):.2f})</dd>"
        )
    evidence = "".join(
        f"<li class='claim-{e(ev.get('claim'))}'><b>[{e(ev.get('source'))}]</b> "
        f"{e(ev.get('detail'))} <span class=muted>({e(ev.get('claim'))}, "
        f"{float(ev.get('confidence') or 0):.2f})</span></li>"
        for ev in r.get("evidence") or []
    )
    conflicts = "".join(f"<li>{e(c)}</li>" for c in v.get("conflicts") or [])
    gallery = "".join(
        f'<figure><img alt="{e(name)}" src="{e(uri)}"><figcaption>{e(name)}</figcaption></figure>'
        for name, uri in frames
    )
    raw = escape(json_safe(json.dumps(r, indent=1, ensure_ascii=False, default=str)))
    return (
        f'<section class=card id="card-{i}"><div class=head>{img}<div>'
        f"<h3>{e(Path(path).name)}</h3><div class=path>{e(path)}</div>"
        f"<p class=sentence>{e(v.get('summary'))}</p><dl>{''.join(facts)}</dl></div></div>"
        + (f"<h4>Evidence</h4><ul class=evidence>{evidence}</ul>" if evidence else "")
        + (f"<h4>Conflicts</h4><ul>{conflicts}</ul>" if conflicts else "")
        + (f"<h4>Evidence frames</h4><div class=gallery>{gallery}</div>" if gallery else "")
        + f"<details><summary>JSON report</summary><pre>{raw}</pre></details></section>"
    )


def _options(name: str, values: Iterable[str]) -> str:
    opts = "".join(f'<option value="{e(v)}">{e(v)}</option>' for v in sorted(set(values)))
    return f'<select id="f-{name}"><option value="">all</option>{opts}</select>'


# --------------------------------------------------------------------------------- page


def render(
    reports: Iterable[Any], evidence_dir: str | None = None, title: str = "provenance report"
) -> str:
    """The whole page as a string; ``reports`` are Report objects or their dicts."""
    items = [_plain(r) for r in reports]
    summary = summarise(items)
    rows = "".join(_row(i, r) for i, r in enumerate(items))
    cards = "".join(
        _card(i, r, thumbnail(r, evidence_dir), evidence_images(r, evidence_dir))
        for i, r in enumerate(items)
    )
    gens = [_generator_name((r.get("verdict") or {}).get("generator")) for r in items]
    kinds = [k for r in items for k in (r.get("verdict") or {}).get("stripped") or []]
    nonce = secrets.token_urlsafe(16)
    csp = (
        f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src 'nonce-{nonce}'; base-uri 'none'; form-action 'none'"
    )
    counts = "".join(
        f'<div class="stat v-{k}"><b>{summary.verdicts.get(k, 0)}</b>{k}</div>' for k in VERDICTS
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="generator" content="{GENERATOR}">
<meta http-equiv="Content-Security-Policy" content="{e(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{e(title)}</title><style>{CSS}</style></head>
<body><header><h1>{e(title)}</h1>
<p class=muted>{summary.total} file(s). "unknown" means no marks were found, never "not AI".
Generated offline by provenance.</p></header>
<section class=summary><div class=stats>{counts}</div>{chart(summary)}
<div class=tables>{_count_table("generator", summary.generators)}
{_count_table("marks stripped", summary.stripped)}</div></section>
<section><h2>Files</h2><div class=filters>
<label>verdict {_options("verdict", [verdict_of(r) for r in items])}</label>
<label>generator {_options("generator", [g for g in gens if g])}</label>
<label>stripped {_options("stripped", kinds)}</label>
<label>name <input id="f-text" type="search" placeholder="filter by name"></label>
<span id="shown" class=muted></span></div>
<table id="files"><thead><tr><th data-col=0>#</th><th data-col=1>file</th>
<th data-col=2>verdict</th><th data-col=3>generator</th><th data-col=4>stripped</th>
<th data-col=5>credentials</th><th data-col=6>confidence</th></tr></thead>
<tbody>{rows}</tbody></table></section>
<section><h2>Details</h2>{cards}</section>
<script nonce="{nonce}">{JS}</script></body></html>
"""


class UnsafeOutput(ValueError):
    """The HTML path names something a report must not replace."""


def output_target(path: str | os.PathLike) -> Path:
    """Where writing ``path`` lands. A symbolic link is written through, as editors do: its
    target is replaced and the link stays. Refused: anything but a regular file (a device,
    a FIFO, a folder), and a regular file that is not a page this module wrote."""
    target = Path(os.path.realpath(path))
    try:
        st = target.stat()
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise UnsafeOutput(f"cannot use {printable(path)}: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeOutput(f"{printable(path)} is not a regular file; refusing to replace it")
    if st.st_size and not _is_our_page(target):
        raise UnsafeOutput(
            f"{printable(path)} exists and is not an HTML report written by provenance; "
            "refusing to replace it"
        )
    return target


def _is_our_page(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return f'<meta name="generator" content="{GENERATOR}">'.encode() in head or (
        head.startswith(b"<!DOCTYPE html>") and b"Generated offline by provenance" in head
    )


def write(
    path: str | os.PathLike,
    reports: Iterable[Any],
    evidence_dir: str | None = None,
    title: str = "provenance report",
) -> str:
    """Write the page atomically (a reader never sees half a file); returns its path. What
    may be replaced is decided by ``output_target`` (UnsafeOutput otherwise)."""
    target = output_target(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    page = render(reports, evidence_dir, title)
    # A short temporary name beside the target: the target's own name may be NAME_MAX long.
    fd, tmp = tempfile.mkstemp(prefix=".provenance-", suffix=".html.tmp", dir=target.parent)
    try:
        with open(fd, "w", encoding="utf-8") as fh:
            fh.write(page)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return str(target)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def from_jsonl(jsonl: str, html_path: str, evidence_dir: str | None = None) -> str:
    """Render an existing JSON Lines output (e.g. of a resumed scan). Lines that are not
    valid reports (``scanning.stored.problem``) are left out."""
    from provenance.scanning import stored

    reports = [report for report, problem in stored.read(jsonl) if problem is None]
    return write(html_path, reports, evidence_dir)


CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:16px;
color:#222;background:#fafafa}
h1{margin:0 0 4px}h2{margin-top:28px}.muted{color:#666}
.summary{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start;background:#fff;
padding:16px;border:1px solid #ddd;border-radius:8px}
.stats{display:flex;gap:8px}.stat{padding:8px 12px;border-radius:6px;color:#fff;
min-width:64px;text-align:center}.stat b{display:block;font-size:22px}
.chart .lbl{font-size:13px}.chart .num{font-size:12px}
.counts{border-collapse:collapse;margin-bottom:8px}.counts td,.counts th{padding:2px 10px;
border-bottom:1px solid #eee;text-align:left}.n{text-align:right}
.filters{display:flex;gap:14px;flex-wrap:wrap;margin-bottom:8px}
#files{border-collapse:collapse;width:100%;background:#fff}
#files th{cursor:pointer;background:#eee;text-align:left;padding:6px;user-select:none}
#files td{padding:4px 6px;border-bottom:1px solid #eee}
.pill{padding:1px 8px;border-radius:10px;color:#fff;font-size:12px}
.v-yes{background:#c62828}.v-likely{background:#ef6c00}.v-unknown{background:#78909c}
.v-unlikely{background:#2e7d32}.v-error{background:#6a1b9a}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:14px;margin:14px 0}
.head{display:flex;gap:16px}.head>div{min-width:0}
.card h3,#files td,dd{overflow-wrap:anywhere}.thumb{width:240px;height:auto;max-height:240px;
object-fit:contain;border:1px solid #ddd;flex:none;background:#f0f0f0}
.thumb.none{height:120px;display:flex;align-items:center;justify-content:center;color:#888}
.card h3{margin:0}.path{color:#666;font-size:12px;word-break:break-all}
.sentence{font-size:15px;font-weight:600}
dl{display:grid;grid-template-columns:150px 1fr;gap:2px 10px;margin:0}dt{color:#555}
dd{margin:0}dd ul{margin:0;padding-left:18px}
.evidence li{margin:2px 0}.claim-info{color:#666}
.gallery{display:flex;flex-wrap:wrap;gap:10px}.gallery img{max-width:560px;
border:1px solid #ccc}figure{margin:0}figcaption{font-size:12px;color:#666}
pre{white-space:pre-wrap;word-break:break-all;font-size:11px;max-height:400px;overflow:auto}
"""

JS = """
(function () {
  var table = document.getElementById('files');
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var ids = ['verdict', 'generator', 'stripped', 'text'];
  var inputs = ids.map(function (id) { return document.getElementById('f-' + id); });
  function apply() {
    var want = inputs.map(function (el) { return el.value; });
    var shown = 0;
    rows.forEach(function (row) {
      var kinds = JSON.parse(row.dataset.stripped || '[]');
      var name = row.cells[1].textContent.toLowerCase();
      var ok = (!want[0] || row.dataset.verdict === want[0]) &&
               (!want[1] || row.dataset.generator === want[1]) &&
               (!want[2] || kinds.indexOf(want[2]) >= 0) &&
               (!want[3] || name.indexOf(want[3].toLowerCase()) >= 0);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    document.getElementById('shown').textContent = shown + ' of ' + rows.length + ' shown';
  }
  inputs.forEach(function (el) {
    el.addEventListener('input', apply);
    el.addEventListener('change', apply);
  });
  var direction = {};
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    th.addEventListener('click', function () {
      var col = Number(th.dataset.col);
      var sign = direction[col] = -(direction[col] || -1);
      function key(row) {
        var cell = row.cells[col];
        var raw = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent;
        var num = Number(raw);
        return raw !== '' && !isNaN(num) ? num : raw.toLowerCase();
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        return (x < y ? -1 : x > y ? 1 : 0) * sign;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  apply();
})();
"""
