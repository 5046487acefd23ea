"""The real-world corpus manifest: entries, where their files land, what they must show.

Shared by fetch.py (assembles the folder), score.py (scores provenance) and peer.py (scores the
peer tool), so that all three read the manifest one way.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.toml"
DEFAULT_CORPUS = Path("/work/corpus")

# The stripping kinds a negative must not be charged with ("reencoded" is informational).
STRIP_KINDS = ("c2pa-invalidated", "c2pa-removed", "visible-watermark-removed", "cropped")
NOT_YES_OR_LIKELY = "not_yes_or_likely"


@dataclass(frozen=True)
class Entry:
    """One corpus file: its origin, its checksum and the report fields it must show."""

    id: str
    source: str  # "github" or "shared"
    path: str
    sha256: str
    size: int
    kind: str
    description: str
    repo: str = ""
    commit: str = ""
    licence: str = ""
    signal: str = ""
    evidence: tuple[str, ...] = ()
    stretch: bool = False
    stretch_reason: str = ""
    expect: dict[str, Any] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        """Name inside the corpus folder: the id plus the source file's own suffix."""
        return self.id + PurePosixPath(self.path).suffix

    @property
    def negative(self) -> bool:
        """A file no generator made: any yes/likely AI call on it is a false claim."""
        return self.expect.get("ai_generated") == NOT_YES_OR_LIKELY

    @property
    def origin(self) -> str:
        if self.source == "shared":
            return f"shared:{self.path}"
        return f"{self.repo}@{self.commit[:12]}:{self.path}"


def load(manifest: Path = MANIFEST) -> list[Entry]:
    """Read the manifest; unknown keys are ignored so the format can grow."""
    data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    known = set(Entry.__dataclass_fields__)
    entries = []
    for raw in data.get("file", []):
        kw = {k: v for k, v in raw.items() if k in known}
        kw["evidence"] = tuple(kw.get("evidence", ()))
        kw["expect"] = dict(raw.get("expect", {}))
        entries.append(Entry(**kw))
    ids = [e.id for e in entries]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ValueError(f"duplicate ids in {manifest}: {sorted(dupes)}")
    return entries
