"""Rules on Content Credentials: what the C2PA facts argue for, and how strongly.

The reader (readers/credentials) answers the three questions apart: do the content hashes
match, does the claim signature verify, is the signer trusted and in date. These rules word
the answer and weigh it; a statement of generation is decisive only when both hashes and
signature hold.
"""

from __future__ import annotations

from collections.abc import Iterator

from provenance.knowledge.generators import display_name, first_match
from provenance.knowledge.numbers import Section
from provenance.model.records import (
    CLAIM_CAPTURED,
    CLAIM_COMPOSITE,
    CLAIM_GENERATED,
    CLAIM_INFO,
    CLAIM_STRIPPED,
    Evidence,
)
from provenance.readers.credentials.reader import C2paAction, C2paInfo, decisive_source_type
from provenance.rules.base import Facts, rule

_READ = ("valid", "trusted", "invalid")  # states in which a manifest was parsed


def c2pa_generator(info: C2paInfo, media: str | None) -> tuple[str | None, str | None]:
    """Generator id named by the manifest, and the field that named it, among generators
    that make this kind of media.

    softwareAgent is the most specific (one signer certificate signs several products), then
    the claim generator, then the signer.
    """
    agents = [a.software_agent for a in info.actions if a.software_agent]
    hit = first_match("c2pa_software_agent", agents, media)
    if hit is None:
        hit = first_match(
            "c2pa_claim_generator", [*info.claim_generator_info, info.claim_generator], media
        )
    if hit is None and info.signer:
        hit = first_match("c2pa_signer", [info.signer.common_name, info.signer.issuer], media)
    if hit is None:
        return None, None
    return hit.generator, f"{hit.field} '{hit.value}'"


def _where(info: C2paInfo) -> dict:
    return {"manifest": info.active_manifest} if info.active_manifest else {}


def _intact(info: C2paInfo) -> bool:
    return info.content == "match" and info.signature == "verified"


def signed_pixels(info: C2paInfo) -> bool:
    """The hard binding verifies (content hashes match) under a verified claim signature:
    the pixels are exactly what the signer signed, so no pixel-based stripping claim (crop,
    painted-out stamp, re-encode) may be made against this file."""
    return info.state in _READ and _intact(info)


def _ai_actions(info: C2paInfo) -> list[C2paAction]:
    """Actions with an AI source type, when the manifest as a whole discloses AI."""
    if info.state not in _READ or info.ai_disclosure not in ("generated", "composite"):
        return []
    return [a for a in info.actions if a.disclosure in ("generated", "composite")]


def _signer_text(info: C2paInfo, verb: str = "signed by") -> str:
    if not info.signer:
        return ""
    parts = [p for p in (info.signer.common_name, info.signer.issuer) if p]
    return f" {verb} {' / '.join(dict.fromkeys(parts))}" if parts else ""


@rule("c2pa.remote")
def remote(facts: Facts, n: Section) -> Iterator[Evidence]:
    info = facts.c2pa
    if info.state == "remote":
        yield Evidence(
            "c2pa",
            "c2pa.remote",
            f"The file points to a manifest at {info.remote_url}, which was not fetched "
            "(use --allow-network to fetch it).",
            n["confidence"],
            CLAIM_INFO,
            where={"url": info.remote_url},
        )


@rule("c2pa.unreadable")
def unreadable(facts: Facts, n: Section) -> Iterator[Evidence]:
    info = facts.c2pa
    if info.state == "unreadable":
        yield Evidence(
            "c2pa",
            "c2pa.unreadable",
            f"A C2PA manifest is present but could not be parsed: {info.error}.",
            n["confidence"],
            CLAIM_INFO,
        )


@rule("c2pa.standalone")
def standalone(facts: Facts, n: Section) -> Iterator[Evidence]:
    info = facts.c2pa
    if info.state in _READ and info.content == "not checked" and info.error:
        yield Evidence(
            "c2pa",
            "c2pa.standalone",
            f"This file is {info.error}.",
            n["confidence"],
            CLAIM_INFO,
            where=_where(info),
        )


@rule("c2pa.invalidated")
def invalidated(facts: Facts, n: Section) -> Iterator[Evidence]:
    info = facts.c2pa
    if info.state != "invalid":
        return
    problems = [
        c
        for c in info.validation
        if c.scope == "active"
        and c.outcome == "failure"
        and not c.code.startswith(("signingCredential.", "timeStamp."))
    ]
    plain = "; ".join(dict.fromkeys(c.explanation for c in problems[:4])) or "checks failed"
    what = (
        "the content no longer matches the manifest"
        if info.content == "mismatch"
        else "the manifest's signature or assertions do not verify"
    )
    yield Evidence(
        "c2pa",
        "c2pa.invalidated",
        f"Content Credentials are present but {what} ({plain}).",
        n["confidence"],
        CLAIM_STRIPPED,
        stripped="c2pa-invalidated",
        where={**_where(info), "codes": [c.code for c in problems]},
    )


def _statement(info: C2paInfo, media: str, n: Section, kind: str) -> Iterator[Evidence]:
    """A statement of generation (``c2pa.generated``) or of AI parts (``c2pa.composite``)."""
    actions = _ai_actions(info)
    if not actions or f"c2pa.{info.ai_disclosure}" != kind:
        return
    first = actions[0]
    intact = _intact(info)
    # altered: the hashes mismatch or were not checked, but the signature verifies.
    level = "verified" if intact else ("altered" if info.signature == "verified" else "unverified")
    scope = f" in ingredient {' > '.join(first.ingredient_path)}" if first.ingredient_path else ""
    agent = f" by '{first.software_agent}'" if first.software_agent else ""
    detail = (
        f"The C2PA manifest{_signer_text(info)} states {first.action}{agent}{scope} with source "
        f"type {first.source_type_label or first.digital_source_type}"
    )
    if intact:
        detail += "; signature and content hashes verify."
    elif info.content == "mismatch":
        detail += "; the content changed after signing."
    elif info.signature == "verified":
        detail += "; the signature verifies but the content was not checked against it."
    else:
        detail += "; the signature does not verify, so the statement is unproven."
    yield Evidence(
        "c2pa",
        kind,
        detail,
        n[level],
        CLAIM_GENERATED if kind == "c2pa.generated" else CLAIM_COMPOSITE,
        generator=c2pa_generator(info, media)[0],
        decisive=intact and any(decisive_source_type(a) for a in actions),
        where={
            **_where(info),
            "action": first.action,
            "digitalSourceType": first.digital_source_type,
            "ingredient_path": first.ingredient_path,
        },
    )


@rule("c2pa.generated")
def generated(facts: Facts, n: Section) -> Iterator[Evidence]:
    yield from _statement(facts.c2pa, facts.media.kind, n, "c2pa.generated")


@rule("c2pa.composite")
def composite(facts: Facts, n: Section) -> Iterator[Evidence]:
    yield from _statement(facts.c2pa, facts.media.kind, n, "c2pa.composite")


@rule("c2pa.generator-signer")
def generator_signer(facts: Facts, n: Section) -> Iterator[Evidence]:
    """A known generator made the manifest, though no action states an AI source type."""
    info = facts.c2pa
    if info.state not in _READ or _ai_actions(info):
        return
    generator, named_by = c2pa_generator(info, facts.media.kind)
    if generator:
        yield Evidence(
            "c2pa",
            "c2pa.generator-signer",
            f"The manifest was made by {display_name(generator)} ({named_by}), though no "
            "action states an AI source type.",
            n["intact"] if _intact(info) else n["unverified"],
            CLAIM_GENERATED,
            generator=generator,
            where=_where(info),
        )


@rule("c2pa.captured")
def captured(facts: Facts, n: Section) -> Iterator[Evidence]:
    info = facts.c2pa
    if (
        info.state not in _READ
        or info.ai_disclosure != "captured"
        or c2pa_generator(info, facts.media.kind)[0]
    ):
        return
    intact = _intact(info)
    yield Evidence(
        "c2pa",
        "c2pa.captured",
        f"The C2PA manifest{_signer_text(info)} states a capture (digitalCapture)"
        + ("; signature and content hashes verify." if intact else ", but it does not verify."),
        n["intact"] if intact else n["unverified"],
        CLAIM_CAPTURED,
        where=_where(info),
    )


@rule("c2pa.possibly-ai")
def possibly_ai(facts: Facts, n: Section) -> Iterator[Evidence]:
    """digitalArt and composite: the C2PA Asset Rubrics call these possibly generative AI
    (perceptiblePossiblyGenAI, compositionMayContainGenAI); never proof of it."""
    info = facts.c2pa
    if info.state not in _READ or _ai_actions(info):
        return
    possible = [a for a in info.actions if a.disclosure == "possible"]
    if not possible:
        return
    first = possible[0]
    intact = _intact(info)
    yield Evidence(
        "c2pa",
        "c2pa.possibly-ai",
        f"The C2PA manifest{_signer_text(info)} states {first.action} with source type "
        f"'{first.source_type_label or first.digital_source_type}': possibly made with "
        "generative AI, not a statement that it was"
        + ("; signature and content hashes verify." if intact else "; it does not verify."),
        n["intact"] if intact else n["unverified"],
        CLAIM_COMPOSITE,
        where={
            **_where(info),
            "action": first.action,
            "digitalSourceType": first.digital_source_type,
        },
    )


@rule("c2pa.recorded-edits")
def recorded_edits(facts: Facts, n: Section) -> Iterator[Evidence]:
    """What the signer says it did to the asset (crop, resize, transcode...): a fact of the
    manifest, never stripping."""
    info = facts.c2pa
    if info.state not in _READ:
        return
    edits = sorted(
        {
            a.action
            for a in info.actions
            if not a.ingredient_path and a.action not in ("c2pa.created", "c2pa.opened")
        }
    )
    if edits:
        words = ", ".join(e.removeprefix("c2pa.") for e in edits)
        yield Evidence(
            "c2pa",
            "c2pa.recorded-edits",
            f"The manifest records these actions by its signer: {words}"
            + (
                "; the content hashes match, so the pixels are as signed after them."
                if _intact(info)
                else "."
            ),
            n["confidence"],
            CLAIM_INFO,
            where={**_where(info), "actions": edits},
        )


@rule("c2pa.credential-expired")
def credential_expired(facts: Facts, n: Section) -> Iterator[Evidence]:
    info = facts.c2pa
    if info.state in _READ and info.credential == "expired":
        yield Evidence(
            "c2pa",
            "c2pa.credential-expired",
            "The signer's certificate has expired; this is a matter of time, not tampering "
            "(content and signature are judged separately).",
            n["confidence"],
            CLAIM_INFO,
            where=_where(info),
        )


@rule("c2pa.credential-untrusted")
def credential_untrusted(facts: Facts, n: Section) -> Iterator[Evidence]:
    info = facts.c2pa
    if info.state in _READ and info.credential == "untrusted":
        yield Evidence(
            "c2pa",
            "c2pa.credential-untrusted",
            f"The signing certificate{_signer_text(info, 'of')} does not chain to a supplied "
            "trust anchor (add --trust-anchors to verify who signed).",
            n["confidence"],
            CLAIM_INFO,
            where=_where(info),
        )
