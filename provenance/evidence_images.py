"""Pictures of the evidence (``--evidence DIR``): the frames a report cites, with its boxes.

Drawn from the report's own records once the rules have run, so a picture never shows more
than the report claims: the sightings of every visible watermark (a frame per sighting place
and a crop per stamp) and the boxes of the removal evidence. All cited frames are decoded in
one forward pass.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import cv2
import numpy as np

from provenance.frames import FrameSource
from provenance.model.records import Evidence, Sighting, Watermark

# Removal evidence kinds whose boxes are drawn (purple), labelled with the method.
REMOVAL_KINDS = (
    "stripping.visible-watermark-removed",
    "stripping.removed-stamp-places",
    "stripping.stamp-cut-at-edge",
    "visible.stamp-flicker-back",
)
MAX_MARK_FRAMES = 12
MAX_REMOVAL_FRAMES = 8
_FONT = cv2.FONT_HERSHEY_SIMPLEX


def draw(
    evidence: list[Evidence], watermarks: list[Watermark], frames: FrameSource
) -> dict[str, np.ndarray]:
    """Annotated images by name (BGR arrays)."""
    marks: dict[int, list[tuple[Watermark, Sighting]]] = {}
    for wm in watermarks:
        if wm.kind != "visible":
            continue
        seen = set()
        for s in wm.track:
            if s.box is not None and s.box not in seen:
                seen.add(s.box)
                marks.setdefault(s.frame, []).append((wm, s))
    removal: dict[int, list[tuple[list[int], str]]] = {}
    for ev in evidence:
        if ev.kind not in REMOVAL_KINDS:
            continue
        cited = ev.where.get("frames") or [frames.indices[0] if frames.indices else 0]
        for f, box in zip(cited, ev.where.get("boxes") or [], strict=False):
            drawn = removal.setdefault(int(f), [])
            if all(b != box for b, _ in drawn):  # records citing one box: first label
                drawn.append((box, ev.where.get("method", ev.kind)))
    mark_frames = set(sorted(marks)[:MAX_MARK_FRAMES])
    removal_frames = set(sorted(removal)[:MAX_REMOVAL_FRAMES])
    images: dict[str, np.ndarray] = {}
    for frame in frames.read_many(sorted(mark_frames | removal_frames)):
        if frame.index in mark_frames:
            _marks(frame.index, frame.image, marks[frame.index], images)
        if frame.index in removal_frames:
            img = frame.image.copy()
            for (x, y, bw, bh), label in removal[frame.index]:
                _box(img, (x, y, bw, bh), label, (255, 0, 255))
            images[f"removal_f{frame.index:06d}"] = img
    return images


def _marks(
    index: int, image: np.ndarray, sightings: list[tuple[Watermark, Sighting]], out: dict
) -> None:
    img = image.copy()
    for n, (wm, s) in enumerate(sightings):
        assert s.box is not None
        x, y, w, h = s.box
        label = f"{wm.generator or 'unknown'}: {wm.text or wm.stats.get('shape', '')}"
        if wm.handle:
            label += f" {wm.handle}"
        crop = image[max(0, y) : y + h, max(0, x) : x + w]
        if crop.size:
            out[f"crop_f{index:06d}_{n}_{wm.generator or 'unknown'}"] = crop.copy()
        _box(img, (x, y, w, h), label, (0, 0, 255) if wm.generator else (0, 200, 255))
    out[f"frame_f{index:06d}"] = img


def _box(img: np.ndarray, box: tuple[int, int, int, int], label: str, color) -> None:
    x, y, w, h = box
    cv2.rectangle(img, (x, y), (x + w, y + h), color, 2)
    cv2.putText(img, label, (x, max(14, y - 6)), _FONT, 0.5, color, 1, cv2.LINE_AA)


def write(images: dict[str, np.ndarray], root: str | os.PathLike, path: str) -> None:
    if not images:
        return
    folder = evidence_folder(root, path)
    folder.mkdir(parents=True, exist_ok=True)
    for name, image in images.items():
        cv2.imwrite(str(folder / f"{safe_name(name)}.png"), image)


def evidence_folder(root: str | os.PathLike, path: str) -> Path:
    """Where a file's evidence images go: its name, made safe, plus a short hash of its full
    path, so files with the same name in different folders never share a folder."""
    tag = hashlib.sha1(os.fsencode(os.path.abspath(path))).hexdigest()[:8]
    return Path(root) / f"{safe_name(Path(path).name)}-{tag}"


def safe_name(text: str) -> str:
    """At most 120 bytes (not characters: 83 CJK characters are 249 bytes, past NAME_MAX
    once the hash is added)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in text)
    return safe.encode("utf-8", "surrogateescape")[:120].decode("utf-8", "ignore") or "file"
