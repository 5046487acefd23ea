"""The facts the data files cite resolve inside the repository: every ``sources`` entry of
every provenance/data/*.toml is a section of docs/sources.md or a URL, and every document a
data file names (in a field or a comment) is a file of the repository, its #anchor a section."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = sorted((REPO / "provenance" / "data").glob("*.toml"))
SOURCES = REPO / "docs" / "sources.md"
ANCHORS = set(re.findall(r'<a id="([A-Za-z0-9_\-]+)"></a>', SOURCES.read_text("utf-8")))
URL = re.compile(r"https?://\S+")
# a document named in a data file: docs/x.md#anchor, x.md, README.md ...
DOCUMENT = re.compile(r"(?<![\w/.-])((?:[\w-]+/)*[\w-]+\.md)(#[A-Za-z0-9_\-]+)?")


def _sources(value, where: str):
    """(where, source) for every value under a key named ``sources``, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "sources":
                for source in [item] if isinstance(item, str) else item:
                    yield f"{where}.{key}", source
            else:
                yield from _sources(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _sources(item, f"{where}[{i}]")


def _resolves(document: str, anchor: str | None) -> bool:
    path = REPO / document
    if not path.is_file():
        return False
    if anchor and path == SOURCES:
        return anchor[1:] in ANCHORS
    return True


def test_every_sources_entry_is_a_section_of_docs_sources_or_a_url():
    cited, bad = 0, []
    for file in DATA:
        for where, source in _sources(tomllib.loads(file.read_text("utf-8")), file.name):
            cited += 1
            if URL.fullmatch(source):
                continue
            found = re.fullmatch(r"docs/sources\.md#([A-Za-z0-9_\-]+)", source)
            if not found or found.group(1) not in ANCHORS:
                bad.append(f"{where}: {source!r}")
    assert cited > 200  # the generator, family, producer and soft-binding tables cite
    assert bad == []


def test_every_document_a_data_file_names_is_in_the_repository():
    """Comments too: a number justified by a document outside the repository cannot be
    checked by whoever reads the data file."""
    named, bad = 0, []
    for file in DATA:
        for n, line in enumerate(file.read_text("utf-8").splitlines(), 1):
            for found in DOCUMENT.finditer(URL.sub("", line)):
                named += 1
                document, anchor = found.group(1), found.group(2)
                if "/" not in document and not (REPO / document).is_file():
                    document = f"docs/{document}"
                if not _resolves(document, anchor):
                    bad.append(f"{file.name}:{n}: {found.group(0)}")
    assert named > 200
    assert bad == []


def test_the_check_sees_a_reference_outside_the_repository():
    """The matcher itself: a reference to the old team notes is caught, a section is not."""
    line = "# see generator_signals.md 3.2 and docs/sources.md#summary"
    found = [(m.group(1), m.group(2)) for m in DOCUMENT.finditer(line)]
    assert found == [("generator_signals.md", None), ("docs/sources.md", "#summary")]
    assert not _resolves("docs/generator_signals.md", None)
    assert _resolves("docs/sources.md", "#summary")
    assert not _resolves("docs/sources.md", "#no-such-section")
