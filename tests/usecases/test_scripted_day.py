"""Use cases on a real database with a scripted clock: a morning at a centre
whose numbers (waits, estimates, day rollover) are known by hand."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.usecases import counters, tickets
from tests.support.usecases import take

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_estimate_follows_the_mornings_real_service_times(day):
    ctx, clock, _ = day
    first = take(ctx)
    # before any history, the centre's default (300 s) and every open counter count
    assert first["estimated_wait_s"] == 0
    for _ in range(5):
        take(ctx)
    # two clerks (counters 1 and 2) serve four citizens taking 4, 6, 5 and 5 minutes
    for counter, minutes in [(1, 4), (2, 6), (1, 5), (2, 5)]:
        counters.call_next(ctx, counter)
        clock.advance(minutes)
        counters.finish(ctx, counter)
    waiting = [take(ctx) for _ in range(5)]
    # 2 older tickets + 4 new before the last one = 6 ahead; median service 5 min; 2 clerks
    last = waiting[-1]
    assert last["people_ahead"] == 6
    assert last["estimated_wait_s"] == 3 * 300  # ceil(6 / 2) rounds of 5 minutes
    # a third clerk starts calling: the estimate shrinks without any setting changed
    counters.call_next(ctx, 3)
    assert tickets.get_ticket(ctx, last["id"])["estimated_wait_s"] == 2 * 300  # ceil(5/3) = 2


def test_numbers_restart_at_local_midnight(day):
    ctx, clock, _ = day
    clock.now = datetime(2026, 11, 23, 23, 59, 59, tzinfo=TZ)
    assert take(ctx)["number"] == "A001"
    assert take(ctx)["number"] == "A002"
    clock.now = datetime(2026, 11, 24, 0, 0, 0, tzinfo=TZ)
    assert take(ctx)["number"] == "A001"  # a new business day
    assert take(ctx, "DD")["number"] == "B001"


def test_each_state_change_publishes_after_commit(day):
    ctx, clock, publisher = day
    take(ctx)
    publisher.sent.clear()
    counters.call_next(ctx, 1)
    names = [event.name for event in publisher.sent]
    assert names.count("call") == 1
    call = next(e for e in publisher.sent if e.name == "call")
    assert any(r.endswith(":lobby") for r in call.rooms)
    assert call.payload["called_at"].startswith("2026-11-23T00:30")  # 07:30 local in UTC
