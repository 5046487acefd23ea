"""detectors/invisible"""
