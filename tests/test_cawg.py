"""CAWG identity assertions on real files from the C2PA reference SDK's own tests
(tests/fixtures/cawg, MIT): reported apart from the C2PA signer with their own status, and a
CAWG failure never sinks an otherwise valid C2PA verdict (issue 14)."""

from __future__ import annotations

import pytest

import provenance


@pytest.mark.parametrize(
    ("name", "kind", "status", "code"),
    [
        # an X.509 identity signed by a test credential no trust list holds
        ("C_with_CAWG_data.jpg", "X.509 certificate", "invalid", "cawg.x509.credential.untrusted"),
        # identity claims aggregation, its signature broken
        (
            "signature_mismatch.jpg",
            "identity claims aggregation",
            "invalid",
            "cawg.ica.signature_mismatch",
        ),
        # the same aggregation intact, from an issuer we have no reason to trust (offline)
        (
            "success.jpg",
            "identity claims aggregation",
            "not validated",
            "cawg.ica.untrusted_issuer",
        ),
    ],
)
def test_cawg_identity_has_its_own_status(fixtures, name, kind, status, code):
    report = provenance.check(fixtures / "cawg" / name, detectors=())
    assert report.status == "ok"
    # The C2PA manifest itself is intact: hash and claim signature hold.
    assert report.c2pa.state == "valid"
    assert report.c2pa.signature == "verified" and report.c2pa.content == "match"
    (identity,) = report.c2pa.identities
    assert (identity.kind, identity.status) == (kind, status)
    assert any(c.endswith(code) for c in identity.codes)
    assert identity.named_actor != report.c2pa.signer  # never taken for the C2PA signer
    assert report.verdict.marks_stripped == "no"  # an identity failure is not tampering
    (record,) = [e for e in report.evidence if e.kind == "c2pa.identity"]
    assert status in record.detail and record.claim == "info"


def test_readable_output_gives_the_identity_its_own_line(fixtures):
    """The C2PA line says what the C2PA signature says; the identity's failure is on the
    identity's line (a reader must not take a CAWG code for a broken C2PA signature)."""
    from provenance.cli.render import file_summary

    report = provenance.check(fixtures / "cawg" / "C_with_CAWG_data.jpg", detectors=())
    text = file_summary(report)
    (cred,) = [line for line in text.splitlines() if line.lstrip().startswith("credentials:")]
    (ident,) = [line for line in text.splitlines() if line.lstrip().startswith("identity:")]
    assert "cawg." not in cred and cred.split(":", 1)[1].strip().startswith("valid (")
    assert "invalid (X.509 certificate)" in ident
    assert "cawg.x509.credential.untrusted" in ident
