"""Fuzz targets (atheris) for the parsers provenance wrote itself; see fuzz/README.md."""
