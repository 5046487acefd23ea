"""``provenance conformance``: the C2PA's integrity and conformance rubrics on files, for
people who produce Content Credentials (a generator vendor checking its own output).

It answers a different question from ``check`` ("does this asset's manifest meet the
Conformance Program's rules?", not "was this made by AI?"), so it is a command of its own
with its own exit codes; every statement is printed with the rubric's own report text
(readers/credentials/rubrics.py evaluates them, tested against the reference evaluator).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

import click

from provenance.formatters.printable import printable

EXIT_HELP = """
Exit codes: 0 every file meets every rubric (warnings allowed); 1 a statement failed;
2 a file has no Content Credentials or could not be read (2 wins).
"""

_MARKS = {"true": "pass", "false": "FAIL", "warn": "warn", None: "not evaluated"}


def _mime(path: str) -> str | None:
    from provenance.readers.probe import sniff

    with open(path, "rb") as stream:
        return sniff(stream.read(64)).mime


@click.command(epilog=EXIT_HELP)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--spec",
    type=click.Choice(["2.4", "2.2"]),
    default="2.4",
    show_default=True,
    help="C2PA specification version whose conformance rubric applies.",
)
@click.option(
    "--trust-anchors",
    type=click.Path(exists=True, dir_okay=False),
    help="PEM file of certificates to trust as C2PA signing roots, besides the bundled list.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file.")
@click.option("-v", "--verbose", is_flag=True, help="Also list the statements that pass.")
def conformance(files, spec, trust_anchors, as_json, verbose) -> None:
    """Run the C2PA Asset Integrity rubric and the Conformance Program rubric on FILES
    (offline) and print each statement with the rubric's own wording."""
    from provenance.readers.credentials.reader import conformance as run

    codes = []
    for path in files:
        try:
            reports = run(path, _mime(path), trust_anchors, spec)
            problem = None if reports else "no Content Credentials found"
        except OSError as exc:
            reports, problem = [], f"could not be read: {exc.strerror or exc}"
        code = 2 if problem else (0 if all(r.passed for r in reports) else 1)
        codes.append(code)
        if as_json:
            record = {"path": path, "spec": spec, "passed": code == 0, "error": problem}
            record["rubrics"] = [
                {"rubric": r.rubric, "version": r.version, "passed": r.passed}
                | {"results": [asdict(x) for x in r.results]}
                for r in reports
            ]
            click.echo(json.dumps(record, ensure_ascii=False, default=str))
            continue
        click.echo(printable(path))
        if problem:
            click.echo(f"  {problem}")
        for r in reports:
            passing = sum(x.value == "true" for x in r.results)
            click.echo(
                f"  {r.rubric} {r.version}: {'passed' if r.passed else 'FAILED'} "
                f"({passing} of {len(r.results)} statements pass)"
            )
            for x in r.results:
                if verbose or x.value != "true":
                    mark = _MARKS.get(x.value, x.value)
                    click.echo(f"    {mark:<5} {x.id}: {printable(x.text)}")
        click.echo()
    sys.exit(max(codes, default=0))
