"""Who is called next: transfers to this counter, the priority policy, the
counter's service preference, then oldest first; and how many are ahead."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.model import Counter, PolicyMode, PriorityPolicy, Ticket, TicketStatus
from kiosk.core.policy import PolicyState, choose_next, eligible, people_ahead

STRICT = PriorityPolicy(PolicyMode.STRICT)
INTERLEAVE_3 = PriorityPolicy(PolicyMode.INTERLEAVE, normal_per_priority=3)

SERVICES = ("A", "B", "C")
GROUPS = (None, "elderly", "disability", "pregnant", "merit")
OPENING = datetime(2024, 3, 4, 7, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
fast = settings(max_examples=80, deadline=None)


def key(t: Ticket) -> tuple:
    return (t.queued_at, t.id)


def calls_until_empty(
    tickets: list[Ticket], counter: Counter, policy: PriorityPolicy, state: PolicyState
) -> list[Ticket]:
    """Press "next" at one counter until nothing is left for it; each called ticket leaves the queue."""
    waiting, called = list(tickets), []
    while True:
        chosen, state = choose_next(waiting, counter, policy, state)
        if chosen is None:
            return called
        called.append(chosen)
        waiting.remove(chosen)


# --- strategies -------------------------------------------------------------


MOSTLY_WAITING = [TicketStatus.WAITING] * 5 + list(TicketStatus)


@st.composite
def queues(draw, max_size: int = 20, targeted: bool = True, closed: bool = True) -> list[Ticket]:
    """Tickets in random list order, with colliding arrival minutes, ids unrelated to arrival."""
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, 20),  # minutes after opening
                st.sampled_from(SERVICES),
                st.sampled_from(GROUPS),
                st.none() | st.integers(1, 3) if targeted else st.none(),
                st.sampled_from(MOSTLY_WAITING) if closed else st.just(TicketStatus.WAITING),
                st.integers(0, 99),  # orders the ids independently of arrival
            ),
            max_size=max_size,
        )
    )
    ids = [0] * len(rows)
    for ticket_id, row in enumerate(sorted(range(len(rows)), key=lambda i: rows[i][-1]), 1):
        ids[row] = ticket_id
    return [
        Ticket(
            centre_id=1,
            service_code=service,
            number=f"{service}{ticket_id:03d}",
            business_day=OPENING.date(),
            issued_at=OPENING + timedelta(minutes=minute),
            queued_at=OPENING + timedelta(minutes=minute),
            status=status,
            priority=group,
            target_counter=target,
            id=ticket_id,
        )
        for ticket_id, (minute, service, group, target, status, _) in zip(ids, rows, strict=True)
    ]


def counters(number=st.integers(1, 3)):
    return st.builds(
        lambda n, services: Counter(n, f"Quầy {n}", tuple(services)),
        number,
        st.lists(st.sampled_from(SERVICES), unique=True, max_size=3),
    )


policies = st.builds(PriorityPolicy, st.sampled_from(PolicyMode), st.integers(0, 4))
states = st.builds(PolicyState, st.integers(0, 6))


# --- examples a clerk would recognise ---------------------------------------


def test_elderly_citizen_after_three_normal_citizens_is_called_first_under_strict(
    make_ticket, make_counter
):
    queue = [
        make_ticket(1, "A", "08:00"),
        make_ticket(2, "A", "08:01"),
        make_ticket(3, "A", "08:02"),
        make_ticket(4, "A", "08:10", priority="elderly"),
    ]
    chosen, _ = choose_next(queue, make_counter(1, "A"), STRICT, PolicyState())
    assert chosen.id == 4


def test_under_interleave_3_to_1_the_4th_call_is_the_priority_one(make_ticket, make_counter):
    queue = [make_ticket(1, "A", "07:45", priority="pregnant")]
    queue += [make_ticket(i, "A", f"08:0{i}") for i in range(2, 8)]
    order = [
        t.id for t in calls_until_empty(queue, make_counter(1, "A"), INTERLEAVE_3, PolicyState())
    ]
    assert order == [2, 3, 4, 1, 5, 6, 7]


def test_interleave_keeps_counting_across_calls_of_the_day(make_ticket, make_counter):
    # Three normal citizens were already called this morning: the next call is the priority one.
    queue = [make_ticket(1, "A", "09:00"), make_ticket(2, "A", "09:30", priority="merit")]
    chosen, state = choose_next(queue, make_counter(1, "A"), INTERLEAVE_3, PolicyState(3))
    assert (chosen.id, state) == (2, PolicyState(0))


def test_with_only_priority_citizens_waiting_interleave_calls_them(make_ticket, make_counter):
    queue = [
        make_ticket(1, "A", "08:00", priority="elderly"),
        make_ticket(2, "A", "08:05", priority="merit"),
    ]
    order = [
        t.id for t in calls_until_empty(queue, make_counter(1, "A"), INTERLEAVE_3, PolicyState())
    ]
    assert order == [1, 2]


def test_first_come_first_served_among_priority_groups(make_ticket, make_counter):
    queue = [
        make_ticket(1, "A", "08:20", priority="elderly"),
        make_ticket(2, "A", "08:10", priority="merit"),
        make_ticket(3, "A", "08:15", priority="disability"),
    ]
    order = [t.id for t in calls_until_empty(queue, make_counter(1, "A"), STRICT, PolicyState())]
    assert order == [2, 3, 1]


def test_same_minute_is_broken_by_ticket_id(make_ticket, make_counter):
    queue = [make_ticket(9, "A", "08:00"), make_ticket(4, "A", "08:00")]
    assert choose_next(queue, make_counter(1, "A"), STRICT, PolicyState())[0].id == 4


def test_appointment_slots_in_at_its_booked_time(make_ticket, make_counter, at):
    # Booked for 09:00, checked in at 08:40: behind the 08:55 walk-in, ahead of the 09:05 one.
    booked = make_ticket(3, "A", "09:00", issued_at=at("08:40"), appointment_at=at("09:00"))
    queue = [make_ticket(1, "A", "09:05"), booked, make_ticket(2, "A", "08:55")]
    order = [t.id for t in calls_until_empty(queue, make_counter(1, "A"), STRICT, PolicyState())]
    assert order == [2, 3, 1]


def test_counter_serves_its_preferred_field_first(make_ticket, make_counter):
    # Counter 2 does Đất đai (D) first, Hộ tịch (H) when no land dossier waits.
    queue = [
        make_ticket(1, "H", "08:00"),
        make_ticket(2, "D", "08:30"),
        make_ticket(3, "X", "07:30"),
    ]
    order = [
        t.id for t in calls_until_empty(queue, make_counter(2, "D", "H"), STRICT, PolicyState())
    ]
    assert order == [2, 1]


def test_a_ticket_transferred_to_this_counter_goes_first(make_ticket, make_counter):
    queue = [
        make_ticket(1, "A", "07:40", priority="elderly"),
        make_ticket(2, "B", "08:30", target_counter=5),
        make_ticket(3, "A", "08:20", target_counter=4),
    ]
    counter_5 = make_counter(5, "A")
    chosen, state = choose_next(queue, counter_5, STRICT, PolicyState(2))
    assert chosen.id == 2  # even though counter 5 does not serve B and an elderly citizen waits
    assert state == PolicyState(2)  # a transfer does not use up a normal or a priority turn
    assert eligible(queue[2], make_counter(4, "B")) and not eligible(queue[2], counter_5)


def test_nothing_to_call(make_ticket, make_counter):
    queue = [make_ticket(1, "B"), make_ticket(2, "A", status=TicketStatus.CALLED)]
    assert choose_next(queue, make_counter(1, "A"), STRICT, PolicyState(1)) == (
        None,
        PolicyState(1),
    )


# --- properties -------------------------------------------------------------


def eligible_here(ticket: Ticket, counter: Counter) -> bool:
    if ticket.status != TicketStatus.WAITING:
        return False
    if ticket.target_counter is not None:
        return ticket.target_counter == counter.number
    return ticket.service_code in counter.services


@fast
@given(queues(), counters(), policies, states)
def test_choose_next_follows_the_rules(queue, counter, policy, state):
    candidates = [t for t in queue if eligible_here(t, counter)]
    chosen, after = choose_next(queue, counter, policy, state)
    if not candidates:
        assert (chosen, after) == (None, state)
        return
    assert chosen in candidates

    targeted = [t for t in candidates if t.target_counter == counter.number]
    if targeted:
        assert chosen == min(targeted, key=key)
        assert after == state
        return

    priority = [t for t in candidates if t.priority]
    normal = [t for t in candidates if not t.priority]
    if policy.mode == PolicyMode.STRICT and priority:
        assert chosen.priority
    if policy.mode == PolicyMode.INTERLEAVE and priority and normal:
        assert bool(chosen.priority) == (state.normal_since_priority >= policy.normal_per_priority)
    assert after == (
        PolicyState(0) if chosen.priority else PolicyState(state.normal_since_priority + 1)
    )

    same_class = priority if chosen.priority else normal
    service = next(s for s in counter.services if any(t.service_code == s for t in same_class))
    assert chosen == min((t for t in same_class if t.service_code == service), key=key)


@fast
@given(queues(), st.lists(counters(st.just(0)), min_size=1, max_size=3), policies, states)
def test_pressing_next_everywhere_calls_every_eligible_ticket_exactly_once(
    queue, counter_list, policy, state
):
    counter_list = [replace(c, number=i + 1) for i, c in enumerate(counter_list)]
    waiting, called = list(queue), []
    idle: set[int] = set()
    while len(idle) < len(counter_list):
        for counter in counter_list:
            chosen, state = choose_next(waiting, counter, policy, state)
            if chosen is None:
                idle.add(counter.number)
                continue
            idle.discard(counter.number)
            assert eligible_here(chosen, counter)
            called.append(chosen.id)
            waiting.remove(chosen)
    expected = {t.id for t in queue if any(eligible_here(t, c) for c in counter_list)}
    assert sorted(called) == sorted(expected)


@fast
@given(queues(), counters(), policies, states)
def test_within_a_class_nobody_is_overtaken(queue, counter, policy, state):
    calls = calls_until_empty(queue, counter, policy, state)
    assert {t.id for t in calls} == {t.id for t in queue if eligible_here(t, counter)}
    targeted = [t for t in calls if t.target_counter is not None]
    assert calls[: len(targeted)] == sorted(targeted, key=key)
    for is_priority in (False, True):
        lane = [t for t in calls[len(targeted) :] if bool(t.priority) == is_priority]
        assert lane == sorted(lane, key=lambda t: (counter.services.index(t.service_code), *key(t)))


@fast
@given(queues(targeted=False, closed=False), st.permutations(SERVICES))
def test_strict_never_calls_a_normal_ticket_while_a_priority_one_is_eligible(queue, services):
    calls = calls_until_empty(queue, Counter(1, "Quầy 1", tuple(services)), STRICT, PolicyState())
    first_normal = next((i for i, t in enumerate(calls) if not t.priority), len(calls))
    assert all(not t.priority for t in calls[first_normal:])


arrivals = st.tuples(st.sampled_from(GROUPS), st.sampled_from(SERVICES))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.none() | arrivals, min_size=20, max_size=80),
    st.integers(1, 4),
    states,
)
def test_interleave_over_a_long_day(steps, n, state):
    """None = the clerk presses next; otherwise a citizen of (group, field) arrives."""
    policy = PriorityPolicy(PolicyMode.INTERLEAVE, normal_per_priority=n)
    counter = Counter(1, "Quầy 1", SERVICES)
    waiting: list[Ticket] = []
    normal_run = 0  # normal calls in a row, each made while a priority citizen waited
    last_was_priority = False
    clock = OPENING
    for step in [*steps, *[None] * len(steps)]:
        clock += timedelta(minutes=1)
        if step is not None:
            group, service = step
            waiting.append(
                Ticket(
                    1,
                    service,
                    "X",
                    clock.date(),
                    clock,
                    clock,
                    priority=group,
                    id=len(waiting) + 1000 * clock.minute,
                )
            )
            continue
        priority_waits = any(t.priority for t in waiting)
        normal_waits = any(not t.priority for t in waiting)
        chosen, state = choose_next(waiting, counter, policy, state)
        if chosen is None:
            assert not waiting
            continue
        waiting.remove(chosen)
        if chosen.priority:
            assert not (last_was_priority and normal_waits), "two priority calls in a row"
            normal_run = 0
        else:
            normal_run = normal_run + 1 if priority_waits else 0
            assert normal_run <= n, f"{normal_run} normal calls in a row while priority waits"
        last_was_priority = bool(chosen.priority)
    assert not waiting


# --- people ahead -----------------------------------------------------------


def places(queue: list[Ticket], policy: PriorityPolicy, state: PolicyState) -> dict[int, int]:
    """How many are called before each ticket at a counter doing only field A."""
    calls = calls_until_empty(queue, Counter(1, "Quầy 1", ("A",)), policy, state)
    return {t.id: i for i, t in enumerate(calls)}


def test_people_ahead_of_a_normal_ticket_under_strict(make_ticket):
    queue = [
        make_ticket(1, "A", "08:00"),
        make_ticket(2, "A", "08:10"),
        make_ticket(3, "A", "08:30", priority="elderly"),
        make_ticket(4, "B", "07:50"),  # another field
        make_ticket(5, "A", "07:55", target_counter=3),  # waits for a specific counter
        make_ticket(6, "A", "07:40", status=TicketStatus.SERVING),
    ]
    assert people_ahead(queue[1], queue, STRICT) == 2
    assert people_ahead(queue[2], queue, STRICT) == 0


def test_people_ahead_of_the_second_priority_ticket_under_interleave(make_ticket):
    # 3:1, two elderly and five normal citizens waiting: the second elderly citizen waits
    # for the first one and the three normal citizens called between them.
    queue = [
        make_ticket(1, "A", "08:00", priority="elderly"),
        make_ticket(2, "A", "08:01", priority="elderly"),
    ]
    queue += [make_ticket(i, "A", f"08:0{i}") for i in range(3, 8)]
    assert places(queue, INTERLEAVE_3, PolicyState(3))[2] == 4
    assert people_ahead(queue[1], queue, INTERLEAVE_3) == 4


@fast
@given(queues(), st.data())
def test_people_ahead_is_exact_under_strict(queue, data):
    lane = [
        t
        for t in queue
        if t.service_code == "A" and t.target_counter is None and t.status == TicketStatus.WAITING
    ]
    if not lane:
        return
    ticket = data.draw(st.sampled_from(lane))
    assert people_ahead(ticket, queue, STRICT) == places(lane, STRICT, PolicyState())[ticket.id]


@fast
@given(queues(), st.integers(0, 4), st.data())
def test_people_ahead_under_interleave_is_possible_for_some_policy_state(queue, n, data):
    """The estimate does not know the centre's interleave counter, so it cannot be exact;
    it must lie between what the luckiest and unluckiest counter value would give."""
    policy = PriorityPolicy(PolicyMode.INTERLEAVE, normal_per_priority=n)
    lane = [
        t
        for t in queue
        if t.service_code == "A" and t.target_counter is None and t.status == TicketStatus.WAITING
    ]
    if not lane:
        return
    ticket = data.draw(st.sampled_from(lane))
    outcomes = [places(lane, policy, PolicyState(s))[ticket.id] for s in range(n + 1)]
    assert min(outcomes) <= people_ahead(ticket, queue, policy) <= max(outcomes)


@pytest.mark.parametrize("policy", [STRICT, INTERLEAVE_3])
def test_nobody_ahead_of_the_only_citizen(make_ticket, policy):
    only = make_ticket(1, "A")
    assert people_ahead(only, [only], policy) == 0
