"""The inputs of ``check`` and ``list_inputs``: each path once, in one spelling.

Apart from the scan engine (``engine.py``) because ``provenance check`` of one file needs
only these and the engine's import costs ~2.7 ms of a cold start.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field


def path_key(path: str) -> str:
    """One spelling per path (``dir/a.jpg``, ``./dir/a.jpg``, ``dir//a.jpg``): a path named
    twice, or found again under a folder named too, is one input."""
    return os.path.normpath(os.path.abspath(path))


@dataclass
class Listing:
    """What a scan was given, all at once: every input path once, in a stable order, and for
    some of them why they get an error report unopened, or the real file a link led to; and
    how many folder entries were left out, by reason (``selection``: not media, hidden,
    sidecar manifest). For the paths of ``check`` and for callers that want a list
    (``list_inputs``); a scan streams a ``Walk`` instead."""

    paths: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # path -> reason (never opened)
    links: dict[str, str] = field(default_factory=dict)  # path -> real path behind a link
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> folder entries
    _keys: set[str] = field(default_factory=set, repr=False)

    def add(self, path: str, refused: str | None = None, real: str | None = None) -> None:
        key = path_key(path)
        if key in self._keys:
            return
        self._keys.add(key)
        self.paths.append(path)
        if refused:
            self.refused[path] = refused
        if real:
            self.links[path] = real
