"""Assemble the real-world corpus folder from git and verify every file's SHA-256 (issue 12).

    python bench/realworld/fetch.py [--dest /work/corpus] [--mirrors DIR ...] [--clone]

Each manifest entry names a public repository, a commit and a path. The file is read with
``git cat-file`` from the first place that has that commit:

- ``--mirrors DIR`` (repeatable; default ``/work/.mirror`` when it exists): a folder of bare
  mirrors or clones named ``owner+name`` (optionally with a ``repo/`` git dir inside, as the
  search tool's snapshots are) or ``owner/name``;
- ``--clone``: otherwise clone ``https://github.com/owner/name`` (blobless, no checkout) into
  ``--cache`` and fetch the commit if the clone lacks it. Off by default: the run is offline.

``source = "shared"`` entries are copied from ``--shared`` (the read-only shared fixtures).
Files already in place with the right checksum are left alone. Prints one line per file that
is missing or differs and a summary; exits 1 when anything is missing or differs.
Media are never committed to this repository; this script is how a checkout gets them.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import DEFAULT_CORPUS, MANIFEST, Entry, load  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MIRRORS = [Path("/work/.mirror")]
DEFAULT_SHARED = ROOT.parent / "shared" / "fixtures"
DEFAULT_CACHE = Path.home() / ".cache" / "provenance-realworld"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def git_dirs(repo: str, roots: list[Path]) -> list[Path]:
    """Candidate git directories for owner/name under each root, in the layouts we accept."""
    owner, name = repo.split("/", 1)
    out = []
    for root in roots:
        for base in (root / f"{owner}+{name}", root / owner / name):
            for d in (base / "repo", base):
                if (d / "HEAD").is_file() or (d / ".git").exists():
                    out.append(d)
    return out


def read_blob(gitdir: Path, commit: str, path: str) -> bytes | None:
    """The file's bytes at that commit, or None when this git dir does not hold them."""
    proc = subprocess.run(
        ["git", "-C", str(gitdir), "cat-file", "blob", f"{commit}:{path}"],
        capture_output=True,
        check=False,
    )
    return proc.stdout if proc.returncode == 0 else None


def clone(repo: str, commit: str, cache: Path) -> Path | None:
    """A blobless clone of the repository holding the commit (network), or None."""
    dest = cache / repo.replace("/", "+")
    url = f"https://github.com/{repo}"
    if not dest.exists():
        cmd = ["git", "clone", "--quiet", "--bare", "--filter=blob:none", url, str(dest)]
        if subprocess.run(cmd, check=False).returncode != 0:
            return None
    probe = subprocess.run(
        ["git", "-C", str(dest), "cat-file", "-e", f"{commit}^{{commit}}"], check=False
    )
    if probe.returncode != 0:
        fetch = ["git", "-C", str(dest), "fetch", "--quiet", "origin", commit]
        subprocess.run(fetch, check=False)
    return dest


def obtain(entry: Entry, args: argparse.Namespace) -> tuple[bytes | None, str]:
    """The entry's bytes and a word on where they came from (or why not)."""
    if entry.source == "shared":
        src = args.shared / entry.path
        return (src.read_bytes(), "shared") if src.is_file() else (None, f"not in {args.shared}")
    for gitdir in git_dirs(entry.repo, args.mirrors):
        data = read_blob(gitdir, entry.commit, entry.path)
        if data is not None:
            return data, str(gitdir)
    if args.clone:
        gitdir = clone(entry.repo, entry.commit, args.cache)
        if gitdir is not None:
            data = read_blob(gitdir, entry.commit, entry.path)
            if data is not None:
                return data, "clone"
        return None, "clone failed or commit/path gone upstream"
    return None, "no mirror holds it (try --mirrors DIR or --clone)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--dest", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    ap.add_argument("--mirrors", type=Path, action="append", help="folder of clones or mirrors")
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--clone", action="store_true", help="clone from GitHub what is missing")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where --clone clones go")
    args = ap.parse_args(argv)
    args.mirrors = args.mirrors or [d for d in DEFAULT_MIRRORS if d.is_dir()]

    entries = load(args.manifest)
    args.dest.mkdir(parents=True, exist_ok=True)
    counts = {"present": 0, "written": 0, "missing": 0, "mismatch": 0}
    for entry in entries:
        target = args.dest / entry.file_name
        if target.is_file() and sha256(target.read_bytes()) == entry.sha256:
            counts["present"] += 1
            continue
        data, where = obtain(entry, args)
        if data is None:
            counts["missing"] += 1
            print(f"MISSING  {entry.id}: {entry.origin} ({where})")
            continue
        digest = sha256(data)
        if digest != entry.sha256 or len(data) != entry.size:
            counts["mismatch"] += 1
            print(f"MISMATCH {entry.id}: {entry.origin} sha256 {digest} size {len(data)}")
            continue
        tmp = target.with_name(target.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(target)
        counts["written"] += 1
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    print(f"{len(entries)} entries in {args.dest}: {summary}")
    return 1 if counts["missing"] or counts["mismatch"] else 0


if __name__ == "__main__":
    sys.exit(main())
