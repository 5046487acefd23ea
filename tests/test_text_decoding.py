"""Text from files is decoded as its container says (no mojibake in reports)."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

import provenance
from provenance.readers.metadata.bmff import _qt_text, _typed_value

CORPUS = Path(os.environ.get("PROVENANCE_CORPUS", "/work/corpus"))


def test_quicktime_user_data_in_mac_roman():
    text = "çømménts".encode("mac_roman")
    atom = struct.pack(">HH", len(text), 0) + text  # language 0: English, Mac Roman
    assert _qt_text(atom) == "çømménts"
    utf8 = "ålbüm".encode()
    assert _qt_text(struct.pack(">HH", len(utf8), 0x15C7) + utf8) == "ålbüm"


def test_data_atoms_keep_text_and_numbers_drop_pictures():
    def atom(kind: int, value: bytes) -> bytes:
        return bytes([0]) + kind.to_bytes(3, "big") + b"\0\0\0\0" + value

    assert _typed_value(atom(1, "Genré".encode())) == "Genré"
    assert _typed_value(atom(21, b"\x00\x80")) == "128"
    assert _typed_value(atom(13, b"\xff\xd8\xff\xe0\x00\x10JFIF")) is None  # cover art
    assert _typed_value(atom(0, b"\x00\x01\x00\x02")) is None  # track number pair


@pytest.mark.skipif(
    not (CORPUS / "exiftool-pentax-mov.mov").exists(), reason="real-world corpus not here"
)
def test_camera_mov_metadata_reads_right():
    report = provenance.check(CORPUS / "exiftool-pentax-mov.mov", detectors=())
    user_data = report.metadata.container.user_data
    assert user_data["©ART"] == "årtist"
    assert user_data["©cmt"] == "çømménts"
    assert "covr" not in user_data  # a JPEG is not text
    text = report.to_json()
    assert "\ufffd" not in text and "�" not in text
