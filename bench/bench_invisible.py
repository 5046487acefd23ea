"""Measurements behind the dwtDct check (docs/invisible.md). Not run by the tests.

    .venv/bin/python bench/bench_invisible.py null      # false alarms on unmarked frames
    .venv/bin/python bench/bench_invisible.py falloff   # detection vs JPEG quality / CRF
    .venv/bin/python bench/bench_invisible.py cost      # share of `provenance check` time

``null`` decodes a few hundred unmarked frames (shared fixtures, project samples, and crops,
rescales and re-compressions of them) against every known payload and decoder variant, plus
random codewords, and prints the tail of the per-frame chi-square next to the nominal one.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "samples"))

import make_invisible  # noqa: E402

from provenance.detectors.invisible import detector as invisible  # noqa: E402
from provenance.detectors.invisible import dwtdct  # noqa: E402
from provenance.knowledge.numbers import detector_params  # noqa: E402

FIXTURES = Path(os.environ.get("PROVENANCE_FIXTURES", ROOT.parent / "shared" / "fixtures"))
SAMPLES = ROOT / "samples"
STILL_EXT = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".tif", ".tiff")
VIDEO_EXT = (".mp4", ".mov", ".avi", ".mkv", ".webm")
MARKED_WORDS = ("_sdxl", "_sd1", "_sd2", "svd_like", "invisible/")  # skip marked material


def _is_marked(path: str) -> bool:
    return any(w in path for w in MARKED_WORDS) and not path.endswith("_clean.png")


def unmarked_files() -> list[str]:
    files = sorted(glob.glob(str(FIXTURES / "**" / "*"), recursive=True))
    files += sorted(glob.glob(str(SAMPLES / "**" / "*"), recursive=True))
    return [f for f in files if os.path.isfile(f) and not _is_marked(f)]


def _jpeg(img: np.ndarray, q: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def derived(img: np.ndarray, rng: np.random.Generator) -> Iterator[tuple[str, np.ndarray]]:
    """The still itself, random crops, rescales and re-compressions (all unmarked)."""
    yield "orig", img
    h, w = img.shape[:2]
    for k in range(4):
        ch, cw = int(h * rng.uniform(0.5, 0.9)), int(w * rng.uniform(0.5, 0.9))
        y, x = rng.integers(0, h - ch + 1), rng.integers(0, w - cw + 1)
        yield f"crop{k}", img[y : y + ch, x : x + cw]
    for s in (0.6, 0.8, 1.3):
        yield f"scale{s}", cv2.resize(img, (int(w * s), int(h * s)), interpolation=cv2.INTER_AREA)
    for q in (95, 80):
        yield f"jpeg{q}", _jpeg(img, q)


def video_frames(path: str, every: int, limit: int) -> Iterator[tuple[str, np.ndarray]]:
    cap = cv2.VideoCapture(path)
    i = n = 0
    try:
        while n < limit:
            ok, img = cap.read()
            if not ok:
                break
            if i % every == 0:
                n += 1
                yield f"f{i}", img
            i += 1
    finally:
        cap.release()


def null_frames(seed: int = 7) -> Iterator[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    seen: set[str] = set()
    for path in unmarked_files():
        name = os.path.relpath(path, ROOT.parent)
        if path.lower().endswith(STILL_EXT):
            img = cv2.imread(path, cv2.IMREAD_COLOR)
            if img is None:
                continue
            digest = hashlib.sha1(img.tobytes()).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            for tag, im in derived(img, rng):
                if dwtdct.can_carry(im.shape):
                    yield f"{name}:{tag}", im
        elif path.lower().endswith(VIDEO_EXT):
            for tag, im in video_frames(path, every=6, limit=30):
                if dwtdct.can_carry(im.shape):
                    yield f"{name}:{tag}", im


def random_payloads(rng: np.random.Generator, count: int) -> list[invisible.Candidate]:
    from provenance.knowledge.generators import InvisiblePayload

    out = []
    for k in range(count):
        length = int(rng.choice([32, 46, 48, 64, 136]))
        bits = "".join(rng.choice(["0", "1"], size=length))
        out.append(invisible.Candidate("random", InvisiblePayload("dwtDct", f"rnd{k}", bits)))
    return out


def cmd_null(args: argparse.Namespace) -> None:
    rng = np.random.default_rng(11)
    known = invisible.candidates("image")
    rnd = random_payloads(rng, args.random)
    chi_known: list[float] = []
    chi_rnd: list[float] = []
    worst: list[tuple[float, str]] = []
    frames = 0
    t0 = time.time()
    for name, img in null_frames():
        stats = invisible.analyse_frame(img, known + rnd)
        frames += 1
        for (pname, variant), st in stats.items():
            c = float(st.white @ st.white)
            (chi_rnd if pname.startswith("rnd") else chi_known).append(c)
            if not pname.startswith("rnd"):
                worst.append((c, f"{name} {pname}/{variant}"))
        if args.limit and frames >= args.limit:
            break
    scale = detector_params("invisible")["chi2_scale"]
    print(
        f"frames: {frames} ({time.time() - t0:.0f} s); tests: {len(chi_known)} known payload, "
        f"{len(chi_rnd)} random codeword; chi2_scale in use {scale}"
    )
    allc = np.array(chi_known + chi_rnd) / scale
    print("nominal p   chi2>=   known(obs/exp)   random(obs/exp)   all(obs/exp)")
    for p in (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6):
        x = -2 * math.log(p)
        k = int((np.array(chi_known) / scale >= x).sum())
        r = int((np.array(chi_rnd) / scale >= x).sum())
        a = int((allc >= x).sum())
        print(
            f"{p:8.0e}  {x:6.1f}   {k:5d}/{len(chi_known) * p:8.2f}"
            f"   {r:5d}/{len(chi_rnd) * p:8.2f}   {a:5d}/{len(allc) * p:8.2f}"
        )
    print("largest known-payload statistics:")
    for c, what in sorted(worst, reverse=True)[:8]:
        print(f"  chi2 {c:6.1f}  {what}")
    # Calls per frame as the detector makes them (min Bonferroni p over known payloads).
    per_frame = len(known) * len(dwtdct.VARIANTS)
    arr = np.array(chi_known).reshape(frames, per_frame) / scale
    log_p = -arr.max(axis=1) / (2 * math.log(10)) + math.log10(per_frame)
    print(
        f"frames called at p <= 1e-6: {int((log_p <= -6).sum())} of {frames}; "
        f"smallest corrected p {10 ** log_p.min():.2g}"
    )


def _decide(frames: list[np.ndarray], kind: str) -> invisible.Combined:
    cands = invisible.candidates(kind)
    per = [invisible.analyse_frame(f, cands) for f in frames]
    return invisible.best_match(per, cands, detector_params("invisible")["chi2_scale"])[0]


def _called(res: invisible.Combined, name: str) -> tuple[bool, bool]:
    right = res.candidate.payload.name == name
    _, found, decisive = invisible.classify(res, detector_params("invisible"))
    return right and found, right and decisive


def falloff_pictures() -> list[tuple[str, np.ndarray]]:
    """Unmarked stills to mark: the clean fixtures, the C2PA stills, procedural scenes."""
    out, seen = [], set()
    paths = sorted(glob.glob(str(FIXTURES / "invisible" / "*_clean.png")))
    paths += sorted(glob.glob(str(FIXTURES / "c2pa" / "*.jpg")))
    for path in paths:
        img = cv2.imread(path, cv2.IMREAD_COLOR)
        if img is None or not dwtdct.can_carry(img.shape):
            continue
        digest = hashlib.sha1(img.tobytes()).hexdigest()
        if digest not in seen:
            seen.add(digest)
            out.append((os.path.basename(path), img))
    for seed in range(6):
        out.append((f"scene{seed}", make_invisible.scene(640, 448, seed=100 + seed)))
    return out


def cmd_falloff(args: argparse.Namespace) -> None:
    sdxl = make_invisible.payload("sdxl")
    pics = falloff_pictures()
    print(
        f"JPEG: {len(pics)} pictures x 2 encoders (u8 = SD scripts, f32 = diffusers), "
        "payload sdxl; found = p <= 1e-6 with the right payload"
    )
    print("quality  found  decisive  median log10 p")
    for q in (None, 100, 95, 90, 85, 80, 75):
        found = decisive = 0
        logs = []
        for _, img in pics:
            for variant in ("u8", "f32"):
                marked = dwtdct.encode(img, sdxl, variant=variant)
                if q is not None:
                    marked = _jpeg(marked, q)
                res = _decide([marked], "image")
                f, d = _called(res, "sdxl")
                found += f
                decisive += d
                logs.append(res.log10_p if res.candidate.payload.name == "sdxl" else 0.0)
        n = 2 * len(pics)
        print(
            f"{'PNG' if q is None else q:>7}  {found:3d}/{n}  {decisive:3d}/{n}"
            f"  {np.median(logs):8.1f}"
        )
    for name in sorted(glob.glob(str(FIXTURES / "invisible" / "*_sdxl*"))):
        res = _decide([cv2.imread(name, cv2.IMREAD_COLOR)], "image")
        print(
            f"fixture {os.path.basename(name)}: {_called(res, 'sdxl')} "
            f"log10 p {res.log10_p:.1f} agreement {res.agreement:.2f}"
        )
    _falloff_video()


def _clip_frames(path: str) -> list[np.ndarray]:
    cap = cv2.VideoCapture(path)
    frames = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        frames.append(img)
    cap.release()
    return frames


def _detector_on(path: str) -> invisible.Combined:
    """The detector's own frame choice (sampler + max_decoded_frames) on a file."""
    from provenance.frames import FrameSource
    from provenance.readers.probe import probe

    media = probe(path)
    src = FrameSource(path, media)
    idx = src.indices
    most = detector_params("invisible")["max_decoded_frames"]
    if len(idx) > most:
        step = len(idx) / most
        idx = [idx[int(i * step + step / 2)] for i in range(most)]
    frames = [f.image for f in src if f.index in set(idx)]
    return _decide(frames, "video")


def _falloff_video() -> None:
    svd = make_invisible.payload("svd")
    sources = {"video1.mp4": _clip_frames(str(FIXTURES / "c2pa" / "video1.mp4"))}
    sources["scene-pan"] = [
        make_invisible.scene(1024, 576, seed=7, shift=(3.0 * i, 1.0 * i)) for i in range(25)
    ]
    print(
        "\nH.264 (libx264, yuv420p): every frame marked with svd; decided on the frames the "
        "detector reads"
    )
    print("source      encoder  CRF  found  log10 p  agreement  frames")
    with tempfile.TemporaryDirectory() as tmp:
        for src, frames in sources.items():
            for variant in ("u8", "f32"):
                marked = [dwtdct.encode(f, svd, variant=variant) for f in frames]
                for crf in (14, 18, 20, 23, 26, 30):
                    out = os.path.join(tmp, f"{src}_{variant}_{crf}.mp4")
                    make_invisible.write_clip(marked, Path(out), fps=25, crf=crf)
                    res = _detector_on(out)
                    found, _ = _called(res, "svd")
                    print(
                        f"{src:11s} {variant:7s} {crf:4d}  {found!s:5s}  {res.log10_p:7.1f}"
                        f"  {res.agreement:9.2f}  {len(res.frames)}"
                    )
    for name in ("svd_like_crf18.mp4", "svd_like_crf23.mp4"):
        res = _detector_on(str(FIXTURES / "invisible" / name))
        print(f"fixture {name}: found={_called(res, 'svd')[0]} log10 p {res.log10_p:.1f}")


def cmd_cost(args: argparse.Namespace) -> None:
    clip = args.clip or _make_clip()
    import provenance

    def run(detectors: tuple[str, ...]) -> float:
        best = math.inf
        for _ in range(args.repeat):
            t = time.perf_counter()
            provenance.check(clip, detectors=detectors)
            best = min(best, time.perf_counter() - t)
        return best

    base = run(("visible",))
    full = run(("visible", "invisible"))
    alone = _detector_time(clip, args.repeat)
    print(
        f"clip {clip}: check without invisible {base:.2f} s, with {full:.2f} s "
        f"(+{100 * (full - base) / base:.1f}%); the detector alone {alone:.2f} s "
        f"= {100 * alone / base:.1f}% of a check (best of {args.repeat})"
    )


def _detector_time(clip: str, repeat: int) -> float:
    """feed + finish of InvisibleDetector on the sampled frames (decoding excluded)."""
    from provenance.detectors.base import FileContext
    from provenance.frames import FrameSource
    from provenance.options import CheckOptions
    from provenance.readers.credentials.reader import C2paInfo
    from provenance.readers.metadata import MetadataInfo
    from provenance.readers.probe import probe

    media = probe(clip)
    src = FrameSource(clip, media)
    frames = list(src)
    shape = frames[0].image.shape[:2]
    best = math.inf
    for _ in range(repeat):
        det = invisible.InvisibleDetector()
        det.start(FileContext(clip, media, CheckOptions(), src, C2paInfo(), MetadataInfo(), shape))
        t = time.perf_counter()
        for f in frames:
            det.feed(f)
        det.finish()
        best = min(best, time.perf_counter() - t)
    return best


def _make_clip() -> str:
    """A 10 s 1280x720 H.264 clip from the shared fixture video (looped and scaled)."""
    out = os.path.join(tempfile.gettempdir(), "bench_invisible_720p_10s.mp4")
    if not os.path.exists(out):
        src = FIXTURES / "c2pa" / "video1.mp4"
        subprocess.run(
            [
                make_invisible.ffmpeg_exe(),
                "-v",
                "error",
                "-y",
                "-stream_loop",
                "-1",
                "-i",
                str(src),
                "-t",
                "10",
                "-vf",
                "scale=1280:720,setsar=1",
                "-r",
                "30",
                "-c:v",
                "libx264",
                "-crf",
                "20",
                "-pix_fmt",
                "yuv420p",
                "-an",
                out,
            ],
            check=True,
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    n = sub.add_parser("null")
    n.add_argument("--random", type=int, default=8, help="random codewords per frame")
    n.add_argument("--limit", type=int, default=0, help="stop after this many frames")
    sub.add_parser("falloff")
    c = sub.add_parser("cost")
    c.add_argument("--clip", default=None)
    c.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    {"null": cmd_null, "falloff": cmd_falloff, "cost": cmd_cost}[args.cmd](args)


if __name__ == "__main__":
    main()
