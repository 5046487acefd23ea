"""Metadata and container facts: XMP, EXIF, PNG text, TC260 AI labels, generation parameters,
vendor fields, MP4/MOV boxes, Matroska/WebM, AVI and FLV tags, and video bitstream text.

Each reader walks its format's structure itself with bounded reads, so a lying length
field or a huge text chunk costs a problem note, not memory. Every fact says where it was
found (``where.Where``): rules cite it, and two facts from one field are one piece of
evidence. Facts only: what the facts argue for is decided in provenance/rules/.
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
from provenance.readers.metadata import (
    aigc,
    bitstream,
    bmff,
    ebml,
    flv,
    genparams,
    riff,
    vendor,
    xmp,
)
from provenance.readers.metadata.aigc import AigcLabel
from provenance.readers.metadata.bitstream import BitstreamFacts
from provenance.readers.metadata.bmff import ContainerFacts
from provenance.readers.metadata.ebml import MatroskaFacts
from provenance.readers.metadata.flv import FlvFacts
from provenance.readers.metadata.genparams import GenerationParams
from provenance.readers.metadata.riff import AviFacts
from provenance.readers.metadata.vendor import VendorFacts
from provenance.readers.metadata.where import MAX_TEXT_CHARS, TextField, Where, clip
from provenance.readers.metadata.xmp import XmpFacts

MAX_SEGMENTS = 4096
MAX_INFLATE = 1024 * 1024  # decompressed bytes allowed per compressed PNG text chunk
MAX_RAW = 1024 * 1024  # characters of one text value kept for parsing (JSON graphs)
MAX_TEXTS = 512  # located text values kept
MAX_LABELS = 8  # TC260 labels kept
MAX_APP_SCAN = 64 * 1024  # bytes of a JPEG APPn segment searched for a bare AIGC label
_EXIF_TAGS = {
    0x010F: "Make",
    0x0110: "Model",
    0x0131: "Software",
    0x010E: "ImageDescription",
    0x010D: "DocumentName",  # ComfyUI: further "key:{json}" entries
    0x013B: "Artist",
    0x8298: "Copyright",
    0x9286: "UserComment",
    0x927C: "MakerNote",  # Fooocus: the metadata scheme ("fooocus" / "a1111")
}
_REPORTED_EXIF = (
    "Make",
    "Model",
    "Software",
    "ImageDescription",
    "Artist",
    "Copyright",
    "UserComment",
)
_MATROSKA = ("video/x-matroska", "video/webm", "audio/x-matroska")
_BMFF = ("video/mp4", "video/quicktime", "audio/mp4", "image/heif", "image/avif")

Raw = list[tuple[Where, str, str]]  # (where, key, value as written, up to MAX_RAW)


@dataclass
class MetadataInfo:
    """Every metadata and container fact read from one file (docs/report.md ``metadata``)."""

    xmp: XmpFacts | None = None
    exif: dict[str, str] = field(default_factory=dict)  # tag name -> text (clipped)
    png_text: dict[str, str] = field(default_factory=dict)  # keyword -> text (clipped)
    aigc: dict[str, Any] | None = None  # the first TC260 label's fields (see aigc_labels)
    aigc_source: str | None = None  # where that label was: "xmp", "mp4-metadata", "png-text:K"
    c2pa_embedding: list[str] = field(default_factory=list)  # where manifest bytes sit
    container: ContainerFacts | None = None  # MP4 / MOV / HEIF box facts
    matroska: MatroskaFacts | None = None
    avi: AviFacts | None = None
    flv: FlvFacts | None = None
    texts: list[TextField] = field(default_factory=list)  # every unsigned text, located
    aigc_labels: list[AigcLabel] = field(default_factory=list)  # every TC260 label
    generation: list[GenerationParams] = field(default_factory=list)
    vendor: VendorFacts = field(default_factory=VendorFacts)
    bitstream: BitstreamFacts | None = None  # SEI text of the first video samples
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
    raw: Raw = []
    packet: tuple[bytes, Where] | None = None
    container = {"image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp"}.get(mime, "")
    if mime == "image/jpeg":
        packet = _jpeg(fh, info, raw)
    elif mime == "image/png":
        packet = _png(fh, size, info, raw)
    elif mime == "image/webp":
        packet = _webp(fh, size, info, raw)
    elif mime in _BMFF:
        container = "mp4"
        packet = _bmff(fh, size, info, raw)
    elif mime in _MATROSKA:
        container = "matroska"
        _matroska(fh, size, info, raw)
    elif mime == "video/avi":
        container = "avi"
        _avi(fh, size, info, raw)
    elif mime == "video/x-flv":
        container = "flv"
        _flv(fh, size, info, raw)
    if mime in ("image/jpeg", "image/tiff", "image/heif", "image/avif"):
        if mime == "image/heif":
            from provenance.frames import formats

            formats.register()  # Pillow opens HEIF (and its EXIF item) with pi-heif's opener
        fh.seek(0)
        _exif(fh, info, raw, container or "tiff")
    if packet:
        info.xmp = xmp.parse(packet[0])
        _xmp_texts(info.xmp, packet[1], raw)
    if mime == "image/jpeg":
        with contextlib.suppress(OSError):
            found = vendor.samsung_trailer(fh, size, "jpeg")
            if found:
                info.vendor.samsung_genai.append(found)
    _facts(info, raw)
    return info


# ------------------------------------------------------------------ facts from located text


def _xmp_texts(facts: XmpFacts, where: Where, raw: Raw) -> None:
    def at(key: str) -> Where:
        return Where(
            where.container, f"{where.path} XMP" if where.path else "XMP", key, where.offset
        )

    for key, value in (
        ("xmp:CreatorTool", facts.creator_tool),
        ("photoshop:Credit", facts.credit),
        ("exif:UserComment", facts.user_comment),
        ("Iptc4xmpExt:AISystemUsed", facts.ai_system_used),
        ("Iptc4xmpExt:DigImageGUID", facts.dig_image_guid),
        ("TC260:AIGC", facts.aigc_text),
    ):
        if value:
            raw.append((at(key), key, value))


def _facts(info: MetadataInfo, raw: Raw) -> None:
    for where, _key, value in raw[:MAX_TEXTS]:
        info.texts.append(TextField(where, clip(value)))
    # TC260 labels, container tags first (the normative video placement), then XMP, then text
    order = {"mp4": 0, "matroska": 0, "avi": 0, "flv": 0}
    candidates = sorted(
        (r for r in raw if _may_be_label(r[1], r[2])),
        key=lambda r: (order.get(r[0].container, 1), 0 if r[1] == "TC260:AIGC" else 1),
    )
    for where, _key, value in candidates:
        label = aigc.parse(value, where)
        if label and len(info.aigc_labels) < MAX_LABELS:
            info.aigc_labels.append(label)
    if info.aigc_labels:
        first = info.aigc_labels[0]
        info.aigc = first.as_dict()
        info.aigc_source = _legacy_source(first.where)
    # Generation parameters from UI text (PNG chunks, EXIF, XMP UserComment, JPEG COM)
    # (video containers: only the tags ComfyUI writes its graphs to)
    params_texts = [
        r
        for r in raw
        if r[0].container not in ("mp4", "matroska", "avi", "flv")
        or r[1].lower() in ("prompt", "workflow", "comment", "©cmt")
    ]
    info.generation = genparams.read(params_texts)
    for p in info.generation:
        info.problems.extend(p.problems)
    _vendor_facts(info, raw)


def _may_be_label(key: str, value: str) -> bool:
    if "aigc" in key.lower():
        return True
    head = value[:4096]
    return any(k in head for k in ('"Label"', "ContentProducer", "ServiceProvider", "AIGC"))


def _legacy_source(where: Where) -> str:
    """The compact source names of MetadataInfo.aigc_source (kept for existing rules)."""
    if where.key == "TC260:AIGC":
        return "xmp"
    if where.container == "mp4":
        return "mp4-metadata"
    if where.container == "png":
        return f"png-text:{where.key}"
    if where.path.startswith("EXIF"):
        return f"exif:{where.key}"
    return f"{where.container}:{where.key}"


def _vendor_facts(info: MetadataInfo, raw: Raw) -> None:
    v = info.vendor
    exif_at = {key: (where, value) for where, key, value in raw if where.path.startswith("EXIF")}
    description = exif_at.get("ImageDescription")
    comment = next(
        ((w, t) for w, k, t in raw if w.container == "mp4" and k in ("©cmt", "comment")), None
    )
    signed = (
        description if description and description[1].lstrip().startswith("Signature:") else None
    )
    signed = signed or (
        comment if comment and comment[1].lstrip().startswith("Signature:") else None
    )
    artist = exif_at.get("Artist", (None, None))[1]
    others = [(w, t) for w, k, t in raw if signed is None or w != signed[0]]
    found = vendor.xai_signature(signed, artist, others)
    if found:
        v.xai_signatures.append(found)
    for key in ("ImageDescription", "UserComment"):
        if key in exif_at:
            export = vendor.bytedance_export(*exif_at[key])
            if export:
                v.bytedance_exports.append(export)
    if info.container and (info.container.keys or info.container.user_data):
        keys = {**info.container.user_data, **info.container.keys}

        def where_of(key: str) -> Where:
            return Where("mp4", "moov/udta/meta", key)

        label = vendor.tiktok_label(keys, where_of)
        if label:
            v.platform_labels.append(label)
    for where, key, value in raw:
        if where.container == "png" and key.lower() == "hf-job-id":
            job = vendor.hf_job(where, value)
            if job:
                v.hf_jobs.append(job)
        elif key in ("Description", "Comment", "parameters", "ImageDescription"):
            mj = vendor.midjourney(where, value)
            if mj and not any(j.job_id == mj.job_id for j in v.midjourney_jobs):
                v.midjourney_jobs.append(mj)


# ------------------------------------------------------------------ JPEG


def _jpeg(fh: BinaryIO, info: MetadataInfo, raw: Raw) -> tuple[bytes, Where] | None:
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
        raw_len = fh.read(2)
        if len(raw_len) < 2:
            info.problems.append("JPEG segment header truncated")
            break
        length = struct.unpack(">H", raw_len)[0]
        if length < 2:
            info.problems.append("JPEG segment with impossible length")
            break
        start = fh.tell()
        if code == 0xE1:
            body = fh.read(min(length - 2, xmp.MAX_XMP_BYTES))
            if body.startswith(b"http://ns.adobe.com/xap/1.0/\x00") and packet is None:
                packet = (body[29:], Where("jpeg", "APP1", "", start - 4))
        elif code == 0xEB:
            body = fh.read(min(length - 2, 16))
            if b"JP" in body[:2] and "jpeg-app11" not in info.c2pa_embedding:
                info.c2pa_embedding.append("jpeg-app11")
        elif code == 0xFE:  # COM: Fooocus (old) wrote its JSON here
            body = fh.read(min(length - 2, MAX_RAW))
            text = body.decode("utf-8", "replace").strip("\x00 ")
            if text:
                raw.append((Where("jpeg", "COM", "comment", start - 4), "comment", text))
        elif 0xE2 <= code <= 0xEF:
            body = fh.read(min(length - 2, MAX_APP_SCAN))
            at = body.find(b"AIGC")
            if at >= 0:  # a bare AIGC{...} label glued into an APP segment
                text = body[at:].decode("utf-8", "replace")
                raw.append((Where("jpeg", f"APP{code - 0xE0}", "AIGC", start - 4), "AIGC", text))
        fh.seek(start + length - 2)
    return packet


# ------------------------------------------------------------------ PNG


def _png(fh: BinaryIO, size: int, info: MetadataInfo, raw: Raw) -> tuple[bytes, Where] | None:
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
            _exif_from_bytes(fh.read(length), info, raw, "png")
        elif kind in (b"tEXt", b"zTXt", b"iTXt"):
            body = fh.read(min(length, MAX_INFLATE))
            key, value = _png_text(kind, body, info)
            where = Where("png", kind.decode("latin-1"), key or "", start - 8)
            if key == "XML:com.adobe.xmp" and packet is None:
                packet = (value.encode("utf-8"), where)
            elif key and len(info.png_text) < 64:
                info.png_text[key] = clip(value)
                raw.append((where, key, value[:MAX_RAW]))
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
        data = _inflate(text) if compressed else text
        return name, data.decode("utf-8", "replace")
    except (zlib.error, ValueError) as exc:
        info.problems.append(f"PNG text chunk {name!r} could not be decoded: {exc}")
        return None, ""


def _inflate(data: bytes) -> bytes:
    d = zlib.decompressobj()
    out = d.decompress(data, MAX_INFLATE)
    if d.unconsumed_tail:
        raise ValueError(f"decompresses to more than {MAX_INFLATE} bytes")
    return out


# ------------------------------------------------------------------ WebP


def _webp(fh: BinaryIO, size: int, info: MetadataInfo, raw: Raw) -> tuple[bytes, Where] | None:
    """XMP packet, C2PA chunk and EXIF of a WebP from its RIFF chunks. The EXIF chunk is read
    here, not through Pillow: Pillow's WebP opener sets up libwebp's animation decoder, which
    allocates two full canvases first (~14 ms for a 1.6 MB WebP on a fresh thread;
    docs/performance.md), and the first EXIF chunk is what its demuxer returns."""
    fh.seek(12)
    packet = None
    exif = False
    for _ in range(MAX_SEGMENTS):
        head = fh.read(8)
        if len(head) < 8:
            break
        kind, length = struct.unpack("<4sI", head)
        start = fh.tell()
        if kind == b"XMP " and packet is None:
            packet = (
                fh.read(min(length, xmp.MAX_XMP_BYTES)),
                Where("webp", "XMP chunk", "", start - 8),
            )
        elif kind == b"EXIF" and not exif and length <= MAX_INFLATE:
            exif = True
            _exif_from_bytes(fh.read(length), info, raw, "webp")
        elif kind == b"C2PA":
            info.c2pa_embedding.append("webp-C2PA")
        if start + length > size:
            break
        fh.seek(start + length + (length & 1))
    return packet


# ------------------------------------------------------------------ video containers


def _bmff(fh: BinaryIO, size: int, info: MetadataInfo, raw: Raw) -> tuple[bytes, Where] | None:
    c = info.container = bmff.read_container(fh, size)
    info.problems.extend(c.problems)
    if c.c2pa_box:
        info.c2pa_embedding.append("bmff-uuid")
    for key, value in c.keys.items():
        raw.append((Where("mp4", "moov/udta/meta/keys+ilst", key), key, value))
    for key, value in c.user_data.items():
        if key not in c.keys:
            raw.append((Where("mp4", "moov/udta", key), key, value))
    for enc in c.encoders:
        raw.append((Where("mp4", "encoder tag", "encoder"), "encoder", enc))
    if c.video_codec and c.nal_length_size:
        params = []
        for offset, n in c.parameter_sets[:64]:
            fh.seek(offset)
            params.append((offset, fh.read(min(n, 65536))))
        info.bitstream = bitstream.read_samples(
            fh, c.video_codec, c.nal_length_size, c.video_samples, params
        )
    elif c.mdat:
        info.bitstream = bitstream.read_scan(fh, c.mdat[0], min(c.mdat[1], bitstream.MAX_BYTES))
    _x264_compat(info)
    return (c.xmp, Where("mp4", "XMP box")) if c.xmp else None


def _x264_compat(info: MetadataInfo) -> None:
    """ContainerFacts.x264_sei (reported in ``metadata.container``) from the bitstream reader:
    the x264 settings string of the first video samples."""
    if info.container is None or info.container.x264_sei or not info.bitstream:
        return
    for msg in info.bitstream.sei:
        if msg.text.startswith("x264 - core"):
            info.container.x264_sei = msg.text[:160].strip()
            return


def _matroska(fh: BinaryIO, size: int, info: MetadataInfo, raw: Raw) -> None:
    m = info.matroska = ebml.read_matroska(fh, size)
    info.problems.extend(m.problems)
    for key, value in m.tags.items():
        where = Where("matroska", "Segment/Tags/Tag/SimpleTag", key, m.tag_offsets.get(key))
        raw.append((where, key, value))
    info_items: list[tuple[str, str | None]] = [
        ("MuxingApp", m.muxing_app),
        ("WritingApp", m.writing_app),
        ("Title", m.title),
    ]
    for key, text in info_items:
        if text:
            raw.append((Where("matroska", "Segment/Info", key), key, text))
    if m.first_cluster:
        offset, length = m.first_cluster
        info.bitstream = bitstream.read_scan(
            fh, offset, min(length, bitstream.MAX_BYTES), "first cluster"
        )


def _avi(fh: BinaryIO, size: int, info: MetadataInfo, raw: Raw) -> None:
    a = info.avi = riff.read_avi(fh, size)
    info.problems.extend(a.problems)
    for key, value in a.info.items():
        raw.append((Where("avi", "RIFF/LIST INFO", key, a.info_offsets.get(key)), key, value))
    if a.movi:
        info.bitstream = bitstream.read_scan(
            fh, a.movi[0], min(a.movi[1], bitstream.MAX_BYTES), "movi scan"
        )


def _flv(fh: BinaryIO, size: int, info: MetadataInfo, raw: Raw) -> None:
    f = info.flv = flv.read_flv(fh, size)
    info.problems.extend(f.problems)
    for key, value in f.metadata.items():
        raw.append((Where("flv", "script onMetaData", key, f.metadata_offset), key, value))
    if f.video_codec in ("h264", "hevc") and f.video_packets:
        info.bitstream = bitstream.read_samples(
            fh, f.video_codec, f.nal_length_size or 4, f.video_packets
        )


# ------------------------------------------------------------------ EXIF


def _exif(
    source: str | BinaryIO, info: MetadataInfo, raw: Raw | None = None, container: str = "tiff"
) -> None:
    from PIL import Image

    try:
        with warnings.catch_warnings():  # "Corrupt EXIF data": a problem note, not stderr
            warnings.simplefilter("ignore")
            with Image.open(source) as im:
                exif = im.getexif()
            _exif_tags(exif, info, [] if raw is None else raw, container)
    except Exception as exc:  # Pillow raises many kinds for broken EXIF
        info.problems.append(f"EXIF not readable: {str(exc)[:160]}")


def _exif_from_bytes(
    data: bytes, info: MetadataInfo, raw: Raw | None = None, container: str = "png"
) -> None:
    """PNG eXIf and WebP EXIF chunks, parsed directly: Pillow's openers decode pixels (PNG) or
    allocate full canvases (WebP) before they hand over the EXIF."""
    from PIL import Image

    exif = Image.Exif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exif.load(data)
            _exif_tags(exif, info, [] if raw is None else raw, container)
    except Exception as exc:
        info.problems.append(f"EXIF not readable: {str(exc)[:160]}")


def _exif_text(name: str, value: Any) -> str:
    if isinstance(value, bytes):
        if name == "UserComment" and value[:8] in (b"ASCII\x00\x00\x00", b"UNICODE\x00"):
            body = value[8:]
            if value.startswith(b"UNICODE"):
                # UNICODE comments are UTF-16 of either byte order (piexif writes big-endian)
                enc = "utf-16-le" if body[1:2] == b"\x00" and body[:1] != b"\x00" else "utf-16-be"
                return body.decode(enc, "replace").strip("\x00 ")
            return body.decode("ascii", "replace").strip("\x00 ")
        return value.decode("utf-8", "replace").strip("\x00 ")
    text = str(value)
    if any("\x80" <= ch <= "\xff" for ch in text):
        # ASCII tags holding UTF-8 bytes (Chinese services write them): Pillow hands them
        # over decoded as Latin-1; undo that when the bytes are valid UTF-8.
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            text = text.encode("latin-1").decode("utf-8")
    return text.strip("\x00 ")


def _exif_tags(exif: Any, info: MetadataInfo, raw: Raw, container: str) -> None:
    found: list[tuple[str, str, Any]] = []  # (ifd, name, value)
    # Pillow decodes each tag lazily, on first access; a broken one raises (KeyError,
    # struct.error, ...) and must cost that tag only.
    for tag, name in _EXIF_TAGS.items():
        with contextlib.suppress(Exception):
            value = exif.get(tag)
            if value is not None:
                found.append(("IFD0", name, value))
    with contextlib.suppress(Exception):  # a broken sub-IFD leaves the main tags
        sub = exif.get_ifd(0x8769)  # Exif sub-IFD holds UserComment
        for tag, name in _EXIF_TAGS.items():
            with contextlib.suppress(Exception):
                if sub.get(tag) is not None:
                    found.append(("ExifIFD", name, sub[tag]))
    for ifd, name, value in found:
        with contextlib.suppress(Exception):
            text = _exif_text(name, value)
            if not text:
                continue
            if name in _REPORTED_EXIF:
                info.exif[name] = clip(text, MAX_TEXT_CHARS)
            raw.append((Where(container, f"EXIF {ifd}", name), name, text[:MAX_RAW]))
