"""Regenerate samples/false_claims/: faithful files for the claims the tool must NOT make.

Run:  .venv/bin/python samples/make_false_claims.py      (needs ffmpeg with libx264)

Each file reproduces, with the project's own procedural scenes, stamps and TEST-ONLY CA, the
shape of a real file that was once misjudged (issue "no false claims on authentic files"):

* ``signed_cut_stamp.mp4``: a Sora-like clip whose stamp is cut at the left edge, signed by
  its "generator" after the cut (hashes match): the signed pixels are the signer's, so no
  cropping or removal may be claimed (a real signed Veo clip was called "cropped");
  ``unsigned_cut_stamp.mp4`` is the same clip before signing, where the cut is a finding.
* ``sora1_480x720.mp4``: a signed Sora-stamped clip at 480x720, a size missing from the Sora
  size table (a real signed Sora 1 download was called "cropped" for it);
  ``sora1_480x720_unsigned.mp4`` the same clip unsigned (still no "cropped" from the size).
* ``logo_cut_at_edge.mp4``: a camera-maker-like logo held still and cut by the frame edge on
  a moving scene (a thermal-camera phone video was called "cropped").
* ``tc260_vidu_like.mp4``: a TC260 AI label with an unmapped producer in a clip whose size,
  rate and length match Vidu's output profile (one was attributed to Vidu from those alone).
* ``sora_signer_image.jpg`` / ``sora_signer_clip.mp4``: signed by a TEST-ONLY leaf named like
  OpenAI's "Truepic Lens CLI in Sora" (O=OpenAI), which signs ChatGPT images and Sora videos.
* ``xmp_*.jpg``: unsigned IPTC digital source types: algorithmicMedia (no trained model),
  trainedAlgorithmicData, digitalArt (possibly AI), minorHumanEdits.
* ``signed_digital_art.jpg``: a signed manifest stating digitalArt (possibly AI, never "yes").
* ``nonconformant_actions.png``: a signed manifest whose first action is c2pa.edited
  (assertion.action.malformed, as on real 2025 GPT-4o PNGs) with hashes and signature intact:
  a producer's mistake, not tampering.

truth.json states what a correct report shows for each.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import make_credentials as mc  # noqa: E402
import make_stripped as ms  # noqa: E402
from make_clips import blend, place, text_mask  # noqa: E402

OUT = HERE / "false_claims"
DST = mc.DST
SORA_AGENT = "Sora"  # what a Sora manifest's softwareAgent says (generators.toml sora)


def sora_leaf(ca: mc.TestCA) -> mc.Credential:
    """TEST-ONLY leaf with OpenAI's Sora signer names (CN "Truepic Lens CLI in Sora",
    O=OpenAI), issued by the project's test intermediate."""
    key = mc.test_key(40)
    subject = mc.x509_name("Truepic Lens CLI in Sora", "OpenAI")
    cert = mc.issue(
        subject, key, ca.inter.subject, ca.inter_key, 40, mc.EPOCH, mc.EPOCH.replace(year=2040)
    )
    return mc.Credential(cert, key, [ca.inter])


def sign_unchecked(definition: dict, mime: str, data: bytes, cred: mc.Credential) -> bytes:
    """Sign without the SDK's verify-after-sign step, which refuses a manifest the
    specification does not allow (what a producer with a bug writes anyway)."""
    settings = {**mc.SIGN_SETTINGS, "verify": {"verify_after_sign": False}}
    builder = mc.c2pa.Builder(definition, mc.c2pa.Context.from_dict(settings))
    out = io.BytesIO()
    builder.sign(mc.signer(cred), mime, io.BytesIO(data), out)
    return out.getvalue()


def encode(
    name: str, size: tuple[int, int], seconds: float, render, out_size=None, seed: int = 1
) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        ms.write_clip(name, size, seconds, seed, render, out_size=out_size, out_dir=Path(tmp))
        return (Path(tmp) / name).read_bytes()


def cut_stamp(img: np.ndarray, i: int) -> np.ndarray:
    ms.draw_sora(img, i)
    return img[:, 96:].copy()


def held_logo() -> np.ndarray:
    return text_mask("FLIR ONE", 30, 3)


def logo_cut(img: np.ndarray, i: int) -> np.ndarray:
    logo = held_logo()
    # The logo hangs off the left edge, bottom-left, as a camera app's overlay cut by a crop.
    x, y = -20, img.shape[0] - logo.shape[0] - 20
    blend(img, logo, x, y, 0.9)
    return img


def sora_stamp_480(img: np.ndarray, i: int) -> np.ndarray:
    stamp = ms.SORA_STAMPS[0]
    k = int(i / ms.FPS / 2) % 3
    fx, fy = ms.SORA_PLACES[k]
    x, y = place(img.shape[:2], stamp, fx, fy)
    blend(img, stamp, x, y, 0.85)
    return img


def xmp_jpeg(source_type: str) -> bytes:
    xmp = mc.xmp_packet(
        {"Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"},
        {"Iptc4xmpExt:DigitalSourceType": DST + source_type},
    )
    return mc.add_xmp(mc.jpeg(mc.plain_pixels(11)), xmp)


def main() -> int:
    OUT.mkdir(exist_ok=True)
    ca = mc.build_ca()
    sora = sora_leaf(ca)
    files: dict[str, bytes] = {}

    # The geometry of samples/stripped/sora_cropped.mp4 (384x684, 96 px cut off the left).
    cut = encode("cut.mp4", (384, 684), 4, cut_stamp, (288, 684))
    files["unsigned_cut_stamp.mp4"] = cut
    sora_made = mc.manifest("signed_cut_stamp.mp4", [mc.created(mc.TRAINED, SORA_AGENT)], "Sora")
    files["signed_cut_stamp.mp4"] = mc.sign(sora_made, "video/mp4", cut, sora)[0]

    sora1 = encode("s1.mp4", (480, 720), 6, sora_stamp_480)
    files["sora1_480x720_unsigned.mp4"] = sora1
    sora1_made = mc.manifest("sora1_480x720.mp4", [mc.created(mc.TRAINED, SORA_AGENT)], "Sora")
    files["sora1_480x720.mp4"] = mc.sign(sora1_made, "video/mp4", sora1, sora)[0]
    files["logo_cut_at_edge.mp4"] = encode("logo.mp4", (960, 540), 4, logo_cut)

    label = json.dumps(
        {
            "Label": "1",
            "ContentProducer": "001191110108MA00000000000000",
            "ProduceID": "sample-0001",
            "ContentPropagator": "",
            "PropagateID": "",
        },
        separators=(",", ":"),
    )
    vidu_like = cv2_clip(1920, 1080, 24, 5)
    files["tc260_vidu_like.mp4"] = mc.add_udta(vidu_like, mc.mdta_udta("AIGC", label))

    image = mc.jpeg(mc.gen_pixels())
    chatgpt = mc.manifest("sora_signer_image.jpg", [mc.created(mc.TRAINED, "")], "ChatGPT")
    chatgpt["assertions"][0]["data"]["actions"][0].pop("softwareAgent")
    files["sora_signer_image.jpg"] = mc.sign(chatgpt, "image/jpeg", image, sora)[0]
    clip_made = mc.manifest("sora_signer_clip.mp4", [mc.created(mc.TRAINED, "")], "c2pa-rs")
    clip_made["assertions"][0]["data"]["actions"][0].pop("softwareAgent")
    files["sora_signer_clip.mp4"] = mc.sign(clip_made, "video/mp4", mc.clip(), sora)[0]

    for code in ("algorithmicMedia", "trainedAlgorithmicData", "digitalArt", "minorHumanEdits"):
        files[f"xmp_{code}.jpg"] = xmp_jpeg(code)
    # ChatGPT/GPT-4o PNGs of 2025 are signed with an edit history whose first action is
    # neither c2pa.created nor c2pa.opened: assertion.action.malformed, hashes and signature
    # intact. (A real one was called "c2pa-invalidated".)
    first_edit = mc.manifest(
        "nonconformant_actions.png",
        [{"action": "c2pa.edited", "digitalSourceType": mc.TRAINED}],
        "ChatGPT",
    )
    first_edit["assertions"][0]["label"] = "c2pa.actions.v2"
    files["nonconformant_actions.png"] = sign_unchecked(
        first_edit, "image/png", mc.png(mc.gen_pixels()), ca.synthgen
    )
    art = mc.manifest("signed_digital_art.jpg", [mc.created(DST + "digitalArt", "Painter 1.0")])
    files["signed_digital_art.jpg"] = mc.sign(art, "image/jpeg", image, ca.synthgen)[0]

    for name, data in files.items():
        (OUT / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")
    return 0


def cv2_clip(w: int, h: int, fps: int, seconds: int) -> bytes:
    """A plain OpenCV mp4v clip (moov after mdat, as add_udta needs) of a given profile."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plain.mp4"
        out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
        for i in range(fps * seconds):  # a grey field with one moving square: kilobytes
            img = np.full((h, w, 3), 90, np.uint8)
            cv2.rectangle(img, (40 + 12 * i, 400), (240 + 12 * i, 600), (30, 160, 220), -1)
            out.write(img)
        out.release()
        return path.read_bytes()


if __name__ == "__main__":
    raise SystemExit(main())
