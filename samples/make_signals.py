"""Regenerate the rule-level generator-signal samples in samples/signals/.

Run:  .venv/bin/python samples/make_signals.py

samples/metadata/ (make_metadata.py) proves that the readers find each signal and that the
tables resolve it; the files here prove what a whole check says about them (issue 15 phase
2): C2PA manifests signed under the names real vendors sign with (the TEST-ONLY CA of
samples/credentials/ca issues a leaf with that subject; a validator says "untrusted", so the
name weighs as a claim: the name is what is under test), manifests that announce invisible
watermarks, a verified manifest naming a generator no table knows, and the layouts of real
third-party files of the real-world corpus (bench/realworld/manifest.toml) rebuilt with
project pixels: ComfyUI graphs in MP4 tags, a Pollinations request, an InvokeAI 2.x Dream
line, a clip with Vidu's documented output profile. docs/sources.md (Part 3 and the sections
named per sample) holds the facts each layout copies.

truth.json says, per file, what this script wrote and what a check must conclude from it:
the generator (from docs/sources.md, never from reading the file back), whether the name is
only a candidate (weak evidence), and the evidence kind that must carry it. The script reads
each file back with an independent reader (c2pa-python, ffprobe, Pillow) and fails on any
disagreement.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from PIL import Image, PngImagePlugin

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_credentials import issue, pem, test_key  # noqa: E402 - the CA helpers, one place
from make_metadata import (  # noqa: E402
    created,
    exif_of,
    jpeg,
    jpeg_with_xmp,
    pixels,
    user_comment,
    xmp_packet,
)

OUT = HERE / "signals"
CA = HERE / "credentials" / "ca"
DST = "http://cv.iptc.org/newscodes/digitalsourcetype/"
NOT_BEFORE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
NOT_AFTER = dt.datetime(2040, 1, 1, tzinfo=dt.UTC)


class SampleError(RuntimeError):
    pass


def check(cond: bool, msg: str) -> None:
    if not cond:
        raise SampleError(msg)


# --------------------------------------------------------------------------- signing


def _intermediate() -> tuple[x509.Certificate, Any]:
    cert = x509.load_pem_x509_certificate((CA / "test_intermediate.pem").read_bytes())
    key = serialization.load_pem_private_key(
        (CA / "test_intermediate.key.TEST-ONLY.pem").read_bytes(), None
    )
    return cert, key


def vendor_signer(cn: str, org: str, seed: int) -> c2pa.Signer:
    """A TEST-ONLY leaf whose subject carries a vendor's CN and O, as real certificates do."""
    inter, inter_key = _intermediate()
    key = test_key(100 + seed)
    subject = x509.Name(
        [
            x509.NameAttribute(x509.NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(
                x509.NameOID.ORGANIZATIONAL_UNIT_NAME, "TEST ONLY - not for production"
            ),
            x509.NameAttribute(x509.NameOID.COMMON_NAME, cn),
        ]
    )
    cert = issue(subject, key, inter.subject, inter_key, 1000 + seed, NOT_BEFORE, NOT_AFTER)
    chain = (pem(cert) + pem(inter)).encode()
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", chain, key_pem, None))


def sign(
    data: bytes, mime: str, definition: dict[str, Any], signer: c2pa.Signer | None = None
) -> bytes:
    if signer is None:
        chain = (CA / "synthgen_signer.pem").read_bytes()
        key = (CA / "synthgen_signer.key.TEST-ONLY.pem").read_bytes()
        signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", chain, key, None))
    ctx = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})
    builder = c2pa.Builder(definition, ctx)
    out = io.BytesIO()
    builder.sign(signer, mime, io.BytesIO(data), out)
    return out.getvalue()


def read_back(data: bytes, mime: str) -> dict[str, Any]:
    ctx = c2pa.Context.from_dict({"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}})
    report = json.loads(c2pa.Reader(mime, io.BytesIO(data), None, ctx).json())
    return report["manifests"][report["active_manifest"]]


def manifest(
    claim: str, actions: list[dict[str, Any]], extra: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "claim_generator_info": [{"name": claim, "version": "1.0"}],
        "title": "sample",
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": actions}}, *(extra or [])],
    }


# --------------------------------------------------------------------------- media


def clip(
    out: Path,
    size: tuple[int, int] = (64, 48),
    rate: int = 10,
    seconds: float = 0.5,
    tags: dict[str, str] | None = None,
) -> bytes:
    """A flat H.264 MP4 written with PyAV (FFmpeg's muxer); ``tags`` as MP4 metadata (custom
    keys through ``movflags=use_metadata_tags``, as ComfyUI's SaveVideo writes them)."""
    import av
    import numpy as np

    options = {"movflags": "use_metadata_tags"} if tags else {}
    with av.open(str(out), "w", format="mp4", options=options) as container:
        for key, value in (tags or {}).items():
            container.metadata[key] = value
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "45", "g": "250"}
        frame = np.full((size[1], size[0], 3), (51, 102, 153), np.uint8)
        for _ in range(round(rate * seconds)):
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.read_bytes()


def probe(path: Path) -> tuple[dict[str, str], int, float]:
    """Tags, width and duration as FFmpeg's demuxer reads them back."""
    import av

    with av.open(str(path)) as container:
        v = container.streams.video[0]
        return dict(container.metadata), v.width, float(container.duration or 0) / 1e6


def png(seed: int, text: dict[str, str]) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in text.items():
        info.add_text(key, value)
    buf = io.BytesIO()
    Image.fromarray(pixels(seed)).save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


def minimax_graph(unet: str) -> dict[str, Any]:
    """The model loaders of the real MiniMax H3 ComfyUI graph (corpus minimax-h3-comfyui-2,
    docs/sources.md#comfyui-video-tags), with the sampler around them."""
    return {
        "92": {"inputs": {"filename_prefix": "video/minimax-h3-accel", "format": "auto",
                          "codec": "auto", "video": ["130", 0]}, "class_type": "SaveVideo"},
        "120": {"inputs": {"unet_name": unet, "weight_dtype": "default"},
                "class_type": "UNETLoader"},
        "121": {"inputs": {"clip_name": "qwen3vl_32b_minimax_h3_nvfp4_awq.safetensors",
                           "type": "minimax_h3"}, "class_type": "CLIPLoader"},
        "122": {"inputs": {"vae_name": "minimax_h3_video_vae_fp16.safetensors"},
                "class_type": "VAELoader"},
        "125": {"inputs": {"seed": 868277569643882, "steps": 8, "cfg": 1.0,
                           "sampler_name": "euler", "scheduler": "simple", "denoise": 1.0,
                           "model": ["120", 0], "positive": ["126", 0],
                           "negative": ["127", 0], "latent_image": ["128", 0]},
                "class_type": "KSampler"},
    }  # fmt: skip


def cogvideox_graphs() -> tuple[dict[str, Any], dict[str, Any]]:
    """The API and UI graphs of kijai/ComfyUI-CogVideoXWrapper's example workflow
    cogvideox_1_0_5b_I2V_02.json (its loader, sampler and VideoHelperSuite save node; the
    UI graph keeps the example's widget values), docs/sources.md#cogvideox-wrapper."""
    api = {
        "59": {
            "class_type": "DownloadAndLoadCogVideoModel",
            "inputs": {
                "model": "THUDM/CogVideoX-5b-I2V",
                "precision": "bf16",
                "fp8_transformer": "disabled",
                "compile": False,
                "attention_mode": "sdpa",
                "load_device": "main_device",
            },
        },
        "63": {
            "class_type": "CogVideoSampler",
            "inputs": {
                "num_frames": 49,
                "steps": 25,
                "cfg": 6,
                "seed": 0,
                "control_after_generate": "fixed",
                "scheduler": "CogVideoXDDIM",
                "denoise_strength": 1,
                "model": ["59", 0],
            },
        },
        "44": {
            "class_type": "VHS_VideoCombine",
            "inputs": {
                "frame_rate": 8,
                "filename_prefix": "CogVideoX-I2V",
                "format": "video/h264-mp4",
                "save_metadata": True,
            },
        },
    }
    ui = {
        "last_node_id": 63,
        "nodes": [
            {
                "id": 59,
                "type": "DownloadAndLoadCogVideoModel",
                "widgets_values": [
                    "THUDM/CogVideoX-5b-I2V",
                    "bf16",
                    "disabled",
                    False,
                    "sdpa",
                    "main_device",
                ],
            },
            {
                "id": 63,
                "type": "CogVideoSampler",
                "widgets_values": [49, 25, 6, 0, "fixed", "CogVideoXDDIM", 1],
            },
        ],
        "version": 0.4,
    }
    return api, ui  # fmt: skip


# --------------------------------------------------------------------------- samples

# (file, CN, O, claim generator, softwareAgent, source type, medium, generator) for manifests
# whose *signer* names the vendor (docs/sources.md sections in the truth entries).
SIGNERS = [
    ("signer_microsoft.jpg", "Microsoft Corporation", "Microsoft Corporation",
     "Microsoft Responsible AI Image Provenance", None, "trainedAlgorithmicMedia", "image",
     "microsoft-designer", "docs/sources.md#microsoft"),
    ("signer_runway_image.jpg", "eng-leadership@runwayml.com", "RUNWAY AI, INC.", "c2pa-rs",
     "Image Generation", "trainedAlgorithmicMedia", "image", "runway",
     "docs/sources.md#corpus-c2pa-names"),
    ("signer_runway.mp4", "Runway", "Runway", "c2pa-rs", None, "trainedAlgorithmicMedia",
     "video", "runway", "docs/sources.md#runway"),
    ("signer_stability.jpg", "Stability AI Ltd", "Stability AI Ltd", "c2pa-rs", None,
     "trainedAlgorithmicMedia", "image", "stability-api", "docs/sources.md#c2pa-other-signers"),
    ("signer_byteplus.jpg", "certificate@byteplus.com", "Byteplus Pte. Ltd.", "c2pa-rs", None,
     "trainedAlgorithmicMedia", "image", "seedream", "docs/sources.md#bytedance-c2pa"),
    ("signer_byteplus.mp4", "certificate@byteplus.com", "Byteplus Pte. Ltd.", "c2pa-rs", None,
     "trainedAlgorithmicMedia", "video", "seedance", "docs/sources.md#vidu-pixverse-bytedance"),
    ("signer_volcengine.jpg", "北京火山引擎科技有限公司", "北京火山引擎科技有限公司", "c2pa-rs",
     None, "trainedAlgorithmicMedia", "image", "volcengine", "docs/sources.md#bytedance-c2pa"),
    ("agent_volcengine_ark.mp4", "北京火山引擎科技有限公司", "北京火山引擎科技有限公司",
     "c2pa-rs", "Volcengine_Ark_CN", "trainedAlgorithmicMedia", "video", "seedance",
     "docs/sources.md#corpus-c2pa-names"),
    ("signer_sora.mp4", "Truepic Lens CLI in Sora", "OpenAI", "c2pa-rs", None,
     "trainedAlgorithmicMedia", "video", "sora", "docs/sources.md#openai-sora-1"),
    ("agent_nova_reel.mp4", "Amazon Bedrock", "Amazon Web Services", "Amazon Bedrock",
     "Amazon Nova Reel", "trainedAlgorithmicMedia", "video", "amazon-nova-reel",
     "docs/sources.md#amazon-bedrock"),
    ("signer_fal.jpg", "fal-ai", "Features and Labels, Inc.", "c2pa-rs", None,
     "trainedAlgorithmicMedia", "image", "fal", "docs/sources.md#c2pa-other-signers"),
    ("signer_bria.jpg", "Bria Artificial Intelligence Ltd", "Bria Artificial Intelligence Ltd",
     "c2pa-rs", None, "trainedAlgorithmicMedia", "image", "bria",
     "docs/sources.md#c2pa-other-signers"),
    ("signer_canva.jpg", "Canva", "Canva", "c2pa-rs", None, "trainedAlgorithmicMedia", "image",
     "canva", "docs/sources.md#c2pa-other-signers"),
    ("signer_sony.jpg", "Sony Corporation", "Sony Corporation", "Sony Camera Authenticity",
     None, "digitalCapture", "image", "sony-camera", "docs/sources.md#camera-c2pa"),
    ("signer_nikon.jpg", "NIKON CORPORATION", "NIKON CORPORATION", "NIKON Z6III Ver.2.00",
     None, "digitalCapture", "image", "nikon-camera", "docs/sources.md#camera-c2pa"),
]  # fmt: skip


def build(tmp: Path) -> list[dict[str, Any]]:  # noqa: C901 - one sample per block, on purpose
    truth: list[dict[str, Any]] = []
    video = clip(tmp / "clip.mp4")

    def add(name: str, data: bytes, **facts: Any) -> None:
        (OUT / name).write_bytes(data)
        truth.append({"file": name, **facts})

    # ---- C2PA: the signer's (or the agent's) name names the vendor
    for i, (name, cn, org, claim, agent, source, medium, gen, src) in enumerate(SIGNERS):
        mime = "video/mp4" if medium == "video" else "image/jpeg"
        media = video if medium == "video" else jpeg(200 + i)
        data = sign(media, mime, manifest(claim, [created(agent, source)]),
                    vendor_signer(cn, org, i))  # fmt: skip
        m = read_back(data, mime)
        check(m["signature_info"]["common_name"] == cn, f"{name}: signer CN not read back")
        capture = source == "digitalCapture"
        add(name, data, signal="c2pa-signer", generator=None if capture else gen,
            named=gen, kind="c2pa.captured" if capture else "c2pa.generated",
            ai="unlikely" if capture else "yes", source=src,
            modelled_on=f"signer subject CN={cn!r} O={org!r}; TEST-ONLY CA")  # fmt: skip

    # ---- C2PA: a verified manifest naming a generator no table knows (issue 15 item 3)
    data = sign(jpeg(240), "image/jpeg", manifest("c2pa-rs", [created("Acme Imagine 3")]))
    check(read_back(data, "image/jpeg")["claim_generator_info"][0]["name"] == "c2pa-rs", "acme")
    add("c2pa_unlisted_generator.jpg", data, signal="c2pa-unlisted", generator="Acme Imagine 3",
        kind="c2pa.generated", ai="yes", source="docs/sources.md#corpus-c2pa-names",
        modelled_on="a generator's own softwareAgent on c2pa.created; c2pa-rs claim")  # fmt: skip

    # ---- C2PA: watermark statements (docs/sources.md#c2pa-watermark-statements)
    marks = [
        ("watermark_synthid_added.jpg", [created(None), {"action": "c2pa.edited",
         "digitalSourceType": DST + "trainedAlgorithmicMedia",
         "description": "Added imperceptible SynthID watermark"}],
         None, "synthid", "Google C2PA Core Generator Library"),
        ("watermark_unbound.jpg", [created("gpt-image 2.0"),
         {"action": "c2pa.watermarked.unbound"}], None, "synthid", "OpenAI Media Service API"),
        ("watermark_kinetiq.jpg", [{"action": "c2pa.created",
         "digitalSourceType": DST + "digitalCapture"}, {"action": "c2pa.watermarked",
         "softwareAgent": {"name": "tv.kinetiq.watercast.48.1", "version": "5.1.0.64"}}],
         [{"label": "c2pa.soft-binding", "data": {"alg": "tv.kinetiq.watercast.48.1",
           "blocks": [{"scope": {}, "value": "4364|1769452401"}]}}],
         "tv.kinetiq.watercast.48.1", "EBU C2PA ClaimGenerator"),
        ("watermark_digimarc_action.jpg", [created("Adobe Firefly"), {"action":
         "c2pa.soft-binding", "parameters": {"type": "Digimarc-watermark",
         "version": "DDI - 1.0.0", "id": "252099317"}}], None,
         "digimarc-watermark-action", "Adobe_Firefly"),
        ("watermark_soft_binding.jpg", [created("Adobe Firefly")],
         [{"label": "c2pa.soft-binding", "data": {"alg": "com.adobe.trustmark.Q",
           "blocks": [{"scope": {}, "value": "0123456789abcdef"}]}}],
         "com.adobe.trustmark.Q", "Adobe_Firefly"),
    ]  # fmt: skip
    for i, (name, actions, extra, alg, claim) in enumerate(marks):
        data = sign(jpeg(250 + i), "image/jpeg", manifest(claim, actions, extra))
        m = read_back(data, "image/jpeg")
        labels = [a["label"] for a in m["assertions"]]
        check(not extra or "c2pa.soft-binding" in labels, f"{name}: no soft-binding assertion")
        add(
            name,
            data,
            signal="c2pa-watermark",
            algorithm=alg,
            kind="c2pa.expected-watermark",
            source="docs/sources.md#c2pa-watermark-statements",
            modelled_on="the corpus manifests of docs/sources.md#c2pa-watermark-statements",
        )

    # ---- ComfyUI graphs in MP4 tags (corpus minimax-h3-comfyui-1 / -2)
    graph = json.dumps(minimax_graph("minimax_h3_ref2va_bf16.safetensors"))
    vhs = json.dumps({"prompt": graph})
    data = clip(tmp / "vhs.mp4", tags={"comment": vhs})
    check("prompt" in probe(tmp / "vhs.mp4")[0].get("comment", ""), "vhs comment not read back")
    add("comfyui_vhs_comment.mp4", data, signal="generation", generator="diffusion-ui",
        family="minimax-h3", kind="metadata.generation-params",
        source="docs/sources.md#comfyui-video-tags",
        modelled_on="corpus minimax-h3-comfyui-1: ilst comment {'prompt': '<graph>'}")  # fmt: skip
    data = clip(tmp / "native.mp4", tags={"prompt": graph})
    check("prompt" in probe(tmp / "native.mp4")[0], "native prompt tag not read back")
    add("comfyui_native_prompt.mp4", data, signal="generation", generator="diffusion-ui",
        family="minimax-h3", kind="metadata.generation-params",
        source="docs/sources.md#comfyui-video-tags",
        modelled_on="corpus minimax-h3-comfyui-2: mdta key 'prompt' = the API graph")  # fmt: skip

    # ---- CogVideoX through kijai's wrapper, saved by VideoHelperSuite (both graphs)
    api, ui = cogvideox_graphs()
    envelope = json.dumps({"prompt": json.dumps(api), "workflow": json.dumps(ui)})
    data = clip(tmp / "cog.mp4", tags={"comment": envelope})
    check("CogVideoX" in probe(tmp / "cog.mp4")[0].get("comment", ""), "cogvideox comment")
    add("comfyui_cogvideox.mp4", data, signal="generation", generator="cogvideox",
        family="cogvideox", kind="metadata.generation-params",
        source="docs/sources.md#cogvideox-wrapper",
        modelled_on="kijai/ComfyUI-CogVideoXWrapper cogvideox_1_0_5b_I2V_02.json")  # fmt: skip

    # ---- Pollinations request (corpus flux-pollinations-1)
    request = {"prompt": "floating islands", "originalPrompt": "floating islands",
               "width": 48, "height": 32, "seed": 1045, "model": "flux", "enhance": False,
               "nologo": True, "negative_prompt": "worst quality, blurry", "nofeed": False,
               "safe": False, "isMature": False, "isChild": False}  # fmt: skip
    exif = exif_of({0x010F: "flux"}, {0x9286: user_comment(json.dumps(request))})
    data = jpeg(260, exif)
    with Image.open(io.BytesIO(data)) as im:
        check(im.getexif().get(0x010F) == "flux", "pollinations: EXIF Make not read back")
    add(
        "pollinations.jpg",
        data,
        signal="generation",
        generator="flux",
        family="flux",
        kind="metadata.generation-params",
        source="docs/sources.md#pollinations",
        modelled_on="corpus flux-pollinations-1: EXIF Make + UserComment request JSON",
    )

    # ---- InvokeAI 2.x Dream line (corpus invokeai-dream)
    dream = '"a lighthouse at dusk, oil painting" -s 50 -S 1234567 -W 512 -H 768 -C 7.5 -A k_lms'
    data = png(261, {"Dream": dream})
    with Image.open(io.BytesIO(data)) as im:
        check(im.info.get("Dream") == dream, "dream: tEXt not read back")
    add(
        "invokeai_dream.png",
        data,
        signal="generation",
        generator="diffusion-ui",
        kind="metadata.generation-params",
        source="docs/sources.md#comfyui-video-tags",
        modelled_on="corpus invokeai-dream: PNG tEXt 'Dream'",
    )

    # ---- Hailuo: a TC260 label whose ContentProducer is the bare name "MiniMax"
    label = {"Label": "1", "ContentProducer": "MiniMax", "ProduceID": "sample-0001",
             "ReservedCode1": "", "ContentPropagator": "", "PropagateID": "",
             "ReservedCode2": ""}  # fmt: skip
    data = clip(tmp / "minimax.mp4", tags={"AIGC": json.dumps(label)})
    check("MiniMax" in probe(tmp / "minimax.mp4")[0].get("AIGC", ""), "AIGC tag not read back")
    add("tc260_minimax.mp4", data, signal="tc260", generator="hailuo", kind="metadata.aigc-label",
        ai="likely", source="docs/sources.md#tc260-minimax",
        modelled_on="Hailuo exports per the peer: ContentProducer 'MiniMax', MP4 keys")  # fmt: skip

    # ---- Gemini image whose manifest is gone, its unsigned XMP kept (corpus gemini-c2pa-sparkle)
    packet = xmp_packet(
        {"photoshop": "http://ns.adobe.com/photoshop/1.0/",
         "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"},
        "<photoshop:Credit>Made with Google AI</photoshop:Credit>"
        f"<Iptc4xmpExt:DigitalSourceType>{DST}trainedAlgorithmicMedia"
        "</Iptc4xmpExt:DigitalSourceType>",
    )  # fmt: skip
    data = jpeg_with_xmp(262, packet)
    with Image.open(io.BytesIO(data)) as im:
        check(b"Made with Google AI" in (im.info.get("xmp") or b""), "gemini credit: no XMP")
    add("gemini_credit_no_c2pa.jpg", data, signal="metadata", generator="imagen",
        kind="metadata.generator-tool", also="stripping.watermark-unverified",
        algorithm="synthid", ai="likely", source="docs/sources.md#corpus-xmp-credit",
        modelled_on="corpus gemini-c2pa-sparkle's XMP (Credit, source type), no C2PA")  # fmt: skip

    # ---- Vidu's documented output profile: 1080p, 24 fps, 5 s (a weak fingerprint)
    data = clip(tmp / "vidu.mp4", size=(1920, 1080), rate=24, seconds=5)
    _, width, duration = probe(tmp / "vidu.mp4")
    check(width == 1920 and abs(duration - 5) < 0.1, f"vidu profile: {width}, {duration}")
    add(
        "vidu_profile.mp4",
        data,
        signal="output-profile",
        generator=None,
        candidate="vidu",
        kind="container.output-fingerprint",
        source="docs/sources.md#vidu-pixverse-bytedance",
        modelled_on="Vidu Q1: fixed 5 s, 24 fps, 1080p (docs.bigmodel.cn)",
    )
    return truth


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for item in OUT.iterdir():
        if item.name != "README.md":
            item.unlink()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            truth = build(Path(tmp))
    except (SampleError, c2pa.C2paError) as exc:
        print(f"SAMPLE CHECK FAILED: {exc}", file=sys.stderr)
        return 1
    (OUT / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", "utf-8")
    total = sum((OUT / t["file"]).stat().st_size for t in truth)
    print(f"{len(truth)} samples, {total // 1024} KiB in {OUT.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
