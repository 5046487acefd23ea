"""The package's data files (generator knowledge, code tables, weights), read once."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_toml(name: str) -> dict[str, Any]:
    text = resources.files("provenance").joinpath(f"data/{name}").read_text("utf-8")
    return tomllib.loads(text)


def source_type(uri: str | None) -> tuple[str, dict[str, Any]] | None:
    """IPTC digital source type URI (or bare code) to (code, its entry in source_types.toml)."""
    if not uri:
        return None
    code = str(uri).rstrip("/").rsplit("/", 1)[-1].strip()
    table = load_toml("source_types.toml")["codes"]
    lowered = {k.lower(): k for k in table}
    key = lowered.get(code.lower())
    return (key, table[key]) if key else None
