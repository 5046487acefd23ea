"""detectors/visible"""
