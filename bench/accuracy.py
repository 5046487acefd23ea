"""Confusion table per stripping kind over every sample and the shared fixtures (issue 5).

    .venv/bin/python bench/accuracy.py [--files]

Runs ``provenance.check`` (all pixel detectors) on each file and compares
``verdict.stripped`` with the truth below: samples/stripped/truth.json (written by
samples/make_stripped.py), the project's clips, the signed credential samples, the metadata
samples and the shared fixtures (expectations from the issue and fixtures/README.md).
``reencoded`` is informational and left out of the table. Prints TP / FP / FN per kind,
then every file whose answer differs from the truth (all files with --files).
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
KINDS = ("c2pa-invalidated", "c2pa-removed", "visible-watermark-removed", "cropped")


def truth() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    stripped = ROOT / "samples" / "stripped"
    for name, t in json.loads((stripped / "truth.json").read_text()).items():
        out[str(stripped / name)] = set(t["stripped"])
    clips = ROOT / "samples" / "clips"
    for name, t in json.loads((clips / "truth.json").read_text()).items():
        # Sora writes C2PA by default: a Sora clip without a manifest lost it.
        out[str(clips / name)] = {"c2pa-removed"} if t.get("generator") == "sora" else set()
    cred = ROOT / "samples" / "credentials"
    for name in ("tampered_clip.mp4", "tampered_pixels.jpg", "tampered_signature.jpg"):
        out[str(cred / name)] = {"c2pa-invalidated"}
    out[str(cred / "stripped_manifest.jpg")] = {"c2pa-removed"}
    for name in ("camera_plain.jpg", "captured.jpg", "gen_clip.mp4", "gen_image.jpg"):
        out[str(cred / name)] = set()
    c2pa = FIXTURES / "c2pa"
    for name in ("XCA.jpg", "dashinit.mp4", "E-sig-CA.jpg"):
        out[str(c2pa / name)] = {"c2pa-invalidated"}
    for name in ("video1_no_manifest.mp4", "no_manifest.jpg"):
        out[str(c2pa / name)] = {"c2pa-removed"}
    for name in (
        "video1.mp4",
        "C.jpg",
        "CA.jpg",
        "CACA.jpg",
        "CA_ct.jpg",
        "boxhash.jpg",
        "legacy.mp4",
        "CIE-sig-CA.jpg",
        "P1000827.jpg",
        "earth_apollo17.jpg",
        "sample1.png",
        "sample1.webp",
        "c.mov",
        "libpng-test.png",
    ):
        out[str(c2pa / name)] = set()
    # Invisible-mark fixtures and samples: real photos, renders with or without an open
    # invisible mark, and their JPEG / H.264 re-encodes; nothing was stripped from any.
    for p in sorted((FIXTURES / "invisible").glob("*")) + sorted(
        (ROOT / "samples" / "invisible").glob("*")
    ):
        if p.suffix.lower() in (".png", ".jpg", ".mp4"):
            out[str(p)] = set()
    out[str(FIXTURES / "real" / "sora_repost.mp4")] = {"c2pa-removed"}
    # Metadata samples: tiny pictures (64x48 clips, small stills) that carry a generator's
    # metadata signal and nothing else; no mark was ever on them, so none was stripped.
    metadata = ROOT / "samples" / "metadata"
    for t in json.loads((metadata / "truth.json").read_text()):
        out[str(metadata / t["file"])] = set()
    return {p: t for p, t in out.items() if Path(p).exists()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", action="store_true", help="print every file's answer")
    args = ap.parse_args()
    import provenance

    table = {k: {"TP": 0, "FP": 0, "FN": 0} for k in KINDS}
    wrong = []
    files = truth()
    for path, expected in files.items():
        report = provenance.check(path)
        got = set(report.verdict.stripped) - {"reencoded"}
        for k in KINDS:
            if k in got and k in expected:
                table[k]["TP"] += 1
            elif k in got:
                table[k]["FP"] += 1
            elif k in expected:
                table[k]["FN"] += 1
        line = (
            f"{Path(path).parent.name}/{Path(path).name}: expected "
            f"{sorted(expected) or '-'}, got {sorted(got) or '-'}"
        )
        if got != expected:
            wrong.append(line)
        elif args.files:
            print("ok   " + line)
    print(f"{len(files)} files")
    print(f"{'kind':28s} {'TP':>4s} {'FP':>4s} {'FN':>4s}")
    for k, row in table.items():
        print(f"{k:28s} {row['TP']:4d} {row['FP']:4d} {row['FN']:4d}")
    if wrong:
        print("\nfiles whose answer differs from the truth:")
        for line in wrong:
            print("  " + line)


if __name__ == "__main__":
    main()
