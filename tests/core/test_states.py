"""The ticket and counter state machine: legal moves, their events, and the
counter holding at most one ticket."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from kiosk.core import states
from kiosk.core.errors import Conflict, DomainError, InvalidInput
from kiosk.core.model import (
    Counter,
    CounterState,
    PolicyMode,
    PriorityPolicy,
    Ticket,
    TicketStatus,
)
from kiosk.core.policy import PolicyState, choose_next

S = TicketStatus


def code_of(raised: pytest.ExceptionInfo) -> str:
    return raised.value.code


# --- examples a clerk would recognise ---------------------------------------


def test_a_citizen_goes_from_called_to_served_to_done(make_ticket, make_counter, at):
    ticket, counter = make_ticket(12, "A", "08:00"), make_counter(3, "A")
    called, counter, events = states.call(ticket, counter, at("08:20"))
    assert (called.status, called.counter, called.called_at) == (S.CALLED, 3, at("08:20"))
    assert counter.current_ticket_id == 12
    assert events[0].kind == "called"
    serving, _ = states.start(called, counter, at("08:21"))
    done, counter, _ = states.finish(serving, counter, at("08:30"))
    assert (done.status, done.started_at, done.finished_at) == (S.DONE, at("08:21"), at("08:30"))
    assert counter.current_ticket_id is None


def test_finishing_without_pressing_start_counts_service_from_the_call(
    make_ticket, make_counter, at
):
    called, counter, _ = states.call(make_ticket(1), make_counter(), at("08:20"))
    done, _, _ = states.finish(called, counter, at("08:26"))
    assert done.started_at == at("08:20")


def test_next_while_a_citizen_is_still_at_the_counter_is_refused(make_ticket, make_counter, at):
    _, counter, _ = states.call(make_ticket(1), make_counter(), at("08:20"))
    with pytest.raises(Conflict) as raised:
        states.call(make_ticket(2), counter, at("08:21"))
    assert code_of(raised) == "counter_busy"


def test_a_counter_on_break_cannot_call(make_ticket, make_counter, at):
    paused, _ = states.pause(make_counter(), at("10:00"), "nghỉ giữa giờ")
    assert (paused.state, paused.pause_reason) == (CounterState.PAUSED, "nghỉ giữa giờ")
    with pytest.raises(Conflict) as raised:
        states.call(make_ticket(1), paused, at("10:05"))
    assert code_of(raised) == "counter_paused"
    resumed, events = states.resume(paused, at("10:15"))
    assert (resumed.state, resumed.pause_reason, events[0].kind) == (
        CounterState.OPEN,
        None,
        "resumed",
    )


def test_no_break_while_a_citizen_is_at_the_counter(make_ticket, make_counter, at):
    _, counter, _ = states.call(make_ticket(1), make_counter(), at("08:20"))
    with pytest.raises(Conflict) as raised:
        states.pause(counter, at("08:21"))
    assert code_of(raised) == "counter_busy"


def test_pause_twice_and_resume_an_open_counter_are_refused(make_counter, at):
    paused, _ = states.pause(make_counter(), at("10:00"))
    with pytest.raises(Conflict):
        states.pause(paused, at("10:01"))
    with pytest.raises(Conflict) as raised:
        states.resume(make_counter(), at("10:01"))
    assert code_of(raised) == "counter_not_paused"


def test_recall_then_no_show(make_ticket, make_counter, at):
    called, counter, _ = states.call(make_ticket(7), make_counter(2), at("09:00"))
    once, events = states.recall(called, counter, at("09:01"))
    twice, _ = states.recall(once, counter, at("09:02"))
    assert twice.recalls == 2 and events[0].data == {"recall": 1}
    gone, counter, events = states.no_show(twice, counter, at("09:03"))
    assert (gone.status, gone.finished_at, counter.current_ticket_id) == (
        S.NO_SHOW,
        at("09:03"),
        None,
    )
    assert events[0].kind == "no_show"


def test_a_citizen_being_served_is_not_a_no_show(make_ticket, make_counter, at):
    called, counter, _ = states.call(make_ticket(7), make_counter(2), at("09:00"))
    serving, _ = states.start(called, counter, at("09:01"))
    with pytest.raises(Conflict):
        states.no_show(serving, counter, at("09:05"))


def test_another_counter_cannot_finish_my_citizen(make_ticket, make_counter, at):
    called, _, _ = states.call(make_ticket(7), make_counter(2), at("09:00"))
    with pytest.raises(Conflict) as raised:
        states.finish(called, make_counter(4), at("09:05"))
    assert code_of(raised) == "not_your_ticket"


def test_a_waiting_citizen_may_cancel(make_ticket, at):
    cancelled, events = states.cancel(make_ticket(5), at("09:00"), "về nhà")
    assert (cancelled.status, cancelled.finished_at) == (S.CANCELLED, at("09:00"))
    assert (events[0].kind, events[0].data) == ("cancelled", {"reason": "về nhà"})


def test_a_called_citizen_is_not_cancelled_behind_the_counters_back(make_ticket, make_counter, at):
    """Cancelling would leave the counter holding a closed ticket; the clerk marks no-show."""
    called, _, _ = states.call(make_ticket(5), make_counter(2), at("09:00"))
    with pytest.raises(Conflict):
        states.cancel(called, at("09:01"))


def test_a_transfer_to_dat_dai_keeps_the_0805_arrival(make_ticket, make_counter, at):
    counter_tp = make_counter(1, "TP")  # Tư pháp – Hộ tịch
    called, counter_tp, _ = states.call(make_ticket(1, "TP", "08:05"), counter_tp, at("09:00"))
    closed, moved, counter_tp, events = states.transfer(
        called, counter_tp, at("09:10"), to_service="DD", note="hồ sơ đất"
    )
    assert (closed.status, counter_tp.current_ticket_id) == (S.TRANSFERRED, None)
    assert (moved.status, moved.service_code, moved.queued_at) == (S.WAITING, "DD", at("08:05"))
    assert (moved.number, moved.parent_id, moved.id, moved.counter) == ("TP001", 1, None, None)
    assert events[0].data == {"to_service": "DD", "to_counter": None, "note": "hồ sơ đất"}

    moved = replace(moved, id=3)
    came_at_0830 = make_ticket(2, "DD", "08:30")
    chosen, _ = choose_next(
        [came_at_0830, moved], make_counter(4, "DD"), PriorityPolicy(), PolicyState()
    )
    assert chosen is moved


def test_a_centre_may_send_transferred_citizens_to_the_back(make_ticket, make_counter, at):
    called, counter, _ = states.call(
        make_ticket(1, "TP", "08:05"), make_counter(1, "TP"), at("09:00")
    )
    _, moved, _, _ = states.transfer(
        called, counter, at("09:10"), to_service="DD", keep_place=False
    )
    assert moved.queued_at == at("09:10")
    came_at_0830 = make_ticket(2, "DD", "08:30")
    chosen, _ = choose_next(
        [replace(moved, id=3), came_at_0830], make_counter(4, "DD"), PriorityPolicy(), PolicyState()
    )
    assert chosen is came_at_0830


def test_a_transfer_to_counter_5_is_only_for_counter_5(make_ticket, make_counter, at):
    called, counter, _ = states.call(
        make_ticket(1, "A", "08:05", priority="elderly"), make_counter(1), at("09:00")
    )
    _, moved, _, _ = states.transfer(called, counter, at("09:10"), to_counter=5)
    moved = replace(moved, id=2)
    assert (moved.target_counter, moved.service_code, moved.priority) == (5, "A", "elderly")
    with pytest.raises(Conflict) as raised:
        states.call(moved, make_counter(4, "A"), at("09:11"))
    assert code_of(raised) == "reserved_for_other_counter"
    assert states.call(moved, make_counter(5, "B"), at("09:11"))[0].counter == 5


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ({}, "transfer_target_required"),
        ({"to_service": "B", "to_counter": 5}, "transfer_target_required"),
        ({"to_counter": 1}, "transfer_to_same_counter"),
    ],
)
def test_a_transfer_needs_one_other_destination(make_ticket, make_counter, at, target, code):
    called, counter, _ = states.call(make_ticket(1), make_counter(1), at("09:00"))
    with pytest.raises(InvalidInput) as raised:
        states.transfer(called, counter, at("09:10"), **target)
    assert code_of(raised) == code


def test_a_ticket_not_yet_stored_cannot_be_called(make_ticket, make_counter, at):
    """Its counter would look free while holding it."""
    with pytest.raises(InvalidInput):
        states.call(replace(make_ticket(1), id=None), make_counter(), at("09:00"))


# --- random days at a small centre -------------------------------------------

OPENING = datetime(2024, 3, 4, 7, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
SERVICES = ("A", "B", "C")
COUNTERS = {1: ("A", "B"), 2: ("B",), 3: ("C", "A")}
EVENT_KIND = {
    "call": "called",
    "recall": "recalled",
    "start": "started",
    "finish": "finished",
    "no_show": "no_show",
    "cancel": "cancelled",
    "transfer": "transferred",
    "pause": "paused",
    "resume": "resumed",
}


def legal(action: str, ticket: Ticket | None, counter: Counter | None, **kw: object) -> bool:
    """The rules, written independently of kiosk.core.states."""
    held_here = ticket is not None and counter is not None and ticket.counter == counter.number
    match action:
        case "call":
            return (
                counter.state == CounterState.OPEN
                and counter.current_ticket_id is None
                and ticket.status in (S.WAITING, S.NO_SHOW)
                and ticket.target_counter in (None, counter.number)
            )
        case "recall" | "start" | "no_show":
            return ticket.status == S.CALLED and held_here
        case "finish":
            return ticket.status in (S.CALLED, S.SERVING) and held_here
        case "cancel":
            return ticket.status == S.WAITING
        case "transfer":
            one_target = (kw["to_service"] is None) != (kw["to_counter"] is None)
            return (
                ticket.status in (S.CALLED, S.SERVING)
                and held_here
                and one_target
                and kw["to_counter"] != counter.number
            )
        case "pause":
            return counter.state == CounterState.OPEN and counter.current_ticket_id is None
        case "resume":
            return counter.state == CounterState.PAUSED
    raise AssertionError(action)


class Centre(RuleBasedStateMachine):
    """Citizens arrive, clerks press buttons in any order; the core must keep the books straight."""

    def __init__(self) -> None:
        super().__init__()
        self.now = OPENING
        self.tickets: dict[int, Ticket] = {}
        self.counters = {n: Counter(n, f"Quầy {n}", s) for n, s in COUNTERS.items()}
        self.policy = PriorityPolicy(PolicyMode.INTERLEAVE, normal_per_priority=2)
        self.policy_state = PolicyState()

    # helpers

    def tick(self, seconds: int) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now

    def pick(self, index: int) -> Ticket:
        return self.tickets[sorted(self.tickets)[index % len(self.tickets)]]

    def attempt(self, action: str, ticket: Ticket | None, counter: Counter | None, run, **kw):
        """Run one move; check it succeeds exactly when legal and reports exactly one event."""
        inputs = copy.deepcopy((ticket, counter))
        expected = legal(action, ticket, counter, **kw)
        try:
            result = run()
        except DomainError:
            assert not expected, f"{action} refused although legal"
            assert (ticket, counter) == inputs
            assert self.tickets.get(ticket.id if ticket else None) in (ticket, None)
            return None
        assert expected, f"{action} allowed although illegal"
        events = result[-1]
        assert len(events) == 1
        event = events[0]
        assert (event.kind, event.at) == (EVENT_KIND[action], self.now)
        if ticket is not None:
            assert event.ticket_id == ticket.id
        if counter is not None:
            assert event.counter == counter.number
        return result

    def store(self, *values: Ticket | Counter) -> None:
        for value in values:
            if isinstance(value, Ticket):
                self.tickets[value.id] = value
            else:
                self.counters[value.number] = value

    # rules

    @rule(
        service=st.sampled_from(SERVICES),
        group=st.sampled_from((None, None, "elderly", "merit")),
        seconds=st.integers(0, 600),
    )
    def arrive(self, service, group, seconds):
        now = self.tick(seconds)
        ticket_id = len(self.tickets) + 1
        self.store(
            Ticket(
                1,
                service,
                f"{service}{ticket_id:03d}",
                now.date(),
                now,
                now,
                priority=group,
                id=ticket_id,
            )
        )

    @rule(number=st.sampled_from(sorted(COUNTERS)), seconds=st.integers(0, 120))
    def press_next(self, number, seconds):
        now = self.tick(seconds)
        counter = self.counters[number]
        ticket, policy_state = choose_next(
            self.tickets.values(), counter, self.policy, self.policy_state
        )
        if ticket is None:
            return
        result = self.attempt("call", ticket, counter, lambda: states.call(ticket, counter, now))
        if result:
            self.policy_state = policy_state
            self.store(result[0], result[1])

    @precondition(lambda self: self.tickets)
    @rule(
        action=st.sampled_from(["call", "recall", "start", "finish", "no_show"]),
        index=st.integers(0, 200),
        number=st.sampled_from(sorted(COUNTERS)),
        seconds=st.integers(0, 300),
    )
    def press(self, action, index, number, seconds):
        now = self.tick(seconds)
        ticket, counter = self.pick(index), self.counters[number]
        move = getattr(states, action)
        result = self.attempt(action, ticket, counter, lambda: move(ticket, counter, now))
        if result:
            self.store(*result[:-1])

    @precondition(lambda self: self.tickets)
    @rule(index=st.integers(0, 200), seconds=st.integers(0, 300))
    def cancel(self, index, seconds):
        now = self.tick(seconds)
        ticket = self.pick(index)
        result = self.attempt("cancel", ticket, None, lambda: states.cancel(ticket, now, "đi về"))
        if result:
            self.store(result[0])

    @precondition(lambda self: self.tickets)
    @rule(
        index=st.integers(0, 200),
        number=st.sampled_from(sorted(COUNTERS)),
        to_service=st.none() | st.sampled_from(SERVICES),
        to_counter=st.none() | st.sampled_from(sorted(COUNTERS)),
        keep_place=st.booleans(),
        seconds=st.integers(0, 300),
    )
    def transfer(self, index, number, to_service, to_counter, keep_place, seconds):
        now = self.tick(seconds)
        ticket, counter = self.pick(index), self.counters[number]
        result = self.attempt(
            "transfer",
            ticket,
            counter,
            lambda: states.transfer(
                ticket,
                counter,
                now,
                to_service=to_service,
                to_counter=to_counter,
                keep_place=keep_place,
            ),
            to_service=to_service,
            to_counter=to_counter,
        )
        if result:
            closed, moved, freed, _ = result
            assert closed.status == S.TRANSFERRED
            assert (moved.status, moved.number, moved.parent_id) == (
                S.WAITING,
                ticket.number,
                ticket.id,
            )
            assert moved.queued_at == (ticket.queued_at if keep_place else now)
            assert moved.service_code == (to_service or ticket.service_code)
            assert moved.target_counter == to_counter
            assert moved.counter is moved.called_at is moved.started_at is moved.finished_at is None
            self.store(closed, replace(moved, id=len(self.tickets) + 1), freed)

    @rule(number=st.sampled_from(sorted(COUNTERS)), seconds=st.integers(0, 600))
    def pause(self, number, seconds):
        now = self.tick(seconds)
        counter = self.counters[number]
        result = self.attempt("pause", None, counter, lambda: states.pause(counter, now, "họp"))
        if result:
            self.store(result[0])

    @rule(number=st.sampled_from(sorted(COUNTERS)), seconds=st.integers(0, 600))
    def resume(self, number, seconds):
        now = self.tick(seconds)
        counter = self.counters[number]
        result = self.attempt("resume", None, counter, lambda: states.resume(counter, now))
        if result:
            self.store(result[0])

    # invariants

    @invariant()
    def a_counter_holds_exactly_the_ticket_it_has_called(self):
        for counter in self.counters.values():
            held = [
                t for t in self.tickets.values() if t.status.is_held and t.counter == counter.number
            ]
            assert len(held) <= 1
            assert counter.current_ticket_id == (held[0].id if held else None)
            if counter.state == CounterState.PAUSED:
                assert not held

    @invariant()
    def each_ticket_is_consistent_with_its_status(self):
        for t in self.tickets.values():
            if t.status == S.WAITING:
                assert t.counter is t.called_at is t.started_at is t.finished_at is None
            if t.status.is_held:
                assert t.called_at is not None and t.counter in self.counters
            if t.status == S.SERVING:
                assert t.started_at is not None
            if not t.status.is_open:
                assert t.finished_at is not None
            if t.status in (S.DONE, S.TRANSFERRED):
                assert t.called_at <= t.started_at <= t.finished_at


Centre.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
test_a_centre_never_loses_track_of_a_citizen = Centre.TestCase
