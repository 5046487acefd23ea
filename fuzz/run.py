"""Run fuzz targets: ``python -m fuzz.run TARGET|all SECONDS [--keep-going]``.

Each target runs in its own libFuzzer (atheris) process for SECONDS (``all``: each target
for SECONDS), on a corpus seeded from the fixtures and samples (fuzz/corpus/TARGET, not
committed). Without ``--keep-going`` the first exception is a crash: libFuzzer writes the
input to fuzz/artifacts/ and the run fails (what CI wants). With ``--keep-going`` (long
campaigns) each distinct exception is saved to fuzz/findings/TARGET/ with its traceback and
the campaign goes on; hangs and memory blow-ups still stop libFuzzer, which is then restarted
for the remaining time. A summary line per target gives executions and findings.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Per-input limits handed to libFuzzer: a parser that needs longer or more memory than
# this on one input is a finding.
INPUT_TIMEOUT_S = 10
RSS_LIMIT_MB = 1536
MAX_LEN = {"bmff": 131072, "jpeg": 65536, "exif": 65536, "xmp": 65536}
DEFAULT_MAX_LEN = 16384
PILLOW_TARGETS = {"exif", "jpeg", "webp"}


def _child(target: str, argv: list[str]) -> None:
    import atheris

    # Coverage feedback comes from instrumented code: ours always, and Pillow's for the
    # targets whose input goes through it (EXIF, image headers), so that the fuzzer learns
    # the TIFF/EXIF structures our glue has to survive.
    # Only modules imported inside this block are instrumented, so the parsers the targets
    # drive are imported here (the targets import them lazily, which alone would leave the
    # fuzzer without coverage feedback from our code).
    include = ["provenance", *(["PIL"] if target in PILLOW_TARGETS else [])]
    with atheris.instrument_imports(include=include):
        import provenance.readers.metadata
        import provenance.readers.metadata.bmff
        import provenance.readers.metadata.xmp
        import provenance.readers.probe
        import provenance.scanning.resume
        import provenance.scanning.stored  # noqa: F401

        if "PIL" in include:
            import PIL.Image
            import PIL.JpegImagePlugin
            import PIL.PngImagePlugin
            import PIL.TiffImagePlugin
            import PIL.WebPImagePlugin  # noqa: F401
    from fuzz.targets import target as guarded

    fn = guarded(target)
    findings = os.environ.get("FUZZ_FINDINGS")
    if findings:
        fn = _collecting(fn, Path(findings))
    atheris.Setup([sys.argv[0], *argv], fn)
    atheris.Fuzz()


def _collecting(fn, folder: Path):
    seen: set[str] = set()

    def wrapped(data: bytes) -> None:
        try:
            fn(data)
        except Exception as exc:
            frames = traceback.extract_tb(exc.__traceback__)
            where = [f"{Path(f.filename).name}:{f.lineno}" for f in frames][-4:]
            key = hashlib.sha1(f"{type(exc).__name__}|{where}".encode()).hexdigest()[:12]
            if key in seen:
                return
            seen.add(key)
            folder.mkdir(parents=True, exist_ok=True)
            if not (folder / f"{key}.bin").exists():
                (folder / f"{key}.bin").write_bytes(data)
                (folder / f"{key}.txt").write_text(
                    "".join(traceback.format_exception(exc)), encoding="utf-8"
                )
            print(f"FINDING {key} {type(exc).__name__}: {str(exc)[:200]}", flush=True)

    return wrapped


def run_target(target: str, seconds: float, keep_going: bool, log=None) -> dict:
    from fuzz import seeds

    corpus = HERE / "corpus" / target
    seed_dir = HERE / "corpus" / f"{target}.seeds"
    seeds.write(target, seed_dir)
    corpus.mkdir(parents=True, exist_ok=True)
    artifacts = HERE / "artifacts"
    artifacts.mkdir(exist_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), env.get("PYTHONPATH")]))
    env["FUZZ_TIME_GUARD"] = "1"  # CPU time per input byte (fuzz/targets.py)
    if keep_going:
        env["FUZZ_FINDINGS"] = str(HERE / "findings" / target)
    # Scratch files of the targets (fuzz/targets.py): libFuzzer ends the child with C's
    # exit(), past Python's atexit, so the folder is the parent's to remove.
    scratch = tempfile.TemporaryDirectory(prefix=f"fuzz-{target}-")
    env["FUZZ_SCRATCH"] = scratch.name
    try:
        return _loop(target, seconds, keep_going, log, corpus, seed_dir, artifacts, env)
    finally:
        scratch.cleanup()


def _loop(target, seconds, keep_going, log, corpus, seed_dir, artifacts, env) -> dict:
    runs, restarts, crashed, started = 0, 0, False, time.monotonic()
    while True:
        left = seconds - (time.monotonic() - started)
        if left < 1:
            break
        args = [
            sys.executable,
            "-m",
            "fuzz.run",
            "--child",
            target,
            str(corpus),
            str(seed_dir),
            f"-max_total_time={int(left)}",
            f"-timeout={INPUT_TIMEOUT_S}",
            f"-rss_limit_mb={RSS_LIMIT_MB}",
            f"-max_len={MAX_LEN.get(target, DEFAULT_MAX_LEN)}",
            f"-artifact_prefix={artifacts}/{target}-",
            "-print_final_stats=1",
        ]
        proc = subprocess.run(
            args, env=env, cwd=HERE.parent, capture_output=True, text=True, errors="replace"
        )
        out = proc.stdout + proc.stderr
        if log is not None:
            log.write(out)
            log.flush()
        found = re.findall(r"stat::number_of_executed_units:\s*(\d+)", out) or re.findall(
            r"Done (\d+) runs", out
        )
        runs += int(found[-1]) if found else 0
        if proc.returncode == 0:
            break
        crashed = True
        if not keep_going:
            tail = "\n".join(out.splitlines()[-40:])
            print(tail, file=sys.stderr)
            break
        restarts += 1
    findings = sorted((HERE / "findings" / target).glob("*.txt")) if keep_going else []
    result = {
        "target": target,
        "seconds": round(time.monotonic() - started, 1),
        "executions": runs,
        "crashed": crashed and not keep_going,
        "restarts": restarts,
        "findings": len(findings),
    }
    print(json.dumps(result), flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        _child(argv[1], argv[2:])
        return 0
    from fuzz.targets import TARGETS

    parser = argparse.ArgumentParser(
        prog="python -m fuzz.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("target", choices=[*TARGETS, "all"])
    parser.add_argument("seconds", type=float, help="fuzzing time per target")
    parser.add_argument(
        "--keep-going", action="store_true", help="record exceptions and go on (long campaigns)"
    )
    parser.add_argument("--log", help="append libFuzzer output here")
    args = parser.parse_args(argv)
    targets = list(TARGETS) if args.target == "all" else [args.target]
    log = open(args.log, "a", encoding="utf-8") if args.log else None  # noqa: SIM115
    results = [run_target(t, args.seconds, args.keep_going, log) for t in targets]
    stats = HERE / "results.jsonl"
    with open(stats, "a", encoding="utf-8") as fh:
        for r in results:
            fh.write(json.dumps(dict(r, finished=time.strftime("%Y-%m-%dT%H:%M:%S"))) + "\n")
    return 1 if any(r["crashed"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
