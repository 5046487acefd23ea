"""Where a metadata fact was found: container, structure path, key and byte offset.

Every fact a rule turns into evidence must say where to look, so that a person can check
it with exiftool or a hex editor, and so that two facts from the same field are not
counted as independent evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_TEXT_CHARS = 4000  # characters of a text value kept in a report


@dataclass(frozen=True)
class Where:
    """The place of one fact in a file; ``str()`` words it for evidence sentences."""

    container: str  # "png", "jpeg", "webp", "mp4", "matroska", "avi", "flv"
    path: str  # structure inside it: "tEXt", "EXIF IFD0", "XMP", "moov/udta/meta/ilst"...
    key: str = ""  # the field: "parameters", "UserComment", "TC260:AIGC", "AIGC"
    offset: int | None = None  # byte offset of the chunk / box / element, when known

    def __str__(self) -> str:
        key = f" '{self.key}'" if self.key else ""
        at = f" at byte {self.offset}" if self.offset is not None else ""
        return f"{self.container} {self.path}{key}{at}"


@dataclass(frozen=True)
class TextField:
    """One unsigned text value (what the ``metadata`` patterns of generators.toml see)."""

    where: Where
    value: str  # cut at MAX_TEXT_CHARS


def clip(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
