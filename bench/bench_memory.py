"""Peak memory of a check on a 60-second 1080p clip (issue 16: <= 250 MB per file).

    .venv/bin/python bench/bench_memory.py [clip] [--runs 3]

The clip is rendered first if it is missing (``samples/make_clips.py --bench``, which
writes /tmp/provenance_bench_1080p_60s.mp4; the sample clips it also renders go to a
temporary folder, so samples/ is left alone).

Each figure is the peak resident set (``ru_maxrss``) of a fresh process that checks the clip
once, the largest of ``--runs`` processes (the peak moves by a few MB from run to run with
thread timing). Two ways, per detector set:

* ``command line``: ``provenance check --json`` (the product: its ``main`` caps malloc's
  arenas, provenance/allocator.py);
* ``API``: ``provenance.check`` called from a bare interpreter (the library's defaults; a
  program that embeds provenance chooses its own allocator settings, docs/embedding.md).

``measure(clip)`` gives the figures as a dict for bench/run_all.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CLIP = "/tmp/provenance_bench_1080p_60s.mp4"
ALL = ("visible", "invisible", "removal")
SETS = (ALL, ("visible", "invisible"), ("visible",), ())
API_CHILD = (
    "import json, sys; sys.path.insert(0, {root!r}); import provenance\n"
    "print(json.dumps(provenance.check({path!r}, detectors={dets!r}).to_dict()))\n"
)


def ensure_clip(clip: str = DEFAULT_CLIP) -> str:
    """``clip``, rendered first when it is the default bench clip and missing (~1 min)."""
    if Path(clip).exists():
        return clip
    if os.path.abspath(clip) != DEFAULT_CLIP:
        raise FileNotFoundError(
            f"{clip}: missing (the default bench clip, {DEFAULT_CLIP}, is rendered by "
            "samples/make_clips.py --bench)"
        )
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [sys.executable, str(ROOT / "samples" / "make_clips.py"), "--bench", "--out", out],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
    if not Path(clip).exists():
        raise FileNotFoundError(f"{clip}: samples/make_clips.py --bench did not write it")
    return clip


def _peak(cmd: list[str]) -> tuple[float, dict]:
    """(peak RSS in MB, the report) of one process running ``cmd``. Call it from a small
    process: Linux counts in a child's ``ru_maxrss`` the memory of the process it was
    forked from (run_all.py runs ``measure`` in a fresh interpreter for that reason)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT, env=env, text=True)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        lines = out.read().splitlines()
        if not lines or not lines[-1].startswith("{"):
            raise RuntimeError(f"{' '.join(cmd[:4])} ...: failed\n{err.read()[-1500:]}")
    return usage.ru_maxrss / 1024, json.loads(lines[-1])


def cli_cmd(clip: str, dets: tuple[str, ...]) -> list[str]:
    return [sys.executable, "-m", "provenance.cli.main", "check", "--json"] + [
        "--detectors",
        ",".join(dets),
        clip,
    ]


def api_cmd(clip: str, dets: tuple[str, ...]) -> list[str]:
    return [sys.executable, "-c", API_CHILD.format(root=str(ROOT), path=clip, dets=dets)]


def peak_mb(cmd: list[str], runs: int = 1) -> tuple[float, dict]:
    """The largest peak over ``runs`` fresh processes, and the last report."""
    best, report = 0.0, {}
    for _ in range(max(1, runs)):
        mb, report = _peak(cmd)
        best = max(best, mb)
    return best, report


def measure(clip: str = DEFAULT_CLIP, runs: int = 3) -> dict[str, float]:
    """Peak RSS in MB of one check of ``clip`` (rendered first if it is the missing default
    clip), the largest over ``runs`` processes: ``all_detectors_mb`` and ``no_detectors_mb``
    for the command line (the goal's figure), ``api_all_detectors_mb`` and
    ``api_no_detectors_mb`` for ``provenance.check`` in a bare interpreter."""
    clip = ensure_clip(clip)
    return {
        "all_detectors_mb": peak_mb(cli_cmd(clip, ALL), runs)[0],
        "no_detectors_mb": peak_mb(cli_cmd(clip, ()), runs)[0],
        "api_all_detectors_mb": peak_mb(api_cmd(clip, ALL), runs)[0],
        "api_no_detectors_mb": peak_mb(api_cmd(clip, ()), runs)[0],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("clip", nargs="?", default=DEFAULT_CLIP)
    ap.add_argument("--runs", type=int, default=3, help="processes per figure (the largest)")
    args = ap.parse_args()
    try:
        clip = ensure_clip(args.clip)
    except (FileNotFoundError, subprocess.CalledProcessError) as exc:
        sys.exit(str(exc))
    for how, make in (("command line", cli_cmd), ("API", api_cmd)):
        for dets in SETS:
            try:
                mb, report = peak_mb(make(clip, dets), args.runs)
            except RuntimeError as exc:
                print(f"{how}, detectors={','.join(dets) or 'none'}: {exc}")
                continue
            print(
                f"{how}, detectors={','.join(dets) or 'none'}: peak RSS {mb:.0f} MB "
                f"(largest of {args.runs}), {report['media']['frames_analyzed']} frames "
                f"sampled, {len(report['watermarks'])} watermarks"
            )


if __name__ == "__main__":
    main()
