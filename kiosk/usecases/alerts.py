"""Wait alerts: read each field's longest wait, let the core decide which alerts start
and end (kiosk.core.alerts), and tell the supervisors.

kiosk/runtime/alerts.py (`WaitWatcher`) decides only when to look again.  The
alert's sentence in each language is passed in as `wording` (the runtime's
Flask-Babel texts), as `ctx.announce` is for calls: use cases import no Flask.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from kiosk import rooms
from kiosk.core.alerts import Alert, Waiting, alert_changes, next_crossing, wait_alerts
from kiosk.events import Outgoing
from kiosk.store.tables import TicketRow
from kiosk.usecases.context import QueueContext
from kiosk.usecases.read_models import QueueReader

# (alert, field code → (name, English name), active) → the `alert` event's payload
Wording = Callable[[Alert, Mapping[str, tuple[str, str]], bool], dict]


@dataclass(frozen=True)
class WaitCheck:
    active: dict[str, Alert]  # the wait alerts supervisors are shown now
    next_crossing: datetime | None  # when the next field would pass its target


def oldest_waiting(reader: QueueReader) -> list[Waiting]:
    """Each field's longest-waiting citizen, waiting since they joined its queue."""
    rows = reader.waiting
    parents = [r.parent_id for r in rows if r.parent_id]
    transferred_at = {}
    if parents:
        transferred_at = dict(
            reader.session.execute(
                select(TicketRow.id, TicketRow.finished_at).where(TicketRow.id.in_(parents))
            ).all()
        )
    oldest: dict[str, Waiting] = {}
    for row in rows:
        code = reader.code_by_id.get(row.service_id)
        since = transferred_at.get(row.parent_id) or row.issued_at
        if code and (code not in oldest or since < oldest[code].since):
            oldest[code] = Waiting(code, row.number, since)
    return list(oldest.values())


def targets_of(reader: QueueReader) -> dict[str, int | None]:
    return {s.code: s.target_wait_s for s in reader.services if s.active}


def check_waits(ctx: QueueContext, shown: Mapping[str, Alert], wording: Wording) -> WaitCheck:
    """Send an `alert` to the supervisors for each field that has just passed its target
    wait ({active: true}) and each that is back under it ({active: false}); `shown` are
    the alerts sent as active before."""
    now = ctx.now()
    with ctx.store.read() as session:
        reader = QueueReader(ctx, session)
        oldest = oldest_waiting(reader)
        targets = targets_of(reader)
        names = {s.code: (s.name, s.name_en or s.name) for s in reader.services}
    change = alert_changes(shown, wait_alerts(oldest, targets, now))
    payloads = [wording(a, names, True) for a in change.started]
    payloads += [wording(a, names, False) for a in change.ended]
    room = (rooms.supervisors(ctx.centre_id),)
    ctx.publish([Outgoing("alert", payload, room) for payload in payloads])
    return WaitCheck(change.active, next_crossing(oldest, targets, now))
