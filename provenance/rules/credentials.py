"""Rules on Content Credentials: what the C2PA facts argue for, and how strongly.

The reader (readers/credentials) answers the questions apart: do the content hashes match,
does the claim signature verify, whom does the signer's chain reach (the C2PA Trust List by
default), when was it signed. These rules word the answer and weigh it. What the manifest says
about AI is read from the C2PA Asset Rubrics signals of the active manifest and its chain,
through data/c2pa_signals.toml (fullyGenAIMedia: AI-generated; partlyGenAICreation,
perceptibleGenAI: AI-edited; capturedMedia: capture; nonGenAIDigitalCreation, blankCanvas: not
AI; ...); a manifest the rubrics cannot read (spec 1.x ``c2pa.actions``) is read from its
actions' IPTC source types instead. A statement of generation is decisive only when both hashes
and signature hold; trust raises confidence in *who* made it, never in *whether* AI did, and a
vendor named only by an unverified certificate weighs as a claim.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from provenance.knowledge.datafiles import load_toml
from provenance.knowledge.generators import display_name, first_match
from provenance.knowledge.generators import get as get_generator
from provenance.knowledge.numbers import Section
from provenance.model.records import (
    CLAIM_CAPTURED,
    CLAIM_COMPOSITE,
    CLAIM_GENERATED,
    CLAIM_INFO,
    CLAIM_NOT_AI,
    CLAIM_STRIPPED,
    Evidence,
)
from provenance.readers.credentials.reader import (
    C2paAction,
    C2paInfo,
    code_category,
    decisive_source_type,
)
from provenance.readers.credentials.rubrics import ManifestSignals
from provenance.readers.credentials.trust import C2PA_LIST
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


def c2pa_maker(
    info: C2paInfo, media: str | None, stated: bool = False
) -> tuple[str | None, str | None]:
    """``c2pa_generator`` when the entry argues AI (a generator or AI editor): a camera's or
    a platform's name says who made the manifest, not that AI made the content. An editor
    (Canva) is named too when its manifest itself ``stated`` generation (its own AI tool)."""
    found, named_by = c2pa_generator(info, media)
    gen = get_generator(found)
    if gen and (gen.argues_ai or (stated and gen.kind == "editor")):
        return found, named_by
    return None, None


def _where(info: C2paInfo) -> dict:
    return {"manifest": info.active_manifest} if info.active_manifest else {}


def _intact(info: C2paInfo) -> bool:
    return info.content == "match" and info.signature == "verified"


def signed_pixels(info: C2paInfo) -> bool:
    """The hard binding verifies (content hashes match) under a verified claim signature:
    the pixels are exactly what the signer signed, so no pixel-based stripping claim (crop,
    painted-out stamp, re-encode) may be made against this file."""
    return info.state in _READ and _intact(info)


_BREAKING = ("content", "signature", "structure", "other", "ingredient")
_PERCEPTIBLE = ("perceptibleGenAI", "perceptiblePossiblyGenAI", "perceptibleNonGenAI")


def _node_reading(node: ManifestSignals) -> str | None:
    """The first reading (data/c2pa_signals.toml ``order``) of one node's signals; "inherits"
    for a manifest that only carries its parent forward (no inception, nothing perceptible)."""
    table = load_toml("c2pa_signals.toml")
    said = {table["signals"].get(sid) for sid in node.ids()}
    found = next((r for r in table["order"] if r in said), None)
    if found is None and not node.inceptions and not set(node.ids()) & set(_PERCEPTIBLE):
        return "inherits"
    return found


def reading(info: C2paInfo) -> str:
    """What the Content Credentials say about AI: generated / composite / possible /
    captured / not-ai / unknown / none."""
    if info.state not in _READ:
        return "none"
    nodes = info.manifests
    if not nodes or not nodes[0].actions_v2:
        # The rubrics read c2pa.actions.v2 only; spec 1.x actions are read by source type.
        return info.ai_disclosure if info.ai_disclosure != "none" else _possible(info)
    own = _node_reading(nodes[0])
    if own == "generated":
        return own
    if own == "inherits":  # e.g. ChatGPT: the active manifest re-opens and converts its parent
        parent = _parent_reading(nodes, nodes[0], set())
        if parent in ("generated", "composite"):
            return parent
    elif (
        not nodes[0].inceptions
        and _parent_reading(nodes, nodes[0], set()) == "generated"
        and not _foreign_components(nodes)
    ):
        # An edit (AI or not) of a base that a generator made, with nothing else placed into
        # it, is still AI-generated media: Gemini's downloads open their generated parent,
        # then edit and convert it. A capture placed into it makes a composite.
        return "generated"
    reached = _reachable(nodes)
    if own == "composite" or any(_node_reading(n) in ("generated", "composite") for n in reached):
        return "composite"
    if own in ("possible", "captured", "not-ai", "unknown"):
        return own
    return _possible(info)


def _possible(info: C2paInfo) -> str:
    """A source type the rubrics do not classify on an inception action (digitalArt on
    c2pa.created) still reads as possibly AI from source_types.toml."""
    own = [a for a in info.actions if not a.ingredient_path]
    return "possible" if any(a.disclosure == "possible" for a in own) else "none"


def _parent_reading(nodes: list[ManifestSignals], node: ManifestSignals, seen: set[int]) -> str:
    for edge in node.ingredients:
        i = edge.get("index")
        if edge.get("relationship") != "parentOf" or i is None or i in seen or i >= len(nodes):
            continue
        seen.add(i)
        found = _node_reading(nodes[i])
        if found == "inherits":
            found = _parent_reading(nodes, nodes[i], seen)
        if found:
            return found
    return "none"


def _foreign_components(nodes: list[ManifestSignals]) -> bool:
    """The active manifest places an ingredient (componentOf) that is not itself generated."""
    for edge in nodes[0].ingredients:
        if edge.get("relationship") != "componentOf":
            continue
        i = edge.get("index")
        if i is None or i >= len(nodes) or _node_reading(nodes[i]) != "generated":
            return True
    return False


def _reachable(nodes: list[ManifestSignals]) -> list[ManifestSignals]:
    """Every node below the active manifest (ingredients, their ingredients, flat ones)."""
    out, todo, seen = [], [nodes[0]], {0}
    while todo:
        for edge in todo.pop().ingredients:
            i = edge.get("index")
            if i is not None and i not in seen and i < len(nodes):
                seen.add(i)
                out.append(nodes[i])
                todo.append(nodes[i])
    return out


def _ai_actions(info: C2paInfo) -> list[C2paAction]:
    """Actions with an AI source type, when the manifest as a whole reads as AI."""
    if reading(info) not in ("generated", "composite"):
        return []
    return [a for a in info.actions if a.disclosure in ("generated", "composite")]


def _rubric_words(info: C2paInfo, wanted: tuple[str, ...]) -> str:
    texts = [
        s.text
        for s in info.signals
        if load_toml("c2pa_signals.toml")["signals"].get(s.id) in wanted
    ]
    return f" (C2PA Asset Rubrics: {'; '.join(texts)})" if texts else ""


def _signer_text(info: C2paInfo, verb: str = "signed by") -> str:
    if not info.signer:
        return ""
    parts = [p for p in (info.signer.common_name, info.signer.issuer) if p]
    return f" {verb} {' / '.join(dict.fromkeys(parts))}" if parts else ""


def action_words(action: str) -> str:
    """A C2PA action in words for sentences ("c2pa.color_adjustments" -> "color
    adjustments"); the id itself stays in the manifest facts of the report."""
    return action.removeprefix("c2pa.").replace("_", " ").replace(".", " ")


@rule("c2pa.remote")
def remote(facts: Facts, n: Section) -> Iterator[Evidence]:
    info = facts.c2pa
    if info.state == "remote":
        if facts.options.allow_network:
            happened = f"fetching it failed ({info.error or 'no manifest came back'})"
        else:
            happened = "which was not fetched: the check is offline (--allow-network fetches it)"
        yield Evidence(
            "c2pa",
            "c2pa.remote",
            f"The file points to a manifest at {info.remote_url}; {happened}.",
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
        and c.category not in ("credential", "timestamp", "conformance", "identity")
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


@rule("c2pa.nonconformant")
def nonconformant(facts: Facts, n: Section) -> Iterator[Evidence]:
    """The signer wrote a manifest the specification does not allow, while what it signed
    verifies: a finding about the producer, never tampering."""
    info = facts.c2pa
    if info.state not in _READ:
        return
    found = [
        c
        for c in info.validation
        if c.scope == "active" and c.outcome == "failure" and c.category == "conformance"
    ]
    if not found:
        return
    plain = "; ".join(dict.fromkeys(c.explanation for c in found[:4]))
    holds = (
        "its signature and content hashes verify, so this is the signer's mistake, not tampering"
        if _intact(info)
        else "this is the signer's mistake, not tampering"
    )
    yield Evidence(
        "c2pa",
        "c2pa.nonconformant",
        f"The manifest does not follow the C2PA specification ({plain}); {holds}.",
        n["confidence"],
        CLAIM_INFO,
        where={**_where(info), "codes": [c.code for c in found]},
    )


def _ingredient_words(step: str) -> str:
    """An ingredient's title; one without a title is named by its manifest label
    (``urn:c2pa:…``), which means nothing to a reader: the label stays in ``where``."""
    return "(untitled)" if step.startswith("urn:") else f"'{step}'"


def _statement(info: C2paInfo, media: str, n: Section, kind: str) -> Iterator[Evidence]:
    """A statement of generation (``c2pa.generated``) or of AI parts (``c2pa.composite``)."""
    said = reading(info)
    if f"c2pa.{said}" != kind:
        return
    actions = _ai_actions(info)
    intact = _intact(info)
    # altered: the hashes mismatch or were not checked, but the signature verifies.
    level = "verified" if intact else ("altered" if info.signature == "verified" else "unverified")
    if actions:
        first = actions[0]
        scope = (
            f" in ingredient {' > '.join(map(_ingredient_words, first.ingredient_path))}"
            if first.ingredient_path
            else ""
        )
        agent = f" by '{first.software_agent}'" if first.software_agent else ""
        detail = (
            f"The C2PA manifest{_signer_text(info)} records the action "
            f"'{action_words(first.action)}'{agent}{scope} with "
            f"source type {first.source_type_label or first.digital_source_type}"
        )
    else:  # e.g. a flat ingredient that declares its own source type
        detail = f"The C2PA manifest{_signer_text(info)} records AI content"
    detail += _rubric_words(info, ("generated", "composite"))
    if intact:
        detail += "; signature and content hashes verify."
    elif info.content == "mismatch":
        detail += "; the content changed after signing."
    elif info.signature == "verified":
        detail += "; the signature verifies but the content was not checked against it."
    else:
        detail += "; the signature does not verify, so the statement is unproven."
    generator, named_by = c2pa_maker(info, media, stated=True)
    in_table = True
    if generator is None and intact:
        unknown = unknown_generator(info, actions)
        if unknown:
            generator, in_table = unknown[0], False
            detail += (
                f" It names '{unknown[0]}' ({unknown[1]}) as the generator, which is not in the "
                "generator table: reported as written."
            )
    if named_by and named_by.startswith("c2pa_signer") and info.trust.trust_list != C2PA_LIST:
        detail += (
            f" The name {named_by.split(' ', 1)[1]} comes from a certificate that does not chain "
            "to the C2PA Trust List: it is a claim, not verified."
        )
    yield Evidence(
        "c2pa",
        kind,
        detail,
        n[level],
        CLAIM_GENERATED if kind == "c2pa.generated" else CLAIM_COMPOSITE,
        generator=generator,
        decisive=intact and any(decisive_source_type(a) for a in actions),
        where={
            **_where(info),
            "action": actions[0].action if actions else None,
            "digitalSourceType": actions[0].digital_source_type if actions else None,
            "ingredient_path": actions[0].ingredient_path if actions else [],
            "signals": [s.id for s in info.signals],
            **({} if in_table else {"generator_in_table": False}),
        },
    )


def unknown_generator(info: C2paInfo, actions: list[C2paAction]) -> tuple[str, str] | None:
    """The name a manifest gives its generator when the table knows none of its names: the
    softwareAgent of the AI action, else a claim generator that is not a C2PA library
    (c2pa_signals.toml ``names.not_generators``). Never the signer: who signed is not what
    generated."""
    skip = [re.compile(p) for p in load_toml("c2pa_signals.toml")["names"]["not_generators"]]
    candidates = [(a.software_agent, "softwareAgent") for a in actions if a.software_agent]
    candidates += [(c, "claim_generator_info") for c in info.claim_generator_info]
    for name, field_name in candidates:
        clean = " ".join(str(name).split())[:120]
        if clean and not any(p.search(clean) for p in skip):
            return clean, field_name
    return None


@rule("c2pa.generated")
def generated(facts: Facts, n: Section) -> Iterator[Evidence]:
    yield from _statement(facts.c2pa, facts.media.kind, n, "c2pa.generated")


@rule("c2pa.composite")
def composite(facts: Facts, n: Section) -> Iterator[Evidence]:
    yield from _statement(facts.c2pa, facts.media.kind, n, "c2pa.composite")


@rule("c2pa.generator-signer")
def generator_signer(facts: Facts, n: Section) -> Iterator[Evidence]:
    """A known generator made the manifest, though no action states an AI source type. A
    generator named only by the signing certificate weighs as a claim unless the chain
    reaches the C2PA Trust List: a self-signed certificate can carry any name."""
    info = facts.c2pa
    if info.state not in _READ or reading(info) in ("generated", "composite"):
        return
    generator, named_by = c2pa_maker(info, facts.media.kind)
    if not generator:
        return
    by_certificate = bool(named_by and named_by.startswith("c2pa_signer"))
    verified = info.trust.trust_list == C2PA_LIST
    level = (
        "unverified"
        if not _intact(info)
        else ("claimed" if by_certificate and not verified else "intact")
    )
    yield Evidence(
        "c2pa",
        "c2pa.generator-signer",
        f"The manifest was made by {display_name(generator)} ({named_by}), though no "
        "action states an AI source type"
        + (
            "; the certificate does not chain to the C2PA Trust List, so the name is a claim."
            if by_certificate and not verified
            else "."
        ),
        n[level],
        CLAIM_GENERATED,
        generator=generator,
        where=_where(info),
    )


@rule("c2pa.captured")
def captured(facts: Facts, n: Section) -> Iterator[Evidence]:
    info = facts.c2pa
    if (
        info.state not in _READ
        or reading(info) != "captured"
        or c2pa_maker(info, facts.media.kind)[0]
        or _disallowed(info) & {"capturedMedia", "capturedMediaStitched"}
    ):
        return
    intact = _intact(info)
    device = get_generator(c2pa_generator(info, facts.media.kind)[0])
    yield Evidence(
        "c2pa",
        "c2pa.captured",
        f"The C2PA manifest{_signer_text(info)} states a capture"
        + (f" by {device.name}" if device else "")
        + (_rubric_words(info, ("captured",)) or " (digitalCapture)")
        + ("; signature and content hashes verify." if intact else ", but it does not verify."),
        n["intact"] if intact else n["unverified"],
        CLAIM_CAPTURED,
        where={**_where(info), "device": device.id if device else None},
    )


@rule("c2pa.not-ai")
def not_ai(facts: Facts, n: Section) -> Iterator[Evidence]:
    """nonGenAIDigitalCreation, blankCanvas: the signer states a creation without generative
    AI; like a capture claim it argues against generation, and is never proof of it."""
    info = facts.c2pa
    if info.state not in _READ or reading(info) != "not-ai":
        return
    if _disallowed(info) & {"nonGenAIDigitalCreation", "blankCanvas"}:
        return
    intact = _intact(info)
    yield Evidence(
        "c2pa",
        "c2pa.not-ai",
        f"The C2PA manifest{_signer_text(info)} states a creation without generative AI"
        + _rubric_words(info, ("not-ai",))
        + ("; signature and content hashes verify." if intact else ", but it does not verify."),
        n["intact"] if intact else n["unverified"],
        CLAIM_NOT_AI,
        where={**_where(info), "signals": [s.id for s in info.signals]},
    )


@rule("c2pa.possibly-ai")
def possibly_ai(facts: Facts, n: Section) -> Iterator[Evidence]:
    """digitalArt and composite: the C2PA Asset Rubrics call these possibly generative AI
    (perceptiblePossiblyGenAI, compositionMayContainGenAI); never proof of it."""
    info = facts.c2pa
    if info.state not in _READ or reading(info) != "possible":
        return
    possible = [a for a in info.actions if a.disclosure == "possible" and not a.ingredient_path]
    intact = _intact(info)
    what = (
        f"records the action '{action_words(possible[0].action)}' with source type "
        f"'{possible[0].source_type_label or possible[0].digital_source_type}'"
        if possible
        else "records an edit"
    )
    yield Evidence(
        "c2pa",
        "c2pa.possibly-ai",
        f"The C2PA manifest{_signer_text(info)} {what}: possibly made with generative AI, "
        "not a statement that it was"
        + _rubric_words(info, ("possible",))
        + ("; signature and content hashes verify." if intact else "; it does not verify."),
        n["intact"] if intact else n["unverified"],
        CLAIM_COMPOSITE,
        where={
            **_where(info),
            "action": possible[0].action if possible else None,
            "digitalSourceType": possible[0].digital_source_type if possible else None,
            "signals": [s.id for s in info.signals],
        },
    )


@rule("c2pa.unknown-provenance")
def unknown_provenance(facts: Facts, n: Section) -> Iterator[Evidence]:
    """mediaUnknownProvenance / screenCaptureMayContainGenAI: a part whose origin the
    credentials do not tell; context, never "not AI"."""
    info = facts.c2pa
    table = load_toml("c2pa_signals.toml")["signals"]
    unknown = [s for s in info.signals if table.get(s.id) == "unknown"]
    if info.state not in _READ or not unknown:
        return
    plain = [i.title for i in info.ingredients if not i.path and i.status == "no manifest"]
    parts = f": {', '.join(t for t in plain if t)} has no Content Credentials" if any(plain) else ""
    yield Evidence(
        "c2pa",
        "c2pa.unknown-provenance",
        f"The C2PA manifest leaves part of the origin unknown{parts} (C2PA Asset Rubrics: "
        f"{'; '.join(s.text for s in unknown)}); that is not a statement that it is not AI.",
        n["confidence"],
        CLAIM_INFO,
        where={**_where(info), "signals": [s.id for s in unknown]},
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
        words = ", ".join(action_words(e) for e in edits)
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
    if info.state not in _READ or info.credential != "untrusted":
        return
    lists = []
    if info.trust.bundled:
        lists.append(f"the C2PA Trust List (snapshot of {str(info.trust.snapshot)[:10]})")
    if info.trust.user_anchors:
        lists.append("the trust anchors you added")
    where = " or ".join(lists) or "any trust anchor (the bundled list is off)"
    yield Evidence(
        "c2pa",
        "c2pa.credential-untrusted",
        f"The signing certificate {info.signer_identity.text or 'is not verified'}: it does not "
        f"chain to {where}, so who signed is not verified (the content and signature checks "
        "stand on their own).",
        n["confidence"],
        CLAIM_INFO,
        where={**_where(info), "issuer": info.certificate.issuer if info.certificate else {}},
    )


@rule("c2pa.signer")
def signer(facts: Facts, n: Section) -> Iterator[Evidence]:
    """Who signed, when the chain reaches a trust anchor: a conforming product by name when
    it reaches the C2PA Trust List, else the trusted signer's certificate name."""
    info = facts.c2pa
    if info.state not in _READ or info.trust.status != "trusted":
        return
    ident = info.signer_identity
    via = f"chains to the {info.trust.trust_list}" if info.trust.trust_list else "is trusted"
    entity = f" ({info.trust.entity})" if info.trust.entity else ""
    yield Evidence(
        "c2pa",
        "c2pa.signer",
        f"Signed by {ident.text or 'a trusted signer'}; the certificate {via}{entity}.",
        n["confidence"],
        CLAIM_INFO,
        where={
            **_where(info),
            "trust_list": info.trust.trust_list,
            "product": ident.product,
            "record_id": ident.record_id,
        },
    )


def _disallowed(info: C2paInfo) -> set[str]:
    return set(info.signer_identity.disallowed_signals) & {s.id for s in info.signals}


@rule("c2pa.disallowed-signal")
def disallowed_signal(facts: Facts, n: Section) -> Iterator[Evidence]:
    """A conforming product asserting a signal its listing disallows (a generator claiming a
    capture): the claim is not counted, and the listing is named."""
    info = facts.c2pa
    found = sorted(_disallowed(info))
    if info.state in _READ and found:
        yield Evidence(
            "c2pa",
            "c2pa.disallowed-signal",
            f"{info.signer_identity.product} asserts {', '.join(found)}, which its Conforming "
            "Products List record disallows; that claim is not counted.",
            n["confidence"],
            CLAIM_INFO,
            where={**_where(info), "signals": found, "record_id": info.signer_identity.record_id},
        )


@rule("c2pa.trust-list-stale")
def trust_list_stale(facts: Facts, n: Section) -> Iterator[Evidence]:
    info = facts.c2pa
    if info.state in _READ and info.trust.stale:
        yield Evidence(
            "c2pa",
            "c2pa.trust-list-stale",
            f"Trust was judged against {info.trust.stale}.",
            n["confidence"],
            CLAIM_INFO,
        )


_TIME_SOURCES = {
    "tsa-listed": "a timestamp from a time-stamping authority on the C2PA TSA Trust List",
    "tsa-trusted": "a timestamp from a time-stamping authority that is trusted but not on the "
    "C2PA TSA Trust List",
    "tsa-untrusted": "a timestamp from an untrusted time-stamping authority, so the time is "
    "unproven",
}


@rule("c2pa.timestamp")
def timestamp(facts: Facts, n: Section) -> Iterator[Evidence]:
    info = facts.c2pa
    if info.state not in _READ or not info.signing_time:
        return
    yield Evidence(
        "c2pa",
        "c2pa.timestamp",
        f"Signed at {info.signing_time}, by {_TIME_SOURCES[info.signing_time_source]} "
        f"({info.timestamp_authority}).",
        n["confidence"],
        CLAIM_INFO,
        where={**_where(info), "source": info.signing_time_source},
    )


@rule("c2pa.ingredient-invalid")
def ingredient_invalid(facts: Facts, n: Section) -> Iterator[Evidence]:
    """An ingredient whose own manifest failed or is missing: reported on the ingredient,
    never as tampering with this file (the spec keeps the two apart)."""
    info = facts.c2pa
    bad = [i for i in info.ingredients if i.status in ("invalid", "missing")]
    if info.state not in _READ or not bad:
        return
    words = "; ".join(
        f"{' > '.join([*i.path, str(i.title)])}: "
        + (
            "its manifest is missing"
            if i.status == "missing"
            else ", ".join(f for f in i.failures if code_category(f) in _BREAKING)
        )
        for i in bad[:4]
    )
    yield Evidence(
        "c2pa",
        "c2pa.ingredient-invalid",
        f"Ingredients whose own Content Credentials do not hold ({words}); this file's own "
        "manifest is judged separately.",
        n["confidence"],
        CLAIM_INFO,
        where={**_where(info), "ingredients": [i.title for i in bad]},
    )


@rule("c2pa.identity")
def identity(facts: Facts, n: Section) -> Iterator[Evidence]:
    """CAWG identity assertions: a named actor, apart from the C2PA signer; its failure is
    its own and never sinks the C2PA manifest."""
    info = facts.c2pa
    for ident in info.identities if info.state in _READ else []:
        who = ident.named_actor or ", ".join(ident.verified_identities) or "an actor"
        yield Evidence(
            "c2pa",
            "c2pa.identity",
            f"A CAWG identity assertion ({ident.kind or ident.sig_type}) names {who}; its own "
            f"validation: {ident.status}"
            + (f" ({', '.join(ident.failures)})" if ident.failures else "")
            + ".",
            n["confidence"],
            CLAIM_INFO,
            where={**_where(info), "assertion": ident.label},
        )
