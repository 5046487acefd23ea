"""Refresh the bundled C2PA Conformance Program snapshot from a conformance-public checkout.

Run:  .venv/bin/python provenance/data/c2pa/refresh.py /path/to/conformance-public

The files are copied byte for byte (the trust lists, the Conforming Products List, the
compiled Asset Rubrics and the CC-BY 4.0 licence), and SNAPSHOT.toml is rewritten with the
source commit, its date (the snapshot date) and each file's SHA-256. The checkout must be a
git clone: the snapshot date is the commit date, not today's date, so that a stale copy is
never presented as fresh. Nothing is downloaded: fetch or pull the checkout yourself.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Source path in conformance-public -> name in this folder.
FILES = {
    "LICENSE": "LICENSE",
    "trust-list/C2PA-TRUST-LIST.pem": "C2PA-TRUST-LIST.pem",
    "trust-list/C2PA-TRUST-LIST.json": "C2PA-TRUST-LIST.json",
    "trust-list/C2PA-TSA-TRUST-LIST.pem": "C2PA-TSA-TRUST-LIST.pem",
    "trust-list/C2PA-TSA-TRUST-LIST.json": "C2PA-TSA-TRUST-LIST.json",
    "conforming-products/conforming-products-list.json": "conforming-products-list.json",
    "asset-rubrics/asset-rubric-signals-local.yml": "rubrics/asset-rubric-signals-local.yml",
    "asset-rubrics/asset-rubric-integrity.yml": "rubrics/asset-rubric-integrity.yml",
    "asset-rubrics/asset-rubric-conformance0.1-spec2.2.yml": (
        "rubrics/asset-rubric-conformance0.1-spec2.2.yml"
    ),
    "asset-rubrics/asset-rubric-conformance0.2-spec2.2.yml": (
        "rubrics/asset-rubric-conformance0.2-spec2.2.yml"
    ),
    "asset-rubrics/asset-rubric-conformance0.2-spec2.4.yml": (
        "rubrics/asset-rubric-conformance0.2-spec2.4.yml"
    ),
}
# Kept from the previous SNAPSHOT.toml: a policy of this project, not a fact of the source.
MAX_AGE_DAYS = 180


def git(checkout: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(checkout), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    checkout = Path(argv[1]).resolve()
    missing = [src for src in FILES if not (checkout / src).is_file()]
    if missing:
        print(f"not a conformance-public checkout, missing: {missing}", file=sys.stderr)
        return 1
    commit = git(checkout, "rev-parse", "HEAD")
    date = git(checkout, "log", "-1", "--format=%cI")
    lines = [
        "# The bundled C2PA Conformance Program snapshot (written by refresh.py).",
        "# source: c2pa-org/conformance-public, licence CC-BY 4.0 (LICENSE here).",
        "# snapshot_date is the source commit's date; max_age_days is this project's policy:",
        "# the C2PA Trust List changes as certificate authorities join (the public repository",
        "# logs hundreds of list updates a year), so a copy older than this is reported stale,",
        "# as is one past the list's own NextUpdate.",
        'source = "c2pa-org/conformance-public"',
        f'commit = "{commit}"',
        f'snapshot_date = "{date}"',
        f"max_age_days = {MAX_AGE_DAYS}",
        "",
        "[sha256]",
    ]
    for src, dst in FILES.items():
        target = HERE / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(checkout / src, target)
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        lines.append(f'"{dst}" = "{digest}"')
    (HERE / "SNAPSHOT.toml").write_text("\n".join(lines) + "\n", "utf-8")
    print(f"snapshot of {commit[:12]} ({date}) written to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
