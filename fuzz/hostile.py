"""Hostile MP4 inputs built from the project's samples, shared by the fault corpus tests and
the fuzz seeds: sample tables that declare tens of millions of samples in a few kilobytes,
and thousands of empty boxes in one container (a quadratic walk's worst case).

Files are edited as box trees (type, payload or children) and written back with every size
fixed up, so each file is otherwise well formed and still plays.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from pathlib import Path

from provenance.readers.metadata import bmff

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
BOMB_BASE = SAMPLES / "credentials" / "aigc_clip.mp4"  # 7 kB, one H.264 track
BOMB_SAMPLES = 85_000_000  # what the hostile-input review used: ~3 GB of index per track


@dataclass
class Node:
    type: bytes
    payload: bytes = b""
    children: list[Node] = field(default_factory=list)
    container: bool = False
    head: bytes = b""  # bytes before the children (the FullBox header of 'meta')

    def find(self, *path: bytes) -> Node:
        node = self
        for kind in path:
            node = next(c for c in node.children if c.type == kind)
        return node

    def to_bytes(self) -> bytes:
        body = (
            self.head + b"".join(c.to_bytes() for c in self.children)
            if self.container
            else self.payload
        )
        return struct.pack(">I4s", len(body) + 8, self.type) + body


def parse(data: bytes) -> list[Node]:
    """Top-level boxes of ``data`` as an editable tree (containers the walker knows)."""
    walker = bmff._Walker(io.BytesIO(data), len(data))

    def convert(box: bmff.Box) -> Node:
        kind = box.type.encode("latin-1")
        if box.children or box.type in bmff._CONTAINERS:
            start = box.offset + 8
            first = box.children[0].offset if box.children else start
            children = [convert(c) for c in box.children]
            return Node(kind, children=children, container=True, head=data[start:first])
        return Node(kind, data[box.offset + 8 : box.offset + box.size])

    return [convert(b) for b in walker.walk(0, len(data), 0)]


def write(nodes: list[Node]) -> bytes:
    """Serialise. The base clip has its mdat before moov, so growing moov moves no sample
    and the chunk offsets stay right."""
    return b"".join(n.to_bytes() for n in nodes)


def sample_table_bomb(tracks: int = 1, samples: int = BOMB_SAMPLES) -> bytes:
    """The sample clip plus ``tracks`` copies of its video track whose ``stsz`` declares
    ``samples`` samples of one byte each (12 bytes of table: uniform size), with ``stts``
    and ``stsc`` to match. About 8-9 kB."""
    nodes = parse(BOMB_BASE.read_bytes())
    moov = next(n for n in nodes if n.type == b"moov")
    trak = moov.find(b"trak")
    for index in range(tracks):
        copy = parse(trak.to_bytes())[0]
        tkhd = copy.find(b"tkhd")
        version = tkhd.payload[0]
        at = 4 + (16 if version == 1 else 8)  # track_ID after creation/modification times
        tkhd.payload = tkhd.payload[:at] + struct.pack(">I", 2 + index) + tkhd.payload[at + 4 :]
        stbl = copy.find(b"mdia", b"minf", b"stbl")
        for box in stbl.children:
            if box.type == b"stsz":
                box.payload = struct.pack(">IIII", 0, 1, samples, 0)[:12]
            elif box.type == b"stts":
                box.payload = struct.pack(">IIII", 0, 1, samples, 1)
            elif box.type == b"stsc":
                box.payload = struct.pack(">IIIII", 0, 1, 1, samples, 1)
        moov.children.append(copy)
    return write(nodes)


def many_empty_boxes(count: int = 20_000, kind: bytes = b"mdhd", payload: int = 24) -> bytes:
    """The sample clip with ``count`` zero-filled ``kind`` boxes (by default 32 bytes, the
    size of a real version-0 mdhd) in a top-level ``meco`` after ``moov``: players skip it,
    so the file still plays. 20,000 boxes make the review's 647 kB file."""
    nodes = parse(BOMB_BASE.read_bytes())
    filler = [Node(kind, bytes(payload)) for _ in range(count)]
    nodes.append(Node(b"meco", container=True, children=filler))
    return write(nodes)


def padded_sample_table_bomb(size: int = 100 * 1024 * 1024) -> bytes:
    """The one-track bomb made believable to the box walk: the extra track's mdhd declares
    1000 s (85 k samples per second) and a trailing ``free`` box pads the file to ``size``
    bytes, more than the 85 M one-byte samples need. Only the memory ceiling stops the
    decoder's allocation. Returned without the padding: write it with ``pad()``."""
    nodes = parse(sample_table_bomb(1))
    moov = next(n for n in nodes if n.type == b"moov")
    mdhd = moov.children[-1].find(b"mdia", b"mdhd")
    mdhd.payload = mdhd.payload[:12] + struct.pack(">II", 1, 1000) + mdhd.payload[20:]
    head = write(nodes)
    return head + struct.pack(">I4s", size - len(head), b"free")


def pad(path: Path, data: bytes, size: int) -> None:
    """Write ``data`` and extend the file sparsely to ``size`` bytes (no disk space used)."""
    with open(path, "wb") as fh:
        fh.write(data)
        fh.truncate(size)
