"""How well an OCR line matches a mark's text, with OCR's confusions allowed for."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from functools import lru_cache

from provenance.knowledge import generators


def normalise(text: str) -> str:
    """Case-folded letters, digits and CJK only (OCR drops and invents spaces)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[^\w]+", unicodedata.normalize("NFKC", text).casefold()) if t]


@lru_cache(maxsize=1024)
def _variant(text: str) -> tuple[str, tuple[str, ...]]:
    """A text's normal form and tokens, once: each OCR line meets every mark's few hundred
    texts (recomputed per pair, 4 ms of a still photo's 54 ms check)."""
    return normalise(text), tuple(_tokens(text))


def match_text(line: str, mark: generators.VisibleMark, fuzzy_min: float = 0.84) -> float:
    """How well one OCR line matches a mark's text: 1 exact, 0.9 as whole words, fuzzy
    ratio otherwise (at least ``fuzzy_min`` for texts of 4+ characters); 0 when it does not
    match. Lines starting with '@' are handles."""
    if not line or line.lstrip().startswith("@"):
        return 0.0
    nl, toks = _variant(line)
    best = 0.0
    for i, variant in enumerate(mark.texts + mark.misspellings):
        nt, vt = _variant(variant)
        if not nt:
            continue
        penalty = 0.0 if i < len(mark.texts) else 0.05
        if nl == nt:
            best = max(best, 1.0 - penalty)
            continue
        if len(nt) <= 2:
            continue  # "AI" only as a whole line
        if any(toks[j : j + len(vt)] == vt for j in range(len(toks) - len(vt) + 1)):
            best = max(best, 0.9 - penalty)
        elif not nt.isascii() and nt in nl:
            best = max(best, 0.9 - penalty)  # CJK has no spaces between words
        elif len(nt) >= 4 and _may_be_close(nl, nt, fuzzy_min):
            ratio = difflib.SequenceMatcher(None, nl, nt).ratio()
            if ratio >= fuzzy_min:
                best = max(best, ratio - 0.1 - penalty)
    return best


def _may_be_close(a: str, b: str, fuzzy_min: float) -> bool:
    """Upper bounds of SequenceMatcher.ratio (lengths, then shared characters) reach
    ``fuzzy_min``: cheap, and most OCR lines stop here."""
    total = len(a) + len(b)
    if 2 * min(len(a), len(b)) < fuzzy_min * total:
        return False
    shared = sum((Counter(a) & Counter(b)).values())
    return 2 * shared >= fuzzy_min * total
