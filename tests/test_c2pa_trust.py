"""The trust model: the bundled C2PA Trust List by default, user anchors added, which list a
chain reached, the snapshot's age, and the signer named from the Conforming Products List."""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from provenance.readers.credentials import reader as credentials
from provenance.readers.credentials import trust

DATA = Path(str(resources.files("provenance").joinpath("data/c2pa")))
ROOT = "credentials/ca/test_root.pem"


def test_snapshot_files_are_the_ones_recorded():
    meta = tomllib.loads((DATA / "SNAPSHOT.toml").read_text())
    assert meta["source"] == "c2pa-org/conformance-public"
    for name, digest in meta["sha256"].items():
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, name
    licence = (DATA / "LICENSE").read_text()
    assert "Attribution 4.0 International" in licence
    assert "C2PA Conformance Program" in (DATA / "README.md").read_text()


def test_pem_and_json_lists_hold_the_same_certificates():
    for pem, js in (
        ("C2PA-TRUST-LIST.pem", "C2PA-TRUST-LIST.json"),
        ("C2PA-TSA-TRUST-LIST.pem", "C2PA-TSA-TRUST-LIST.json"),
    ):
        from_pem = {
            __import__("base64").b64encode(d).decode()
            for d in trust.pem_certificates(trust.data_text(pem))
        }
        assert from_pem == {e.der_b64 for e in trust.entries(js)}
        assert all(e.entity for e in trust.entries(js))


def test_entity_names_come_from_the_list():
    google = trust.match_entry(
        {"CN": "Google C2PA Root CA G3", "O": "Google LLC", "C": "US"},
        trust.entries("C2PA-TRUST-LIST.json"),
    )
    assert google and google.entity == "Google LLC"
    assert (
        trust.match_entry(
            {"CN": "Google C2PA Root CA G3", "O": "Evil"}, trust.entries("C2PA-TRUST-LIST.json")
        )
        is None
    )


def test_snapshot_age_is_flagged_after_the_documented_age():
    snap = trust.snapshot()
    taken = dt.datetime.fromisoformat(snap.snapshot_date)
    assert trust.stale_reason(taken + dt.timedelta(days=snap.max_age_days - 1)) is None
    late = trust.stale_reason(taken + dt.timedelta(days=snap.max_age_days + 1))
    assert late and "days old" in late and "refresh" in late
    after = dt.datetime.fromisoformat(snap.next_update.replace("Z", "+00:00"))
    assert "NextUpdate" in trust.stale_reason(after + dt.timedelta(days=1))


def test_the_bundled_lists_are_given_to_the_sdk_by_default():
    default = credentials.sdk_settings(credentials.TrustSettings())
    kinds = [(a["trust_kind"], a["trust_uri"]) for a in default["trust"]["anchors"]]
    assert kinds == [
        ("manifest", "urn:provenance:c2pa-trust-list"),
        ("tsa", "urn:provenance:c2pa-tsa-trust-list"),
    ]
    assert default["trust"]["anchors"][0]["trust_anchors"] == trust.bundled_pem()
    assert "1.3.6.1.4.1.62558.2.1" in default["trust"]["anchors"][0]["trust_config"]
    off = credentials.sdk_settings(credentials.TrustSettings(bundled=False))
    assert "trust" not in off
    assert off["verify"]["remote_manifest_fetch"] is False


def test_a_real_test_signer_is_not_on_the_c2pa_list(samples):
    info = credentials.read(samples / "credentials" / "gen_image.jpg", "image/jpeg")
    assert info.trust.status == "untrusted" and info.trust.trust_list is None
    assert info.trust.bundled and info.trust.snapshot == trust.snapshot().snapshot_date
    assert info.signer_identity.status == "not verified"
    assert info.signer_identity.text == "claims to be Provenance Test Generator, not verified"


def test_user_anchors_add_to_the_bundled_list(samples):
    path = samples / "credentials" / "gen_image.jpg"
    info = credentials.read(path, "image/jpeg", trust_anchors=str(samples / ROOT))
    assert (info.credential, info.trust.status) == ("trusted", "trusted")
    assert info.trust.trust_list == trust.USER_LIST and info.trust.user_anchors
    assert info.signer_identity.status == "trusted signer"
    only = credentials.read(
        path, "image/jpeg", trust_anchors=str(samples / ROOT), bundled_trust=False
    )
    assert only.trust.trust_list == trust.USER_LIST and not only.trust.bundled
    assert only.trust.snapshot is None


def test_bundled_trust_off_trusts_nothing_by_default(samples):
    info = credentials.read(
        samples / "credentials" / "gen_image.jpg", "image/jpeg", bundled_trust=False
    )
    assert (info.state, info.credential) == ("valid", "untrusted")


@pytest.fixture
def test_root_as_c2pa_list(monkeypatch, samples):
    """The bundled list replaced by the project's TEST-ONLY root, so that a chain the test CA
    signs reaches "the C2PA Trust List" the way a real signer's chain would."""
    monkeypatch.setattr(trust, "bundled_pem", lambda: (samples / ROOT).read_text())
    credentials._context_for.cache_clear()
    yield
    credentials._context_for.cache_clear()


def test_a_chain_to_the_bundled_list_is_named_so(test_root_as_c2pa_list, samples):
    info = credentials.read(samples / "credentials" / "gen_image.jpg", "image/jpeg")
    assert info.trust.trust_list == trust.C2PA_LIST
    assert info.state == "trusted"


def _listed_product_sample(samples: Path, tmp_path: Path) -> Path:
    """A capture signed under the test CA with the DN of a listed generator product whose
    record disallows capturedMedia (Okeanos B.V's "Diker" in the bundled list)."""
    sys.path.insert(0, str(samples))
    import make_credentials as mc
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    ca = mc.build_ca()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Okeanos B.V"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Diker"),
        ]
    )
    key = mc.test_key(40)
    cert = mc.issue(
        subject, key, ca.inter.subject, ca.inter_key, 40, mc.EPOCH, mc.EPOCH.replace(year=2040)
    )
    cred = mc.Credential(cert, key, [ca.inter])
    data, _ = mc.sign(
        mc.manifest("capture.jpg", [mc.created(mc.CAPTURE)]),
        "image/jpeg",
        mc.jpeg(mc.captured_pixels()),
        cred,
    )
    path = tmp_path / "listed.jpg"
    path.write_bytes(data)
    return path


def test_listed_product_is_named_and_its_disallowed_signal_found(
    test_root_as_c2pa_list, samples, tmp_path
):
    info = credentials.read(_listed_product_sample(samples, tmp_path), "image/jpeg")
    ident = info.signer_identity
    assert ident.status == "conforming product"
    assert (ident.product, ident.applicant) == ("Diker", "Okeanos B.V")
    assert ident.text.startswith("Diker, Okeanos B.V, conformant since ")
    assert "capturedMedia" in ident.disallowed_signals
    assert any("asserts capturedMedia" in f for f in info.findings)


def test_same_dn_without_a_trusted_chain_is_only_a_claim(samples, tmp_path):
    info = credentials.read(_listed_product_sample(samples, tmp_path), "image/jpeg")
    assert info.trust.status == "untrusted"
    assert info.signer_identity.status == "not verified"
    assert info.signer_identity.product is None
    assert not info.findings


def test_timestamp_source_is_reported(fixtures):
    info = credentials.read(fixtures / "c2pa" / "CA.jpg", "image/jpeg")
    assert info.signing_time == "2024-08-06T21:53:37+00:00"
    # DigiCert's 2023 TSA is accepted by the SDK but not on the C2PA TSA Trust List
    assert info.signing_time_source == "tsa-trusted"
    assert info.timestamp_authority == "DigiCert Timestamp 2023, DigiCert, Inc."


def test_no_timestamp_is_said_so(samples):
    info = credentials.read(samples / "credentials" / "expired_signer.jpg", "image/jpeg")
    assert info.signing_time_source == "none" and info.signing_time is None
    assert info.credential == "expired" and info.integrity == "intact"


def test_expired_certificate_backed_by_a_trusted_timestamp_is_fine(samples):
    path = samples / "credentials" / "expired_timestamped.jpg"
    info = credentials.read(path, "image/jpeg", trust_anchors=str(samples / ROOT))
    assert (info.credential, info.integrity) == ("trusted", "intact")
    assert info.signing_time_source == "tsa-trusted"  # anchored by your roots, not the list
    assert info.timestamp_authority == "Provenance Test TSA, Provenance Test CA"
    # without an anchor for the TSA the time is unproven, and the leaf is judged today
    alone = credentials.read(path, "image/jpeg")
    assert (alone.credential, alone.signing_time_source) == ("expired", "tsa-untrusted")
    assert alone.integrity == "intact"  # never tampering


def test_a_tsa_on_the_bundled_tsa_list_is_named_so(monkeypatch, samples):
    monkeypatch.setattr(trust, "tsa_pem", lambda: (samples / ROOT).read_text())
    credentials._context_for.cache_clear()
    try:
        info = credentials.read(samples / "credentials" / "timestamped.jpg", "image/jpeg")
    finally:
        credentials._context_for.cache_clear()
    assert info.signing_time_source == "tsa-listed"
    assert info.signing_time and info.signing_time.startswith("20")


def test_cli_no_bundled_trust_turns_the_bundled_list_off(test_root_as_c2pa_list, samples):
    """`--no-bundled-trust` on the command line: the same chain is trusted through the
    (test) bundled list by default and untrusted without it."""
    import json

    from click.testing import CliRunner

    from provenance.cli.main import cli

    still = str(samples / "credentials" / "gen_image.jpg")
    states = []
    for flags in ([], ["--no-bundled-trust"]):
        out = CliRunner().invoke(cli, ["check", "--json", "--detectors", "", *flags, still])
        c2pa = json.loads(out.output)["c2pa"]
        states.append((c2pa["state"], c2pa["trust"]["bundled"]))
    assert states == [("trusted", True), ("valid", False)]


def test_allowed_list_trusts_one_signing_certificate_as_it_is(samples, tmp_path):
    """`--allowed-list` (c2patool's --allowed_list): an end-entity certificate trusted as it
    is, whatever it chains to; another leaf of the same CA is not; a file that is no PEM
    fails once, up front."""
    import json

    from click.testing import CliRunner

    from provenance.cli.main import cli

    ca = samples / "credentials" / "ca"
    still = str(samples / "credentials" / "gen_image.jpg")  # signed by synthgen_signer
    base = ["check", "--json", "--detectors", "", "--no-bundled-trust"]
    states = {}
    for leaf in ("synthgen_signer.pem", "camera_signer.pem"):
        out = CliRunner().invoke(cli, [*base, "--allowed-list", str(ca / leaf), still])
        report = json.loads(out.output)
        states[leaf] = report["c2pa"]["state"]
        assert report["options"]["trust_allowed_list_sha256"]
    assert states == {"synthgen_signer.pem": "trusted", "camera_signer.pem": "valid"}
    junk = tmp_path / "list.pem"
    junk.write_text("not a certificate\n")
    bad = CliRunner().invoke(cli, [*base, "--allowed-list", str(junk), still])
    assert bad.exit_code == 2 and "--allowed-list" in bad.output and "PEM" in bad.output


def test_a_listed_tsa_is_named_so_whichever_list_the_sdk_names(monkeypatch, samples):
    """A root on both the C2PA Trust List and the TSA list: the SDK names the list it
    searched first, which changed from one process to the next on real Google-signed files
    (veo3, two Gemini images). Here the test root is on both bundled lists, the TSA list's
    entries name it, and each read builds a fresh SDK context: every read says listed."""
    pem = (samples / ROOT).read_text()
    monkeypatch.setattr(trust, "tsa_pem", lambda: pem)
    monkeypatch.setattr(trust, "bundled_pem", lambda: pem)
    plain_entries = trust.entries
    tsa_entry = trust.ListEntry(
        (("CN", "Provenance Test Intermediate CA"), ("O", "Provenance Test CA")), "test", "tsa", ""
    )

    def entries(list_file: str):
        return (tsa_entry,) if "TSA" in list_file else plain_entries(list_file)

    monkeypatch.setattr(trust, "entries", entries)
    sources = set()
    try:
        for _ in range(12):
            credentials._context_for.cache_clear()
            info = credentials.read(samples / "credentials" / "timestamped.jpg", "image/jpeg")
            sources.add(info.signing_time_source)
    finally:
        credentials._context_for.cache_clear()
    assert sources == {"tsa-listed"}
