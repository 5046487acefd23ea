"""CAWG identity assertions (``cawg.identity``), reported apart from the C2PA signer.

An identity assertion binds a named actor (a person or organisation) to the manifest, signed
either with an X.509 certificate (``cawg.x509.cose``) or through an identity claims
aggregator (``cawg.identity_claims_aggregation``: verified identities such as a social
account or a website, vouched for by the aggregator). Its validation is its own: the SDK
reports ``cawg.*`` codes for it, classified ``identity`` in data/c2pa_codes.toml, so a failed
identity assertion is listed with its codes and never makes the C2PA manifest invalid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SIG_TYPES = {
    "cawg.x509.cose": "X.509 certificate",
    "cawg.identity_claims_aggregation": "identity claims aggregation",
}


@dataclass
class Identity:
    """One CAWG identity assertion, with the outcome of its own validation (``c2pa.identities``)."""

    label: str  # assertion label, e.g. cawg.identity or cawg.identity__1
    sig_type: str | None = None  # cawg.x509.cose / cawg.identity_claims_aggregation
    kind: str | None = None  # X.509 certificate / identity claims aggregation
    status: str = "not validated"  # valid / invalid / not validated
    named_actor: str | None = None  # who the assertion names, when the SDK decoded it
    verified_identities: list[str] = field(default_factory=list)  # ICA: type, name, provider
    referenced_assertions: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)  # outcome:code of its own validation
    failures: list[str] = field(default_factory=list)


def identities(manifest: dict[str, Any]) -> list[Identity]:
    """Every identity assertion of one crJSON manifest, with its own validation status."""
    results = manifest.get("validationResults") or {}
    out = []
    for label, value in (manifest.get("assertions") or {}).items():
        if not (label == "cawg.identity" or label.startswith("cawg.identity__")):
            continue
        value = value if isinstance(value, dict) else {}
        payload = value.get("signer_payload") or value.get("signerPayload") or {}
        sig_type = payload.get("sig_type") or value.get("sig_type")
        ident = Identity(label=label, sig_type=sig_type, kind=SIG_TYPES.get(str(sig_type)))
        ident.referenced_assertions = [
            str(r.get("url", r)) if isinstance(r, dict) else str(r)
            for r in payload.get("referenced_assertions") or []
        ]
        ident.named_actor = _actor(value)
        ident.verified_identities = [_verified(v) for v in _list(value, "verifiedIdentities")]
        for outcome in ("success", "informational", "failure"):
            for entry in results.get(outcome) or []:
                code = str(entry.get("code", ""))
                if code.startswith("cawg.") and _about(entry, label):
                    ident.codes.append(f"{outcome}:{code}")
                    if outcome == "failure":
                        ident.failures.append(code)
        if ident.failures:
            ident.status = "invalid"
        elif any(c.startswith("success:") for c in ident.codes):
            ident.status = "valid"
        out.append(ident)
    return out


def _about(entry: dict[str, Any], label: str) -> bool:
    url = str(entry.get("url") or "")
    return url.endswith("/" + label) or url.endswith("=" + label) or not url


def _list(value: dict[str, Any], key: str) -> list[Any]:
    found = value.get(key)
    if found is None:
        found = (value.get("credentialSubject") or {}).get(key)
    return list(found) if isinstance(found, list) else []


def _actor(value: dict[str, Any]) -> str | None:
    for key in ("named_actor", "namedActor", "subject"):
        actor = value.get(key)
        if isinstance(actor, dict):
            parts = [actor.get(k) for k in ("CN", "O", "name") if actor.get(k)]
            if parts:
                return ", ".join(str(p) for p in parts)
        elif actor:
            return str(actor)
    return None


def _verified(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    provider = (
        (item.get("provider") or {}).get("name")
        if isinstance(item.get("provider"), dict)
        else item.get("provider")
    )
    parts = [item.get("type"), item.get("name") or item.get("username"), provider]
    return " / ".join(str(p) for p in parts if p)
