"""Text helpers shared by rules and renderers."""

from __future__ import annotations


def short(text: object, limit: int = 80) -> str:
    """One line, at most ``limit`` characters (an ellipsis marks the cut)."""
    value = " ".join(str(text).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def and_list(items: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
