"""`provenance conformance`: the C2PA integrity and conformance rubrics for producers of
Content Credentials, from the command line (issue 14)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from provenance.cli.main import cli


def _run(*args: str):
    return CliRunner().invoke(cli, ["conformance", *args])


def test_conformance_lists_failed_statements_with_the_rubrics_words(samples):
    anchors = str(samples / "credentials" / "ca" / "test_root.pem")
    good = str(samples / "credentials" / "signal_partly_genai.jpg")
    result = _run("--trust-anchors", anchors, good)
    # Integrity holds under the test CA; the 2.4 conformance rubric wants specVersion.
    assert "C2PA Asset Integrity Rubric 1.0: passed (6 of 6 statements pass)" in result.output
    assert "FAIL  validation:mandatory_spec_version: Missing or incorrect" in result.output
    assert "No validation mismatches found" not in result.output  # passes: only with -v
    assert result.exit_code == 1
    verbose = _run("-v", "--trust-anchors", anchors, good)
    assert "pass  validation:valid_success: No validation mismatches found" in verbose.output


def test_conformance_json_and_exit_codes(samples):
    tampered = str(samples / "credentials" / "tampered_pixels.jpg")
    plain = str(samples / "clips" / "plain_still.jpg")
    result = _run("--json", tampered, plain)
    first, second = (json.loads(line) for line in result.output.splitlines())
    integrity = {r["id"]: r for r in first["rubrics"][0]["results"]}
    assert integrity["validation:valid_success"]["value"] == "false"
    assert "assertion.dataHash.mismatch" in integrity["validation:valid_success"]["text"]
    assert first["passed"] is False and first["error"] is None
    assert second["error"] == "no Content Credentials found" and second["rubrics"] == []
    assert result.exit_code == 2  # a file without credentials wins over a failed rubric
    spec22 = json.loads(_run("--json", "--spec", "2.2", tampered).output)
    assert spec22["rubrics"][1]["rubric"].endswith("Spec 2.2 Rubric")
