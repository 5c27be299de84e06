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
from kiosk.usecases.read_models import QueueReader, centre_payload


def publish_setup(ctx: QueueContext) -> None:
    """Every subscription gets its own audience's snapshot again (kiosk/rooms.py)."""
    centre_id = ctx.centre_id
    with ctx.store.read() as session:
        reader = QueueReader(ctx, session)
        centre = centre_payload(reader.centre)
        public = reader.public_snapshot()
        staff = reader.staff_snapshot()
        numbers = [row.number for row in repo.counters_of(session, centre_id)]
        base = {"public": public, "screen": public, "staff": staff}
        counters = {
            audience: {n: reader.counter_snapshot(n, audience, base[audience]) for n in numbers}
            for audience in base
        }
    out = [
        Outgoing(
            "settings",
            centre,
            (rooms.lobby(centre_id), rooms.kiosks(centre_id), rooms.staff(centre_id)),
        ),
        Outgoing(
            "snapshot",
            {**public, "subscription": {"display": "lobby"}},
            (rooms.lobby(centre_id),),
        ),
        Outgoing(
            "snapshot",
            {**public, "subscription": {"display": "kiosk"}},
            (rooms.kiosks(centre_id),),
        ),
    ]
    room_of = {
        "public": rooms.counter,
        "screen": rooms.counter_screen,
        "staff": rooms.counter_staff,
    }
    for audience, snapshots in counters.items():
        out.extend(
            Outgoing(
                "snapshot",
                {**snapshot, "subscription": {"counter": number}},
                (room_of[audience](centre_id, number),),
            )
            for number, snapshot in snapshots.items()
        )
    ctx.publish(out)
