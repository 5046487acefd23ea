"""The contract a pixel detector meets (the detect-secrets plug-in idea), and its registry.

A detector turns sampled frames into *observations*: dataclasses of what it measured (text
read, template scores, texture statistics, decoded bits), never evidence wording or
confidences; the rules (provenance/rules/) judge them. The pipeline decodes each sampled frame
once and feeds it to every detector in turn, so a detector must not keep full-resolution
frames: keep downscaled copies or statistics (evidence images are drawn later from the
report's records, provenance/evidence_images.py). Per-file state is built in ``start``,
which already knows the decoded frame size, so nothing is unset for the rest of the file.

Detectors register with ``@detector``; their ``name`` is also the option name
(``CheckOptions.detectors``, ``--detectors``). ``load`` imports every built-in detector
package, and an import failure raises: a typo must not turn a detector off silently.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol, TypeVar

from provenance.frames import Frame, FrameSource
from provenance.model.records import MediaInfo
from provenance.options import CheckOptions
from provenance.readers.credentials.reader import C2paInfo
from provenance.readers.metadata import MetadataInfo


@dataclass
class FileContext:
    """What a detector's ``start`` is told about the file: the facts read so far and its frames."""

    path: str
    media: MediaInfo
    options: CheckOptions
    frames: FrameSource
    c2pa: C2paInfo
    metadata: MetadataInfo
    shape: tuple[int, int]  # (h, w) of the decoded frames (the first one)


class FrameDetector(Protocol):
    name: str  # also the option name in CheckOptions.detectors

    def start(self, context: FileContext) -> None: ...

    def feed(self, frame: Frame) -> None:
        """One sampled frame. A detector whose memory grows with the frames it keeps sets
        ``max_samples`` in ``start``: the pipeline then feeds it every k-th frame of a
        longer plan, evenly spread, so its memory stays bounded whatever ``--frames`` is."""
        ...

    def finish(self) -> list[Any]:
        """The observations of this file."""
        ...


DETECTORS: dict[str, type] = {}
D = TypeVar("D", bound=type)


def detector(cls: D) -> D:
    """Register a detector class under its ``name``."""
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name:
        raise TypeError(f"{cls.__qualname__} has no detector name")
    if name in DETECTORS and DETECTORS[name] is not cls:
        raise ValueError(f"two detectors are named {name!r}")
    DETECTORS[name] = cls
    return cls


@cache
def load() -> dict[str, type]:
    """Import the ``detector`` module of every detector package (once); the registry."""
    import provenance.detectors as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.ispkg and not info.name.startswith("_"):
            importlib.import_module(f"{package.__name__}.{info.name}.detector")
    return DETECTORS
