"""Structured vendor metadata that a plain string pattern cannot read (docs/sources.md):

- xAI Grok: EXIF ImageDescription "Signature: <base64>" with the image UUID as Artist (and
  the signature repeated in UserComment); Grok Imagine MP4 clips carry it as the comment.
- Samsung Galaxy AI: a non-zero ``genAIType`` inside ``PhotoEditor_Re_Edit_Data`` (written in
  a trailer after the JPEG end-of-image marker).
- ByteDance app exports: a JSON object in EXIF ImageDescription / UserComment with
  ``product`` (doubao, dreamina, ...), ``exportType`` and nested AIGC flags.
- Platform labels: TikTok's MP4 tags ``aigc_info`` = {"aigc_label_type": N}, comment
  "vid:<id>", vid_md5.
- Midjourney: "Job ID: <uuid>" and ``--v`` / ``--ar`` parameters in the PNG Description, and
  the job UUID as XMP Iptc4xmpExt:DigImageGUID.
- Hugging Face jobs: PNG tEXt ``hf-job-id``.

Each reader takes located text and returns facts; none of them decides anything.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from provenance.readers.metadata.where import Where

MAX_JSON = 64 * 1024
TRAILER_READ = 1024 * 1024  # bytes of a JPEG's tail searched for Samsung's trailer
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_SIGNATURE = re.compile(r"^\s*Signature:\s*([A-Za-z0-9+/=_\-]{40,})\s*$")
_SAMSUNG_MARKER = b"PhotoEditor_Re_Edit_Data"
_SAMSUNG_VALUE = re.compile(rb'genAIType"?\s*[:=]\s*"?(-?\d{1,6})')
_MJ_JOB = re.compile(
    r"\bjob id:\s*([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b", re.I
)
_MJ_VERSION = re.compile(r"\s--v(?:ersion)?\s+(\d+(?:\.\d+)?)\b")
_MJ_ASPECT = re.compile(r"\s--(?:ar|aspect)\s+(\d+:\d+)\b")
_TIKTOK_VID = re.compile(r"^\s*vid:(v[0-9a-z]{20,40})\s*$", re.I)


@dataclass
class XaiSignature:
    """xAI Grok's "Signature: <base64>" field, and the image UUID when Artist holds one."""

    where: Where
    signature_chars: int  # length of the base64 blob (300-1004 in real files)
    artist_uuid: str | None = None  # EXIF Artist when it is a UUID (the public image id)
    repeated_in: list[str] = field(default_factory=list)  # other fields with the same blob


@dataclass
class SamsungGenAi:
    """Samsung's Galaxy AI edit record: ``genAIType`` from the trailer after the JPEG."""

    where: Where
    gen_ai_type: int  # non-zero: a Galaxy AI generative tool produced or altered the pixels


@dataclass
class ByteDanceExport:
    """A ByteDance app export's JSON: the products named, export type and AIGC flags."""

    where: Where
    products: list[str] = field(default_factory=list)  # "doubao", "dreamina", "xinghui", ...
    export_type: str | None = None  # "generation", "retouch", ...
    aigc_type: int | None = None  # nested aigc_info.aigc_type (Aweme)
    aigc_label_type: int | None = None  # private ByteDance field (not the TC260 Label)


@dataclass
class PlatformLabel:
    """A platform's own AI label on a file it re-published (TikTok's ``aigc_info``)."""

    where: Where
    platform: str  # "tiktok"
    key: str  # the field: "aigc_info"
    label_type: int | None = None  # aigc_label_type as written (meaning undocumented)
    video_id: str | None = None  # comment "vid:<id>"
    content_md5: str | None = None  # vid_md5
    raw: str = ""


@dataclass
class MidjourneyJob:
    """A Midjourney job id, with the version and aspect parameters written beside it."""

    where: Where
    job_id: str
    version: str | None = None  # --v
    aspect: str | None = None  # --ar


@dataclass
class HfJob:
    """A Hugging Face job id (PNG text ``hf-job-id``)."""

    where: Where
    job_id: str


@dataclass
class VendorFacts:
    """Every structured vendor fact found in one file, by kind."""

    xai_signatures: list[XaiSignature] = field(default_factory=list)
    samsung_genai: list[SamsungGenAi] = field(default_factory=list)
    bytedance_exports: list[ByteDanceExport] = field(default_factory=list)
    platform_labels: list[PlatformLabel] = field(default_factory=list)
    midjourney_jobs: list[MidjourneyJob] = field(default_factory=list)
    hf_jobs: list[HfJob] = field(default_factory=list)


def xai_signature(
    description: tuple[Where, str] | None,
    artist: str | None,
    others: list[tuple[Where, str]],
) -> XaiSignature | None:
    """The Grok pair: a "Signature: <base64>" field (plus the UUID Artist, for images)."""
    if description is None:
        return None
    found = _SIGNATURE.match(description[1])
    if not found:
        return None
    blob = found.group(1)
    uuid = artist.strip() if artist and _UUID.match(artist.strip()) else None
    repeated = [str(w) for w, text in others if blob in text]
    return XaiSignature(description[0], len(blob), uuid, repeated)


def samsung_trailer(fh: BinaryIO, size: int, container: str) -> SamsungGenAi | None:
    """Samsung's editor data: searched in the last ``TRAILER_READ`` bytes of the file."""
    start = max(0, size - TRAILER_READ)
    fh.seek(start)
    tail = fh.read(TRAILER_READ)
    at = tail.rfind(_SAMSUNG_MARKER)
    if at < 0:
        return None
    found = _SAMSUNG_VALUE.search(tail, at, at + 64 * 1024)
    if not found:
        return None
    value = int(found.group(1))
    if value == 0:
        return None
    return SamsungGenAi(Where(container, "trailer", "PhotoEditor_Re_Edit_Data", start + at), value)


def _json(text: str) -> Any:
    text = text.strip()
    if not text.startswith("{") or len(text) > MAX_JSON:
        return None
    for candidate in (text, text.replace('\\"', '"')):
        try:
            return json.loads(candidate)
        except (ValueError, RecursionError):
            continue
    return None


def _walk(value: Any, depth: int = 0):
    """(key, value) of every dict entry, nested dicts and JSON strings included (bounded)."""
    if depth > 4:
        return
    if isinstance(value, dict):
        for key, item in list(value.items())[:200]:
            yield str(key), item
            if isinstance(item, str) and item.strip().startswith("{"):
                item = _json(item)
            yield from _walk(item, depth + 1)
    elif isinstance(value, list):
        for item in value[:50]:
            yield from _walk(item, depth + 1)


def bytedance_export(where: Where, text: str) -> ByteDanceExport | None:
    data = _json(text)
    if not isinstance(data, dict):
        return None
    fact = ByteDanceExport(where)
    for key, value in _walk(data):
        low = key.lower()
        if low == "product" and isinstance(value, str) and len(fact.products) < 8:
            fact.products.append(value.strip().lower()[:40])
        elif low == "exporttype" and isinstance(value, str):
            fact.export_type = fact.export_type or value.strip().lower()[:40]
        elif low == "aigc_type" and isinstance(value, int) and not isinstance(value, bool):
            fact.aigc_type = value
        elif low == "aigc_label_type" and isinstance(value, int) and not isinstance(value, bool):
            fact.aigc_label_type = value
    if not fact.products and fact.aigc_type is None and fact.aigc_label_type is None:
        return None
    return fact


def tiktok_label(keys: dict[str, str], where_of) -> PlatformLabel | None:
    """TikTok's MP4 tags; ``where_of(key)`` gives the Where of a key."""
    raw = keys.get("aigc_info")
    vid = _TIKTOK_VID.match(keys.get("comment", "") or keys.get("©cmt", ""))
    if raw is None and not vid:
        return None
    data = _json(raw) if raw else None
    label = data.get("aigc_label_type") if isinstance(data, dict) else None
    return PlatformLabel(
        where_of("aigc_info" if raw is not None else "comment"),
        "tiktok",
        "aigc_info" if raw is not None else "comment",
        label if isinstance(label, int) and not isinstance(label, bool) else None,
        vid.group(1) if vid else None,
        (keys.get("vid_md5") or "").strip()[:64] or None,
        (raw or "")[:1000],
    )


def midjourney(where: Where, text: str) -> MidjourneyJob | None:
    job = _MJ_JOB.search(text)
    if not job:
        return None
    version = _MJ_VERSION.search(" " + text)
    aspect = _MJ_ASPECT.search(" " + text)
    return MidjourneyJob(
        where,
        job.group(1).lower(),
        version.group(1) if version else None,
        aspect.group(1) if aspect else None,
    )


def hf_job(where: Where, value: str) -> HfJob | None:
    value = value.strip()
    return HfJob(where, value[:64]) if value else None
