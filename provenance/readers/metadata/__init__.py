"""Metadata and container facts: XMP, EXIF, PNG text, TC260 AI labels, MP4/MOV boxes.

Each reader walks its format's structure itself with bounded reads, so a lying
length field or a huge text chunk costs a problem note, not memory.
"""

from __future__ import annotations

import contextlib
import io
import struct
import warnings
import zlib
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from provenance.model.records import MediaInfo
from provenance.readers.metadata import bmff, xmp

MAX_SEGMENTS = 4096
MAX_TEXT_CHARS = 4000  # kept per text value in the report
MAX_INFLATE = 1024 * 1024  # decompressed bytes allowed per compressed PNG text chunk
_EXIF_TAGS = {
    0x010F: "Make",
    0x0110: "Model",
    0x0131: "Software",
    0x010E: "ImageDescription",
    0x013B: "Artist",
    0x8298: "Copyright",
    0x9286: "UserComment",
}


@dataclass
class MetadataInfo:
    xmp: xmp.XmpFacts | None = None
    exif: dict[str, str] = field(default_factory=dict)
    png_text: dict[str, str] = field(default_factory=dict)
    aigc: dict[str, Any] | None = None  # TC260 implicit AI label, wherever it was found
    aigc_source: str | None = None
    c2pa_embedding: list[str] = field(default_factory=list)  # where manifest bytes sit
    container: bmff.ContainerFacts | None = None
    problems: list[str] = field(default_factory=list)


def read(path: str, media: MediaInfo) -> MetadataInfo:
    """Metadata of the file at ``path`` (opened read-only); never raises for bad content."""
    with open(path, "rb") as fh:
        return read_stream(fh, media.mime)


def read_bytes(data: bytes, mime: str | None) -> MetadataInfo:
    """Metadata of an in-memory file (what the fuzz targets drive)."""
    return read_stream(io.BytesIO(data), mime)


def read_stream(fh: BinaryIO, mime: str | None) -> MetadataInfo:
    info = MetadataInfo()
    fh.seek(0, 2)
    size = fh.tell()
    fh.seek(0)
    mime = mime or ""
    packet: bytes | None = None
    if mime == "image/jpeg":
        packet = _jpeg(fh, info)
    elif mime == "image/png":
        packet = _png(fh, size, info)
    elif mime == "image/webp":
        packet = _webp(fh, size, info)
    elif mime in ("video/mp4", "video/quicktime", "audio/mp4", "image/heif", "image/avif"):
        info.container = bmff.read_container(fh, size)
        info.problems.extend(info.container.problems)
        packet = info.container.xmp
        if info.container.c2pa_box:
            info.c2pa_embedding.append("bmff-uuid")
        for key, value in info.container.keys.items():
            if key.upper().endswith("AIGC") and info.aigc is None:
                info.aigc = xmp.parse_aigc(value)
                info.aigc_source = "mp4-metadata" if info.aigc else None
    if mime in ("image/jpeg", "image/tiff", "image/webp"):
        fh.seek(0)
        _exif(fh, info)
    if packet:
        info.xmp = xmp.parse(packet)
        if info.xmp.aigc and info.aigc is None:
            info.aigc, info.aigc_source = info.xmp.aigc, "xmp"
    if info.aigc is None:
        for source, table in (("png-text", info.png_text), ("exif", info.exif)):
            for key, value in table.items():
                label = xmp.parse_aigc(value) if "aigc" in key.lower() or "{" in value else None
                if label:
                    info.aigc, info.aigc_source = label, f"{source}:{key}"
                    break
            if info.aigc:
                break
    return info


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS] + "…"


def _jpeg(fh: BinaryIO, info: MetadataInfo) -> bytes | None:
    """Walk JPEG marker segments up to the scan; return the XMP packet."""
    fh.seek(2)
    packet = None
    for _ in range(MAX_SEGMENTS):
        marker = fh.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            break
        code = marker[1]
        if code == 0xFF:
            fh.seek(-1, 1)
            continue
        if code in (0xD8, 0x01) or 0xD0 <= code <= 0xD7:
            continue
        if code in (0xDA, 0xD9):  # start of scan / end of image
            break
        raw = fh.read(2)
        if len(raw) < 2:
            info.problems.append("JPEG segment header truncated")
            break
        length = struct.unpack(">H", raw)[0]
        if length < 2:
            info.problems.append("JPEG segment with impossible length")
            break
        start = fh.tell()
        if code == 0xE1:
            body = fh.read(min(length - 2, xmp.MAX_XMP_BYTES))
            if body.startswith(b"http://ns.adobe.com/xap/1.0/\x00") and packet is None:
                packet = body[29:]
        elif code == 0xEB:
            body = fh.read(min(length - 2, 16))
            if b"JP" in body[:2] and "jpeg-app11" not in info.c2pa_embedding:
                info.c2pa_embedding.append("jpeg-app11")
        fh.seek(start + length - 2)
    return packet


def _png(fh: BinaryIO, size: int, info: MetadataInfo) -> bytes | None:
    fh.seek(8)
    packet = None
    for _ in range(MAX_SEGMENTS):
        head = fh.read(8)
        if len(head) < 8:
            break
        length, kind = struct.unpack(">I4s", head)
        start = fh.tell()
        if start + length + 4 > size:
            info.problems.append(f"PNG chunk {kind!r} runs past the end of the file")
            break
        if kind == b"IEND":
            break
        if kind == b"caBX":
            info.c2pa_embedding.append("png-caBX")
        elif kind == b"eXIf" and length <= MAX_INFLATE:
            _exif_from_bytes(fh.read(length), info)
        elif kind in (b"tEXt", b"zTXt", b"iTXt"):
            body = fh.read(min(length, MAX_INFLATE))
            key, value = _png_text(kind, body, info)
            if key == "XML:com.adobe.xmp" and packet is None:
                packet = value.encode("utf-8")
            elif key and len(info.png_text) < 64:
                info.png_text[key] = _clip(value)
        fh.seek(start + length + 4)  # skip data and CRC
    return packet


def _png_text(kind: bytes, body: bytes, info: MetadataInfo) -> tuple[str | None, str]:
    key, _, rest = body.partition(b"\x00")
    name = key.decode("latin-1", "replace")[:79]
    try:
        if kind == b"tEXt":
            return name, rest.decode("latin-1", "replace")
        if kind == b"zTXt":
            return name, _inflate(rest[1:]).decode("latin-1", "replace")
        compressed, _method = rest[0:1] == b"\x01", rest[1:2]
        rest = rest[2:]
        _lang, _, rest = rest.partition(b"\x00")
        _translated, _, text = rest.partition(b"\x00")
        raw = _inflate(text) if compressed else text
        return name, raw.decode("utf-8", "replace")
    except (zlib.error, ValueError) as exc:
        info.problems.append(f"PNG text chunk {name!r} could not be decoded: {exc}")
        return None, ""


def _inflate(data: bytes) -> bytes:
    d = zlib.decompressobj()
    out = d.decompress(data, MAX_INFLATE)
    if d.unconsumed_tail:
        raise ValueError(f"decompresses to more than {MAX_INFLATE} bytes")
    return out


def _webp(fh: BinaryIO, size: int, info: MetadataInfo) -> bytes | None:
    fh.seek(12)
    packet = None
    for _ in range(MAX_SEGMENTS):
        head = fh.read(8)
        if len(head) < 8:
            break
        kind, length = struct.unpack("<4sI", head)
        start = fh.tell()
        if kind == b"XMP " and packet is None:
            packet = fh.read(min(length, xmp.MAX_XMP_BYTES))
        elif kind == b"C2PA":
            info.c2pa_embedding.append("webp-C2PA")
        if start + length > size:
            break
        fh.seek(start + length + (length & 1))
    return packet


def _exif(source: str | BinaryIO, info: MetadataInfo) -> None:
    from PIL import Image

    try:
        with warnings.catch_warnings():  # "Corrupt EXIF data": a problem note, not stderr
            warnings.simplefilter("ignore")
            with Image.open(source) as im:
                exif = im.getexif()
            _exif_tags(exif, info)
    except Exception as exc:  # Pillow raises many kinds for broken EXIF
        info.problems.append(f"EXIF not readable: {str(exc)[:160]}")


def _exif_from_bytes(data: bytes, info: MetadataInfo) -> None:
    """PNG eXIf chunk: parsed directly, since Pillow's PNG getexif() decodes all pixels."""
    from PIL import Image

    exif = Image.Exif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exif.load(data)
            _exif_tags(exif, info)
    except Exception as exc:
        info.problems.append(f"EXIF not readable: {str(exc)[:160]}")


def _exif_tags(exif, info: MetadataInfo) -> None:
    tags: dict[int, Any] = {}
    # Pillow decodes each tag lazily, on first access; a broken one raises (KeyError,
    # struct.error, ...) and must cost that tag only.
    for tag in _EXIF_TAGS:
        with contextlib.suppress(Exception):
            value = exif.get(tag)
            if value is not None:
                tags[tag] = value
    with contextlib.suppress(Exception):  # a broken sub-IFD leaves the main tags
        sub = exif.get_ifd(0x8769)  # Exif sub-IFD holds UserComment
        for tag in _EXIF_TAGS:
            with contextlib.suppress(Exception):
                if sub.get(tag) is not None:
                    tags[tag] = sub[tag]
    for tag, name in _EXIF_TAGS.items():
        value = tags.get(tag)
        if value is None:
            continue
        if isinstance(value, bytes):
            if name == "UserComment" and value[:8] in (b"ASCII\x00\x00\x00", b"UNICODE\x00"):
                enc = "utf-16" if value.startswith(b"UNICODE") else "ascii"
                value = value[8:].decode(enc, "replace")
            else:
                value = value.decode("utf-8", "replace")
        text = str(value).strip("\x00 ")
        if text:
            info.exif[name] = _clip(text)
