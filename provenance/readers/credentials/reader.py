"""Content Credentials (C2PA), read and validated by c2pa-python, the reference SDK.

The SDK's overall ``validation_state`` mixes up three questions a reader must keep
apart: do the content hashes match (were the pixels changed?), does the claim
signature verify (was the manifest forged or edited?), and is the signer trusted
and in date (configuration and time, not tampering). A genuine Sora download
whose short-lived certificate expired is "Invalid" to the SDK but untouched, so
each question is answered here from the specific validation codes.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from provenance.knowledge.datafiles import load_toml, source_type

# Codes whose failure means the asset's bytes changed after signing.
_CONTENT_PREFIXES = (
    "assertion.dataHash.",
    "assertion.bmffHash.",
    "assertion.boxesHash.",
    "assertion.collectionHash.",
)
_STANDALONE = ("application/c2pa", "application/x-c2pa-manifest-store")
_REMOTE_URL = re.compile(r"remote manifests? from url (\S+)", re.I)
# Errors from the SDK that mean "nothing to read here", not "unreadable manifest".
_ABSENT_ERRORS = ("ManifestNotFound", "JumbfNotFound", "no JUMBF data found")
_UNSUPPORTED_ERRORS = ("NotSupported", "UnsupportedType", "type is unsupported")
# Actions that carry an ingredient forward without adding other content.
_CONTENT_PRESERVING = {
    "c2pa.opened",
    "c2pa.converted",
    "c2pa.transcoded",
    "c2pa.repackaged",
    "c2pa.resized",
    "c2pa.published",
    "c2pa.watermarked",
    "c2pa.watermarked.bound",
    "c2pa.watermarked.unbound",
}
# Per-manifest ingredient recursion limit: manifests can reference each other.
_MAX_INGREDIENT_DEPTH = 16
# A sidecar manifest store is read into memory whole; real ones are kilobytes.
MAX_SIDECAR_BYTES = 64 * 1024 * 1024


@dataclass
class Signer:
    issuer: str | None = None  # organisation of the signing certificate, as the SDK reports it
    common_name: str | None = None
    time: str | None = None  # signing time (from a trusted timestamp when there is one)
    alg: str | None = None
    cert_serial_number: str | None = None


@dataclass
class C2paAction:
    action: str
    manifest: str  # label of the manifest that holds the action
    ingredient_path: list[str] = field(default_factory=list)  # titles from the active manifest down
    digital_source_type: str | None = None
    software_agent: str | None = None
    source_type_label: str | None = None
    disclosure: str | None = None  # generated / composite / captured / none, from the source type


@dataclass
class ValidationCode:
    code: str
    outcome: str  # success / failure / informational
    scope: str  # "active" (the asset's manifest) or "ingredient"
    explanation: str  # plain English, from data/c2pa_codes.toml
    sdk_explanation: str | None = None
    url: str | None = None


@dataclass
class C2paInfo:
    state: str = "absent"  # absent / valid / trusted / invalid / remote / unreadable
    content: str = "not checked"  # match / mismatch / not checked
    signature: str = "not checked"  # verified / failed / not checked
    credential: str = "unknown"  # trusted / untrusted / expired / revoked / unknown
    active_manifest: str | None = None
    manifest_count: int = 0
    signer: Signer | None = None
    claim_generator: str | None = None
    claim_generator_info: list[str] = field(default_factory=list)
    title: str | None = None
    format: str | None = None
    actions: list[C2paAction] = field(default_factory=list)
    ai_disclosure: str = "none"  # generated / composite / captured / none
    validation: list[ValidationCode] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)  # failure codes of the active manifest
    remote_url: str | None = None
    remote_fetched: bool = False
    sidecar: str | None = None
    sdk_validation_state: str | None = None
    error: str | None = None  # why a manifest could not be read


def explain(code: str) -> str:
    entry = load_toml("c2pa_codes.toml").get("codes", {}).get(code)
    if entry and entry.get("explanation"):
        return entry["explanation"]
    return code.replace(".", " ")


def code_category(code: str) -> str | None:
    entry = load_toml("c2pa_codes.toml").get("codes", {}).get(code)
    return entry.get("category") if entry else None


def _context(trust_anchors: str | None, allow_network: bool):
    """One SDK context per configuration and process, reused across files (building one
    costs ~1 ms). Keyed by process id: the SDK detaches native handles in a forked child."""
    return _context_for(os.getpid(), trust_anchors, allow_network)


@lru_cache(maxsize=8)
def _context_for(pid: int, trust_anchors: str | None, allow_network: bool):
    import c2pa

    settings: dict[str, Any] = {
        "verify": {
            "remote_manifest_fetch": bool(allow_network),
            "ocsp_fetch": bool(allow_network),
            "verify_trust": True,
        }
    }
    if trust_anchors:
        settings["trust"] = {"user_anchors": Path(trust_anchors).read_text("utf-8")}
    return c2pa.Context.from_dict(settings)


def sidecar_for(path: str | Path) -> Path | None:
    """``NAME.c2pa`` (or ``NAME.ext.c2pa``) beside the asset. A candidate name the system
    cannot hold (an asset name near NAME_MAX plus ".c2pa") is simply not there."""
    p = Path(path)
    for candidate in (p.with_suffix(".c2pa"), p.with_name(p.name + ".c2pa")):
        try:
            if candidate != p and candidate.is_file():
                return candidate
        except (OSError, ValueError):
            continue
    return None


def read(
    path: str | Path,
    mime: str | None,
    trust_anchors: str | None = None,
    allow_network: bool = False,
) -> C2paInfo:
    """Read and classify the manifest store of one file; never raises for bad content."""
    import c2pa

    info = C2paInfo()
    if not mime or mime not in _supported_mimes():
        info.error = f"format {mime or 'unknown'} is not read by the C2PA SDK"
        return info
    ctx = _context(trust_anchors, allow_network)
    try:
        with open(path, "rb") as stream, c2pa.Reader(mime, stream, context=ctx) as reader:
            data = json.loads(reader.json())
            info.remote_fetched = not reader.is_embedded()
            info.remote_url = reader.get_remote_url() if info.remote_fetched else None
    except Exception as exc:  # the SDK signals every outcome by exception
        message = f"{type(exc).__name__}: {exc}".strip()
        remote = _REMOTE_URL.search(message) or (
            "Remote" in message and re.search(r"(https?://\S+)", message)
        )
        if remote:
            info.state = "remote"
            info.remote_url = remote.group(1).rstrip(".,;)")
            if "could not fetch" in message or "error sending" in message:
                info.error = "the remote manifest could not be fetched"
            return _try_sidecar(path, mime, ctx, info)
        if any(s in message for s in _ABSENT_ERRORS):
            return _try_sidecar(path, mime, ctx, info)
        if any(s in message for s in _UNSUPPORTED_ERRORS):
            info.error = f"format not supported by the C2PA SDK ({_one_line(message)})"
            return info
        info.state = "unreadable"
        info.error = _one_line(message)
        return info
    _fill(info, data)
    if mime in _STANDALONE:
        # A bare manifest store: its hard binding refers to an asset that is not here, so a
        # hash "mismatch" says nothing about tampering. Judge signature and signer only.
        info.content = "not checked"
        info.state = (
            "invalid"
            if info.signature == "failed"
            else ("trusted" if info.credential == "trusted" else "valid")
        )
        info.error = (
            "a bare manifest store: content hashes refer to an asset that was not "
            "given (check the asset with this file beside it as NAME.c2pa)"
        )
    return info


def _try_sidecar(path, mime, ctx, info: C2paInfo) -> C2paInfo:
    import c2pa

    side = sidecar_for(path)
    if side is None:
        return info
    try:
        if side.stat().st_size > MAX_SIDECAR_BYTES:
            raise ValueError(f"larger than the {MAX_SIDECAR_BYTES // 2**20} MiB limit")
        manifest = side.read_bytes()
        with (
            open(path, "rb") as stream,
            c2pa.Reader(mime, stream, manifest_data=manifest, context=ctx) as reader,
        ):
            data = json.loads(reader.json())
    except Exception as exc:
        info.sidecar = str(side)
        info.error = f"sidecar manifest {side.name} unreadable: {_one_line(str(exc))}"
        return info
    remote_url = info.remote_url
    info = C2paInfo(sidecar=str(side), remote_url=remote_url)
    _fill(info, data)
    return info


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_MIMES: set[str] | None = None


def _supported_mimes() -> set[str]:
    global _MIMES
    if _MIMES is None:
        import c2pa

        _MIMES = set(c2pa.Reader.get_supported_mime_types())
    return _MIMES


def _fill(info: C2paInfo, data: dict[str, Any]) -> None:
    manifests: dict[str, Any] = data.get("manifests") or {}
    info.manifest_count = len(manifests)
    info.active_manifest = data.get("active_manifest")
    info.sdk_validation_state = data.get("validation_state")
    active = manifests.get(info.active_manifest or "", {})

    results = data.get("validation_results") or {}
    _collect_codes(info, results, data.get("validation_status") or [])
    _classify(info)

    sig = active.get("signature_info") or {}
    info.signer = (
        Signer(
            issuer=sig.get("issuer"),
            common_name=sig.get("common_name"),
            time=sig.get("time"),
            alg=sig.get("alg"),
            cert_serial_number=sig.get("cert_serial_number"),
        )
        if sig
        else None
    )
    info.claim_generator = active.get("claim_generator")
    info.claim_generator_info = [
        str(g.get("name")) for g in active.get("claim_generator_info") or [] if g.get("name")
    ]
    info.title = active.get("title")
    info.format = active.get("format")
    _collect_actions(info, manifests, info.active_manifest, [], set())
    info.ai_disclosure = _disclosure(info.actions)


def _collect_codes(info: C2paInfo, results: dict[str, Any], status: list[dict]) -> None:
    active = results.get("activeManifest")
    if active is None and status:
        # Older SDK output: one flat list, failures only.
        active = {"failure": status}
    for outcome in ("success", "informational", "failure"):
        for entry in (active or {}).get(outcome, []) or []:
            info.validation.append(_code(entry, outcome, "active"))
    for delta in results.get("ingredientDeltas", []) or []:
        deltas = delta.get("validationDeltas", {}) or {}
        for outcome in ("success", "informational", "failure"):
            for entry in deltas.get(outcome, []) or []:
                info.validation.append(_code(entry, outcome, "ingredient"))
    info.failed_checks = sorted(
        {v.code for v in info.validation if v.scope == "active" and v.outcome == "failure"}
    )


def _code(entry: dict[str, Any], outcome: str, scope: str) -> ValidationCode:
    code = str(entry.get("code", "unknown"))
    return ValidationCode(
        code=code,
        outcome=outcome,
        scope=scope,
        explanation=explain(code),
        sdk_explanation=entry.get("explanation"),
        url=entry.get("url"),
    )


def _classify(info: C2paInfo) -> None:
    active = [v for v in info.validation if v.scope == "active"]
    ok = {v.code for v in active if v.outcome == "success"}
    failed = {v.code for v in active if v.outcome == "failure"}
    informational = {v.code for v in active if v.outcome == "informational"}

    if any(c.startswith(_CONTENT_PREFIXES) for c in failed):
        info.content = "mismatch"
    elif any(c.startswith(_CONTENT_PREFIXES) and c.endswith(".match") for c in ok):
        info.content = "match"

    manifest_integrity = {
        c
        for c in failed
        if c.startswith(
            (
                "claimSignature.mismatch",
                "claimSignature.missing",
                "assertion.hashedURI",
                "claim.",
                "assertion.missing",
                "assertion.multipleHardBindings",
                "algorithm.",
                "manifest.",
                "general.",
            )
        )
    }
    if manifest_integrity:
        info.signature = "failed"
    elif "claimSignature.validated" in ok or "claimSignature.insideValidity" in ok:
        info.signature = "verified"

    if "signingCredential.ocsp.revoked" in failed or "signingCredential.revoked" in failed:
        info.credential = "revoked"
    elif {"signingCredential.expired", "claimSignature.outsideValidity"} & failed:
        info.credential = "expired"
    elif "signingCredential.trusted" in ok:
        info.credential = "trusted"
    elif {"signingCredential.untrusted", "signingCredential.invalid"} & (failed | informational):
        info.credential = "untrusted"

    if info.content == "mismatch" or info.signature == "failed":
        info.state = "invalid"
    elif info.credential == "trusted":
        info.state = "trusted"
    else:
        info.state = "valid"


def _agent(value: Any) -> str | None:
    if isinstance(value, dict):
        name, version = value.get("name"), value.get("version")
        return f"{name} {version}".strip() if name and version else name
    return str(value) if value else None


def _collect_actions(
    info: C2paInfo, manifests: dict[str, Any], label: str | None, path: list[str], seen: set[str]
) -> None:
    if not label or label in seen or len(path) > _MAX_INGREDIENT_DEPTH:
        return
    seen.add(label)
    manifest = manifests.get(label) or {}
    for assertion in manifest.get("assertions") or []:
        if not str(assertion.get("label", "")).startswith("c2pa.actions"):
            continue
        for act in (assertion.get("data") or {}).get("actions") or []:
            dst = act.get("digitalSourceType")
            known = source_type(dst)
            info.actions.append(
                C2paAction(
                    action=str(act.get("action", "")),
                    manifest=label,
                    ingredient_path=list(path),
                    digital_source_type=dst,
                    software_agent=_agent(act.get("softwareAgent")),
                    source_type_label=known[1].get("label") if known else None,
                    disclosure=known[1].get("disclosure") if known else None,
                )
            )
    for ing in manifest.get("ingredients") or []:
        child = ing.get("active_manifest")
        if child:
            _collect_actions(info, manifests, child, path + [str(ing.get("title") or child)], seen)


def _disclosure(actions: list[C2paAction]) -> str:
    own = {a.disclosure for a in actions if not a.ingredient_path and a.disclosure}
    inherited = {a.disclosure for a in actions if a.ingredient_path and a.disclosure}
    if "generated" in own:
        return "generated"
    own_kinds = {a.action for a in actions if not a.ingredient_path}
    if not own and inherited == {"generated"} and own_kinds <= _CONTENT_PRESERVING:
        # e.g. ChatGPT: the active manifest only re-opens and converts its generated parent.
        return "generated"
    if "composite" in own or inherited & {"generated", "composite"}:
        return "composite"
    if "captured" in own:
        return "captured"
    return "none"


def decisive_source_type(action: C2paAction) -> bool:
    known = source_type(action.digital_source_type)
    return bool(known and known[1].get("decisive"))
