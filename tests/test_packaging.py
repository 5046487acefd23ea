"""The version has one source, the extras hold what they say, CI's constraints pin every
runtime dependency, and the changelog and markers follow the project."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import provenance

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name, requirement
    return re.sub(r"[-_.]+", "-", name.group(0)).lower()


def test_version_has_one_source():
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    attr = PYPROJECT["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "provenance._version.__version__"
    declared = re.search(
        r'^__version__ = "([^"]+)"$',
        (REPO / "provenance" / "_version.py").read_text("utf-8"),
        re.M,
    )
    assert declared
    assert provenance.__version__ == declared.group(1)
    assert metadata.version(PYPROJECT["project"]["name"]) == declared.group(1)
    for other in ("provenance/__init__.py", "pyproject.toml"):  # not typed a second time
        assert declared.group(1) not in (REPO / other).read_text("utf-8"), other


def test_test_extra_has_no_linters_and_dev_extra_has_them():
    extras = PYPROJECT["project"]["optional-dependencies"]
    test = {_name(r) for r in extras["test"]}
    dev = {_name(r) for r in extras["dev"]}
    assert "pytest-timeout" in test and "pytest" in test
    assert not test & {"ruff", "mypy"}
    assert {"ruff", "mypy"} <= dev


def test_constraints_pin_every_runtime_and_test_dependency():
    pins = {}
    for line in (REPO / "constraints.txt").read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep and version, f"not pinned: {line!r}"
            pins[_name(name)] = version
    project = PYPROJECT["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for extra in ("test", "dev"):
        wanted |= {_name(r) for r in project["optional-dependencies"][extra]}
    assert sorted(wanted - set(pins)) == []
    assert "provenance" not in pins and PYPROJECT["project"]["name"] not in pins


def test_changelog_names_the_current_version():
    text = (REPO / "CHANGELOG.md").read_text("utf-8")
    assert re.search(rf"^## {re.escape(provenance.__version__)}\b", text, re.M)
    assert "## Unreleased" in text


def test_every_marker_used_is_registered():
    """--strict-markers refuses an unknown marker; this says which ones exist and that each
    registered one is used by some test."""
    ini = PYPROJECT["tool"]["pytest"]["ini_options"]
    assert "--strict-markers" in ini["addopts"]
    registered = {m.split(":", 1)[0] for m in ini["markers"]}
    tests = "".join(p.read_text("utf-8") for p in (REPO / "tests").glob("*.py"))
    used = set(re.findall(r"pytest\.mark\.([a-z0-9_]+)", tests))
    builtin = {"parametrize", "skip", "skipif", "xfail", "usefixtures", "filterwarnings", "timeout"}
    assert used - builtin <= registered
    assert registered <= used
