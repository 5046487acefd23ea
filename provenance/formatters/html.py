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
import io
import json
import os
import secrets
import shutil
import stat
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from provenance.formatters import wording
from provenance.formatters.printable import json_safe, printable
from provenance.model.records import STRIPPED_WORDS, stripped_words

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
    """The page's counts, added one report at a time: files by verdict, generator, stripped mark."""

    verdicts: Counter = field(default_factory=Counter)
    generators: Counter = field(default_factory=Counter)
    stripped: Counter = field(default_factory=Counter)
    total: int = 0

    def add(self, r: dict) -> None:
        self.verdicts[verdict_of(r)] += 1
        v = r.get("verdict") or {}
        if r.get("status") == "ok":
            if v.get("generator"):
                self.generators[_generator_name(v["generator"])] += 1
            for kind in stripped_words(v.get("stripped") or []):
                self.stripped[kind] += 1
        self.total += 1


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


_SHORT = {
    ("yes", "generated"): "AI-generated",
    ("yes", "edited"): "AI-edited",
    ("likely", "generated"): "likely AI-generated",
    ("likely", "edited"): "likely AI-edited",
}


def short_verdict(r: dict) -> str:
    """The table's pill: "AI-edited" apart from "AI-generated" (``verdict.ai_extent``)."""
    verdict = verdict_of(r)
    extent = (r.get("verdict") or {}).get("ai_extent") or "generated"
    return _SHORT.get((verdict, extent), verdict)


def _row(i: int, r: dict) -> str:
    v = r.get("verdict") or {}
    verdict = verdict_of(r)
    gen = _generator_name(v.get("generator"))
    stripped = v.get("stripped") or []
    c2pa = (r.get("c2pa") or {}).get("state", "") if verdict != "error" else ""
    sure = wording.confidence(v, r.get("status", "ok"))
    conf = float(v.get("confidence") or 0.0) if sure else -1
    return (
        f'<tr data-verdict="{e(verdict)}" data-generator="{e(gen)}" '
        f'data-stripped="{escape(json_safe(json.dumps(stripped)), quote=True)}">'
        f"<td class=n>{i + 1}</td>"
        f'<td class=name><a href="#card-{i}">{e(Path(r.get("path", "")).name)}</a></td>'
        f'<td><span class="pill v-{e(verdict)}">{e(short_verdict(r))}</span></td>'
        f"<td>{e(gen)}</td><td>{e('; '.join(stripped_words(stripped)))}</td><td>{e(c2pa)}</td>"
        f'<td class=n data-sort="{conf}">{f"{conf:.2f}" if sure else ""}</td></tr>'
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


def _frame_time(r: dict, frame: int) -> float | None:
    """When frame ``frame`` is shown: from a watermark sighting there, else frame / fps."""
    for wm in r.get("watermarks") or []:
        for s in wm.get("track") or []:
            if s.get("frame") == frame and s.get("time_s") is not None:
                return float(s["time_s"])
    fps = (r.get("media") or {}).get("fps")
    return frame / float(fps) if fps else None


def _marks_at(r: dict, frame: int) -> list[dict]:
    return [
        wm
        for wm in r.get("watermarks") or []
        if wm.get("kind") == "visible"
        and any(s.get("frame") == frame for s in wm.get("track") or [])
    ]


def _mark_words(wm: dict) -> str:
    who = _generator_name(wm.get("generator"))
    text = f" “{wm['text']}”" if wm.get("text") else ""
    handle = f" {wm['handle']}" if wm.get("handle") else ""
    how = {"ocr": "its text was read", "template": "its logo shape matched"}.get(
        wm.get("method") or "", f"found by {wm.get('method')}"
    )
    if who:
        return f"the {who} stamp{text}{handle} ({how})"
    return f"an overlay{text}{handle} that matches no known generator ({how})"


def frame_caption(r: dict, name: str) -> str:
    """An evidence image's caption in words: what it shows, when (0:03.8), and what each
    box means. ``name`` is the image's file stem as evidence_images writes it."""
    kind, _, rest = name.partition("_f")
    digits = rest[:6]
    frame = int(digits) if digits.isdigit() else None
    still = (r.get("media") or {}).get("kind") == "image"
    when = ""
    if frame is not None and not still:
        t = _frame_time(r, frame)
        when = f" at {wording.timecode(t)}" if t is not None else f" (frame {frame})"
    marks = _marks_at(r, frame) if frame is not None else []
    if kind == "crop":
        gen = rest[6:].split("_", 2)[-1] if rest[6:].count("_") >= 2 else ""
        mine = [wm for wm in marks if (wm.get("generator") or "unknown") == gen] or marks
        return f"Close-up{when}: {_mark_words(mine[0]) if mine else 'the stamp'}."
    if kind == "frame":
        what = "; ".join(_mark_words(wm) for wm in marks) or "a watermark"
        boxes = []
        if any(wm.get("generator") for wm in marks):
            boxes.append("a red box marks where a known generator's stamp was found")
        if any(not wm.get("generator") for wm in marks):
            boxes.append("an orange box marks an overlay that matches no known generator")
        key = f" In the picture, {' and '.join(boxes)}, with its label." if boxes else ""
        return f"{'Picture' if still else 'Frame'}{when}: {what}.{key}"
    if kind == "removal":
        return (
            f"{'Picture' if still else 'Frame'}{when}: a purple box marks a place where a "
            "generator's stamp shows traces of being painted out or cut off (its label "
            "names the test that found it)."
        )
    return f"Evidence image{when}."


def _evidence_weight(ev: dict) -> str:
    """What a record argues for and how strongly; context ("info") has no weight to show."""
    claim = ev.get("claim") or "info"
    if claim == "info":
        return "context"
    return f"{claim}, {float(ev.get('confidence') or 0):.2f}"


def _error_block(r: dict) -> str:
    why = r.get("error") or "no reason was recorded"
    return (
        f"<div class=error><b>This file could not be analysed:</b> {e(why)}. "
        "Nothing is known about it: the error says why, not whether it is AI-generated. "
        f"{e(_error_hint(why))}</div>"
    )


# What an error usually means, by a fragment of its reason (pipeline and scanning wording).
_ERROR_HINTS = (
    (("timed out",), "Run it again with a longer --timeout, or --depth quick."),
    (("not a recognised", "empty file"), "It is not an image or video this tool reads."),
    (
        ("truncated", "corrupt", "could be decoded"),
        "The file looks damaged or incomplete (an interrupted download?).",
    ),
    (("memory",), "It needed more memory than allowed (--memory-limit)."),
    (("not found", "permission", "cannot"), "The file could not be read where it was listed."),
)


def _error_hint(why: str) -> str:
    text = why.lower()
    return next((hint for frags, hint in _ERROR_HINTS if any(f in text for f in frags)), "")


def _card(i: int, r: dict, thumb: str | None, frames: list[tuple[str, str]]) -> str:
    v = r.get("verdict") or {}
    verdict = verdict_of(r)
    status = r.get("status", "ok")
    path = r.get("path", "")
    media = r.get("media") or {}
    file = r.get("file") or {}
    img = (
        f'<img class=thumb alt="preview" src="{e(thumb)}">'
        if thumb
        else '<div class="thumb none">no preview</div>'
    )
    facts = []
    if status == "ok":
        sure = wording.confidence(v, status)
        facts.append(
            f"<dt>Verdict</dt><dd><span class='pill v-{e(verdict)}'>{e(short_verdict(r))}</span>"
            f" {e(wording.headline(v, status))}{' (' + e(sure) + ')' if sure else ''}</dd>"
        )
        if v.get("generator"):
            facts.append(f"<dt>Generator</dt><dd>{e(_generator_name(v['generator']))}</dd>")
        facts.append(f"<dt>Marks stripped</dt><dd>{e(wording.marks(v, status))}</dd>")
    if media.get("kind") and status == "ok":
        size = f" {media['width']}×{media['height']}" if media.get("width") else ""
        length = (
            f", {wording.timecode(media['duration_s'])} long" if media.get("duration_s") else ""
        )
        facts.append(
            f"<dt>Media</dt><dd>{e(media.get('kind'))} {e(media.get('mime'))}{e(size)}"
            f"{e(length)}</dd>"
        )
    real = file.get("real_path")
    if real:
        facts.append(f"<dt>Reached via a link to</dt><dd class=path>{e(real)}</dd>")
    if file.get("sha256"):
        facts.append(f"<dt>SHA-256</dt><dd class=hash>{e(file['sha256'])}</dd>")
    if r.get("duplicate_of"):
        facts.append(
            f"<dt>Same bytes as</dt><dd class=path>{e(r['duplicate_of'])} "
            "(analysed once, reported for both)</dd>"
        )
    if r.get("checked_at"):
        facts.append(f"<dt>Checked</dt><dd>{e(r['checked_at'])}</dd>")
    if status == "ok":
        facts.append(_c2pa_block(r.get("c2pa") or {}))
    for wm in r.get("watermarks") or []:
        seen = wording.count(len(wm.get("track") or []), "sampled frame")
        facts.append(
            f"<dt>Watermark</dt><dd>{e(wm.get('kind'))}: {e(_mark_words(wm))}, "
            f"confidence {float(wm.get('confidence') or 0):.2f}"
            f"{', seen in ' + e(seen) if wm.get('kind') == 'visible' else ''}</dd>"
        )
    evidence = "".join(
        f"<li class='claim-{e(ev.get('claim'))}'><b>[{e(ev.get('source'))}]</b> "
        f"{e(ev.get('detail'))} <span class=muted>({e(_evidence_weight(ev))})</span></li>"
        for ev in r.get("evidence") or []
    )
    conflicts = "".join(f"<li>{e(c)}</li>" for c in v.get("conflicts") or [])
    gallery = "".join(
        f'<figure><img alt="{e(frame_caption(r, name))}" src="{e(uri)}">'
        f"<figcaption>{e(frame_caption(r, name))}</figcaption></figure>"
        for name, uri in frames
    )
    raw = escape(json_safe(json.dumps(r, indent=1, ensure_ascii=False, default=str)))
    sentence = _error_block(r) if status != "ok" else f"<p class=sentence>{e(v.get('summary'))}</p>"
    return (
        f'<section class=card id="card-{i}"><div class=head>{img}<div>'
        f"<h3>{e(Path(path).name)}</h3><div class=path>{e(path)}</div>"
        f"{sentence}<dl>{''.join(facts)}</dl></div></div>"
        + (f"<h4>Evidence</h4><ul class=evidence>{evidence}</ul>" if evidence else "")
        + (f"<h4>Conflicts</h4><ul>{conflicts}</ul>" if conflicts else "")
        + (f"<h4>Evidence frames</h4><div class=gallery>{gallery}</div>" if gallery else "")
        + f"<details><summary>JSON report</summary><pre>{raw}</pre></details></section>"
    )


def _options(name: str, values: Iterable[str], words: dict[str, str] | None = None) -> str:
    words = words or {}
    opts = "".join(
        f'<option value="{e(v)}">{e(words.get(v, v))}</option>' for v in sorted(set(values))
    )
    return f'<select id="f-{name}"><option value="">all</option>{opts}</select>'


# --------------------------------------------------------------------------------- page


def _options_words(options: dict) -> str:
    """The options a report was made with, in a line (docs/report.md ``options``)."""
    detectors = options.get("detectors")
    parts = [
        f"depth {options.get('depth')}",
        "pixel detectors " + (", ".join(detectors) if detectors else "none"),
        f"up to {options.get('max_frames')} frames at {options.get('sample_fps')} per second",
        "trust: "
        + " + ".join(
            w
            for w in (
                "the bundled C2PA Trust List" if options.get("bundled_trust") else "",
                f"anchors from {options['trust_anchors']}" if options.get("trust_anchors") else "",
            )
            if w
        )
        or "trust: nothing (no trust list, no anchors)",
        "network allowed" if options.get("allow_network") else "offline",
    ]
    for table, files in (options.get("extra_tables") or {}).items():
        parts.append(f"extra {table} table(s): {', '.join(files)}")
    return "; ".join(p for p in parts if p)


@dataclass
class RunFacts:
    """When the page was made and what made its reports: tool and data versions, options
    (each distinct set with its number of files), so a printed page can be cited."""

    tools: Counter = field(default_factory=Counter)
    data: Counter = field(default_factory=Counter)
    options: Counter = field(default_factory=Counter)
    first: str | None = None  # earliest and latest checked_at
    last: str | None = None

    def add(self, r: dict) -> None:
        for counter, key in ((self.tools, "tool_version"), (self.data, "data_version")):
            if r.get(key):
                counter[str(r.get(key))] += 1
        if isinstance(r.get("options"), dict):
            self.options[_options_words(r["options"])] += 1
        if r.get("checked_at"):
            at = str(r["checked_at"])
            self.first = at if self.first is None else min(self.first, at)
            self.last = at if self.last is None else max(self.last, at)

    def html(self) -> str:
        from provenance.model.stamp import tool_version, utc_now

        def listed(counter: Counter) -> str:
            if len(counter) == 1:
                return e(next(iter(counter)))
            words = "; ".join(f"{e(k)} ({n} files)" for k, n in counter.most_common())
            return words or "not recorded"

        checked = f"{e(self.first)} to {e(self.last)}" if self.first else "not recorded"
        rows = [
            ("Page made", f"{utc_now()} (UTC) by provenance {tool_version()}"),
            ("Files checked", checked),
            ("Tool version", listed(self.tools)),
            ("Data version", listed(self.data)),
            ("Options", listed(self.options)),
        ]
        body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
        return f"<dl class=run>{body}</dl>"


# Rows and cards beyond this many characters go to a temporary file, not memory.
SPOOL_CHARS = 8 * 1024 * 1024


class Page:
    """The page built one report at a time, so a scan of any size keeps only counters: each
    report's table row and detail card are written to a spool (memory, then an unnamed
    temporary file past ``SPOOL_CHARS``) as it comes; the header, which counts them all,
    is made at the end (``text``, ``save``)."""

    def __init__(self, evidence_dir: str | None = None, title: str = "provenance report"):
        self.evidence_dir, self.title = evidence_dir, title
        self.summary, self.facts = Summary(), RunFacts()
        self._values: dict[str, set[str]] = {"verdict": set(), "generator": set(), "kinds": set()}
        # Closed by close() (the page is a context manager).
        self._rows = tempfile.SpooledTemporaryFile(SPOOL_CHARS, "w+", encoding="utf-8")  # noqa: SIM115
        self._cards = tempfile.SpooledTemporaryFile(SPOOL_CHARS, "w+", encoding="utf-8")  # noqa: SIM115

    def __enter__(self) -> Page:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._rows.close()
        self._cards.close()

    def add(self, report: Any) -> None:
        """One report (a Report or its dict): its row, its card (with its preview and
        evidence frames read from ``evidence_dir`` now) and its share of the counts."""
        r = _plain(report)
        i = self.summary.total
        self._rows.write(_row(i, r))
        ev = self.evidence_dir
        self._cards.write(_card(i, r, thumbnail(r, ev), evidence_images(r, ev)))
        self.summary.add(r)
        self.facts.add(r)
        v = r.get("verdict") or {}
        self._values["verdict"].add(verdict_of(r))
        if gen := _generator_name(v.get("generator")):
            self._values["generator"].add(gen)
        self._values["kinds"].update(v.get("stripped") or [])

    def add_all(self, reports: Iterable[Any]) -> Page:
        for r in reports:
            self.add(r)
        return self

    def _parts(self) -> tuple[str, str, str]:
        """The page around the rows, between rows and cards, and after the cards."""
        summary = self.summary
        nonce = secrets.token_urlsafe(16)
        csp = (
            f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
            f"script-src 'nonce-{nonce}'; base-uri 'none'; form-action 'none'"
        )
        counts = "".join(
            f'<div class="stat v-{k}"><b>{summary.verdicts.get(k, 0)}</b>{k}</div>'
            for k in VERDICTS
        )
        values = self._values
        head = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="generator" content="{GENERATOR}">
<meta http-equiv="Content-Security-Policy" content="{e(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{e(self.title)}</title><style>{CSS}</style></head>
<body><header><h1>{e(self.title)}</h1>
<p class=muted>{summary.total} file(s). "unknown" means no marks were found, never "not AI".
Generated offline by provenance.</p>{self.facts.html()}</header>
<section class=summary><div class=stats>{counts}</div>{chart(summary)}
<div class=tables>{_count_table("generator", summary.generators)}
{_count_table("marks stripped", summary.stripped)}</div></section>
<section><h2>Files</h2><div class=filters>
<label>verdict {_options("verdict", values["verdict"])}</label>
<label>generator {_options("generator", values["generator"])}</label>
<label>stripped {_options("stripped", values["kinds"], STRIPPED_WORDS)}</label>
<label>name <input id="f-text" type="search" placeholder="filter by name"></label>
<span id="shown" class=muted></span></div>
<div class=scroll><table id="files"><thead><tr><th data-col=0>#</th><th data-col=1>file</th>
<th data-col=2>verdict</th><th data-col=3>generator</th><th data-col=4>stripped</th>
<th data-col=5>credentials</th><th data-col=6>confidence</th></tr></thead>
<tbody>"""
        middle = "</tbody></table></div></section>\n<section><h2>Details</h2>"
        tail = f"""</section>
<script nonce="{nonce}">{JS}</script></body></html>
"""
        return head, middle, tail

    def write_to(self, out: Any) -> None:
        """The whole page onto the text stream ``out``."""
        head, middle, tail = self._parts()
        out.write(head)
        for spool, after in ((self._rows, middle), (self._cards, tail)):
            spool.seek(0)
            shutil.copyfileobj(spool, out)
            spool.seek(0, os.SEEK_END)
            out.write(after)

    def text(self) -> str:
        out = io.StringIO()
        self.write_to(out)
        return out.getvalue()

    def save(self, path: str | os.PathLike) -> str:
        """Write the page atomically (a reader never sees half a file); returns its path.
        What may be replaced is decided by ``output_target`` (UnsafeOutput otherwise)."""
        target = output_target(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        # A short temporary name beside the target: its own name may be NAME_MAX long.
        fd, tmp = tempfile.mkstemp(prefix=".provenance-", suffix=".html.tmp", dir=target.parent)
        try:
            with open(fd, "w", encoding="utf-8") as fh:
                self.write_to(fh)
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return str(target)


def render(
    reports: Iterable[Any], evidence_dir: str | None = None, title: str = "provenance report"
) -> str:
    """The whole page as a string; ``reports`` are Report objects or their dicts."""
    with Page(evidence_dir, title) as page:
        return page.add_all(reports).text()


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
    """Write the page of ``reports`` (``Page.save``); returns its path. ``path`` is
    checked before any report is read."""
    output_target(path)
    with Page(evidence_dir, title) as page:
        return page.add_all(reports).save(path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def from_jsonl(jsonl: str, html_path: str, evidence_dir: str | None = None) -> str:
    """Render an existing JSON Lines output (e.g. of a resumed scan), each file with its
    last report (``scanning.stored.latest``). Lines that are not valid reports
    (``scanning.stored.problem``) are left out."""
    from provenance.scanning import stored

    return write(html_path, stored.latest(jsonl).reports, evidence_dir)


CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:16px;
color:#222;background:#fafafa;overflow-wrap:anywhere}
h1{margin:0 0 4px}h2{margin-top:28px}.muted{color:#666}
.run{font-size:13px;margin-top:8px}.run dd{color:#333}
.summary{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start;background:#fff;
padding:16px;border:1px solid #ddd;border-radius:8px}
.stats{display:flex;flex-wrap:wrap;gap:8px}.stat{padding:8px 12px;border-radius:6px;color:#fff;
min-width:64px;text-align:center}.stat b{display:block;font-size:22px}
.chart{max-width:100%;height:auto}.chart .lbl{font-size:13px}.chart .num{font-size:12px}
.counts{border-collapse:collapse;margin-bottom:8px}.counts td,.counts th{padding:2px 10px;
border-bottom:1px solid #eee;text-align:left}.n{text-align:right}
.filters{display:flex;gap:14px;flex-wrap:wrap;margin-bottom:8px}
.scroll{overflow-x:auto;max-width:100%}
#files{border-collapse:collapse;width:100%;background:#fff}
#files th{cursor:pointer;background:#eee;text-align:left;padding:6px;user-select:none}
#files td{padding:4px 6px;border-bottom:1px solid #eee}#files td.name{min-width:9em}
.pill{padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;white-space:nowrap}
.v-yes{background:#c62828}.v-likely{background:#ef6c00}.v-unknown{background:#78909c}
.v-unlikely{background:#2e7d32}.v-error{background:#6a1b9a}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:14px;margin:14px 0}
.head{display:flex;gap:16px}.head>div{min-width:0;flex:1}
.card h3,#files td,dd{overflow-wrap:anywhere}.thumb{width:240px;height:auto;max-height:240px;
object-fit:contain;border:1px solid #ddd;flex:none;background:#f0f0f0}
.thumb.none{height:120px;display:flex;align-items:center;justify-content:center;color:#888}
.card h3{margin:0}.path{color:#666;font-size:12px;word-break:break-all}
.hash{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
.sentence{font-size:15px;font-weight:600}
.error{background:#f3e5f5;border-left:4px solid #6a1b9a;padding:8px 10px;margin:8px 0}
dl{display:grid;grid-template-columns:150px minmax(0,1fr);gap:2px 10px;margin:0}dt{color:#555}
dd{margin:0}dd ul{margin:0;padding-left:18px}
.evidence li{margin:2px 0}.claim-info{color:#666}
.gallery{display:flex;flex-wrap:wrap;gap:10px}.gallery img{max-width:100%;width:560px;
height:auto;border:1px solid #ccc}figure{margin:0;max-width:560px}
figcaption{font-size:12px;color:#444}
pre{white-space:pre-wrap;word-break:break-all;font-size:11px;max-height:400px;overflow:auto}
@media (max-width:640px){
body{padding:8px}.head{flex-direction:column}.thumb{width:100%;max-height:none}
dl{grid-template-columns:1fr}dt{margin-top:6px;font-weight:600}
.summary{padding:10px}#files th:nth-child(1),#files td:nth-child(1),
#files th:nth-child(6),#files td:nth-child(6){display:none}
}
@media print{
body{background:#fff;max-width:none;padding:0;font-size:11pt}
.filters,details,#shown{display:none}
.card{break-inside:avoid;border:1px solid #999;box-shadow:none}
.summary{border:1px solid #999}.scroll{overflow:visible}
.pill,.stat,.v-yes,.v-likely,.v-unknown,.v-unlikely,.v-error{print-color-adjust:exact;
-webkit-print-color-adjust:exact}
a{color:inherit;text-decoration:none}
.gallery img{max-width:45%}
}
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
