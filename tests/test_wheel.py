"""The distribution: a wheel built from this tree installs in a clean venv and runs.

Why: `pip install provenance` installs an unrelated project; ours is `provenance-check`, and
what a user gets is the wheel, not this checkout (data files, py.typed and LICENSE must be in
it, the command must start without the source tree on the path).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLES

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
DIST = "provenance-check"


def test_metadata_names_a_free_distribution_and_its_files():
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["name"] == DIST
    assert project["license"] == "MIT" and (REPO / "LICENSE").is_file()
    assert "MIT License" in (REPO / "LICENSE").read_text("utf-8")
    assert (REPO / "provenance" / "py.typed").is_file()
    urls = project["urls"]
    repo = "https://github.com/provenance-check/provenance"
    assert all(u.startswith(repo) for u in urls.values())
    assert "Typing :: Typed" in project["classifiers"]
    readme = (REPO / "README.md").read_text("utf-8")
    assert f"pip install {DIST}" in readme
    # A package page has no repository beside it: every link must be absolute.
    relative = re.findall(r"\]\((?!https?://|#|mailto:)([^)\s]+)\)", readme)
    assert not relative, relative


def test_no_hint_installs_someone_elses_package():
    """Every `pip install` of ours names the distribution, never bare `provenance`."""
    hits = []
    for path in [*REPO.glob("provenance/**/*.py"), *REPO.glob("docs/*.md"), REPO / "README.md"]:
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if "pip install 'provenance[" in line or "pip install provenance\n" in line + "\n":
                hits.append(f"{path.relative_to(REPO)}:{number}")
            if "pip install provenance " in line or "pip install 'provenance " in line:
                hits.append(f"{path.relative_to(REPO)}:{number}")
    assert not hits, hits


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (found,) = out.glob("provenance_check-*.whl")
    return found


def test_wheel_holds_data_types_and_licence(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "provenance/py.typed" in names
    assert "provenance/data/generators.toml" in names and "provenance/data/weights.toml" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), names[-10:]
    assert not any(n.startswith(("tests/", "samples/", "bench/")) for n in names)
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(meta).decode()
    assert f"Name: {DIST}" in text and "Project-URL: Source, https://github.com/" in text


def test_wheel_installs_and_runs_in_a_clean_venv(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    py = env_dir / "bin" / "python"
    installed = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    cmd = env_dir / "bin" / "provenance"
    # Run from an empty folder: the source tree must not be what gets imported.
    version = subprocess.run(
        [str(cmd), "--version"], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("provenance ") and "c2pa-python" in version.stdout
    where = subprocess.run(
        [str(py), "-c", "import provenance; print(provenance.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert str(env_dir) in where.stdout, where.stdout + where.stderr
    sample = SAMPLES / "credentials" / "gen_image.jpg"
    result = subprocess.run(
        [str(cmd), "check", "--json", "--detectors", "", str(sample)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    report = json.loads(result.stdout)
    expected = json.loads((SAMPLES / "credentials" / "EXPECTED.json").read_text("utf-8"))
    state = expected["samples"]["gen_image.jpg"]["without_trust_anchor"]["state"]
    assert report["c2pa"]["state"] == state, report["c2pa"]
    assert report["verdict"]["ai_generated"] in ("yes", "likely"), report["verdict"]
    assert result.returncode == 1, result.stderr
