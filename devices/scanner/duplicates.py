"""The duplicate-scan guard: the same code read again within a short window counts once.

Scanners in presentation (auto-sense) mode re-read a code held in front of
them every few hundred milliseconds.  The window slides: each repeat
restarts it, so a code held in front of the scanner for ten seconds still
counts once; it counts again only after `window_s` without seeing it.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class DuplicateGuard:
    """`accept(code)` is True for a new scan, False for a repeat within the window."""

    def __init__(self, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self._clock = clock
        self._last_seen: dict[str, float] = {}

    def accept(self, code: str) -> bool:
        """Record that `code` was read now; say whether it counts as a new scan."""
        now = self._clock()
        if self.window_s <= 0:
            return True
        # Forget codes outside the window so the table stays small on a busy day.
        self._last_seen = {c: t for c, t in self._last_seen.items() if now - t < self.window_s}
        repeat = code in self._last_seen
        self._last_seen[code] = now
        return not repeat
