"""Report arithmetic: percentiles, means and shares, plus the local-time
offsets of a date range.  Plain Python; the store hands it numbers.

Percentiles follow PostgreSQL's `percentile_cont` (linear interpolation
between the two nearest ranks), so a report reads the same on SQLite, where
the numbers are summarised here, and on PostgreSQL, where SQL does it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

PERCENTILES = (0.5, 0.9)


def percentile_cont(ordered: Sequence[float], fraction: float) -> float | None:
    """The `fraction` percentile of already sorted values; None for no values."""
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def merge_sorted(runs: Iterable[list[float]]) -> list[float]:
    """One sorted list from sorted runs (Timsort merges runs it finds, in C)."""
    merged: list[float] = []
    for run in runs:
        merged.extend(run)
    merged.sort()
    return merged


def durations(ordered: Sequence[float]) -> dict:
    """mean, median and 90th percentile of sorted durations in seconds (None when empty)."""
    return duration_summary(
        sum(ordered) / len(ordered) if ordered else None,
        percentile_cont(ordered, PERCENTILES[0]),
        percentile_cont(ordered, PERCENTILES[1]),
    )


def duration_summary(mean: float | None, median: float | None, p90: float | None) -> dict:
    """Rounded to a tenth of a second: SQLite's julianday() arithmetic is exact only to ~ms."""
    return {
        "mean": _round(mean),
        "median": _round(median),
        "p90": _round(p90),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def share(part: int, whole: int) -> float | None:
    """part / whole as a fraction rounded to 4 places; None when there is nothing to share."""
    return round(part / whole, 4) if whole else None


def utc_offsets(timezone: str, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """The zone's UTC offset (minutes) over [start, end): [(from UTC instant, offset), …].

    One entry for Asia/Ho_Chi_Minh (no daylight saving); a zone with daylight
    saving gets one entry per change, found to the hour (zones change on the hour).
    """
    zone = ZoneInfo(timezone)

    def offset(at: datetime) -> int:
        return int(at.astimezone(zone).utcoffset().total_seconds() // 60)

    at = start.astimezone(UTC)
    segments = [(at, offset(at))]
    step = timedelta(days=1)
    while at < end:
        following = min(at + step, end)
        if offset(following) != segments[-1][1]:
            hour = at
            while offset(hour) == segments[-1][1]:
                hour += timedelta(hours=1)
            segments.append((hour, offset(hour)))
        at = following
    return segments
