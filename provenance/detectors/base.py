"""The contract a pixel detector meets (the detect-secrets plug-in idea).

The checker decodes each sampled frame once and feeds it to every detector in
turn, so a detector must not keep full-resolution frames: keep downscaled
copies or statistics, and call ``context.frames.read(index)`` to revisit one
frame at full size in ``finish``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from provenance.frames import Frame, FrameSource
from provenance.model.records import Evidence, MediaInfo, Watermark
from provenance.options import CheckOptions


@dataclass
class FileContext:
    path: str
    media: MediaInfo
    options: CheckOptions
    frames: FrameSource
    c2pa: Any = None  # credentials.C2paInfo, read before pixels
    metadata: Any = None  # metadata.MetadataInfo


@dataclass
class DetectorResult:
    watermarks: list[Watermark] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    # Annotated images for --evidence DIR: name -> BGR array (written by the checker).
    images: dict[str, Any] = field(default_factory=dict)


class FrameDetector(Protocol):
    name: str  # also the option name in CheckOptions.detectors

    def start(self, context: FileContext) -> None: ...

    def feed(self, frame: Frame) -> None: ...

    def finish(self) -> DetectorResult: ...
