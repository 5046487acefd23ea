"""Text inside the video bitstream: H.264 / HEVC SEI ``user_data_unregistered`` messages.

Encoders and generators write readable text into SEI messages of the first access units:
x264 and x265 their version and every option (which tells a re-encode from the original),
ByteDance's transcoder its name, Kling ``kling-ai``. Such text survives a container remux
(it is part of the coded stream) but not a re-encode, so it speaks both to origin and to
what happened to the file.

Reading is bounded: at most ``MAX_SAMPLES`` samples and ``MAX_BYTES`` bytes, taken from the
first samples of the video track when the container says where they are (MP4 sample table),
else from a bounded scan of the first bytes of the media data (length-prefixed or Annex B
NAL units found by their SEI headers). Emulation-prevention bytes are removed before SEI
payloads are parsed; a lying size costs that message, not the read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

MAX_SAMPLES = 8  # first video samples read from the sample table
MAX_BYTES = 4 * 1024 * 1024  # bytes read from the bitstream in all
MAX_MESSAGES = 32  # SEI messages kept
MAX_TEXT = 4096  # characters kept per message
USER_DATA_UNREGISTERED = 5
# Known user_data_unregistered UUIDs (the first 16 payload bytes), by the encoder that uses
# them: facts a rule can cite; unknown UUIDs are reported as hex.
KNOWN_UUIDS = {
    "dc45e9bde6d948b7962cd820d923eeef": "x264",  # also reused by other encoders (bvc)
    "2ca2de09b51747dbbb55a4fe7fc2fc4e": "x265",
}
_X264 = re.compile(r"^x264 - core (\d+)(?: (r\d+ [0-9a-f]+))?")
_X265 = re.compile(r"^x265 \(build (\d+)\) - ([^:\s]+)")
# Control characters (C0 but tab, newline and return; DEL and C1) and characters beyond the
# Basic Multilingual Plane: the complement of [\t\n\r\x20-\x7e\u00a0-\uffff], written as
# what it matches because compiling that class costs ~6 ms at every start-up.
_PRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\U00010000-\U0010ffff]")


@dataclass
class SeiMessage:
    """One SEI message of the video bitstream: its text and where in the file it was."""

    codec: str  # "h264" or "hevc"
    payload_type: int
    uuid: str | None  # user_data_unregistered: the 16-byte UUID as 32 hex digits
    uuid_owner: str | None  # "x264", "x265" for known UUIDs
    text: str  # the payload after the UUID, as text (non-printable characters dropped)
    where: str  # "sample 0", "hvcC", "mdat scan"
    offset: int  # file offset of the NAL unit


@dataclass
class EncoderSettings:
    """An encoder's own SEI statement: which encoder, which build, which options."""

    encoder: str  # "x264" / "x265"
    version: str
    options: dict[str, str] = field(default_factory=dict)
    offset: int = 0


@dataclass
class BitstreamFacts:
    """What the bounded read of the video bitstream found: SEI texts and encoder settings."""

    codec: str | None = None
    source: str = "none"  # "sample-table" (MP4 stbl), "scan" (bounded mdat/file scan)
    samples_read: int = 0
    bytes_read: int = 0
    sei: list[SeiMessage] = field(default_factory=list)
    encoders: list[EncoderSettings] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def texts(self) -> list[str]:
        """Every SEI text, in order (for the ``bitstream`` patterns of generators.toml)."""
        return [m.text for m in self.sei if m.text]


def _unescape(data: bytes) -> bytes:
    """Remove H.264/HEVC emulation-prevention bytes (00 00 03 -> 00 00)."""
    if b"\x00\x00\x03" not in data:
        return data
    out = bytearray()
    zeros = 0
    for b in data:
        if zeros >= 2 and b == 3:
            zeros = 0
            continue
        out.append(b)
        zeros = zeros + 1 if b == 0 else 0
    return bytes(out)


def _text(payload: bytes) -> str:
    text = payload.split(b"\x00", 1)[0].decode("utf-8", "replace")
    text = _PRINTABLE.sub("", text).strip()
    return text[:MAX_TEXT]


def sei_messages(nal: bytes, codec: str, where: str, offset: int) -> Iterator[SeiMessage]:
    """The messages of one SEI NAL unit (header included)."""
    header = 1 if codec == "h264" else 2
    rbsp = _unescape(nal[header:])
    pos = 0
    while pos + 2 <= len(rbsp):
        if rbsp[pos] == 0x80 and pos == len(rbsp) - 1:  # rbsp trailing bits
            break
        ptype = 0
        while pos < len(rbsp) and rbsp[pos] == 0xFF:
            ptype += 255
            pos += 1
        if pos >= len(rbsp):
            break
        ptype += rbsp[pos]
        pos += 1
        size = 0
        while pos < len(rbsp) and rbsp[pos] == 0xFF:
            size += 255
            pos += 1
        if pos >= len(rbsp):
            break
        size += rbsp[pos]
        pos += 1
        payload = rbsp[pos : pos + size]
        if len(payload) < size:  # a lying size: keep what is there, stop after it
            size = len(payload)
        if ptype == USER_DATA_UNREGISTERED and len(payload) >= 16:
            uuid = payload[:16].hex()
            yield SeiMessage(
                codec, ptype, uuid, KNOWN_UUIDS.get(uuid), _text(payload[16:]), where, offset
            )
        pos += size


def _is_sei(first: int, codec: str) -> bool:
    if codec == "h264":
        return first & 0x1F == 6
    return (first >> 1) & 0x3F in (39, 40)


def length_prefixed(data: bytes, length_size: int) -> Iterator[tuple[int, bytes]]:
    """(offset in data, NAL unit) for a sample of length-prefixed NAL units."""
    pos = 0
    while pos + length_size <= len(data):
        n = int.from_bytes(data[pos : pos + length_size], "big")
        pos += length_size
        if n <= 0 or pos + n > len(data):
            break
        yield pos, data[pos : pos + n]
        pos += n


# SEI NAL headers followed by a user_data_unregistered payload type, for the bounded scan.
_SCAN = (
    ("h264", re.compile(rb"\x06\x05")),
    ("hevc", re.compile(rb"[\x4e\x50]\x01\x05")),
)


def scan(data: bytes, base: int, where: str) -> Iterator[SeiMessage]:
    """SEI user-data messages found anywhere in ``data`` (a container we cannot index):
    Annex B (after a start code) or length-prefixed (after a 4-byte size that fits)."""
    for codec, pattern in _SCAN:
        for m in pattern.finditer(data):
            start = m.start()
            end = None
            if start >= 3 and data[start - 3 : start] == b"\x00\x00\x01":
                nxt = data.find(b"\x00\x00\x01", start)
                end = nxt if nxt > 0 else len(data)
            elif start >= 4:
                n = int.from_bytes(data[start - 4 : start], "big")
                if 18 <= n <= len(data) - start:
                    end = start + n
            if end is None:
                continue
            yield from sei_messages(data[start:end], codec, where, base + start)


def _settings(msg: SeiMessage) -> EncoderSettings | None:
    text = msg.text
    for name, pattern in (("x264", _X264), ("x265", _X265)):
        found = pattern.match(text)
        if found:
            version = " ".join(g for g in found.groups() if g)
            options: dict[str, str] = {}
            if " options: " in text:
                for item in text.split(" options: ", 1)[1].split()[:200]:
                    key, _, value = item.partition("=")
                    options[key[:40]] = value[:80]
            return EncoderSettings(name, version, options, msg.offset)
    return None


class _Collector:
    def __init__(self, facts: BitstreamFacts) -> None:
        self.facts = facts
        self.seen: set[tuple[str | None, str]] = set()

    def add(self, messages: Iterable[SeiMessage]) -> None:
        for msg in messages:
            key = (msg.uuid, msg.text)
            if key in self.seen or len(self.facts.sei) >= MAX_MESSAGES:
                continue
            self.seen.add(key)
            self.facts.sei.append(msg)
            settings = _settings(msg)
            if settings:
                self.facts.encoders.append(settings)


def read_samples(
    fh: BinaryIO,
    codec: str,
    length_size: int,
    samples: list[tuple[int, int]],
    parameter_sets: Sequence[tuple[int, bytes]] = (),
) -> BitstreamFacts:
    """SEI messages of the first samples of an indexed video track (MP4 sample table), and of
    the parameter-set arrays of its decoder configuration (x265 puts its SEI there)."""
    facts = BitstreamFacts(codec=codec, source="sample-table")
    out = _Collector(facts)
    for offset, nal in parameter_sets:
        if nal and _is_sei(nal[0], codec):
            out.add(sei_messages(nal, codec, "decoder configuration", offset))
    budget = MAX_BYTES
    for index, (offset, size) in enumerate(samples[:MAX_SAMPLES]):
        if size <= 0 or budget <= 0:
            break
        fh.seek(offset)
        data = fh.read(min(size, budget))
        budget -= len(data)
        facts.samples_read += 1
        facts.bytes_read += len(data)
        for pos, nal in length_prefixed(data, length_size):
            if nal and _is_sei(nal[0], codec):
                out.add(sei_messages(nal, codec, f"sample {index}", offset + pos))
    return facts


def read_scan(fh: BinaryIO, start: int, length: int, where: str = "mdat scan") -> BitstreamFacts:
    """SEI messages found by a bounded scan of ``length`` bytes from ``start``."""
    facts = BitstreamFacts(source="scan")
    fh.seek(start)
    data = fh.read(max(0, min(length, MAX_BYTES)))
    facts.bytes_read = len(data)
    _Collector(facts).add(scan(data, start, where))
    if facts.sei:
        facts.codec = facts.sei[0].codec
    return facts
