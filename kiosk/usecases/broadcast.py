"""After an admin change: bring every screen up to date without a restart.

Screens build themselves from `snapshot`, so the hub pushes fresh snapshots
(the same ones a subscribe gets) to the lobby, kiosk and counter rooms, plus
one small `settings` event with the centre's display settings for pages that
only need those.  Called after the admin's transaction committed, so nobody
sees a change that was rolled back.
"""

from __future__ import annotations

from kiosk import rooms
from kiosk.events import Outgoing
from kiosk.store import repository as repo
from kiosk.usecases.context import QueueContext
from kiosk.usecases.views import QueueReader, centre_payload


def publish_setup(ctx: QueueContext, devices: dict | None = None) -> None:
    centre_id = ctx.centre_id
    with ctx.store.read() as session:
        reader = QueueReader(ctx, session)
        centre = centre_payload(reader.centre)
        whole = reader.snapshot()
        counters = {
            row.number: reader.counter_snapshot(row.number)
            for row in repo.counters_of(session, centre_id)
        }
    extra = {"devices": devices} if devices is not None else {}
    out = [
        Outgoing(
            "settings",
            centre,
            (rooms.lobby(centre_id), rooms.kiosks(centre_id), rooms.staff(centre_id)),
        ),
        Outgoing(
            "snapshot",
            {**whole, **extra, "subscription": {"display": "lobby"}},
            (rooms.lobby(centre_id),),
        ),
        Outgoing(
            "snapshot",
            {**whole, **extra, "subscription": {"display": "kiosk"}},
            (rooms.kiosks(centre_id),),
        ),
    ]
    out.extend(
        Outgoing(
            "snapshot",
            {**snapshot, **extra, "subscription": {"counter": number}},
            (rooms.counter(centre_id, number),),
        )
        for number, snapshot in counters.items()
    )
    ctx.publish(out)
