"""Exit codes of a check or scan, and the ``--fail-on`` thresholds that decide code 1.

Why: a pipeline gates on what it cares about: a newsroom inbox on any AI finding, a
takedown queue only on definite ones, an archive only on stripped marks, a batch job that
only wants the reports on nothing at all. Errors (a file that could not be analysed, an
output that could not be written) are exit 2 whatever the threshold: "could not tell" must
never read as "clean".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from provenance.model.report import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, Report

EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class Threshold:
    """One ``--fail-on`` choice: the verdict values that make exit code 1, and its help text."""

    help: str
    ai: frozenset[str] = frozenset()  # verdict.ai_generated values that fail
    stripped: frozenset[str] = frozenset()  # verdict.marks_stripped values that fail


_SURE, _LIKELY = frozenset({"yes"}), frozenset({"yes", "likely"})
FAIL_ON: dict[str, Threshold] = {
    "likely": Threshold("AI-generated yes/likely, or marks stripped yes/likely", _LIKELY, _LIKELY),
    "yes": Threshold("AI-generated yes, or marks stripped yes", _SURE, _SURE),
    "unknown": Threshold(
        "anything not shown to be camera-made: AI-generated yes/likely/unknown, or marks "
        "stripped yes/likely",
        frozenset({"yes", "likely", "unknown"}),
        _LIKELY,
    ),
    "ai": Threshold("AI-generated yes/likely (stripped marks do not count)", ai=_LIKELY),
    "stripped": Threshold("marks stripped yes/likely (AI verdicts do not count)", stripped=_LIKELY),
    "never": Threshold("no finding fails (errors still exit 2)"),
}
DEFAULT_FAIL_ON = "likely"

EXIT_HELP = f"""
Exit codes: 0 no file failed the --fail-on threshold; 1 at least one did (default
'{DEFAULT_FAIL_ON}': AI-generated yes/likely or marks stripped yes/likely); 2 a file could not
be analysed, a setting or an output was unusable, or the usage was wrong (2 wins over 1);
130 interrupted (Ctrl-C, SIGTERM).
"""
FAIL_ON_HELP = "Which findings make the exit code 1: " + "; ".join(
    f"{name}: {t.help}" for name, t in FAIL_ON.items()
)


def exit_code(status: Any, ai: Any, stripped: Any, fail_on: str = DEFAULT_FAIL_ON) -> int:
    if status != "ok":
        return EXIT_ERROR
    rule = FAIL_ON[fail_on]
    ai = ai if isinstance(ai, str) else None  # a damaged stored report: nothing to gate on
    stripped = stripped if isinstance(stripped, str) else None
    return EXIT_FINDINGS if ai in rule.ai or stripped in rule.stripped else EXIT_CLEAN


def of_report(report: Report, fail_on: str = DEFAULT_FAIL_ON) -> int:
    v = report.verdict
    return exit_code(report.status, v.ai_generated, v.marks_stripped, fail_on)


def of_stored(data: Any, fail_on: str = DEFAULT_FAIL_ON) -> int:
    """The exit code of a report read back from JSON Lines (any shape: a damaged one is 2)."""
    if not isinstance(data, dict):
        return EXIT_ERROR
    v = data.get("verdict")
    v = v if isinstance(v, dict) else {}
    return exit_code(data.get("status"), v.get("ai_generated"), v.get("marks_stripped"), fail_on)


def combined(codes: Iterable[int]) -> int:
    """One code for many files: the highest (2 wins over 1 over 0)."""
    return max(codes, default=EXIT_CLEAN)
