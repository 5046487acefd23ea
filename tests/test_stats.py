"""The detectors' median: NumPy's value, without NumPy's start-up cost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from provenance.detectors.stats import median

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("dtype", [np.uint8, np.int64, np.float32, np.float64])
@pytest.mark.parametrize("size", [1, 2, 3, 4, 7, 10, 999, 1000])
def test_median_is_numpys(dtype, size):
    rng = np.random.default_rng(size)
    values = (rng.random(size) * 200).astype(dtype)
    assert median(values) == float(np.median(values))
    grid = values.reshape(1, -1)
    assert median(grid) == float(np.median(grid))
    assert median(values.tolist()) == float(np.median(values.tolist()))


def test_median_of_nothing_is_nan():
    assert np.isnan(median([]))


def test_a_cold_still_check_does_not_import_numpy_ma():
    """NumPy's median imported numpy.ma on its first call (10-20 ms of a one-image check)."""
    code = (
        "import sys, provenance; "
        "r = provenance.check('samples/clips/plain_still.jpg'); "
        "print(r.status, 'numpy.ma' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert out.stdout.split() == ["ok", "False"], out.stderr[-2000:]
