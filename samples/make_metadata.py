"""Regenerate the generator-signal samples in samples/metadata/.

Run:  .venv/bin/python samples/make_metadata.py

Each sample carries one signal family exactly as real files lay it out (docs/sources.md
names the real file or document each layout is modelled on, and truth.json repeats it per
sample): ComfyUI graphs copied from real example files, UI parameter formats, TC260 labels in
every placement of GB 45438-2025 / TC260-PG-20257A, vendor fields (Grok, Samsung, ByteDance,
Midjourney, ...), H.264 / HEVC SEI text, and C2PA manifests whose claim generator and
softwareAgent strings are the vendors' (signed with the TEST-ONLY CA of
samples/credentials/ca: a validator says "untrusted", which is the point: the strings are
under test, not the signature). Pictures are drawn procedurally; clips come from ffmpeg's
test source. Nothing else is a third-party file.

Every statement in truth.json is what this script wrote (the generator and family each
sample should be attributed to come from docs/sources.md, not from reading the file back);
the script then checks each file with an independent reader (Pillow, ffprobe, c2pa-python)
and fails on any disagreement.
"""

from __future__ import annotations

import io
import json
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import c2pa
import numpy as np
from PIL import Image, PngImagePlugin

HERE = Path(__file__).resolve().parent
OUT = HERE / "metadata"
SRC = OUT / "src"
CA = HERE / "credentials" / "ca"
DST = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TC260_NS = "http://www.tc260.org.cn/ns/AIGC/1.0/"
MAX_FILE = 200 * 1024
# A project-chosen UUID for SEI user data whose real UUID is not documented here (Kling):
# the text is what the signal is about, not the UUID.
PROJECT_SEI_UUID = "b5a1c0de5eed4a7ea11ceb00c0ffee01"


class SampleError(RuntimeError):
    pass


def check(cond: bool, msg: str) -> None:
    if not cond:
        raise SampleError(msg)


# --------------------------------------------------------------------------- pixels and files


def pixels(seed: int, w: int = 48, h: int = 32) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    r = (x * 255 // max(1, w - 1) + seed * 37) % 256
    g = (y * 255 // max(1, h - 1) + seed * 11) % 256
    b = ((x + y) * 4 + seed * 53) % 256
    return np.dstack([r, g, b]).astype(np.uint8)


def png(seed: int, text: dict[str, str] | None = None, itxt: dict[str, str] | None = None) -> bytes:
    info = PngImagePlugin.PngInfo()
    for k, v in (text or {}).items():
        info.add_text(k, v)
    for k, v in (itxt or {}).items():
        info.add_itxt(k, v)
    buf = io.BytesIO()
    Image.fromarray(pixels(seed)).save(buf, "PNG", pnginfo=info, optimize=True)
    return buf.getvalue()


def exif_of(tags: dict[int, Any], sub: dict[int, Any] | None = None) -> Image.Exif:
    exif = Image.Exif()
    for tag, value in tags.items():
        exif[tag] = value
    if sub:
        ifd = exif.get_ifd(0x8769)
        for tag, value in sub.items():
            ifd[tag] = value
    return exif


def jpeg(seed: int, exif: Image.Exif | None = None, tail: bytes = b"") -> bytes:
    buf = io.BytesIO()
    kwargs: dict[str, Any] = {"quality": 85}
    if exif is not None:
        kwargs["exif"] = exif.tobytes()
    Image.fromarray(pixels(seed)).save(buf, "JPEG", **kwargs)
    return buf.getvalue() + tail


def utf8_exif_app1(tag: int, text: str) -> bytes:
    """An APP1 EXIF payload with one IFD0 ASCII entry holding UTF-8 bytes, as real files
    written by Chinese services do (Pillow would replace non-ASCII characters with "?")."""
    data = text.encode("utf-8") + b"\x00"
    ifd = struct.pack(">H", 1) + struct.pack(">HHII", tag, 2, len(data), 26) + struct.pack(">I", 0)
    return b"Exif\x00\x00" + b"MM\x00*" + struct.pack(">I", 8) + ifd + data


def user_comment(text: str) -> bytes:
    """EXIF UserComment in the UNICODE form (big-endian UTF-16) piexif and A1111 write."""
    return b"UNICODE\x00" + text.encode("utf-16-be")


def insert_segment(data: bytes, marker: int, payload: bytes) -> bytes:
    """A JPEG APPn / COM segment right after SOI (and any APP0)."""
    seg = bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
    pos = 2
    if data[2:4] == b"\xff\xe0":
        pos = 4 + struct.unpack(">H", data[4:6])[0]
    return data[:pos] + seg + data[pos:]


def xmp_packet(namespaces: dict[str, str], body: str, attrs: str = "") -> str:
    ns = "".join(f' xmlns:{p}="{u}"' for p, u in namespaces.items())
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about=""{ns}{attrs}>{body}</rdf:Description>'
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )


def esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def jpeg_with_xmp(seed: int, packet: str, exif: Image.Exif | None = None) -> bytes:
    return insert_segment(
        jpeg(seed, exif), 0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + packet.encode()
    )


def animated_webp(seed: int, exif: Image.Exif, frames: int = 3) -> bytes:
    imgs = [Image.fromarray(pixels(seed + i)) for i in range(frames)]
    buf = io.BytesIO()
    imgs[0].save(
        buf,
        "WEBP",
        save_all=True,
        append_images=imgs[1:],
        duration=100,
        lossless=False,
        quality=60,
        exif=exif.tobytes(),
    )
    return buf.getvalue()


def ffmpeg(args: list[str], out: Path) -> bytes:
    cmd = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
           "testsrc2=size=64x48:rate=10", "-t", "0.5", "-pix_fmt", "yuv420p",
           "-fflags", "+bitexact", "-flags:v", "+bitexact", *args, str(out)]  # fmt: skip
    subprocess.run(cmd, check=True)
    return out.read_bytes()


def ffprobe_tags(path: Path) -> dict[str, str]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format_tags", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {k: v for k, v in json.loads(out).get("format", {}).get("tags", {}).items()}


# --------------------------------------------------------------------------- containers


def avi_with_info(data: bytes, items: dict[str, str]) -> bytes:
    """Add sub-chunks to LIST/INFO of an ffmpeg AVI (as TC260-PG-20257A places AIGC)."""
    check(data[:4] == b"RIFF" and data[8:12] == b"AVI ", "not an AVI")
    extra = b""
    for key, value in items.items():
        body = value.encode() + b"\x00"
        extra += key.encode().ljust(4)[:4] + struct.pack("<I", len(body)) + body
        extra += b"\x00" * (len(body) & 1)
    pos, out = 12, bytearray(data[:12])
    done = False
    while pos + 8 <= len(data):
        kind, length = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        chunk = data[pos : pos + 8 + length + (length & 1)]
        if kind == b"LIST" and data[pos + 8 : pos + 12] == b"INFO" and not done:
            body = chunk[8 : 8 + length] + extra
            chunk = b"LIST" + struct.pack("<I", len(body)) + body
            done = True
        out += chunk
        pos += 8 + length + (length & 1)
    check(done, "the AVI has no LIST/INFO to extend")
    out[4:8] = struct.pack("<I", len(out) - 8)
    return bytes(out)


# --------------------------------------------------------------------------- C2PA (test CA)


def sign_jpeg(seed: int, definition: dict[str, Any], leaf: str = "synthgen") -> bytes:
    chain = (CA / f"{leaf}_signer.pem").read_bytes()
    key = (CA / f"{leaf}_signer.key.TEST-ONLY.pem").read_bytes()
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", chain, key, None))
    ctx = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})
    builder = c2pa.Builder(definition, ctx)
    out = io.BytesIO()
    builder.sign(signer, "image/jpeg", io.BytesIO(jpeg(seed)), out)
    return out.getvalue()


def manifest(claim: str, version: str, actions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "claim_generator_info": [{"name": claim, "version": version}],
        "title": "sample",
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": actions}}],
    }


def created(agent: str | None, source: str = "trainedAlgorithmicMedia") -> dict[str, Any]:
    action: dict[str, Any] = {"action": "c2pa.created", "digitalSourceType": DST + source}
    if agent:
        action["softwareAgent"] = {"name": agent}
    return action


def read_manifest(data: bytes) -> dict[str, Any]:
    ctx = c2pa.Context.from_dict({"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}})
    reader = c2pa.Reader("image/jpeg", io.BytesIO(data), None, ctx)
    report = json.loads(reader.json())
    return report["manifests"][report["active_manifest"]]


# --------------------------------------------------------------------------- samples

TC260_FIELDS = (
    "Label",
    "ContentProducer",
    "ProduceID",
    "ReservedCode1",
    "ContentPropagator",
    "PropagateID",
    "ReservedCode2",
)


def label(producer: str, propagator: str = "", produce_id: str = "sample-0001") -> dict[str, str]:
    values = ["1", producer, produce_id, "", propagator, "sample-p-0001" if propagator else "", ""]
    return dict(zip(TC260_FIELDS, values, strict=True))


def build(tmp: Path) -> list[dict[str, Any]]:  # noqa: C901 - one sample per block, on purpose
    truth: list[dict[str, Any]] = []

    def add(name: str, data: bytes, **facts: Any) -> None:
        (OUT / name).write_bytes(data)
        check(len(data) <= MAX_FILE, f"{name} is {len(data)} bytes, over {MAX_FILE}")
        truth.append({"file": name, **facts})

    graphs = json.loads((SRC / "comfyui_graphs.json").read_text("utf-8"))["graphs"]

    # ---- ComfyUI: real graphs, real layouts (PNG text chunks; animated WebP EXIF strings)
    for i, (family, g) in enumerate(sorted(graphs.items())):
        name = f"comfyui_{family}.{g['container']}"
        text = {"prompt": json.dumps(g["prompt"])}
        if "workflow" in g:
            text["workflow"] = json.dumps(g["workflow"])
        if g["container"] == "png":
            data = png(i, text)
        else:
            tags = {0x0110: "prompt:" + text["prompt"]}
            if "workflow" in text:
                tags[0x010F] = "workflow:" + text["workflow"]
            data = animated_webp(i, exif_of(tags))
        add(
            name,
            data,
            signal="generation",
            tool="ComfyUI",
            family=family,
            modelled_on=f"comfyanonymous/ComfyUI_examples {g['origin']} (graph copied)",
        )

    # ---- A1111 / Forge / Fooocus / InvokeAI / NovelAI / SwarmUI / Draw Things
    forge = (
        "a lighthouse on a cliff at dusk, volumetric light\n"
        "Steps: 20, Sampler: Euler, Schedule type: Simple, CFG scale: 1, Distilled CFG Scale: 3.5, "
        "Seed: 42, Size: 896x1152, Model hash: 0123456789, Model: flux1-dev-bnb-nf4-v2, "
        "Version: f2.0.1v1.10.1-previous-313-g8a042934, Module 1: ae"
    )
    add(
        "forge_flux.jpg",
        jpeg(40, exif_of({0x0131: "Stable Diffusion WebUI Forge"}, {0x9286: user_comment(forge)})),
        signal="generation",
        tool="Forge",
        family="flux1",
        modelled_on=(
            "A1111/Forge parameters text in EXIF UserComment (docs/sources.md#sd-ui-parameters)"
        ),
    )
    a1111 = (
        "portrait of an astronaut, studio light\nNegative prompt: blurry, lowres\n"
        "Steps: 30, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 7, "
        "Size: 512x768, "
        'Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Lora hashes: "detail: abcdef123456", '
        "Version: v1.10.1"
    )
    add(
        "a1111_sd15.png",
        png(41, {"parameters": a1111}),
        signal="generation",
        tool="A1111",
        family="sd1",
        modelled_on="A1111 PNG tEXt 'parameters' (docs/sources.md#sd-ui-parameters)",
    )
    fooocus = {
        "adm_guidance": "(1.5, 0.8, 0.3)",
        "base_model": "juggernautXL_v8Rundiffusion.safetensors",
        "base_model_hash": "aeb7e9e689",
        "full_prompt": ["a red fox"],
        "guidance_scale": 4,
        "loras": [],
        "negative_prompt": "",
        "performance": "Speed",
        "prompt": "a red fox",
        "refiner_model": "None",
        "resolution": "(1152, 896)",
        "sampler": "dpmpp_2m_sde_gpu",
        "scheduler": "karras",
        "seed": "1234",
        "sharpness": 2,
        "steps": 30,
        "styles": "['Fooocus V2']",
        "vae": "Default (model)",
        "version": "Fooocus v2.5.5",
    }
    add(
        "fooocus.png",
        png(42, {"parameters": json.dumps(fooocus), "fooocus_scheme": "fooocus"}),
        signal="generation",
        tool="Fooocus",
        family="sdxl",
        modelled_on="Fooocus modules/private_logger: PNG 'parameters' + 'fooocus_scheme'",
    )
    add(
        "fooocus.jpg",
        jpeg(
            43,
            exif_of({0x0131: "Fooocus v2.5.5"}, {0x9286: json.dumps(fooocus), 0x927C: "fooocus"}),
        ),
        signal="generation",
        tool="Fooocus",
        family="sdxl",
        modelled_on=(
            "Fooocus get_exif: UserComment = parameters, Software = 'Fooocus v...', MakerNote = "
            "scheme"
        ),
    )
    invoke = {
        "app_version": "4.2.9",
        "generation_mode": "sdxl_txt2img",
        "positive_prompt": "a castle in clouds",
        "negative_prompt": "",
        "width": 1024,
        "height": 1024,
        "seed": 99,
        "cfg_scale": 6.5,
        "steps": 28,
        "scheduler": "dpmpp_2m_k",
        "model": {
            "key": "k1",
            "hash": "blake3:0",
            "name": "sd_xl_base_1.0",
            "base": "sdxl",
            "type": "main",
        },
    }
    add(
        "invokeai.png",
        png(44, {"invokeai_metadata": json.dumps(invoke)}),
        signal="generation",
        tool="InvokeAI",
        family="sdxl",
        modelled_on="InvokeAI PNG 'invokeai_metadata' (docs/sources.md#sd-ui-parameters)",
    )
    legacy = {
        "model": "stable diffusion",
        "model_weights": "stable-diffusion-1.5",
        "model_hash": "cc6cb27103",
        "app_id": "invoke-ai/InvokeAI",
        "app_version": "2.3.5",
        "image": {
            "prompt": [{"prompt": "a lake", "weight": 1.0}],
            "steps": 30,
            "cfg_scale": 7.5,
            "seed": 5,
            "width": 512,
            "height": 512,
            "sampler": "k_lms",
        },
    }
    add(
        "invokeai_legacy.png",
        png(45, {"sd-metadata": json.dumps(legacy)}),
        signal="generation",
        tool="InvokeAI",
        family=None,
        modelled_on="InvokeAI 2.x PNG 'sd-metadata'",
    )
    nai = {
        "prompt": "1girl, garden",
        "steps": 28,
        "height": 1216,
        "width": 832,
        "scale": 5.0,
        "uncond_scale": 1.0,
        "cfg_rescale": 0.0,
        "seed": 3,
        "n_samples": 1,
        "noise_schedule": "karras",
        "sampler": "k_euler_ancestral",
        "uc": "lowres",
    }
    add(
        "novelai.png",
        png(
            46,
            {
                "Title": "NovelAI generated image",
                "Description": "1girl, garden",
                "Software": "NovelAI",
                "Source": "NovelAI Diffusion V4.5 4BDE2A90",
                "Generation time": "2.1",
                "Comment": json.dumps(nai),
            },
        ),
        signal="generation",
        tool="NovelAI",
        generator="novelai",
        modelled_on="NovelAI PNG text chunks Software/Source/Title/Description/Comment",
    )
    swarm = {
        "sui_image_params": {
            "prompt": "a tiger",
            "negativeprompt": "",
            "model": "sd3.5_large",
            "seed": 11,
            "steps": 28,
            "cfgscale": 4.5,
            "width": 1024,
            "height": 1024,
            "comfyuisampler": "euler",
            "swarm_version": "0.9.6.2",
        }
    }
    add(
        "swarmui.png",
        png(47, {"parameters": json.dumps(swarm)}),
        signal="generation",
        tool="SwarmUI",
        family="sd3",
        modelled_on="SwarmUI PNG 'parameters' JSON with sui_image_params",
    )
    dt = {
        "c": "a sailing ship",
        "uc": "",
        "model": "sd_xl_base_1.0_f16.ckpt",
        "sampler": "Euler A Trailing",
        "seed": 8,
        "scale": 1,
        "steps": 4,
        "size": "768x768",
        "strength": 1,
    }
    packet = xmp_packet(
        {"xmp": "http://ns.adobe.com/xap/1.0/", "exif": "http://ns.adobe.com/exif/1.0/"},
        "<xmp:CreatorTool>Draw Things</xmp:CreatorTool>"
        "<exif:UserComment><rdf:Alt>"
        f'<rdf:li xml:lang="x-default">{esc(json.dumps(dt))}</rdf:li>'
        "</rdf:Alt></exif:UserComment>",
    )
    add(
        "drawthings.png",
        png(48, itxt={"XML:com.adobe.xmp": packet}),
        signal="generation",
        tool="Draw Things",
        family="sdxl",
        modelled_on=(
            "Draw Things PNG XMP with exif:UserComment JSON (docs/sources.md#sd-ui-parameters)"
        ),
    )

    # ---- TC260 labels, one placement each
    xmp_label = xmp_packet(
        {"TC260": TC260_NS},
        f"<TC260:AIGC>{esc(json.dumps(label('001191110102MACQD9K64010000')))}</TC260:AIGC>",
    )
    add(
        "tc260_xmp_element.jpg",
        jpeg_with_xmp(50, xmp_label),
        signal="tc260",
        placement="xmp-element",
        generator="doubao",
        label="1",
        modelled_on="Doubao XMP <TC260:AIGC>{...}</TC260:AIGC>",
    )
    attr = xmp_packet({"TC260": TC260_NS}, "", f' TC260:AIGC="{esc(json.dumps(label("picwish")))}"')
    add(
        "tc260_xmp_attribute.png",
        png(51, itxt={"XML:com.adobe.xmp": attr}),
        signal="tc260",
        placement="xmp-attribute",
        generator="picwish",
        label="1",
        modelled_on='PicWish XMP attribute TC260:AIGC="{...}"',
    )
    add(
        "tc260_png_chunk.png",
        png(52, {"AIGC": json.dumps(label("doubao"))}),
        signal="tc260",
        placement="png-text",
        generator="doubao",
        label="1",
        modelled_on="Doubao PNG tEXt 'AIGC' raw JSON",
    )
    wrapped = json.dumps({"AIGC": label("001191440300708461136T1308L")})
    add(
        "tc260_exif_usercomment.jpg",
        jpeg(53, exif_of({}, {0x9286: user_comment(wrapped)})),
        signal="tc260",
        placement="exif-usercomment",
        generator="tencent-hunyuan",
        label="1",
        modelled_on='EXIF UserComment {"AIGC":{...}} with producer 001191440300708461136T1308L',
    )
    bare = b"AIGC" + json.dumps(label("001191440101MA9Y9T4H7A00000")).encode()
    add(
        "tc260_jpeg_app.jpg",
        insert_segment(jpeg(54), 0xEA, bare),
        signal="tc260",
        placement="jpeg-app",
        generator="qwen",
        label="1",
        modelled_on="bare AIGC{...} glued into a JPEG APP segment",
    )
    service = json.dumps(
        {
            "AIGC": {
                "ServiceProvider": "腾讯云",
                "ServiceUser": "100000000001",
                "Time": "1735689600",
                "ContentId": "sample",
            }
        },
        ensure_ascii=False,
    )
    add(
        "tc260_service_provider.jpg",
        insert_segment(jpeg(55), 0xE1, utf8_exif_app1(0x010E, service)),
        signal="tc260",
        placement="exif-imagedescription",
        generator=None,
        schema="service-provider",
        modelled_on="Tencent Cloud AigcMetadata in EXIF ImageDescription",
    )
    kling = json.dumps(label("001191110108335469089C10000"))
    data = ffmpeg(
        [
            "-c:v",
            "libx264",
            "-bsf:v",
            f"h264_metadata=sei_user_data={PROJECT_SEI_UUID}+kling-ai",
            "-movflags",
            "use_metadata_tags",
            "-metadata",
            f"AIGC={kling}",
        ],
        tmp / "k.mp4",
    )
    check(b"kling-ai" in data, "no SEI text in the Kling sample")
    add(
        "tc260_kling.mp4",
        data,
        signal="tc260",
        placement="mp4-keys",
        generator="kling",
        label="1",
        bitstream="kling-ai",
        modelled_on=(
            "TC260-PG-20257A moov/udta/meta keys+ilst 'AIGC'; SEI text as seen by the lead on a "
            "Kling clip"
        ),
    )
    prop = json.dumps(
        label("001191440300708461136T1308L", propagator="001191110000802100433B00000")
    )
    data = ffmpeg(
        ["-c:v", "libx264", "-movflags", "use_metadata_tags", "-metadata", f"AIGC={prop}"],
        tmp / "p.mp4",
    )
    add(
        "tc260_propagator.mp4",
        data,
        signal="tc260",
        placement="mp4-keys",
        generator="tencent-hunyuan",
        propagator="baidu",
        label="1",
        modelled_on="GB 45438-2025 producer + propagator (a platform re-upload)",
    )
    data = ffmpeg(
        [
            "-c:v",
            "libx264",
            "-metadata",
            "AIGC=" + json.dumps(label("001191440101MA9Y9T4H7A00000")),
        ],
        tmp / "q.mkv",
    )
    add(
        "tc260_qwen.mkv",
        data,
        signal="tc260",
        placement="matroska-simpletag",
        generator="qwen",
        label="1",
        modelled_on="TC260-PG-20257A Matroska Segment/Tags/Tag/SimpleTag TagName=AIGC",
    )
    base = ffmpeg(["-c:v", "libx264", "-metadata", "comment=sample"], tmp / "b.avi")
    data = avi_with_info(base, {"AIGC": json.dumps(label("001191110000802100433B00000"))})
    add(
        "tc260_baidu.avi",
        data,
        signal="tc260",
        placement="avi-info",
        generator="baidu",
        label="1",
        modelled_on="TC260-PG-20257A AVI LIST/INFO 'AIGC'",
    )
    data = ffmpeg(
        [
            "-c:v",
            "libx264",
            "-metadata",
            "AIGC=" + json.dumps(label("001191110105MACJ6K1C8A00000")),
        ],
        tmp / "l.flv",
    )
    add(
        "tc260_liblib.flv",
        data,
        signal="tc260",
        placement="flv-onmetadata",
        generator="liblib",
        label="1",
        modelled_on="TC260-PG-20257A FLV script onMetaData 'AIGC'",
    )
    add(
        "tc260_runninghub.png",
        png(56, {"AIGC": json.dumps(label("RunningHub"))}),
        signal="tc260",
        placement="png-text",
        generator="runninghub",
        label="1",
        modelled_on="RunningHub producer id in a PNG AIGC chunk",
    )
    add(
        "tc260_jimeng.jpg",
        jpeg_with_xmp(
            57,
            xmp_packet(
                {"TC260": TC260_NS},
                f"<TC260:AIGC>{esc(json.dumps(label('00119144030008867405X200000')))}</TC260:AIGC>",
            ),
        ),
        signal="tc260",
        placement="xmp-element",
        generator="jimeng",
        label="1",
        modelled_on="Jimeng XMP TC260:AIGC with its operator's USCC",
    )

    # ---- Vendor metadata
    sig = "Signature: " + "Q" * 40 + "xAiSampleSignatureNotReal0123456789abcdefghijABCDEFGHIJ=="
    uuid = "0b1e2d3c-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
    add(
        "grok.jpg",
        jpeg(60, exif_of({0x010E: sig, 0x013B: uuid}, {0x9286: user_comment(sig)})),
        signal="vendor",
        fact="xai_signature",
        generator="grok",
        modelled_on=(
            "Grok JPEG: EXIF ImageDescription 'Signature: <base64>', Artist = image UUID, "
            "UserComment repeats it (fake signature)"
        ),
    )
    data = ffmpeg(["-c:v", "libx264", "-metadata", f"comment={sig}"], tmp / "g.mp4")
    add(
        "grok_imagine.mp4",
        data,
        signal="vendor",
        fact="xai_signature",
        generator="grok",
        modelled_on="Grok Imagine MP4 comment 'Signature: ...' (seen by the lead; fake signature)",
    )
    trailer = (
        b"SEFH"
        + b"\x00" * 8
        + b"PhotoEditor_Re_Edit_Data"
        + b'{"originalPath":"/DCIM/x.jpg","genAIType":3,"editorType":1}'
        + b"SEFT"
    )
    add(
        "samsung_genai.jpg",
        jpeg(61, exif_of({0x010F: "samsung", 0x0110: "SM-S931B"}), trailer),
        signal="vendor",
        fact="samsung_genai",
        generator="galaxy-ai",
        modelled_on="Galaxy AI editor data after the JPEG EOI with a non-zero genAIType",
    )
    export = json.dumps(
        {
            "product": "dreamina",
            "exportType": "generation",
            "aigc_info": json.dumps({"aigc_label_type": 1}),
        }
    )
    add(
        "dreamina_export.jpg",
        jpeg(62, exif_of({0x010E: export})),
        signal="vendor",
        fact="bytedance_export",
        generator="jimeng",
        modelled_on=(
            "ByteDance app export JSON in EXIF ImageDescription (product dreamina, exportType "
            "generation)"
        ),
    )
    mj = "a cozy cabin in snow --ar 4:3 --v 6.1 Job ID: 7f0e9d1c-2b3a-4c5d-8e6f-0a1b2c3d4e5f"
    mj_xmp = xmp_packet(
        {"Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"},
        "<Iptc4xmpExt:DigImageGUID>7f0e9d1c-2b3a-4c5d-8e6f-0a1b2c3d4e5f</Iptc4xmpExt:DigImageGUID>"
        f"<Iptc4xmpExt:DigitalSourceType>{DST}trainedAlgorithmicMedia</Iptc4xmpExt:DigitalSourceType>",
    )
    add(
        "midjourney.png",
        png(
            63,
            {"Description": mj, "Author": "sampleuser", "Creation Time": "2026-01-01T00:00:00"},
            {"XML:com.adobe.xmp": mj_xmp},
        ),
        signal="vendor",
        fact="midjourney_job",
        generator="midjourney",
        modelled_on=(
            "Midjourney PNG Description + Job ID, XMP DigImageGUID (docs/sources.md#midjourney)"
        ),
    )
    add(
        "hf_job.png",
        png(64, {"hf-job-id": "68a1f0c2e4b0a1b2c3d4e5f6"}),
        signal="vendor",
        fact="hf_job",
        generator="hugging-face-job",
        modelled_on="PNG tEXt 'hf-job-id'",
    )
    add(
        "ideogram.jpg",
        jpeg(65, exif_of({0x010F: "Ideogram AI"})),
        signal="metadata",
        generator="ideogram",
        modelled_on="EXIF Make 'Ideogram AI'",
    )
    add(
        "reve.jpg",
        jpeg(66, exif_of({0x0131: "reve.com"})),
        signal="metadata",
        generator="reve",
        modelled_on="EXIF Software 'reve.com'",
    )
    add(
        "aphrodite.jpg",
        jpeg(67, exif_of({0x010F: "Aphrodite AI"})),
        signal="metadata",
        generator="aphrodite-ai",
        modelled_on="EXIF Make 'Aphrodite AI'",
    )
    add(
        "luma_uni1.png",
        png(
            68,
            {
                "Source": "Luma AI",
                "Comment": "Generated by Luma AI's Uni-1 model (https://lumalabs.ai)",
            },
        ),
        signal="metadata",
        generator="luma",
        modelled_on="Luma Uni-1 PNG tEXt Source / Comment",
    )
    gp = xmp_packet(
        {
            "photoshop": "http://ns.adobe.com/photoshop/1.0/",
            "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
        },
        "<photoshop:Credit>Edited with Google AI</photoshop:Credit>"
        f"<Iptc4xmpExt:DigitalSourceType>{DST}compositeWithTrainedAlgorithmicMedia</Iptc4xmpExt:DigitalSourceType>",
    )
    add(
        "google_photos_ai.jpg",
        jpeg_with_xmp(69, gp),
        signal="metadata",
        generator="google-photos-ai-edit",
        modelled_on="Google Photos Magic Editor IPTC Credit + DigitalSourceType",
    )
    iptc = xmp_packet(
        {"Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"},
        "<Iptc4xmpExt:AISystemUsed>Ideogram AI</Iptc4xmpExt:AISystemUsed>"
        "<Iptc4xmpExt:AISystemVersionUsed>3.0</Iptc4xmpExt:AISystemVersionUsed>"
        "<Iptc4xmpExt:AIPromptInformation>a poster</Iptc4xmpExt:AIPromptInformation>",
    )
    add(
        "iptc_ai_system.jpg",
        jpeg_with_xmp(70, iptc),
        signal="metadata",
        generator="ideogram",
        modelled_on="IPTC Photo Metadata 2025.1 AI properties in XMP",
    )

    # ---- Bitstream encoder statements
    data = ffmpeg(["-c:v", "libx264"], tmp / "x264.mp4")
    add(
        "x264.mp4", data, signal="bitstream", encoder="x264", modelled_on="libx264 SEI (ffmpeg 5.1)"
    )
    data = ffmpeg(["-c:v", "libx265", "-x265-params", "log-level=error"], tmp / "x265.mp4")
    add(
        "x265.mp4",
        data,
        signal="bitstream",
        encoder="x265",
        modelled_on="libx265 SEI in hvcC (ffmpeg 5.1)",
    )
    data = ffmpeg(
        [
            "-c:v",
            "libx264",
            "-bsf:v",
            "h264_metadata=sei_user_data=dc45e9bde6d948b7962cd820d923eeef+bvc0ot v2.2.1.3-20250220",
            "-movflags",
            "use_metadata_tags",
            "-metadata",
            'aigc_info={"aigc_label_type":2}',
            "-metadata",
            "comment=vid:v12044gd0000d550qe7og65i0msvgsug",
            "-metadata",
            "vid_md5=2bc75fc7a90c3914f1dec5d2e2927fa1",
        ],
        tmp / "t.mp4",
    )
    add(
        "tiktok_repost.mp4",
        data,
        signal="vendor",
        fact="platform_label",
        generator="tiktok",
        modelled_on=(
            "shared/fixtures/real/sora_repost.mp4 (TikTok tags and ByteDance encoder SEI copied)"
        ),
    )

    # ---- C2PA claim generator / softwareAgent strings (TEST-ONLY signer)
    c2pa_samples = [
        (
            "c2pa_titan.jpg",
            "Amazon Bedrock",
            "1.0",
            "Titan Image Generator G1",
            "amazon-titan-image",
            "trainedAlgorithmicMedia",
        ),
        (
            "c2pa_nova_canvas.jpg",
            "Amazon Bedrock",
            "1.0",
            "Amazon Nova Canvas",
            "amazon-nova-canvas",
            "trainedAlgorithmicMedia",
        ),
        ("c2pa_dreamina.jpg", "Dreamina", "2.1", None, "jimeng", "trainedAlgorithmicMedia"),
        (
            "c2pa_higgsfield.jpg",
            "Higgsfield AI",
            "1.0",
            None,
            "higgsfield",
            "trainedAlgorithmicMedia",
        ),
        (
            "c2pa_topaz.jpg",
            "Topaz Labs Image API",
            "1.0",
            None,
            "topaz",
            "compositeWithTrainedAlgorithmicMedia",
        ),
        (
            "c2pa_tiktok_toolbox.jpg",
            "TikTok Ad Creative Toolbox",
            "1.0",
            None,
            "tiktok-ad-creative-toolbox",
            "trainedAlgorithmicMedia",
        ),
        (
            "c2pa_google_library.jpg",
            "Google C2PA Core Generator Library",
            "1.0",
            None,
            "imagen",
            "trainedAlgorithmicMedia",
        ),
        (
            "c2pa_openai_media_service.jpg",
            "OpenAI Media Service API",
            "1.0",
            "ChatGPT",
            "dall-e",
            "trainedAlgorithmicMedia",
        ),
        (
            "c2pa_bfl.jpg",
            "Black Forest Labs API",
            "1.0",
            "Flux.2",
            "flux",
            "trainedAlgorithmicMedia",
        ),
        (
            "c2pa_firefly.jpg",
            "Adobe_Firefly",
            "0.65.1",
            "Adobe Firefly",
            "firefly",
            "trainedAlgorithmicMedia",
        ),
        (
            "c2pa_leica.jpg",
            "M11-P/2.0.2 (Serial: 0000000) lc_c2pa/v1.6.1",
            "2.0.2",
            None,
            "leica",
            "digitalCapture",
        ),
        (
            "c2pa_truepic_lens.jpg",
            "Truepic_Lens_SDK",
            "3.0",
            None,
            "truepic-lens",
            "digitalCapture",
        ),
    ]
    for i, (name, claim, version, agent, gen, source) in enumerate(c2pa_samples):
        actions = [created(agent, source)]
        if name == "c2pa_openai_media_service.jpg":
            actions.append({"action": "c2pa.watermarked.unbound"})
        if name == "c2pa_google_library.jpg":
            actions.append(
                {"action": "c2pa.edited", "description": "Applied imperceptible SynthID watermark."}
            )
        leaf = "camera" if source == "digitalCapture" else "synthgen"
        data = sign_jpeg(80 + i, manifest(claim, version, actions), leaf)
        m = read_manifest(data)
        check(
            m["claim_generator_info"][0]["name"] == claim, f"{name}: claim generator not read back"
        )
        add(
            name,
            data,
            signal="c2pa",
            generator=gen,
            claim_generator=claim,
            software_agent=agent,
            modelled_on="claim/agent strings from docs/sources.md; TEST-ONLY signer",
        )
    return truth


def verify(truth: list[dict[str, Any]]) -> None:
    """Independent read-back of what each sample must carry."""
    for entry in truth:
        path = OUT / entry["file"]
        suffix = path.suffix
        if suffix in (".mp4", ".mkv", ".avi", ".flv"):
            tags = {k.lower(): v for k, v in ffprobe_tags(path).items()}
            if entry.get("signal") == "tc260":
                check("aigc" in tags, f"{entry['file']}: ffprobe sees no AIGC tag ({tags})")
        elif suffix in (".png", ".webp"):
            with Image.open(path) as im:
                im.load()
                if entry.get("tool") == "ComfyUI":
                    has = "prompt" in im.info or str(im.getexif().get(0x0110, "")).startswith(
                        "prompt:"
                    )
                    check(has, f"{entry['file']}: no ComfyUI prompt graph")
        elif suffix == ".jpg":
            with Image.open(path) as im:
                im.load()


def main() -> int:
    if OUT.exists():
        for item in OUT.iterdir():
            if item.name not in ("README.md", "src"):
                item.unlink()
    OUT.mkdir(exist_ok=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            truth = build(Path(tmp))
        verify(truth)
    except (SampleError, subprocess.CalledProcessError, c2pa.C2paError) as exc:
        print(f"SAMPLE CHECK FAILED: {exc}", file=sys.stderr)
        return 1
    (OUT / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", "utf-8")
    total = sum((OUT / t["file"]).stat().st_size for t in truth)
    print(f"{len(truth)} samples, {total // 1024} KiB in {OUT.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    shutil.which("ffmpeg") or sys.exit("ffmpeg is needed to make the video samples")
    sys.exit(main())
