"""Settings checked once, before any file is opened: a trust file that is not PEM or a
generator table that does not load would otherwise fail every file of a long scan, or
surface as a traceback after the work is done. One line, exit 2, naming the flag and, for a
value from a configuration file or variable, where it came from.
"""

from __future__ import annotations

import binascii
import os

import click
from click.core import ParameterSource

from provenance.cli import config
from provenance.cli.outputs import fail
from provenance.formatters.printable import printable

MAX_TRUST_BYTES = 64 * 1024 * 1024  # a trust list of tens of thousands of roots fits


def _named(param: str, flag: str, path: str) -> str:
    """``--trust-anchors roots.pem`` or ``--trust-anchors roots.pem (from provenance.toml)``."""
    text = f"{flag} {printable(path)}"
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.get_parameter_source(param) is ParameterSource.DEFAULT_MAP:
        where = config.origin_of(ctx.meta.get("settings", {}), param)
        if where:
            text += f" (from {printable(where)})"
    return text


def trust_anchors(path: str, setting: str = "trust_anchors", flag: str = "--trust-anchors") -> None:
    """A PEM file of certificates (trust anchors, or the allowed list), checked once."""
    from provenance.readers.credentials.trust import pem_certificates

    what = _named(setting, flag, path)
    try:
        if os.path.isdir(path):
            fail(f"{what} is a folder, not a PEM file")
        with open(path, "rb") as fh:
            data = fh.read(MAX_TRUST_BYTES + 1)
    except OSError as exc:
        fail(f"cannot read {what}: {exc.strerror or exc}")
    if len(data) > MAX_TRUST_BYTES:
        fail(f"{what} is over {MAX_TRUST_BYTES >> 20} MiB: not a PEM file of certificates")
    try:
        found = pem_certificates(data.decode("ascii"))
    except (UnicodeDecodeError, binascii.Error, ValueError):
        found = []
    if not found or not all(_looks_like_der(der) for der in found):
        fail(f"{what} holds no PEM certificate (-----BEGIN CERTIFICATE----- blocks expected)")


def _looks_like_der(der: bytes) -> bool:
    """A certificate is a DER SEQUENCE; base64 of anything else decodes too."""
    return len(der) > 64 and der[0] == 0x30


TABLE_FLAGS = {  # CheckOptions field -> (flag, knowledge module)
    "generators_files": ("--generators", "generators"),
    "model_family_files": ("--model-families", "model_families"),
    "tc260_files": ("--tc260-producers", "tc260"),
    "soft_binding_files": ("--soft-bindings", "soft_bindings"),
}


def table_files(files: dict[str, tuple[str, ...]]) -> None:
    """Load each extra knowledge table file once, alone after the bundled table: a file
    that breaks its schema would otherwise fail every check of the scan."""
    import importlib

    from provenance.knowledge import schema

    for option, paths in files.items():
        flag, module = TABLE_FLAGS[option]
        spec = importlib.import_module(f"provenance.knowledge.{module}").SPEC
        for path in paths:
            what = _named(flag.lstrip("-").replace("-", "_"), flag, path)
            try:
                schema.load(spec, (path,))
            except schema.DataError as exc:
                fail(f"{what}: {' '.join(str(exc).split())}")
            except (OSError, ValueError) as exc:
                fail(f"{what} cannot be loaded: {' '.join(str(exc).split())}")


def settings(
    trust: str | None, tables: dict[str, tuple[str, ...]], extra: dict[str, str] | None = None
) -> None:
    if trust:
        trust_anchors(trust)
    extra = extra or {}
    if extra.get("trust_allowed_list"):
        trust_anchors(extra["trust_allowed_list"], "allowed_list", "--allowed-list")
    table_files(tables)
