"""Expected Asset Rubrics signals, from the C2PA Conformance Program's own reference evaluator.

The reference evaluator (``c2pa_signals_rubric_evaluator.py`` in conformance-public
asset-rubrics/) needs Adobe's json-formula-py, which is not on PyPI, so it runs in a separate
virtual environment, never the project's:

    python3.11 -m venv /tmp/refeval-venv
    /tmp/refeval-venv/bin/pip install pyyaml /path/to/json-formula-py
    .venv/bin/python bench/c2pa_reference_signals.py /path/to/conformance-public \
        /tmp/refeval-venv/bin/python

For every file with Content Credentials among the shared conformance fixtures and the
project's signed samples, this reads the crJSON with the project's reader (offline), runs the
reference evaluator on it with the bundled ``asset-rubric-signals-local.yml`` and writes the
signals per manifest to ``tests/data/c2pa_reference_signals.json``; the conformance evaluator
(``c2pa_conformance_rubric_evaluator.py``) runs the bundled integrity and conformance rubrics
on the same crJSON, and each statement's outcome goes in the same file (key ``rubrics``).
``tests/test_c2pa_rubrics.py`` compares both with ``provenance``'s own evaluator.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provenance.readers.credentials import reader  # noqa: E402
from provenance.readers.probe import sniff  # noqa: E402

FIXTURES = Path("/work/shared/fixtures/c2pa")
SAMPLES = ROOT / "samples" / "credentials"
OUT = ROOT / "tests" / "data" / "c2pa_reference_signals.json"
RUBRICS = ROOT / "provenance" / "data" / "c2pa" / "rubrics"
RUBRIC = RUBRICS / "asset-rubric-signals-local.yml"
WHOLE_ASSET = (
    "asset-rubric-integrity.yml",
    "asset-rubric-conformance0.1-spec2.2.yml",
    "asset-rubric-conformance0.2-spec2.2.yml",
    "asset-rubric-conformance0.2-spec2.4.yml",
)
# Runs in the reference venv: every statement's outcome (true / false / warn) by statement id.
CONFORMANCE = """
import contextlib, io, json, sys
sys.path.insert(0, sys.argv[1])
from c2pa_conformance_rubric_evaluator import evaluate_asset_against_rubric
with contextlib.redirect_stdout(io.StringIO()):
    res = evaluate_asset_against_rubric(sys.argv[2], json_path=sys.argv[3])
out = {}
for outcome, key in (("true", "true"), ("false", "false"), ("warn", "warning")):
    for items in res[key].values():
        for item in items:
            out[item["trait"]] = outcome
print(json.dumps(out))
"""


def candidates() -> list[tuple[str, Path]]:
    files = [("fixtures", p) for p in sorted(FIXTURES.iterdir()) if p.is_file()]
    files += [("samples", p) for p in sorted(SAMPLES.iterdir()) if p.is_file()]
    return files


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    evaluator = Path(argv[1]) / "asset-rubrics" / "c2pa_signals_rubric_evaluator.py"
    python = argv[2]
    results: dict[str, object] = {
        "_about": {
            "evaluator": "conformance-public asset-rubrics/c2pa_signals_rubric_evaluator.py",
            "rubric": "provenance/data/c2pa/rubrics/asset-rubric-signals-local.yml",
            "made_by": "bench/c2pa_reference_signals.py",
        }
    }
    rubric_results: dict[str, object] = {}
    for group, path in candidates():
        mime = sniff(path.read_bytes()[:64]).mime
        data = reader.crjson(path, mime)
        if not data or not data.get("manifests"):
            continue
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
            json.dump(data, fh)
        run = subprocess.run(
            [python, str(evaluator), str(RUBRIC), fh.name],
            cwd=evaluator.parent,
            capture_output=True,
            text=True,
            check=True,
        )
        out = json.loads(run.stdout)
        whole = {}
        for rubric in WHOLE_ASSET:
            run = subprocess.run(
                [python, "-c", CONFORMANCE, str(evaluator.parent), str(RUBRICS / rubric), fh.name],
                capture_output=True,
                text=True,
                check=True,
            )
            whole[rubric] = json.loads(run.stdout)
        Path(fh.name).unlink()
        rubric_results[f"{group}/{path.name}"] = whole
        results[f"{group}/{path.name}"] = [
            {
                "index": i,
                "pseudo": bool(m.get("pseudo")),
                "inceptions": sorted(s["trait"] for s in m["localInceptions"]),
                "transformations": sorted(s["trait"] for s in m["localTransformations"]),
                "texts": sorted(
                    s["reportText"] for s in m["localInceptions"] + m["localTransformations"]
                ),
                "ingredients": m["ingredients"],
            }
            for i, m in enumerate(out["manifests"])
        ]
        print(f"{group}/{path.name}: {len(out['manifests'])} manifests")
    results["rubrics"] = rubric_results
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
