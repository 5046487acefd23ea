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
def sample_generators():
    """samples/generators.toml (the project's own test generator), as the extra generator
    files a check takes (``generators_files=``); the tables go back to the bundled ones."""
    from provenance.knowledge import generators

    files = (str(SAMPLES / "generators.toml"),)
    generators.use_extra_files(files)
    yield files
    generators.use_extra_files(None)
