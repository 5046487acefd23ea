"""The C2PA Asset Rubrics, run on the crJSON the SDK produces.

Signals (``asset-rubric-signals-local.yml``) are evaluated on every manifest of the store,
each manifest on its own (the rubric's "local" evaluation), plus one pseudo-manifest per flat
ingredient that declares a digitalSourceType, as the Conformance Program's reference
evaluator does, so that "this ingredient was AI-generated" is a signal of that ingredient.
Integrity and conformance rubrics are evaluated on the whole crJSON, for producers of Content
Credentials (``conformance_report``). Wording comes from the rubric's own ``reportText``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from provenance.readers.credentials.jsonformula import FormulaError, Formulas
from provenance.readers.credentials.trust import data_text

SIGNALS_RUBRIC = "asset-rubric-signals-local.yml"
INTEGRITY_RUBRIC = "asset-rubric-integrity.yml"
CONFORMANCE_RUBRICS = (
    "asset-rubric-conformance0.2-spec2.4.yml",
    "asset-rubric-conformance0.2-spec2.2.yml",
    "asset-rubric-conformance0.1-spec2.2.yml",
)
_URN = re.compile(r"urn:[^/]+")


@dataclass
class Signal:
    """One signal a rubric raised on one manifest."""

    id: str  # the rubric's name without its prefix, e.g. fullyGenAIMedia
    category: str  # inception / transformation
    text: str  # the rubric's own wording, e.g. "Contains Fully GenAI Media"
    multiple: bool = False  # the expression matched more than one item


@dataclass
class ManifestSignals:
    """The signals of one node of the provenance graph (a manifest, or a flat ingredient)."""

    index: int
    label: str
    pseudo: bool = False  # a flat ingredient's declared source, not a signed manifest
    asserted_by: dict[str, str] = field(default_factory=dict)  # subject CN / O / OU
    format: str | None = None
    inceptions: list[Signal] = field(default_factory=list)
    transformations: list[Signal] = field(default_factory=list)
    ingredients: list[dict[str, Any]] = field(default_factory=list)  # index, relationship
    errors: list[str] = field(default_factory=list)  # statements that could not be evaluated
    # The rubrics read c2pa.actions.v2 only: a manifest without one (spec 1.x c2pa.actions)
    # raises no action signals, which says nothing about its actions.
    actions_v2: bool = False

    def ids(self) -> list[str]:
        return [s.id for s in self.inceptions + self.transformations]


@dataclass
class RubricResult:
    """One statement of an integrity or conformance rubric on the whole asset."""

    id: str
    value: str | None  # true / false / warn, or None when it could not be evaluated
    text: str
    matches: list[Any] = field(default_factory=list)


@dataclass
class Rubric:
    """One rubric file as loaded: its named expressions and variables, and its statements."""

    name: str
    version: str
    formulas: Formulas
    statements: list[dict[str, Any]]


def _safe_loader(yaml: Any) -> Any:
    """libyaml's safe loader when PyYAML was built with it, else PyYAML's own: the same
    documents from every bundled rubric (tests/test_c2pa_rubrics.py), ~10x sooner (the signals
    rubric a signed file's first check reads: 7.4 -> 0.7 ms; a conformance rubric 30 -> 3 ms)."""
    return yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader


@cache
def load(file: str) -> Rubric:
    import yaml

    docs = list(yaml.load_all(data_text(f"rubrics/{file}"), Loader=_safe_loader(yaml)))
    info = docs[0] if docs and isinstance(docs[0], dict) else {}
    variables = dict(info.get("variables") or {})
    match = re.search(r"spec(\d+\.\d+)", file)
    if match:
        variables["$expected_spec_version"] = match.group(1)
    statements: list[dict[str, Any]] = []
    for doc in docs[1:]:
        items = doc if isinstance(doc, list) else [doc]
        statements += [s for s in items if isinstance(s, dict) and s.get("expression")]
    meta = info.get("rubric_metadata") or {}
    return Rubric(
        name=str(meta.get("name", file)),
        version=str(meta.get("version", "")),
        formulas=Formulas(dict(info.get("expressions") or {}), variables),
        statements=statements,
    )


def _as_bool(value: Any) -> bool:
    """How the reference evaluator reads a signal expression's value."""
    if isinstance(value, list):
        return len(value) > 0
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value > 0
    return value is not None


def _text(statement: dict[str, Any], outcome: str) -> str:
    texts = statement.get("reportText") or {}
    chosen = texts.get(outcome, texts.get("default")) if isinstance(texts, dict) else texts
    if isinstance(chosen, dict):
        return str(chosen.get("en", ""))
    return str(chosen or statement.get("id", ""))


# ----------------------------------------------------------------------------- signals


def graph(crjson: dict[str, Any]) -> list[tuple[dict[str, Any], ManifestSignals, int | None]]:
    """Nodes of the provenance graph: (manifest object, its record, parent node for pseudo).

    Real manifests keep their crJSON order (0 is the active manifest); pseudo-manifests for
    flat ingredients with a digitalSourceType come after, numbered in the order found.
    """
    manifests = [m for m in crjson.get("manifests") or [] if isinstance(m, dict) and m.get("label")]
    index = {m["label"]: i for i, m in enumerate(manifests)}
    nodes: list[tuple[dict[str, Any], ManifestSignals, int | None]] = []
    for i, m in enumerate(manifests):
        claim = m.get("claim.v2") or m.get("claim") or {}
        subject = ((m.get("signature") or {}).get("certificateInfo") or {}).get("subject") or {}
        record = ManifestSignals(
            index=i,
            label=m["label"],
            asserted_by={k: subject[k] for k in ("CN", "O", "OU") if subject.get(k)},
            format=claim.get("dc:format"),
            actions_v2="c2pa.actions.v2" in (m.get("assertions") or {}),
        )
        nodes.append((m, record, None))
    for i, m in enumerate(manifests):
        assertions = m.get("assertions") or {}
        record = nodes[i][1]
        for key, value in assertions.items():
            if not isinstance(value, dict):
                continue
            if key.startswith("c2pa.ingredient"):
                url = (value.get("activeManifest") or {}).get("url")
                relationship = value.get("relationship")
                if url:
                    found = _URN.search(url)
                    parent = index.get(found.group(0)) if found else None
                    record.ingredients.append({"index": parent, "relationship": relationship})
                    if parent is not None and not nodes[parent][1].format:
                        nodes[parent][1].format = value.get("dc:format")
                    continue
                dst = value.get("digitalSourceType") or _opened_source_type(assertions)
                if dst:
                    pseudo_index = len(nodes)
                    pseudo: dict[str, Any] = {
                        "label": f"{m['label']}:{value.get('dc:title', 'flat-ingredient')}",
                        "assertions": {
                            "c2pa.actions.v2": {
                                "allActionsIncluded": True,
                                "actions": [{"action": "c2pa.created", "digitalSourceType": dst}],
                            }
                        },
                    }
                    node = ManifestSignals(
                        index=pseudo_index,
                        label=pseudo["label"],
                        pseudo=True,
                        asserted_by=dict(record.asserted_by),
                        format=value.get("dc:format"),
                        actions_v2=True,
                    )
                    nodes.append((pseudo, node, i))
                    record.ingredients.append({"index": pseudo_index, "relationship": relationship})
            elif key.startswith("c2pa.thumbnail") and not record.format:
                record.format = value.get("format")
    return nodes


def _opened_source_type(assertions: dict[str, Any]) -> str | None:
    for key, value in assertions.items():
        if key.startswith("c2pa.actions") and isinstance(value, dict):
            for act in value.get("actions") or []:
                if act.get("action") == "c2pa.opened" and act.get("digitalSourceType"):
                    return str(act["digitalSourceType"])
    return None


def signals(crjson: dict[str, Any]) -> list[ManifestSignals]:
    """Every signal rubric on every node, each node evaluated on its own."""
    rubric = load(SIGNALS_RUBRIC)
    out = []
    for manifest, record, _parent in graph(crjson):
        for statement in rubric.statements:
            sid = str(statement.get("id", ""))
            try:
                value = rubric.formulas.search(str(statement["expression"]), manifest)
            except (FormulaError, RecursionError) as exc:
                record.errors.append(f"{sid}: {exc}")
                continue
            if not _as_bool(value):
                continue
            category, _, name = sid.partition(":")
            sig = Signal(
                id=name.removeprefix("signal_"),
                category=category,
                text=_text(statement, "true"),
                multiple=isinstance(value, list) and len(value) > 1,
            )
            (record.inceptions if category == "inception" else record.transformations).append(sig)
        out.append(record)
    return out


# ----------------------------------------------------------------------------- whole asset


def evaluate(file: str, crjson: dict[str, Any]) -> list[RubricResult]:
    """An integrity or conformance rubric on the whole crJSON (manifests[0] is active)."""
    rubric = load(file)
    results = []
    for statement in rubric.statements:
        sid = str(statement.get("id", ""))
        try:
            value = rubric.formulas.search(str(statement["expression"]), crjson)
        except (FormulaError, RecursionError) as exc:
            results.append(RubricResult(sid, None, f"Error: {exc}"))
            continue
        matches: list[Any] = []
        if statement.get("failIfMatched") or statement.get("warnIfMatched"):
            hit = isinstance(value, list) and len(value) > 0
            bad = "false" if statement.get("failIfMatched") else "warn"
            outcome = bad if hit else "true"
            matches = list(value) if hit else []
        else:
            outcome = "true" if _as_bool(value) else "false"
        text_key = (
            outcome
            if outcome != "warn" or "warn" in (statement.get("reportText") or {})
            else "false"
        )
        text = _text(statement, text_key)
        if matches and all(isinstance(m, str) for m in matches):
            text = text.replace("{{matches}}", ", ".join(matches))
        results.append(RubricResult(sid, outcome, text, matches))
    return results


@dataclass
class ConformanceReport:
    """What a producer of Content Credentials needs: does the asset meet the rubrics."""

    rubric: str
    version: str
    results: list[RubricResult]

    @property
    def passed(self) -> bool:
        return all(r.value == "true" for r in self.results if r.value != "warn")


def conformance_report(crjson: dict[str, Any], spec: str = "2.4") -> list[ConformanceReport]:
    """Integrity plus the Conformance Program 0.2 rubric for spec 2.4 (or 2.2)."""
    wanted = [INTEGRITY_RUBRIC] + [f for f in CONFORMANCE_RUBRICS if f"0.2-spec{spec}" in f]
    out = []
    for file in wanted:
        rubric = load(file)
        out.append(ConformanceReport(rubric.name, rubric.version, evaluate(file, crjson)))
    return out
