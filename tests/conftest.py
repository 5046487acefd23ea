"""Shared test paths. Fixtures live beside the repository (../shared/fixtures), read-only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(os.environ.get("PROVENANCE_FIXTURES", REPO.parent / "shared" / "fixtures"))
SAMPLES = REPO / "samples"


@pytest.fixture(scope="session")
def fixtures() -> Path:
    if not FIXTURES.is_dir():
        pytest.fail(f"shared fixtures not found at {FIXTURES} (set PROVENANCE_FIXTURES)")
    return FIXTURES


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES


@pytest.fixture()
def sample_generators(monkeypatch):
    """Load samples/generators.toml (the project's own test generator) for one test."""
    from provenance.knowledge import generators

    monkeypatch.setenv(generators.EXTRA_ENV, str(SAMPLES / "generators.toml"))
    generators.load.cache_clear()
    yield
    generators.load.cache_clear()


# Every Report.to_dict() in a test validates against docs/report.schema.json.
from report_contract import _reports_follow_the_schema  # noqa: E402, F401
