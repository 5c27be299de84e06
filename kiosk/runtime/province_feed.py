"""The province room's feed: a small `province` event for each change at a centre.

`ProvincePublisher` wraps every served centre's publisher (bootstrap._serve).  When a
centre publishes a change a province overview shows (`queue`, `counter`, `device`,
`alert`, `rating`), it adds one `province` event to the installation-wide province
room (kiosk/rooms.py `province`; joined by `subscribe {province: true}`, province
roles only): `{code}` and, when the change carried the centre's `queue` payload, its
`waiting` and `longest_wait_s` (kiosk/usecases/province.py `change`).  No statement
is run for it: the /province page shows those two at once and reads the rest from
`GET /api/v1/province/overview` a moment later (static/js/province.js).  The event
never goes to a centre's own rooms, so a centre's screens and staff never see it.
"""

from __future__ import annotations

from collections.abc import Iterable

from kiosk import rooms
from kiosk.events import Outgoing
from kiosk.usecases import province

NOTICED = ("queue", "counter", "device", "alert", "rating")


class ProvincePublisher:
    def __init__(self, inner, code: str) -> None:
        self.inner = inner
        self.code = code

    def publish(self, events: Iterable[Outgoing]) -> None:
        events = list(events)
        noticed = [e for e in events if e.name in NOTICED]
        if noticed:
            queue = next((e.payload for e in noticed if e.name == "queue"), None)
            events.append(
                Outgoing("province", province.change(self.code, queue), (rooms.province(),))
            )
        self.inner.publish(events)


def overview() -> dict:
    """`{"centres": [...]}`: every centre's entry (kiosk/usecases/province.py), with this
    process's own view of its screens and devices laid over the stored statuses."""
    from kiosk.runtime import current_centre, current_hub

    hub = current_hub()
    own = {c.centre_id: dict(c.device_status) for c in hub.centres if c.device_status}
    return {"centres": province.overview(hub.store, current_centre().ctx.now(), own)}
