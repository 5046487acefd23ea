"""A bounded reader of the Matroska / WebM (EBML) elements that carry provenance text.

Read: the DocType, Segment Info (MuxingApp, WritingApp, Title), the first video track's
CodecID and CodecPrivate (the H.264/HEVC decoder configuration), and every Tag's SimpleTag
(TagName -> TagString, nested tags included): TC260-PG-20257A writes the AIGC label as
``TagName=AIGC``. Clusters (the media) are skipped by their size, never read; when a cluster
has an unknown size the walk follows the SeekHead to Tags written after the media. Sizes are
clamped to the parent, depth and element count are limited, text values are cut at
``MAX_STRING`` bytes, and a lie is recorded as a problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

MAX_ELEMENTS = 20_000
MAX_DEPTH = 8
MAX_STRING = 64 * 1024
MAX_TAGS = 256

EBML = 0x1A45DFA3
DOCTYPE = 0x4282
SEGMENT = 0x18538067
SEEKHEAD = 0x114D9B74
SEEK = 0x4DBB
SEEK_ID = 0x53AB
SEEK_POSITION = 0x53AC
INFO = 0x1549A966
MUXING_APP = 0x4D80
WRITING_APP = 0x5741
TITLE = 0x7BA9
TRACKS = 0x1654AE6B
TRACK_ENTRY = 0xAE
TRACK_TYPE = 0x83
CODEC_ID = 0x86
CODEC_PRIVATE = 0x63A2
TAGS = 0x1254C367
TAG = 0x7373
SIMPLE_TAG = 0x67C8
TAG_NAME = 0x45A3
TAG_STRING = 0x4487
CLUSTER = 0x1F43B675
_UNKNOWN = -1


@dataclass
class MatroskaFacts:
    """What the EBML walk found: writing apps, SimpleTags, and where the video data starts."""

    doc_type: str | None = None  # "matroska" / "webm"
    muxing_app: str | None = None
    writing_app: str | None = None
    title: str | None = None
    video_codec: str | None = None  # CodecID of the first video track ("V_MPEG4/ISO/AVC")
    tags: dict[str, str] = field(default_factory=dict)  # SimpleTag TagName -> TagString
    tag_offsets: dict[str, int] = field(default_factory=dict)  # TagName -> file offset
    first_cluster: tuple[int, int] | None = None  # (offset, size) of the first Cluster body
    codec_private: tuple[int, int] | None = None  # (offset, size) of the video CodecPrivate
    element_count: int = 0
    problems: list[str] = field(default_factory=list)


def _vint(data: bytes, pos: int, keep_marker: bool) -> tuple[int, int] | None:
    """(value, length) of an EBML variable-size integer at ``pos``; None when malformed."""
    if pos >= len(data):
        return None
    first = data[pos]
    length = 1
    mask = 0x80
    while length <= 8 and not first & mask:
        mask >>= 1
        length += 1
    if length > 8 or pos + length > len(data):
        return None
    value = first if keep_marker else first & (mask - 1)
    all_ones = (first & (mask - 1)) == mask - 1
    for b in data[pos + 1 : pos + length]:
        value = (value << 8) | b
        all_ones = all_ones and b == 0xFF
    if not keep_marker and all_ones:
        return _UNKNOWN, length
    return value, length


class _Reader:
    def __init__(self, fh: BinaryIO, size: int, facts: MatroskaFacts) -> None:
        self.fh, self.size, self.facts = fh, size, facts
        self.seeks: list[int] = []
        self.segment_data = 0

    def problem(self, text: str) -> None:
        if len(self.facts.problems) < 20 and text not in self.facts.problems:
            self.facts.problems.append(text)

    def header(self, pos: int, end: int) -> tuple[int, int, int] | None:
        """(id, data offset, data size) of the element at ``pos`` (size clamped to ``end``)."""
        self.fh.seek(pos)
        head = self.fh.read(16)
        ident = _vint(head, 0, keep_marker=True)
        if ident is None:
            return None
        size = _vint(head, ident[1], keep_marker=False)
        if size is None:
            return None
        data = pos + ident[1] + size[1]
        length = size[0]
        if length == _UNKNOWN:
            length = end - data
            if ident[0] != CLUSTER and ident[0] != SEGMENT:
                self.problem(f"element 0x{ident[0]:X} at {pos} has an unknown size")
        elif data + length > end:
            self.problem(
                f"element 0x{ident[0]:X} at {pos} runs {data + length - end} bytes past its parent"
            )
            length = end - data
        return ident[0], data, max(0, length)

    def read(self, offset: int, length: int) -> bytes:
        self.fh.seek(offset)
        return self.fh.read(min(length, MAX_STRING))

    def text(self, offset: int, length: int) -> str:
        return self.read(offset, length).split(b"\x00", 1)[0].decode("utf-8", "replace").strip()

    def walk(self, start: int, end: int, depth: int, parent: int) -> None:
        pos = start
        while pos < end:
            if self.facts.element_count >= MAX_ELEMENTS:
                self.problem(f"more than {MAX_ELEMENTS} elements; walk stopped")
                return
            if depth > MAX_DEPTH:
                self.problem(f"elements nested deeper than {MAX_DEPTH}; walk stopped")
                return
            found = self.header(pos, end)
            if found is None:
                self.problem(f"malformed element header at {pos}")
                return
            ident, data, length = found
            self.facts.element_count += 1
            self.element(ident, data, length, depth, parent)
            if ident == CLUSTER and self.facts.first_cluster is None:
                self.facts.first_cluster = (data, length)
            if ident == CLUSTER and data + length >= end:
                return  # an unknown-size cluster runs to the end: follow the SeekHead instead
            pos = data + length  # always past the header: the walk advances

    def element(self, ident: int, data: int, length: int, depth: int, parent: int) -> None:
        f = self.facts
        if ident == DOCTYPE:
            f.doc_type = self.text(data, length)[:32]
        elif ident == SEGMENT:
            self.segment_data = data
            self.walk(data, data + length, depth + 1, ident)
        elif ident in (SEEKHEAD, SEEK, INFO, TRACKS, TAGS, TAG, EBML):
            self.walk(data, data + length, depth + 1, ident)
        elif ident == SEEK_POSITION and parent == SEEK:
            raw = self.read(data, min(length, 8))
            self.seeks.append(self.segment_data + int.from_bytes(raw, "big"))
        elif ident == MUXING_APP and parent == INFO:
            f.muxing_app = self.text(data, length)
        elif ident == WRITING_APP and parent == INFO:
            f.writing_app = self.text(data, length)
        elif ident == TITLE and parent == INFO:
            f.title = self.text(data, length)
        elif ident == TRACK_ENTRY and f.video_codec is None:
            self.track(data, data + length)
        elif ident == SIMPLE_TAG:
            self.simple_tag(data, data + length, depth + 1)

    def track(self, start: int, end: int) -> None:
        values: dict[int, tuple[int, int]] = {}
        pos = start
        while pos < end and len(values) < 64:
            found = self.header(pos, end)
            if found is None:
                return
            ident, data, length = found
            values.setdefault(ident, (data, length))
            pos = data + length
        if TRACK_TYPE in values and self.read(*values[TRACK_TYPE])[:1] == b"\x01":
            if CODEC_ID in values:
                self.facts.video_codec = self.text(*values[CODEC_ID])[:64]
            if CODEC_PRIVATE in values:
                self.facts.codec_private = values[CODEC_PRIVATE]

    def simple_tag(self, start: int, end: int, depth: int) -> None:
        name = value = None
        name_at = start
        pos = start
        while pos < end:
            found = self.header(pos, end)
            if found is None:
                return
            ident, data, length = found
            self.facts.element_count += 1
            if ident == TAG_NAME:
                name, name_at = self.text(data, length)[:256], pos
            elif ident == TAG_STRING:
                value = self.text(data, length)
            elif ident == SIMPLE_TAG and depth <= MAX_DEPTH:
                self.simple_tag(data, data + length, depth + 1)
            pos = data + length
        if name and value is not None and len(self.facts.tags) < MAX_TAGS:
            self.facts.tags.setdefault(name, value)
            self.facts.tag_offsets.setdefault(name, name_at)


def read_matroska(fh: BinaryIO, size: int) -> MatroskaFacts:
    facts = MatroskaFacts()
    reader = _Reader(fh, size, facts)
    reader.walk(0, size, 0, 0)
    visited: set[int] = set()
    for target in list(reader.seeks)[:16]:  # elements written after the media (Tags, Info)
        if target in visited or not 0 <= target < size:
            continue
        visited.add(target)
        found = reader.header(target, size)
        if found and found[0] in (TAGS, INFO, TRACKS):
            reader.element(found[0], found[1], found[2], 1, SEGMENT)
    return facts
