"""What the removal detector observed: traces of a removed or cropped-away stamp.

The detector classifies (a statistical test passed, an icon came back in a few frames) with
the numbers of detectors.toml; rules/removal.py words and weighs these observations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from provenance.model.records import Sighting


@dataclass
class FlickerBack:
    """A generator's icon found in a few sampled frames only, its strokes gone elsewhere:
    a remover missed it there."""

    shape: str
    generator: str | None  # the mark with this shape whose place is nearest the sightings
    frames: list[int]  # distinct frame indices with the icon
    sampled: int
    track: list[Sighting]  # every sighting: frame, time, full-resolution box, score


@dataclass
class PaintedOut:
    """Clips: texture holes at a mark's places in far more frames than the chance rate."""

    generator: str | None  # named only when the holes sat at places of its own
    mark_name: str  # display name of the generator of the best-tested mark
    candidates: list[str]  # generators whose marks' places had significant holes
    frames: list[int]
    boxes: list[list[int]]
    places: list[tuple[float, float]]
    own_places: list[tuple[float, float]]  # of those, where no other generator has a mark
    frames_tested: int
    chance: float  # per-frame chance rate measured at control windows
    p_value: float  # binomial tail of the hole count under that chance rate
    excess: tuple[float, float]  # min, max flat-pixel excess of the holes


@dataclass
class StillHole:
    """Stills: one stamp-sized patch at a mark's place far flatter than its ring, beating
    every control window and the mirrored places."""

    generator: str | None  # named when only one generator's marks had a hole
    mark_name: str | None
    candidates: list[str]
    frame: int
    boxes: list[list[int]]
    place: tuple[float, float]
    excess: float
    control_max: float
    mirror_max: float
    controls: int
    band_max: float = -1.0  # the neighbours at the same height (-1: none in the frame)


@dataclass
class UnblendResidue:
    """Stills: a faint sparkle ghost at a sparkle mark's exact place and size (what a
    reverse alpha blend with a slightly wrong alpha map leaves)."""

    generator: str | None
    mark_name: str
    candidates: list[str]
    frame: int
    box: list[int]
    place: tuple[float, float]
    score: float  # correlation with the drawn sparkle
    alpha: float  # lift over the headroom to white


@dataclass
class EdgeCut:
    """Overlay strokes held still while the scene moved, cut by the frame edge."""

    box: list[int]  # full-resolution pixels
    edges: list[str]
    pieces: int
    near_places_of: list[str] = field(default_factory=list)  # generators with a place near
    frame: int = 0
