"""The knowledge tables in use, as one version for reports.

A verdict depends on the tables it was made with (a new generator entry can turn "unknown"
into a name), so a report should say which ones: ``data_version()`` digests the bundled
files and the user's extra files, in order, per table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from provenance.knowledge import generators, model_families, schema, soft_bindings, tc260
from provenance.knowledge.schema import TableFile

SPECS = (generators.SPEC, model_families.SPEC, tc260.SPEC, soft_bindings.SPEC)


@dataclass(frozen=True)
class DataVersion:
    """The digest a report carries, and the table files it was made from."""

    digest: str  # 16 hex characters over every file below
    files: tuple[TableFile, ...] = field(default_factory=tuple)


def data_version() -> DataVersion:
    """Which knowledge made this answer: a digest of every table file in use."""
    return _version(tuple(schema.extra_files(spec) for spec in SPECS))


@lru_cache(maxsize=4)
def _version(extras: tuple[tuple[str, ...], ...]) -> DataVersion:
    files: list[TableFile] = []
    for spec, extra in zip(SPECS, extras, strict=True):
        files += schema.load(spec, extra).files
    return DataVersion(schema.fingerprint(files), tuple(files))


def digest() -> str:
    """``data_version().digest`` without parsing a bundled table that no check has loaded
    (on a plain still, three of the four: ~7 ms of a cold start): a bundled file enters the
    digest as its name, the schema this package reads and the sha256 of its text, all known
    unparsed (``check_bundled`` in the tests holds each file to that schema). The user's
    extra files are loaded as before, so a broken one still fails here."""
    return _digest(tuple(schema.extra_files(spec) for spec in SPECS))


@lru_cache(maxsize=4)
def _digest(extras: tuple[tuple[str, ...], ...]) -> str:
    parts: list[tuple[str, int, str]] = []
    for spec, extra in zip(SPECS, extras, strict=True):
        if extra:
            parts += [(f.table, f.schema, f.sha256) for f in schema.load(spec, extra).files]
        else:
            parts.append((spec.file, spec.schema, schema.bundled_sha256(spec)))
    return schema.fingerprint_of(parts)


def load_all() -> None:
    """Load (and so validate) every table; raises schema.DataError on the first bad file."""
    generators.load()
    model_families.load()
    tc260.load()
    soft_bindings.load()


def use_extra_files(
    *,
    generators_files: tuple[str, ...] | None = None,
    model_family_files: tuple[str, ...] | None = None,
    tc260_files: tuple[str, ...] | None = None,
    soft_binding_files: tuple[str, ...] | None = None,
) -> None:
    """One call for CheckOptions: the user's extra files per table (None: bundled only)."""
    generators.use_extra_files(generators_files)
    model_families.use_extra_files(model_family_files)
    tc260.use_extra_files(tc260_files)
    soft_bindings.use_extra_files(soft_binding_files)
