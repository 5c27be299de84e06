"""Rules behind the admin pages: opening hours and holidays as an admin types
them, and closing the day on a ticket still waiting."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core import hours, states
from kiosk.core.errors import Conflict, InvalidInput
from kiosk.core.model import TicketStatus
from tests.core.conftest import TZ


def test_hours_typed_as_on_the_door_open_and_close_the_centre():
    table = hours.hours_from_text("mon-fri 07:30-11:30, 13:30-17:00\n\nsat 07:30-11:30\n")
    assert table == {"mon-fri": ["07:30-11:30", "13:30-17:00"], "sat": ["07:30-11:30"]}
    monday_noon = datetime(2024, 3, 4, 12, 0, tzinfo=TZ)
    saturday_morning = datetime(2024, 3, 9, 8, 0, tzinfo=TZ)
    sunday = datetime(2024, 3, 10, 8, 0, tzinfo=TZ)
    assert not hours.is_open(monday_noon, table)  # lunch break
    assert hours.is_open(saturday_morning, table)
    assert not hours.is_open(sunday, table)
    assert hours.hours_from_text(hours.hours_to_text(table)) == table
    assert hours.hours_from_text("  ") == {}  # empty: always open


@pytest.mark.parametrize(
    "typed", ["mon-fri", "mon-fri 17:00-07:30", "monday 07:30-11:30", "mon-fri 7h30-11h"]
)
def test_a_typo_in_the_hours_names_the_line(typed):
    with pytest.raises(InvalidInput) as raised:
        hours.hours_from_text(f"sat 07:30-11:30\n{typed}")
    assert raised.value.code == "invalid_hours" and raised.value.params["hours"] == typed


def test_holidays_in_either_way_vietnamese_write_dates():
    typed = "02/09/2026\n2026-01-01, 30/04/2026\n02/09/2026"
    assert hours.holidays_from_text(typed) == ["2026-01-01", "2026-04-30", "2026-09-02"]
    with pytest.raises(InvalidInput) as raised:
        hours.holidays_from_text("31/02/2026")
    assert raised.value.params["day"] == "31/02/2026"


@given(st.text(max_size=40))
def test_any_holiday_text_is_either_dates_or_a_clear_refusal(text):
    try:
        days = hours.holidays_from_text(text)
    except InvalidInput as error:
        assert error.code == "invalid_holiday"
    else:
        assert days == sorted(set(days))


def test_closing_the_day_marks_a_waiting_ticket_and_nothing_else(make_ticket, make_counter, at):
    closed, events = states.close_unserved(make_ticket(5), at("17:00"), "admin")
    assert (closed.status, closed.finished_at) == (TicketStatus.CLOSED_UNSERVED, at("17:00"))
    assert [(e.kind, e.data) for e in events] == [("closed_unserved", {"by": "admin"})]
    called, _, _ = states.call(make_ticket(6), make_counter(), at("16:59"))
    with pytest.raises(Conflict):
        states.close_unserved(called, at("17:00"))  # the clerk finishes it
    with pytest.raises(Conflict):
        states.call(closed, make_counter(), at("17:01"))  # never called afterwards
