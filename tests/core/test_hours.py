"""Opening hours as a centre posts them: weekday mornings and afternoons, holidays."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.errors import InvalidInput
from kiosk.core.hours import is_open

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HOURS = {"mon-fri": ["07:30-11:30", "13:30-17:00"], "sat": ["07:30-11:30"]}


def at(day: int, hhmm: str) -> datetime:  # November 2026: the 23rd is a Monday
    hour, minute = map(int, hhmm.split(":"))
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(23, "07:29"), False),
        (at(23, "07:30"), True),
        (at(23, "11:29"), True),
        (at(23, "11:30"), False),  # lunch break
        (at(23, "13:30"), True),
        (at(23, "16:59"), True),
        (at(23, "17:00"), False),
        (at(28, "09:00"), True),  # Saturday morning
        (at(28, "14:00"), False),  # Saturday afternoon
        (at(29, "09:00"), False),  # Sunday
    ],
)
def test_office_hours(moment, expected):
    assert is_open(moment, HOURS) is expected


def test_holiday_closes_a_working_day():
    assert is_open(at(23, "09:00"), HOURS, holidays=["2026-11-23"]) is False


def test_no_table_means_always_open():
    assert is_open(at(29, "03:00"), None) is True


@pytest.mark.parametrize(
    "table", [{"moon": ["07:30-11:30"]}, {"mon": ["11:30-07:30"]}, {"mon": ["7h30-11h"]}]
)
def test_typos_are_refused(table):
    with pytest.raises(InvalidInput):
        is_open(at(23, "09:00"), table)


def test_next_opening_is_what_a_closed_kiosk_tells_the_citizen():
    from kiosk.core.hours import next_opening

    assert next_opening(at(23, "09:00"), HOURS) is None  # open now
    assert next_opening(at(23, "12:00"), HOURS) == at(23, "13:30")  # after lunch
    assert next_opening(at(23, "06:00"), HOURS) == at(23, "07:30")  # before opening
    assert next_opening(at(28, "12:00"), HOURS) == at(30, "07:30")  # Saturday noon → Monday
    # Saturday noon before a Monday holiday: Tuesday morning
    assert next_opening(at(28, "12:00"), HOURS, ["2026-11-30"]) == datetime(
        2026, 12, 1, 7, 30, tzinfo=TZ
    )
    assert next_opening(at(23, "12:00"), {}, ["2026-11-23"]) == datetime(
        2026, 11, 24, 0, 0, tzinfo=TZ
    )
    assert next_opening(at(23, "12:00"), {"sun": ["08:00-09:00"]}, horizon_days=3) is None
