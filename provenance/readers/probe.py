"""What a file is, decided from its bytes (never its extension), and its basic media facts.

Files arrive renamed, truncated or mislabelled; sniffing the magic bytes keeps
the C2PA reader, the metadata readers and the decoders pointed at the right
format, and turns non-media into a clear error instead of a decoder crash.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass
from struct import error as struct_error
from typing import Any

from provenance.model.records import MediaInfo

# Upper bound on frames/fps a container may declare before we call it absurd.
MAX_DECLARED_FRAMES = 50_000_000
MAX_DECLARED_FPS = 1000.0
MIN_DECLARED_FPS = 0.01  # one frame per 100 s: below this the rate is a broken header

# Formats whose sample tables a decoder trusts when it opens the file (ISO BMFF / QuickTime).
BMFF_MIMES = ("video/mp4", "video/quicktime", "audio/mp4", "image/heif", "image/avif")
_BMFF_IMAGE_BRANDS = {"heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"}
_BMFF_TOP_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"pnot"}


class ProbeError(Exception):
    """The file cannot be analysed; the message is one line for the report."""


@dataclass
class Sniffed:
    """The format a file's first bytes show; ``mime`` is None when none is recognised."""

    mime: str | None
    kind: str  # image / video / audio / other


def sniff(head: bytes) -> Sniffed:
    """Format from the first bytes of a file."""
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", "image")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", "image")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed("image/gif", "image")
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return Sniffed("image/tiff", "image")
    if head.startswith(b"BM") and len(head) > 14:
        return Sniffed("image/bmp", "image")
    if head.startswith((b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n")):
        return Sniffed("image/jxl", "image")
    if head.startswith(b"RIFF") and len(head) >= 12:
        form = head[8:12]
        if form == b"WEBP":
            return Sniffed("image/webp", "image")
        if form == b"WAVE":
            return Sniffed("audio/wav", "audio")
        if form.startswith(b"AVI"):
            return Sniffed("video/avi", "video")
        return Sniffed(None, "other")
    if head.startswith(b"%PDF"):
        return Sniffed("application/pdf", "other")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return Sniffed("video/x-matroska", "video")
    if head.startswith(b"FLV\x01") and len(head) >= 9:
        return Sniffed("video/x-flv", "video")
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return Sniffed("audio/mpeg", "audio")
    if head.startswith(b"fLaC"):
        return Sniffed("audio/flac", "audio")
    if head[4:8] == b"jumb":
        return Sniffed("application/c2pa", "other")  # a bare manifest store (sidecar .c2pa)
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12].decode("latin-1").strip().lower()
        if brand == "avif" or brand == "avis":
            return Sniffed("image/avif", "image")
        if brand in _BMFF_IMAGE_BRANDS:
            return Sniffed("image/heif", "image")
        if brand == "qt":
            return Sniffed("video/quicktime", "video")
        if brand in ("m4a", "m4b", "f4a"):
            return Sniffed("audio/mp4", "audio")
        return Sniffed("video/mp4", "video")
    if len(head) >= 8 and head[4:8] in _BMFF_TOP_BOXES:
        return Sniffed("video/quicktime", "video")
    return Sniffed(None, "other")


def probe(path: str, keep: list[Any] | None = None) -> MediaInfo:
    """Sniff the format and read size, frame rate and duration. Raises ProbeError.

    ``keep``: a caller about to decode the clip's frames passes a list, and an MP4 or MOV
    is then opened with PyAV, whose container is appended for the decode to reuse (one open
    instead of OpenCV's for the facts and PyAV's for the frames; the same facts)."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = fh.read(64)
    except IsADirectoryError as exc:
        raise ProbeError("is a directory") from exc
    except PermissionError as exc:
        raise ProbeError("permission denied") from exc
    except FileNotFoundError as exc:
        raise ProbeError("file not found") from exc
    except OSError as exc:
        raise ProbeError(f"cannot read file: {exc.strerror or exc}") from exc
    if size == 0:
        raise ProbeError("empty file (0 bytes)")
    found = sniff(head)
    media = MediaInfo(kind=found.kind, mime=found.mime)
    rotation = _checked_bmff(path, size) if found.mime in BMFF_MIMES else None
    if found.kind == "image":
        _image_facts(path, media)
    elif found.kind == "video":
        # PyAV's facts (and a container kept for the decode) need the rotation read above.
        _video_facts(path, media, keep if rotation is not None else None, rotation or 0)
    elif found.kind == "other" and found.mime is None:
        raise ProbeError("not a recognised image, video or audio format")
    return media


def _checked_bmff(path: str, size: int) -> int | None:
    """Before FFmpeg or the C2PA SDK open an MP4/MOV: a few kilobytes that declare tens of
    millions of samples would make the decoder allocate gigabytes for its index. Returns
    the display rotation, read from the same walk of the boxes (for ``_video_facts``), or
    None when it cannot be read (the facts then come from OpenCV)."""
    from provenance.readers.metadata import bmff

    try:
        with open(path, "rb") as fh:
            top = bmff.walk(fh, size)
            why = bmff.sample_table_refusal(fh, size, top)
            if why:
                raise ProbeError(why)
            try:
                return bmff.display_rotation(fh, size, top)
            except (ValueError, struct_error):
                return None
    except OSError as exc:
        raise ProbeError(f"cannot read file: {exc.strerror or exc}") from exc


def _image_facts(path: str, media: MediaInfo) -> None:
    from PIL import Image, UnidentifiedImageError

    from provenance.frames import MAX_FRAME_PIXELS, formats

    if media.mime in formats.PLUGIN_MIMES:
        formats.register()  # HEIF opener (frames/formats.py)
    animated = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with formats.open_image(path, MAX_FRAME_PIXELS) as im:
                media.width, media.height = im.size
                animated = formats.animation_facts(im, MAX_FRAME_PIXELS)
    except UnidentifiedImageError as exc:
        if media.mime in ("image/heif", "image/avif", "image/jxl"):
            return  # Pillow lacks these decoders; metadata and credentials still apply
        raise ProbeError(f"{media.mime} header could not be read") from exc
    except Image.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        declared = f"{int(found.group(1)):,}" if found else "too many"
        raise ProbeError(
            f"image declares {declared} pixels, over the {MAX_FRAME_PIXELS:,} "
            "pixel limit (decompression bomb?)"
        ) from exc
    except (OSError, ValueError, SyntaxError, struct_error) as exc:
        raise ProbeError(f"image could not be read: {_one_line(exc)}") from exc
    if media.width * media.height > MAX_FRAME_PIXELS:
        raise ProbeError(
            f"image of {media.width}x{media.height} exceeds the {MAX_FRAME_PIXELS:,} pixel limit"
        )
    media.frame_count = 1
    if animated:
        media.frame_count, media.fps = animated
        media.duration_s = animated[0] / animated[1]


def _opencv_facts(path: str) -> tuple[int, int, float, int]:
    import cv2

    # FFmpeg only: the automatic choice would also try OpenCV's image-sequence reader,
    # which reads "%d" in a file name as a pattern and logs decoder errors to stderr.
    cap = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
    try:
        if not cap.isOpened():
            raise ProbeError("video could not be opened by the decoder (truncated or corrupt?)")
        return (
            int(cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0),
            int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0),
            float(cap.get(cv2.CAP_PROP_FPS) or 0.0),
            int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0),
        )
    finally:
        cap.release()


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _video_facts(
    path: str, media: MediaInfo, keep: list[Any] | None = None, rotation: int = 0
) -> None:
    """Size, rate and count: from PyAV when the caller keeps the container for its decode
    (an MP4/MOV: OpenCV's facts, with the display rotation the probe read from the boxes,
    which PyAV reports only on decoded frames), else from OpenCV."""
    from provenance.frames import MAX_FRAME_PIXELS, video

    opened = video.open_for_facts(path, rotation) if keep is not None else None
    if keep is not None and opened is not None:
        width, height, fps, count = opened.width, opened.height, opened.fps, opened.count
        keep.append(opened.container)
    else:
        width, height, fps, count = _opencv_facts(path)
    if width <= 0 or height <= 0:
        raise ProbeError("video has no decodable picture track")
    if width * height > MAX_FRAME_PIXELS:
        raise ProbeError(
            f"video frames of {width}x{height} exceed the {MAX_FRAME_PIXELS:,} pixel limit"
        )
    if not (MIN_DECLARED_FPS <= fps <= MAX_DECLARED_FPS):
        fps = 0.0
    if count < 0 or count > MAX_DECLARED_FRAMES:
        count = 0
    media.width, media.height = width, height
    media.fps = fps or None
    media.frame_count = count or None
    if fps and count:
        media.duration_s = count / fps
