"""Who signed, from the C2PA Conforming Products List (bundled, provenance/data/c2pa/).

A certificate authority on the C2PA Trust List may only issue claim-signing certificates to
products on the Conforming Products List, and the certificate's subject names the product
(CN) and the applicant (O), per the list's Companion Guide. So when a chain reaches the C2PA
Trust List and the subject matches a listed generator product, the product is named; any
other signer name is a claim, "claims to be X, not verified". A listed product may not assert
the signals its record disallows (``disallowedSignals``); doing so is a finding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from provenance.readers.credentials.trust import C2PA_LIST, data_text


@dataclass
class SignerIdentity:
    """Who signed, as the Conforming Products List names it, or that the name is only a claim."""

    status: str = "unknown"  # conforming product / trusted signer / not verified / unknown
    text: str = ""  # one line for a report
    product: str | None = None  # the product's name on the list (certificate CN)
    applicant: str | None = None
    conformance_date: str | None = None
    listing_status: str | None = None  # conformant / revoked / revoked_eol / ...
    record_id: str | None = None
    assurance_level: int | None = None
    disallowed_signals: list[str] = field(default_factory=list)


@cache
def products() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(data_text("conforming-products-list.json")))


def _norm(value: Any) -> str:
    return " ".join(str(value or "").split()).casefold()


def find(subject: dict[str, str] | None) -> dict[str, Any] | None:
    """The generator product whose DN is this certificate subject (CN and O must match;
    OU and C too when the record gives them); an exact OU match wins over a blank one."""
    if not subject or not subject.get("CN"):
        return None
    best, best_score = None, -1
    for record in products():
        product = record.get("product") or {}
        if product.get("productType") != "generatorProduct":
            continue
        dn = product.get("DN") or {}
        if _norm(dn.get("CN")) != _norm(subject.get("CN")):
            continue
        if _norm(dn.get("O")) != _norm(subject.get("O")):
            continue
        score = 0
        for key in ("OU", "C"):
            if dn.get(key):
                if _norm(dn[key]) != _norm(subject.get(key)):
                    break
                score += 1
        else:
            if score > best_score:
                best, best_score = record, score
    return best


def identify(
    subject: dict[str, str] | None,
    trust_list: str | None,
    claimed: str | None,
) -> SignerIdentity:
    """Name the signer: a listed product only when the chain reached the C2PA Trust List."""
    record = find(subject) if trust_list == C2PA_LIST else None
    if record:
        product = record.get("product") or {}
        dn = product.get("DN") or {}
        dates = record.get("dates") or {}
        disallowed = product.get("disallowedSignals") or {}
        status = str(record.get("status", ""))
        since = dates.get("conformance")
        text = f"{dn.get('CN')}, {record.get('applicant')}"
        text += f", {status} since {since}" if since else f", {status}"
        return SignerIdentity(
            status="conforming product",
            text=text,
            product=dn.get("CN"),
            applicant=record.get("applicant"),
            conformance_date=since,
            listing_status=status,
            record_id=record.get("recordId"),
            assurance_level=(product.get("assurance") or {}).get("maxAssuranceLevel"),
            disallowed_signals=[
                *disallowed.get("inception", []),
                *disallowed.get("transformation", []),
            ],
        )
    name = claimed or (subject or {}).get("O") or (subject or {}).get("CN")
    if trust_list:
        who = ", ".join(v for v in ((subject or {}).get("CN"), (subject or {}).get("O")) if v)
        return SignerIdentity(
            status="trusted signer", text=f"{who or name} (not a listed conforming product)"
        )
    if name:
        return SignerIdentity(status="not verified", text=f"claims to be {name}, not verified")
    return SignerIdentity()
