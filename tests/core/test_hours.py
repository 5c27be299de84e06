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
