"""Estimated wait from recent service times, not a constant.

wait ≈ people_ahead × typical service time ÷ counters serving the field.
The typical time is the median of the field's recent services (robust to a
single long dossier); with no history yet, the centre's default is used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import median

DEFAULT_SERVICE_S = 300


def typical_service_s(
    recent_durations_s: Sequence[float], default_s: float = DEFAULT_SERVICE_S
) -> float:
    values = [d for d in recent_durations_s if d and d > 0]
    return float(median(values)) if values else float(default_s)


def estimated_wait_s(people_ahead: int, typical_s: float, counters_serving: int) -> int:
    """Seconds until this ticket is likely called; 0 when nobody is ahead."""
    if people_ahead <= 0:
        return 0
    counters = max(1, counters_serving)
    # Every counter works on its own ticket: the rounds before ours is ceil(ahead / counters).
    rounds = math.ceil(people_ahead / counters)
    return int(round(rounds * typical_s))
