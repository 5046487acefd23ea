"""docs/extending.md's worked examples are real: its marked blocks are written into a copy of
the package, which then reports what the document says it reports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import provenance

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "extending.md"
PACKAGE = Path(provenance.__file__).resolve().parent
BLOCK = re.compile(r"<!-- (file|append|replace): (\S+) -->\n```[a-z]*\n(.*?)```", re.S)

SCRIPT = r"""
import json, sys
from pathlib import Path

import numpy as np
from PIL import Image, PngImagePlugin

import provenance
from provenance.detectors.shapes import is_icon, template
from provenance.knowledge.generators import load

tmp = Path(sys.argv[1])
rng = np.random.default_rng(0)
picture = rng.integers(40, 255, (480, 640, 3), dtype=np.uint8)
Image.fromarray(picture).save(tmp / "plain.png")
boxed = picture.copy()
boxed[:60] = 0
boxed[-60:] = 0
Image.fromarray(boxed).save(tmp / "boxed.png")
text = PngImagePlugin.PngInfo()
text.add_text("Software", "AcmeImagine 2.1")
Image.fromarray(picture[:64, :64]).save(tmp / "acme.png", pnginfo=text)

def evidence(name, **kw):
    report = provenance.check(tmp / name, **kw)
    assert report.status == "ok", report.error
    return report, [(e.kind, e.claim, e.detail) for e in report.evidence]

out = {"package": provenance.__file__}
out["boxed"] = evidence("boxed.png", detectors=("letterbox",))[1]
out["plain"] = evidence("plain.png", detectors=("letterbox",))[1]
report, ev = evidence("acme.png", detectors=())
out["acme"] = [report.verdict.generator, report.verdict.ai_generated, [k for k, _, _ in ev]]
diamond = template("diamond", 21)
out["diamond"] = [int(diamond[10, 10]), int(diamond[0, 0]), is_icon("diamond")]
out["acme_mark"] = [m.shape for m in load()["acme-imagine"].visible]
print(json.dumps(out))
"""


def _blocks() -> list[tuple[str, str, str]]:
    return BLOCK.findall(DOC.read_text("utf-8"))


def _apply(root: Path, action: str, path: str, text: str) -> None:
    assert path.startswith("provenance/"), path
    target = root / path
    if action == "file":
        assert not target.exists(), f"{path} exists already: the example must add a new file"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    elif action == "append":
        with target.open("a") as f:
            f.write(text)
    else:  # replace the line that assigns the same name
        name = text.split("=", 1)[0].strip()
        lines = target.read_text().splitlines(keepends=True)
        hits = [i for i, line in enumerate(lines) if line.startswith(f"{name} = ")]
        assert len(hits) == 1, f"{path}: no single line assigning {name}"
        lines[hits[0]] = text
        target.write_text("".join(lines))


def test_the_document_marks_its_blocks():
    actions = [(a, p) for a, p, _ in _blocks()]
    assert ("file", "provenance/detectors/letterbox/detector.py") in actions
    assert ("file", "provenance/rules/letterbox.py") in actions
    assert ("append", "provenance/data/weights.toml") in actions
    assert ("append", "provenance/data/generators.toml") in actions
    assert ("append", "provenance/detectors/shapes.py") in actions


@pytest.mark.e2e
def test_worked_examples_run_as_documented(tmp_path):
    copy = tmp_path / "pkg" / "provenance"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for action, path, text in _blocks():
        _apply(copy.parent, action, path, text)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
        env={"PYTHONPATH": str(copy.parent), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.splitlines()[-1])
    assert Path(out["package"]).resolve().parent == copy.resolve()
    doc = " ".join(DOC.read_text("utf-8").split())
    # the detector and its rule: 60 of 480 rows at each edge; the sentence the doc shows
    (record,) = out["boxed"]
    assert record[:2] == ["letterbox.bars", "info"]
    assert record[2].startswith("Dark bars cover the top 12% and the bottom 12% of the picture")
    assert record[2] in doc.replace("# ", "")
    assert out["plain"] == []  # no bars, no record
    # the generator, from its tool string only
    assert out["acme"] == ["acme-imagine", "likely", ["metadata.generator-tool"]]
    assert "('acme-imagine', 'likely')" in doc
    # the shape: filled centre, empty corner, an icon; the generator's mark uses it
    assert out["diamond"] == [255, 0, True]
    assert out["acme_mark"] == ["diamond"]
