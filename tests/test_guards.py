"""Guards on the plug-in structure: every evidence kind a rule can emit has its numbers in
data/weights.toml and every number there is read; every module in the detector and rule folders
registers what it is for; adding a rule is one new file plus one data section."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import provenance
from provenance import detectors, rules
from provenance.detectors import base as detector_base
from provenance.knowledge.numbers import FUSION_SECTIONS, weight_sections, weights
from provenance.rules import base as rule_base

PACKAGE = Path(provenance.__file__).resolve().parent
STILL = Path(__file__).resolve().parent.parent / "samples" / "clips" / "plain_still.jpg"


def _modules(package) -> list[str]:
    return [
        f"{package.__name__}.{m.name}"
        for m in pkgutil.iter_modules(package.__path__)
        if not m.name.startswith("_") and m.name != "base"
    ]


def _quoted(key: str, source: str) -> bool:
    return f'"{key}"' in source or f"'{key}'" in source


# --- weights.toml against the rules registry -----------------------------------------------


def test_every_rule_kind_has_a_weight_section_and_every_section_is_used():
    kinds = set(rules.load())
    sections = set(weight_sections())
    assert kinds, "no rule registered"
    assert kinds - sections == set(), "rules without a weights.toml section"
    assert sections - kinds - set(FUSION_SECTIONS) == set(), "weights.toml sections no rule emits"
    assert set(FUSION_SECTIONS) <= sections


def test_every_number_in_a_rule_section_is_read_by_its_rule_module():
    """A key its module never names is a number that weighs nothing (or a typo)."""
    unread = []
    for kind, r in rules.load().items():
        source = inspect.getsource(sys.modules[r.module])
        unread += [f"{kind}.{key}" for key in weights(kind) if not _quoted(key, source)]
    fusion = "".join(
        inspect.getsource(importlib.import_module(f"provenance.fusion.{m}"))
        for m in ("attribution", "verdict")
    )
    for section in FUSION_SECTIONS:
        unread += [f"{section}.{key}" for key in weights(section) if not _quoted(key, fusion)]
    assert unread == []


def test_a_rule_cannot_emit_another_kind():
    """The registry is the list of kinds a report can hold: run() refuses any other."""
    from provenance.model.records import Evidence

    kind = next(iter(rules.load()))
    saved = dict(rule_base.RULES)
    try:
        rule_base.RULES.clear()
        rule_base.RULES[kind] = rule_base.Rule(
            kind,
            "evidence",
            lambda facts, n: [Evidence(source="x", kind="not.a.kind", detail="", confidence=0.0)],
            __name__,
        )
        with pytest.raises(ValueError, match="emitted a 'not.a.kind' record"):
            rule_base.run("evidence", None)  # type: ignore[arg-type]
    finally:
        rule_base.RULES.clear()
        rule_base.RULES.update(saved)


def test_a_rule_without_a_data_section_fails_at_registration():
    with pytest.raises(KeyError, match="no section"):
        rules.rule("no.such.kind")(lambda facts, n: [])
    assert "no.such.kind" not in rules.RULES


# --- discovery: every module registers ------------------------------------------------------


def test_every_rule_module_registers_a_rule():
    by_module = {r.module for r in rules.load().values()}
    modules = _modules(rules)
    assert len(modules) >= 7
    assert [m for m in modules if m not in by_module] == []


def test_every_detector_package_registers_its_detector_under_its_option_name():
    registry = detector_base.load()
    packages = [m.name for m in pkgutil.iter_modules(detectors.__path__) if m.ispkg]
    assert sorted(packages) == sorted(registry), "a detector package that registers nothing"
    for name, cls in registry.items():
        assert cls.__module__ == f"provenance.detectors.{name}.detector"
        for method in ("start", "feed", "finish"):
            assert callable(getattr(cls, method, None)), f"{name} has no {method}()"


def test_a_detector_without_a_name_is_refused():
    class Nameless:
        pass

    with pytest.raises(TypeError, match="no detector name"):
        detector_base.detector(Nameless)


# --- adding a rule: its own file plus one data section --------------------------------------

THROWAWAY_RULE = '''
"""A rule that exists only in this test."""

from provenance.model.records import CLAIM_INFO, Evidence
from provenance.rules.base import rule


@rule("throwaway.size")
def size(facts, n):
    yield Evidence(
        source="throwaway",
        kind="throwaway.size",
        detail=f"{facts.media.kind} of {n['label']}",
        confidence=n["confidence"],
        claim=CLAIM_INFO,
    )
'''

THROWAWAY_SECTION = """
["throwaway.size"]
label = "a throwaway rule"
confidence = 0.0
"""


@pytest.mark.e2e
def test_a_new_rule_is_one_file_and_one_data_section(tmp_path):
    """A copy of the package with one new module in rules/ and one section appended to
    weights.toml: the rule runs and its record is in the report, nothing else edited."""
    copy = tmp_path / "provenance"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "rules" / "throwaway.py").write_text(textwrap.dedent(THROWAWAY_RULE))
    with (copy / "data" / "weights.toml").open("a") as f:
        f.write(THROWAWAY_SECTION)
    script = (
        "import json, sys, provenance\n"
        "report = provenance.check(sys.argv[1], detectors=())\n"
        "print(json.dumps({'file': provenance.__file__, 'report': report.to_dict()}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(STILL)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.splitlines()[-1])
    assert Path(out["file"]).resolve().parent == copy.resolve()  # the copy ran, not the repo
    mine = [e for e in out["report"]["evidence"] if e["kind"] == "throwaway.size"]
    assert [e["detail"] for e in mine] == ["image of a throwaway rule"]
    assert out["report"]["status"] == "ok"
    # and the repository's own package knows nothing of it
    assert "throwaway.size" not in rules.load()
