"""The rule contract: small registered functions from facts and observations to evidence.

A rule's id is the evidence kind it emits, and its numbers are the data section of that
kind in ``data/weights.toml`` (handed to it as ``n``), so a report line's ``kind`` leads to
the one function that wrote it and the one place its numbers live. Rules run in two stages:

* ``evidence``: from the readers' facts and the detectors' observations alone;
* ``stripping``: after attribution, with the evidence so far and the attributed generator.

Registration order is run order (module order, then order in the module), which is also the
order records appear in a report. ``run`` refuses a record of another kind than its rule's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

from provenance.knowledge.numbers import Section, weights
from provenance.model.records import Evidence, MediaInfo, Watermark
from provenance.options import CheckOptions
from provenance.readers.credentials.reader import C2paInfo
from provenance.readers.metadata import MetadataInfo

if TYPE_CHECKING:
    from provenance.fusion.attribution import Attribution

STAGES = ("evidence", "stripping")
T = TypeVar("T")


@dataclass
class Facts:
    """What the readers and detectors found in one file: everything a rule may look at."""

    path: str
    media: MediaInfo
    c2pa: C2paInfo
    metadata: MetadataInfo
    options: CheckOptions = field(default_factory=CheckOptions)
    observations: list[Any] = field(default_factory=list)
    detectors_run: tuple[str, ...] = ()  # pixel detectors that looked at this file

    def of(self, kind: type[T]) -> list[T]:
        """The detectors' observations of one type."""
        return [o for o in self.observations if isinstance(o, kind)]


@dataclass(kw_only=True)
class Judged(Facts):
    """Facts plus what the evidence stage concluded: the input of the stripping stage."""

    evidence: list[Evidence]
    attribution: Attribution

    @classmethod
    def of_facts(cls, facts: Facts, evidence: list[Evidence], attribution: Attribution) -> Judged:
        return cls(
            **{f.name: getattr(facts, f.name) for f in fields(Facts)},
            evidence=evidence,
            attribution=attribution,
        )


Output = Iterable[Evidence | Watermark]
RuleFn = Callable[[Any, Section], Output]


@dataclass(frozen=True)
class Rule:
    """A registered rule: the evidence kind it emits, its stage and its function."""

    kind: str
    stage: str
    fn: RuleFn
    module: str


RULES: dict[str, Rule] = {}


def rule(kind: str, stage: str = "evidence") -> Callable[[RuleFn], RuleFn]:
    """Register ``fn`` as the rule that emits evidence of ``kind``."""
    if stage not in STAGES:
        raise ValueError(f"unknown rule stage {stage!r}")

    def register(fn: RuleFn) -> RuleFn:
        if kind in RULES and RULES[kind].fn.__qualname__ != fn.__qualname__:
            raise ValueError(f"two rules emit {kind!r}: {RULES[kind].module} and {fn.__module__}")
        weights(kind)  # a rule without its data section fails at import, not per file
        RULES[kind] = Rule(kind, stage, fn, fn.__module__)
        return fn

    return register


def run(stage: str, context: Facts | Judged) -> tuple[list[Evidence], list[Watermark]]:
    """Every rule of ``stage``, in registration order."""
    evidence: list[Evidence] = []
    marks: list[Watermark] = []
    for r in RULES.values():
        if r.stage != stage:
            continue
        for item in r.fn(context, weights(r.kind)):
            if isinstance(item, Watermark):
                marks.append(item)
            elif item.kind != r.kind:
                raise ValueError(f"rule {r.kind!r} ({r.module}) emitted a {item.kind!r} record")
            else:
                evidence.append(item)
    return evidence, marks
