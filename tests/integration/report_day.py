"""A morning at a centre, scripted through the use cases with a controllable
clock, whose report figures are counted by hand below.  Shared by the report
tests (SQLite and PostgreSQL) and the export tests.

Monday 10 March 2025, local time; field HT has a 10-minute target, DD none.

    07:30 A001 (HT)   called 07:40 at counter 1 (clerk1)  start 07:41  finish 07:46   rated 5
    07:32 A002 (HT)   called 07:45 at counter 2 (clerk2)  no-show 07:47
    07:35 B001 (DD)   called 07:50 at counter 1           start 07:50  transferred to HT 07:58
          B001 (HT)   called 08:10 at counter 2           start 08:11  finish 08:21   rated 2, waiting time
    08:05 A003 (HT)   cancelled 08:06
    09:00 A004 (HT)   called 09:03 at counter 1           finish 09:07 (never started) rated 4

Waits: A001 600 s, A002 780, B001 900 (DD) then 720 (HT, from the transfer),
A004 180.  Service: A001 300, B001/HT 600, A004 240 (from the call).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from kiosk.events import RecordingPublisher
from kiosk.store import Store
from kiosk.store.seed import add_user, read_centre_file, seed
from kiosk.store.tables import ServiceRow, UserRow
from kiosk.usecases import counters, rating, tickets
from kiosk.usecases.context import QueueContext
from tests.support.hubs import TEST_CENTRE, copy_template

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2025, 3, 10)
SUPERVISOR = ("truongbp", "supervisor-pass")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 10, 7, 0, tzinfo=TZ)

    def __call__(self) -> datetime:
        return self.now

    def at(self, hhmm: str) -> None:
        hours, minutes = (int(part) for part in hhmm.split(":"))
        moment = datetime(2025, 3, 10, hours, minutes, tzinfo=TZ)
        assert moment >= self.now, "the script only moves forward"
        self.now = moment


def script_day(url: str) -> QueueContext:
    copy_template(url, TEST_CENTRE)  # SQLite; a PostgreSQL test database is migrated already
    store = Store(url)
    with store.write() as session:
        centre_id = seed(session, read_centre_file(TEST_CENTRE)).id
        session.execute(
            select(ServiceRow).where(ServiceRow.code == "HT")
        ).scalar_one().target_wait_s = 600
        add_user(session, centre_id, *SUPERVISOR, "supervisor", display_name="Trưởng bộ phận")
        users = {u.username: u.id for u in session.execute(select(UserRow)).scalars()}
    clock = Clock()
    ctx = QueueContext(
        store=store, publisher=RecordingPublisher(), centre_id=centre_id, clock=clock
    )
    clerk1, clerk2 = users["clerk1"], users["clerk2"]

    def take(service: str) -> dict:
        return tickets.issue_ticket(ctx, tickets.IssueRequest(service=service)).ticket

    clock.at("07:30")
    a001 = take("HT")
    clock.at("07:32")
    take("HT")
    clock.at("07:35")
    take("DD")
    clock.at("07:40")
    assert counters.call_next(ctx, 1, user_id=clerk1)["number"] == "A001"
    clock.at("07:41")
    counters.start(ctx, 1, user_id=clerk1)
    clock.at("07:45")
    assert counters.call_next(ctx, 2, user_id=clerk2)["number"] == "A002"
    clock.at("07:46")
    counters.finish(ctx, 1, user_id=clerk1)
    rating.rate_ticket(ctx, a001["id"], 5, proof=rating.Proof(token=a001["token"]))
    clock.at("07:47")
    counters.no_show(ctx, 2, user_id=clerk2)
    clock.at("07:50")
    assert counters.call_next(ctx, 1, user_id=clerk1)["number"] == "B001"
    counters.start(ctx, 1, user_id=clerk1)
    clock.at("07:58")
    counters.transfer(ctx, 1, to_service="HT", user_id=clerk1)
    clock.at("08:05")
    a003 = take("HT")
    clock.at("08:06")
    tickets.cancel_ticket(ctx, a003["id"])
    clock.at("08:10")
    b001 = counters.call_next(ctx, 2, user_id=clerk2)
    assert (b001["number"], b001["service"]) == ("B001", "HT")
    clock.at("08:11")
    counters.start(ctx, 2, user_id=clerk2)
    clock.at("08:21")
    counters.finish(ctx, 2, user_id=clerk2)
    rating.rate_ticket(
        ctx, b001["id"], 2, reasons=["waiting_time"], proof=rating.Proof(token=b001["token"])
    )
    clock.at("09:00")
    a004 = take("HT")
    clock.at("09:03")
    assert counters.call_next(ctx, 1, user_id=clerk1)["id"] == a004["id"]
    clock.at("09:07")
    counters.finish(ctx, 1, user_id=clerk1)
    rating.rate_ticket(ctx, a004["id"], 4, proof=rating.Proof(token=a004["token"]))
    clock.now += timedelta(days=1)  # reports are read the next day
    return ctx
