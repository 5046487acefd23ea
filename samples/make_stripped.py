"""Render stripped variants of the project's own clips, and clean negatives for them.

The scenes and stamps are those of samples/make_clips.py (imported, not copied); this
script then removes the stamps the ways removers do: OpenCV inpainting over the stamp's
box (INPAINT_TELEA and INPAINT_NS, as detector + fill tools do), all three Sora places
inpainted in every frame (as static-mask tools do), a blur box, an inpainting run whose
stamp detector missed a few frames ("flicker back"), a crop that cuts the stamp's place
away, a reverse alpha blend with a slightly wrong alpha map (still), and a platform-like
re-encode that keeps the stamp but has no metadata. Negatives: the same scenes never
stamped, a plain wall, a sky, phone-like portrait footage with a caption box, a panning
scene with lens-blurred corners, one with a channel-logo plate in a corner, and stills
with smooth (bokeh) corners. Clips are H.264 (libx264 through ffmpeg, see write_clip);
pixels are deterministic, the encoded bytes depend on the local ffmpeg/libx264 build.

Run from the repo root (ffmpeg from $FFMPEG, PATH or imageio-ffmpeg, as make_invisible.py):

    PYTHONPATH=DIR .venv/bin/python samples/make_stripped.py   # writes samples/stripped/*

Ground truth for every output is in samples/stripped/truth.json: ``stripped`` lists the
stripping kinds a checker must report for the file (``[]`` for negatives).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from make_clips import Scene, blend, corner_place, place, stamp_sora_like, text_mask  # noqa: E402
from make_invisible import ffmpeg_exe  # noqa: E402

from provenance.detectors.shapes import sparkle

OUT = Path(__file__).resolve().parent / "stripped"
FPS = 12.0
# Fine scene texture (grey levels, Scene's ``detail``) and the H.264 quality of every clip:
# CRF 23 is ffmpeg's libx264 default, what a remover script that re-encodes writes. With
# this texture the decoded clips have 26-29 % flat pixels (|Laplacian| <= 1), near the real
# H.264 fixtures (legacy.mp4, video1.mp4: 23 %); the real Sora repost, re-encoded by its
# platform, has 56 %. bench/bench_removal.py --falloff measures other CRFs.
DETAIL = 4.0
CRF = 23
Box = tuple[int, int, int, int]  # x, y, w, h

# --- stamps as make_clips.py draws them; each returns the stamp's box (or None) ---------

SORA_PLACES = [(0.22, 0.09), (0.78, 0.50), (0.22, 0.90)]
SORA_STAMPS = [stamp_sora_like(384, "@samplemaker", left) for left in (True, False, True)]
# Landscape clips are 960x540 (generators write 720p and up); stamps sized to match.
LAND = (960, 540)
LUMA = text_mask("LUMA", 32, 3)
PIKA = text_mask("MADE WITH PIKA", 28, 2)
PIKA_CORNERS = [(0.02, 0.03), (0.98, 0.03), (0.02, 0.97), (0.98, 0.97)]


def draw_sora(img: np.ndarray, i: int) -> Box:
    k = int(i / FPS / 2) % 3
    x, y = place(img.shape[:2], SORA_STAMPS[k], *SORA_PLACES[k])
    blend(img, SORA_STAMPS[k], x, y, 0.85)
    return x, y, SORA_STAMPS[k].shape[1], SORA_STAMPS[k].shape[0]


def sora_places_masked(
    remove: Callable[[np.ndarray, Box], np.ndarray],
) -> Callable[[np.ndarray, int], np.ndarray]:
    """A static-mask remover: the stamp drawn where it is, then all three of its places
    painted out in every frame, whether the stamp is there or not."""

    def render(img: np.ndarray, i: int) -> np.ndarray:
        draw_sora(img, i)
        for k, (fx, fy) in enumerate(SORA_PLACES):
            x, y = place(img.shape[:2], SORA_STAMPS[k], fx, fy)
            img = remove(img, (x, y, SORA_STAMPS[k].shape[1], SORA_STAMPS[k].shape[0]))
        return img

    return render


def draw_luma(img: np.ndarray, i: int) -> Box:
    x, y = img.shape[1] - LUMA.shape[1] - 28, 24
    blend(img, LUMA, x, y, 0.7)
    return x, y, LUMA.shape[1], LUMA.shape[0]


def draw_pika(img: np.ndarray, i: int) -> Box:
    x, y = corner_place(img.shape[:2], PIKA, *PIKA_CORNERS[int(i / FPS / 2.5) % 4])
    blend(img, PIKA, x, y, 0.75)
    return x, y, PIKA.shape[1], PIKA.shape[0]


def sparkle_geometry(img: np.ndarray) -> tuple[np.ndarray, int, int]:
    short = min(img.shape[:2])
    s = sparkle(int(0.07 * short))
    m = int(0.128 * short)
    return s, img.shape[1] - m - s.shape[1], img.shape[0] - m - s.shape[0]


def draw_sparkle(img: np.ndarray, i: int) -> Box:
    s, x, y = sparkle_geometry(img)
    blend(img, s, x, y, 0.6)
    return x, y, s.shape[1], s.shape[0]


# --- removers ----------------------------------------------------------------------------


def box_mask(shape: tuple[int, ...], box: Box, pad: int) -> np.ndarray:
    x, y, w, h = box
    mask = np.zeros(shape[:2], np.uint8)
    cv2.rectangle(
        mask,
        (max(0, x - pad), max(0, y - pad)),
        (min(shape[1] - 1, x + w + pad), min(shape[0] - 1, y + h + pad)),
        255,
        -1,
    )
    return mask


def inpaint(method: int) -> Callable[[np.ndarray, Box], np.ndarray]:
    def remove(img: np.ndarray, box: Box) -> np.ndarray:
        return cv2.inpaint(img, box_mask(img.shape, box, 4), 5, method)

    return remove


def blur_box(img: np.ndarray, box: Box) -> np.ndarray:
    x, y, w, h = box
    pad = 6
    x0, y0 = max(0, x - pad), max(0, y - pad)
    x1, y1 = min(img.shape[1], x + w + pad), min(img.shape[0], y + h + pad)
    out = img.copy()
    out[y0:y1, x0:x1] = cv2.GaussianBlur(img[y0:y1, x0:x1], (0, 0), 9)
    return out


TELEA = inpaint(cv2.INPAINT_TELEA)
NS = inpaint(cv2.INPAINT_NS)


def grain(img: np.ndarray, seed: int) -> np.ndarray:
    """Fine sensor-like grain (sigma 3 grey levels). make_clips.py's scenes are blurred
    noise with almost no pixel-level texture, unlike camera or generator output; removal
    traces are texture traces, so the stripped variants and their negatives get grain."""
    noise = np.random.default_rng(seed).normal(0, 3, img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


# --- writers -----------------------------------------------------------------------------


def write_clip(
    name: str,
    size: tuple[int, int],
    seconds: float,
    seed: int,
    render: Callable[[np.ndarray, int], np.ndarray],
    out_size: tuple[int, int] | None = None,
    crf: int = CRF,
    out_dir: Path = OUT,
) -> None:
    """Render and encode with libx264 (as generators, removers and platforms write clips;
    OpenCV's mp4v at its default bitrate wipes all fine texture)."""
    w, h = size
    scene = Scene(w, h, seed, DETAIL)
    ow, oh = out_size or size
    enc = subprocess.Popen(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-y",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "bgr24",
            "-s",
            f"{ow}x{oh}",
            "-r",
            str(FPS),
            "-i",
            "-",
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
            str(out_dir / name),
        ],
        stdin=subprocess.PIPE,
    )
    for i in range(int(seconds * FPS)):
        img = render(grain(scene.frame(i), i), i)
        assert img.shape[1] == ow and img.shape[0] == oh, (name, img.shape)
        enc.stdin.write(np.ascontiguousarray(img).tobytes())
    enc.stdin.close()
    if enc.wait() != 0:
        raise SystemExit(f"ffmpeg failed on {name}")


def stamped_then(
    draw: Callable[[np.ndarray, int], Box],
    remove: Callable[[np.ndarray, Box], np.ndarray],
    missed: Callable[[int], bool] = lambda i: False,
) -> Callable[[np.ndarray, int], np.ndarray]:
    def render(img: np.ndarray, i: int) -> np.ndarray:
        box = draw(img, i)
        return img if missed(i) else remove(img, box)

    return render


def still(name: str, img: np.ndarray) -> None:
    cv2.imwrite(str(OUT / name), img, [cv2.IMWRITE_JPEG_QUALITY, 92])


def reverse_alpha(img: np.ndarray, alpha_gain: float, map_size_delta: int) -> np.ndarray:
    """Undo the sparkle blend with a slightly wrong alpha map, as removers do when the
    image was resized or recompressed since the stamp was applied."""
    s, x, y = sparkle_geometry(img)
    size = s.shape[0] + map_size_delta
    amap = cv2.resize(sparkle(size), s.shape[::-1], interpolation=cv2.INTER_LINEAR)
    a = (amap.astype(np.float32) / 255.0 * 0.6 * alpha_gain)[..., None]
    roi = img[y : y + s.shape[0], x : x + s.shape[1]].astype(np.float32)
    orig = (roi - a * 255.0) / np.maximum(1.0 - a, 1e-3)
    out = img.copy()
    out[y : y + s.shape[0], x : x + s.shape[1]] = np.clip(np.round(orig), 0, 255).astype(np.uint8)
    return out


# --- negatives ---------------------------------------------------------------------------


def wall(w: int, h: int, i: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed * 1000 + i)
    base = (
        np.linspace(150, 175, w, dtype=np.float32)[None, :]
        + np.linspace(0, 12, h, dtype=np.float32)[:, None]
    )
    noise = rng.normal(0, 2.5, (h, w)).astype(np.float32)
    g = np.clip(base + noise, 0, 255)
    return cv2.merge([g * 0.95, g, g * 1.05]).clip(0, 255).astype(np.uint8)


def sky(w: int, h: int, i: int) -> np.ndarray:
    rng = np.random.default_rng(11)
    top = np.array([200, 140, 70], np.float32)  # BGR deep blue
    bottom = np.array([235, 210, 170], np.float32)
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    img = top * (1 - t) + bottom * t + np.zeros((1, w, 1), np.float32)
    for k in range(5):
        cx = (rng.uniform(0, w) + i * (1 + k * 0.3)) % (w + 120) - 60
        cy = rng.uniform(0.15, 0.55) * h
        blob = np.zeros((h, w), np.float32)
        cv2.ellipse(
            blob,
            (int(cx), int(cy)),
            (int(rng.uniform(40, 80)), int(rng.uniform(10, 22))),
            0,
            0,
            360,
            1.0,
            -1,
        )
        blob = cv2.GaussianBlur(blob, (0, 0), 9)[..., None]
        img = img * (1 - 0.8 * blob) + 250 * 0.8 * blob
    ground = Scene(w, h, 12).frame(i)
    horizon = int(h * 0.78)
    img[horizon:] = ground[horizon:]
    noise = np.random.default_rng(i).normal(0, 1.5, img.shape).astype(np.float32)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def phone_caption(img: np.ndarray, i: int) -> np.ndarray:
    # Hand-held: the camera wobbles a few pixels; a caption box sits low in the frame.
    dx, dy = 3 * np.sin(i / 3.0), 2 * np.cos(i / 4.0)
    img = cv2.warpAffine(
        img,
        np.float32([[1, 0, dx], [0, 1, dy]]),
        (img.shape[1], img.shape[0]),
        borderMode=cv2.BORDER_REFLECT,
    )
    h, w = img.shape[:2]
    x0, y0, x1, y1 = 30, int(h * 0.80), w - 30, int(h * 0.80) + 46
    roi = img[y0:y1, x0:x1].astype(np.float32)
    img[y0:y1, x0:x1] = (roi * 0.35).astype(np.uint8)
    cap = text_mask("best day at the lake", 16, 1)
    blend(img, cap, (w - cap.shape[1]) // 2, y0 + 12, 1.0)
    return img


def logo_plate(
    alpha: float, text: str | None, right_bottom: bool
) -> Callable[[np.ndarray, int], np.ndarray]:
    """A broadcaster's flat plate (and its white text) fixed in a corner: as smooth as a
    fill, but static while the scene moves."""

    def render(img: np.ndarray, i: int) -> np.ndarray:
        img = img.copy()
        h, w = img.shape[:2]
        bw, bh = 170, 54
        x, y = (w - 30 - bw, h - 24 - bh) if right_bottom else (30, 24)
        roi = img[y : y + bh, x : x + bw].astype(np.float32)
        img[y : y + bh, x : x + bw] = (roi * (1 - alpha) + np.array([120, 40, 20]) * alpha).astype(
            np.uint8
        )
        if text:
            blend(img, text_mask(text, 26, 2), x + 12, y + 12, 1.0)
        return img

    return render


def bokeh(sharp: np.ndarray) -> np.ndarray:
    """Sharp centre, lens-blurred corners (shallow depth of field, soft corners)."""
    h, w = sharp.shape[:2]
    soft = cv2.GaussianBlur(sharp, (0, 0), 12)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r = np.sqrt(((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2)
    a = np.clip((r - 0.45) / 0.4, 0, 1)[..., None]
    return (sharp * (1 - a) + soft * a).astype(np.uint8)


def bokeh_still() -> np.ndarray:
    return bokeh(Scene(640, 360, 13).frame(0))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    truth: dict[str, dict] = {}

    def clip(name: str, kinds: list[str], generator: str | None, note: str, *args, **kw):
        write_clip(name, *args, **kw)
        if generator == "sora":
            # Sora downloads carry C2PA by default and none of these files has a manifest:
            # a perfect checker would also say c2pa-removed (we can when a stamp is left).
            kinds = kinds + ["c2pa-removed"]
        truth[name] = {"stripped": kinds, "generator": generator, "note": note}

    sora_size, land = (384, 684), LAND
    # Sora-like (moving stamp, 3 places; seed 1 as in make_clips.py).
    clip(
        "sora_telea.mp4",
        ["visible-watermark-removed"],
        "sora",
        "stamp box inpainted (INPAINT_TELEA) in every frame",
        sora_size,
        6,
        1,
        stamped_then(draw_sora, TELEA),
    )
    clip(
        "sora_ns.mp4",
        ["visible-watermark-removed"],
        "sora",
        "stamp box inpainted (INPAINT_NS) in every frame",
        sora_size,
        6,
        1,
        stamped_then(draw_sora, NS),
    )
    clip(
        "sora_blur.mp4",
        ["visible-watermark-removed"],
        "sora",
        "blur box over the stamp in every frame",
        sora_size,
        6,
        1,
        stamped_then(draw_sora, blur_box),
    )
    clip(
        "sora_static_mask.mp4",
        ["visible-watermark-removed"],
        "sora",
        "static mask: all three stamp places inpainted (INPAINT_TELEA) in every frame",
        sora_size,
        6,
        1,
        sora_places_masked(TELEA),
    )
    clip(
        "sora_flicker.mp4",
        ["visible-watermark-removed"],
        "sora",
        "INPAINT_TELEA, but the remover's detector missed frames 27-34 (the stamp flickers back)",
        sora_size,
        4,
        1,
        stamped_then(draw_sora, TELEA, lambda i: 27 <= i <= 34),
    )
    # Crop 96 px off the left: the upper-left and lower-left stamps are cut at the edge.
    clip(
        "sora_cropped.mp4",
        ["cropped"],
        "sora",
        "96 px cropped off the left edge, through two of the three stamp places",
        sora_size,
        4,
        1,
        lambda img, i: (draw_sora(img, i), img[:, 96:].copy())[1],
        out_size=(sora_size[0] - 96, sora_size[1]),
    )
    # Platform-like re-encode: stamp kept, scaled to 75 %, no metadata.
    clip(
        "sora_reencoded.mp4",
        ["c2pa-removed"],
        "sora",
        "stamp kept; downscaled re-encode without metadata (as platforms do)",
        sora_size,
        4,
        1,
        lambda img, i: (
            draw_sora(img, i),
            cv2.resize(img, (288, 512), interpolation=cv2.INTER_AREA),
        )[1],
        out_size=(288, 512),
    )
    # Static corner wordmark (LUMA, seed 3) and corner-hopping PIKA (seed 2).
    clip(
        "luma_telea.mp4",
        ["visible-watermark-removed"],
        "luma",
        "corner wordmark inpainted (INPAINT_TELEA)",
        land,
        4,
        3,
        stamped_then(draw_luma, TELEA),
    )
    clip(
        "luma_blur.mp4",
        ["visible-watermark-removed"],
        "luma",
        "blur box over the corner wordmark",
        land,
        4,
        3,
        stamped_then(draw_luma, blur_box),
    )
    clip(
        "luma_cropped.mp4",
        ["cropped"],
        "luma",
        "top 44 px cropped: the wordmark is cut at the top edge",
        land,
        3,
        3,
        lambda img, i: (draw_luma(img, i), img[44:].copy())[1],
        out_size=(960, 496),
    )
    clip(
        "pika_ns.mp4",
        ["visible-watermark-removed"],
        "pika",
        "corner stamp inpainted (INPAINT_NS) wherever it hops",
        land,
        5,
        2,
        stamped_then(draw_pika, NS),
    )
    clip(
        "sparkle_telea.mp4",
        ["visible-watermark-removed"],
        "veo",
        "corner sparkle inpainted (INPAINT_TELEA)",
        land,
        4,
        4,
        stamped_then(draw_sparkle, TELEA),
    )

    # Stills (scene of make_clips.py's sparkle_still.jpg).
    base = grain(Scene(640, 360, 8).frame(0), 0)
    stamped = base.copy()
    draw_sparkle(stamped, 0)
    ok, buf = cv2.imencode(".jpg", stamped, [cv2.IMWRITE_JPEG_QUALITY, 92])
    downloaded = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    box = draw_sparkle(base.copy(), 0)
    for name, img, note in [
        (
            "sparkle_still_unblend.jpg",
            reverse_alpha(downloaded, 0.85, 4),
            "sparkle removed by reverse alpha blending with a slightly wrong alpha map",
        ),
        ("sparkle_still_telea.jpg", TELEA(downloaded, box), "sparkle box inpainted (TELEA)"),
        ("sparkle_still_ns.jpg", NS(downloaded, box), "sparkle box inpainted (NS)"),
        ("sparkle_still_blur.jpg", blur_box(downloaded, box), "blur box over the sparkle"),
    ]:
        still(name, img)
        truth[name] = {"stripped": ["visible-watermark-removed"], "generator": "veo", "note": note}

    # Clean negatives.
    clip(
        "clean_sora_scene.mp4",
        [],
        None,
        "the Sora-like scene, never stamped",
        sora_size,
        3,
        1,
        lambda img, i: img,
    )
    clip(
        "clean_luma_scene.mp4",
        [],
        None,
        "the LUMA-like scene, never stamped",
        land,
        3,
        3,
        lambda img, i: img,
    )
    clip(
        "neg_wall.mp4",
        [],
        None,
        "plain wall, still camera, sensor-like noise",
        land,
        3,
        0,
        lambda img, i: wall(*LAND, i, 1),
    )
    clip(
        "neg_sky.mp4",
        [],
        None,
        "sky with drifting clouds over a textured horizon",
        land,
        3,
        0,
        lambda img, i: sky(*LAND, i),
    )
    clip(
        "neg_phone_caption.mp4",
        [],
        None,
        "hand-held portrait footage with a dark caption box",
        (360, 640),
        3,
        14,
        phone_caption,
    )
    clip(
        "neg_logo_plate.mp4",
        [],
        None,
        "panning scene with a broadcaster's opaque logo plate and text in the top-left corner",
        land,
        4,
        6,
        logo_plate(1.0, "NEWS 24", False),
    )
    clip(
        "neg_bokeh_clip.mp4",
        [],
        None,
        "panning scene, lens-blurred (bokeh) corners",
        land,
        4,
        5,
        lambda img, i: bokeh(img),
    )
    for name, img, note in [
        ("neg_wall_still.jpg", wall(640, 360, 0, 2), "plain wall photo"),
        ("neg_bokeh_still.jpg", grain(bokeh_still(), 1), "sharp centre, blurred (bokeh) corners"),
        (
            "clean_sparkle_scene.jpg",
            grain(Scene(640, 360, 8).frame(0), 0),
            "sparkle scene, never stamped",
        ),
    ]:
        still(name, img)
        truth[name] = {"stripped": [], "generator": None, "note": note}

    (OUT / "truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    total = 0
    for p in sorted(OUT.iterdir()):
        total += p.stat().st_size
        print(f"{p.name}: {p.stat().st_size // 1024} KiB")
    print(f"total {total // 1024} KiB")


if __name__ == "__main__":
    main()
