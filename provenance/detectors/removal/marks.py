"""The stamps the removal detector looks for, from the generator data file."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from provenance.knowledge import generators


@dataclass(frozen=True)
class StampPlaces:
    """One visible mark of one generator, as the removal tests need it."""

    generator: str
    name: str
    index: int  # position among the generator's visible marks
    shape: str | None
    height_frac: float  # expected stamp height / short side
    places: tuple[tuple[float, float], ...]
    static: bool
    worded: bool  # the mark has text (a word-less mark is its icon alone)
    height_range: tuple[float, float] | None


def stamp_places(default_height_frac: float) -> list[StampPlaces]:
    """Every visible mark of the data file that has places."""
    out = []
    for gen in generators.load().values():
        for i, m in enumerate(gen.visible):
            if not m.places or (m.symmetry and not m.texts and not m.shape):
                continue  # an emblem known by its symmetry alone: nothing to test removal by
            hf = float(np.mean(m.height_frac)) if m.height_frac else default_height_frac
            out.append(
                StampPlaces(
                    gen.id,
                    gen.name,
                    i,
                    m.shape,
                    hf,
                    tuple(m.places),
                    m.layout == "static",
                    bool(m.texts),
                    m.height_frac,
                )
            )
    return out


def own_place(
    mark: StampPlaces, place: tuple[float, float], marks: list[StampPlaces], distance: float
) -> bool:
    """No other generator's mark has a place within ``distance`` (fractions of the frame)."""
    return all(
        math.hypot(place[0] - qx, place[1] - qy) > distance
        for m in marks
        if m.generator != mark.generator
        for qx, qy in m.places
    )
