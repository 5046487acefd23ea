"""XMP, EXIF, PNG text, TC260 labels and MP4 container facts on real files."""

from __future__ import annotations

import struct

import pytest

import provenance
from provenance.readers import metadata
from provenance.readers.metadata import bmff, xmp
from provenance.readers.probe import probe


def _meta(path):
    return metadata.read(str(path), probe(str(path)))


def test_dangling_xmp_pointer_in_jpeg_and_mp4(fixtures):
    for name in ("no_manifest.jpg", "video1_no_manifest.mp4"):
        meta = _meta(fixtures / "c2pa" / name)
        assert meta.xmp.provenance.startswith("self#jumbf=/c2pa/")
        assert not meta.c2pa_embedding


def test_mp4_container_facts(fixtures):
    with_box = _meta(fixtures / "c2pa" / "video1.mp4").container
    without = _meta(fixtures / "c2pa" / "video1_no_manifest.mp4").container
    assert with_box.c2pa_box and with_box.c2pa_box_purpose == "manifest"
    assert with_box.top_level[:3] == ["ftyp", "uuid", "moov"]
    assert not without.c2pa_box
    assert without.moov_before_mdat is True
    assert "soun: Mainconcept MP4 Sound Media Handler" in without.handlers


def test_repost_container_facts(sora_repost):
    meta = _meta(sora_repost)
    c = meta.container
    assert c.top_level == ["ftyp", "moov", "free", "mdat"]
    assert "Lavf58.76.100" in c.encoders
    assert c.audio_sample_rates == [44100]
    assert not c.c2pa_box


def test_quicktime_keys(fixtures):
    c = _meta(fixtures / "c2pa" / "c.mov").container
    assert c.moov_before_mdat is False
    assert c.keys["com.apple.quicktime.make"] == "Apple"


def test_exif_and_creator_tool(fixtures):
    meta = _meta(fixtures / "c2pa" / "P1000827.jpg")
    assert meta.exif["Make"] == "Panasonic"
    assert meta.xmp.creator_tool.startswith("Adobe Lightroom")


@pytest.mark.parametrize(
    "name,kind,generator",
    [
        ("xmp_trained.jpg", "xmp.digital-source-type", None),
        ("sd_parameters.png", "metadata.generation-params", "stable-diffusion-xl"),
        ("aigc_label.jpg", "metadata.aigc-label", "synthgen"),
        ("aigc_clip.mp4", "metadata.aigc-label", "synthgen"),
        ("exif_software.jpg", "metadata.generator-tool", "synthgen"),
    ],
)
def test_metadata_evidence_on_samples(samples, sample_generators, name, kind, generator):
    report = provenance.check(
        samples / "credentials" / name, detectors=(), generators_files=sample_generators
    )
    ev = [e for e in report.evidence if e.kind == kind]
    assert ev, [e.kind for e in report.evidence]
    assert ev[0].claim == "generated"
    if generator:
        assert ev[0].generator == generator
    assert report.verdict.ai_generated == "likely"  # unsigned metadata is never proof


def test_aigc_label_fields(samples):
    meta = _meta(samples / "credentials" / "aigc_clip.mp4")
    assert meta.aigc["Label"] == "1"
    assert meta.aigc_source == "mp4-metadata"
    meta = _meta(samples / "credentials" / "aigc_label.jpg")
    assert meta.aigc["ContentProducer"] == "SynthGen" and meta.aigc_source == "xmp"


def test_camera_control_has_no_ai_evidence(samples, sample_generators):
    report = provenance.check(
        samples / "credentials" / "camera_plain.jpg",
        detectors=(),
        generators_files=sample_generators,
    )
    assert report.verdict.ai_generated == "unknown"
    assert report.verdict.marks_stripped == "unknown"
    assert report.metadata.exif["Make"] == "Canon"


def test_xmp_parser_refuses_entities():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><r>&b;</r></x:xmpmeta>'
    )
    facts = xmp.parse(bomb)
    assert facts.error and facts.digital_source_type is None


def test_aigc_json_parser():
    assert xmp.parse_aigc('{"Label": "2", "ContentProducer": "x"}')["Label"] == "2"
    assert xmp.parse_aigc("not json") is None
    assert xmp.parse_aigc('{"other": 1}') is None


def _box(kind: bytes, payload: bytes = b"", size: int | None = None) -> bytes:
    return struct.pack(">I4s", len(payload) + 8 if size is None else size, kind) + payload


@pytest.mark.parametrize(
    "data,problem",
    [
        (_box(b"ftyp", b"isom\x00\x00\x00\x00") + _box(b"moov", size=10**6), "past its parent"),
        (_box(b"ftyp", b"isom") + _box(b"moov", size=3), "smaller than its header"),
        (_box(b"ftyp", b"isom") + struct.pack(">I4s", 1, b"mdat") + b"\x00\x00", "truncated"),
    ],
)
def test_box_walker_never_trusts_sizes(tmp_path, data, problem):
    path = tmp_path / "lying.mp4"
    path.write_bytes(data)
    with open(path, "rb") as fh:
        facts = bmff.read_container(fh, len(data))
    assert any(problem in p for p in facts.problems), facts.problems


def test_box_walker_bounds_depth(fixtures):
    path = fixtures / "c2pa" / "nested_moov_1000.mp4"
    with open(path, "rb") as fh:
        facts = bmff.read_container(fh, path.stat().st_size)
    assert any("deeper than" in p for p in facts.problems)


def test_webp_exif_comes_from_its_chunk_not_from_pillow(monkeypatch):
    """A WebP's EXIF is read from its RIFF chunk: Pillow's WebP opener allocates two full
    canvases first (the slowest metadata-only checks of the corpus). What is read must be
    what Pillow reads from the same file, and an EXIF chunk after other chunks is found."""
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[0x010F], exif[0x0131] = "SynthCam", "synthgen 2.1"
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 90, 160)).save(
        buf, "WEBP", exif=exif.tobytes(), xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"
    )
    data = buf.getvalue()
    assert data.index(b"EXIF") > data.index(b"VP8")  # libwebp writes EXIF after the image
    with Image.open(io.BytesIO(data)) as im:
        pillow = {k: v for k, v in im.getexif().items() if k in (0x010F, 0x0131)}
    assert pillow == {0x010F: "SynthCam", 0x0131: "synthgen 2.1"}

    def no_pillow(*args, **kwargs):
        raise AssertionError("metadata opened the WebP with Pillow")

    monkeypatch.setattr(Image, "open", no_pillow)
    meta = metadata.read_bytes(data, "image/webp")
    assert meta.exif["Make"] == "SynthCam" and meta.exif["Software"] == "synthgen 2.1"
    assert not meta.problems
