"""Rules on text inside the video bitstream (readers/metadata/bitstream.py): H.264 / HEVC SEI
``user_data_unregistered`` payloads of the first access units, read in a bounded way.

Kling writes ``kling-ai``; ByteDance's transcoder its name. The text is part of the coded
stream, so it survives a remux but not a re-encode, and anyone can write it: strong for whose
encoder made the stream, never decisive. Which text names which entry is data
(generators.toml ``bitstream``)."""

from __future__ import annotations

from collections.abc import Iterator

from provenance.knowledge.generators import get, match
from provenance.knowledge.numbers import Section
from provenance.model.records import CLAIM_INFO, Evidence
from provenance.rules.base import Facts, rule
from provenance.rules.metadata import claim_of
from provenance.text import short


@rule("container.bitstream-text")
def bitstream_text(facts: Facts, n: Section) -> Iterator[Evidence]:
    stream = facts.metadata.bitstream
    if not stream:
        return
    named: set[str] = set()
    for msg in stream.sei:
        hit = next(iter(match("bitstream", msg.text, facts.media.kind)), None)
        gen = get(hit.generator) if hit else None
        if gen is None or gen.id in named:
            continue
        named.add(gen.id)
        claim = claim_of(gen)
        yield Evidence(
            "container",
            "container.bitstream-text",
            f"The {msg.codec.upper()} stream carries the text '{short(msg.text, 60)}' in an SEI "
            f"user-data message ({msg.where}, byte {msg.offset}), written by {gen.name}'s "
            "encoder; it survives a remux, not a re-encode, and can be forged.",
            n["confidence"] if claim != CLAIM_INFO else n["info"],
            claim,
            generator=gen.id,
            where={"offset": msg.offset, "sample": msg.where, "uuid": msg.uuid, "text": msg.text},
        )
