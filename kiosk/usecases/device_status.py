"""Device status: what a printer, scanner or paired screen last reported, stored in
the `device_status` table (read by the other hub processes, /healthz and `motcua
devices`) and sent to the screens as a `device` event.

The process that owns a device reports each new status here
(kiosk/runtime/print_service.py, scanner_service.py, presence.py); it keeps its
own view in `hub.device_status`.  A status that cannot be stored (the database
is away) still reaches the screens: the table catches up with the next change.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from kiosk import rooms
from kiosk.events import Outgoing
from kiosk.store import device_status as table
from kiosk.usecases.context import QueueContext
from kiosk.usecases.read_models import public_device

log = logging.getLogger(__name__)

# What a screen or a supervisor notices: a change of one of these is stored and sent.
NOTICED = ("state", "error", "path", "paper_out", "paper_near_end", "cover_open")


def report(
    ctx: QueueContext,
    key: str,
    entry: dict,
    previous: dict | None = None,
    *,
    public: bool = True,
) -> tuple[str, ...]:
    """Store `entry` as the status of device `key` ("printer:kiosk-1") and send it: in
    full to staff, and when `public`, as name, kind and state to kiosks and lobby (a
    paired screen's presence is for staff only).

    With `previous` (the last status this process knew), only a change someone notices
    is stored and sent.  Returns the noticed fields that changed (all of them without
    `previous`); empty when nothing was stored or sent."""
    if previous is None:
        changed = NOTICED
    else:
        changed = tuple(f for f in NOTICED if previous.get(f) != entry.get(f))
        if not changed:
            return ()
    remember(ctx, key, entry)
    events = [Outgoing("device", {"id": key, **entry}, (rooms.staff(ctx.centre_id),))]
    if public:
        shown = (rooms.kiosks(ctx.centre_id), rooms.lobby(ctx.centre_id))
        events.append(Outgoing("device", public_device(key, entry), shown))
    ctx.publish(events)
    return changed


def remember(ctx: QueueContext, key: str, entry: dict) -> bool:
    """Store a status without telling the screens (a scanner's last scan time, a scanner
    released when the hub stops); False when the database could not take it."""
    try:
        table.save(ctx.store, ctx.centre_id, key, entry)
    except SQLAlchemyError:
        log.warning("could not store the status of %s", key, exc_info=True)
        return False
    return True


def forget(ctx: QueueContext, key: str) -> None:
    """A removed device's stored status is gone: its worker may have reported once more
    between the admin's removal (which deletes it too) and being closed, and the devices
    page would then list it again, as a device nobody configured."""
    try:
        table.remove(ctx.store, ctx.centre_id, key)
    except SQLAlchemyError:
        log.warning("could not forget the status of %s", key, exc_info=True)


def stored(ctx: QueueContext) -> dict[str, dict]:
    """Every device status of the centre, as the owners last stored them."""
    return table.load_all(ctx.store, ctx.centre_id)


def stored_in(session, centre_id: int) -> tuple[dict[str, dict], dict[str, int]]:
    """(every stored device status, print jobs still waiting by printer) of the centre,
    read in the caller's transaction (a subscribe reads them beside its snapshot)."""
    return table.statuses_in(session, centre_id), pending_in(session, centre_id)


def pending_in(session, centre_id: int) -> dict[str, int]:
    """Print jobs still waiting, by printer name, read in the caller's transaction."""
    return table.pending_in(session, centre_id)
