"""False claims on camera moves over real photos: clips rendered from the corpus's negatives.

    .venv/bin/python bench/camera_moves.py [--corpus /work/corpus] [--sizes 140 240 360 480]
        [--moves pan drift] [--keep DIR]

The real-world corpus holds few real clips (12 negatives), while the removal detector's clip
test runs on every moving shot. This renders, from every negative still of the corpus
(``kind = "negative-image"`` in bench/realworld/manifest.toml, decodable by OpenCV), short
H.264 clips (PyAV, x264 defaults, 60 frames at 10 fps) of two camera moves at each short
side in ``--sizes``:

* ``pan``: the photo stretched to twice its width, a window of the frame's size sliding
  from its left edge to its right;
* ``drift``: a window of 60 % of the photo drifting from its top-left corner to its
  bottom-right, scaled to the frame (a slow zoom-in pan, as in a slideshow video).

No generator made any of these and no mark was removed from them, so every AI call (yes or
likely) and every stripping claim (``verdict.stripped``) on them is false. Prints each clip
with a claim, then the counts per move. ``--keep DIR`` writes the clips there (to look at the
frames); by default they are deleted after their check. What it measured, and the false
claims still open, are in docs/stripping.md ("bench/camera_moves.py").
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "realworld"))

import av  # noqa: E402
import cv2  # noqa: E402
import numpy as np  # noqa: E402
from corpus import DEFAULT_CORPUS, load  # noqa: E402

import provenance  # noqa: E402

FRAMES, FPS = 60, 10


def frames_of(photo: np.ndarray, move: str, short: int):
    """The move's frames (BGR) at a short side of ``short`` pixels, or None if too large."""
    h, w = photo.shape[:2]
    scale = short / min(h, w)
    fw, fh = round(w * scale) // 2 * 2, round(h * scale) // 2 * 2
    if fw * fh > 1280 * 720:
        return None
    if move == "pan":
        wide = cv2.resize(photo, (fw * 2, fh), interpolation=cv2.INTER_AREA)
        return [wide[:, int(i * fw / FRAMES) :][:, :fw] for i in range(FRAMES)]
    cw, ch = int(w * 0.6), int(h * 0.6)
    out = []
    for i in range(FRAMES):
        x0, y0 = int((w - cw) * i / (FRAMES - 1)), int((h - ch) * i / (FRAMES - 1))
        window = photo[y0 : y0 + ch, x0 : x0 + cw]
        out.append(cv2.resize(window, (fw, fh), interpolation=cv2.INTER_AREA))
    return out


def write(frames: list[np.ndarray], path: Path) -> None:
    with av.open(str(path), "w") as c:
        stream = c.add_stream("libx264", rate=Fraction(FPS))
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        for bgr in frames:
            rgb = cv2.cvtColor(np.ascontiguousarray(bgr), cv2.COLOR_BGR2RGB)
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                c.mux(packet)
        for packet in stream.encode(None):
            c.mux(packet)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--sizes", type=int, nargs="+", default=[140, 240, 360, 480])
    ap.add_argument("--moves", nargs="+", choices=["pan", "drift"], default=["pan", "drift"])
    ap.add_argument("--keep", type=Path, help="write the clips here instead of deleting them")
    args = ap.parse_args()
    photos = [
        args.corpus / e.file_name
        for e in load()
        if e.kind == "negative-image" and (args.corpus / e.file_name).exists()
    ]
    if not photos:
        sys.exit(f"no negative still of the corpus in {args.corpus} (bench/realworld/fetch.py)")
    counts = {m: [0, 0] for m in args.moves}  # move -> [clips with a claim, clips]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for photo_path in photos:
            photo = cv2.imread(str(photo_path), cv2.IMREAD_COLOR)
            if photo is None:
                continue
            for move in args.moves:
                for short in args.sizes:
                    frames = frames_of(photo, move, short)
                    if frames is None:
                        continue
                    clip = folder / f"{photo_path.stem}_{move}_{short}.mp4"
                    write(frames, clip)
                    v = provenance.check(clip).verdict
                    claim = v.ai_generated in ("yes", "likely") or bool(v.stripped)
                    counts[move][0] += claim
                    counts[move][1] += 1
                    if claim:
                        print(f"{clip.name}: ai {v.ai_generated}, stripped {v.stripped}")
                    if not args.keep:
                        clip.unlink()
    for move, (bad, n) in counts.items():
        print(f"{move}: {bad} of {n} clips with a false claim")


if __name__ == "__main__":
    main()
