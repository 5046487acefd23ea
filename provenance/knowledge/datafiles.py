"""The package's data files (generator knowledge, code tables, weights), read once."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

# tomllib's own parser (the standard library took tomli 1.2), compiled with mypyc: the
# bundled tables parse in 5.7 ms instead of 16.6 ms; a cold check of a small still parsed
# ~10 ms of them (docs/performance.md, "Tables parsed with tomli").
import tomli

TOMLDecodeError = tomli.TOMLDecodeError


def parse_toml(text: str) -> dict[str, Any]:
    """Every TOML the package reads (data tables, trust snapshot, config) goes through here."""
    return tomli.loads(text)


@cache
def load_toml(name: str) -> dict[str, Any]:
    text = resources.files("provenance").joinpath(f"data/{name}").read_text("utf-8")
    return parse_toml(text)


def source_type(uri: str | None) -> tuple[str, dict[str, Any]] | None:
    """IPTC digital source type URI (or bare code) to (code, its entry in source_types.toml)."""
    if not uri:
        return None
    code = str(uri).rstrip("/").rsplit("/", 1)[-1].strip()
    table = load_toml("source_types.toml")["codes"]
    lowered = {k.lower(): k for k in table}
    key = lowered.get(code.lower())
    return (key, table[key]) if key else None
