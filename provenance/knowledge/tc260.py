"""TC260 producer codes, from ``data/tc260_producers.toml``: who wrote a Chinese AI label.

A GB 45438-2025 implicit label names its ContentProducer (the service that generated the
content) and ContentPropagator (a platform that re-published it) by a code. In practice the
code is "001" + a digit + the organisation's 18-character Unified Social Credit Code
(GB 32100-2015) + a product suffix, or a bare product id ("doubao"). The USCC carries a
check character, so a code can be checked before it is looked up. The table maps codes to
vendors, products and generator ids; a code names a legal entity, which may sign for more
than one product, so a match is attribution evidence, not proof.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from provenance.knowledge import schema
from provenance.knowledge.schema import DataError, Key, Origin, Table, TableSpec

# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z); character 18 is a
# check character over the first 17 with weights 3**i mod 31 (GB/T 17710 MOD 31-3).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_RUN = re.compile(r"[0-9A-HJ-NP-RTUWXY]{18}")
MATCH_KINDS = ("uscc", "exact")
ROLES = ("producer", "propagator", "both", "service-provider")
CONFIDENCE = ("C", "S", "U")  # as in docs/sources.md: confirmed / secondary / uncertain

SPEC = TableSpec(
    file="tc260_producers.toml",
    array="producer",
    id_key="code",
    schema=1,
    entry=Table(
        {
            "code": Key(str, required=True, match=r"\S{2,64}"),
            "match": Key(str, required=True, choices=MATCH_KINDS),
            "vendor": Key(str, required=True),
            "organisation": Key(str),  # the legal entity, when a public record names it
            "products": Key(list, required=True, item=Key(str)),
            "generator": Key(str, match=r"[a-z0-9][a-z0-9\-]*"),  # an id in generators.toml
            "role": Key(str, required=True, choices=ROLES),  # where the code has been seen
            "confidence": Key(str, required=True, choices=CONFIDENCE),
            "sources": Key(list, required=True, item=Key(str, match=r"\S.*")),
            "notes": Key(str),
            "replaces": Key(bool),
        }
    ),
)


@dataclass(frozen=True)
class Producer:
    """One entry of the producer table: the vendor, products and generator a code stands for."""

    code: str
    match: str
    vendor: str
    products: tuple[str, ...]
    role: str
    confidence: str
    organisation: str | None = None
    generator: str | None = None
    sources: tuple[str, ...] = ()
    notes: str = ""
    origin: Origin | None = None


@dataclass(frozen=True)
class ProducerMatch:
    """The table entry a label's producer or propagator value matched, and the USCC in it."""

    code: str  # the table's code that matched
    value: str  # the label's value
    uscc: str | None  # the USCC found in the value (check character verified)
    producer: Producer


def uscc_valid(code: str) -> bool:
    """True when ``code`` is 18 GB 32100 characters whose check character is right."""
    if len(code) != 18 or any(ch not in USCC_ALPHABET for ch in code):
        return False
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(code[:17], _WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


def uscc_in(value: str | None) -> str | None:
    """The Unified Social Credit Code inside a producer code ("001" + digit + USCC + suffix),
    or anywhere in the value; only a code whose check character verifies is returned."""
    if not value:
        return None
    text = value.strip().upper()
    if len(text) >= 22 and text.startswith("001") and uscc_valid(text[4:22]):
        return text[4:22]
    for start in range(0, max(0, len(text) - 17)):
        candidate = text[start : start + 18]
        if _USCC_RUN.fullmatch(candidate) and uscc_valid(candidate):
            return candidate
    return None


@lru_cache(maxsize=8)
def load_files(extra: tuple[str, ...] = ()) -> dict[str, Producer]:
    from provenance.knowledge.generators import load as load_generators

    loaded = schema.load(SPEC, extra)
    known = load_generators()
    out: dict[str, Producer] = {}
    for e, origin in zip(loaded.entries, loaded.origins, strict=True):
        if e["match"] == "uscc" and not uscc_valid(e["code"]):
            raise DataError(
                f"{origin.file}:{origin.line}: code {e['code']!r} is not a valid USCC "
                "(GB 32100-2015 check character)"
            )
        gen = e.get("generator")
        if gen and gen not in known:
            raise DataError(f"{origin.file}:{origin.line}: generator {gen!r} is not in generators")
        out[e["code"]] = Producer(
            code=e["code"],
            match=e["match"],
            vendor=e["vendor"],
            products=tuple(e["products"]),
            role=e["role"],
            confidence=e["confidence"],
            organisation=e.get("organisation"),
            generator=gen,
            sources=tuple(e["sources"]),
            notes=e.get("notes", ""),
            origin=origin,
        )
    return out


@lru_cache(maxsize=1)
def load() -> dict[str, Producer]:
    return load_files(schema.extra_files(SPEC))


def use_extra_files(paths: Sequence[str] | None) -> None:
    schema.use_extra_files(SPEC, paths)


schema.on_change(load.cache_clear)


def lookup(value: str | None) -> ProducerMatch | None:
    """The table entry for a ContentProducer / ContentPropagator value, if any."""
    if not value or not value.strip():
        return None
    text = value.strip()
    uscc = uscc_in(text)
    table = load()
    if uscc and uscc in table and table[uscc].match == "uscc":
        return ProducerMatch(uscc, text, uscc, table[uscc])
    for prod in table.values():
        if prod.match == "exact" and prod.code.lower() == text.lower():
            return ProducerMatch(prod.code, text, uscc, prod)
    return None
