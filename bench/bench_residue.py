"""The unblend-residue search (detectors/removal/residue.py) against its former full-crop
blur, side by side in one run on the same stills (docs/performance.md).

    .venv/bin/python bench/bench_residue.py [folder ...]     # default: samples/

For every still: the search as the product runs it (the Gaussian blur of each crop computed
only where the template is read) and the reference (``cv2.GaussianBlur`` of the whole 3x
crop, as before), alternating so load hits both alike. Prints the summed times, their ratio
and the largest difference of the best score and alpha (they must agree to ~1e-4: the
residue is reported with 3 decimals).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import cost  # noqa: E402
import cv2  # noqa: E402
import numpy as np  # noqa: E402

from provenance.detectors.removal.residue import ResidueSearch, _Best  # noqa: E402


class FullCropResidue(ResidueSearch):
    """The reference: blur the whole crop, match the template over the whole high-pass."""

    def feed(self, index: int, gray_u8: np.ndarray) -> None:
        from provenance.detectors.shapes import template_f32

        self.frame = index
        gray = gray_u8.astype(np.float32)
        h, w = gray.shape[:2]
        short, r = min(h, w), self.params["search_px"]
        for m in self.marks:
            lo, hi = m.height_range or (m.height_frac, m.height_frac)
            for hf in sorted({lo, m.height_frac, hi}):
                size = max(9, int(hf * short))
                t = template_f32(m.shape, size)
                inside = t > 127
                for fx, fy in m.places:
                    x0 = int(fx * w - size / 2) - size
                    y0 = int(fy * h - size / 2) - size
                    if x0 < 0 or y0 < 0 or x0 + 3 * size > w or y0 + 3 * size > h:
                        continue
                    crop = gray[y0 : y0 + 3 * size, x0 : x0 + 3 * size]
                    hp = crop - cv2.GaussianBlur(crop, (0, 0), max(1.0, size / 4))
                    res = cv2.matchTemplate(hp, t, cv2.TM_CCOEFF_NORMED)
                    win = res[size - r : size + r + 1, size - r : size + r + 1]
                    _, score, _, (mx, my) = cv2.minMaxLoc(win)
                    bx, by = size - r + mx, size - r + my
                    patch = hp[by : by + size, bx : bx + size]
                    base = float(crop[by : by + size, bx : bx + size][~inside].mean())
                    amp = float(patch[inside].mean() - patch[~inside].mean()) / max(
                        16.0, 255.0 - base
                    )
                    if self.best is None or score > self.best.score:
                        self.best = _Best(
                            float(score), amp, m, [x0 + bx, y0 + by, size, size], (fx, fy)
                        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("targets", nargs="*", type=Path)
    args = ap.parse_args()
    from provenance.detectors.removal.marks import stamp_places
    from provenance.frames import read_image
    from provenance.knowledge.numbers import detector_params
    from provenance.readers.probe import ProbeError, probe

    marks = stamp_places(detector_params("removal")["default_height_frac"])
    params = detector_params("removal.residue")
    spent = {"product": 0.0, "full-crop reference": 0.0}
    worst, n = 0.0, 0
    for p in cost.media_files(args.targets or [ROOT / "samples"]):
        try:
            if probe(str(p)).kind != "image":
                continue
            image = read_image(str(p))
        except (ProbeError, ValueError, OSError):
            continue
        if image is None:
            continue
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        found = {}
        for name, cls in (("product", ResidueSearch), ("full-crop reference", FullCropResidue)):
            search = cls(marks, params)
            t = time.perf_counter()
            search.feed(0, gray)
            spent[name] += time.perf_counter() - t
            found[name] = search.best
        a, b = found["product"], found["full-crop reference"]
        if a is not None and b is not None:
            worst = max(worst, abs(a.score - b.score), abs(a.alpha - b.alpha))
        n += 1
    ratio = spent["product"] / max(spent["full-crop reference"], 1e-9)
    print(f"{n} stills")
    for name, s in spent.items():
        print(f"  {name:22s} {s:7.2f} s")
    print(f"  product / reference    {ratio:7.3f}x   largest score or alpha difference {worst:.1e}")


if __name__ == "__main__":
    main()
