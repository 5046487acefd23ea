"""Strings from files, made safe to show to a person (terminal and HTML alike).

A file name, a C2PA signer or softwareAgent, EXIF or PNG text is chosen by whoever made
the file. Printed raw, its control characters drive the terminal: cursor movement and
erase sequences can paint "unlikely" over "AI-generated: yes", and window-title (OSC 0)
and hyperlink (OSC 8) sequences survive a pipe into ``less -R`` or a log viewer. Like
``ls -b``, every control character is shown as a backslash escape instead, and so are the
invisible characters that reorder or hide text (bidirectional overrides, line and
paragraph separators) and the bytes of a non-UTF-8 name. A backslash is doubled, so the
escaped form reads back unambiguously. Used by every human-readable output.
"""

from __future__ import annotations

import re

_C_ESCAPES = {
    "\\": "\\\\",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
}
# Bidirectional embeddings, overrides and isolates, the marks that steer them, and Unicode
# line and paragraph separators: invisible, but they reorder or break the text around them.
_STEERING = "\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
# A backslash, C0 and C1 controls and DEL, the steering characters, and lone surrogates
# (the undecodable bytes of a file name, PEP 383).
_UNSAFE = re.compile("[\\\\\x00-\x1f\x7f-\x9f" + _STEERING + "\ud800-\udfff]")


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _C_ESCAPES:
        return _C_ESCAPES[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a non-UTF-8 name, as os.fsdecode keeps it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: object) -> str:
    """``value`` as text with every control or invisible steering character escaped;
    None becomes an empty string."""
    if value is None:
        return ""
    return _UNSAFE.sub(_escape, str(value))


# JSON escapes control characters below 0x20 itself; these it leaves raw with
# ensure_ascii=False. Written as \uXXXX they parse back to the same string.
_JSON_RAW = re.compile("[\x7f-\x9f" + _STEERING + "\ud800-\udfff]")


def json_safe(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the characters above
    written as ``\\uXXXX`` escapes: valid UTF-8 even for a non-UTF-8 file name, and inert
    on a terminal, in a log viewer or in a JavaScript string."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
