"""Score provenance on the real-world corpus (issue 12): every failed expectation, then a summary.

    .venv/bin/python bench/realworld/score.py [--corpus /work/corpus] [--json]
        [--save-reports out.jsonl] [--reports out.jsonl] [--only ID,ID]

Runs ``provenance.check`` on every manifest file in this one process (assemble the folder first
with fetch.py). For each failed expectation it prints the file, the field, what was expected,
what the report says, and the evidence kinds behind the verdict (``kind:claim`` and, for
stripping, the kind it supports). The summary counts right / wrong / missed per field, and apart:
false AI calls, false generator names and false stripping claims on negatives. Stretch cases
(every mark gone; see the manifest) are summarised on their own and never mixed into the score.
``--reports`` scores saved JSON Lines reports instead of running the tool; ``--json`` prints one
machine-readable object instead of text.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from corpus import DEFAULT_CORPUS, MANIFEST, Entry, load  # noqa: E402
from judge import Outcome, judge, observe, summarise, table  # noqa: E402


def commit_of(root: Path) -> str:
    proc = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return proc.stdout.strip() + ("+dirty" if dirty else "")


def run_provenance(entries: list[Entry], corpus: Path) -> dict[str, dict[str, Any]]:
    import provenance

    reports: dict[str, dict[str, Any]] = {}
    for i, entry in enumerate(entries, 1):
        path = corpus / entry.file_name
        if not path.is_file():
            reports[entry.id] = {"status": "missing", "error": f"{path} not found (run fetch.py)"}
            continue
        print(f"[{i}/{len(entries)}] {entry.id}", file=sys.stderr, flush=True)
        reports[entry.id] = provenance.check(path).to_dict()
    return reports


def read_reports(path: Path, entries: list[Entry]) -> dict[str, dict[str, Any]]:
    """Saved reports keyed by entry id: by an ``id`` field, else by the file name in ``path``."""
    by_name = {e.file_name: e.id for e in entries}
    out: dict[str, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rep = json.loads(line)
        key = rep.get("id") or by_name.get(Path(str(rep.get("path", ""))).name)
        if key:
            out[key] = rep
    return out


def evidence_line(report: dict[str, Any]) -> str:
    parts = []
    for e in observe(report).evidence:
        tag = f"{e.get('kind')}:{e.get('claim')}"
        if e.get("stripped"):
            tag += f"->{e['stripped']}"
        if e.get("generator"):
            tag += f"[{e['generator']}]"
        parts.append(tag)
    return ", ".join(parts) or "(no evidence)"


def score(entries: list[Entry], reports: dict[str, dict[str, Any]]) -> dict[str, list[Outcome]]:
    return {e.id: judge(e, observe(reports.get(e.id, {}))) for e in entries}


def report_text(
    entries: list[Entry],
    reports: dict[str, dict[str, Any]],
    outcomes: dict[str, list[Outcome]],
    tool: str,
    detail: bool,
) -> str:
    lines = []
    for stretch in (False, True):
        group = [e for e in entries if e.stretch == stretch]
        lines.append(f"\n== {'stretch cases' if stretch else 'failed expectations'} ({tool}) ==")
        for e in group:
            bad = [o for o in outcomes[e.id] if o.result != "right"]
            if not bad:
                continue
            rep = reports.get(e.id, {})
            lines.append(f"{e.id}  [{e.kind}]  {e.file_name}")
            for o in bad:
                flag = f"  FALSE {o.false_claim.upper()} CLAIM" if o.false_claim else ""
                lines.append(
                    f"    {o.field}: {o.result}: expected {o.expected!r}, got {o.got!r}{flag}"
                )
            lines.append(f"    evidence: {evidence_line(rep)}")
            if rep.get("error"):
                lines.append(f"    error: {rep['error']}")
            if detail:
                for ev in observe(rep).evidence:
                    lines.append(f"      - {ev.get('kind')}: {ev.get('detail')}")
        s = summarise(group, {e.id: outcomes[e.id] for e in group})
        lines.append(
            f"\n{tool}: {len(group)} {'stretch' if stretch else 'scored'} files "
            f"({s.negatives} negatives)\n" + table({tool: s})
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    ap.add_argument("--reports", type=Path, help="score these saved reports (JSON Lines)")
    ap.add_argument("--save-reports", type=Path, help="write the reports run here (JSON Lines)")
    ap.add_argument("--only", help="comma-separated entry ids")
    ap.add_argument("--json", action="store_true", help="one JSON object on stdout")
    ap.add_argument("--detail", action="store_true", help="print each evidence detail sentence")
    args = ap.parse_args(argv)

    entries = load(args.manifest)
    if args.only:
        wanted = set(args.only.split(","))
        entries = [e for e in entries if e.id in wanted]
    reports = (
        read_reports(args.reports, entries)
        if args.reports
        else run_provenance(entries, args.corpus)
    )
    if args.save_reports:
        with args.save_reports.open("w", encoding="utf-8") as fh:
            for e in entries:
                fh.write(
                    json.dumps({"id": e.id, **reports.get(e.id, {})}, ensure_ascii=False) + "\n"
                )
    outcomes = score(entries, reports)
    if args.json:
        scored = [e for e in entries if not e.stretch]
        stretch = [e for e in entries if e.stretch]
        print(
            json.dumps(
                {
                    "tool": "provenance",
                    "commit": commit_of(ROOT),
                    "date": dt.date.today().isoformat(),
                    "summary": summarise(scored, outcomes).to_dict(),
                    "stretch_summary": summarise(stretch, outcomes).to_dict(),
                    "outcomes": {k: [vars(o) for o in v] for k, v in outcomes.items()},
                    "evidence": {e.id: evidence_line(reports.get(e.id, {})) for e in entries},
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        print(report_text(entries, reports, outcomes, "provenance", args.detail))
        print(f"\nmeasured on {commit_of(ROOT)}, {dt.date.today().isoformat()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
