"""Valid pictures one or a few pixels thick: the pixel detectors that cannot work on them
abstain with a note, and the credentials and metadata verdict stands."""

from __future__ import annotations

import io

import c2pa
import cv2
import numpy as np
import pytest

import provenance

CA = "credentials/ca/"
TRAINED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


@pytest.mark.parametrize("w,h", [(1, 1), (1, 40), (40, 1), (3, 50), (50, 3)])
@pytest.mark.parametrize("ext", [".png", ".jpg"])
def test_thin_pictures_are_analysed_without_the_detectors_that_cannot(tmp_path, w, h, ext):
    path = tmp_path / f"thin_{w}x{h}{ext}"
    cv2.imwrite(str(path), np.full((h, w, 3), 128, np.uint8))
    report = provenance.check(path)
    assert report.status == "ok", report.error
    assert (report.media.width, report.media.height) == (w, h)
    notes = " ".join(report.metadata.problems)
    assert "visible detector" in notes and "removal detector" in notes


def test_a_signed_one_pixel_jpeg_keeps_its_credentials_verdict(tmp_path, samples):
    ok, jpeg = cv2.imencode(".jpg", np.full((1, 1, 3), 200, np.uint8))
    assert ok
    chain = (samples / CA / "synthgen_signer.pem").read_bytes()
    key = (samples / CA / "synthgen_signer.key.TEST-ONLY.pem").read_bytes()
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", chain, key, None))
    definition = {
        "claim_generator_info": [{"name": "SynthGen", "version": "1.0"}],
        "title": "pixel.jpg",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {"actions": [{"action": "c2pa.created", "digitalSourceType": TRAINED}]},
            }
        ],
    }
    out = io.BytesIO()
    builder = c2pa.Builder(
        definition, c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})
    )
    builder.sign(signer, "image/jpeg", io.BytesIO(jpeg.tobytes()), out)
    path = tmp_path / "pixel.jpg"
    path.write_bytes(out.getvalue())
    report = provenance.check(path)
    assert report.status == "ok", report.error
    assert report.c2pa.state in ("valid", "trusted") and report.c2pa.content == "match"
    assert report.verdict.ai_generated == "yes"
    assert any("not run" in n for n in report.metadata.problems)
