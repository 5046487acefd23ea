"""C2PA Asset Rubrics signals: ours against the C2PA Conformance Program's reference evaluator.

tests/data/c2pa_reference_signals.json holds, for every file with Content Credentials among
the conformance fixtures and the project's signed samples, the signals the reference
evaluator (conformance-public asset-rubrics/c2pa_signals_rubric_evaluator.py on Adobe's
json-formula-py) raised on each manifest; bench/c2pa_reference_signals.py made it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance.readers.credentials import reader, rubrics
from provenance.readers.probe import sniff

REFERENCE = json.loads((Path(__file__).parent / "data" / "c2pa_reference_signals.json").read_text())
FILES = sorted(k for k in REFERENCE if not k.startswith("_") and k != "rubrics")
ALL_SIGNALS = {
    "inception": [
        "fullyGenAIMedia",
        "partlyGenAICreation",
        "compositionMayContainGenAI",
        "capturedMedia",
        "capturedMediaStitched",
        "nonGenAIDigitalCreation",
        "screenCaptureMayContainGenAI",
        "blankCanvas",
        "mediaUnknownProvenance",
    ],
    "transformation": [
        "perceptibleGenAI",
        "perceptiblePossiblyGenAI",
        "perceptibleNonGenAI",
        "nonEditorial",
        "ambiguousActions",
    ],
}


def _path(key: str, fixtures: Path, samples: Path) -> Path:
    group, name = key.split("/", 1)
    return (fixtures / "c2pa" if group == "fixtures" else samples / "credentials") / name


def _ours(path: Path) -> list[rubrics.ManifestSignals]:
    data = reader.crjson(path, sniff(path.read_bytes()[:64]).mime)
    assert data, f"{path.name} has no crJSON"
    return rubrics.signals(data)


@pytest.mark.parametrize("key", FILES)
def test_signals_equal_the_reference_evaluator(key, fixtures, samples):
    expected = REFERENCE[key]
    ours = _ours(_path(key, fixtures, samples))
    assert len(ours) == len(expected)
    for want, got in zip(expected, ours, strict=True):
        assert got.pseudo == want["pseudo"]
        assert sorted(f"inception:signal_{s.id}" for s in got.inceptions) == want["inceptions"]
        assert (
            sorted(f"transformation:signal_{s.id}" for s in got.transformations)
            == want["transformations"]
        )
        assert sorted(s.text for s in got.inceptions + got.transformations) == want["texts"]
        mapped = [i for i in got.ingredients if i["index"] is not None]
        assert mapped == want["ingredients"]


@pytest.mark.parametrize("key", FILES)
def test_integrity_and_conformance_rubrics_equal_the_reference(key, fixtures, samples):
    path = _path(key, fixtures, samples)
    data = reader.crjson(path, sniff(path.read_bytes()[:64]).mime)
    for rubric, expected in REFERENCE["rubrics"][key].items():
        ours = {r.id.split(":", 1)[-1]: r.value for r in rubrics.evaluate(rubric, data)}
        assert ours == expected, rubric


def test_reference_covers_real_fixtures_and_signed_samples():
    assert sum(k.startswith("fixtures/") for k in FILES) >= 10
    assert sum(k.startswith("samples/") for k in FILES) >= 15


@pytest.mark.parametrize(
    "signal", [s for group in ALL_SIGNALS.values() for s in group], ids=lambda s: s
)
def test_every_signal_is_true_somewhere_and_false_somewhere(signal):
    seen = [
        signal in {t.split("signal_", 1)[1] for t in node["inceptions"] + node["transformations"]}
        for key in FILES
        for node in REFERENCE[key]
    ]
    assert any(seen), f"no file raises {signal}"
    assert not all(seen), f"every file raises {signal}"


def test_signal_samples_raise_what_they_were_built_for(samples):
    expected = json.loads((samples / "credentials" / "EXPECTED.json").read_text())["samples"]
    built = {name: e["signals"] for name, e in expected.items() if e.get("signals")}
    assert len(built) >= 7
    for name, signals in built.items():
        active = _ours(samples / "credentials" / name)[0]
        assert sorted(active.ids()) == sorted(signals), name


def test_rubric_wording_is_the_rubrics_own(samples):
    active = _ours(samples / "credentials" / "gen_image.jpg")[0]
    texts = {s.id: s.text for s in active.inceptions}
    assert texts["fullyGenAIMedia"] == "Contains Fully GenAI Media"


def test_flat_ingredient_with_a_source_type_is_its_own_node():
    crjson = {
        "manifests": [
            {
                "label": "urn:c2pa:active",
                "assertions": {
                    "c2pa.ingredient.v3": {
                        "relationship": "componentOf",
                        "dc:title": "prompt-image.png",
                        "digitalSourceType": (
                            "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
                        ),
                    },
                    "c2pa.actions.v2": {"actions": [{"action": "c2pa.placed"}]},
                },
            }
        ]
    }
    nodes = rubrics.signals(crjson)
    assert [n.pseudo for n in nodes] == [False, True]
    assert nodes[0].ingredients == [{"index": 1, "relationship": "componentOf"}]
    assert "fullyGenAIMedia" in nodes[1].ids()
    assert "mediaUnknownProvenance" in nodes[0].ids()


def test_conformance_report_for_producers(samples, fixtures):
    good = reader.conformance(samples / "credentials" / "signal_partly_genai.jpg", "image/jpeg")
    assert [r.rubric for r in good] == [
        "C2PA Asset Integrity Rubric",
        rubrics.load("asset-rubric-conformance0.2-spec2.4.yml").name,
    ]
    integrity = {r.id: r for r in good[0].results}
    assert integrity["validation:valid_success"].value == "true"
    tampered = reader.conformance(samples / "credentials" / "tampered_pixels.jpg", "image/jpeg")
    failed = {r.id: r for r in tampered[0].results}
    assert failed["validation:valid_success"].value == "false"
    assert "assertion.dataHash.mismatch" in failed["validation:valid_success"].text
    legacy = reader.conformance(fixtures / "c2pa" / "CA.jpg", "image/jpeg")
    spec = {r.id: r for r in legacy[1].results}
    # a 2022 manifest uses the legacy urn:uuid label and the deprecated c2pa.actions
    assert spec["validation:active_manifest_urn"].value == "false"
    assert spec["validation:no_deprecated_assertions"].value == "false"
    assert not legacy[1].passed


@pytest.mark.parametrize(
    "file", [rubrics.SIGNALS_RUBRIC, rubrics.INTEGRITY_RUBRIC, *rubrics.CONFORMANCE_RUBRICS]
)
def test_the_rubric_loader_reads_each_bundled_rubric_as_pyyamls_safe_loader_does(file):
    """libyaml's loader, when PyYAML has it, only changes how soon a rubric is read."""
    import yaml

    from provenance.readers.credentials.trust import data_text

    text = data_text(f"rubrics/{file}")
    ours = list(yaml.load_all(text, Loader=rubrics._safe_loader(yaml)))
    assert ours == list(yaml.load_all(text, Loader=yaml.SafeLoader))
    assert len(ours) >= 2 and ours[0].get("rubric_metadata")  # metadata, then statements
