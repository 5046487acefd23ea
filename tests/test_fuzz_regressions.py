"""Inputs the fuzz targets (fuzz/) found crashing a parser, kept inline as bytes. Each runs
through the parser the target drove and through the whole check, where it matters."""

from __future__ import annotations

import io
import struct
import sys
import zlib
from pathlib import Path

import provenance
from provenance.model.report import EXIT_CLEAN
from provenance.readers import metadata
from provenance.scanning import resume

# exif: a broken IFD entry (tag 0x0106 whose value Pillow cannot decode) raised KeyError
# from dict(exif), outside the guarded load: the whole metadata read failed.
EXIF_BROKEN_TAG = (
    b"MM\x00*\x00\x00\x00\x08\x00\x9e\x01\x06\x00\x03\x00\x00\x00\x02\x00\x01\x00\x00\x011"
    b"\x00\x02\x00\x00\x00<\x00\x00\x00\x01\x00\x03\x90xY\x00\x8e\xff\xff\x8e\x8e\x8e\x8e"
    b"\x02\x00\x00|\x00\xff\x0010\x0000\x03+\x01"
)

SOFTWARE_VALUE = EXIF_BROKEN_TAG[1:61].decode("latin-1")

# resume: JSON lines that parse but are not reports (a list, a number for the path, null)
# raised AttributeError/TypeError out of resume.load, so --resume crashed.
RESUME_NOT_REPORTS = (
    b'{"path": "/tmp/a.jpg", "status": "ok", "file": {"size_bytes": 1, "mtime": 1.5}}\n'
    b'{}\n[]\n{"path": 3}\nnull\n"text"\n{"path": "/tmp/b.jpg", "file": []}\n'
    b'{"path": "/tmp/c.jpg", "file": {"size_bytes": "x", "mtime": "y"}}\n'
    b'{"path": "/tmp/d\\u0000.jpg"}\n{"path": "/tmp/e.jpg", "file": {"mtime": 1e999}}\n'
    b'{"path": "/tmp/f.jpg", "status": "ok", "verdict": "yes"}\n'
)


def _png_with_exif(exif: bytes) -> bytes:
    def chunk(kind, body):
        return (
            struct.pack(">I4s", len(body), kind) + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"eXIf", exif)
        + chunk(b"IDAT", zlib.compress(b"\0" * 52))
        + chunk(b"IEND", b"")
    )


def test_exif_with_undecodable_tag():
    info = metadata.MetadataInfo()
    metadata._exif_from_bytes(EXIF_BROKEN_TAG, info)  # must not raise
    # The readable tag beside the broken one is kept: Software (0x0131, ASCII, 60 bytes at
    # offset 1) is those bytes of the block.
    assert info.exif == {"Software": SOFTWARE_VALUE}
    info = metadata.MetadataInfo()
    metadata._exif(io.BytesIO(EXIF_BROKEN_TAG), info)  # not an image: a problem, not a raise
    assert [p.split(":")[0] for p in info.problems] == ["EXIF not readable"]


def test_exif_with_undecodable_tag_end_to_end(tmp_path):
    path = tmp_path / "broken_exif.png"
    path.write_bytes(_png_with_exif(EXIF_BROKEN_TAG))
    report = provenance.check(path, detectors=())
    assert report.status == "ok", report.error
    assert report.metadata.exif == {"Software": SOFTWARE_VALUE}
    tiff = tmp_path / "broken_exif.tiff"
    tiff.write_bytes(EXIF_BROKEN_TAG)
    report = provenance.check(tiff, detectors=())
    # an IFD with no image is a file that cannot be read, said as such (not an internal error)
    assert report.status == "error" and "could not be read" in (report.error or ""), report.error


def test_resume_ignores_lines_that_are_not_reports(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_bytes(RESUME_NOT_REPORTS)
    problems: list[str] = []
    done = resume.load(str(out), problems)
    paths = {key[0] for key in done}
    assert paths == {"/tmp/a.jpg"}  # the one line that is a report
    assert len(problems) == len(RESUME_NOT_REPORTS.splitlines()) - 1
    assert all(p.startswith("line ") for p in problems), problems
    assert [resume.exit_code_of(data) for data in done.values()] == [EXIT_CLEAN]  # no verdict
    assert resume.exit_code_of([]) == 2  # type: ignore[arg-type]
    assert resume.plan([str(out)], str(out)).todo == [str(out)]


def test_every_fuzz_target_accepts_its_seeds(fixtures):
    """The targets CI fuzzes run on their whole seed corpus without atheris (a seed that
    raises would make every fuzz run fail at once)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    try:
        from fuzz import seeds
        from fuzz.targets import TARGETS
    finally:
        sys.path.pop(0)
    for name, target in TARGETS.items():
        corpus = seeds.build(name)
        assert corpus, name
        for seed in corpus:
            target(seed)
        target(b"")
