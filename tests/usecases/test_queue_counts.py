"""The fast paths give today's answers: "people ahead" (and so the estimated wait)
counted by the database, "next" chosen among the few tickets SQL reads, and the
waiting counts and longest waits summed by SQL, each compared with the
straightforward computation over every waiting ticket, on random queues with
priority groups, transfers to a counter, appointments (a booked time as the
ordering time) and ties in time."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from kiosk.core import policy
from kiosk.core.model import Counter, PolicyMode, PriorityPolicy
from kiosk.store import Store
from kiosk.store import repository as repo
from kiosk.store.seed import read_centre_file, seed
from kiosk.store.tables import TicketRow
from kiosk.usecases.read_models import QueueReader
from tests.support.hubs import TEST_CENTRE

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2024, 3, 4, 7, 30, tzinfo=TZ)
STATUSES = ["waiting"] * 6 + ["called", "done", "cancelled", "remote"]

ticket = st.fixed_dictionaries(
    {
        "service": st.sampled_from(["HT", "DD", "TKQ"]),
        "status": st.sampled_from(STATUSES),
        "priority": st.sampled_from([None, None, "elderly", "disabled", ""]),
        "minute": st.integers(0, 30),  # few distinct times: ties are ordered by id
        "booked": st.one_of(st.none(), st.integers(-20, 40)),  # an appointment's slot
        "to_counter": st.one_of(st.none(), st.none(), st.integers(1, 3)),  # a transfer
    }
)
policies = st.builds(
    PriorityPolicy,
    mode=st.sampled_from([PolicyMode.STRICT, PolicyMode.INTERLEAVE]),
    normal_per_priority=st.integers(0, 4),
)
counters = st.builds(
    Counter,
    number=st.integers(1, 3),
    name=st.just("Quầy"),
    services=st.permutations(["HT", "DD", "TKQ"]).flatmap(
        lambda codes: st.integers(1, 3).map(lambda n: tuple(codes[:n]))
    ),
)


@pytest.fixture(params=["sqlite", "postgres"])
def any_ctx(request, ctx):
    """The test centre on SQLite, or seeded into a fresh PostgreSQL database: the counts
    are statements of each dialect (PostgreSQL filters the priority class, SQLite reads
    it as a range)."""
    if request.param == "sqlite":
        return ctx
    store = Store(request.getfixturevalue("postgres_url"))
    with store.write() as session:
        centre = seed(session, read_centre_file(TEST_CENTRE))
    request.addfinalizer(store.dispose)
    return replace(ctx, store=store, centre_id=centre.id)


def fill(ctx, tickets: list[dict]) -> None:
    """The centre's tickets are exactly these (one business day)."""
    with ctx.store.write() as session:
        session.execute(delete(TicketRow).where(TicketRow.centre_id == ctx.centre_id))
        ids = {s.code: s.id for s in repo.services_of(session, ctx.centre_id)}
        for seq, t in enumerate(tickets, start=1):
            issued = START + timedelta(minutes=t["minute"])
            booked = START + timedelta(minutes=t["booked"]) if t["booked"] is not None else None
            session.add(
                TicketRow(
                    centre_id=ctx.centre_id,
                    service_id=ids[t["service"]],
                    number=f"X{seq:03d}",
                    seq=seq,
                    business_day=date(2024, 3, 4),
                    status=t["status"],
                    priority=t["priority"],
                    issued_at=issued,
                    queued_at=booked or issued,
                    appointment_at=booked,
                    target_counter=t["to_counter"],
                    token=f"token-{seq}",
                    source="kiosk",
                )
            )


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tickets=st.lists(ticket, max_size=40), rule=policies)
def test_people_ahead_counted_in_sql_is_the_policys_answer(any_ctx, tickets, rule):
    ctx = any_ctx
    fill(ctx, tickets)
    with ctx.store.read() as session:
        rows = repo.waiting_rows(session, ctx.centre_id)
        codes = {s.id: s.code for s in repo.services_of(session, ctx.centre_id)}
        everyone = [repo.to_ticket(r, codes) for r in rows]
        for row, mine in zip(rows, everyone, strict=True):
            counts = repo.ahead_counts(session, row)
            assert counts == policy.ahead_counts(mine, everyone), mine.number
            fast = policy.people_ahead_of(bool(row.priority), counts, rule)
            assert fast == policy.people_ahead(mine, everyone, rule), (mine.number, rule)
        # A ticket no longer waiting (called, done, a remote number) is counted against
        # the waiting ones as well: every count leaves it out.
        for row in session.execute(select(TicketRow).where(TicketRow.status != "waiting")):
            mine = repo.to_ticket(row[0], codes)
            assert repo.ahead_counts(session, row[0]) == policy.ahead_counts(mine, everyone)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    tickets=st.lists(ticket, max_size=40),
    rule=policies,
    counter=counters,
    since=st.integers(0, 5),
)
def test_next_chosen_among_the_heads_is_the_one_chosen_among_all(
    ctx, tickets, rule, counter, since
):
    fill(ctx, tickets)
    state = policy.PolicyState(since)
    with ctx.store.read() as session:
        codes = {s.id: s.code for s in repo.services_of(session, ctx.centre_id)}
        ids = {code: i for i, code in codes.items()}
        everyone = [repo.to_ticket(r, codes) for r in repo.waiting_rows(session, ctx.centre_id)]
        heads = repo.queue_heads(
            session, ctx.centre_id, counter.number, [ids[c] for c in counter.services]
        )
        from_sql = [repo.to_ticket(r, codes) for r in heads]
    expected = policy.choose_next(everyone, counter, rule, state)
    assert policy.choose_next(from_sql, counter, rule, state) == expected
    assert policy.choose_next(policy.heads(everyone, counter), counter, rule, state) == expected


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tickets=st.lists(ticket, max_size=40))
def test_waiting_counts_and_longest_waits_summed_in_sql(any_ctx, clock, tickets):
    ctx = any_ctx
    fill(ctx, tickets)
    clock.now = START + timedelta(minutes=25)  # some tickets are "issued" after now
    with ctx.store.read() as session:
        reader = QueueReader(ctx, session)
        counts = {s.code: 0 for s in reader.services if s.active}
        longest: dict[str, int] = {}
        for row in repo.waiting_rows(session, ctx.centre_id):
            code = reader.code_by_id[row.service_id]
            counts[code] += 1
            waited = int((clock.now - row.issued_at).total_seconds())
            longest[code] = max(longest.get(code, 0), waited)
        assert reader.waiting_counts() == counts
        assert reader.longest_waits() == longest
