"""A bounded reader of AVI (RIFF) INFO text: software, comments and the TC260 AIGC label.

TC260-PG-20257A stores the AIGC label in AVI as an ``AIGC`` sub-chunk of ``LIST/INFO``;
encoders write ``ISFT`` (software) there too. Chunks are walked by their sizes (clamped to
the parent, counted, never trusted); the media (``LIST/movi``) is skipped, except that the
position of its first bytes is kept for a bounded bitstream scan.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import BinaryIO

MAX_CHUNKS = 4096
MAX_STRING = 64 * 1024
MAX_INFO = 128


@dataclass
class AviFacts:
    """The ``LIST/INFO`` texts of an AVI file, and where its media (``movi``) starts."""

    form: str | None = None  # "AVI " / "AVIX"
    info: dict[str, str] = field(default_factory=dict)  # INFO sub-chunk id -> text
    info_offsets: dict[str, int] = field(default_factory=dict)
    movi: tuple[int, int] | None = None  # (offset, size) of LIST/movi's body
    problems: list[str] = field(default_factory=list)


def read_avi(fh: BinaryIO, size: int) -> AviFacts:
    facts = AviFacts()
    fh.seek(0)
    head = fh.read(12)
    if len(head) < 12 or head[:4] != b"RIFF":
        facts.problems.append("not a RIFF file")
        return facts
    facts.form = head[8:12].decode("latin-1")
    end = min(size, 8 + struct.unpack("<I", head[4:8])[0])
    if end < size:
        pass  # an AVIX continuation may follow; the first RIFF holds INFO
    _walk(fh, 12, end, facts, 0, [0])
    return facts


def _walk(fh: BinaryIO, pos: int, end: int, facts: AviFacts, depth: int, count: list[int]) -> None:
    while pos + 8 <= end:
        count[0] += 1
        if count[0] > MAX_CHUNKS:
            facts.problems.append(f"more than {MAX_CHUNKS} chunks; walk stopped")
            return
        fh.seek(pos)
        head = fh.read(12)
        if len(head) < 8:
            return
        kind, length = head[:4], struct.unpack("<I", head[4:8])[0]
        if pos + 8 + length > end:
            facts.problems.append(
                f"chunk {kind!r} at {pos} declares {length} bytes, past its parent's end"
            )
            length = end - pos - 8
        if kind == b"LIST" and len(head) >= 12 and depth < 4:
            form = head[8:12]
            if form == b"movi":
                facts.movi = (pos + 12, length - 4)
            elif form == b"INFO":
                _info(fh, pos + 12, pos + 8 + length, facts)
            else:
                _walk(fh, pos + 12, pos + 8 + length, facts, depth + 1, count)
        pos += 8 + length + (length & 1)


def _info(fh: BinaryIO, pos: int, end: int, facts: AviFacts) -> None:
    while pos + 8 <= end and len(facts.info) < MAX_INFO:
        fh.seek(pos)
        head = fh.read(8)
        if len(head) < 8:
            return
        kind, length = head[:4], struct.unpack("<I", head[4:8])[0]
        length = min(length, end - pos - 8)
        data = fh.read(min(length, MAX_STRING))
        name = kind.decode("latin-1", "replace").strip("\x00 ")
        text = data.split(b"\x00", 1)[0].decode("utf-8", "replace").strip()
        if name and text:
            facts.info.setdefault(name, text)
            facts.info_offsets.setdefault(name, pos)
        pos += 8 + length + (length & 1)
