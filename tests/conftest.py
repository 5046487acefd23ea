"""Test paths and the rule for what a test may lack. The fixtures whose licences allow it are
vendored in tests/fixtures (README there); the rest are read from ../shared/fixtures (or
$PROVENANCE_FIXTURES): missing, their tests skip with the file's name here and fail under CI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"  # vendored: c2pa/, invisible/
SHARED = Path(os.environ.get("PROVENANCE_FIXTURES", REPO.parent / "shared" / "fixtures"))
SAMPLES = REPO / "samples"
IN_CI = os.environ.get("CI") == "true"


def require(present: object, what: str) -> None:
    """Skip loudly when a tool or file a test needs is missing here; fail under ``CI=true``,
    where .ci/run provides everything (a test must never quietly do half its work)."""
    if present:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true")
    pytest.skip(f"{what} is missing here (required under CI=true)")


def tool(name: str, *alternatives: str) -> str:
    """The path of a command-line tool, or skip (fail under CI) naming it."""
    found = next((p for p in map(shutil.which, (name, *alternatives)) if p), None)
    require(found, f"the `{name}` command")
    assert found is not None
    return found


def shared(relative: str) -> Path:
    """A fixture that is not vendored (not ours to redistribute, or large): its path under
    ../shared/fixtures, or skip naming it (fail under CI=true)."""
    path = SHARED / relative
    require(path.exists(), f"{relative} from the shared fixtures ({SHARED}, $PROVENANCE_FIXTURES)")
    return path


@pytest.fixture(scope="session")
def fixtures() -> Path:
    """The vendored fixtures (tests/fixtures)."""
    return FIXTURES


@pytest.fixture(scope="session")
def sora_repost() -> Path:
    """The real Sora 2 repost (shared fixtures only)."""
    return shared("real/sora_repost.mp4")


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES


@pytest.fixture()
def sample_generators():
    """samples/generators.toml (the project's own test generator), as the extra generator
    files a check takes (``generators_files=``); the tables go back to the bundled ones."""
    from provenance.knowledge import generators

    files = (str(SAMPLES / "generators.toml"),)
    generators.use_extra_files(files)
    yield files
    generators.use_extra_files(None)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Markers that follow from what a test uses (pyproject.toml lists them all)."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "chromium" in names:
            item.add_marker(pytest.mark.needs_chromium)
        if "sora_repost" in names or "p1000827" in item.name:
            item.add_marker(pytest.mark.needs_shared)


# Every Report.to_dict() in a test validates against docs/report.schema.json.
from report_contract import _reports_follow_the_schema  # noqa: E402, F401
