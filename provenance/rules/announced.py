"""Rules on what a manifest announces about invisible watermarks: ``c2pa.soft-binding``
assertions, ``c2pa.watermarked`` / ``.bound`` / ``.unbound`` actions and action descriptions
("Added imperceptible SynthID watermark"). The signer says a mark is in the pixels; which
one, who can read it and whether this tool can check it come from data/soft_bindings.toml.
No decoder for these marks runs offline here, and the record says so: an expected mark is a
statement of the signer, not a detection. In the stripping stage, a file attributed to a
generator whose output the table says carries such a mark, without a readable manifest,
gets a context record: the mark may be there or gone, and nothing here can tell."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from provenance.knowledge import soft_bindings
from provenance.knowledge.generators import get
from provenance.knowledge.numbers import Section
from provenance.knowledge.soft_bindings import Algorithm
from provenance.model.records import CLAIM_INFO, Evidence
from provenance.readers.credentials.reader import C2paAction, C2paInfo
from provenance.rules.base import Facts, Judged, rule
from provenance.rules.credentials import c2pa_generator

_READ = ("valid", "trusted", "invalid")
_DECODERS = {
    "vendor-api": "only {vendor}'s own service or tool decodes it",
    "open": "its public decoder needs model weights that provenance does not download",
    "none": "no decoder is offered",
}


@dataclass
class Announced:
    """A mark the active manifest says is in the content, and the statement that said so."""

    entry: Algorithm | None
    alg: str  # as written (or the entry's id when the manifest names no algorithm)
    per: str  # which statement announced it


def announced(info: C2paInfo, generator: str | None) -> list[Announced]:
    """Every mark the active manifest announces, one per algorithm, in manifest order."""
    out: dict[str, Announced] = {}
    for sb in info.soft_bindings:
        if sb.ingredient_path:
            continue
        entry = soft_bindings.algorithm(sb.alg)
        per = "a c2pa.soft-binding assertion"
        out.setdefault(entry.alg if entry else sb.alg, Announced(entry, sb.alg, per))
    for act in info.actions:
        if act.ingredient_path:
            continue
        found = _of_action(act, generator)
        if found:
            out.setdefault(found.entry.alg if found.entry else found.alg, found)
    return list(out.values())


def _of_action(act: C2paAction, generator: str | None) -> Announced | None:
    texts = [t for t in (act.description, act.parameter_type) if t]
    said = f"the {act.action} action" + (f" ('{texts[0]}')" if texts else "")
    entry = soft_bindings.watermark_action(act.action, " ".join(texts) or None)
    if entry:
        return Announced(entry, entry.alg, said)
    if not act.action.startswith("c2pa.watermarked"):
        return None
    agent = (act.software_agent or "").split(" ")[0]
    entry = soft_bindings.algorithm(agent) if agent else None
    if entry:
        return Announced(entry, agent, said + f" by {act.software_agent}")
    # No mark named: the one the table says the attributed generator's vendor uses.
    entry = next(
        (
            a
            for a in soft_bindings.load().values()
            if a.signalled_by == "action" and generator and generator in a.generators
        ),
        None,
    )
    if entry:
        return Announced(
            entry,
            entry.alg,
            said + ", which names no mark; the table gives the "
            "mark this generator's vendor announces this way",
        )
    return Announced(None, agent or act.action, said + ", which names no mark")


@rule("c2pa.expected-watermark")
def expected_watermark(facts: Facts, n: Section) -> Iterator[Evidence]:
    info = facts.c2pa
    if info.state not in _READ:
        return
    generator, _ = c2pa_generator(info, facts.media.kind)
    for mark in announced(info, generator):
        entry = mark.entry
        if entry:
            what = f"{entry.name} ({entry.vendor}, {entry.kind})"
            check = (
                f"{entry.name} cannot be verified offline: "
                + _DECODERS[entry.decoder].format(vendor=entry.vendor)
                + "; provenance did not check it."
                if not entry.offline_verifiable
                else f"{entry.name} can be checked offline."
            )
        else:
            what = f"'{mark.alg}' (not in the soft-binding table)"
            check = "provenance cannot check it."
        yield Evidence(
            "c2pa",
            "c2pa.expected-watermark",
            f"The manifest says an invisible watermark is in the content: {what}, per {mark.per}. "
            + check,
            n["confidence"],
            CLAIM_INFO,
            where={
                "manifest": info.active_manifest,
                "algorithm": entry.alg if entry else mark.alg,
                "alg_as_written": mark.alg,
                "name": entry.name if entry else None,
                "vendor": entry.vendor if entry else None,
                "per": mark.per,
                "in_table": entry is not None,
                "decoder": entry.decoder if entry else None,
                "offline_verifiable": bool(entry and entry.offline_verifiable),
                "expected": True,
            },
        )


@rule("stripping.watermark-unverified", stage="stripping")
def watermark_unverified(j: Judged, n: Section) -> Iterator[Evidence]:
    """A file attributed to a generator whose output the soft-binding table says carries an
    invisible mark, and that has no readable manifest (removed, or never there): the mark may
    be there or gone, and no offline check here can tell (never "not watermarked" from our
    silence)."""
    gen = get(j.attribution.generator)
    if gen is None or j.attribution.ai_generated not in ("yes", "likely"):
        return
    if j.c2pa.state in _READ:
        return  # a manifest speaks for itself (c2pa.expected-watermark when it announces one)
    for entry in soft_bindings.load().values():
        if gen.id not in entry.generators or entry.offline_verifiable:
            continue
        if j.media.kind not in entry.media:
            continue
        yield Evidence(
            "stripping",
            "stripping.watermark-unverified",
            f"{gen.name} output may carry {entry.name} ({entry.vendor}, per the soft-binding "
            f"table), and this file has no Content Credentials to say so. {entry.name} cannot be "
            "verified "
            "offline: " + _DECODERS[entry.decoder].format(vendor=entry.vendor) + "; whether "
            "it is still in the pixels is unknown here.",
            n["confidence"],
            CLAIM_INFO,
            generator=gen.id,
            where={"algorithm": entry.alg, "decoder": entry.decoder, "expected": True},
        )
