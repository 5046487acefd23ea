"""How the clip texture-hole test holds up across scenes, encoders and re-posts (issue 5).

    PYTHONPATH=DIR .venv/bin/python bench/removal_falloff.py [--seeds 31 32 33] [--crf 18 23 28 33]

needs ffmpeg with libx264 ($FFMPEG, PATH or an importable imageio-ffmpeg in DIR, as
samples/make_invisible.py). For each scene seed, renders with samples/make_stripped.py's
own stamps and removers the eight painted-out clips (Sora Telea/NS/blur/static mask,
LUMA Telea/blur, PIKA NS, sparkle Telea) and ten clean negatives (the panning scene in
landscape and portrait, letterboxed, with a channel-logo plate in a corner (opaque with
text; semi-transparent, plain), the same scene from a still camera, bokeh corners, a sky,
hand-held portrait footage with a caption, portrait footage padded with a blurred copy
of itself), encodes each at every CRF, plus a "re-posted"
copy of each painted-out clip (scaled to 75 % and re-encoded at CRF 28, as platforms do),
and runs ``provenance.check`` on all of them. Prints, per encoding, painted-out clips
caught (``visible-watermark-removed``) and negatives flagged with any removal evidence.
The clip thresholds in weights.toml were set on seeds 21 and 22; the default seeds are
held out.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

import make_stripped as ms  # noqa: E402
from make_clips import Scene  # noqa: E402

import provenance  # noqa: E402

SORA, LAND = (384, 684), ms.LAND


def positives() -> dict[str, tuple]:
    return {
        "sora_telea": (SORA, 6, ms.stamped_then(ms.draw_sora, ms.TELEA)),
        "sora_ns": (SORA, 6, ms.stamped_then(ms.draw_sora, ms.NS)),
        "sora_blur": (SORA, 6, ms.stamped_then(ms.draw_sora, ms.blur_box)),
        "sora_static_mask": (SORA, 6, ms.sora_places_masked(ms.TELEA)),
        "luma_telea": (LAND, 4, ms.stamped_then(ms.draw_luma, ms.TELEA)),
        "luma_blur": (LAND, 4, ms.stamped_then(ms.draw_luma, ms.blur_box)),
        "pika_ns": (LAND, 5, ms.stamped_then(ms.draw_pika, ms.NS)),
        "sparkle_telea": (LAND, 4, ms.stamped_then(ms.draw_sparkle, ms.TELEA)),
    }


def letterbox(img, i: int):
    img = img.copy()
    img[:70], img[-70:] = 0, 0
    return img


def pillarbox_blur(seed: int):
    """Portrait footage shown in a landscape frame over a blurred, dimmed copy of itself
    (as platforms pad vertical video)."""
    scene = Scene(304, 540, seed, ms.DETAIL)

    def render(img, i: int):
        centre = ms.grain(scene.frame(i), i)
        out = cv2.resize(centre, (960, 1706))[583:1123]
        out = (cv2.GaussianBlur(out, (0, 0), 15) * 0.6).astype(np.uint8)
        out[:, 328:632] = centre
        return out

    return render


def negatives(seed: int) -> dict[str, tuple]:
    still = Scene(*LAND, seed, ms.DETAIL).frame(0)
    return {
        "letterbox": (LAND, 4, letterbox),
        "logo_plate": (LAND, 4, ms.logo_plate(1.0, "NEWS 24", False)),
        "logo_plate_plain": (LAND, 4, ms.logo_plate(0.8, None, True)),
        "pillarbox_blur": (LAND, 4, pillarbox_blur(seed)),
        "pan": (LAND, 4, lambda img, i: img),
        "pan_portrait": (SORA, 4, lambda img, i: img),
        "still_camera": (LAND, 4, lambda img, i: ms.grain(still, 1000 + i)),
        "bokeh": (LAND, 4, lambda img, i: ms.bokeh(img)),
        "sky": (LAND, 4, lambda img, i: ms.sky(*LAND, i + seed)),
        "phone_caption": ((360, 640), 4, ms.phone_caption),
    }


def removal_kinds(path: Path) -> tuple[bool, bool]:
    """(visible-watermark-removed in the verdict, any removal-detector evidence)."""
    report = provenance.check(str(path))
    ev = [
        e
        for e in report.evidence
        if e.kind in ("stripping.visible-watermark-removed", "stripping.stamp-cut-at-edge")
    ]
    return "visible-watermark-removed" in report.verdict.stripped, bool(ev)


def reposted(render, size: tuple[int, int]):
    out = (size[0] * 3 // 4 // 2 * 2, size[1] * 3 // 4 // 2 * 2)
    return (lambda img, i: cv2.resize(render(img, i), out, interpolation=cv2.INTER_AREA)), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[31, 32, 33])
    ap.add_argument("--crf", type=int, nargs="+", default=[18, 23, 28, 33])
    args = ap.parse_args()
    rows: dict[str, list[int]] = {}  # encoding -> [caught, positives, flagged, negatives]
    misses: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for seed in args.seeds:
            jobs = []
            for name, (size, secs, render) in positives().items():
                for crf in args.crf:
                    jobs.append((f"CRF {crf}", True, name, size, secs, render, None, crf))
                rp, rsize = reposted(render, size)
                jobs.append(("re-posted 75 % CRF 28", True, name, size, secs, rp, rsize, 28))
            for name, (size, secs, render) in negatives(seed).items():
                for crf in args.crf:
                    jobs.append((f"CRF {crf}", False, name, size, secs, render, None, crf))
            for enc, positive, name, size, secs, render, osize, crf in jobs:
                path = out / f"{name}_{seed}.mp4"
                ms.write_clip(
                    path.name, size, secs, seed, render, out_size=osize, crf=crf, out_dir=out
                )
                caught, any_ev = removal_kinds(path)
                row = rows.setdefault(enc, [0, 0, 0, 0])
                if positive:
                    row[0] += caught
                    row[1] += 1
                    if not caught:
                        misses.setdefault(enc, []).append(f"{name}/{seed}")
                else:
                    row[2] += any_ev
                    row[3] += 1
                    if any_ev:
                        misses.setdefault(enc, []).append(f"FP {name}/{seed}")
                path.unlink()
            print(f"seed {seed} done", file=sys.stderr, flush=True)
    print(f"{'encoding':24s} {'painted-out caught':>20s} {'negatives flagged':>18s}")
    for enc, (tp, npos, fp, nneg) in rows.items():
        neg = f"{fp}/{nneg}" if nneg else "-"
        print(f"{enc:24s} {f'{tp}/{npos}':>20s} {neg:>18s}   {' '.join(misses.get(enc, []))}")


if __name__ == "__main__":
    main()
