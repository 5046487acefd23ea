"""Renderings of finished reports for people (the JSON contract stays in report.py).

Formatters only read report dicts (``Report.to_dict()`` or a JSON Lines file), so a
report can be rendered long after the scan, e.g. from a resumed scan's output.
"""
