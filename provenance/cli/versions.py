"""``provenance --version``: the tool, the components that read the files, and the data.

Why: an answer depends on the C2PA SDK that validated the manifest, the decoders that read
the pixels, the OCR runtime that read the stamps and the knowledge tables that named the
generator. A bug report or a filed result needs all of them, as ``yt-dlp --version -v``
gives them. Versions come from the installed distributions' metadata: nothing is imported.
"""

from __future__ import annotations

import hashlib
import platform
from importlib import metadata, resources

# (what it does here, distribution name)
COMPONENTS = (
    ("C2PA SDK", "c2pa-python"),
    ("OpenCV", "opencv-python-headless"),
    ("PyAV (FFmpeg)", "av"),
    ("OCR", "rapidocr"),
    ("OCR runtime", "onnxruntime"),
    ("Pillow", "pillow"),
    ("HEIF decoder", "pi-heif"),
    ("NumPy", "numpy"),
)
DISTRIBUTION = "provenance-check"


def _installed(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _bundled_data() -> list[tuple[str, str]]:
    """(file name, first 12 hex of its SHA-256) of every bundled data table."""
    root = resources.files("provenance").joinpath("data")
    out = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.is_file() and entry.name.endswith(".toml"):
            out.append((entry.name, hashlib.sha256(entry.read_bytes()).hexdigest()[:12]))
    return out


def root_text(name: str) -> str:
    return resources.files("provenance").joinpath("data", name).read_text("utf-8")


def text() -> str:
    from provenance import __version__
    from provenance.knowledge import tables
    from provenance.knowledge.schema import BUNDLED

    lines = [f"provenance {__version__} ({DISTRIBUTION}, Python {platform.python_version()})"]
    width = max(len(dist) for _, dist in COMPONENTS)
    for role, dist in COMPONENTS:
        lines.append(f"  {dist:<{width}}  {_installed(dist):<12} {role}")
    try:
        version = tables.data_version()
        lines.append(f"data version {version.digest}")
        extra = [f for f in version.files if not f.path.startswith(BUNDLED)]
    except Exception as exc:  # noqa: BLE001 - a broken extra table must not hide the rest
        lines.append(f"data version unknown: {' '.join(str(exc).split())[:200]}")
        extra = []
    for name, digest in _bundled_data():
        lines.append(f"  {name:<{width}}  sha256 {digest}")
    try:
        from provenance.knowledge.datafiles import parse_toml

        snap = parse_toml(root_text("c2pa/SNAPSHOT.toml"))
        lines.append(f"  C2PA trust list snapshot {snap['snapshot_date'][:10]} ({snap['source']})")
    except (OSError, KeyError, ValueError):
        lines.append("  C2PA trust list snapshot: unreadable")
    for table in extra:
        lines.append(f"  {table.path}  sha256 {table.sha256[:12]} ({table.entries} entries)")
    return "\n".join(lines)
