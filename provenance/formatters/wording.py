"""Words for people, shared by the readable output and the HTML page: the headline of a
verdict, its confidence (only when there is an answer to be sure of), timecodes, counts.

Why one place: a journalist pastes these; "AI-generated" must not be said of a photo that
only had a generative fill (``verdict.ai_extent`` "edited"), "confidence 0.00" must not
be shown for an unknown file (there is no answer to be 0 % sure of), and a count reads
"1 frame", not "1 sightings".
"""

from __future__ import annotations

import math
from typing import Any

from provenance.model.records import stripped_words

_HEADLINES = {
    ("yes", "generated"): "AI-generated",
    ("yes", "edited"): "AI-edited / contains AI elements",
    ("likely", "generated"): "Likely AI-generated",
    ("likely", "edited"): "Likely AI-edited / contains AI elements",
    ("unknown", None): "No evidence of AI found (this does not show it is authentic)",
    ("unlikely", None): "Unlikely to be AI: its credentials state otherwise",
}


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def headline(verdict: Any, status: str = "ok") -> str:
    """The verdict in a few words (a Verdict or its dict)."""
    if status != "ok":
        return "Could not be analysed"
    ai = _get(verdict, "ai_generated") or "unknown"
    extent = _get(verdict, "ai_extent") if ai in ("yes", "likely") else None
    if ai in ("yes", "likely") and extent not in ("generated", "edited"):
        extent = "generated"
    return _HEADLINES.get((ai, extent), ai)


def confidence(verdict: Any, status: str = "ok") -> str | None:
    """``confidence 0.85``, or None when the answer is unknown or there is none."""
    if status != "ok" or (_get(verdict, "ai_generated") or "unknown") == "unknown":
        return None
    return f"confidence {float(_get(verdict, 'confidence') or 0):.2f}"


def marks(verdict: Any, status: str = "ok") -> str:
    """Were provenance marks stripped, in words."""
    if status != "ok":
        return "not analysed"
    state = _get(verdict, "marks_stripped") or "unknown"
    # Re-encoding alone is not stripping (informational), as in the summary sentence.
    words = stripped_words([k for k in _get(verdict, "stripped") or [] if k != "reencoded"])
    said = {
        "yes": "yes",
        "likely": "probably",
        "no": "no (intact Content Credentials)",
        "unknown": "unknown",
    }.get(state, state)
    return f"{said}: {'; '.join(words)}" if words and state in ("yes", "likely") else said


def timecode(seconds: float | None) -> str:
    """``0:03.8``, ``1:02:05.0``: minutes and seconds to a tenth, as video players show."""
    if seconds is None:
        return "?"
    tenths = math.floor(max(0.0, float(seconds)) * 10 + 0.5)  # half up: 3.65 s is 0:03.7
    minutes, rest = divmod(tenths, 600)
    hours, minutes = divmod(minutes, 60)
    sec = f"{rest // 10:02d}.{rest % 10}"
    return f"{hours}:{minutes:02d}:{sec}" if hours else f"{minutes}:{sec}"


def count(n: int, one: str, many: str | None = None) -> str:
    """``1 frame``, ``12 frames``."""
    return f"{n} {one if n == 1 else (many or one + 's')}"
