"""Rules: facts and observations in, evidence records out (see ``base`` for the contract).

Every module in this folder is a set of rules; ``load`` imports them all, so adding a rule is
adding a function with ``@rule(kind)`` to a module here (or a new module) plus its data
section in ``data/weights.toml``. A built-in module that fails to import raises.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from provenance.model.records import Evidence, Watermark
from provenance.rules import base
from provenance.rules.base import RULES, STAGES, Facts, Judged, Rule, rule

__all__ = ["RULES", "STAGES", "Facts", "Judged", "Rule", "load", "rule", "run"]


@cache
def load() -> dict[str, Rule]:
    """Import every rule module of the package (once) and return the registry."""
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_") and info.name != "base":
            importlib.import_module(f"{__name__}.{info.name}")
    return RULES


def run(stage: str, context: Facts | Judged) -> tuple[list[Evidence], list[Watermark]]:
    """Every rule of ``stage`` (all rule modules loaded first), in registration order."""
    load()
    return base.run(stage, context)
