"""Compare one report (as a dict) with a manifest entry's expectations; summarise many.

A field is *right* when the report shows an allowed value, *missed* when the report says
nothing (field absent, null, "unknown") where the manifest expects an answer, and *wrong* when
it says something else. Reports are read defensively: a field the tool does not (yet) write
counts as missed, never as a crash, so the scorer keeps working while the report grows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from corpus import NOT_YES_OR_LIKELY, STRIP_KINDS, Entry

YES_LIKELY = ("yes", "likely")
FIELDS = (
    "status",
    "ai_generated",
    "generator",
    "marks_stripped",
    "stripped",
    "c2pa_state",
    "handle",
)


@dataclass
class Outcome:
    entry: str
    field: str
    result: str  # right / wrong / missed
    expected: Any
    got: Any
    false_claim: str = ""  # "ai", "stripping" or "generator" when the report claims what is not


@dataclass
class Observed:
    """The report fields the corpus checks, pulled out of whatever the report holds."""

    status: str | None
    ai_generated: str | None
    generator: str | None
    marks_stripped: str | None
    stripped: list[str]
    c2pa_state: str | None
    handles: list[str]
    evidence: list[dict[str, Any]] = field(default_factory=list)


def _get(d: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def observe(report: dict[str, Any]) -> Observed:
    verdict = _get(report, "verdict") or {}
    stripped = _get(verdict, "stripped") or []
    marks = _get(report, "watermarks") or []
    evidence = _get(report, "evidence") or []
    return Observed(
        status=_get(report, "status"),
        ai_generated=_get(verdict, "ai_generated"),
        generator=_get(verdict, "generator"),
        marks_stripped=_get(verdict, "marks_stripped"),
        stripped=[s for s in stripped if isinstance(s, str)],
        c2pa_state=_get(report, "c2pa", "state"),
        handles=[m["handle"] for m in marks if isinstance(m, dict) and m.get("handle")],
        evidence=[e for e in evidence if isinstance(e, dict)],
    )


def _allowed(v: Any) -> list[Any]:
    return list(v) if isinstance(v, list) else [v]


def judge(entry: Entry, obs: Observed) -> list[Outcome]:
    """One outcome per expectation the entry states."""
    exp = entry.expect
    out: list[Outcome] = []

    def add(name: str, result: str, expected: Any, got: Any, false_claim: str = "") -> None:
        out.append(Outcome(entry.id, name, result, expected, got, false_claim))

    if "status" in exp:
        add(
            "status", "right" if obs.status == exp["status"] else "wrong", exp["status"], obs.status
        )
    if "ai_generated" in exp:
        want, got = exp["ai_generated"], obs.ai_generated
        if want == NOT_YES_OR_LIKELY:
            bad = got in YES_LIKELY
            add("ai_generated", "wrong" if bad else "right", want, got, "ai" if bad else "")
        elif got in _allowed(want):
            add("ai_generated", "right", want, got)
        else:
            add("ai_generated", "missed" if got in (None, "unknown") else "wrong", want, got)
    if "generator" in exp:
        want, got = exp["generator"], obs.generator
        if want == "none":
            add(
                "generator",
                "right" if got is None else "wrong",
                want,
                got,
                "" if got is None else "generator",
            )
        elif got in _allowed(want):
            add("generator", "right", want, got)
        else:
            add("generator", "missed" if got is None else "wrong", want, got)
    if "marks_stripped" in exp:
        want, got = exp["marks_stripped"], obs.marks_stripped
        if want == NOT_YES_OR_LIKELY:
            bad = got in YES_LIKELY
            add(
                "marks_stripped", "wrong" if bad else "right", want, got, "stripping" if bad else ""
            )
        elif got in _allowed(want):
            add("marks_stripped", "right", want, got)
        else:
            add("marks_stripped", "missed" if got in (None, "unknown") else "wrong", want, got)
    claimed = [k for k in obs.stripped if k in STRIP_KINDS]
    if "stripped" in exp:
        want = list(exp["stripped"])
        if not want:
            add(
                "stripped",
                "wrong" if claimed else "right",
                [],
                claimed,
                "stripping" if claimed else "",
            )
        else:
            missing = [k for k in want if k not in claimed]
            extra = [k for k in claimed if k not in want]
            result = "right" if not missing else ("wrong" if extra else "missed")
            add("stripped", result, want, claimed)
    if "stripped_absent" in exp:
        bad = [k for k in claimed if k in exp["stripped_absent"]]
        add(
            "stripped",
            "wrong" if bad else "right",
            "not " + "/".join(exp["stripped_absent"]),
            claimed,
            "stripping" if bad else "",
        )
    if "c2pa_state" in exp:
        want, got = exp["c2pa_state"], obs.c2pa_state
        result = "right" if got in _allowed(want) else ("missed" if got is None else "wrong")
        add("c2pa_state", result, want, got)
    if "handle" in exp:
        want = exp["handle"].lower()
        handles = [h.lower() for h in obs.handles]
        add(
            "handle",
            "right" if want in handles else ("missed" if not handles else "wrong"),
            exp["handle"],
            obs.handles,
        )
    return out


@dataclass
class Summary:
    files: int = 0
    fields: dict[str, Counter[str]] = field(default_factory=dict)
    false_claims_on_negatives: Counter[str] = field(default_factory=Counter)
    false_stripping_on_others: int = 0
    negatives: int = 0
    # ai_generated / generator counted on the files a generator made (negatives excluded)
    on_ai_files: dict[str, Counter[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["fields"] = {k: dict(v) for k, v in self.fields.items()}
        d["false_claims_on_negatives"] = dict(self.false_claims_on_negatives)
        d["on_ai_files"] = {k: dict(v) for k, v in self.on_ai_files.items()}
        return d


def summarise(entries: list[Entry], outcomes: dict[str, list[Outcome]]) -> Summary:
    """Per-field counts over expectations; false claims counted once per file."""
    s = Summary(files=len(entries), fields={f: Counter() for f in FIELDS})
    for entry in entries:
        s.negatives += entry.negative
        claims = set()
        for o in outcomes.get(entry.id, []):
            s.fields.setdefault(o.field, Counter())[o.result] += 1
            if not entry.negative and o.field in ("ai_generated", "generator"):
                s.on_ai_files.setdefault(o.field, Counter())[o.result] += 1
            if o.false_claim:
                claims.add(o.false_claim)
        for claim in claims:
            if entry.negative:
                s.false_claims_on_negatives[claim] += 1
            elif claim == "stripping":
                s.false_stripping_on_others += 1
    return s


def table(summaries: dict[str, Summary]) -> str:
    """A markdown table: per field right / wrong / missed for each tool side by side."""
    names = list(summaries)
    head = "| field | " + " | ".join(f"{n} right / wrong / missed" for n in names) + " |"
    rule = "|---|" + "---|" * len(names)
    rows = [head, rule]
    for f in FIELDS:
        cells = []
        for n in names:
            c = summaries[n].fields.get(f, Counter())
            cells.append(f"{c['right']} / {c['wrong']} / {c['missed']}" if sum(c.values()) else "-")
        rows.append(f"| {f} | " + " | ".join(cells) + " |")
    for f in ("ai_generated", "generator"):
        cells = []
        for n in names:
            c = summaries[n].on_ai_files.get(f, Counter())
            cells.append(f"{c['right']} / {c['wrong']} / {c['missed']}" if sum(c.values()) else "-")
        rows.append(f"| {f}, AI files only | " + " | ".join(cells) + " |")
    for label, key in (
        ("files with a false AI call (negatives)", "ai"),
        ("files with a false generator (negatives)", "generator"),
        ("files with a false stripping claim (negatives)", "stripping"),
    ):
        rows.append(
            f"| {label} | "
            + " | ".join(str(summaries[n].false_claims_on_negatives[key]) for n in names)
            + " |"
        )
    rows.append(
        "| AI files with a stripping claim their intact C2PA contradicts | "
        + " | ".join(str(summaries[n].false_stripping_on_others) for n in names)
        + " |"
    )
    return "\n".join(rows)
