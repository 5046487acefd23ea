"""The C2PA evidence rules: the Asset Rubrics signal -> verdict mapping, and the trust and
identity wording (rules/credentials.py, data/c2pa_signals.toml)."""

from __future__ import annotations

import pytest

import provenance
from provenance.readers.credentials import reader as credentials
from provenance.readers.credentials import trust

ROOT = "credentials/ca/test_root.pem"


def _check(samples, name, anchored=True):
    return provenance.check(
        samples / "credentials" / name,
        detectors=(),
        trust_anchors=str(samples / ROOT) if anchored else None,
    )


def _kinds(report):
    return {e.kind for e in report.evidence}


@pytest.mark.parametrize(
    "name,ai,extent,kind",
    [
        # fullyGenAIMedia -> AI-generated
        ("gen_image.jpg", "yes", "generated", "c2pa.generated"),
        # partlyGenAICreation, perceptibleGenAI -> AI-edited / contains AI elements
        ("signal_partly_genai.jpg", "yes", "edited", "c2pa.composite"),
        ("composite.jpg", "yes", "edited", "c2pa.composite"),
        # compositionMayContainGenAI: contains AI elements, weighed as a possibility only
        ("signal_composition.jpg", "unknown", None, "c2pa.possibly-ai"),
        # capturedMedia(Stitched) -> capture
        ("captured.jpg", "unlikely", None, "c2pa.captured"),
        ("signal_stitched.jpg", "unlikely", None, "c2pa.captured"),
        # nonGenAIDigitalCreation, blankCanvas -> not AI
        ("signal_blank_canvas.jpg", "unlikely", None, "c2pa.not-ai"),
        # mediaUnknownProvenance -> unknown
        ("signal_unknown_ingredient.jpg", "unknown", None, "c2pa.unknown-provenance"),
    ],
)
def test_signal_to_verdict_mapping(samples, name, ai, extent, kind):
    report = _check(samples, name)
    assert (report.verdict.ai_generated, report.verdict.ai_extent) == (ai, extent)
    ev = next(e for e in report.evidence if e.kind == kind)
    assert "C2PA Asset Rubrics: Contains" in ev.detail  # the rubric's own wording


def test_not_ai_is_worded_as_such(samples):
    summary = _check(samples, "signal_blank_canvas.jpg").verdict.summary
    assert summary.startswith("Content Credentials describe a creation without generative AI")
    assert "camera" not in summary


def test_unknown_provenance_never_says_not_ai(samples):
    report = _check(samples, "signal_unknown_ingredient.jpg")
    ev = next(e for e in report.evidence if e.kind == "c2pa.unknown-provenance")
    assert ev.claim == "info" and "plain.jpg" in ev.detail
    assert report.verdict.ai_generated == "unknown"


def test_a_yes_needs_integrity(samples):
    report = _check(samples, "tampered_signature.jpg")
    assert report.verdict.ai_generated != "yes"
    ev = next(e for e in report.evidence if e.kind == "c2pa.generated")
    assert not ev.decisive


def test_untrusted_signer_claims_and_is_not_verified(samples):
    report = _check(samples, "gen_image.jpg", anchored=False)
    ev = next(e for e in report.evidence if e.kind == "c2pa.credential-untrusted")
    assert "claims to be Provenance Test Generator, not verified" in ev.detail
    assert "C2PA Trust List (snapshot of 2026-08-21)" in ev.detail
    assert "c2pa.signer" not in _kinds(report)
    # integrity alone still makes the statement of generation decisive
    assert report.verdict.ai_generated == "yes"


def test_a_trusted_signer_is_named_with_its_list(samples):
    report = _check(samples, "gen_image.jpg")
    ev = next(e for e in report.evidence if e.kind == "c2pa.signer")
    assert ev.detail.startswith("Signed by Provenance Test Signer in SynthGen")
    assert "chains to the user trust anchors" in ev.detail


def test_vendor_named_by_an_unverified_certificate_is_a_claim(samples):
    report = provenance.check(samples / "false_claims" / "sora_signer_clip.mp4", detectors=())
    ev = next(e for e in report.evidence if e.kind == "c2pa.generated")
    assert "it is a claim, not verified" in ev.detail


def test_timestamp_and_ingredient_records(fixtures, samples):
    report = provenance.check(fixtures / "c2pa" / "CIE-sig-CA.jpg", detectors=())
    kinds = _kinds(report)
    assert {"c2pa.timestamp", "c2pa.ingredient-invalid"} <= kinds
    bad = next(e for e in report.evidence if e.kind == "c2pa.ingredient-invalid")
    assert "E-sig-CA.jpg: claimSignature.mismatch" in bad.detail
    assert report.c2pa.state == "valid"  # the ingredient's failure is its own
    stamped = _check(samples, "expired_timestamped.jpg")
    ev = next(e for e in stamped.evidence if e.kind == "c2pa.timestamp")
    assert "trusted but not on the C2PA TSA Trust List" in ev.detail
    assert "c2pa.credential-expired" not in _kinds(stamped)


def test_listed_product_asserting_a_disallowed_signal(monkeypatch, samples, tmp_path):
    from test_c2pa_trust import _listed_product_sample

    path = _listed_product_sample(samples, tmp_path)
    monkeypatch.setattr(trust, "bundled_pem", lambda: (samples / ROOT).read_text())
    credentials._context_for.cache_clear()
    try:
        report = provenance.check(path, detectors=())
    finally:
        credentials._context_for.cache_clear()
    kinds = _kinds(report)
    assert "c2pa.disallowed-signal" in kinds and "c2pa.captured" not in kinds
    signer = next(e for e in report.evidence if e.kind == "c2pa.signer")
    assert signer.detail.startswith("Signed by Diker, Okeanos B.V, conformant since ")
    assert "C2PA Trust List" in signer.detail
    assert report.verdict.ai_generated == "unknown"  # the disallowed capture is not counted


def test_update_manifest_reads_as_its_parent(samples):
    report = _check(samples, "update_manifest.jpg")
    assert (report.verdict.ai_generated, report.verdict.ai_extent) == ("yes", "generated")


def test_remote_manifest_says_how_to_fetch_it_and_what_happened(samples, tmp_path):
    """A manifest stored elsewhere: offline, the record says --allow-network fetches it; with
    the network allowed and the fetch failing (the sample's host is under .invalid, which
    never resolves), it says that fetching failed and why."""
    import shutil

    import provenance

    asset = tmp_path / "remote_only.jpg"  # without the sidecar beside the sample
    shutil.copy(samples / "credentials" / "remote_manifest.jpg", asset)
    offline = provenance.check(asset, detectors=())
    online = provenance.check(asset, detectors=(), allow_network=True)
    (off,) = [e for e in offline.evidence if e.kind == "c2pa.remote"]
    (on,) = [e for e in online.evidence if e.kind == "c2pa.remote"]
    assert "--allow-network fetches it" in off.detail and "failed" not in off.detail
    assert "fetching it failed (the remote manifest could not be fetched)" in on.detail
    assert "--allow-network" not in on.detail
