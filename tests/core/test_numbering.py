"""Daily numbering: which business day a moment belongs to, and how numbers are
written and read back."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.errors import DomainError, InvalidInput
from kiosk.core.numbering import (
    MAX_SEQ,
    business_day,
    format_number,
    parse_number,
    validate_prefix,
)

HCM = "Asia/Ho_Chi_Minh"
TZ = ZoneInfo(HCM)
PREFIXES = st.from_regex(r"\A[A-Z]{1,2}\Z")
SEQS = st.integers(1, MAX_SEQ)
# Vietnam has been on UTC+7 without daylight saving since 13 June 1975; earlier
# dates had other offsets (+8 in the south until then), irrelevant to a ticket.
AWARE = st.datetimes(
    min_value=datetime(1976, 1, 1),
    max_value=datetime(2999, 12, 31),
    timezones=st.one_of(
        st.timezones(),
        st.builds(
            timezone,
            st.integers(-14 * 60, 14 * 60).map(lambda m: timedelta(minutes=m)),
        ),
    ),
)
# Any second within three days either side of 17:00Z, the local midnight.
NEAR_MIDNIGHT = st.integers(-3 * 86400, 3 * 86400).map(
    lambda s: datetime(2024, 3, 4, 17, tzinfo=UTC) + timedelta(seconds=s)
)
fast = settings(max_examples=100, deadline=None)


def local(hhmm: str, day: date = date(2024, 3, 4)) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), TZ)


def by_hand(now: datetime) -> date:
    """UTC+7, the arithmetic a clerk would do."""
    utc = now.replace(tzinfo=None) - now.utcoffset()
    return (utc + timedelta(hours=7)).date()


def issue_all(instants: list[tuple[str, datetime]]) -> list[str]:
    """A stand-in for storage's atomic daily sequence: one counter per (prefix, business day)."""
    seq: dict[tuple[str, date], int] = defaultdict(int)
    numbers = []
    for prefix, now in instants:
        key = (prefix, business_day(now, HCM))
        seq[key] += 1
        numbers.append(format_number(prefix, seq[key]))
    return numbers


# --- business day -----------------------------------------------------------


def test_a_ticket_at_235959_and_one_at_midnight_fall_on_different_days():
    assert business_day(local("23:59:59"), HCM) == date(2024, 3, 4)
    assert business_day(local("00:00:00", date(2024, 3, 5)), HCM) == date(2024, 3, 5)


def test_17_00_utc_is_local_midnight():
    assert business_day(datetime(2024, 3, 4, 16, 59, 59, tzinfo=UTC), HCM) == date(2024, 3, 4)
    assert business_day(datetime(2024, 3, 4, 17, 0, 0, tzinfo=UTC), HCM) == date(2024, 3, 5)
    assert business_day(datetime(2024, 3, 4, 17, 0, 1, tzinfo=UTC), HCM) == date(2024, 3, 5)


def test_the_zone_may_be_given_as_a_zoneinfo():
    assert business_day(datetime(2024, 12, 31, 17, 0, tzinfo=UTC), TZ) == date(2025, 1, 1)


def test_a_naive_datetime_is_refused_rather_than_guessed():
    with pytest.raises(ValueError):
        business_day(datetime(2024, 3, 4, 8, 0), HCM)


@fast
@given(st.one_of(AWARE, NEAR_MIDNIGHT))
def test_business_day_is_utc_plus_7_for_any_aware_moment(now):
    assert business_day(now, HCM) == by_hand(now)


def test_numbers_restart_at_local_midnight_not_utc_midnight():
    evening = [("A", local("16:59")), ("A", local("23:59:59")), ("B", local("23:59:59"))]
    morning = [("A", local("00:00:00", date(2024, 3, 5))), ("A", local("07:30", date(2024, 3, 5)))]
    # 07:00 local on the 5th is 00:00Z: a UTC day boundary, not ours.
    assert issue_all(evening + morning) == ["A001", "A002", "B001", "A001", "A002"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("AB"), NEAR_MIDNIGHT), max_size=30))
def test_a_number_is_never_reused_within_a_business_day(tickets):
    tickets.sort(key=lambda t: t[1])
    numbers = issue_all(tickets)
    per_day = defaultdict(list)
    for (_prefix, now), number in zip(tickets, numbers, strict=True):
        per_day[business_day(now, HCM)].append(number)
    for numbers_of_day in per_day.values():
        assert len(set(numbers_of_day)) == len(numbers_of_day)


# --- writing numbers --------------------------------------------------------


@pytest.mark.parametrize(
    ("seq", "number"), [(1, "A001"), (12, "A012"), (999, "A999"), (1000, "A1000")]
)
def test_format_number(seq, number):
    assert format_number("A", seq) == number


def test_sequence_starts_at_one():
    with pytest.raises(ValueError):
        format_number("A", 0)


def test_a_sequence_past_the_readable_width_is_refused_not_wrapped():
    assert parse_number(format_number("A", MAX_SEQ)) == f"A{MAX_SEQ}"
    with pytest.raises(DomainError):
        format_number("A", MAX_SEQ + 1)


@fast
@given(PREFIXES, SEQS, SEQS)
def test_format_number_is_injective_per_prefix(prefix, a, b):
    assert (format_number(prefix, a) == format_number(prefix, b)) == (a == b)


@fast
@given(PREFIXES, st.lists(SEQS, unique=True, max_size=30))
def test_numbers_sort_like_their_sequence(prefix, seqs):
    numbers = [format_number(prefix, s) for s in seqs]
    natural = sorted(numbers, key=lambda n: (len(n), n))
    assert natural == [format_number(prefix, s) for s in sorted(seqs)]
    # Up to 999 the plain string order is right too; from A1000 on it is not (A1000 < A999).
    small = [n for s, n in zip(seqs, numbers, strict=True) if s <= 999]
    assert sorted(small) == [format_number(prefix, s) for s in sorted(s for s in seqs if s <= 999)]


# --- reading numbers --------------------------------------------------------


@pytest.mark.parametrize("typed", ["a12", "A-012", " a 012 ", "A012", "a0012", "A\t12\n"])
def test_parse_number_normalises_what_a_clerk_types_or_a_scanner_sends(typed):
    assert parse_number(typed) == "A012"


@pytest.mark.parametrize("typed", ["", "   ", "012", "A", "ABC12", "A12B", "Đ012", "A123456", None])
def test_parse_number_refuses_garbage(typed):
    with pytest.raises(InvalidInput) as raised:
        parse_number(typed)
    assert raised.value.code == "invalid_ticket_number"


@fast
@given(PREFIXES, SEQS)
def test_parse_number_round_trips_formatted_numbers(prefix, seq):
    number = format_number(prefix, seq)
    assert parse_number(number) == number


@fast
@given(PREFIXES, SEQS, st.data())
def test_parse_number_ignores_case_spaces_hyphens_and_padding(prefix, seq, data):
    digits = str(seq).zfill(data.draw(st.integers(len(str(seq)), 5)))
    typed = prefix.lower() if data.draw(st.booleans()) else prefix
    for ch in digits:
        typed += data.draw(st.sampled_from(["", " ", "-"])) + ch
    assert parse_number(typed) == format_number(prefix, seq)


def test_validate_prefix():
    assert validate_prefix(" a ") == "A"
    assert validate_prefix("dd") == "DD"
    for bad in ("", "A1", "ABC", "Đ", None):
        with pytest.raises(InvalidInput):
            validate_prefix(bad)
