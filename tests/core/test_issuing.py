"""Issuing: who may take a number, when, and what the new ticket says."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.errors import Conflict, InvalidInput
from kiosk.core.issuing import (
    SOURCES,
    OpeningHours,
    admit,
    check_request,
    number_ticket,
    same_request,
    when_text,
)
from kiosk.core.model import PriorityPolicy, Service, TicketStatus
from kiosk.core.numbering import MAX_SEQ
from tests.core.conftest import TZ, local

HCM = "Asia/Ho_Chi_Minh"
HOURS = {"mon-fri": ["07:30-11:30", "13:30-17:00"]}
CIVIL = Service("civil", "Hộ tịch", "A", name_en="Civil status", daily_cap=None, id=1)
LAND = Service("land", "Đất đai", "B", name_en="", daily_cap=3, id=2)
POLICY = PriorityPolicy()


def test_open_field_takes_a_number_for_its_local_business_day():
    # 00:30 on Tuesday in Ho Chi Minh City is still Monday in UTC: the local day counts.
    tuesday = datetime(2024, 3, 4, 17, 30, tzinfo=UTC)
    assert admit(CIVIL, OpeningHours(HCM), POLICY, None, tuesday) == date(2024, 3, 5)


def test_closed_centre_says_when_it_opens():
    with pytest.raises(Conflict) as error:
        admit(CIVIL, OpeningHours(HCM, HOURS), POLICY, None, local("12:00"))
    assert error.value.code == "centre_closed"
    assert error.value.params == {"reopens": "13:30"}


def test_field_with_its_own_hours_is_named_when_closed():
    own = OpeningHours(HCM, {"mon-fri": ["13:30-17:00"]}, own=True)
    with pytest.raises(Conflict) as error:
        admit(LAND, own, POLICY, None, local("18:00"))
    assert error.value.code == "field_closed"
    assert str(error.value.params["service"]) == "Đất đai"
    assert error.value.params["service"].in_language("en") == "Đất đai"  # no English name
    assert error.value.params["reopens"] == "13:30 05/03"


def test_holiday_closes_an_otherwise_open_day():
    holiday = OpeningHours(HCM, HOURS, holidays=("2024-03-04",))
    with pytest.raises(Conflict, match="centre_closed"):
        admit(CIVIL, holiday, POLICY, None, local("09:00"))


def test_unknown_priority_group_is_refused_known_one_admitted():
    with pytest.raises(InvalidInput) as error:
        admit(CIVIL, OpeningHours(HCM), POLICY, "vip", local("09:00"))
    assert error.value.params == {"priority": "vip"}
    assert admit(CIVIL, OpeningHours(HCM), POLICY, "elderly", local("09:00")) == date(2024, 3, 4)


def test_closed_is_said_before_an_unknown_priority():
    with pytest.raises(Conflict, match="centre_closed"):
        admit(CIVIL, OpeningHours(HCM, HOURS), POLICY, "vip", local("12:00"))


@pytest.mark.parametrize("source", SOURCES)
def test_known_sources_and_blank_keys(source):
    assert check_request(source, "  ") is None
    assert check_request(source, " tap-1 ") == "tap-1"


def test_unknown_source_and_long_key_are_refused():
    with pytest.raises(InvalidInput, match="invalid_source"):
        check_request("fax", None)
    assert check_request("kiosk", "k" * 64) == "k" * 64
    with pytest.raises(InvalidInput, match="invalid_idempotency_key"):
        check_request("kiosk", "k" * 65)


def test_a_key_sent_again_must_ask_for_the_same_thing():
    same_request("civil", None, "civil", "", "A001")  # "" and None: no priority either way
    with pytest.raises(Conflict) as error:
        same_request("civil", None, "land", None, "A001")
    assert error.value.code == "idempotency_key_reused"
    assert error.value.params == {"number": "A001"}
    with pytest.raises(Conflict):
        same_request("civil", "elderly", "civil", None, "A001")


def test_ticket_is_written_from_the_sequence():
    issue = number_ticket(7, CIVIL, 12, date(2024, 3, 4), local("09:00"), priority="elderly")
    ticket = issue.ticket
    assert (ticket.number, ticket.service_code, ticket.centre_id) == ("A012", "civil", 7)
    assert ticket.status is TicketStatus.WAITING
    assert ticket.priority == "elderly"
    assert ticket.queued_at == ticket.issued_at == local("09:00")
    assert ticket.id is None and issue.close_through is None


def test_booking_is_ordered_by_its_booked_time():
    booked = local("08:00")
    issue = number_ticket(1, CIVIL, 3, date(2024, 3, 4), local("08:20"), appointment_at=booked)
    assert issue.ticket.queued_at == booked == issue.ticket.appointment_at
    assert issue.ticket.issued_at == local("08:20")


def test_first_number_of_a_day_closes_earlier_days():
    issue = number_ticket(1, CIVIL, 1, date(2024, 3, 4), local("07:30"))
    assert issue.close_through == date(2024, 3, 3)


@given(st.integers(1, 10))
def test_cap_refuses_only_past_it(seq):
    if seq <= LAND.daily_cap:
        assert number_ticket(1, LAND, seq, date(2024, 3, 4), local("09:00")).ticket.number
        return
    with pytest.raises(Conflict) as error:
        number_ticket(1, LAND, seq, date(2024, 3, 4), local("09:00"))
    assert error.value.code == "service_full"
    assert error.value.params["cap"] == 3
    assert error.value.params["service"].in_language("en") == "Đất đai"


def test_past_the_last_typeable_number_is_refused():
    with pytest.raises(Conflict, match="sequence_exhausted"):
        number_ticket(1, CIVIL, MAX_SEQ + 1, date(2024, 3, 4), local("09:00"))


@given(st.lists(st.integers(0, 600), min_size=2, max_size=30))
def test_numbers_in_issue_order_are_distinct_and_queue_in_that_order(gaps):
    """Tickets issued one after another (the sequence and the re-read clock both only
    grow) are called in the order they were issued: number order is queue order."""
    moment = local("07:30")
    tickets = []
    for seq, gap in enumerate(gaps, start=1):
        moment += timedelta(seconds=gap)
        tickets.append(number_ticket(1, CIVIL, seq, date(2024, 3, 4), moment).ticket)
    assert len({t.number for t in tickets}) == len(tickets)
    by_queue = sorted(tickets, key=lambda t: (t.queued_at, int(t.number[1:])))
    assert by_queue == tickets


def test_when_text_today_or_another_day():
    now = local("12:00")
    assert when_text(None, now) == ""
    assert when_text(local("13:30"), now) == "13:30"
    assert when_text(local("07:30", date(2024, 12, 1)), now) == "07:30 01/12"
    assert when_text(datetime(2024, 3, 5, 0, 30, tzinfo=TZ), now) == "00:30 05/03"
