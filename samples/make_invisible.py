"""Regenerate the project's own dwtDct-marked samples (samples/invisible/).

Run:  .venv/bin/python samples/make_invisible.py

Pictures and clip frames are drawn procedurally (seeded noise at several scales, colour
gradients, discs), marked with the project's own encoder (provenance/detectors/dwtdct.py,
checked against the invisible-watermark package's outputs in tests/test_invisible.py), and
saved the way the pipelines save them. ``truth.json`` says what the detector must report.
Pixels are deterministic; the H.264 clips depend on the local ffmpeg/libx264 build.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance.detectors.invisible import dwtdct  # noqa: E402
from provenance.knowledge.generators import load  # noqa: E402

OUT = ROOT / "samples" / "invisible"


def payload(name: str) -> str:
    for gen in load().values():
        for p in gen.invisible:
            if p.name == name:
                return p.bits
    raise KeyError(name)


def scene(
    width: int, height: int, seed: int, shift: tuple[float, float] = (0.0, 0.0)
) -> np.ndarray:
    """A photo-like BGR picture: multi-scale coloured noise over a gradient, with discs.

    ``shift`` pans the same scene (in pixels) so that clip frames move like a camera.
    """
    rng = np.random.default_rng(seed)
    big_w, big_h = width + 64, height + 64
    img = np.zeros((big_h, big_w, 3), np.float32)
    yy, xx = np.mgrid[0:big_h, 0:big_w].astype(np.float32)
    for c in range(3):
        a, b, k = rng.uniform(-1, 1, 3)
        img[:, :, c] = 110 + 60 * (a * xx / big_w + b * yy / big_h) + 20 * k
    for size, amp in ((6, 10.0), (16, 26.0), (64, 30.0)):
        noise = rng.normal(0, 1, (big_h // size + 2, big_w // size + 2, 3)).astype(np.float32)
        img += amp * cv2.resize(noise, (big_w, big_h), interpolation=cv2.INTER_CUBIC)
    for _ in range(12):
        cx, cy = rng.integers(0, big_w), rng.integers(0, big_h)
        color = tuple(float(v) for v in rng.uniform(20, 235, 3))
        cv2.circle(img, (int(cx), int(cy)), int(rng.integers(10, 80)), color, -1, cv2.LINE_AA)
    img += rng.normal(0, 1.5, img.shape).astype(np.float32)  # sensor-like grain
    m = np.float32([[1, 0, -32 - shift[0]], [0, 1, -32 - shift[1]]])
    out = cv2.warpAffine(img, m, (width, height), flags=cv2.INTER_LINEAR)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def ffmpeg_exe() -> str:
    """ffmpeg with libx264: $FFMPEG, PATH, or the binary of an importable imageio-ffmpeg
    (pip install --target DIR imageio-ffmpeg; PYTHONPATH=DIR)."""
    import os
    import shutil

    exe = os.environ.get("FFMPEG") or shutil.which("ffmpeg")
    if exe:
        return exe
    try:
        import imageio_ffmpeg
    except ImportError as exc:
        raise SystemExit("need ffmpeg with libx264 (set FFMPEG or install imageio-ffmpeg)") from exc
    return imageio_ffmpeg.get_ffmpeg_exe()


def write_clip(frames: list[np.ndarray], path: Path, fps: int, crf: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for i, f in enumerate(frames):
            cv2.imwrite(f"{tmp}/{i:04d}.png", f)
        subprocess.run(
            [
                ffmpeg_exe(),
                "-v",
                "error",
                "-y",
                "-framerate",
                str(fps),
                "-i",
                f"{tmp}/%04d.png",
                "-c:v",
                "libx264",
                "-preset",
                "medium",
                "-crf",
                str(crf),
                "-pix_fmt",
                "yuv420p",
                "-movflags",
                "+faststart",
                str(path),
            ],
            check=True,
        )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    truth: dict[str, dict] = {}
    jpeg = [cv2.IMWRITE_JPEG_QUALITY, 95]

    # SDXL as diffusers writes it today: float pipeline, BGR order, saved as PNG.
    base = scene(448, 320, seed=1)
    marked = dwtdct.encode(base, payload("sdxl"), variant="f32")
    cv2.imwrite(str(OUT / "sdxl_render.png"), marked)
    truth["sdxl_render.png"] = {
        "payload": "sdxl",
        "generator": "stable-diffusion-xl",
        "found": True,
        "decisive": True,
    }
    cv2.imwrite(str(OUT / "sdxl_render_q95.jpg"), marked, jpeg)
    truth["sdxl_render_q95.jpg"] = {
        "payload": "sdxl",
        "found": None,
        "note": "JPEG q95: reported either way, see docs",
    }

    # Old diffusers (RGB handed over as BGR).
    cv2.imwrite(
        str(OUT / "sdxl_rgb_render.png"),
        dwtdct.encode(scene(384, 320, seed=2), payload("sdxl"), variant="f32rgb"),
    )
    truth["sdxl_rgb_render.png"] = {
        "payload": "sdxl",
        "generator": "stable-diffusion-xl",
        "found": True,
        "decisive": True,
    }

    # SD 1.x reference script: uint8 BGR through the package.
    cv2.imwrite(
        str(OUT / "sd1_render.png"),
        dwtdct.encode(scene(384, 320, seed=3), payload("sd1"), variant="u8"),
    )
    truth["sd1_render.png"] = {
        "payload": "sd1",
        "generator": "stable-diffusion",
        "found": True,
        "decisive": True,
    }

    # Control: the same kind of picture, never marked.
    cv2.imwrite(str(OUT / "plain_render.png"), scene(384, 320, seed=4))
    truth["plain_render.png"] = {"payload": None, "found": False}

    # Stable Video Diffusion: every frame marked (float pipeline), 8 fps, H.264.
    frames = [
        dwtdct.encode(
            scene(576, 320, seed=5, shift=(2.5 * i, 1.0 * i)), payload("svd"), variant="f32"
        )
        for i in range(24)
    ]
    write_clip(frames, OUT / "svd_clip_crf18.mp4", fps=8, crf=18)
    truth["svd_clip_crf18.mp4"] = {
        "payload": "svd",
        "generator": "stable-video-diffusion",
        "found": True,
    }
    write_clip(frames, OUT / "svd_clip_crf30.mp4", fps=8, crf=30)
    truth["svd_clip_crf30.mp4"] = {
        "payload": "svd",
        "found": False,
        "note": "CRF 30 erases the mark: must say not found",
    }

    (OUT / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")
    for p in sorted(OUT.iterdir()):
        print(f"{p.stat().st_size:>8}  {p.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
