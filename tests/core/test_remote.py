"""Remote numbers in the queue (kiosk/core/remote.py): never called before check-in,
keep their place when checked in in time, lose it under the documented rule (after
`lose_place_after` later tickets of their field were called), and the limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core import remote
from kiosk.core.errors import Conflict, InvalidInput
from kiosk.core.model import Counter, PriorityPolicy, Ticket, TicketStatus
from kiosk.core.policy import PolicyState, choose_next
from kiosk.core.states import call

OPENING = datetime(2026, 11, 23, 7, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
COUNTER = Counter(1, "Quầy 1", ("HT",))
POLICY = PriorityPolicy()
fast = settings(max_examples=120, deadline=None)

# One morning at one field: kiosk numbers, remote numbers, check-ins of remote number k
# (counted among the remote numbers taken so far), and presses of "next".
step = st.one_of(
    st.just(("kiosk",)),
    st.just(("remote",)),
    st.tuples(st.just("check_in"), st.integers(0, 7)),
    st.just(("next",)),
)


def _ticket(n: int, at: datetime, status: TicketStatus) -> Ticket:
    return Ticket(1, "HT", f"A{n:03d}", at.date(), at, at, status=status, id=n)


@fast
@given(st.lists(step, max_size=40), st.integers(1, 4))
def test_a_morning_of_remote_numbers_follows_the_rule(steps, lose_after):
    now = OPENING
    tickets: dict[int, Ticket] = {}
    standing: dict[int, remote.Standing] = {}
    taken_at: dict[int, datetime] = {}
    passed_by_oracle: dict[int, int] = {}  # later tickets called while it was away
    remote_ids: list[int] = []
    for action in steps:
        now += timedelta(minutes=1)
        if action[0] in ("kiosk", "remote"):
            n = len(tickets) + 1
            is_remote = action[0] == "remote"
            status = TicketStatus.REMOTE if is_remote else TicketStatus.WAITING
            tickets[n] = _ticket(n, now, status)
            if is_remote:
                remote_ids.append(n)
                standing[n] = remote.Standing()
                taken_at[n] = now
                passed_by_oracle[n] = 0
        elif action[0] == "check_in":
            if action[1] >= len(remote_ids):
                continue
            n = remote_ids[action[1]]
            if tickets[n].status is not TicketStatus.REMOTE:
                with pytest.raises(Conflict):
                    remote.check_in(tickets[n], standing[n], now, "scan")
                continue
            lost = passed_by_oracle[n] >= lose_after
            assert standing[n].lost == lost
            tickets[n], events = remote.check_in(tickets[n], standing[n], now, "scan")
            assert tickets[n].status is TicketStatus.WAITING
            assert events[0].data == {"by": "scan", "kept_place": not lost}
            # in time: its own place (the time it was taken); else the end of the queue
            assert tickets[n].queued_at == (now if lost else taken_at[n])
        else:
            chosen, _ = choose_next(tickets.values(), COUNTER, POLICY, PolicyState())
            waiting = [t for t in tickets.values() if t.status is TicketStatus.WAITING]
            if chosen is None:
                assert not waiting
                continue
            # never a remote number not checked in; always the first of those here
            assert chosen.status is TicketStatus.WAITING
            assert chosen == min(waiting, key=lambda t: (t.queued_at, t.id))
            called, _, _ = call(chosen, COUNTER, now)
            tickets[chosen.id] = called
            for n in remote_ids:
                if tickets[n].status is TicketStatus.REMOTE and taken_at[n] < chosen.queued_at:
                    passed_by_oracle[n] += 1
                before = standing[n]
                standing[n], just_lost = remote.after_call(
                    chosen, tickets[n], standing[n], lose_after
                )
                assert just_lost == (not before.lost and standing[n].lost)
                assert standing[n].lost == (passed_by_oracle[n] >= lose_after)


def test_a_ticket_queued_before_the_remote_one_does_not_pass_it():
    away = _ticket(2, OPENING, TicketStatus.REMOTE)
    earlier = _ticket(1, OPENING - timedelta(minutes=5), TicketStatus.WAITING)
    assert remote.after_call(earlier, away, remote.Standing(), 1) == (remote.Standing(), False)


@pytest.mark.parametrize(
    "called",
    [
        {"priority": "elderly"},  # priority calls: its turn had not come
        {"target_counter": 1},  # a transfer to a counter
        {"service_code": "DD"},  # another field
    ],
)
def test_calls_that_were_never_its_turn_do_not_pass_it(called):
    away = _ticket(1, OPENING, TicketStatus.REMOTE)
    later = replace(_ticket(2, OPENING + timedelta(minutes=1), TicketStatus.WAITING), **called)
    assert remote.after_call(later, away, remote.Standing(), 1) == (remote.Standing(), False)


def test_a_clerk_cannot_call_a_remote_number_before_check_in():
    away = _ticket(1, OPENING, TicketStatus.REMOTE)
    with pytest.raises(Conflict) as refused:
        call(away, COUNTER, OPENING)
    assert refused.value.code == "remote_not_checked_in"


# -- limits ------------------------------------------------------------------------------
ON = remote.FieldRule(enabled=True, share_pct=50)


def test_remote_numbers_are_off_unless_the_field_turns_them_on():
    with pytest.raises(Conflict) as refused:
        remote.check_take("HT", remote.FieldRule(), None, 0, (), {"tel:0912345678"})
    assert refused.value.code == "remote_off"


def test_a_share_of_the_daily_cap():
    remote.check_take("HT", ON, 40, 19, (), {"tel:0912345678"})
    with pytest.raises(Conflict) as refused:
        remote.check_take("HT", ON, 40, 20, (), {"tel:0912345678"})
    assert refused.value.params["limit"] == 20
    remote.check_take("HT", ON, None, 500, (), {"tel:0912345678"})  # no cap, no share limit


def test_one_open_remote_number_per_phone_and_per_id():
    holders = {"tel:0912345678", "id:abc"}
    for asker in ({"tel:0912345678"}, {"tel:0987654321", "id:abc"}):
        with pytest.raises(Conflict) as refused:
            remote.check_take("HT", ON, None, 0, holders, asker)
        assert refused.value.code == "remote_one_per_person"
    remote.check_take("HT", ON, None, 0, holders, {"tel:0987654321"})


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("0912 345 678", "0912345678"),
        ("+84 912.345.678", "0912345678"),
        ("(024) 3825 1234", "02438251234"),
    ],
)
def test_phone_numbers_compare_by_digits(typed, digits):
    assert remote.normal_phone(typed) == digits


@pytest.mark.parametrize("typed", ["", "12345", "0912abc678", "0912345678901234"])
def test_what_is_not_a_phone_number_is_refused(typed):
    with pytest.raises(InvalidInput):
        remote.normal_phone(typed)


def test_the_centre_network_decides_i_am_here():
    assert remote.on_network("192.168.1.40", ["192.168.1.0/24"])
    assert not remote.on_network("203.0.113.9", ["192.168.1.0/24"])
    assert not remote.on_network("192.168.1.40", [])
    with pytest.raises(InvalidInput):
        remote.RemoteRules(networks=("not a network",)).check()
