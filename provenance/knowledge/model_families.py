"""Model families, from ``data/model_families.toml``: which open model a file name belongs to.

A ComfyUI graph or an A1111 parameter line names files (``flux1-dev.safetensors``,
``wan2.1_t2v_1.3B_fp16.safetensors``), not products. This table turns such names into a
family (FLUX.1, Wan 2.1, ...), and the family into a generator of generators.toml where one
exists, so attribution stays data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from provenance.knowledge import schema
from provenance.knowledge.generators import MEDIA
from provenance.knowledge.schema import DataError, Key, Origin, Table, TableSpec

ROLES = ("checkpoint", "diffusion", "lora", "vae", "text-encoder", "controlnet", "any")

SPEC = TableSpec(
    file="model_families.toml",
    array="family",
    id_key="id",
    schema=1,
    entry=Table(
        {
            "id": Key(str, required=True, match=r"[a-z0-9][a-z0-9.\-]*"),
            "name": Key(str, required=True),
            "vendor": Key(str, required=True),
            "media": Key(list, required=True, item=Key(str, choices=MEDIA)),
            # regexes on a model file name (basename, lower-cased) or a model id string
            "names": Key(list, required=True, item=Key(str, regex=True)),
            # which loader roles may name it: a VAE shared by two families must not decide
            "roles": Key(list, item=Key(str, choices=ROLES)),
            "generator": Key(str, match=r"[a-z0-9][a-z0-9\-]*"),  # an id in generators.toml
            "sources": Key(list, required=True, item=Key(str, match=r"\S.*")),
            "notes": Key(str),
            "replaces": Key(bool),
        }
    ),
)


@dataclass(frozen=True)
class Family:
    """One entry of the model-family data file, its name patterns compiled."""

    id: str
    name: str
    vendor: str
    media: tuple[str, ...]
    names: tuple[re.Pattern[str], ...]
    roles: tuple[str, ...] = ("checkpoint", "diffusion", "lora")
    generator: str | None = None
    sources: tuple[str, ...] = ()
    notes: str = ""
    origin: Origin | None = None


@dataclass(frozen=True)
class FamilyMatch:
    """The family a model name belongs to, the pattern that matched, and its generator if any."""

    family: str
    name: str  # the model name that matched
    pattern: str
    generator: str | None


@lru_cache(maxsize=8)
def load_files(extra: tuple[str, ...] = ()) -> dict[str, Family]:
    from provenance.knowledge.generators import load as load_generators

    loaded = schema.load(SPEC, extra)
    known = load_generators()
    out: dict[str, Family] = {}
    for e, origin in zip(loaded.entries, loaded.origins, strict=True):
        gen = e.get("generator")
        if gen and gen not in known:
            raise DataError(f"{origin.file}:{origin.line}: generator {gen!r} is not in generators")
        out[e["id"]] = Family(
            id=e["id"],
            name=e["name"],
            vendor=e["vendor"],
            media=tuple(e["media"]),
            names=tuple(re.compile(p) for p in e["names"]),
            roles=tuple(e.get("roles", ("checkpoint", "diffusion", "lora"))),
            generator=gen,
            sources=tuple(e["sources"]),
            notes=e.get("notes", ""),
            origin=origin,
        )
    return out


@lru_cache(maxsize=1)
def load() -> dict[str, Family]:
    return load_files(schema.extra_files(SPEC))


def use_extra_files(paths: Sequence[str] | None) -> None:
    schema.use_extra_files(SPEC, paths)


schema.on_change(load.cache_clear)


def normalise(name: str) -> str:
    """The file name without folders, lower-cased (``models/FLUX1-dev.safetensors``)."""
    return re.split(r"[\\/]", name.strip())[-1].lower()


def family_of(name: str | None, role: str = "any") -> FamilyMatch | None:
    """The first family (file order) whose pattern matches the model ``name`` in ``role``."""
    if not name:
        return None
    base = normalise(name)
    for fam in load().values():
        if role != "any" and role not in fam.roles and "any" not in fam.roles:
            continue
        for pat in fam.names:
            if pat.search(base):
                return FamilyMatch(fam.id, name, pat.pattern, fam.generator)
    return None
