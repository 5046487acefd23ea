"""AI-generated apart from AI-edited: a generator's image opened and edited again (as
Gemini's downloads are: a generated parent, then c2pa.edited with trainedAlgorithmicMedia and
c2pa.converted) is still AI-generated; a capture placed into it makes it a composite
(samples/credentials/composite.jpg)."""

from __future__ import annotations

import io

import c2pa

import provenance

DST = "http://cv.iptc.org/newscodes/digitalsourcetype/"
CA = "credentials/ca/"


def _signer(samples) -> c2pa.Signer:
    chain = (samples / CA / "synthgen_signer.pem").read_bytes()
    key = (samples / CA / "synthgen_signer.key.TEST-ONLY.pem").read_bytes()
    return c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", chain, key, None))


def test_an_edited_generated_image_is_ai_generated(samples, tmp_path):
    parent = (samples / "credentials" / "gen_image.jpg").read_bytes()
    definition = {
        "claim_generator_info": [{"name": "SynthGen", "version": "1.0"}],
        "title": "edited.jpg",
        "assertions": [
            {
                "label": "c2pa.actions.v2",
                "data": {
                    "actions": [
                        {"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}},
                        {
                            "action": "c2pa.edited",
                            "digitalSourceType": DST + "trainedAlgorithmicMedia",
                        },
                        {"action": "c2pa.converted"},
                    ]
                },
            }
        ],
    }
    ctx = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})
    builder = c2pa.Builder(definition, ctx)
    builder.add_ingredient(
        {"title": "gen_image.jpg", "relationship": "parentOf", "label": "parent"},
        "image/jpeg",
        io.BytesIO(parent),
    )
    out = io.BytesIO()
    builder.sign(_signer(samples), "image/jpeg", io.BytesIO(parent), out)
    path = tmp_path / "edited.jpg"
    path.write_bytes(out.getvalue())
    report = provenance.check(path, detectors=())
    assert report.c2pa.content == "match", report.c2pa.validation
    assert (report.verdict.ai_generated, report.verdict.ai_extent) == ("yes", "generated")
    assert report.verdict.summary.startswith("AI-generated")

    composite = provenance.check(samples / "credentials" / "composite.jpg", detectors=())
    assert (composite.verdict.ai_generated, composite.verdict.ai_extent) == ("yes", "edited")
