"""Still-image formats beyond Pillow's own, and animated images as short clips.

* HEIF/HEIC (iPhone, Samsung): ``pi-heif`` registers a Pillow opener. It is the
  decode-only build of ``pillow-heif`` (same maintainer, libheif + libde265, LGPL-3; the full
  ``pillow-heif`` wheel also bundles the x265 encoder, GPL-2, which a checker never needs).
  libheif assembles the grid tiles of camera HEICs and applies their rotation.
* AVIF: Pillow's own plugin (Pillow >= 11.3 ships libavif in its wheels).
* JPEG XL: no decoder is installed by default (the maintained Pillow plugin is GPL-3); such
  a file keeps its credentials and metadata, and the report says the pixels were not
  analysed (``undecodable_note``).
* Animated GIF and WebP: frames are sampled like a short clip (``animation_facts`` gives the
  frame count and rate, ``read_frames`` decodes the sampled ones in one pass).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from functools import cache
from typing import Any

# Browsers show a GIF frame with no (or a 0-1 cs) delay for 100 ms: the rate such a file
# plays at. Animated WebP declares durations in ms; the same floor applies to 0.
DEFAULT_FRAME_MS = 100
MIN_FRAME_MS = 20  # 50 fps: faster declared delays are played at 10 fps by browsers


# Pillow formats whose extra frames are a clip. An MPO (iPhone and camera JPEGs) also has
# several pictures, but they are a gain map, a depth map or the second eye, not frames to
# play: it is read as the still its first picture is (and its later pictures may not even
# decode, "No data found for frame").
ANIMATED_FORMATS = ("GIF", "WEBP", "PNG")

# Image types whose decoder is an optional Pillow opener (imported only for them: ~20 ms).
PLUGIN_MIMES = ("image/heif", "image/heic")


@cache
def register() -> None:
    """Install the optional Pillow openers (once per process)."""
    try:
        import pi_heif
    except ImportError:
        return
    pi_heif.register_heif_opener()


@contextlib.contextmanager
def open_image(path: str, max_pixels: int) -> Iterator[Any]:
    """Pillow's ``Image.open`` under our pixel limit, checked on the declared size before
    anything is decoded. Pillow's own limit is a process-wide setting
    (``Image.MAX_IMAGE_PIXELS``) that belongs to whoever embeds us, so it is left alone:
    its warning is ours to judge, not to print, and past twice its limit it raises the
    ``DecompressionBombError`` we raise past ours."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(path) as im:
            pixels = im.width * im.height
            if pixels > max_pixels:
                raise Image.DecompressionBombError(
                    f"Image size ({pixels} pixels) exceeds limit of {max_pixels} pixels"
                )
            yield im


def can_decode(mime: str | None) -> bool:
    """Is a pixel decoder installed for this image type?"""
    if mime not in ("image/heif", "image/heic", "image/avif", "image/jxl"):
        return True  # Pillow's own formats (and its plugins load only when asked for)
    from PIL import Image, features

    register()
    if mime == "image/avif":
        return bool(features.check("avif"))
    Image.init()
    return ("HEIF" if mime != "image/jxl" else "JXL") in Image.OPEN


def undecodable_note(mime: str | None) -> str:
    return (
        f"no decoder for {mime} pixels is installed: credentials, metadata and container "
        "were read, the pixels were not analysed"
    )


def animation_facts(im: Any, max_pixels: int) -> tuple[int, float] | None:
    """(frame count, frames per second) of an animated GIF / WebP opened by Pillow, from the
    first frame's delay; None for a still (an MPO included: ``ANIMATED_FORMATS``)."""
    if im.format not in ANIMATED_FORMATS:
        return None
    count = int(getattr(im, "n_frames", 1) or 1)
    if count <= 1 or not getattr(im, "is_animated", False):
        return None
    if "duration" not in im.info and im.width * im.height <= max_pixels:
        im.load()  # WebP reports a frame's delay once the frame is decoded
    ms = im.info.get("duration") or DEFAULT_FRAME_MS
    ms = DEFAULT_FRAME_MS if ms < MIN_FRAME_MS else ms
    return count, 1000.0 / float(ms)


def read_frames(path: str, indices: list[int], max_pixels: int) -> Iterator[tuple[int, Any]]:
    """(index, BGR array) of the frames at ``indices`` (sorted) of an animated image."""
    import cv2
    import numpy as np
    from PIL import Image

    with contextlib.suppress(Image.DecompressionBombError), open_image(path, max_pixels) as im:
        count = int(getattr(im, "n_frames", 1) or 1)
        for index in indices:
            if index >= count:
                return
            im.seek(index)
            rgb = np.asarray(im if im.mode == "RGB" else im.convert("RGB"))
            yield index, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
