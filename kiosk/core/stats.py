"""Report arithmetic: percentiles, means and shares, plus the local-time
offsets of a date range.  Plain Python; the store hands it numbers.

Percentiles follow PostgreSQL's `percentile_cont` (linear interpolation
between the two nearest ranks), so a report reads the same on SQLite, where
the numbers are summarised here, and on PostgreSQL, where SQL does it.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
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


def order_statistics(runs: Sequence[Sequence[float]], ranks: Iterable[int]) -> dict[int, float]:
    """The values at 0-based `ranks` of the union of sorted runs, without merging them.

    A sorted sample (every `step`-th value of each run) brackets each rank
    within about 2·runs·step values; only those are counted (bisect) and
    sorted.  Merging every run instead costs n·log(runs) for each group of a
    report, which on a year of legs was most of the SQLite report's time.
    """
    runs = [run for run in runs if run]
    total = sum(len(run) for run in runs)
    if not runs:
        return {}
    step = max(1, math.isqrt(total // (2 * len(runs))))
    sample = merge_sorted([run[::step] for run in runs])
    values = {}
    for rank in ranks:
        low_at = (rank + 1) // step - 1
        high_at = rank // step + len(runs)
        low = sample[low_at] if low_at >= 0 else -math.inf
        high = sample[high_at] if high_at < len(sample) else math.inf
        starts = [bisect_left(run, low) for run in runs]
        ends = [bisect_right(run, high) for run in runs]
        below = sum(starts)
        if not below <= rank < sum(ends):  # cannot happen; stay exact if it ever does
            return {r: merge_sorted(runs)[r] for r in ranks}
        window = merge_sorted([run[s:e] for run, s, e in zip(runs, starts, ends, strict=True)])
        values[rank] = window[rank - below]
    return values


def percentiles_of_runs(runs: Sequence[Sequence[float]]) -> tuple[float | None, float | None]:
    """Median and 90th percentile (percentile_cont) of the union of sorted runs."""
    total = sum(len(run) for run in runs)
    if not total:
        return None, None
    wanted = {}
    for fraction in PERCENTILES:
        position = (total - 1) * fraction
        wanted[fraction] = (int(position), min(int(position) + 1, total - 1), position)
    ranks = {r for low, high, _ in wanted.values() for r in (low, high)}
    found = order_statistics(runs, sorted(ranks))
    median, p90 = (
        found[low] + (found[high] - found[low]) * (position - low)
        for low, high, position in wanted.values()
    )
    return median, p90


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
