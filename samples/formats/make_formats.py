"""Write the still-image format samples that the product decodes but cannot encode itself.

    pip install --target /tmp/heif-enc pillow-heif     # the encoder (GPL x265): not a dependency
    PYTHONPATH=/tmp/heif-enc .venv/bin/python samples/formats/make_formats.py
    # and, for JPEG XL, Debian's libjxl-tools (cjxl) on the PATH

* ``sparkle_still.heic``: ``samples/clips/sparkle_still.jpg`` (a drawn sparkle stamp, see
  ``samples/make_clips.py``) as HEIC (HEVC, quality 90) with EXIF Make/Model/Software, as a
  phone writes it: the checker must read the metadata and find the same stamp as in the JPEG.
* ``plain_still.jxl``: ``samples/clips/plain_still.jpg`` as JPEG XL (cjxl -d 1): no decoder
  is installed for it, so the check must say ``ok`` with a note that pixels were not analysed.

Animated GIF/WebP, WebM, MKV and MPEG-4 Part 2 MOV are made inside tests/test_formats.py
(Pillow and PyAV encode them), from the project's clips.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = Path(__file__).resolve().parent
CLIPS = ROOT / "samples" / "clips"
# EXIF tags 0x010F Make, 0x0110 Model, 0x0131 Software: what a phone's HEIC carries.
EXIF = {0x010F: "SampleMaker", 0x0110: "Phone One", 0x0131: "samples/formats/make_formats.py"}


def heic() -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    with Image.open(CLIPS / "sparkle_still.jpg") as im:
        exif = Image.Exif()
        for tag, value in EXIF.items():
            exif[tag] = value
        im.convert("RGB").save(OUT / "sparkle_still.heic", quality=90, exif=exif.tobytes())


def jxl() -> None:
    cjxl = shutil.which("cjxl")
    if not cjxl:
        print("cjxl not found (apt-get install libjxl-tools): plain_still.jxl kept as committed")
        return
    src = CLIPS / "plain_still.jpg"
    subprocess.run(
        [cjxl, "--lossless_jpeg=0", "-d", "1", str(src), str(OUT / "plain_still.jxl")],
        check=True,
        capture_output=True,
    )


def main() -> None:
    heic()
    jxl()
    for p in sorted(OUT.glob("*.*")):
        if p.suffix != ".py":
            print(f"{p.name}: {p.stat().st_size} bytes")


if __name__ == "__main__":
    main()
