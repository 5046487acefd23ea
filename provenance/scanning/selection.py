"""Which entries of a scanned folder are media to check, and why the others are left out.

Why: real folders hold READMEs, ``.DS_Store``, keys, notes and C2PA sidecars beside the media;
checking each of them as if it were an image turned every scan of a real folder into exit 2.
In a folder, an entry is checked when its bytes are a format the probe knows (``probe.sniff``,
whatever the extension) or its name says media (a ``.mp4`` that is truncated, empty or not a
video is worth an error report: someone meant it to be a clip). The rest is skipped and
counted. A file named on the command line is always checked, media or not.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass

# Names that claim media. Used only to keep a file whose bytes are NOT recognised (so that a
# broken clip gets its error report); recognised bytes are checked under any name.
MEDIA_SUFFIXES = frozenset(
    {
        *(".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".apng", ".gif", ".webp", ".tif", ".tiff"),
        *(".bmp", ".dib", ".heic", ".heif", ".hif", ".avif", ".jxl", ".dng"),
        *(".mp4", ".m4v", ".mov", ".qt", ".3gp", ".3g2", ".mkv", ".webm", ".avi", ".flv"),
        *(".mpg", ".mpeg", ".mts", ".m2ts", ".wav", ".mp3", ".m4a", ".aac", ".flac"),
    }
)  # not ".ts" (TypeScript sources far outnumber MPEG-TS clips in real folders)
SIDECAR_SUFFIX = ".c2pa"
SNIFF_BYTES = 64  # what probe.sniff looks at

# Reasons an entry was left out, as counted in Listing.skipped and shown after a scan.
NOT_MEDIA = "not media"
HIDDEN = "hidden"
SIDECAR = "sidecar manifest"


def matches(rel: str, name: str, globs: Iterable[str]) -> bool:
    """Glob match on the relative path or the name, ignoring case: ``*.mp4`` finds
    ``clip.MP4`` (cameras and phones write upper-case extensions)."""
    rel, name = rel.lower(), name.lower()
    return any(
        fnmatch.fnmatchcase(rel, glob.lower()) or fnmatch.fnmatchcase(name, glob.lower())
        for glob in globs
    )


def is_hidden(name: str) -> bool:
    return name.startswith(".") and name not in (".", "..")


def sidecars_owned(names: Iterable[str]) -> set[str]:
    """Names among ``names`` (one folder's entries) that are the C2PA sidecar of another entry,
    chosen as the credentials reader chooses it (``reader.sidecar_for``: ``NAME.c2pa`` first,
    then ``NAME.ext.c2pa``). Those are read with their asset, not reported on their own."""
    names = names if isinstance(names, (list, tuple, set)) else list(names)
    # Only names ending in ".c2pa" can be a candidate: a large folder is not copied.
    present = {name for name in names if name.endswith(SIDECAR_SUFFIX)}
    owned: set[str] = set()
    if not present:
        return owned
    for name in names:
        if name.lower().endswith(SIDECAR_SUFFIX):
            continue
        stem, ext = os.path.splitext(name)
        for candidate in ((stem + SIDECAR_SUFFIX) if ext else None, name + SIDECAR_SUFFIX):
            if candidate and candidate in present and candidate != name:
                owned.add(candidate)
                break
    return owned


@dataclass(frozen=True)
class Decision:
    """Whether a folder entry is checked and, if not, the reason it is counted under."""

    keep: bool
    reason: str | None = None  # why it was skipped


KEEP = Decision(True)


def media_decision(path: str, name: str) -> Decision:
    """Whether a folder entry (not a folder) is media to check. Never blocks: only a regular
    file is opened (a FIFO could hang the listing), and only its first bytes are read. An
    entry that cannot be read is kept, so that its report says why."""
    from provenance.readers.probe import sniff

    if os.path.splitext(name)[1].lower() in MEDIA_SUFFIXES:
        return KEEP
    try:
        st = os.stat(path)
    except OSError:
        return KEEP  # a broken link, a vanished file: the check says what happened
    if not stat.S_ISREG(st.st_mode):
        return Decision(False, NOT_MEDIA)  # a FIFO, socket or device without a media name
    if st.st_size == 0:
        return Decision(False, NOT_MEDIA)
    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError:
        return KEEP
    found = sniff(head)
    if found.mime is None and found.kind == "other":
        return Decision(False, NOT_MEDIA)
    return KEEP
