"""Seed corpora, built at run time from the shared fixtures and the project's samples.

Nothing from the shared fixtures is committed: each seed is cut out of a fixture when a
campaign starts (headers and metadata kept, pixel and sample data shrunk to a few bytes
with sizes fixed up), so seeds stay small and reach the parsers' interesting paths.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(os.environ.get("PROVENANCE_FIXTURES", REPO.parent / "shared" / "fixtures"))
SAMPLES = REPO / "samples"
MAX_SEED = 256 * 1024


def _files(*suffixes: str) -> Iterator[Path]:
    for root in (FIXTURES, SAMPLES):
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and (not suffixes or path.suffix.lower() in suffixes):
                yield path


def _read(path: Path, limit: int | None = None) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(limit) if limit else fh.read()
    except OSError:
        return b""


def _shrink_bmff(data: bytes) -> bytes:
    """Top-level boxes kept, every mdat cut to 512 bytes (sizes fixed up)."""
    out, pos = bytearray(), 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1 and pos + 16 <= len(data):
            size, header = struct.unpack(">Q", data[pos + 8 : pos + 16])[0], 16
        elif size == 0:
            size = len(data) - pos
        if size < header:
            out += data[pos:]
            break
        body = data[pos + header : pos + size]
        if kind == b"mdat":
            body = body[:512]
            out += struct.pack(">I4s", len(body) + 8, kind) + body
        else:
            out += data[pos : pos + size]
        pos += size
    return bytes(out)


def _shrink_chunks(data: bytes, start: int, big_endian: bool, drop: set[bytes]) -> bytes:
    """PNG (length, type, data, CRC) or RIFF (type, length, data, pad) chunks with pixel
    chunks cut to 16 bytes."""
    out, pos = bytearray(data[:start]), start
    while pos + 8 <= len(data):
        if big_endian:
            length, kind = struct.unpack(">I4s", data[pos : pos + 8])
            end = pos + 8 + length + 4
            if kind in drop and length > 16:
                out += struct.pack(">I4s", 16, kind) + data[pos + 8 : pos + 24] + b"\0\0\0\0"
            else:
                out += data[pos:end]
        else:
            kind, length = struct.unpack("<4sI", data[pos : pos + 8])
            end = pos + 8 + length + (length & 1)
            if kind in drop and length > 16:
                out += struct.pack("<4sI", kind, 16) + data[pos + 8 : pos + 24]
            else:
                out += data[pos:end]
        pos = end
    return bytes(out)


def _jpeg_head(data: bytes) -> bytes:
    """Marker segments up to the start of scan, plus a few bytes of it."""
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        code = data[pos + 1]
        if code == 0xDA:
            return data[: pos + 64]
        pos += 2 + struct.unpack(">H", data[pos + 2 : pos + 4])[0]
    return data[:pos]


def _exif_blocks(data: bytes) -> Iterator[bytes]:
    at = data.find(b"Exif\x00\x00")
    while at >= 0 and at < 1 << 20:
        yield data[at + 6 : at + 6 + 64 * 1024]
        at = data.find(b"Exif\x00\x00", at + 6)


def _xmp_packets(data: bytes) -> Iterator[bytes]:
    pos = 0
    while True:
        start = data.find(b"<x:xmpmeta", pos)
        if start < 0:
            return
        end = data.find(b"</x:xmpmeta>", start)
        if end < 0:
            return
        yield data[start : end + 12]
        pos = end


def _report_lines() -> Iterator[bytes]:
    base = {
        "schema": "1.0",
        "path": str(SAMPLES / "clips" / "plain_still.jpg"),
        "status": "ok",
        "error": None,
        "file": {"size_bytes": 1, "mtime": 1.5},
        "verdict": {"ai_generated": "likely", "marks_stripped": "unknown"},
    }
    line = json.dumps(base).encode()
    err = json.dumps(dict(base, status="error", error="empty file (0 bytes)")).encode()
    yield line + b"\n"
    yield line + b"\n" + err + b"\n" + line[:40]
    yield b"\n".join([line, b"{}", b"[]", b'{"path": 3}', b"null", err]) + b"\n"
    # Reports whose fields have the wrong types (the review's --resume --html crash): the
    # schema check of scanning/stored.py must name and skip them.
    wrong = [
        dict(base, verdict=dict(base["verdict"], confidence="high")),
        dict(base, verdict=["yes"]),
        dict(base, watermarks="none"),
        dict(base, evidence=[{"claim": "nonsense", "confidence": [1]}]),
        dict(base, c2pa={"signer": 3, "actions": [None]}),
    ]
    yield b"\n".join(json.dumps(r).encode() for r in wrong) + b"\n"


def build(target: str) -> list[bytes]:
    seeds: list[bytes] = []
    if target == "sniff":
        seeds = [_read(p, 64) for p in _files()]
    elif target == "bmff":
        from fuzz import hostile

        seeds = [_shrink_bmff(_read(p)) for p in _files(".mp4", ".mov", ".avif", ".heic")]
        # The sample-table bomb and the many-boxes file of the hostile-input review (with
        # empty boxes, to fit the target's 128 kB input limit).
        seeds += [hostile.sample_table_bomb(2), hostile.many_empty_boxes(15_000, payload=0)]
    elif target == "jpeg":
        seeds = [_jpeg_head(_read(p))[2:] for p in _files(".jpg", ".jpeg")]
    elif target == "png":
        seeds = [_shrink_chunks(_read(p), 8, True, {b"IDAT"})[8:] for p in _files(".png")]
    elif target == "webp":
        seeds = [
            _shrink_chunks(_read(p), 12, False, {b"VP8 ", b"VP8L", b"ANMF"})[12:]
            for p in _files(".webp")
        ]
    elif target == "xmp":
        for path in _files(".jpg", ".png", ".mp4", ".mov", ".webp"):
            seeds += list(_xmp_packets(_read(path)))
    elif target == "exif":
        for path in _files(".jpg", ".jpeg", ".webp", ".tiff", ".tif"):
            data = _read(path)
            seeds += list(_exif_blocks(data))
            if data[:4] in (b"II*\x00", b"MM\x00*"):
                seeds.append(data[: 64 * 1024])
    elif target == "resume":
        seeds = list(_report_lines())
    unique = {hashlib.sha1(s).hexdigest(): s[:MAX_SEED] for s in seeds if s}
    return list(unique.values())


def write(target: str, folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    seeds = build(target)
    for seed in seeds:
        (folder / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
    return len(seeds)
