"""Strict loading of the knowledge tables: one schema per file, checked key by key.

tomllib parses TOML but knows nothing of meaning: a misspelt key (``c2pa_singer``) or an
enum value nobody reads (``layout = "moveing"``) would silently turn a signal off. Every
entry of a knowledge table is therefore checked against its table's schema. Unknown keys,
wrong types, values outside an enum, patterns that do not compile and missing required keys
are errors naming the file and the line (tomllib keeps no positions, so lines are found by
scanning the text for the entry's table header and the key's assignment).

Users add or override entries from their own files (same schema). An entry whose id is
already known is an error unless it says ``replaces = true``: overriding the bundled
knowledge must be deliberate. The tables in use are fingerprinted (``TableFile.sha256``)
so that a report can say which knowledge produced it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from provenance.knowledge.datafiles import TOMLDecodeError, parse_toml

MAX_ERRORS = 20  # errors listed per file before the message is cut
BUNDLED = "provenance/data/"  # how the package's own table files are named in origins


class DataError(ValueError):
    """A knowledge file breaks its schema; the message names file, line and key."""


@dataclass(frozen=True)
class Key:
    """One key of a table: its type and what values it admits."""

    type: type | tuple[type, ...]
    required: bool = False
    choices: tuple[Any, ...] = ()  # allowed values (for lists: of each item)
    item: Key | Table | None = None  # list items: a value spec, or an inline table spec
    length: int | None = None  # exact list length (pairs, triples)
    regex: bool = False  # a Python ``re`` pattern (or a list of them): must compile
    match: str | None = None  # the string must fullmatch this pattern
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Table:
    """A (sub-)table: ``[[name]]`` when ``many``, else ``[name]``."""

    keys: dict[str, Key | Table]
    many: bool = True


@dataclass(frozen=True)
class TableSpec:
    """One knowledge file: its top-level array, the entry schema, the id key, the version."""

    file: str  # bundled file name under provenance/data/
    array: str  # the top-level array of tables ("generator")
    entry: Table
    id_key: str  # the key that identifies an entry ("id", "code", "alg")
    schema: int  # the schema version this code reads


@dataclass(frozen=True)
class Origin:
    """Where an entry was written: for error messages and reports."""

    file: str
    line: int


@dataclass(frozen=True)
class TableFile:
    """One file that contributed to a loaded table."""

    table: str
    path: str
    schema: int
    sha256: str
    entries: int


@dataclass
class Loaded:
    """A table's entries (validated plain dicts, in order) and the files they came from."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)
    files: list[TableFile] = field(default_factory=list)


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?\s*(?:#.*)?$")


class _Locator:
    """Line numbers of tables and keys in a TOML text (1-based; 0 when not found)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[tuple[int, str, bool]] = []  # (index, name, is_array)
        in_multiline: str | None = None
        for i, line in enumerate(self.lines):
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    in_multiline = quote
            found = _HEADER.match(line)
            if found and not in_multiline:
                self.headers.append((i, found.group(2), found.group(1) == "[["))

    def entry(self, array: str, index: int) -> tuple[int, int]:
        """(first, end) line indices of the index-th ``[[array]]`` table and its sub-tables."""
        starts = [h for h in self.headers if h[1] == array and h[2]]
        if index >= len(starts):
            return 0, 0
        first = starts[index][0]
        end = len(self.lines)
        for pos, name, _ in self.headers:
            if pos > first and not name.startswith(array + "."):
                end = pos
                break
        return first, end

    def sub(self, span: tuple[int, int], name: str, index: int) -> tuple[int, int]:
        first, end = span
        inside = [h for h in self.headers if first < h[0] < end and h[1] == name]
        if index >= len(inside):
            return span
        start = inside[index][0]
        nxt = [h[0] for h in self.headers if start < h[0] < end]
        return start, nxt[0] if nxt else end

    def key(self, span: tuple[int, int], key: str) -> int:
        first, end = span
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        stop = end
        for pos, _, _ in self.headers:  # the table's own keys end at its first sub-table
            if first < pos < end:
                stop = pos
                break
        for i in range(first, stop):
            if pattern.match(self.lines[i]):
                return i + 1
        return first + 1 if self.lines else 0


class _Checker:
    def __init__(self, file: str, locator: _Locator) -> None:
        self.file = file
        self.loc = locator
        self.errors: list[str] = []

    def error(self, line: int, what: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(f"{self.file}:{line}: {what}")

    def table(self, value: Any, spec: Table, span: tuple[int, int], label: str, prefix: str):
        if not isinstance(value, dict):
            self.error(span[0] + 1, f"{label}: expected a table, got {type(value).__name__}")
            return
        for name in value:
            if name not in spec.keys:
                known = ", ".join(sorted(spec.keys))
                self.error(
                    self.loc.key(span, name), f"{label}: unknown key {name!r} (known: {known})"
                )
        for name, key in spec.keys.items():
            present = name in value
            if isinstance(key, Table):
                if not present:
                    continue
                header = f"{prefix}.{name}"
                if key.many:
                    items = value[name]
                    if not isinstance(items, list):
                        self.error(span[0] + 1, f"{label}: {name} must be [[{header}]] tables")
                        continue
                    for j, item in enumerate(items):
                        sub = self.loc.sub(span, header, j)
                        self.table(item, key, sub, f"{label} [[{header}]] #{j + 1}", header)
                else:
                    sub = self.loc.sub(span, header, 0)
                    self.table(value[name], key, sub, f"{label} [{header}]", header)
                continue
            if not present:
                if key.required:
                    self.error(span[0] + 1, f"{label}: missing required key {name!r}")
                continue
            self.value(value[name], key, self.loc.key(span, name), f"{label}: {name}")

    def value(self, value: Any, key: Key, line: int, label: str) -> None:
        if isinstance(value, bool) and bool not in _types(key.type):
            self.error(line, f"{label} must be {_type_name(key.type)}, not a boolean")
            return
        if not isinstance(value, key.type) and not (
            isinstance(value, int) and float in _types(key.type) and not isinstance(value, bool)
        ):
            self.error(line, f"{label} must be {_type_name(key.type)}, got {value!r}")
            return
        if isinstance(value, list):
            if key.length is not None and len(value) != key.length:
                self.error(line, f"{label} must have {key.length} items, got {len(value)}")
            for item in value:
                if isinstance(key.item, Key):
                    self.value(item, key.item, line, f"{label} item")
                elif isinstance(key.item, Table):
                    self.table(item, key.item, (line - 1, line), label, label)
            return
        if key.choices and value not in key.choices:
            choices = ", ".join(repr(c) for c in key.choices)
            self.error(line, f"{label} = {value!r} is not one of {choices}")
        if isinstance(value, str):
            if key.match and not re.fullmatch(key.match, value):
                self.error(line, f"{label} = {value!r} does not match {key.match}")
            if key.regex:
                try:
                    re.compile(value)
                except re.error as exc:
                    self.error(line, f"{label}: pattern {value!r} does not compile: {exc}")
        if isinstance(value, (int, float)):
            if key.minimum is not None and value < key.minimum:
                self.error(line, f"{label} = {value} is below {key.minimum}")
            if key.maximum is not None and value > key.maximum:
                self.error(line, f"{label} = {value} is above {key.maximum}")


def _types(t: type | tuple[type, ...]) -> tuple[type, ...]:
    return t if isinstance(t, tuple) else (t,)


def _type_name(t: type | tuple[type, ...]) -> str:
    names = {str: "a string", bool: "true/false", int: "an integer", float: "a number"}
    names[list] = "a list"
    names[dict] = "a table"
    return " or ".join(names.get(x, x.__name__) for x in _types(t))


def _parse(
    spec: TableSpec, text: str, source: str, validate: bool = True
) -> tuple[list[dict[str, Any]], list[Origin]]:
    """Entries and where each starts. ``validate=False`` skips the key-by-key check (for the
    bundled tables, which ``check_bundled`` validates in the tests: ~10 ms per start-up)."""
    try:
        data = parse_toml(text)
    except TOMLDecodeError as exc:
        raise DataError(f"{source}: not valid TOML: {exc}") from exc
    loc = _Locator(text)
    check = _Checker(source, loc)
    for name in data:
        if name not in ("schema", spec.array):
            check.error(
                loc.key((0, len(loc.lines)), name),
                f"unknown top-level key {name!r} (expected 'schema' and [[{spec.array}]])",
            )
    version = data.get("schema")
    if version is None:
        check.error(1, f"missing 'schema = {spec.schema}' (the file's schema version)")
    elif version != spec.schema or isinstance(version, bool):
        check.error(
            loc.key((0, len(loc.lines)), "schema"),
            f"schema = {version!r}, but this version of provenance reads schema {spec.schema}",
        )
    entries = data.get(spec.array, [])
    if not isinstance(entries, list):
        check.error(1, f"{spec.array} must be [[{spec.array}]] tables")
        entries = []
    origins = []
    for i, entry in enumerate(entries):
        span = loc.entry(spec.array, i)
        ident = entry.get(spec.id_key) if isinstance(entry, dict) else None
        label = f"[[{spec.array}]] {spec.id_key}={ident!r}" if ident else f"[[{spec.array}]] #{i}"
        if validate:
            check.table(entry, spec.entry, span, label, spec.array)
        origins.append(Origin(source, span[0] + 1))
    if check.errors:
        more = "" if len(check.errors) < MAX_ERRORS else f"\n(first {MAX_ERRORS} errors shown)"
        raise DataError("\n".join(check.errors) + more)
    return entries, origins


# Parsed and validated files by (table, source, content digest): a check asks for a table
# twice (its entries, and the data version for the report), and a process checks many files
# with the same tables; parsing and validating generators.toml alone costs ~20 ms. Entries
# are shared, so callers must not mutate them (none does: they are read into records).
_PARSED: dict[tuple[str, str, str], tuple[list[dict[str, Any]], list[Origin]]] = {}


def _parsed(
    spec: TableSpec, text: str, source: str, digest: str
) -> tuple[list[dict[str, Any]], list[Origin]]:
    key = (spec.array, source, digest)
    if key not in _PARSED:
        if len(_PARSED) >= 64:  # a long-running process whose user files keep changing
            _PARSED.clear()
        _PARSED[key] = _parse(spec, text, source, validate=not source.startswith(BUNDLED))
    return _PARSED[key]


def check_bundled(spec: TableSpec) -> None:
    """Validate the bundled table key by key (a check skips this: the package's own files
    are checked by the tests, a user's files on every load)."""
    _parse(spec, bundled_text(spec.file), f"{BUNDLED}{spec.file}")


def text_sha256(text: str) -> str:
    """A table file's digest, as ``TableFile.sha256`` records it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def bundled_sha256(spec: TableSpec) -> str:
    """The digest ``load`` records for the bundled file of ``spec``."""
    return text_sha256(bundled_text(spec.file))


def bundled_text(name: str) -> str:
    return resources.files("provenance").joinpath(f"data/{name}").read_text("utf-8")


def load(spec: TableSpec, extra: Iterable[str] = ()) -> Loaded:
    """The bundled table, then each extra file in order, validated and merged by id."""
    out = Loaded()
    index: dict[Any, int] = {}
    sources: list[tuple[str, str]] = [(f"{BUNDLED}{spec.file}", bundled_text(spec.file))]
    for path in extra:
        try:
            sources.append((str(path), Path(path).read_text("utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(f"{path}: cannot read {spec.file}-style table: {exc}") from exc
    for source, text in sources:
        digest = text_sha256(text)
        entries, origins = _parsed(spec, text, source, digest)
        seen: set[Any] = set()
        for entry, origin in zip(entries, origins, strict=True):
            ident = entry[spec.id_key]
            if ident in seen:
                raise DataError(f"{origin.file}:{origin.line}: duplicate {spec.id_key} {ident!r}")
            seen.add(ident)
            if ident in index:
                if not entry.get("replaces"):
                    first = out.origins[index[ident]]
                    raise DataError(
                        f"{origin.file}:{origin.line}: {spec.id_key} {ident!r} is already "
                        f"defined at {first.file}:{first.line}; write 'replaces = true' "
                        "to override it"
                    )
                out.entries[index[ident]] = entry
                out.origins[index[ident]] = origin
            else:
                if entry.get("replaces"):
                    raise DataError(
                        f"{origin.file}:{origin.line}: 'replaces = true' but no earlier "
                        f"{spec.id_key} {ident!r} to replace"
                    )
                index[ident] = len(out.entries)
                out.entries.append(entry)
                out.origins.append(origin)
        out.files.append(TableFile(spec.file, source, spec.schema, digest, len(entries)))
    return out


def fingerprint(files: Sequence[TableFile]) -> str:
    """One short digest for a set of table files (order-sensitive: order is meaning)."""
    return fingerprint_of((f.table, f.schema, f.sha256) for f in files)


def fingerprint_of(parts: Iterable[tuple[str, int, str]]) -> str:
    """``fingerprint`` of (table file name, schema, sha256 of the text) per file."""
    h = hashlib.sha256()
    for table, version, sha256 in parts:
        h.update(f"{table}\0{version}\0{sha256}\n".encode())
    return h.hexdigest()[:16]


# The user's extra files per table, chosen by the check's options (CheckOptions
# ``*_files``, set by pipeline.check through ``tables.use_extra_files``): never by the
# environment, so a library caller gets only what it asked for, and a worker process gets
# what the options it receives say.
_explicit: dict[str, tuple[str, ...]] = {}
_cache_clears: list[Callable[[], None]] = []


def use_extra_files(spec: TableSpec, paths: Sequence[str] | None) -> None:
    """Load ``paths`` (in order) after the bundled table; ``None`` or () loads the bundled
    table alone. Caches are cleared only when the choice changes (checks call this per file)."""
    chosen = tuple(str(p) for p in paths or ())
    if _explicit.get(spec.array, ()) == chosen:
        return
    if chosen:
        _explicit[spec.array] = chosen
    else:
        _explicit.pop(spec.array, None)
    for clear in _cache_clears:
        clear()


def extra_files(spec: TableSpec) -> tuple[str, ...]:
    return _explicit.get(spec.array, ())


def on_change(clear: Callable[[], None]) -> None:
    """Register a cache to clear when the extra files change."""
    _cache_clears.append(clear)
