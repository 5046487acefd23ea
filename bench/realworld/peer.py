"""Run the real-world corpus through the strongest peer and score it like provenance (issue 12).

    python bench/realworld/peer.py [--peer /work/peer-venv/bin/remove-ai-watermarks]
        [--corpus /work/corpus] [--save-reports peer.jsonl] [--reports peer.jsonl] [--json]

The peer is the ``remove-ai-watermarks`` package (PyPI, Apache-2.0), installed in its own venv,
never in the project's: ``python3.11 -m venv /work/peer-venv && /work/peer-venv/bin/pip install
'remove-ai-watermarks[visible,video,heif]'``. Images go through ``identify --json``, videos
through ``video identify --json``. Its answer is mapped onto our report fields (below) and
scored by the same judge as score.py, so the two tables compare like with like.

Mapping (read from the peer's identify.py / video.py, version 0.47.1):
- ``is_ai_generated`` True with confidence "high" -> ai_generated "yes"; True otherwise ->
  "likely"; None -> "unknown". The peer never asserts False, so it never says "unlikely".
- ``platform`` (free text) -> a generator id through PLATFORMS; an unmapped text is kept as is
  and so counts as a wrong generator. Image platforms "OpenAI"/"Google" map to dall-e/imagen,
  video ones to sora/veo.
- C2PA: the peer splits validation into integrity / signature / signer dimensions. No C2PA result
  -> "absent"; integrity or signature failed -> "invalid"; both valid -> "valid" (signer trust
  and expiry are separate, as in our states); a cloud-manifest platform -> "remote".
- Stripping: the peer has no stripping verdict. A failed C2PA integrity/signature is mapped to
  marks_stripped "yes" + "c2pa-invalidated" (the same fact our rule reports); nothing else is
  claimed, so c2pa-removed, visible-watermark-removed and cropped are always missed.
- Handles: the peer reports none (always missed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import DEFAULT_CORPUS, MANIFEST, Entry, load  # noqa: E402
from judge import summarise, table  # noqa: E402
from score import read_reports, report_text, score  # noqa: E402

DEFAULT_PEER = Path("/work/peer-venv/bin/remove-ai-watermarks")
VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi"}

# (pattern on the peer's platform text, generator id); first match wins. "@image"/"@video"
# ids depend on the medium.
PLATFORMS: list[tuple[str, str]] = [
    (r"\bveo\b", "veo"),
    (r"gemini|imagen|nano.?banana", "imagen"),
    # "OpenAI (ChatGPT / GPT Image / DALL·E / Sora)" names every OpenAI product: the medium decides
    (r"openai|chatgpt|dall.?e|gpt-image|gpt-4o", "@openai"),
    (r"\bsora\b", "sora"),
    (r"google", "@google"),
    (r"firefly", "firefly"),
    (r"microsoft|bing|designer", "microsoft-designer"),
    (r"runway", "runway"),
    (r"kling|可灵", "kling"),
    (r"hailuo|minimax|海螺", "hailuo"),
    (r"\bpika\b", "pika"),
    (r"\bluma\b", "luma"),
    (r"\bvidu\b", "vidu"),
    (r"pixverse", "pixverse"),
    (r"jimeng|即梦", "jimeng"),
    (r"doubao|豆包", "doubao"),
    (r"\bdola\b", "dola"),
    (r"seedance|bytedance|volcengine|byteplus|火山", "seedance"),
    (r"xai|grok|aurora", "grok"),
    (r"midjourney", "midjourney"),
    (r"ideogram", "ideogram"),
    (r"flux|black forest", "flux"),
    (r"sdxl|stable diffusion xl", "stable-diffusion-xl"),
    (r"novelai", "novelai"),
    (r"stable diffusion|automatic1111|comfyui|invokeai|fooocus", "stable-diffusion"),
    (r"samsung|galaxy", "galaxy-ai"),
    (r"\bmeta\b", "meta-ai"),
    (r"qwen", "qwen"),
    (r"\bwan\b", "wan"),
]


def generator_of(platform: str | None, video: bool) -> str | None:
    if not platform:
        return None
    for pattern, gid in PLATFORMS:
        if re.search(pattern, platform, re.IGNORECASE):
            if gid == "@openai":
                return "sora" if video else "dall-e"
            if gid == "@google":
                return "veo" if video else "imagen"
            return gid
    return platform


def c2pa_of(integrity: Any, signature: Any, state: Any, present: bool) -> str:
    if not present:
        return "absent"
    if str(integrity).lower() in ("invalid", "failed", "mismatch") or str(signature).lower() in (
        "invalid",
        "failed",
        "mismatch",
    ):
        return "invalid"
    if str(state).lower() == "trusted":
        return "trusted"
    if str(integrity).lower() == "valid" and str(signature).lower() == "valid":
        return "valid"
    return "unreadable"


def to_report(raw: dict[str, Any], video: bool) -> dict[str, Any]:
    """The peer's JSON as a dict shaped like our report (only the fields the judge reads)."""
    conf = raw.get("confidence")
    ai = raw.get("is_ai_generated")
    verdict_ai = "unknown" if ai is not True else ("yes" if conf == "high" else "likely")
    platform = raw.get("platform")
    if video:
        m = raw.get("metadata_markers") or {}
        present = bool(m.get("c2pa_manifest") or m.get("c2pa_validation_source"))
        state = c2pa_of(
            m.get("c2pa_integrity"),
            m.get("c2pa_signature"),
            m.get("c2pa_validation_state"),
            present,
        )
    else:
        v = raw.get("c2pa_validation")
        present = v is not None
        state = c2pa_of(
            (v or {}).get("integrity"), (v or {}).get("signature"), (v or {}).get("state"), present
        )
        if platform and "cloud manifest" in platform:
            state = "remote"
    stripped = ["c2pa-invalidated"] if state == "invalid" else []
    return {
        "status": "ok",
        "verdict": {
            "ai_generated": verdict_ai,
            "generator": generator_of(platform, video) if ai is True else None,
            "marks_stripped": "yes" if stripped else None,
            "stripped": stripped,
        },
        "c2pa": {"state": state},
        "watermarks": [],
        "evidence": [
            {"kind": f"peer.{s.get('name')}", "claim": s.get("confidence")}
            for s in raw.get("signals") or []
            if isinstance(s, dict)
        ]
        + (
            [{"kind": f"peer.visible:{raw['visible_mark']}", "claim": "mark"}]
            if raw.get("visible_mark")
            else []
        ),
        "peer": raw,
    }


def run_peer(
    peer: Path, entries: list[Entry], corpus: Path, timeout: float, log: Path | None
) -> dict[str, Any]:
    """Peer reports by entry id; with ``log``, each is appended as it finishes and files already
    in the log are not run again (the peer's video scan is slow: a run can be resumed)."""
    reports: dict[str, Any] = read_reports(log, entries) if log and log.is_file() else {}
    for i, entry in enumerate(entries, 1):
        if entry.id in reports:
            continue
        path = corpus / entry.file_name
        video = path.suffix.lower() in VIDEO_SUFFIXES
        cmd = (
            [str(peer), "video", "identify", "--json", str(path)]
            if video
            else [str(peer), "identify", "--json", str(path)]
        )
        print(f"[{i}/{len(entries)}] {entry.id}", file=sys.stderr, flush=True)
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
            raw = json.loads(proc.stdout)
        except subprocess.TimeoutExpired:
            reports[entry.id] = {"status": "error", "error": f"peer timed out after {timeout} s"}
            continue
        except json.JSONDecodeError:
            err = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            reports[entry.id] = {"status": "error", "error": err[0][:200]}
            continue
        reports[entry.id] = to_report(raw, video)
        if log:
            with log.open("a", encoding="utf-8") as fh:
                fh.write(
                    json.dumps({"id": entry.id, **reports[entry.id]}, ensure_ascii=False) + "\n"
                )
    return reports


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--peer", type=Path, default=DEFAULT_PEER)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    ap.add_argument("--reports", type=Path, help="score saved peer reports (JSON Lines)")
    ap.add_argument("--save-reports", type=Path, help="append each report here; rerun resumes")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per file")
    ap.add_argument("--only", help="comma-separated entry ids")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    entries = load(args.manifest)
    if args.only:
        entries = [e for e in entries if e.id in set(args.only.split(","))]
    if args.reports:
        reports = read_reports(args.reports, entries)
    else:
        reports = run_peer(args.peer, entries, args.corpus, args.timeout, args.save_reports)
    # Re-map from the peer's own answer, so a mapping fix applies to saved reports too.
    for e in entries:
        raw = reports.get(e.id, {}).get("peer")
        if isinstance(raw, dict):
            reports[e.id] = to_report(raw, Path(e.file_name).suffix.lower() in VIDEO_SUFFIXES)
    outcomes = score(entries, reports)
    version = subprocess.run([str(args.peer), "--version"], capture_output=True, text=True).stdout
    if args.json:
        scored = [e for e in entries if not e.stretch]
        print(
            json.dumps(
                {
                    "tool": "remove-ai-watermarks",
                    "version": version.strip(),
                    "date": dt.date.today().isoformat(),
                    "summary": summarise(scored, outcomes).to_dict(),
                    "stretch_summary": summarise(
                        [e for e in entries if e.stretch], outcomes
                    ).to_dict(),
                    "outcomes": {k: [vars(o) for o in v] for k, v in outcomes.items()},
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        print(report_text(entries, reports, outcomes, "peer", detail=False))
        print(f"\npeer {version.strip()}, {dt.date.today().isoformat()}")
    return 0


__all__ = ["table", "to_report"]

if __name__ == "__main__":
    sys.exit(main())
