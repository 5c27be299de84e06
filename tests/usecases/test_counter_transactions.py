"""A clerk's press costs one write transaction per action (kiosk/usecases/counters.py):
the events are built from what the action wrote, in its own transaction, and the call's
announcement reads the set-up kept by the process.  On PostgreSQL the waiting queue is
read after the commit (issues of other fields commit alongside), so "next" has one read
transaction more; finish has none."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import event

from display.announcer import voice_announcer
from kiosk.store import Store
from kiosk.store.seed import read_centre_file, seed
from kiosk.usecases import counters
from tests.support.hubs import TEST_CENTRE
from tests.support.usecases import take


def _transactions(ctx, run) -> list[str]:
    """The transactions `run` opens, "write" or "read", in order."""
    seen: list[str] = []

    def begun(connection) -> None:
        write = connection.get_execution_options().get("sqlite_begin") == "IMMEDIATE"
        seen.append("write" if write else "read")

    def committed(_connection) -> None:
        if seen:
            seen[-1] = seen[-1].replace("read", "write")  # PostgreSQL: no BEGIN mode

    event.listen(ctx.store.engine, "begin", begun)
    event.listen(ctx.store.engine, "commit", committed)
    try:
        run()
    finally:
        event.remove(ctx.store.engine, "begin", begun)
        event.remove(ctx.store.engine, "commit", committed)
    return seen


def test_next_and_finish_are_one_write_transaction_each_on_sqlite(day):
    ctx, _, publisher = day
    ctx = replace(ctx, announce=voice_announcer(ctx.store, ctx.centre_id))
    take(ctx), take(ctx)
    counters.call_next(ctx, 1), counters.finish(ctx, 1)  # the set-up is kept from here
    publisher.sent.clear()
    assert _transactions(ctx, lambda: counters.call_next(ctx, 1)) == ["write"]
    assert _transactions(ctx, lambda: counters.finish(ctx, 1)) == ["write"]
    names = [e.name for e in publisher.sent]
    assert names == ["call", *["counter"] * 3, *["ticket"] * 3, "queue"] + [
        *["counter"] * 3,
        *["ticket"] * 3,
    ]


def test_next_reads_the_queue_after_its_commit_on_postgresql(day, postgres_url):
    ctx, _, _ = day
    store = Store(postgres_url)
    try:
        with store.write() as session:
            centre = seed(session, read_centre_file(TEST_CENTRE))
        ctx = replace(ctx, store=store, centre_id=centre.id)
        ctx = replace(ctx, announce=voice_announcer(store, centre.id))
        take(ctx), take(ctx)
        counters.call_next(ctx, 1), counters.finish(ctx, 1)
        assert _transactions(ctx, lambda: counters.call_next(ctx, 1)) == ["write", "read"]
        assert _transactions(ctx, lambda: counters.finish(ctx, 1)) == ["write"]
    finally:
        store.dispose()
