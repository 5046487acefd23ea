"""Formats people send (issue 12 section 3) and the PyAV frame source (issue 16).

Files are the project's samples (samples/formats/make_formats.py), the shared fixtures, or
made here from the project's clips with PyAV and Pillow: WebM (VP9), MKV (H.264), MOV with
MPEG-4 Part 2, animated WebP and GIF, a rotated clip, a long clip with short GOPs.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from PIL import Image

import provenance
from provenance.frames import FrameSource
from provenance.options import QUICK_MAX_FRAMES
from provenance.readers.probe import probe


def _clip_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def _encode(frames: list[np.ndarray], out: Path, codec: str, fps: int, **opts) -> Path:
    rotation = opts.pop("rotation", None)
    gop = opts.pop("gop", None)
    with av.open(str(out), "w") as c:
        s = c.add_stream(codec, rate=Fraction(fps), options=opts)
        s.height, s.width = frames[0].shape[:2]
        s.pix_fmt = "yuv420p"
        if gop:
            s.codec_context.gop_size = gop
        if rotation is not None:
            s.set_display_rotation(rotation)
        for rgb in frames:
            for packet in s.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                c.mux(packet)
        for packet in s.encode(None):
            c.mux(packet)
    return out


def _marks(report) -> list[tuple[str | None, str]]:
    return sorted((w.generator, w.method) for w in report.watermarks)


@pytest.fixture(scope="module")
def sora_like(samples) -> tuple[Path, list[np.ndarray], list]:
    path = samples / "clips" / "sora_like.mp4"
    return path, _clip_frames(path), _marks(provenance.check(path))


# ------------------------------------------------------------------ still-image formats


def test_heic_is_decoded_for_the_pixel_detectors_and_its_exif_read(samples):
    heic = provenance.check(samples / "formats" / "sparkle_still.heic")
    jpeg = provenance.check(samples / "clips" / "sparkle_still.jpg")
    assert heic.status == "ok" and heic.media.mime == "image/heif"
    assert (heic.media.width, heic.media.height, heic.media.frames_analyzed) == (640, 360, 1)
    assert heic.metadata.exif.get("Make") == "SampleMaker"
    assert heic.coverage.pixels == "sampled"
    assert _marks(heic) == _marks(jpeg) and _marks(jpeg)  # the same stamp, found in both


def test_avif_fixture_and_generated_avif_are_decoded(fixtures, samples, tmp_path):
    fixture = provenance.check(fixtures / "c2pa" / "sample1.avif")
    assert fixture.status == "ok" and fixture.media.frames_analyzed == 1
    out = tmp_path / "sparkle.avif"
    Image.open(samples / "clips" / "sparkle_still.jpg").save(out, quality=90)
    report = provenance.check(out)
    assert report.media.mime == "image/avif" and report.media.frames_analyzed == 1
    assert _marks(report) == _marks(provenance.check(samples / "clips" / "sparkle_still.jpg"))


def test_an_image_without_a_decoder_keeps_ok_with_a_note(samples):
    report = provenance.check(samples / "formats" / "plain_still.jxl")
    assert report.status == "ok" and report.media.mime == "image/jxl"
    assert report.media.frames_analyzed == 0 and report.coverage.pixels == "none"
    assert any("pixels were not analysed" in p for p in report.metadata.problems)
    assert report.verdict.ai_generated == "unknown"


def test_a_corrupt_image_of_a_decodable_format_is_still_an_error(samples, tmp_path):
    data = (samples / "formats" / "sparkle_still.heic").read_bytes()
    cut = tmp_path / "cut.heic"
    cut.write_bytes(data[: len(data) // 2])
    assert provenance.check(cut).status == "error"


@pytest.mark.slow  # about 25 s: every frame of two animations
@pytest.mark.parametrize("fmt", ["webp", "gif"])
def test_animated_images_are_sampled_like_clips(sora_like, tmp_path, fmt):
    path, frames, clip_marks = sora_like
    out = tmp_path / f"anim.{fmt}"
    images = [Image.fromarray(f) for f in frames]
    extra = {"lossless": True} if fmt == "webp" else {}
    images[0].save(out, save_all=True, append_images=images[1:], duration=83, loop=0, **extra)
    media = probe(str(out))
    assert media.kind == "image" and media.frame_count == len(frames)
    delay = 80 if fmt == "gif" else 83  # GIF delays are in hundredths of a second
    assert media.fps == pytest.approx(1000 / delay)
    report = provenance.check(out)
    assert report.status == "ok"
    expected = len(FrameSource(str(out), media).indices)
    assert report.media.frames_analyzed == expected > 1
    assert ("sora", "ocr") in _marks(report) and ("sora", "ocr") in clip_marks


def test_a_multi_picture_jpeg_is_the_still_of_its_first_picture(samples, tmp_path):
    """iPhone JPEGs are MPO files (the photo plus a gain map): Pillow calls them animated,
    and seeking to the later picture of a real one fails ("No data found for frame")."""
    still = samples / "clips" / "sparkle_still.jpg"
    photo = Image.open(still).convert("RGB")
    gain_map = photo.convert("L").resize((photo.width // 2, photo.height // 2))
    out = tmp_path / "phone.jpg"
    photo.save(out, format="MPO", save_all=True, append_images=[gain_map], quality=95)
    assert Image.open(out).format == "MPO" and Image.open(out).n_frames == 2
    media = probe(str(out))
    assert media.kind == "image" and media.frame_count == 1 and media.fps in (None, 0, 0.0)
    report = provenance.check(out)
    assert report.status == "ok" and report.media.frames_analyzed == 1
    assert _marks(report) == _marks(provenance.check(still)) and _marks(report)


# ------------------------------------------------------------------ video containers


@pytest.mark.parametrize(
    "name,codec",
    [("clip.webm", "libvpx-vp9"), ("clip.mkv", "libx264"), ("clip.mov", "mpeg4")],
)
def test_video_containers_and_codecs(sora_like, tmp_path, name, codec):
    path, frames, clip_marks = sora_like
    opts = {"crf": "18"} if codec == "libx264" else {}
    if codec == "libvpx-vp9":
        opts = {"crf": "20", "b": "0", "deadline": "realtime", "cpu-used": "8"}
    if codec == "mpeg4":
        opts = {"qscale": "2"}
    out = _encode(frames, tmp_path / name, codec, 12, **opts)
    media = probe(str(out))
    assert media.kind == "video"
    source = FrameSource(str(out), media)
    sampled = list(source)
    assert source.decoder == "pyav" and len(sampled) == len(source.indices) > 1
    report = provenance.check(out)
    assert report.status == "ok" and report.media.frames_analyzed == len(source.indices)
    assert ("sora", "ocr") in _marks(report) and ("sora", "ocr") in clip_marks


# ------------------------------------------------------------------ the PyAV frame source


def test_pyav_and_opencv_ffmpeg_copies_coexist_and_agree(sora_repost):
    """Two FFmpeg builds in one process (OpenCV's and PyAV's wheels): the frames PyAV hands
    out while skipping non-reference frames equal OpenCV's full sequential decode."""
    path = str(sora_repost)
    media = probe(path)
    source = FrameSource(path, media)
    ours = list(source)
    assert source.decoder == "pyav"
    opencv = list(source._decode_opencv(source.indices, None))
    assert [f.index for f in ours] == [f.index for f in opencv] == source.indices
    assert all(np.array_equal(a.image, b.image) for a, b in zip(ours, opencv, strict=True))
    # Interleaved use of both decoders in one process.
    cap = cv2.VideoCapture(path)
    with av.open(path) as c:
        for n, frame in enumerate(c.decode(video=0)):
            ok, image = cap.read()
            assert ok and np.array_equal(image, frame.to_ndarray(format="bgr24"))
            if n >= 5:
                break
    cap.release()


def test_long_clip_with_short_gops_seeks_and_gives_the_same_frames(tmp_path):
    rng = np.random.default_rng(3)
    base = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)
    frames = [np.roll(base, i, axis=1) for i in range(1500)]  # 60 s at 25 fps
    out = _encode(frames, tmp_path / "long.mp4", "libx264", 25, gop=10, preset="ultrafast")
    media = probe(str(out))
    source = FrameSource(str(out), media)
    assert len(source.indices) == 48 and min(np.diff(source.indices)) > 24  # seeks pay
    ours = list(source)
    opencv = list(source._decode_opencv(source.indices, None))
    assert [f.index for f in ours] == [f.index for f in opencv] == source.indices
    assert all(np.array_equal(a.image, b.image) for a, b in zip(ours, opencv, strict=True))


def test_display_rotation_is_applied_as_opencv_does(sora_like, tmp_path):
    _, frames, _ = sora_like
    out = _encode(frames[:24], tmp_path / "rotated.mp4", "libx264", 12, rotation=90)
    media = probe(str(out))
    source = FrameSource(str(out), media)
    ours = list(source)
    opencv = list(source._decode_opencv(source.indices, None))
    assert ours[0].image.shape == opencv[0].image.shape != frames[0].shape
    assert all(np.array_equal(a.image, b.image) for a, b in zip(ours, opencv, strict=True))


# ------------------------------------------------------------------ quick depth


def test_quick_depth_looks_at_keyframes_and_says_what_full_could_change(sora_repost, samples):
    clip = sora_repost
    quick = provenance.check(clip, depth="quick")
    assert quick.status == "ok" and quick.coverage.depth == "quick"
    assert quick.coverage.pixels == "keyframes"
    assert 1 <= quick.media.frames_analyzed <= QUICK_MAX_FRAMES
    assert quick.coverage.full_check_may_change and quick.coverage.reasons
    full = provenance.check(clip)
    assert full.coverage.depth == "full" and not full.coverage.full_check_may_change
    image = provenance.check(samples / "clips" / "sparkle_still.jpg", depth="quick")
    assert image.media.frames_analyzed == 0 and image.coverage.pixels == "none"
    assert image.coverage.full_check_may_change  # the sparkle is only in the pixels
    with pytest.raises(ValueError, match="depth"):
        provenance.check(clip, depth="deep")


def test_cli_depth_quick_reaches_the_check(fixtures, samples):
    import json

    from click.testing import CliRunner

    from provenance.cli.main import cli

    clip = str(samples / "clips" / "sora_like.mp4")
    out = CliRunner().invoke(cli, ["check", "--json", "--depth", "quick", clip])
    report = json.loads(out.output)
    assert report["coverage"]["depth"] == "quick"
    assert report["coverage"]["pixels"] == "keyframes"
    bad = CliRunner().invoke(cli, ["check", "--depth", "deep", clip])
    assert bad.exit_code == 2 and "deep" in bad.output


class _CountingContainer:
    """A real PyAV container that counts the packets demuxed from it."""

    def __init__(self, container) -> None:
        self.container, self.packets = container, 0

    def __getattr__(self, name):
        return getattr(self.container, name)

    def demux(self, *streams):
        for packet in self.container.demux(*streams):
            self.packets += bool(packet.size)
            yield packet


def test_quick_depth_decodes_each_keyframe_from_its_own_packet(tmp_path):
    """A decoder that reorders (B-frames) holds a lone keyframe back until the next one
    arrives; quick depth drains it instead: one packet per sample, not a whole GOP."""
    from provenance.frames import video

    rng = np.random.default_rng(5)
    base = rng.integers(0, 255, (144, 176, 3), dtype=np.uint8)
    frames = [np.roll(base, 2 * i, axis=1) for i in range(120)]
    params = {"x264-params": "bframes=3:scenecut=0:keyint=60:min-keyint=60"}
    out = _encode(frames, tmp_path / "bframes.mp4", "libx264", 25, **params)
    media = probe(str(out))
    with av.open(str(out)) as c:
        stream = c.streams.video[0]
        assert stream.codec_context.has_b_frames  # the decoder reorders
        counted = _CountingContainer(c)
        stream.thread_type = "SLICE"
        got = list(video._Sampler(counted, stream, [30, 90], media.fps, None, True).run())
    assert [(f.index, f.planned) for f in got] == [(0, 30), (60, 90)]
    assert counted.packets == 2
    with av.open(str(out)) as c:
        full = [f.to_ndarray(format="bgr24") for f in c.decode(video=0)]
    assert all(np.array_equal(f.image, full[f.index]) for f in got)


@pytest.mark.slow
def test_quick_calls_an_answer_final_only_where_the_full_check_agrees(samples):
    """``coverage.full_check_may_change`` false is a promise a platform acts on: it runs no
    full check on that file. On every sample, quick may make it only where the full check
    gives the same status and verdict (a short FLV's quick error, "final" because no frame
    was looked at, broke it)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from answers import media_files

    def answer(r):
        v = r.verdict
        return r.status, v.ai_generated, v.generator, v.marks_stripped, v.stripped

    final, broken = 0, []
    for path in media_files([samples]):
        quick = provenance.check(path, depth="quick")
        if quick.coverage.full_check_may_change:
            continue
        final += 1
        full = answer(provenance.check(path))
        if answer(quick) != full:
            broken.append((path.name, answer(quick), full))
    assert final >= 20 and not broken  # 45 of 191 samples are final at quick depth here


def _flv_keyframes(path: Path) -> tuple[list[int], list[int]]:
    """Decode times the demuxer's index calls keyframes, and those of the keyframe packets."""
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        indexed = [e.timestamp for e in stream.index_entries if e.is_keyframe]
        packets = [p.dts for p in c.demux(stream) if p.size and p.is_keyframe]
    return indexed, packets


def test_quick_depth_of_a_short_flv_finds_its_keyframe(samples):
    """FFmpeg's FLV muxer flags its end-of-sequence tag as a keyframe and the demuxer
    indexes it: a quick check seeking there decoded nothing and reported an error (no
    video frame) where a full check reads the clip. It takes the keyframe before it."""
    clip = samples / "metadata" / "tc260_liblib.flv"
    indexed, packets = _flv_keyframes(clip)
    assert len(indexed) > len(packets) == 1  # the premise: an indexed keyframe that is none
    quick, full = provenance.check(clip, depth="quick"), provenance.check(clip)
    assert quick.status == full.status == "ok", quick.error
    assert quick.media.frames_analyzed == 1 and quick.coverage.pixels == "keyframes"
    assert quick.verdict.ai_generated == full.verdict.ai_generated == "likely"


def test_quick_depth_reads_on_from_the_start_when_no_seek_finds_a_keyframe(samples):
    """An index whose every keyframe entry is wrong: the packets are read from the start
    instead (every keyframe decoded, no seek), and the same keyframe comes out."""
    from provenance.frames import video

    clip = samples / "metadata" / "tc260_liblib.flv"
    media = probe(str(clip))
    with av.open(str(clip)) as c:
        stream = c.streams.video[0]
        stream.thread_type = "SLICE"
        sampler = video._Sampler(c, stream, [3], media.fps, None, True)
        sampler.keyframes = sampler.keyframes[-1:]  # only the end-of-sequence entry
        got = list(sampler.run())
    with av.open(str(clip)) as c:
        first = next(c.decode(video=0)).to_ndarray(format="bgr24")
    assert [(f.index, f.planned) for f in got] == [(0, 3)]
    assert np.array_equal(got[0].image, first)


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_the_probe_opens_an_mp4_once_for_facts_and_frames(sora_like, tmp_path, monkeypatch, turn):
    """A check that decodes an MP4 opens it once, with PyAV: the facts are OpenCV's (the
    display rotation read from the file, which PyAV reports only on decoded frames), and the
    decode reuses the container."""
    from provenance.readers.metadata import bmff

    _, frames, _ = sora_like
    clip = _encode(frames[:24], tmp_path / f"turned{turn}.mp4", "libx264", 12, rotation=turn)
    cap = cv2.VideoCapture(str(clip), cv2.CAP_FFMPEG)
    opencv = (
        tuple(int(cap.get(p)) for p in (3, 4, 5, 7)),
        int(cap.get(cv2.CAP_PROP_ORIENTATION_META)),
    )
    cap.release()
    with open(clip, "rb") as fh:
        assert bmff.display_rotation(fh, clip.stat().st_size) == opencv[1]
    kept: list = []
    shared, alone = probe(str(clip), kept), probe(str(clip))
    for c in kept:
        c.close()
    assert len(kept) == 1
    facts = (shared.width, shared.height, int(shared.fps), shared.frame_count)
    assert facts == (alone.width, alone.height, int(alone.fps), alone.frame_count) == opencv[0]
    opens: list = []
    real_open, real_capture = av.open, cv2.VideoCapture
    monkeypatch.setattr(av, "open", lambda *a, **k: opens.append(a[0]) or real_open(*a, **k))
    monkeypatch.setattr(
        cv2, "VideoCapture", lambda *a, **k: opens.append("opencv") or real_capture(*a, **k)
    )
    report = provenance.check(clip, timeout_s=0)
    assert report.status == "ok" and report.media.frames_analyzed >= 2
    assert opens == [str(clip)]  # PyAV once, OpenCV never


def test_the_short_stream_probe_gives_the_full_probes_facts(samples, monkeypatch):
    """The probe opens an MP4 or MOV with a 32-byte stream probe (FFmpeg's full probe reads
    on to every stream's first packets: 25-40 ms on clips whose audio comes late) and again
    with the full probe only when that finds no average rate or size (an init segment with
    no samples, ``dashinit.mp4``). On every MP4 and MOV clip of the samples and the vendored
    fixtures (fuzz cases included) the facts are the full probe's."""
    from provenance.frames import video

    clips = sorted(
        p
        for root in (samples, Path(__file__).parent / "fixtures")
        for p in root.rglob("*")
        if p.suffix.lower() in (".mp4", ".mov", ".m4v")
    )
    options: list = []
    real_open = av.open
    monkeypatch.setattr(
        av, "open", lambda *a, **k: options.append(k.get("options")) or real_open(*a, **k)
    )
    once, again = [], []
    for clip in clips:
        options.clear()
        short = video.open_for_facts(str(clip), 0)
        if short is None:
            continue
        short.container.close()
        assert options[0] == video.SHORT_PROBE and int(options[0]["probesize"]) <= 1024
        (once if options == [video.SHORT_PROBE] else again).append(clip.name)
        with monkeypatch.context() as m:
            m.setattr(video, "SHORT_PROBE", {})
            full = video.open_for_facts(str(clip), 0)
        assert full is not None
        full.container.close()
        facts = (short.width, short.height, short.fps, short.count)
        assert facts == (full.width, full.height, full.fps, full.count), clip
    assert len(once) >= 40 and "dashinit.mp4" in again, (once, again)
