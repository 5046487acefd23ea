"""Sentences a journalist may paste: no ids, no statistics jargon, no contradictions, and
"AI-edited" apart from "AI-generated"."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import provenance
from provenance.formatters import wording
from provenance.fusion.verdict import STRIPPED_ORDER

BIN = Path(sys.executable).parent / "provenance"
MEDIA = {".jpg", ".png", ".mp4", ".webp", ".heic", ".avif", ".gif", ".mov"}
JARGON = re.compile(r"urn:c2pa:|\bsightings\b|best p\b|binomial|\bp [0-9<]|\b1 frames\b")


@pytest.fixture(scope="module")
def reports(samples):
    files = sorted(p for p in samples.rglob("*") if p.suffix.lower() in MEDIA and p.is_file())
    return [provenance.check(p) for p in files]


def test_summaries_have_no_ids_or_jargon(reports):
    ids = re.compile("|".join(re.escape(k) for k in STRIPPED_ORDER if "-" in k))
    for r in reports:
        s = r.verdict.summary
        assert not JARGON.search(s), (r.path, s)
        assert not ids.search(s), (r.path, s)  # stripping kinds in words
        for ev in r.evidence:
            assert "urn:c2pa:" not in ev.detail, (r.path, ev.detail)
            assert "(p " not in ev.detail, (r.path, ev.detail)  # statistics in words
            assert not re.search(r"(states|action) 'c2pa\.", ev.detail), (r.path, ev.detail)
            assert not re.search(r"\bstates c2pa\.", ev.detail), (r.path, ev.detail)


def test_summaries_never_contradict(reports):
    for r in reports:
        s = r.verdict.summary
        if r.verdict.marks_stripped in ("yes", "likely") and r.verdict.stripped != ["reencoded"]:
            assert not s.startswith("No evidence of AI"), (r.path, s)
            assert "no evidence of AI generation found" not in s, (r.path, s)
            assert "marks were" in s, (r.path, s)


def test_edited_is_not_headlined_generated(samples):
    edited = provenance.check(samples / "credentials" / "composite.jpg")
    made = provenance.check(samples / "credentials" / "gen_image.jpg")
    assert edited.verdict.ai_extent == "edited" and made.verdict.ai_extent == "generated"
    assert wording.headline(edited.verdict) == "AI-edited / contains AI elements"
    assert wording.headline(made.verdict) == "AI-generated"
    assert edited.verdict.summary.startswith("Contains AI-generated or AI-edited elements")


def test_readable_output(samples):
    out = subprocess.run(
        [str(BIN), "check", "-v", samples / "credentials" / "composite.jpg",
         samples / "clips" / "plain_still.jpg", samples / "clips" / "sora_like.mp4",
         samples / "credentials" / "update_manifest.jpg"],
        capture_output=True, text=True, timeout=300,
    ).stdout  # fmt: skip
    blocks = {b.splitlines()[0]: b for b in out.split("\n\n") if b.strip()}
    composite = next(b for k, b in blocks.items() if k.endswith("composite.jpg"))
    assert "verdict:      AI-edited / contains AI elements" in composite
    plain = next(b for k, b in blocks.items() if k.endswith("plain_still.jpg"))
    assert "confidence" not in plain and "0.00" not in plain
    sora = next(b for k, b in blocks.items() if k.endswith("sora_like.mp4"))
    assert re.search(r"seen in \d+ sampled frames\)", sora)
    assert "marks stripped: probably: Content Credentials removed" in sora
    assert not JARGON.search(out), JARGON.search(out)
