"""A bounded walk of the ISO BMFF (MP4/MOV) box tree and the container facts it yields.

Size fields are never trusted: every box is clamped to its parent, the walk is
limited in depth, box count and bytes read, and a lie is recorded as a problem
instead of being followed. The facts answer provenance questions: is the C2PA
``uuid`` box there, which tool wrote the file, was ``moov`` moved (a remux),
what XMP and AI labels ride along.

Every pass is linear in the number of boxes (each box knows its parent; nothing searches
the tree). ``sample_table_refusal`` checks the sample tables a decoder sizes its index by
(FFmpeg allocates one entry per declared sample when it opens a file) against the file
size and the track duration, so that a few kilobytes cannot make a decoder allocate
gigabytes: the probe refuses such a file before any decoder sees it.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from typing import BinaryIO

C2PA_UUID = "d8fec3d61b0e483c92975828877ec481"
XMP_UUID = "be7acfcb97a942e89c71999491e3afac"

MAX_DEPTH = 12
MAX_BOXES = 20_000
MAX_PAYLOAD_READ = 4 * 1024 * 1024  # bytes read from any one metadata box

# Sample tables. A track may declare this many samples (or table entries) whatever the file
# size: an index of 1 M entries costs a decoder ~60 MB (measured: OpenCV's FFmpeg peaked at
# 5 GB opening a 7.9 kB file whose extra track declared 85 M one-byte samples). Past it,
# a track must not declare more samples than the file has bytes (every sample is at least
# one byte of this file), more than MAX_SAMPLE_RATE samples per second of its declared
# duration, or a table longer than its box.
SAMPLES_ALWAYS_ALLOWED = 1_000_000
MAX_SAMPLE_RATE = 768_000  # samples per second: the highest audio sample rate in use
MAX_TABLE_READ = 4 * 1024 * 1024  # bytes of one stts/stsc table summed (the rest is counted)

# Boxes whose payload is a list of child boxes (after an optional FullBox header).
_CONTAINERS = {
    "moov",
    "trak",
    "mdia",
    "minf",
    "stbl",
    "udta",
    "edts",
    "dinf",
    "moof",
    "traf",
    "mvex",
    "sinf",
    "schi",
    "ilst",
    "tref",
    "mfra",
    "meco",
    "strk",
    "strd",
}
_FULLBOX_CONTAINERS = {"meta"}
# QuickTime user-data text atoms that may carry a generator's statement (Grok Imagine writes
# its "Signature: ..." as the comment).
_USER_DATA = {"©cmt", "©des", "©inf", "©nam", "©ART", "©aut", "©swr", "©mak", "©mod", "desc"}
MAX_TEXT_READ = 64 * 1024  # bytes read from one user-data text atom
MAX_SAMPLE_ENTRIES = 1_000_000  # stsz / stco entries considered (only the first few are used)


@dataclass(eq=False)  # boxes compare by identity: a deep comparison is a tree walk
class Box:
    """One box of the walked tree: where it lies (clamped to its parent) and its children."""

    type: str
    offset: int
    size: int
    header: int
    depth: int
    uuid: str | None = None
    children: list[Box] = field(default_factory=list)
    parent: Box | None = field(default=None, repr=False)

    @property
    def payload_offset(self) -> int:
        return self.offset + self.header

    @property
    def payload_size(self) -> int:
        return self.size - self.header


@dataclass
class ContainerFacts:
    """What the box walk found in an MP4, MOV or HEIF file (docs/report.md ``container``)."""

    brands: list[str] = field(default_factory=list)
    top_level: list[str] = field(default_factory=list)
    c2pa_box: bool = False
    c2pa_box_purpose: str | None = None
    moov_before_mdat: bool | None = None
    encoders: list[str] = field(default_factory=list)  # tool / encoder strings
    handlers: list[str] = field(default_factory=list)  # "vide: VideoHandler", ...
    compressors: list[str] = field(default_factory=list)  # sample-entry compressor names
    codecs: list[str] = field(default_factory=list)  # sample entry types: avc1, hvc1, mp4a
    audio_sample_rates: list[int] = field(default_factory=list)
    x264_sei: str | None = None  # "x264 - core 164 r3095 ...": SEI of the first video samples
    keys: dict[str, str] = field(default_factory=dict)  # mdta keys -> values (AIGC, encoder...)
    # udta text atoms (QuickTime ©cmt, ©des, ...) and iTunes ilst items, by atom name
    user_data: dict[str, str] = field(default_factory=dict)
    # The first video track's coded stream, for bitstream.read_samples: codec ("h264"/"hevc"),
    # NAL length size, (offset, size) of its first samples and of the NAL units of its
    # decoder configuration (avcC/hvcC arrays), and where the first mdat payload lies.
    video_codec: str | None = None
    nal_length_size: int | None = None
    video_samples: list[tuple[int, int]] = field(default_factory=list)
    parameter_sets: list[tuple[int, int]] = field(default_factory=list)
    mdat: tuple[int, int] | None = None
    box_count: int = 0
    problems: list[str] = field(default_factory=list)
    xmp: bytes | None = field(default=None, repr=False)


class _Walker:
    def __init__(self, fh: BinaryIO, file_size: int) -> None:
        self.fh = fh
        self.file_size = file_size
        self.count = 0
        self.problems: list[str] = []

    def walk(self, start: int, end: int, depth: int, parent: Box | None = None) -> list[Box]:
        boxes: list[Box] = []
        pos = start
        while pos + 8 <= end:
            if self.count >= MAX_BOXES:
                self._problem(f"more than {MAX_BOXES} boxes; walk stopped")
                break
            if depth > MAX_DEPTH:
                self._problem(f"boxes nested deeper than {MAX_DEPTH}; walk stopped")
                break
            self.fh.seek(pos)
            head = self.fh.read(16)
            if len(head) < 8:
                break
            size, kind = struct.unpack(">I4s", head[:8])
            name = kind.decode("latin-1")
            header = 8
            if size == 1:
                if len(head) < 16:
                    self._problem(f"'{_safe(name)}' at {pos}: truncated 64-bit size")
                    break
                size = struct.unpack(">Q", head[8:16])[0]
                header = 16
            elif size == 0:
                size = end - pos  # extends to the end of its parent
            if size < header:
                self._problem(
                    f"'{_safe(name)}' at {pos} declares size {size}, smaller than its header"
                )
                break
            if pos + size > end:
                self._problem(
                    f"'{_safe(name)}' at {pos} declares {size} bytes, "
                    f"{pos + size - end} past its parent's end"
                )
                size = end - pos
            box = Box(name, pos, size, header, depth, parent=parent)
            self.count += 1
            if name == "uuid" and box.payload_size >= 16:
                self.fh.seek(box.payload_offset)
                box.uuid = self.fh.read(16).hex()
                box.header += 16
            if name in _CONTAINERS:
                box.children = self.walk(box.payload_offset, pos + size, depth + 1, box)
            elif name in _FULLBOX_CONTAINERS and box.payload_size >= 4:
                # QuickTime writes 'meta' without the FullBox header; ISO with it.
                self.fh.seek(box.payload_offset + 4)
                probe = self.fh.read(4)
                skip = 0 if probe == b"hdlr" else 4
                box.children = self.walk(box.payload_offset + skip, pos + size, depth + 1, box)
            boxes.append(box)
            pos += size
        return boxes

    def _problem(self, text: str) -> None:
        if len(self.problems) < 20 and text not in self.problems:
            self.problems.append(text)


def _safe(name: str) -> str:
    return "".join(c if 32 <= ord(c) < 127 or c == "©" else "?" for c in name)


def _read(fh: BinaryIO, box: Box, limit: int = MAX_PAYLOAD_READ) -> bytes:
    fh.seek(box.payload_offset)
    return fh.read(max(0, min(box.payload_size, limit)))


def _iter(boxes: list[Box]):
    for box in boxes:
        yield box
        yield from _iter(box.children)


def _text(data: bytes) -> str:
    return data.split(b"\x00", 1)[0].decode("utf-8", "replace").strip()


def read_container(fh: BinaryIO, file_size: int) -> ContainerFacts:
    walker = _Walker(fh, file_size)
    top = walker.walk(0, file_size, 0)
    facts = ContainerFacts(top_level=[_safe(b.type) for b in top][:64], box_count=walker.count)
    facts.problems = walker.problems

    first_moov = next((i for i, b in enumerate(top) if b.type == "moov"), None)
    first_mdat = next((i for i, b in enumerate(top) if b.type == "mdat"), None)
    if first_moov is not None and first_mdat is not None:
        facts.moov_before_mdat = first_moov < first_mdat

    for box in top:
        if box.type == "ftyp":
            data = _read(fh, box, 256)
            brands = [data[0:4]] + [data[i : i + 4] for i in range(8, len(data) - 3, 4)]
            facts.brands = [b.decode("latin-1").strip() for b in brands if b.strip(b"\x00")]
        elif box.type == "uuid" and box.uuid == C2PA_UUID:
            facts.c2pa_box = True
            data = _read(fh, box, 64)
            facts.c2pa_box_purpose = _text(data[4:]) or None  # after FullBox version/flags
        elif box.type == "mdat" and facts.mdat is None:
            # x264_sei comes from the bitstream reader (metadata._x264_compat), which reads
            # the first video samples through the sample table, or this mdat when there is none.
            facts.mdat = (box.payload_offset, box.payload_size)

    key_names: list[str] = []
    for box in _iter(top):
        t = box.type
        is_xmp = (t == "uuid" and box.uuid == XMP_UUID) or t == "XMP_"
        if is_xmp and facts.xmp is None:
            facts.xmp = _read(fh, box)
        elif t == "hdlr":
            data = _read(fh, box, 512)
            if len(data) >= 24:
                htype = data[8:12].decode("latin-1")
                raw = data[24:]
                if raw and raw[0] == len(raw) - 1:  # QuickTime pascal string
                    raw = raw[1:]
                hname = _text(raw)
                if htype.strip("\x00"):
                    facts.handlers.append(f"{_safe(htype)}: {hname}" if hname else _safe(htype))
        elif t == "mdia":
            _audio_rate_from_mdhd(fh, box, facts)
        elif t == "stsd":
            _sample_entries(fh, box, facts)
        elif t in ("©too", "©enc", "©swr"):
            value = _qt_text(_read(fh, box, 4096))
            if value:
                facts.encoders.append(value)
        elif t in _USER_DATA and len(facts.user_data) < 64:
            value = _qt_text(_read(fh, box, MAX_TEXT_READ))
            if value:
                facts.user_data.setdefault(_safe(t), value)
        elif t == "keys":
            key_names = _mdta_keys(_read(fh, box, 65536))
        elif t == "ilst":
            for index, item in enumerate(box.children):
                value = _ilst_value(fh, item)
                if value is None:
                    continue
                key_index = (
                    struct.unpack(">I", item.type.encode("latin-1"))[0]
                    if len(item.type.encode("latin-1")) == 4
                    else 0
                )
                if 1 <= key_index <= len(key_names):
                    facts.keys[key_names[key_index - 1]] = value
                elif item.type in ("©too", "©enc"):
                    facts.encoders.append(value)
                else:
                    facts.keys[_safe(item.type)] = value
                    facts.user_data.setdefault(_safe(item.type), value)
                if index > 256:
                    break
    for name, value in facts.keys.items():
        if name.lower().endswith(("encoder", "software")):
            facts.encoders.append(value)
    facts.encoders = list(dict.fromkeys(facts.encoders))
    _video_track(fh, top, facts)
    facts.audio_sample_rates = sorted(set(facts.audio_sample_rates))
    return facts


def _audio_rate_from_mdhd(fh: BinaryIO, mdia: Box, facts: ContainerFacts) -> None:
    """The media timescale of a sound track is its sample rate in practice. Looked up once
    per ``mdia`` (its first ``hdlr`` and ``mdhd``), so a container holding thousands of
    them costs one pass over its children."""
    hdlr = _child(mdia, "hdlr")
    mdhd = _child(mdia, "mdhd")
    if hdlr is None or mdhd is None or _read(fh, hdlr, 16)[8:12] != b"soun":
        return
    data = _read(fh, mdhd, 64)
    if len(data) < 24:
        return
    version = data[0]
    offset = 20 if version == 1 else 12
    scale = struct.unpack(">I", data[offset : offset + 4])[0]
    if 1000 <= scale <= 768_000:
        facts.audio_sample_rates.append(scale)


def _child(box: Box, kind: str) -> Box | None:
    return next((c for c in box.children if c.type == kind), None)


def _sample_entries(fh: BinaryIO, stsd: Box, facts: ContainerFacts) -> None:
    data = _read(fh, stsd, 65536)
    if len(data) < 8:
        return
    count = min(struct.unpack(">I", data[4:8])[0], 16)
    pos = 8
    for _ in range(count):
        if pos + 8 > len(data):
            break
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if size < 8:
            break
        name = kind.decode("latin-1")
        facts.codecs.append(_safe(name))
        entry = data[pos : pos + size]
        # Visual sample entry: compressorname is a 32-byte pascal string at offset 50.
        if (
            name
            in (
                "avc1",
                "avc3",
                "hvc1",
                "hev1",
                "mp4v",
                "av01",
                "vp09",
                "jpeg",
                "apcn",
                "apch",
                "mjpa",
                "mjpg",
            )
            and len(entry) >= 82
        ):
            n = min(entry[50], 31)
            text = entry[51 : 51 + n].decode("utf-8", "replace").strip()
            if text:
                facts.compressors.append(text)
        pos += size


def _qt_text(data: bytes) -> str | None:
    """A QuickTime user-data text atom (size, language, text) or an iTunes 'data' atom."""
    if len(data) >= 16 and data[4:8] == b"data":
        kind = int.from_bytes(data[9:12], "big")  # well-known type: 1 UTF-8, 2 UTF-16
        if kind == 2:
            return data[16:].decode("utf-16-be", "replace").strip("\x00 ") or None
        # 0 (implicit: track numbers), 13/14 (JPEG/PNG cover art), 21 (integers) are not text
        return _text(data[16:]) or None if kind == 1 else None
    if len(data) >= 4:
        n, language = struct.unpack(">HH", data[:4])
        raw = data[4 : 4 + n]
        try:
            return raw.decode("utf-8").strip() or None
        except UnicodeDecodeError:
            # A language below 0x400 is a Macintosh language code: the text is in its Mac
            # script, Mac Roman for the Latin languages (QuickTime File Format, "User data
            # text"); a camera writing 'çømménts' that way is not UTF-8.
            codec = "mac_roman" if language < 0x400 else "utf-8"
            return raw.decode(codec, "replace").strip() or None
    return None


def _mdta_keys(data: bytes) -> list[str]:
    if len(data) < 8:
        return []
    count = min(struct.unpack(">I", data[4:8])[0], 1024)
    keys, pos = [], 8
    for _ in range(count):
        if pos + 8 > len(data):
            break
        size = struct.unpack(">I", data[pos : pos + 4])[0]
        if size < 8 or pos + size > len(data):
            break
        keys.append(data[pos + 8 : pos + size].decode("utf-8", "replace"))
        pos += size
    return keys


def _ilst_value(fh: BinaryIO, item: Box) -> str | None:
    for child in item.children or []:
        if child.type == "data":
            return _typed_value(_read(fh, child, 65536))
    # Items are containers in ilst but our walker only descends known containers.
    data = _read(fh, item, 65536)
    if len(data) >= 16 and data[4:8] == b"data":
        return _typed_value(data[8:])
    return None


def _typed_value(data: bytes) -> str | None:
    """The payload of a 'data' atom (version, well-known type, locale, value) as text: text
    types decoded, numbers written out, pictures and opaque binary left out (shown as text
    they are mojibake: a cover JPEG, a pixel-density blob)."""
    if len(data) < 8:
        return None
    kind, value = int.from_bytes(data[1:4], "big"), data[8:]
    if kind == 1:
        return value.decode("utf-8", "replace").strip("\x00 ") or None
    if kind == 2:
        return value.decode("utf-16-be", "replace").strip("\x00 ") or None
    if kind in (21, 22) and 1 <= len(value) <= 8:
        return str(int.from_bytes(value, "big", signed=kind == 21))
    if kind == 23 and len(value) == 4:
        return f"{struct.unpack('>f', value)[0]:g}"
    if kind == 24 and len(value) == 8:
        return f"{struct.unpack('>d', value)[0]:g}"
    return None


# --------------------------------------------------------------------- sample tables

# Tables a decoder allocates from their entry count before reading them: box type ->
# (offset of the 32-bit count in the payload, bytes per entry). stsz, stz2, trun, elst and
# sbgp depend on their version or flags and are handled on their own.
_COUNTED_TABLES = {
    "stts": (4, 8),
    "ctts": (4, 8),
    "stsc": (4, 12),
    "stco": (4, 4),
    "co64": (4, 8),
    "stss": (4, 4),
    "stps": (4, 4),
}


def walk(fh: BinaryIO, file_size: int) -> list[Box]:
    """The file's box tree (top-level boxes, containers opened), for the probe's checks."""
    return _Walker(fh, file_size).walk(0, file_size, 0)


def sample_table_refusal(fh: BinaryIO, file_size: int, top: list[Box] | None = None) -> str | None:
    """Why a decoder must not open this file, or None. Walks the box tree once (or reads
    ``top``, the probe's walk) and reads a few bytes per table box (``stts`` and ``stsc``
    are summed up to MAX_TABLE_READ)."""
    top = walk(fh, file_size) if top is None else top
    fragment_samples = 0
    track = 0
    for box in _iter(top):
        if box.type == "trak":
            track += 1
            why = _track_refusal(fh, box, track, file_size)
            if why:
                return why
        elif box.type in _COUNTED_TABLES or box.type in ("elst", "sbgp"):
            why = _table_refusal(fh, box)
            if why:
                return why
        elif box.type == "trun":
            count, why = _trun(fh, box)
            if why:
                return why
            fragment_samples += count
    if fragment_samples > max(file_size, SAMPLES_ALWAYS_ALLOWED):
        return (
            f"movie fragments declare {fragment_samples:,} samples in a "
            f"{file_size:,}-byte file (refused before decoding: sample tables not believable)"
        )
    return None


def _u32(data: bytes, at: int) -> int | None:
    return struct.unpack(">I", data[at : at + 4])[0] if len(data) >= at + 4 else None


def _table_refusal(fh: BinaryIO, box: Box) -> str | None:
    """A table whose declared entries do not fit in its box, past the allowed count."""
    head = _read(fh, box, 16)
    if box.type in _COUNTED_TABLES:
        at, entry = _COUNTED_TABLES[box.type]
    elif box.type == "elst":
        at, entry = 4, 20 if head[:1] == b"\x01" else 12
    else:  # sbgp: version 1 adds a grouping_type_parameter before the count
        at, entry = (12 if head[:1] == b"\x01" else 8), 8
    count = _u32(head, at)
    if count is None or count <= SAMPLES_ALWAYS_ALLOWED:
        return None
    room = max(0, box.payload_size - at - 4) // entry
    if count > room:
        return (
            f"'{box.type}' at {box.offset} declares {count:,} entries but its box holds "
            f"{room:,} (refused before decoding: sample tables not believable)"
        )
    return None


def _trun(fh: BinaryIO, box: Box) -> tuple[int, str | None]:
    """Samples of a movie-fragment run, and a refusal when its per-sample table cannot fit."""
    head = _read(fh, box, 8)
    if len(head) < 8:
        return 0, None
    flags = int.from_bytes(head[1:4], "big")
    count = _u32(head, 4) or 0
    fixed = 8 + (4 if flags & 0x1 else 0) + (4 if flags & 0x4 else 0)
    per_sample = 4 * bin(flags & 0xF00).count("1")
    if per_sample and count > SAMPLES_ALWAYS_ALLOWED:
        room = max(0, box.payload_size - fixed) // per_sample
        if count > room:
            return count, (
                f"'trun' at {box.offset} declares {count:,} samples but its box holds "
                f"{room:,} (refused before decoding: sample tables not believable)"
            )
    return count, None


def _track_refusal(fh: BinaryIO, trak: Box, track: int, file_size: int) -> str | None:
    """A track that declares more samples than its file can hold or its duration allows."""
    mdia = _child(trak, "mdia")
    minf = _child(mdia, "minf") if mdia else None
    stbl = _child(minf, "stbl") if minf else None
    if stbl is None:
        return None
    samples, sample_bytes = 0, 0
    for kind in ("stsz", "stz2"):
        table = _child(stbl, kind)
        if table is None:
            continue
        head = _read(fh, table, 12)
        count = _u32(head, 8) or 0
        if kind == "stsz":
            uniform = _u32(head, 4) or 0
            entry_bits = 0 if uniform else 32
        else:
            uniform, entry_bits = 0, head[7] if len(head) >= 8 else 0
        samples = max(samples, count)
        sample_bytes = max(sample_bytes, count * max(1, uniform))
        room = max(0, table.payload_size - 12) * 8 // entry_bits if entry_bits else None
        if room is not None and count > max(room, SAMPLES_ALWAYS_ALLOWED):
            return (
                f"track {track}: '{kind}' declares {count:,} sample sizes but its box holds "
                f"{room:,} (refused before decoding: sample tables not believable)"
            )
    stts = _child(stbl, "stts")
    timed = _stts_samples(fh, stts) if stts else 0
    samples = max(samples, timed)
    sample_bytes = max(sample_bytes, timed)
    if samples <= SAMPLES_ALWAYS_ALLOWED:
        return None
    if sample_bytes > file_size:
        return (
            f"track {track} declares {samples:,} samples of at least one byte each in a "
            f"{file_size:,}-byte file (refused before decoding: sample tables not believable)"
        )
    seconds = _mdhd_seconds(fh, _child(mdia, "mdhd")) if mdia else None
    if seconds is not None and samples > seconds * MAX_SAMPLE_RATE:
        return (
            f"track {track} declares {samples:,} samples in {seconds:g} s, more than "
            f"{MAX_SAMPLE_RATE:,} per second (refused before decoding: sample tables not "
            "believable)"
        )
    return None


def _stts_samples(fh: BinaryIO, stts: Box) -> int:
    """Samples an stts table declares (sum of its run lengths, entries read in one go)."""
    data = _read(fh, stts, MAX_TABLE_READ)
    entries = min(_u32(data, 4) or 0, max(0, len(data) - 8) // 8)
    if not entries:
        return 0
    counts = struct.unpack(f">{2 * entries}I", data[8 : 8 + 8 * entries])[0::2]
    return sum(counts)


def _mdhd_seconds(fh: BinaryIO, mdhd: Box | None) -> float | None:
    """The duration a track's mdhd declares, None when unknown (0 or all ones)."""
    if mdhd is None:
        return None
    data = _read(fh, mdhd, 36)
    if data[:1] == b"\x01" and len(data) >= 32:
        scale, duration = struct.unpack(">IQ", data[20:32])
        unknown = duration in (0, 2**64 - 1)
    elif len(data) >= 20:
        scale, duration = struct.unpack(">II", data[12:20])
        unknown = duration in (0, 2**32 - 1)
    else:
        return None
    return None if unknown or scale == 0 else duration / scale


def _video_track(fh: BinaryIO, top: list[Box], facts: ContainerFacts) -> None:
    """Codec, NAL length size and first sample ranges of the first H.264/HEVC video track."""
    from provenance.readers.metadata.bitstream import MAX_SAMPLES

    for trak in (b for b in _iter(top) if b.type == "trak"):
        boxes = {b.type: b for b in _iter(trak.children)}
        hdlr = boxes.get("hdlr")
        if hdlr is None or _read(fh, hdlr, 16)[8:12] != b"vide" or "stsd" not in boxes:
            continue
        stsd = _read(fh, boxes["stsd"], 65536)
        if len(stsd) < 16:
            return
        kind = stsd[12:16]
        codec = {b"avc1": "h264", b"avc3": "h264", b"hvc1": "hevc", b"hev1": "hevc"}.get(kind)
        if codec is None:
            return
        entry_size = struct.unpack(">I", stsd[8:12])[0]
        entry = stsd[8 : 8 + entry_size]
        config = b"avcC" if codec == "h264" else b"hvcC"
        at = entry.find(config, 86)
        if at < 4:
            return
        size = struct.unpack(">I", entry[at - 4 : at])[0]
        body = entry[at + 4 : at - 4 + size]
        base = boxes["stsd"].payload_offset + 8 + at + 4
        facts.video_codec = codec
        if codec == "h264" and len(body) >= 5:
            facts.nal_length_size = (body[4] & 3) + 1
        elif codec == "hevc" and len(body) >= 23:
            facts.nal_length_size = (body[21] & 3) + 1
            facts.parameter_sets = _hvcc_nal_ranges(body, base)
        facts.video_samples = _first_samples(fh, boxes, MAX_SAMPLES)
        return


def _hvcc_nal_ranges(body: bytes, base: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos, arrays = 23, body[22]
    for _ in range(arrays):
        if pos + 3 > len(body):
            break
        count = struct.unpack(">H", body[pos + 1 : pos + 3])[0]
        pos += 3
        for _ in range(min(count, 64)):
            if pos + 2 > len(body):
                return out
            n = struct.unpack(">H", body[pos : pos + 2])[0]
            pos += 2
            if pos + n > len(body):
                return out
            out.append((base + pos, n))
            pos += n
    return out


def _first_samples(fh: BinaryIO, boxes: dict[str, Box], limit: int) -> list[tuple[int, int]]:
    """(offset, size) of the first ``limit`` samples, from stsz, stsc and stco/co64."""
    stsz = boxes.get("stsz")
    chunks = boxes.get("stco") or boxes.get("co64")
    stsc = boxes.get("stsc")
    if stsz is None or chunks is None or stsc is None:
        return []
    sz = _read(fh, stsz, 12 + 4 * limit)
    if len(sz) < 12:
        return []
    fixed, count = struct.unpack(">II", sz[4:12])
    count = min(count, MAX_SAMPLE_ENTRIES, limit)
    sizes = (
        [fixed] * count
        if fixed
        else [
            struct.unpack(">I", sz[12 + 4 * i : 16 + 4 * i])[0] for i in range((len(sz) - 12) // 4)
        ][:count]
    )
    wide = chunks.type == "co64"
    co = _read(fh, chunks, 8 + (8 if wide else 4) * limit)
    if len(co) < 8:
        return []
    n_chunks = min(struct.unpack(">I", co[4:8])[0], limit)
    step = 8 if wide else 4
    offsets = [
        struct.unpack(">Q" if wide else ">I", co[8 + step * i : 8 + step * (i + 1)])[0]
        for i in range(min(n_chunks, (len(co) - 8) // step))
    ]
    sc = _read(fh, stsc, 8 + 12 * limit)
    runs = [
        struct.unpack(">III", sc[8 + 12 * i : 20 + 12 * i])
        for i in range(
            min(struct.unpack(">I", sc[4:8])[0] if len(sc) >= 8 else 0, (len(sc) - 8) // 12)
        )
    ]
    out: list[tuple[int, int]] = []
    sample = 0
    for chunk_index, chunk_offset in enumerate(offsets, start=1):
        per_chunk = 1
        for first, per, _ in runs:
            if first <= chunk_index:
                per_chunk = per
        pos = chunk_offset
        for _ in range(min(per_chunk, limit)):
            if sample >= len(sizes) or len(out) >= limit:
                return out
            out.append((pos, sizes[sample]))
            pos += sizes[sample]
            sample += 1
    return out


_IDENTITY = ((65536, 0, 0), (0, 65536, 0), (0, 0, 1 << 30))


def display_rotation(fh: BinaryIO, file_size: int, top: list[Box] | None = None) -> int:
    """The first video track's display rotation in degrees (0-359), as OpenCV reads it: the
    track header's matrix times the movie header's, in FFmpeg's fixed point (mov.c), the
    angle of ``av_display_rotation_get`` negated and rounded (OpenCV's
    ``CAP_PROP_ORIENTATION_META``). 0 without a video track or a usable matrix. PyAV gives
    the matrix only on decoded frames, so the probe reads it here (equal to OpenCV's on
    every MP4/MOV of the samples, fixtures and corpus, and on clips turned by 0/90/180/270,
    -90 and 45 degrees). ``top``: the probe's walk of the same file."""
    top = walk(fh, file_size) if top is None else top
    moov = next((b for b in top if b.type == "moov"), None)
    if moov is None:
        return 0
    mvhd = _child(moov, "mvhd")
    movie = _matrix(fh, mvhd) if mvhd is not None else _IDENTITY
    for trak in (b for b in moov.children if b.type == "trak"):
        mdia, tkhd = _child(trak, "mdia"), _child(trak, "tkhd")
        hdlr = _child(mdia, "hdlr") if mdia is not None else None
        if hdlr is None or tkhd is None or _read(fh, hdlr, 16)[8:12] != b"vide":
            continue
        track = _matrix(fh, tkhd)
        if track is None or movie is None:
            return 0
        shifts = (16, 16, 30)
        m = [
            [sum((track[i][e] * movie[e][j]) >> shifts[e] for e in range(3)) for j in range(3)]
            for i in range(3)
        ]
        scale0 = math.hypot(m[0][0] / 65536, m[1][0] / 65536)
        scale1 = math.hypot(m[0][1] / 65536, m[1][1] / 65536)
        if scale0 == 0 or scale1 == 0:
            return 0
        angle = -math.degrees(math.atan2(m[0][1] / 65536 / scale1, m[0][0] / 65536 / scale0))
        return -round(angle) % 360  # cvRound rounds half to even, as round() does
    return 0


def _matrix(fh: BinaryIO, box: Box) -> tuple[tuple[int, ...], ...] | None:
    """The 3x3 matrix of an mvhd or tkhd box (16.16, 16.16, 2.30 fixed point per row)."""
    data = _read(fh, box, 128)
    if not data:
        return None
    long_times = data[0] == 1
    if box.type == "mvhd":  # times, timescale, duration; rate, volume, reserved
        at = 4 + (28 if long_times else 16) + 4 + 2 + 2 + 8
    else:  # times, track id, reserved, duration; reserved, layer, group, volume, reserved
        at = 4 + (32 if long_times else 20) + 8 + 2 + 2 + 2 + 2
    if len(data) < at + 36:
        return None
    v = struct.unpack(">9i", data[at : at + 36])
    return (v[0:3], v[3:6], v[6:9])
