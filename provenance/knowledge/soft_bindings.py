"""Watermarks and fingerprints a C2PA manifest may name, from ``data/soft_bindings.toml``.

A ``c2pa.soft-binding`` assertion names its algorithm by an id from the C2PA soft-binding
algorithm list (``com.adobe.trustmark.Q``, ``com.digimarc.validate.1``, ...). Some marks are
not soft bindings at all: SynthID is signalled by an action (``c2pa.watermarked.unbound``, or
Google's ``c2pa.edited`` "Applied imperceptible SynthID watermark."). The table says, for
each, who runs it, what it covers, and whether this tool (offline) can check it: a report
must not promise a check nobody can run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from provenance.knowledge import schema
from provenance.knowledge.generators import MEDIA
from provenance.knowledge.schema import Key, Origin, Table, TableSpec

KINDS = ("watermark", "fingerprint")
# open: a public decoder exists (maybe needs model weights); vendor-api: only the vendor's
# service decodes it; none: no decoder offered.
DECODERS = ("open", "vendor-api", "none")
SIGNALLED_BY = ("soft-binding", "action")

SPEC = TableSpec(
    file="soft_bindings.toml",
    array="algorithm",
    id_key="alg",
    schema=1,
    entry=Table(
        {
            "alg": Key(str, required=True, match=r"[A-Za-z0-9][A-Za-z0-9._\-]*"),
            "list_id": Key(int, minimum=1),  # the identifier on the C2PA list
            "name": Key(str, required=True),
            "vendor": Key(str, required=True),
            "kind": Key(str, required=True, choices=KINDS),
            "media": Key(list, required=True, item=Key(str, choices=(*MEDIA, "text", "other"))),
            "signalled_by": Key(str, required=True, choices=SIGNALLED_BY),
            # for signalled_by = "action": regexes on the action name or its description
            "action_patterns": Key(list, item=Key(str, regex=True)),
            "decoder": Key(str, required=True, choices=DECODERS),
            "offline_verifiable": Key(bool, required=True),  # can provenance check it here
            "generators": Key(list, item=Key(str, match=r"[a-z0-9][a-z0-9\-]*")),
            "sources": Key(list, required=True, item=Key(str, match=r"\S.*")),
            "notes": Key(str),
            "replaces": Key(bool),
        }
    ),
)


@dataclass(frozen=True)
class Algorithm:
    """One watermark or fingerprint of the table: who decodes it, whether it can be checked here."""

    alg: str
    name: str
    vendor: str
    kind: str
    media: tuple[str, ...]
    signalled_by: str
    decoder: str
    offline_verifiable: bool
    list_id: int | None = None
    action_patterns: tuple[re.Pattern[str], ...] = ()
    generators: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    notes: str = ""
    origin: Origin | None = None


@lru_cache(maxsize=8)
def load_files(extra: tuple[str, ...] = ()) -> dict[str, Algorithm]:
    loaded = schema.load(SPEC, extra)
    return {
        e["alg"]: Algorithm(
            alg=e["alg"],
            name=e["name"],
            vendor=e["vendor"],
            kind=e["kind"],
            media=tuple(e["media"]),
            signalled_by=e["signalled_by"],
            decoder=e["decoder"],
            offline_verifiable=e["offline_verifiable"],
            list_id=e.get("list_id"),
            action_patterns=tuple(re.compile(p) for p in e.get("action_patterns", [])),
            generators=tuple(e.get("generators", [])),
            sources=tuple(e["sources"]),
            notes=e.get("notes", ""),
            origin=o,
        )
        for e, o in zip(loaded.entries, loaded.origins, strict=True)
    }


@lru_cache(maxsize=1)
def load() -> dict[str, Algorithm]:
    return load_files(schema.extra_files(SPEC))


def use_extra_files(paths: Sequence[str] | None) -> None:
    schema.use_extra_files(SPEC, paths)


schema.on_change(load.cache_clear)


def algorithm(alg: str | None) -> Algorithm | None:
    """The entry for a ``c2pa.soft-binding`` ``alg`` value; versions of a registered family
    (``com.adobe.trustmark.Q`` when only ``com.adobe.trustmark.P`` is listed) are not guessed."""
    if not alg:
        return None
    return load().get(alg.strip())


def watermark_action(action: str | None, description: str | None = None) -> Algorithm | None:
    """The mark an action announces (SynthID through ``c2pa.watermarked.unbound``, ...)."""
    texts = [t for t in (action, description) if t]
    for entry in load().values():
        if entry.signalled_by == "action" and any(
            p.search(t) for p in entry.action_patterns for t in texts
        ):
            return entry
    return None
