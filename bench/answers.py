"""Snapshot of every answer over the samples and shared fixtures, and a diff of two snapshots.

    .venv/bin/python bench/answers.py write /tmp/before.json [--depth full|quick] [folder ...]
    .venv/bin/python bench/answers.py diff /tmp/before.json /tmp/after.json

A speed change must not change what a check says: ``write`` keeps, per file, the status,
verdict, evidence and watermarks of ``provenance.check`` (elapsed time and file facts left
out); ``diff`` prints every file whose answer differs, field by field, and exits 1 if any
does. ``--depth quick`` snapshots the quick check, so ``diff full.json quick.json`` lists
what quick misses (docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIXTURES = Path(os.environ.get("PROVENANCE_FIXTURES", ROOT.parent / "shared" / "fixtures"))
# Not media: scripts, truth tables, keys, sidecar manifests (checked with their asset).
SKIP = {".json", ".md", ".py", ".toml", ".pem", ".key", ".pub", ".c2pa", ".sh", ""}
KEPT = ("status", "error", "watermarks", "evidence", "verdict")


def media_files(folders: list[Path]) -> list[Path]:
    out = []
    for folder in folders:
        for p in sorted(folder.rglob("*")):
            if p.is_file() and p.suffix.lower() not in SKIP and "LICENSE" not in p.name:
                out.append(p)
    return out


def answer(path: Path, depth: str) -> dict:
    import provenance

    data = provenance.check(path, depth=depth).to_dict()
    kept = {k: data[k] for k in KEPT}
    kept["frames_analyzed"] = data["media"]["frames_analyzed"]
    kept["problems"] = data["metadata"].get("problems", [])
    return kept


def write(out: Path, folders: list[Path], depth: str) -> None:
    result = {}
    for p in media_files(folders):
        result[str(p)] = answer(p, depth)
        print(f"{result[str(p)]['verdict']['ai_generated']:8s} {p}", flush=True)
    out.write_text(json.dumps(result, indent=1, sort_keys=True))
    print(f"{len(result)} files -> {out}")


def _diff(a, b, where: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            _diff(a.get(k), b.get(k), f"{where}.{k}", out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(x, y, f"{where}[{i}]", out)
    elif a != b:
        out.append(f"{where}: {json.dumps(a)[:300]} -> {json.dumps(b)[:300]}")


def diff(before: Path, after: Path) -> int:
    a, b = json.loads(before.read_text()), json.loads(after.read_text())
    changed = 0
    for path in sorted(set(a) | set(b)):
        lines: list[str] = []
        _diff(a.get(path), b.get(path), "", lines)
        if lines:
            changed += 1
            print(path)
            for line in lines:
                print("   " + line)
    print(f"{changed} of {len(set(a) | set(b))} files differ")
    return 1 if changed else 0


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("out", type=Path)
    w.add_argument("folders", nargs="*", type=Path)
    w.add_argument("--depth", default="full", choices=("full", "quick"))
    d = sub.add_parser("diff")
    d.add_argument("before", type=Path)
    d.add_argument("after", type=Path)
    args = ap.parse_args()
    if args.cmd == "write":
        write(args.out, args.folders or [ROOT / "samples", FIXTURES], args.depth)
    else:
        sys.exit(diff(args.before, args.after))


if __name__ == "__main__":
    main()
