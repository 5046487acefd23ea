"""detectors/removal"""
