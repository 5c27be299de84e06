"""Estimated wait from recent service times."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.estimate import (
    DEFAULT_SERVICE_S,
    FULL_HISTORY,
    MIN_SERVICE_S,
    estimated_wait_s,
    typical_service_s,
)

fast = settings(max_examples=100, deadline=None)
durations = st.lists(st.floats(-60, 7200, allow_nan=False), max_size=30)


def test_typical_time_is_the_median_of_recent_services():
    assert typical_service_s([240, 300, 260, 250, 270]) == 260
    assert typical_service_s([240, 300, 260, 280, 250, 270]) == 265


def test_a_few_services_lean_on_the_default_until_there_is_history():
    # three services of 4 min: 3/5 of the way from the 5-min default to 4 min
    assert typical_service_s([240, 240, 240]) == (3 * 240 + 2 * 300) / 5
    assert typical_service_s([600], default_s=300) == (600 + 4 * 300) / 5


def test_clicking_through_tickets_is_not_history():
    # a clerk who presses next/start/finish in 2 s three times does not make the
    # kiosk promise a 4-second wait to the next citizen
    assert typical_service_s([2, 3, 2]) == DEFAULT_SERVICE_S
    assert typical_service_s([2, 3, 2, 240, 240, 240, 240, 240]) == 240
    assert estimated_wait_s(2, typical_service_s([2, 2, 2]), 2) == DEFAULT_SERVICE_S


def test_one_long_land_dossier_does_not_move_the_estimate_much():
    assert typical_service_s([240, 250, 260, 270, 3 * 3600]) == 260


def test_no_history_yet_uses_the_centre_default():
    assert typical_service_s([]) == DEFAULT_SERVICE_S
    assert typical_service_s([], default_s=420) == 420
    # zero or negative durations (a double click, a clock fix) are not history
    assert typical_service_s([0, -5, 0.0], default_s=420) == 420
    assert typical_service_s([0, 200, -5]) == (200 + 4 * DEFAULT_SERVICE_S) / 5


def test_nobody_ahead_means_no_wait():
    assert estimated_wait_s(0, 300, 2) == 0
    assert estimated_wait_s(-1, 300, 2) == 0


@pytest.mark.parametrize(
    ("ahead", "counters", "wait"),
    [(1, 1, 300), (5, 1, 1500), (5, 2, 900), (4, 2, 600), (1, 3, 300), (3, 0, 900)],
)
def test_wait_counts_rounds_of_all_counters_serving_the_field(ahead, counters, wait):
    assert estimated_wait_s(ahead, 300, counters) == wait


@fast
@given(durations)
def test_typical_time_lies_within_the_recent_times(values):
    typical = typical_service_s(values)
    real = [v for v in values if v >= MIN_SERVICE_S]
    if len(real) >= FULL_HISTORY:
        assert min(real) <= typical <= max(real)
    else:  # the default takes part until there is enough history
        assert min(real + [DEFAULT_SERVICE_S]) <= typical <= max(real + [DEFAULT_SERVICE_S])


@fast
@given(st.integers(0, 500), st.floats(1, 3600), st.integers(0, 40))
def test_wait_grows_with_the_queue_and_shrinks_with_counters(ahead, typical, counters):
    wait = estimated_wait_s(ahead, typical, counters)
    assert isinstance(wait, int) and wait >= 0
    assert estimated_wait_s(ahead + 1, typical, counters) >= wait
    assert estimated_wait_s(ahead, typical, counters + 1) <= wait
    if ahead:
        per_counter = ahead / max(1, counters)
        assert per_counter * typical - 1 <= wait <= (per_counter + 1) * typical + 1
