"""Estimated wait from recent service times, not a constant.

wait ≈ people_ahead × typical service time ÷ counters serving the field.
The typical time is the median of the field's recent services (robust to a
single long dossier).  Services shorter than MIN_SERVICE_S are clicks, not
history (a clerk pressing through tickets by mistake).  Until FULL_HISTORY
services are known the median is blended with the centre's default, so three
quick services in the morning cannot make the kiosk promise a 4-second wait;
with no history yet, the default alone is used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import median

DEFAULT_SERVICE_S = 300
MIN_SERVICE_S = 20  # shorter than this is a mis-click, not a citizen served
FULL_HISTORY = 5  # from this many services on, the history alone decides


def typical_service_s(
    recent_durations_s: Sequence[float], default_s: float = DEFAULT_SERVICE_S
) -> float:
    values = [d for d in recent_durations_s if d and d >= MIN_SERVICE_S]
    if not values:
        return float(default_s)
    known = len(values)
    middle = float(median(values))
    if known >= FULL_HISTORY:
        return middle
    return (known * middle + (FULL_HISTORY - known) * float(default_s)) / FULL_HISTORY


def estimated_wait_s(people_ahead: int, typical_s: float, counters_serving: int) -> int:
    """Seconds until this ticket is likely called; 0 when nobody is ahead."""
    if people_ahead <= 0:
        return 0
    counters = max(1, counters_serving)
    # Every counter works on its own ticket: the rounds before ours is ceil(ahead / counters).
    rounds = math.ceil(people_ahead / counters)
    return int(round(rounds * typical_s))
