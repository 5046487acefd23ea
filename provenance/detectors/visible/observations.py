"""What the visible detector observed: marks read by OCR, icons matched by template, and text
that behaves like an overlay. rules/visible.py words and weighs them."""

from __future__ import annotations

from dataclasses import dataclass

from provenance.model.records import Sighting

Box = tuple[int, int, int, int]


@dataclass
class MarkRead:
    """A generator's mark read by OCR (one per generator and handle)."""

    generator: str
    text: str  # the mark's text as the data file spells it
    quality: float  # text match: 1 exact, 0.9 whole words, lower for fuzzy
    ocr_score: float
    handle: str | None
    moving: bool  # the data file says the mark moves between places
    places: int  # distinct places it was read at
    overlay: bool  # its strokes switched or held like an overlay's
    track: list[Sighting]  # every sample it is present in, by frame
    boxes: list[Box]  # distinct candidate boxes, full-resolution pixels
    sampled: int  # frames sampled


@dataclass
class IconMatch:
    """A word-less mark's icon (template drawn in code) at the mark's place."""

    generator: str
    shape: str
    place: tuple[float, float]  # the mark's first place (fractions of the frame)
    score: float  # median template score (blend test: inward share) of the agreeing frames
    track: list[Sighting]
    checked: int  # frames searched
    # "template" (icons.py: correlation with the drawn icon) or "blend" (blend.py: the edge
    # steps of a white blend at the data file's pixel geometry)
    test: str = "template"
    blend_fit: float | None = None  # blend: median measured / predicted step
    opacity: float | None = None  # blend: the data file's opacity
    margin_px: int | None = None  # blend: distance to the right and bottom edges
    # "symmetry" (symmetry.py): score is the correlation with itself turned by one and two
    # steps of 360/order degrees, half_turn the one turned by half a step
    half_turn: float | None = None
    order: int | None = None


@dataclass
class OverlayText:
    """Text read in a candidate that matched no mark, with how overlay-like it behaved."""

    lines: list[tuple[str, float]]  # (text, OCR score) top to bottom
    overlay: bool  # switched or held like an overlay
    prior_only: bool  # found only where the data file expects a mark (persistent strokes)
    crisp: float  # stroke share when present minus when absent (1 = clean on/off)
    contiguity: float  # longest run of presence / samples present
    presence: list[tuple[int, float]]  # (frame, time) of the samples it is present in
    box: Box
    sampled: int
