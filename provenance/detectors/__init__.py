"""Pixel detectors. Each consumes sampled frames and returns watermarks and evidence."""
