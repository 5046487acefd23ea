"""Settings from configuration files and environment variables, as defaults for the flags.

Why: a newsroom or a trust-and-safety team runs the same scan every day with the same trust
anchors, in-house generator table and excludes; typing them each time invites a run that
silently lacks one. Sources, later ones winning, each key on its own:

1. the user's file: ``$XDG_CONFIG_HOME/provenance/config.toml`` (``~/.config/...``);
2. ``[tool.provenance]`` in ``pyproject.toml`` in the current folder;
3. ``provenance.toml`` in the current folder;
   (``--config FILE`` or ``$PROVENANCE_CONFIG`` names one file instead of 1-3;)
4. environment variables ``PROVENANCE_<KEY>`` (``PROVENANCE_TRUST_ANCHORS=roots.pem``);
5. the command line.

Paths in a file are relative to that file's folder. A bad file or value ends the command
before any work, with one line naming the file and the key (exit 2).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provenance.knowledge.datafiles import TOMLDecodeError, parse_toml
from provenance.scanning.exit_codes import FAIL_ON

ENV_PREFIX = "PROVENANCE_"
CONFIG_ENV = "PROVENANCE_CONFIG"
FILE_NAME = "provenance.toml"
COLORS = ("auto", "always", "never")
BOTH = ("check", "scan")
SCAN = ("scan",)


class ConfigError(ValueError):
    """A setting that cannot be used; the message is one line naming where it came from."""


def _path(value: Any, base: Path | None) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError("expected a path (a string)")
    path = Path(os.path.expanduser(value))
    return str(path if path.is_absolute() or base is None else base / path)


def _paths(value: Any, base: Path | None) -> tuple[str, ...]:
    """One path or a list of them (extra knowledge tables, applied in order)."""
    items = value if isinstance(value, list) else [value]
    return tuple(_path(item, base) for item in items)


def _bool(value: Any, base: Path | None) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on"):
        return True
    if isinstance(value, str) and value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise TypeError("expected true or false")


def _not(value: Any, base: Path | None) -> bool:
    """``bundled_trust = false`` is the default of ``--no-bundled-trust``."""
    return not _bool(value, base)


def _number(kind: type) -> Callable[[Any, Path | None], Any]:
    def convert(value: Any, base: Path | None) -> Any:
        if isinstance(value, bool):
            raise TypeError(f"expected {'an integer' if kind is int else 'a number'}")
        try:
            return kind(value) if isinstance(value, (int, float, str)) else kind(None)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"expected {'an integer' if kind is int else 'a number'}") from exc

    return convert


def _names(value: Any, base: Path | None) -> str:
    """Detector names: a list or a comma-separated string, given to --detectors as text."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    raise TypeError("expected a list of names")


def _globs(value: Any, base: Path | None) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(g.strip() for g in value.split(",") if g.strip())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise TypeError("expected a list of globs")


def _choice(choices: tuple[str, ...]) -> Callable[[Any, Path | None], str]:
    def convert(value: Any, base: Path | None) -> str:
        if value not in choices:
            raise TypeError(f"expected one of {', '.join(choices)}")
        return value

    return convert


@dataclass(frozen=True)
class Setting:
    """One configuration key: the flag it gives a default to, its commands and its converter."""

    param: str  # the click parameter it is a default for
    commands: tuple[str, ...]
    convert: Callable[[Any, Path | None], Any]


SETTINGS: dict[str, Setting] = {
    "trust_anchors": Setting("trust_anchors", BOTH, _path),
    "generators": Setting("generators", BOTH, _paths),
    "model_families": Setting("model_families", BOTH, _paths),
    "tc260_producers": Setting("tc260_producers", BOTH, _paths),
    "soft_bindings": Setting("soft_bindings", BOTH, _paths),
    "bundled_trust": Setting("no_bundled_trust", BOTH, _not),
    "allow_network": Setting("allow_network", BOTH, _bool),
    "depth": Setting("depth", BOTH, _choice(("full", "quick"))),
    "detectors": Setting("detectors", BOTH, _names),
    "frames": Setting("max_frames", BOTH, _number(int)),
    "sample_fps": Setting("sample_fps", BOTH, _number(float)),
    "timeout": Setting("timeout_s", BOTH, _number(float)),
    "memory_limit": Setting("memory_limit_mb", BOTH, _number(int)),
    "fail_on": Setting("fail_on", BOTH, _choice(tuple(FAIL_ON))),
    "color": Setting("color", BOTH, _choice(COLORS)),
    "verbose": Setting("verbose", BOTH, _bool),
    "include": Setting("include", SCAN, _globs),
    "exclude": Setting("exclude", SCAN, _globs),
    "jobs": Setting("jobs", SCAN, _number(int)),
    "hidden": Setting("hidden", SCAN, _bool),
    "follow_outside": Setting("follow_outside", SCAN, _bool),
}


@dataclass(frozen=True)
class Value:
    """A setting's converted value and where it came from, for error messages."""

    value: Any
    origin: str  # "provenance.toml", "$PROVENANCE_JOBS", ...


def user_config_file(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "provenance" / "config.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return parse_toml(fh.read().decode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except (TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {' '.join(str(exc).split())}") from exc


def _from_table(table: Any, where: str, base: Path) -> dict[str, Value]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table of settings")
    out: dict[str, Value] = {}
    for key, raw in table.items():
        setting = SETTINGS.get(key.replace("-", "_"))
        if setting is None:
            raise ConfigError(
                f"{where}: unknown setting {key!r} (known: {', '.join(sorted(SETTINGS))})"
            )
        try:
            out[key.replace("-", "_")] = Value(setting.convert(raw, base), where)
        except TypeError as exc:
            raise ConfigError(f"{where}: {key}: {exc}, got {raw!r}") from exc
    return out


def _files(explicit: str | None, cwd: Path, env: Mapping[str, str]) -> list[tuple[Path, str]]:
    """(file, table key or "") in the order they apply."""
    named = explicit or env.get(CONFIG_ENV)
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigError(f"configuration file {named} not found")
        return [(path, "tool.provenance" if path.name == "pyproject.toml" else "")]
    found = []
    user = user_config_file(env)
    if user.is_file():
        found.append((user, ""))
    if (cwd / "pyproject.toml").is_file():
        found.append((cwd / "pyproject.toml", "tool.provenance"))
    if (cwd / FILE_NAME).is_file():
        found.append((cwd / FILE_NAME, ""))
    return found


def load(
    explicit: str | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, Value]:
    """Every setting that applies, by key, with where it came from. Raises ConfigError."""
    cwd = Path.cwd() if cwd is None else cwd
    env = os.environ if env is None else env
    values: dict[str, Value] = {}
    for path, table_key in _files(explicit, cwd, env):
        data = _read_toml(path)
        if table_key:
            data = data.get("tool", {}).get("provenance")
            if data is None:
                continue  # a pyproject.toml without our table
        where = f"{path}" + (f" [{table_key}]" if table_key else "")
        values.update(_from_table(data, where, path.resolve().parent))
    for key, setting in SETTINGS.items():
        name = ENV_PREFIX + key.upper()
        if name in env:
            try:
                values[key] = Value(setting.convert(env[name], None), f"${name}")
            except TypeError as exc:
                raise ConfigError(f"${name}: {exc}, got {env[name]!r}") from exc
    return values


def default_map(values: Mapping[str, Value]) -> dict[str, dict[str, Any]]:
    """Click's ``default_map`` for the commands: settings become the flags' defaults."""
    out: dict[str, dict[str, Any]] = {}
    for key, found in values.items():
        setting = SETTINGS[key]
        for command in setting.commands:
            out.setdefault(command, {})[setting.param] = found.value
    return out


def origin_of(values: Mapping[str, Value], param: str) -> str | None:
    """Where the default of click parameter ``param`` came from, for error messages."""
    for key, found in values.items():
        if SETTINGS[key].param == param:
            return found.origin
    return None
