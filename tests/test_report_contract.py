"""The report as a contract: what made it, its published JSON Schema, and reading it back."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import UTC, datetime, timedelta

import pytest
from report_contract import problems

import provenance
from provenance.model.report import SCHEMA_VERSION, Report
from provenance.model.stamp import file_sha256

MEDIA_SUFFIXES = {".jpg", ".png", ".mp4", ".webp", ".mov", ".gif", ".avif", ".heic", ".tif"}


def sample_files(samples):
    return sorted(
        p for p in samples.rglob("*") if p.is_file() and p.suffix.lower() in MEDIA_SUFFIXES
    )


def error_inputs(tmp_path, samples):
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes((samples / "credentials" / "gen_image.jpg").read_bytes()[:300])
    return [tmp_path / "missing.jpg", empty, truncated, samples / "credentials" / "README.md"]


def test_every_sample_and_error_report_validates_and_reads_back(samples, tmp_path):
    inputs = sample_files(samples)
    assert len(inputs) > 40
    reports = [provenance.check(p) for p in inputs + error_inputs(tmp_path, samples)]
    assert {r.status for r in reports} == {"ok", "error"}
    for report in reports:
        data = json.loads(report.to_json())
        assert problems(data) == [], report.path
        again = Report.from_json(report.to_json())
        assert again.to_dict() == report.to_dict()
        assert isinstance(again.verdict.candidates, list)
        assert [type(e).__name__ for e in again.evidence] == ["Evidence"] * len(again.evidence)


def test_the_schema_can_fail(samples):
    data = provenance.check(samples / "credentials" / "gen_image.jpg").to_dict()
    assert problems(data) == []
    broken = json.loads(json.dumps(data))
    broken["verdict"]["ai_generated"] = "maybe"
    broken["file"]["sha256"] = "not-a-digest"
    broken["surprise"] = 1
    found = problems(broken)
    assert any("ai_generated" in p for p in found)
    assert any("sha256" in p for p in found)
    assert any("surprise" in p for p in found)


def test_record_says_what_made_it(samples):
    path = samples / "credentials" / "gen_image.jpg"
    before = datetime.now(UTC).replace(microsecond=0)
    report = provenance.check(path, detectors=("visible",), max_frames=7)
    after = datetime.now(UTC)
    data = report.to_dict()
    assert data["schema"] == SCHEMA_VERSION == "1.5"
    assert data["tool_version"] == provenance.__version__
    assert data["file"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    checked = datetime.fromisoformat(data["checked_at"].replace("Z", "+00:00"))
    assert before <= checked <= after + timedelta(seconds=1)
    assert data["options"]["detectors"] == ["visible"]
    assert data["options"]["max_frames"] == 7
    assert data["options"]["depth"] == "full"
    assert data["duplicate_of"] is None
    quick = provenance.check(path, depth="quick").to_dict()["options"]
    assert quick["depth"] == "quick" and quick["detectors"] == ["invisible"]


def test_data_version_follows_user_tables(samples, sample_generators):
    path = samples / "credentials" / "gen_image.jpg"
    with_extra = provenance.check(path, generators_files=sample_generators).to_dict()
    extra = [str(samples / "generators.toml")]
    assert with_extra["options"]["extra_tables"] == {"generator": extra}
    bundled = provenance.check(path).to_dict()
    assert bundled["options"]["extra_tables"] == {}
    assert len(bundled["data_version"]) == 16
    assert bundled["data_version"] != with_extra["data_version"]
    again = provenance.check(path, generators_files=sample_generators).to_dict()
    assert again["data_version"] == with_extra["data_version"]


def test_trust_anchors_are_part_of_the_options(samples):
    anchors = samples / "credentials" / "ca" / "test_root.pem"
    opts = provenance.check(samples / "credentials" / "gen_image.jpg", trust_anchors=str(anchors))
    got = opts.to_dict()["options"]
    assert got["trust_anchors"] == str(anchors)
    assert got["trust_anchors_sha256"] == hashlib.sha256(anchors.read_bytes()).hexdigest()


def test_scan_copies_say_whose_analysis_they_share(samples, tmp_path):
    src = samples / "credentials" / "gen_image.jpg"
    shutil.copy(src, tmp_path / "a.jpg")
    shutil.copy(src, tmp_path / "b.jpg")
    shutil.copy(samples / "clips" / "plain_still.jpg", tmp_path / "c.jpg")
    reports = {os.path.basename(r.path): r for r in provenance.scan([str(tmp_path)], jobs=1)}
    assert sorted(reports) == ["a.jpg", "b.jpg", "c.jpg"]
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    assert reports["a.jpg"].file.sha256 == reports["b.jpg"].file.sha256 == digest
    copies = [r for r in reports.values() if r.duplicate_of]
    assert len(copies) == 1
    assert os.path.basename(copies[0].duplicate_of) in {"a.jpg", "b.jpg"}
    assert copies[0].duplicate_of != copies[0].path
    assert reports["c.jpg"].duplicate_of is None
    assert problems(copies[0].to_dict()) == []


def test_fifo_is_not_hashed(tmp_path):
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    assert file_sha256(fifo) is None  # returns at once: a FIFO is never opened


def test_from_dict_refuses_what_is_not_a_report():
    with pytest.raises(ValueError):
        Report.from_dict({"status": "ok"})
    with pytest.raises(ValueError):
        Report.from_json("[1, 2]")
