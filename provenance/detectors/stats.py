"""Small statistics the detectors share."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def median(values: ArrayLike) -> float:
    """``np.median`` of NaN-free values, without NumPy's NaN check: its first call imports
    ``numpy.ma``, 10-20 ms of every cold one-image check (docs/performance.md, "Start-up").
    Same value: the middle element, or the mean of the two middle elements as ``np.mean``
    takes it; NaN for no values, without a warning."""
    a = np.asarray(values).ravel()
    if not a.size:
        return float("nan")
    half = a.size // 2
    if a.size % 2:
        return float(np.partition(a, half)[half])
    part = np.partition(a, (half - 1, half))
    return float(np.mean(part[half - 1 : half + 1]))  # NumPy's own step: no overflow
