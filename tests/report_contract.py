"""Pytest plugin: every report a test produces (each ``Report.to_dict()`` call in this
process) must validate against the published docs/report.schema.json. A field added to
the report without the schema, or a value outside a documented enum, fails the test that
produced it."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "report.schema.json"


@cache
def validator():
    import jsonschema

    schema = json.loads(SCHEMA.read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def problems(data: dict) -> list[str]:
    """Schema violations of one report dict, as JSON (what a consumer reads)."""
    from provenance.model.report import _json_default

    plain = json.loads(json.dumps(data, default=_json_default))
    return [f"{e.json_path}: {e.message[:300]}" for e in validator().iter_errors(plain)]


@pytest.fixture(autouse=True)
def _reports_follow_the_schema(monkeypatch):
    from provenance.model.report import Report

    original = Report.to_dict

    def checked(self):
        data = original(self)
        found = problems(data)
        if found:
            raise AssertionError(
                f"report of {self.path!r} breaks docs/report.schema.json:\n  " + "\n  ".join(found)
            )
        return data

    monkeypatch.setattr(Report, "to_dict", checked)
    yield
