"""Content Credentials (C2PA), read and validated by c2pa-python, the reference SDK.

The SDK's overall ``validation_state`` mixes up three questions a reader must keep
apart: do the content hashes match (were the pixels changed?), does the claim
signature verify (was the manifest forged or edited?), and is the signer trusted
and in date (configuration and time, not tampering). A genuine Sora download
whose short-lived certificate expired is "Invalid" to the SDK but untouched, so
each question is answered here from the specific validation codes, classified by the
category each code has in data/c2pa_codes.toml.

Trust is a fourth question, kept apart from integrity: by default the bundled C2PA Trust
List is the trust anchor set (trust.py), so ``credential: trusted`` means "chains to the
C2PA Trust List" (or to anchors the user added), and the facts say which list, which entity
and which snapshot. Signing time, its source (a timestamp, and whether its TSA is on the
C2PA TSA Trust List), revocation and the validation time are reported beside it. Signals
come from the C2PA Asset Rubrics (rubrics.py) on the SDK's crJSON, the signer's identity from
the Conforming Products List (products.py), CAWG identity assertions apart from the C2PA
signer (identity.py).
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
from provenance.readers.credentials import identity as cawg
from provenance.readers.credentials import products, rubrics, trust
from provenance.readers.credentials.identity import Identity
from provenance.readers.credentials.products import SignerIdentity
from provenance.readers.credentials.rubrics import ManifestSignals, Signal

_STANDALONE = ("application/c2pa", "application/x-c2pa-manifest-store")
# The URL of a remote manifest is only in the SDK's message ("... from url URL"); the outcome
# itself comes from the error's type.
_URL = re.compile(r"(https?://\S+)")
# c2pa-rs names this error "Remote"; c2pa-python 0.38 maps only "RemoteManifest" to its typed
# class, so the base C2paError arrives with the SDK's own error type as its first word.
_REMOTE_ERROR_TYPES = ("Remote", "RemoteManifest")
# Failure categories (data/c2pa_codes.toml) that mean the manifest itself does not verify.
_SIGNATURE_CATEGORIES = ("signature", "structure", "other")
# Failure categories that make an ingredient's own manifest invalid (not its signer's trust).
_INGREDIENT_BREAKING = ("content", "signature", "structure", "other", "ingredient")
# Trust-list URIs given to the SDK with each anchor set; it names the one a chain reached.
_BUNDLED_URI = "urn:provenance:c2pa-trust-list"
_TSA_URI = "urn:provenance:c2pa-tsa-trust-list"
_USER_URI = "urn:provenance:user-trust-anchors"
_LIST_BY_URI = {_BUNDLED_URI: trust.C2PA_LIST, _USER_URI: trust.USER_LIST}
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
    """Who signed the active manifest and when, as the SDK reports it."""

    issuer: str | None = None  # organisation of the signing certificate, as the SDK reports it
    common_name: str | None = None
    time: str | None = None  # signing time (from a trusted timestamp when there is one)
    alg: str | None = None
    cert_serial_number: str | None = None


@dataclass
class C2paAction:
    """One action of the active manifest or of an ingredient's, with its AI disclosure."""

    action: str
    manifest: str  # label of the manifest that holds the action
    ingredient_path: list[str] = field(default_factory=list)  # titles from the active manifest down
    digital_source_type: str | None = None
    software_agent: str | None = None
    source_type_label: str | None = None
    disclosure: str | None = None  # generated / composite / captured / none, from the source type
    description: str | None = None  # the action's own words ("Added imperceptible SynthID ...")
    # parameters.type as written: Adobe's older c2pa.soft-binding *action* names its mark
    # there ("Digimarc-watermark")
    parameter_type: str | None = None


@dataclass
class SoftBinding:
    """A ``c2pa.soft-binding`` assertion: the signer says a watermark or fingerprint of
    algorithm ``alg`` binds the content to this manifest (C2PA spec 2.2 s9.3)."""

    alg: str
    manifest: str
    ingredient_path: list[str] = field(default_factory=list)
    blocks: int = 0  # scoped values (time spans, regions) the assertion lists


@dataclass
class ValidationCode:
    """One validation code the SDK reported, explained and classified (data/c2pa_codes.toml)."""

    code: str
    outcome: str  # success / failure / informational
    scope: str  # "active" (the asset's manifest) or "ingredient"
    explanation: str  # plain English, from data/c2pa_codes.toml
    sdk_explanation: str | None = None
    url: str | None = None
    category: str | None = None  # content / signature / credential / ..., data/c2pa_codes.toml


@dataclass
class TrustFacts:
    """Whom the signing certificate chains to, and how current the list that says so is."""

    status: str = "not checked"  # trusted / untrusted / not checked
    trust_list: str | None = None  # "C2PA Trust List" / "user trust anchors" the chain reached
    entity: str | None = None  # the trust-list entity of the matching CA (e.g. "Google LLC")
    anchor: str | None = None  # subject of the listed CA the signer's issuer matched
    bundled: bool = True  # the bundled C2PA Trust List was used (CheckOptions.bundled_trust)
    user_anchors: bool = False  # anchors supplied by the user were added
    snapshot: str | None = None  # commit date of the bundled snapshot
    list_issued: str | None = None  # ListIssueDateTime of the bundled C2PA Trust List
    stale: str | None = None  # why the bundled snapshot is out of date; None while fresh


@dataclass
class Certificate:
    """The signing certificate as the manifest carries it."""

    subject: dict[str, str] = field(default_factory=dict)
    issuer: dict[str, str] = field(default_factory=dict)
    serial: str | None = None
    not_before: str | None = None
    not_after: str | None = None


@dataclass
class Ingredient:
    """One ingredient anywhere in the chain, with its own validation status and signals."""

    title: str | None
    relationship: str | None
    path: list[str] = field(default_factory=list)  # titles from the active manifest down
    manifest: str | None = None  # label of the ingredient's own manifest, if it has one
    status: str = "no manifest"  # valid / invalid / missing / no manifest / not validated
    failures: list[str] = field(default_factory=list)  # failure codes of its own validation
    signals: list[str] = field(default_factory=list)  # rubric signal ids of its node
    digital_source_type: str | None = None  # declared on a flat ingredient


@dataclass
class C2paInfo:
    """Everything read from the file's Content Credentials (docs/report.md ``c2pa``)."""

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
    soft_bindings: list[SoftBinding] = field(default_factory=list)
    ai_disclosure: str = "none"  # generated / composite / captured / none
    validation: list[ValidationCode] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)  # failure codes of the active manifest
    remote_url: str | None = None
    remote_fetched: bool = False
    sidecar: str | None = None
    sdk_validation_state: str | None = None
    error: str | None = None  # why a manifest could not be read
    # Integrity (content hashes and claim signature) apart from trust.
    integrity: str = "not checked"  # intact / content changed / manifest altered / not checked
    trust: TrustFacts = field(default_factory=TrustFacts)
    certificate: Certificate | None = None
    signing_time: str | None = None
    # tsa-listed (TSA on the C2PA TSA Trust List) / tsa-trusted (the SDK accepts the TSA, not
    # on that list) / tsa-untrusted / none (no timestamp: validity is judged at validation time)
    signing_time_source: str = "none"
    timestamp_authority: str | None = None
    revocation: str = "not checked"  # revoked / not revoked (stapled OCSP) / not checked ...
    validation_time: str | None = None
    signer_identity: SignerIdentity = field(default_factory=SignerIdentity)
    signals: list[Signal] = field(default_factory=list)  # Asset Rubrics, active manifest
    manifests: list[ManifestSignals] = field(default_factory=list)  # every node of the graph
    ingredients: list[Ingredient] = field(default_factory=list)
    identities: list[Identity] = field(default_factory=list)  # CAWG identity assertions
    update_manifest: bool = False  # the active manifest is an update manifest
    findings: list[str] = field(default_factory=list)  # spec or listing problems found


def _code_entry(code: str) -> dict[str, Any]:
    return load_toml("c2pa_codes.toml").get("codes", {}).get(code) or {}


def explain(code: str) -> str:
    entry = _code_entry(code)
    if entry.get("explanation"):
        return str(entry["explanation"])
    return code.replace(".", " ")


def code_category(code: str) -> str | None:
    """The category of a validation code: its own, else that of its longest known prefix."""
    entry = _code_entry(code)
    if entry.get("category"):
        return str(entry["category"])
    prefixes = load_toml("c2pa_codes.toml").get("prefix_categories", {})
    best = max((p for p in prefixes if code.startswith(p)), key=len, default=None)
    return prefixes[best] if best else None


@dataclass(frozen=True)
class TrustSettings:
    """What the SDK is told to trust; one cached SDK context per distinct value."""

    user_anchors: str | None = None  # path of a PEM file
    bundled: bool = True
    allow_network: bool = False
    allowed_list: str | None = None  # path of a PEM file of end-entity certificates


def _context(settings: TrustSettings):
    """One SDK context per configuration and process, reused across files (building one
    costs ~1 ms). Keyed by process id: the SDK detaches native handles in a forked child."""
    return _context_for(os.getpid(), settings)


@lru_cache(maxsize=8)
def _context_for(pid: int, settings: TrustSettings):
    import c2pa

    return c2pa.Context.from_dict(sdk_settings(settings))


def sdk_settings(settings: TrustSettings) -> dict[str, Any]:
    """c2pa-rs 0.91 settings: one ``trust.anchors`` entry per list, each with its kind and a
    URI the SDK names when a chain reaches it (c2patool's trust_anchors / trust_config)."""
    eku = trust.trust_config()
    anchors: list[dict[str, Any]] = []
    if settings.bundled:
        anchors.append(
            {
                "trust_kind": "manifest",
                "trust_anchors": trust.bundled_pem(),
                "trust_uri": _BUNDLED_URI,
                "trust_config": eku,
            }
        )
        anchors.append(
            {
                "trust_kind": "tsa",
                "trust_anchors": trust.tsa_pem(),
                "trust_uri": _TSA_URI,
            }
        )
    if settings.user_anchors or settings.allowed_list:
        entry: dict[str, Any] = {
            "trust_kind": "manifest",
            "trust_anchors": (
                Path(settings.user_anchors).read_text("utf-8") if settings.user_anchors else ""
            ),
            "trust_uri": _USER_URI,
            "trust_config": eku,
        }
        if settings.allowed_list:
            entry["allowed_list"] = Path(settings.allowed_list).read_text("utf-8")
        anchors.append(entry)
    if settings.user_anchors:
        pem = Path(settings.user_anchors).read_text("utf-8")
        # As the older trust.user_anchors string did, your roots anchor time-stamping too.
        anchors.append({"trust_kind": "tsa", "trust_anchors": pem, "trust_uri": _USER_URI})
    out: dict[str, Any] = {
        "verify": {
            "remote_manifest_fetch": bool(settings.allow_network),
            "ocsp_fetch": bool(settings.allow_network),
            "verify_trust": True,
            "verify_timestamp_trust": True,
        }
    }
    if anchors:
        out["trust"] = {"anchors": anchors}
    return out


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
    bundled_trust: bool = True,
    allowed_list: str | None = None,
) -> C2paInfo:
    """Read and classify the manifest store of one file; never raises for bad content."""
    import c2pa

    settings = TrustSettings(trust_anchors, bundled_trust, allow_network, allowed_list)
    info = C2paInfo()
    info.trust = _trust_base(settings)
    if not mime or mime not in _supported_mimes():
        info.error = f"format {mime or 'unknown'} is not read by the C2PA SDK"
        return info
    ctx = _context(settings)
    try:
        with open(path, "rb") as stream:
            reader = c2pa.Reader.try_create(mime, stream, None, ctx)
            if reader is None:
                return _try_sidecar(path, mime, ctx, info, settings)
            with reader:
                data = json.loads(reader.json())
                cr = json.loads(reader.crjson())
                info.remote_fetched = not reader.is_embedded()
                info.remote_url = reader.get_remote_url() if info.remote_fetched else None
    except c2pa.C2paError.NotSupported as exc:
        info.error = f"format not supported by the C2PA SDK ({_one_line(str(exc))})"
        return info
    except c2pa.C2paError as exc:
        if _is_remote(exc):
            info.state = "remote"
            found = _URL.search(str(exc))
            info.remote_url = found.group(1).rstrip(".,;)") if found else None
            if allow_network:
                info.error = "the remote manifest could not be fetched"
            return _try_sidecar(path, mime, ctx, info, settings)
        info.state = "unreadable"
        info.error = _one_line(f"{type(exc).__name__}: {exc}")
        return info
    except Exception as exc:  # a crash in the binding is still one report, not a lost file
        info.state = "unreadable"
        info.error = _one_line(f"{type(exc).__name__}: {exc}")
        return info
    _fill(info, data, cr, settings)
    if mime in _STANDALONE:
        # A bare manifest store: its hard binding refers to an asset that is not here, so a
        # hash "mismatch" says nothing about tampering. Judge signature and signer only.
        info.content = "not checked"
        info.integrity = "manifest altered" if info.signature == "failed" else "not checked"
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


def _is_remote(exc: Exception) -> bool:
    import c2pa

    if isinstance(exc, c2pa.C2paError.RemoteManifest):
        return True
    kind = str(exc).split(":", 1)[0].strip()
    return type(exc) is c2pa.C2paError and kind in _REMOTE_ERROR_TYPES


def crjson(
    path: str | Path,
    mime: str | None,
    trust_anchors: str | None = None,
    bundled_trust: bool = True,
) -> dict[str, Any] | None:
    """The SDK's crJSON of one file (offline), or None without Content Credentials: the
    input of the Asset Rubrics, for ``conformance`` and the reference comparison."""
    import c2pa

    ctx = _context(TrustSettings(trust_anchors, bundled_trust, False))
    try:
        with open(path, "rb") as stream:
            reader = c2pa.Reader.try_create(mime, stream, None, ctx)
            if reader is None:
                return None
            with reader:
                return dict(json.loads(reader.crjson()))
    except c2pa.C2paError:
        return None


def conformance(
    path: str | Path, mime: str | None, trust_anchors: str | None = None, spec: str = "2.4"
) -> list[rubrics.ConformanceReport]:
    """The integrity and conformance rubrics on one file, for producers of Content
    Credentials (the ``provenance conformance`` command)."""
    data = crjson(path, mime, trust_anchors)
    return rubrics.conformance_report(data, spec) if data else []


def _trust_base(settings: TrustSettings) -> TrustFacts:
    snap = trust.snapshot()
    return TrustFacts(
        bundled=settings.bundled,
        user_anchors=bool(settings.user_anchors),
        snapshot=snap.snapshot_date if settings.bundled else None,
        list_issued=snap.list_issued if settings.bundled else None,
        stale=trust.stale_reason() if settings.bundled else None,
    )


def _try_sidecar(path, mime, ctx, info: C2paInfo, settings: TrustSettings) -> C2paInfo:
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
            cr = json.loads(reader.crjson())
    except Exception as exc:
        info.sidecar = str(side)
        info.error = f"sidecar manifest {side.name} unreadable: {_one_line(str(exc))}"
        return info
    remote_url = info.remote_url
    info = C2paInfo(sidecar=str(side), remote_url=remote_url, trust=info.trust)
    _fill(info, data, cr, settings)
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


def _fill(
    info: C2paInfo, data: dict[str, Any], cr: dict[str, Any], settings: TrustSettings
) -> None:
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
    _fill_from_crjson(info, cr, settings)


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
        category=code_category(code),
    )


# The order in which a credential verdict wins when several codes speak (c2pa_codes.toml).
_CREDENTIAL_ORDER = ("revoked", "expired", "trusted", "untrusted")


def _classify(info: C2paInfo) -> None:
    """content / signature / credential from each code's category in data/c2pa_codes.toml."""
    active = [v for v in info.validation if v.scope == "active"]
    failed = [v for v in active if v.outcome == "failure"]
    ok = [v for v in active if v.outcome == "success"]

    if any(v.category == "content" for v in failed):
        info.content = "mismatch"
    elif any(v.category == "content" and v.code.endswith(".match") for v in ok):
        info.content = "match"

    if any(v.category in _SIGNATURE_CATEGORIES for v in failed):
        info.signature = "failed"
    elif any(v.code in ("claimSignature.validated", "claimSignature.insideValidity") for v in ok):
        info.signature = "verified"

    said = set()
    for v in active:
        verdict = _code_entry(v.code).get("credential")
        if verdict:
            said.add(verdict)
    info.credential = next((c for c in _CREDENTIAL_ORDER if c in said), "unknown")

    if info.content == "mismatch" or info.signature == "failed":
        info.state = "invalid"
    elif info.credential == "trusted":
        info.state = "trusted"
    else:
        info.state = "valid"
    if info.content == "mismatch":
        info.integrity = "content changed"
    elif info.signature == "failed":
        info.integrity = "manifest altered"
    elif info.content == "match" and info.signature == "verified":
        info.integrity = "intact"


def _fill_from_crjson(info: C2paInfo, cr: dict[str, Any], settings: TrustSettings) -> None:
    """Trust, time, revocation, identity, signals and the ingredient chain, from crJSON."""
    items = [m for m in cr.get("manifests") or [] if isinstance(m, dict)]
    if not items:
        return
    top = items[0]
    info.update_manifest = bool(top.get("isUpdateManifest"))
    results = top.get("validationResults") or {}
    info.validation_time = results.get("validationTime")
    cert = ((top.get("signature") or {}).get("certificateInfo")) or {}
    validity = cert.get("validity") or {}
    info.certificate = Certificate(
        subject=dict(cert.get("subject") or {}),
        issuer=dict(cert.get("issuer") or {}),
        serial=cert.get("serialNumber"),
        not_before=validity.get("notBefore"),
        not_after=validity.get("notAfter"),
    )
    codes = [v for v in info.validation if v.scope == "active"]
    _trust_facts(info, codes, settings)
    _time_facts(info, top, codes)
    _revocation(info, codes, settings)

    nodes = rubrics.signals(cr)
    info.manifests = nodes
    info.signals = nodes[0].inceptions + nodes[0].transformations if nodes else []
    claimed = info.signer.issuer if info.signer else None
    info.signer_identity = products.identify(
        info.certificate.subject, info.trust.trust_list, claimed
    )
    disallowed = set(info.signer_identity.disallowed_signals) & {s.id for s in info.signals}
    for sid in sorted(disallowed):
        info.findings.append(
            f"{info.signer_identity.product} asserts {sid}, a signal its Conforming Products "
            "List record disallows"
        )
    if info.trust.stale:
        info.findings.append(info.trust.stale)
    info.ingredients, problems = _ingredient_chain(items, nodes)
    info.findings += problems
    info.identities = cawg.identities(top)


def _trust_facts(info: C2paInfo, codes: list[ValidationCode], settings: TrustSettings) -> None:
    facts = info.trust
    said = {v.code for v in codes}
    if "signingCredential.trusted" in said:
        facts.status = "trusted"
    elif said & {"signingCredential.untrusted", "signingCredential.invalid"}:
        facts.status = "untrusted"
    issuer = info.certificate.issuer if info.certificate else {}
    listed = trust.match_entry(issuer, trust.entries("C2PA-TRUST-LIST.json"))
    if facts.status == "trusted":
        trusted = next((v for v in codes if v.code == "signingCredential.trusted"), None)
        uri = _named_uri(trusted)
        facts.trust_list = _LIST_BY_URI.get(uri or "")
        if facts.trust_list is None and settings.bundled and not settings.user_anchors:
            facts.trust_list = trust.C2PA_LIST
        elif facts.trust_list is None and settings.user_anchors and not settings.bundled:
            facts.trust_list = trust.USER_LIST
    if listed and (facts.trust_list == trust.C2PA_LIST or facts.status != "trusted"):
        facts.entity = listed.entity
        facts.anchor = trust.dn_text(listed.subject)


def _named_uri(code: ValidationCode | None) -> str | None:
    """The trust-list URI the SDK names for a trusted chain ("found in [URI] trust anchors",
    "timestamp cert trusted: ..., trust list: URI"); the URIs are the ones this module gave
    it, so the match cannot be confused with other text."""
    if not code or not code.sdk_explanation:
        return None
    words = set(re.split(r"[\s\[\],]+", code.sdk_explanation))
    return next((uri for uri in (_BUNDLED_URI, _TSA_URI, _USER_URI) if uri in words), None)


def _time_facts(info: C2paInfo, top: dict[str, Any], codes: list[ValidationCode]) -> None:
    stamp = (top.get("signature") or {}).get("timeStampInfo") or {}
    if not stamp.get("timestamp"):
        return
    info.signing_time = stamp["timestamp"]
    tsa = stamp.get("certificateInfo") or {}
    subject = tsa.get("subject") or {}
    info.timestamp_authority = ", ".join(v for v in (subject.get("CN"), subject.get("O")) if v)
    trusted = next((v for v in codes if _code_entry(v.code).get("timestamp") == "trusted"), None)
    if trusted is None:
        info.signing_time_source = "tsa-untrusted"
        return
    # The SDK names the first anchor list it found the chain's root in, and a root on both
    # the C2PA Trust List and the TSA list (Google's) is found in either, one or the other
    # from one process to the next (measured on three real Google-signed files): so the
    # TSA's issuer is also matched against the TSA list whatever list the SDK names.
    tsa_list = trust.entries("C2PA-TSA-TRUST-LIST.json")
    listed = _named_uri(trusted) == _TSA_URI
    listed = listed or trust.match_entry(tsa.get("issuer"), tsa_list) is not None
    info.signing_time_source = "tsa-listed" if listed else "tsa-trusted"


def _revocation(info: C2paInfo, codes: list[ValidationCode], settings: TrustSettings) -> None:
    said = [str(_code_entry(v.code).get("revocation")) for v in codes if v.category == "credential"]
    said = [s for s in said if s != "None"]
    if "revoked" in said:
        info.revocation = "revoked"
    elif "not revoked" in said:
        # Offline, an answer can only come from an OCSP response stapled in the manifest.
        how = "OCSP" if settings.allow_network else "stapled OCSP"
        info.revocation = f"not revoked ({how})"
    elif said:
        info.revocation = said[0]
    elif not settings.allow_network:
        info.revocation = "not checked (offline)"


def _ingredient_chain(
    items: list[dict[str, Any]], nodes: list[ManifestSignals]
) -> tuple[list[Ingredient], list[str]]:
    """Every ingredient from the active manifest down, each with its own validation status
    (the ingredient assertion's validationResults, as its signer recorded them, with the
    deltas this validation found) and the signals of the node it points to."""
    by_label = {m.get("label"): (i, m) for i, m in enumerate(items)}
    node_of = {n.label: n for n in nodes}
    pseudo_of: dict[tuple[int, str], ManifestSignals] = {}
    for n in nodes:
        if n.pseudo:
            owner, _, title = n.label.rpartition(":")
            pseudo_of[(by_label.get(owner, (-1, None))[0], title)] = n
    out: list[Ingredient] = []
    problems: list[str] = []

    def walk(index: int, path: list[str], seen: set[str]) -> None:
        manifest = items[index]
        label = str(manifest.get("label"))
        if label in seen:
            problems.append(f"the ingredient graph has a cycle at {label}")
            return
        if len(path) > _MAX_INGREDIENT_DEPTH:
            problems.append(f"the ingredient chain is deeper than {_MAX_INGREDIENT_DEPTH}")
            return
        seen = seen | {label}
        deltas = {
            d.get("ingredientAssertionURI", ""): d.get("validationDeltas") or {}
            for d in manifest.get("ingredientDeltas") or []
        }
        for key, value in (manifest.get("assertions") or {}).items():
            if not key.startswith("c2pa.ingredient") or not isinstance(value, dict):
                continue
            ref = value.get("activeManifest") or value.get("c2pa_manifest") or {}
            url = str(ref.get("url") or "")
            ref_label = url.split("/c2pa/", 1)[1].split("/", 1)[0] if "/c2pa/" in url else None
            child = by_label.get(ref_label) if ref_label else None
            own = (value.get("validationResults") or {}).get("activeManifest") or {}
            delta = next((d for uri, d in deltas.items() if uri.endswith("/" + key)), {})
            # v3 records validationResults; v2 a flat validationStatus list of failures
            recorded = own.get("failure") or value.get("validationStatus") or []
            codes = list(recorded) + list(delta.get("failure") or [])
            failures = sorted({str(c.get("code")) for c in codes if c.get("code")})
            title = value.get("dc:title")
            ing = Ingredient(
                title=title,
                relationship=value.get("relationship"),
                path=list(path),
                manifest=ref_label,
                digital_source_type=value.get("digitalSourceType"),
                failures=failures,
            )
            if url:
                validated = bool(own) or "validationStatus" in value or bool(delta)
                bad = [f for f in failures if code_category(f) in _INGREDIENT_BREAKING]
                if child is None:
                    ing.status = "missing"
                elif bad:
                    ing.status = "invalid"
                else:
                    ing.status = "valid" if validated else "not validated"
                node = node_of.get(ref_label) if child is not None and ref_label else None
                ing.signals = node.ids() if node else []
            else:
                pseudo = pseudo_of.get((index, str(title or "flat-ingredient")))
                ing.signals = pseudo.ids() if pseudo else []
            out.append(ing)
            if child is not None:
                walk(child[0], path + [str(title or child[1].get("label"))], seen)

    walk(0, [], set())
    return out, problems


def _agent(value: Any) -> str | None:
    if isinstance(value, dict):
        name, version = value.get("name"), value.get("version")
        return f"{name} {version}".strip() if name and version else name
    return str(value) if value else None


def _text(value: Any, limit: int = 500) -> str | None:
    return str(value)[:limit] if isinstance(value, str) and value.strip() else None


def _collect_actions(
    info: C2paInfo, manifests: dict[str, Any], label: str | None, path: list[str], seen: set[str]
) -> None:
    if not label or label in seen or len(path) > _MAX_INGREDIENT_DEPTH:
        return
    seen.add(label)
    manifest = manifests.get(label) or {}
    for assertion in manifest.get("assertions") or []:
        name = str(assertion.get("label", ""))
        data = assertion.get("data") if isinstance(assertion.get("data"), dict) else {}
        if name.startswith("c2pa.soft-binding") and data.get("alg"):
            blocks = data.get("blocks")
            info.soft_bindings.append(
                SoftBinding(
                    str(data["alg"])[:200],
                    label,
                    list(path),
                    len(blocks) if isinstance(blocks, list) else 0,
                )
            )
        if not name.startswith("c2pa.actions"):
            continue
        for act in data.get("actions") or []:
            if not isinstance(act, dict):
                continue
            dst = act.get("digitalSourceType")
            known = source_type(dst)
            raw = act.get("parameters")
            params: dict[str, Any] = raw if isinstance(raw, dict) else {}
            info.actions.append(
                C2paAction(
                    action=str(act.get("action", "")),
                    manifest=label,
                    ingredient_path=list(path),
                    digital_source_type=dst,
                    software_agent=_agent(act.get("softwareAgent")),
                    source_type_label=known[1].get("label") if known else None,
                    disclosure=known[1].get("disclosure") if known else None,
                    description=_text(act.get("description")),
                    parameter_type=_text(params.get("type")),
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
