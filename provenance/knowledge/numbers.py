"""Every number of the project, in one of two homes.

``weights.toml``: what evidence is worth and when an observation is evidence, one section per
evidence kind (the id of the rule that emits it) plus the fusion sections. ``detectors.toml``:
how the detectors measure, one section per detector (or part of one). Both are read once.
Asking for a section that does not exist is an error, not a silent default: a typo must not
turn a rule off.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from provenance.knowledge.datafiles import load_toml

FUSION_SECTIONS = ("verdict", "attribution")


class Section(Mapping[str, Any]):
    """One data section; a missing key names the section and the file."""

    def __init__(self, file: str, name: str, values: Mapping[str, Any]) -> None:
        self.file, self.name, self._values = file, name, dict(values)

    def __getitem__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise KeyError(f"{self.file} [{self.name}] has no {key!r}") from None

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Section({self.file}:{self.name})"


@cache
def _weight_table() -> dict[str, Any]:
    """weights.toml: top-level tables only; kinds are quoted (["c2pa.generated"]) so they stay
    one level deep, and a table inside one is a value (``label = { "1" = 0.8 }``)."""
    return {k: v for k, v in load_toml("weights.toml").items() if isinstance(v, dict)}


@cache
def _detector_table() -> dict[str, Any]:
    """detectors.toml: sections nest by name (``[removal.holes]`` inside ``[removal]``);
    flattened to "removal.holes" with each section's own keys only."""
    out: dict[str, Any] = {}

    def walk(prefix: str, table: dict[str, Any]) -> None:
        out[prefix] = {k: v for k, v in table.items() if not isinstance(v, dict)}
        for key, value in table.items():
            if isinstance(value, dict):
                walk(f"{prefix}.{key}", value)

    for key, value in load_toml("detectors.toml").items():
        if isinstance(value, dict):
            walk(key, value)
    return out


def weights(kind: str) -> Section:
    """The numbers of one evidence kind (or fusion stage) from weights.toml."""
    table = _weight_table()
    if kind not in table:
        raise KeyError(f'weights.toml has no section ["{kind}"]')
    return Section("weights.toml", kind, table[kind])


def weight_sections() -> list[str]:
    return list(_weight_table())


def detector_params(name: str) -> Section:
    """The measurement parameters of one detector (or part: "removal.holes")."""
    table = _detector_table()
    if name not in table:
        raise KeyError(f"detectors.toml has no section [{name}]")
    return Section("detectors.toml", name, table[name])
