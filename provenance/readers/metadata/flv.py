"""A bounded reader of FLV: the ``onMetaData`` script values and the first video packets.

TC260-PG-20257A stores the AIGC label in FLV as an AMF0 string ``AIGC`` in the
``onMetaData`` script data; encoders write ``encoder`` there. Only the first tags are
looked at (``MAX_TAGS``, ``MAX_BYTES``); AMF0 values are decoded with a depth and count
limit, strings cut at ``MAX_STRING``. The first H.264 packets' payload ranges are kept so
that the bitstream reader can look for SEI text.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any, BinaryIO

MAX_TAGS = 64
MAX_BYTES = 4 * 1024 * 1024
MAX_SCRIPT = 1024 * 1024  # bytes of one script tag decoded
MAX_STRING = 64 * 1024
MAX_VALUES = 1000
MAX_AMF_DEPTH = 4
MAX_VIDEO_PACKETS = 8


@dataclass
class FlvFacts:
    """The ``onMetaData`` values of an FLV file, and where its first video packets are."""

    metadata: dict[str, str] = field(default_factory=dict)  # onMetaData key -> value as text
    metadata_offset: int | None = None  # file offset of the onMetaData script tag
    video_codec: str | None = None  # "h264" / "hevc" / codec id
    nal_length_size: int | None = None
    video_packets: list[tuple[int, int]] = field(default_factory=list)  # (offset, size) NALUs
    problems: list[str] = field(default_factory=list)


class _Amf:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos, self.count = data, 0, 0

    def u8(self) -> int:
        if self.pos >= len(self.data):
            raise ValueError("AMF data truncated")
        self.pos += 1
        return self.data[self.pos - 1]

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ValueError("AMF data truncated")
        self.pos += n
        return self.data[self.pos - n : self.pos]

    def string(self, wide: bool = False) -> str:
        n = struct.unpack(">I", self.take(4))[0] if wide else struct.unpack(">H", self.take(2))[0]
        return self.take(n)[:MAX_STRING].decode("utf-8", "replace")

    def value(self, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES or depth > MAX_AMF_DEPTH:
            raise ValueError("AMF data too large or too deep")
        marker = self.u8()
        if marker == 0:
            return struct.unpack(">d", self.take(8))[0]
        if marker == 1:
            return bool(self.u8())
        if marker == 2:
            return self.string()
        if marker == 12:
            return self.string(wide=True)
        if marker in (3, 8):
            if marker == 8:
                self.take(4)  # ECMA array count: advisory only
            return self.properties(depth)
        if marker == 10:
            n = min(struct.unpack(">I", self.take(4))[0], MAX_VALUES)
            return [self.value(depth + 1) for _ in range(n)]
        if marker == 11:
            millis = struct.unpack(">d", self.take(8))[0]
            self.take(2)  # time-zone offset, unused
            return millis
        if marker in (5, 6):
            return None
        raise ValueError(f"AMF type {marker} not read")

    def properties(self, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        while self.pos + 3 <= len(self.data):
            if self.data[self.pos : self.pos + 3] == b"\x00\x00\x09":
                self.pos += 3
                break
            key = self.string()
            out[key[:256]] = self.value(depth + 1)
        return out


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:MAX_STRING]


def read_flv(fh: BinaryIO, size: int) -> FlvFacts:
    facts = FlvFacts()
    fh.seek(0)
    head = fh.read(9)
    if len(head) < 9 or head[:3] != b"FLV":
        facts.problems.append("not an FLV file")
        return facts
    pos = max(9, struct.unpack(">I", head[5:9])[0]) + 4  # header, then PreviousTagSize0
    read = 0
    for _ in range(MAX_TAGS):
        if pos + 11 > size or read > MAX_BYTES:
            break
        fh.seek(pos)
        tag = fh.read(11)
        if len(tag) < 11:
            break
        kind = tag[0] & 0x1F
        length = int.from_bytes(tag[1:4], "big")
        data_at = pos + 11
        if data_at + length > size:
            facts.problems.append(f"FLV tag at {pos} declares {length} bytes past the end")
            length = size - data_at
        if kind == 18 and not facts.metadata:
            fh.seek(data_at)
            body = fh.read(min(length, MAX_SCRIPT))
            read += len(body)
            _script(body, data_at, facts)
        elif kind == 9 and length >= 5 and len(facts.video_packets) < MAX_VIDEO_PACKETS:
            fh.seek(data_at)
            first = fh.read(min(length, 64))
            codec = first[0] & 0x0F
            facts.video_codec = {7: "h264", 12: "hevc"}.get(codec, facts.video_codec or str(codec))
            if codec in (7, 12) and first[1] == 0 and len(first) >= 10:
                facts.nal_length_size = (first[9] & 3) + 1 if codec == 7 else None
            elif codec in (7, 12) and first[1] == 1:
                facts.video_packets.append((data_at + 5, length - 5))
        pos = data_at + length + 4
    return facts


def _script(body: bytes, offset: int, facts: FlvFacts) -> None:
    amf = _Amf(body)
    try:
        name = amf.value(0)
        if name != "onMetaData":
            return
        values = amf.value(0)
    except (ValueError, struct.error) as exc:
        facts.problems.append(f"onMetaData not readable: {exc}")
        return
    if isinstance(values, dict):
        facts.metadata_offset = offset
        for key, value in list(values.items())[:MAX_VALUES]:
            if value is not None and not isinstance(value, (dict, list)):
                facts.metadata[key] = _as_text(value)
