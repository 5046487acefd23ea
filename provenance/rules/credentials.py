"""Evidence records from Content Credentials and metadata facts.

The credentials and metadata readers report facts; this module says what each
fact argues for (generated, captured, stripped, context) and how strongly,
with the numbers taken from data/weights.toml and attribution from the
generator data file.
"""

from __future__ import annotations

from provenance.knowledge.datafiles import load_toml
from provenance.knowledge.generators import display_name, first_match
from provenance.model.records import (
    CLAIM_CAPTURED,
    CLAIM_COMPOSITE,
    CLAIM_GENERATED,
    CLAIM_INFO,
    CLAIM_STRIPPED,
    Evidence,
)
from provenance.readers.credentials.reader import C2paInfo, decisive_source_type


def weight(kind: str) -> float:
    return float(load_toml("weights.toml")["evidence"][kind])


def c2pa_generator(info: C2paInfo) -> tuple[str | None, str | None]:
    """Generator id named by the manifest, and the field that named it.

    softwareAgent is the most specific (one signer certificate signs several
    products), then the claim generator, then the signer.
    """
    agents = [a.software_agent for a in info.actions if a.software_agent]
    hit = first_match("c2pa_software_agent", agents)
    if hit is None:
        hit = first_match(
            "c2pa_claim_generator", [*info.claim_generator_info, info.claim_generator]
        )
    if hit is None and info.signer:
        hit = first_match("c2pa_signer", [info.signer.common_name, info.signer.issuer])
    if hit is None:
        return None, None
    return hit.generator, f"{hit.field} '{hit.value}'"


def from_c2pa(info: C2paInfo) -> list[Evidence]:
    out: list[Evidence] = []
    where = {"manifest": info.active_manifest} if info.active_manifest else {}
    if info.state == "remote":
        out.append(
            Evidence(
                "c2pa",
                "c2pa.remote",
                f"The file points to a manifest at {info.remote_url}, which was not fetched "
                "(use --allow-network to fetch it).",
                1.0,
                CLAIM_INFO,
                where={"url": info.remote_url},
            )
        )
    if info.state == "unreadable":
        out.append(
            Evidence(
                "c2pa",
                "c2pa.unreadable",
                f"A C2PA manifest is present but could not be parsed: {info.error}.",
                1.0,
                CLAIM_INFO,
            )
        )
    if info.state not in ("valid", "trusted", "invalid"):
        return out
    if info.content == "not checked" and info.error:
        out.append(
            Evidence(
                "c2pa",
                "c2pa.standalone",
                f"This file is {info.error}.",
                1.0,
                CLAIM_INFO,
                where=where,
            )
        )

    generator, named_by = c2pa_generator(info)
    intact = info.content == "match" and info.signature == "verified"
    signer = _signer_text(info)

    if info.state == "invalid":
        problems = [
            c
            for c in info.validation
            if c.scope == "active"
            and c.outcome == "failure"
            and not c.code.startswith(("signingCredential.", "timeStamp."))
        ]
        plain = "; ".join(f"{c.code}: {c.explanation}" for c in problems[:4]) or "checks failed"
        what = (
            "the content no longer matches the manifest"
            if info.content == "mismatch"
            else "the manifest's signature or assertions do not verify"
        )
        out.append(
            Evidence(
                "c2pa",
                "c2pa.invalidated",
                f"Content Credentials are present but {what} ({plain}).",
                weight("c2pa.invalidated"),
                CLAIM_STRIPPED,
                stripped="c2pa-invalidated",
                where={**where, "codes": [c.code for c in problems]},
            )
        )

    generated = [a for a in info.actions if a.disclosure in ("generated", "composite")]
    if info.ai_disclosure in ("generated", "composite") and generated:
        first = generated[0]
        decisive = intact and any(decisive_source_type(a) for a in generated)
        level = (
            "c2pa.generated.verified"
            if intact
            else (
                "c2pa.generated.altered"
                if info.signature == "verified"
                else "c2pa.generated.unverified"
            )
        )  # altered: hashes mismatch or unchecked
        scope = (
            f" in ingredient {' > '.join(first.ingredient_path)}" if first.ingredient_path else ""
        )
        agent = f" by '{first.software_agent}'" if first.software_agent else ""
        claim = CLAIM_GENERATED if info.ai_disclosure == "generated" else CLAIM_COMPOSITE
        detail = (
            f"The C2PA manifest{signer} states {first.action}{agent}{scope} with source "
            f"type {first.source_type_label or first.digital_source_type}"
        )
        detail += (
            "; signature and content hashes verify."
            if intact
            else (
                "; the content changed after signing."
                if info.content == "mismatch"
                else "; the signature verifies but the content was not checked against it."
                if info.signature == "verified"
                else "; the signature does not verify, so the statement is unproven."
            )
        )
        out.append(
            Evidence(
                "c2pa",
                f"c2pa.{info.ai_disclosure}",
                detail,
                weight(level),
                claim,
                generator=generator,
                decisive=decisive,
                where={
                    **where,
                    "action": first.action,
                    "digitalSourceType": first.digital_source_type,
                    "ingredient_path": first.ingredient_path,
                },
            )
        )
    elif generator:
        out.append(
            Evidence(
                "c2pa",
                "c2pa.generator-signer",
                f"The manifest was made by {display_name(generator)} ({named_by}), "
                "though no action "
                "states an AI source type.",
                weight("c2pa.generator-signer") if intact else weight("c2pa.generated.unverified"),
                CLAIM_GENERATED,
                generator=generator,
                where=where,
            )
        )
    elif info.ai_disclosure == "captured":
        out.append(
            Evidence(
                "c2pa",
                "c2pa.captured",
                f"The C2PA manifest{signer} states a capture (digitalCapture)"
                + (
                    "; signature and content hashes verify."
                    if intact
                    else ", but it does not verify."
                ),
                weight("c2pa.captured") if intact else weight("c2pa.generated.unverified"),
                CLAIM_CAPTURED,
                where=where,
            )
        )

    if info.credential == "expired":
        out.append(
            Evidence(
                "c2pa",
                "c2pa.credential-expired",
                "The signer's certificate has expired; this is a matter of time, not tampering "
                "(content and signature are judged separately).",
                1.0,
                CLAIM_INFO,
                where=where,
            )
        )
    elif info.credential == "untrusted":
        out.append(
            Evidence(
                "c2pa",
                "c2pa.credential-untrusted",
                f"The signing certificate{_signer_text(info, 'of')} does not chain to a supplied "
                "trust anchor "
                "(add --trust-anchors to verify who signed).",
                1.0,
                CLAIM_INFO,
                where=where,
            )
        )
    return out


def _signer_text(info: C2paInfo, verb: str = "signed by") -> str:
    if not info.signer:
        return ""
    parts = [p for p in (info.signer.common_name, info.signer.issuer) if p]
    return f" {verb} {' / '.join(dict.fromkeys(parts))}" if parts else ""
