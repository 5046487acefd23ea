"""Render the project's own short test clips: procedural moving scenes with stamps drawn
here (text in OpenCV's Hershey font, icons from provenance.detectors.shapes), plus
negatives with subtitles, a caption, or nothing. Deterministic; run from the repo root:

    .venv/bin/python samples/make_clips.py            # writes samples/clips/*
    .venv/bin/python samples/make_clips.py --bench    # also /tmp/provenance_bench_*.mp4

Ground truth for every output is in samples/clips/truth.json (used by the tests and
docs/visible.md). OpenCV here writes MP4 only as 'mp4v', which is fine for tests.

Chinese marks need a CJK font to *render* (``apt-get install fonts-wqy-zenhei`` or
fonts-noto-cjk); the product never needs one, it reads pixels. Without the font the
Chinese sample is kept as committed and not re-rendered.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from provenance.detectors.shapes import cloud, sparkle

OUT = Path(__file__).resolve().parent / "clips"
FONT = cv2.FONT_HERSHEY_DUPLEX
CJK_FONTS = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
]


class Scene:
    """A camera panning over a seeded texture with moving shapes and a slow gradient.

    ``detail`` (grey levels, default none) adds fine texture that pans with the scene, like
    foliage or fabric: the smooth default texture has almost none, unlike camera and
    generator output, and it survives an H.264 re-encode where added grain does not."""

    def __init__(self, w: int, h: int, seed: int, detail: float = 0.0) -> None:
        rng = np.random.default_rng(seed)
        self.w, self.h = w, h
        big = rng.integers(0, 255, (h // 8 + 8, w // 8 + 40, 3), dtype=np.uint8)
        self.texture = cv2.GaussianBlur(
            cv2.resize(big, ((w // 8 + 40) * 8, (h // 8 + 8) * 8), interpolation=cv2.INTER_CUBIC),
            (0, 0),
            9,
        )
        self.texture = cv2.normalize(self.texture, None, 20, 235, cv2.NORM_MINMAX)
        self.shapes = [
            (
                rng.uniform(0, w),
                rng.uniform(0, h),
                rng.uniform(-6, 6),
                rng.uniform(-4, 4),
                int(rng.uniform(8, 30)),
                tuple(int(c) for c in rng.integers(0, 255, 3)),
            )
            for _ in range(7)
        ]
        self.detail = None
        if detail:
            th, tw = self.texture.shape[:2]
            fine = cv2.GaussianBlur(
                np.random.default_rng(seed + 100).normal(0, 1, (th, tw)).astype(np.float32),
                (0, 0),
                1.0,
            )
            self.detail = fine * (detail / float(fine.std()))

    def frame(self, i: int) -> np.ndarray:
        x0 = int(i * 3) % (self.texture.shape[1] - self.w)
        img = self.texture[: self.h, x0 : x0 + self.w].copy()
        ramp = np.linspace(0.6, 1.1, self.w)[None, :, None] * (0.9 + 0.1 * np.sin(i / 9))
        img = np.clip(img * ramp, 0, 255).astype(np.uint8)
        for sx, sy, vx, vy, r, col in self.shapes:
            cx, cy = int((sx + vx * i) % self.w), int((sy + vy * i) % self.h)
            cv2.circle(img, (cx, cy), r, col, -1, cv2.LINE_AA)
            cv2.rectangle(img, (cx - r, cy + r), (cx, cy + 2 * r), col[::-1], -1)
        if self.detail is not None:  # on the shapes too: real surfaces are not flat paint
            img = np.clip(img + self.detail[: self.h, x0 : x0 + self.w, None], 0, 255).astype(
                np.uint8
            )
        return img


def blend(
    img: np.ndarray,
    mask: np.ndarray,
    x: int,
    y: int,
    alpha: float,
    color: tuple[int, int, int] = (255, 255, 255),
) -> None:
    """Alpha-blend a white (or coloured) mask onto img at (x, y), clipped to the frame."""
    h, w = mask.shape
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(img.shape[1], x + w), min(img.shape[0], y + h)
    if x1 <= x0 or y1 <= y0:
        return
    a = (mask[y0 - y : y1 - y, x0 - x : x1 - x].astype(np.float32) / 255.0 * alpha)[..., None]
    roi = img[y0:y1, x0:x1].astype(np.float32)
    img[y0:y1, x0:x1] = (roi * (1 - a) + np.array(color, np.float32) * a).astype(np.uint8)


def text_mask(text: str, height: int, thickness: int = 2) -> np.ndarray:
    scale = cv2.getFontScaleFromHeight(FONT, height, thickness)
    (tw, th), base = cv2.getTextSize(text, FONT, scale, thickness)
    m = np.zeros((th + base + 4, tw + 4), np.uint8)
    cv2.putText(m, text, (2, th + 2), FONT, scale, 255, thickness, cv2.LINE_AA)
    return m


def cjk_font() -> str | None:
    return next((f for f in CJK_FONTS if Path(f).exists()), None)


def cjk_text_mask(text: str, height: int, font_path: str, bold: int = 0) -> np.ndarray:
    """White text on black in a CJK font (Pillow), ``height`` pixels per em; ``bold``
    thickens the strokes by that many pixels."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(font_path, height)
    left, top, right, bottom = font.getbbox(text, stroke_width=bold)
    m = Image.new("L", (right - left + 4, bottom - top + 4), 0)
    ImageDraw.Draw(m).text(
        (2 - left, 2 - top), text, fill=255, font=font, stroke_width=bold, stroke_fill=255
    )
    return np.asarray(m).copy()


def stamp_sora_like(short: int, handle: str, icon_left: bool) -> np.ndarray:
    """Cloud icon + word + @handle, sized like the real stamp (0.085 of the short side)."""
    word = text_mask("Sora", int(short * 0.042), 2)
    hand = text_mask(handle, int(short * 0.03), 1)
    ic = cloud(int(short * 0.085))
    tw = max(word.shape[1], hand.shape[1])
    th = word.shape[0] + hand.shape[0]
    h = max(ic.shape[0], th)
    gap = max(6, int(short * 0.02))
    w = ic.shape[1] + gap + tw
    m = np.zeros((h, w), np.uint8)
    tx = ic.shape[1] + gap if icon_left else 0
    ix = 0 if icon_left else tw + gap
    m[(h - ic.shape[0]) // 2 : (h - ic.shape[0]) // 2 + ic.shape[0], ix : ix + ic.shape[1]] = ic
    ty = (h - th) // 2
    m[ty : ty + word.shape[0], tx : tx + word.shape[1]] |= word
    m[ty + word.shape[0] : ty + th, tx : tx + hand.shape[1]] |= hand
    return m


def place(img_shape: tuple[int, int], mask: np.ndarray, fx: float, fy: float) -> tuple[int, int]:
    h, w = img_shape
    return int(fx * w - mask.shape[1] / 2), int(fy * h - mask.shape[0] / 2)


def corner_place(
    img_shape: tuple[int, int], mask: np.ndarray, fx: float, fy: float
) -> tuple[int, int]:
    """Top-left of a mask anchored by its nearest corner at (fx, fy) of the frame."""
    h, w = img_shape
    return (
        int(fx * w - (mask.shape[1] if fx > 0.5 else 0)),
        int(fy * h - (mask.shape[0] if fy > 0.5 else 0)),
    )


def write(
    name: str,
    w: int,
    h: int,
    seconds: float,
    fps: float,
    seed: int,
    draw: Callable[[np.ndarray, int], None],
) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    scene = Scene(w, h, seed)
    for i in range(int(seconds * fps)):
        img = scene.frame(i)
        draw(img, i)
        writer.write(img)
    writer.release()
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", action="store_true", help="also render 720p/1080p bench clips")
    ap.add_argument("--out", type=Path, help="write here instead of samples/clips")
    args = ap.parse_args()
    global OUT
    if args.out:
        OUT = args.out
    truth: dict[str, dict] = {}
    fps = 12.0

    # 1. Sora-like: the stamp jumps upper-left -> middle-right -> lower-left every 2 s.
    places = [(0.22, 0.09), (0.78, 0.50), (0.22, 0.90)]
    stamps = [stamp_sora_like(384, "@samplemaker", left) for left in (True, False, True)]

    def sora(img: np.ndarray, i: int) -> None:
        k = int(i / fps / 2) % 3
        x, y = place(img.shape[:2], stamps[k], *places[k])
        blend(img, stamps[k], x, y, 0.85)

    write("sora_like.mp4", 384, 684, 6, fps, 1, sora)
    truth["sora_like.mp4"] = {"generator": "sora", "handle": "@samplemaker", "places": 3}

    # 2. Pika-like: "MADE WITH PIKA" changes corner every 2.5 s.
    pika = text_mask("MADE WITH PIKA", 14, 1)
    corners = [(0.02, 0.03), (0.98, 0.03), (0.02, 0.97), (0.98, 0.97)]

    def pika_draw(img: np.ndarray, i: int) -> None:
        x, y = corner_place(img.shape[:2], pika, *corners[int(i / fps / 2.5) % 4])
        blend(img, pika, x, y, 0.75)

    write("pika_like.mp4", 480, 272, 6, fps, 2, pika_draw)
    truth["pika_like.mp4"] = {"generator": "pika", "places": 3}

    # 3. Static corner wordmark, top right.
    luma = text_mask("LUMA", 16, 2)

    def luma_draw(img: np.ndarray, i: int) -> None:
        blend(img, luma, img.shape[1] - luma.shape[1] - 14, 12, 0.7)

    # 480x264: Luma's 640x352 aspect (1.818), so the size is a rescale, not a crop.
    write("luma_like.mp4", 480, 264, 5, fps, 3, luma_draw)
    truth["luma_like.mp4"] = {"generator": "luma", "places": 1}

    # 4. Sparkle near the bottom-right corner (size 0.07, margin 0.128 of the short side).
    def sparkle_draw(img: np.ndarray, i: int) -> None:
        short = min(img.shape[:2])
        s = sparkle(int(0.07 * short))
        m = int(0.128 * short)
        blend(img, s, img.shape[1] - m - s.shape[1], img.shape[0] - m - s.shape[0], 0.6)

    write("sparkle_like.mp4", 480, 272, 5, fps, 4, sparkle_draw)
    truth["sparkle_like.mp4"] = {"generator": "veo", "places": 1}

    # 5. Chinese: Kling's Chinese mark "可灵AI 3.0" fixed bottom-right (text 4.4 % of the
    # short side) and a generic "AI生成" ("AI-generated") label top-left, which no
    # generator entry documents: it must be read, and reported as an unknown overlay.
    font = cjk_font()
    if font:
        kling = cjk_text_mask("可灵AI 3.0", 16, font)
        label = cjk_text_mask("AI生成", 18, font, bold=1)

        def kling_draw(img: np.ndarray, i: int) -> None:
            h, w = img.shape[:2]
            blend(img, kling, int(0.96 * w) - kling.shape[1], int(0.955 * h) - kling.shape[0], 0.8)
            blend(img, label, 16, 14, 0.9)

        write("kling_zh_like.mp4", 640, 360, 4, fps, 10, kling_draw)
    else:
        print("no CJK font: kling_zh_like.mp4 kept as committed (see module doc)")
    truth["kling_zh_like.mp4"] = {
        "generator": "kling",
        "text": "可灵AI",
        "unknown_text": "AI生成",
        "places": 1,
    }

    # 6. Dola (ByteDance): a static "Dola AI" wordmark at the bottom-right, where the
    # generator entry places it (docs/sources.md#vidu-pixverse-bytedance).
    dola = text_mask("Dola AI", 16, 2)

    def dola_draw(img: np.ndarray, i: int) -> None:
        x, y = corner_place(img.shape[:2], dola, 0.96, 0.96)
        blend(img, dola, x, y, 0.75)

    write("dola_like.mp4", 640, 360, 5, fps, 21, dola_draw)
    truth["dola_like.mp4"] = {"generator": "dola", "places": 1}

    # Negatives: subtitles that change every 2 s, a static caption, and nothing.
    subs = ["We went to the lake", "It was cold but bright", "Then the rain came"]
    sub_masks = [text_mask(s, 14, 1) for s in subs]

    def subs_draw(img: np.ndarray, i: int) -> None:
        m = sub_masks[int(i / fps / 2) % 3]
        x = (img.shape[1] - m.shape[1]) // 2
        blend(img, cv2.dilate(m, np.ones((3, 3), np.uint8)), x, img.shape[0] - 40, 1.0, (0, 0, 0))
        blend(img, m, x, img.shape[0] - 40, 1.0)

    write("neg_subtitles.mp4", 480, 272, 6, fps, 5, subs_draw)
    truth["neg_subtitles.mp4"] = {"generator": None}
    hello = text_mask("HELLO", 22, 2)

    def hello_draw(img: np.ndarray, i: int) -> None:
        blend(img, hello, (img.shape[1] - hello.shape[1]) // 2, 20, 1.0)

    write("neg_caption.mp4", 480, 272, 5, fps, 6, hello_draw)
    truth["neg_caption.mp4"] = {"generator": None, "unknown_text": "HELLO"}
    write("neg_plain.mp4", 480, 272, 5, fps, 7, lambda img, i: None)
    truth["neg_plain.mp4"] = {"generator": None}

    # Stills: a sparkle image and a plain one (one-frame media).
    still = Scene(640, 360, 8).frame(0)
    clean = still.copy()
    sparkle_draw(still, 0)
    cv2.imwrite(str(OUT / "sparkle_still.jpg"), still, [cv2.IMWRITE_JPEG_QUALITY, 92])
    cv2.imwrite(str(OUT / "plain_still.jpg"), clean, [cv2.IMWRITE_JPEG_QUALITY, 92])
    truth["sparkle_still.jpg"] = {"generator": "veo", "places": 1}
    # Meta AI's "Imagined with AI" label on a square still; its place is unconfirmed
    # (docs/sources.md#meta-ai), so the entry has none and the label is read wherever it is.
    meta = text_mask("Imagined with AI", 14, 1)
    square = Scene(640, 640, 22).frame(0)
    blend(square, meta, *corner_place(square.shape[:2], meta, 0.03, 0.97), 0.9)
    cv2.imwrite(str(OUT / "meta_like.jpg"), square, [cv2.IMWRITE_JPEG_QUALITY, 92])
    truth["meta_like.jpg"] = {"generator": "meta-ai", "places": 1}
    truth["plain_still.jpg"] = {"generator": None}
    (OUT / "truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n")

    if args.bench:
        for name, (w, h, secs) in {
            "720p_10s": (1280, 720, 10),
            "1080p_60s": (1920, 1080, 60),
        }.items():
            big = [stamp_sora_like(h, "@benchmark", left) for left in (True, False, True)]

            def bench_draw(img: np.ndarray, i: int, big=big) -> None:
                k = int(i / 30 / 3) % 3
                x, y = place(img.shape[:2], big[k], *places[k])
                blend(img, big[k], x, y, 0.85)

            path = Path(f"/tmp/provenance_bench_{name}.mp4")
            writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (w, h))
            scene = Scene(w, h, 9)
            for i in range(secs * 30):
                img = scene.frame(i)
                bench_draw(img, i)
                writer.write(img)
            writer.release()
            print(path)
    for p in sorted(OUT.iterdir()):
        print(f"{p.name}: {p.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
