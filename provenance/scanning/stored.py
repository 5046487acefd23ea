"""Reports read back from JSON Lines (``--resume``, an HTML page rendered from a file).

A stored line may be anything: a hand edit, another tool's JSON, a report whose fields have
the wrong types (a string confidence, a list verdict, a string ``watermarks``), which the
renderers would trip over. Each line is checked against the report schema, which is the
report's own dataclasses (``model/report.py`` and the records it holds): every field that
is present must have its declared type; unknown fields are allowed (a newer minor schema)
and so are missing ones (an older one), but ``path`` and ``status`` are required. A line
that fails is reported and skipped, never fatal.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from provenance.model.records import CLAIMS
from provenance.model.report import Report

ALLOWED = {  # fields whose values are a closed set (the renderers style by them)
    "status": ("ok", "error"),
    "verdict.ai_generated": ("yes", "likely", "unknown", "unlikely"),
    "verdict.marks_stripped": ("yes", "likely", "no", "unknown"),
    "evidence[].claim": CLAIMS,
}
MAX_LINE_PROBLEMS = 20  # bad lines named one by one; past this they are only counted


def _type_name(hint: Any) -> str:
    if hint is type(None):
        return "null"
    if hint in (int, float):
        return "a number" if hint is float else "an integer"
    if hint is str:
        return "a string"
    if hint is bool:
        return "true or false"
    origin = typing.get_origin(hint)
    if origin in (list, tuple):
        return "a list"
    if origin is dict or dataclasses.is_dataclass(hint):
        return "an object"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(dict.fromkeys(_type_name(a) for a in typing.get_args(hint)))
    return "any value"


def _got(value: Any) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean"}.get(
        type(value), "null" if value is None else "number"
    )


Checker = Callable[[Any, str], "str | None"]
_SCALARS: dict[Any, Callable[[Any], bool]] = {
    type(None): lambda v: v is None,
    str: lambda v: isinstance(v, str),
    bytes: lambda v: isinstance(v, str),  # raw bytes are written as text
    bool: lambda v: isinstance(v, bool),
    int: lambda v: isinstance(v, int) and not isinstance(v, bool),
    float: lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


def _wrong(hint: Any, value: Any, where: str) -> str:
    return f"{where or 'report'}: expected {_type_name(hint)}, got {_got(value)}"


@cache
def _checker(hint: Any) -> Checker:
    """A function that names the first place where a value does not fit ``hint`` (as one
    line) or returns None; built once per type, so a stored report is checked in one pass
    without looking at type hints again."""
    if hint is Any:
        return lambda value, where: None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint in _SCALARS:
        fits = _SCALARS[hint]
        return lambda value, where: None if fits(value) else _wrong(hint, value, where)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        nullable = len(inner) < len(args)
        if len(inner) == 1:
            one = _checker(inner[0])
            return lambda value, where: None if value is None and nullable else one(value, where)
        options = [_checker(a) for a in args]

        def union(value: Any, where: str) -> str | None:
            if any(check(value, where) is None for check in options):
                return None
            return _wrong(hint, value, where)

        return union
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        fields = [(f.name, _checker(hints[f.name])) for f in dataclasses.fields(hint)]

        def record(value: Any, where: str) -> str | None:
            if not isinstance(value, dict):
                return _wrong(hint, value, where)
            for name, check in fields:
                if name in value:
                    found = check(value[name], f"{where}.{name}" if where else name)
                    if found:
                        return found
            return None

        return record
    if origin in (list, tuple):
        fixed = origin is tuple and args and args[-1] is not Ellipsis
        items = [_checker(a) for a in args] if fixed else [_checker(args[0] if args else Any)]

        def sequence(value: Any, where: str) -> str | None:
            if not isinstance(value, list):
                return _wrong(hint, value, where)
            if fixed and len(value) != len(items):
                return f"{where}: expected {len(items)} items, got {len(value)}"
            for index, item in enumerate(value):
                found = (items[index] if fixed else items[0])(item, f"{where}[{index}]")
                if found:
                    return found
            return None

        return sequence
    if origin is dict:
        entry = _checker(args[1] if len(args) == 2 else Any)

        def mapping(value: Any, where: str) -> str | None:
            if not isinstance(value, dict):
                return _wrong(hint, value, where)
            for key, item in value.items():
                found = entry(item, f"{where}.{key}")
                if found:
                    return found
            return None

        return mapping
    return lambda value, where: None


def problem(data: Any) -> str | None:
    """Why ``data`` (one parsed JSON line) is not a report, or None."""
    if not isinstance(data, dict):
        return f"not a report: a JSON {_got(data)}, not an object"
    for required in ("path", "status"):
        if required not in data:
            return f"not a report: no {required!r}"
    found = _checker(Report)(data, "")
    if found:
        return found
    for where, allowed in ALLOWED.items():
        for value in _values(data, where.split(".")):
            if value is not None and value not in allowed:
                shown = where.replace("[]", "[…]")
                return f"{shown}: {str(value)[:40]!r} is not one of {', '.join(allowed)}"
    return None


def _values(data: Any, parts: list[str]) -> Iterator[Any]:
    if not parts:
        yield data
        return
    head, rest = parts[0], parts[1:]
    many = head.endswith("[]")
    key = head.removesuffix("[]")
    if not isinstance(data, dict) or key not in data:
        return
    value = data[key]
    for item in value if many and isinstance(value, list) else [value]:
        yield from _values(item, rest)


def read(path: str) -> Iterator[tuple[dict | None, str | None]]:
    """(report, None) for each valid line of ``path``, (None, "line N: why") for each other
    non-empty line. Undecodable bytes are replaced, so a damaged line is just invalid."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except (ValueError, RecursionError) as exc:
                yield None, f"line {number}: not JSON ({str(exc)[:80]})"
                continue
            try:
                why = problem(data)
            except RecursionError:
                why = "nested too deeply"
            yield (data, None) if why is None else (None, f"line {number}: {why}")


@dataclasses.dataclass
class Latest:
    """The reports of a stored file as a reader should take them: one per path."""

    reports: list[dict]  # the last report per path, at the place of its first
    problems: list[str]  # "line N: why" of each line that is not a valid report
    replaced: int = 0  # reports a later line for the same file took the place of


def latest(path: str) -> Latest:
    """``read``, keeping the last valid report per file (``paths.path_key`` of its
    ``path``): a file checked again by ``--resume`` (it changed) or ``--append`` has a
    later line, and the last one counts (docs/scanning.md)."""
    from provenance.scanning.paths import path_key

    by_path: dict[str, dict] = {}
    problems: list[str] = []
    valid = 0
    for data, why in read(path):
        if data is None:
            if why:
                problems.append(why)
            continue
        valid += 1
        by_path[path_key(data["path"])] = data
    return Latest(list(by_path.values()), problems, valid - len(by_path))
