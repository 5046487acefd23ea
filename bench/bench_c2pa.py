"""Overhead of `provenance check` over bare c2pa.Reader calls on the C2PA fixture images.

Both run in this one process, after start-up (first call discarded), on the same files,
alternating per round; the median per-file time of each and their ratio are printed.
`provenance` is timed twice: credentials and metadata only (--detectors ""), which is the
path comparable to the bare reader, and with the default pixel detectors.

    .venv/bin/python bench/bench_c2pa.py [FIXTURES_DIR] [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import c2pa

import provenance
from provenance.readers.probe import sniff

IMAGES = (
    "C.jpg",
    "CA.jpg",
    "CACA.jpg",
    "CIE-sig-CA.jpg",
    "E-sig-CA.jpg",
    "XCA.jpg",
    "boxhash.jpg",
    "adobe-20220124-E-clm-CAICAI.jpg",
    "P1000827.jpg",
    "sample1.png",
    "sample1.webp",
    "no_manifest.jpg",
)


def bare_reader(path: Path, ctx) -> None:
    with open(path, "rb") as fh:
        mime = sniff(fh.read(64)).mime
    try:
        with open(path, "rb") as fh, c2pa.Reader(mime, fh, context=ctx) as reader:
            json.loads(reader.json())
    except c2pa.C2paError:
        pass


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    here = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixtures", nargs="?", default=here.parent / "shared/fixtures/c2pa")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    files = [Path(args.fixtures) / n for n in IMAGES]
    ctx = c2pa.Context.from_dict({"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}})
    opts_meta = provenance.CheckOptions(detectors=())
    opts_full = provenance.CheckOptions()
    for f in files:  # warm up: libraries loaded, caches filled, as in a batch scan
        bare_reader(f, ctx)
        provenance.check(f, opts_meta).to_json()
        provenance.check(f, opts_full).to_json()
    bare, meta, full = [], [], []
    for _ in range(args.rounds):
        bare.append(sum(timed(lambda f=f: bare_reader(f, ctx)) for f in files))
        meta.append(sum(timed(lambda f=f: provenance.check(f, opts_meta).to_json()) for f in files))
        full.append(sum(timed(lambda f=f: provenance.check(f, opts_full).to_json()) for f in files))
    n = len(files)
    b, m, a = (statistics.median(x) / n * 1000 for x in (bare, meta, full))
    print(f"{n} fixture images, {args.rounds} rounds, median per file:")
    print(f"  bare c2pa.Reader                         {b:8.2f} ms")
    print(
        f"  provenance check --json --detectors ''   {m:8.2f} ms   ratio {m / b:5.2f}x"
        "   (goal < 1.5x)"
    )
    print(f"  provenance check --json (all detectors)  {a:8.2f} ms   ratio {a / b:5.2f}x")


if __name__ == "__main__":
    main()
