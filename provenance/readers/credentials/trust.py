"""The trust model: which certificates are trusted by default, and to whom a chain leads.

By default the SDK is given the bundled C2PA Trust List (provenance/data/c2pa/, a dated
snapshot of the C2PA Conformance Program's list) as ``trust.trust_anchors``; anchors the user
supplies are added as ``trust.user_anchors``, and the accepted Extended Key Usages go in
``trust.trust_config``, the way c2patool takes ``--trust_anchors`` and ``--trust_config``.
The SDK says *whether* a chain is trusted; this module says *which list* and *which entity*
it reached, by matching the signer's issuer name against the list's certificate subjects,
and whether the snapshot is older than the project's documented age.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from provenance.knowledge.datafiles import parse_toml

C2PA_LIST = "C2PA Trust List"
TSA_LIST = "C2PA TSA Trust List"
USER_LIST = "user trust anchors"
_PEM = re.compile(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.S)
# X.500 attribute type OIDs to the short names crJSON and the trust lists use.
_NAME_OIDS = {
    "2.5.4.3": "CN",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "1.2.840.113549.1.9.1": "emailAddress",
}


def data_text(name: str) -> str:
    return resources.files("provenance").joinpath(f"data/c2pa/{name}").read_text("utf-8")


@dataclass(frozen=True)
class ListEntry:
    """One certificate of a trust list: its subject name and the entity that holds it."""

    subject: tuple[tuple[str, str], ...]
    entity: str | None
    service: str | None
    der_b64: str


@dataclass(frozen=True)
class Snapshot:
    """Where and when the bundled trust lists were taken and issued, to tell when they are stale."""

    source: str
    commit: str
    snapshot_date: str
    max_age_days: int
    list_issued: str | None
    next_update: str | None
    tsa_list_issued: str | None


@cache
def snapshot() -> Snapshot:
    meta = parse_toml(data_text("SNAPSHOT.toml"))
    info = _scheme_info("C2PA-TRUST-LIST.json")
    tsa = _scheme_info("C2PA-TSA-TRUST-LIST.json")
    return Snapshot(
        source=meta["source"],
        commit=meta["commit"],
        snapshot_date=meta["snapshot_date"],
        max_age_days=int(meta["max_age_days"]),
        list_issued=info.get("ListIssueDateTime"),
        next_update=info.get("NextUpdate"),
        tsa_list_issued=tsa.get("ListIssueDateTime"),
    )


def stale_reason(now: dt.datetime | None = None) -> str | None:
    """Why the bundled snapshot should no longer be relied on, or None while it is fresh."""
    snap = snapshot()
    now = now or dt.datetime.now(dt.UTC)
    taken = _date(snap.snapshot_date)
    age = (now - taken).days
    if snap.next_update and now > _date(snap.next_update):
        return f"the C2PA Trust List snapshot is past its NextUpdate ({snap.next_update[:10]})"
    if age > snap.max_age_days:
        return (
            f"the C2PA Trust List snapshot is {age} days old (from {snap.snapshot_date[:10]}; "
            f"refresh after {snap.max_age_days} days, see provenance/data/c2pa/README.md)"
        )
    return None


def _date(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _scheme_info(name: str) -> dict[str, Any]:
    return json.loads(data_text(name))["LoTE"]["ListAndSchemeInformation"]


@cache
def entries(list_file: str) -> tuple[ListEntry, ...]:
    """Certificates of one ETSI TS 119 602 list (C2PA-TRUST-LIST.json or the TSA list)."""
    lote = json.loads(data_text(list_file))["LoTE"]
    out = []
    for entity in lote.get("TrustedEntitiesList", []):
        name = _first_value(entity.get("TrustedEntityInformation", {}).get("TEName"))
        for service in entity.get("TrustedEntityServices", []):
            info = service.get("ServiceInformation", {})
            if not str(info.get("ServiceStatus", "")).endswith("/trusted"):
                continue
            identity = info.get("ServiceDigitalIdentity", {})
            for cert in identity.get("X509Certificates", []):
                der_b64 = "".join(str(cert.get("val", "")).split())
                subject = subject_of(base64.b64decode(der_b64))
                out.append(ListEntry(subject, name, _first_value(info.get("ServiceName")), der_b64))
    return tuple(out)


def _first_value(items: Any) -> str | None:
    for item in items or []:
        if isinstance(item, dict) and item.get("value"):
            return str(item["value"])
    return None


def bundled_pem() -> str:
    return data_text("C2PA-TRUST-LIST.pem")


def tsa_pem() -> str:
    return data_text("C2PA-TSA-TRUST-LIST.pem")


def trust_config() -> str:
    return data_text("trust_config.cfg")


def pem_certificates(text: str) -> list[bytes]:
    return [base64.b64decode("".join(m.split())) for m in _PEM.findall(text)]


def match_entry(name: dict[str, str] | None, candidates: tuple[ListEntry, ...]) -> ListEntry | None:
    """The list certificate whose subject is this (issuer) name, compared attribute by
    attribute on the attributes both sides carry (crJSON omits some, e.g. emailAddress)."""
    if not name:
        return None
    wanted = {k: _norm(v) for k, v in name.items() if v}
    for entry in candidates:
        have = {k: _norm(v) for k, v in entry.subject}
        shared = set(wanted) & set(have)
        if "CN" in shared and all(wanted[k] == have[k] for k in shared):
            return entry
    return None


def _norm(value: str) -> str:
    return " ".join(str(value).split()).casefold()


def user_entries(pem_text: str) -> tuple[ListEntry, ...]:
    return tuple(
        ListEntry(subject_of(der), None, None, base64.b64encode(der).decode())
        for der in pem_certificates(pem_text)
    )


# --------------------------------------------------------------------------- DER


def subject_of(der: bytes) -> tuple[tuple[str, str], ...]:
    """Subject name of an X.509 certificate, read from its DER: the trust lists name an
    entity per certificate, and the report must say which one a chain reached."""
    (cert,) = _children(der, 0, len(der))[:1]
    tbs = _children(der, cert[1], cert[2])[0]  # Certificate -> tbsCertificate
    fields = [f for f in _children(der, tbs[1], tbs[2]) if f[0] != 0xA0]  # no [0] version
    start, end = fields[4][1], fields[4][2]  # serial, sigAlg, issuer, validity, subject
    name: list[tuple[str, str]] = []
    for _tag, rdn_start, rdn_end in _children(der, start, end):
        for _t, atv_start, atv_end in _children(der, rdn_start, rdn_end):
            oid_tlv, value_tlv = _children(der, atv_start, atv_end)[:2]
            oid = _oid(der[oid_tlv[1] : oid_tlv[2]])
            raw = der[value_tlv[1] : value_tlv[2]]
            text = raw.decode("utf-16-be" if value_tlv[0] == 0x1E else "utf-8", "replace")
            name.append((_NAME_OIDS.get(oid, oid), text))
    return tuple(name)


def _children(der: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    """(tag, content start, content end) of each TLV between start and end."""
    out = []
    i = start
    while i < end:
        tag = der[i]
        length = der[i + 1]
        i += 2
        if length & 0x80:
            n = length & 0x7F
            length = int.from_bytes(der[i : i + n], "big")
            i += n
        out.append((tag, i, i + length))
        i += length
    return out


def _oid(raw: bytes) -> str:
    parts = [raw[0] // 40, raw[0] % 40]
    value = 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)


def dn_text(name: dict[str, str] | tuple[tuple[str, str], ...] | None) -> str | None:
    """'CN=..., O=..., C=..' in the order the trust lists print names."""
    if not name:
        return None
    items = list(name.items()) if isinstance(name, dict) else list(name)
    order = {"CN": 0, "OU": 1, "O": 2, "L": 3, "ST": 4, "C": 5}
    items.sort(key=lambda kv: order.get(kv[0], 9))
    return ", ".join(f"{k}={v}" for k, v in items if v)
