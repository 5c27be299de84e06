"""Report arithmetic: percentiles as PostgreSQL's percentile_cont computes them,
taken straight from many sorted runs, and a report's local hours."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.stats import (
    merge_sorted,
    percentile_cont,
    percentiles_of_runs,
    share,
    utc_offsets,
)

fast = settings(max_examples=200, deadline=None)
runs = st.lists(
    st.lists(st.one_of(st.integers(0, 30), st.floats(0, 7200, allow_nan=False)), max_size=60),
    max_size=40,
)


def test_median_and_90th_percentile_interpolate_like_postgresql():
    waits = [180, 600, 720, 780, 900]
    assert percentile_cont(waits, 0.5) == 720
    assert percentile_cont(waits, 0.9) == 852  # 780 + 0.6 × (900 − 780)
    assert percentile_cont([240, 300, 600], 0.9) == 540
    assert percentile_cont([], 0.5) is None


@fast
@given(runs)
def test_percentiles_from_sorted_runs_equal_those_of_all_values(data):
    sorted_runs = [sorted(run) for run in data]
    everything = merge_sorted(sorted_runs)
    expected = (percentile_cont(everything, 0.5), percentile_cont(everything, 0.9))
    assert percentiles_of_runs(sorted_runs) == expected


def test_shares_are_fractions_and_none_without_anything_to_share():
    assert share(2, 3) == 0.6667
    assert share(0, 0) is None


def test_vietnam_has_one_offset_all_year_and_daylight_saving_zones_two():
    year = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    assert [offset for _, offset in utc_offsets("Asia/Ho_Chi_Minh", *year)] == [420]
    berlin = utc_offsets("Europe/Berlin", *year)
    assert [offset for _, offset in berlin] == [60, 120, 60]
    assert berlin[1][0] == datetime(2025, 3, 30, 1, 0, tzinfo=UTC)  # 02:00 local became 03:00
