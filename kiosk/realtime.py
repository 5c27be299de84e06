"""Socket.IO: `subscribe` joins rooms and answers with a full `snapshot`;
use cases publish through `SocketIOPublisher` after their commit.

Clients send `subscribe` again on every reconnect, so a screen that lost the
network is exactly right again as soon as it is back.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, request
from flask_socketio import emit, join_room
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from kiosk import rooms
from kiosk.core.errors import DomainError
from kiosk.events import Outgoing
from kiosk.extensions import socketio
from kiosk.messages import message
from kiosk.usecases.views import QueueReader

# The database did not answer: a pool timeout is not a DBAPIError, so it is named too.
DATABASE_ERRORS = (OperationalError, DBAPIError, PoolTimeout)


class SocketIOPublisher:
    """Sends each event once to the union of its rooms (a client in two rooms gets it once)."""

    def __init__(self, server) -> None:
        self.server = server

    def publish(self, events: Iterable[Outgoing]) -> None:
        for event in events:
            self.server.emit(event.name, event.payload, to=list(event.rooms))


def _hub():
    return current_app.extensions["motcua"]


def _error(code: str, **params) -> dict:
    return {"ok": False, "error": code, "message": message(code, **params)}


def _may_watch(data: dict) -> bool:
    """Screens and kiosks need a paired device token when the centre requires one
    (`token` in the payload, or the pairing cookie); a ticket's token is its own key."""
    from kiosk.access import device_allowed

    explicit = data.get("token") if isinstance(data.get("token"), str) else None
    if "ticket" in data:
        return True
    if "counter" in data:
        return device_allowed(("counter_screen",), explicit)
    kind = "kiosk" if data.get("display") == "kiosk" else "display"
    return device_allowed((kind,), explicit)


def _staff_at(number: int):
    """The logged-in clerk working at this counter, or None.  Clerk consoles also follow
    the staff room (other counters' calls, ratings)."""
    from kiosk.access import staff_or_none

    user = staff_or_none()
    return user if user is not None and user.may_work_counter(number) else None


@socketio.on("subscribe")
def on_subscribe(data):
    """{display: "lobby"|"kiosk"} | {counter: N} | {ticket: TOKEN} | {supervisor: true}
    → rooms + snapshot; the answer (ack) says whether it worked.

    When the database cannot answer (restarting, every pooled connection busy while all
    screens reconnect at once) the answer is `database_unavailable`; the screen keeps its
    offline mark and asks again (static/js/hub.js).  Rooms are joined only after the
    snapshot was read, so a failed subscribe leaves the client where it was."""
    try:
        return _subscribe(data)
    except DATABASE_ERRORS as error:
        current_app.logger.warning("subscribe: database unavailable: %s", error)
        return _error("database_unavailable")


def _subscribe(data):
    if not isinstance(data, dict):
        return _error("bad_request", detail="subscribe takes an object")
    if "supervisor" in data:  # staff only: checked by role, not by device pairing
        from kiosk import supervision

        answer = supervision.subscribe()
        return answer if answer["ok"] else _error(answer["error"])
    if not _may_watch(data):
        return _error("device_not_paired")
    hub = _hub()
    centre = hub.centre_id
    try:
        with hub.store.read() as session:
            reader = QueueReader(hub.ctx, session)
            if "counter" in data:
                number = data["counter"]
                if isinstance(number, bool) or not isinstance(number, int):
                    return _error("bad_request", detail="counter must be a number")
                if not 0 < number < 2**31:  # beyond what the database stores: no such counter
                    return _error("unknown_counter", counter=number)
                snapshot = reader.counter_snapshot(number)
                join_room(rooms.counter(centre, number))
                if (clerk := _staff_at(number)) is not None:
                    join_room(rooms.staff(centre))
                    join_room(rooms.user(centre, clerk.id))  # told if this login ends
                kind = {"counter": number}
            elif "ticket" in data:
                token = str(data["ticket"])[:64]
                row = reader.ticket_by_token(token)
                if row is None:
                    return _error("unknown_ticket", ticket=token)
                snapshot = {
                    "ticket": reader.ticket_payload(row, history=True),
                    "centre": {"name": reader.centre.name},
                }
                join_room(rooms.ticket(centre, token))
                join_room(rooms.phones(centre))  # `queue` events: "people ahead" changes
                kind = {"ticket": token}
            else:
                display = data.get("display", "lobby")
                if display not in ("lobby", "kiosk"):
                    return _error("bad_request", detail="display must be lobby or kiosk")
                snapshot = reader.snapshot()
                join_room(rooms.lobby(centre) if display == "lobby" else rooms.kiosks(centre))
                kind = {"display": display}
    except DomainError as error:
        return _error(error.code, **error.params)
    snapshot["subscription"] = kind
    from kiosk.devices_runtime import all_device_status

    snapshot["devices"] = all_device_status(hub)
    emit("snapshot", snapshot, to=request.sid)
    _track_device(data)
    return {"ok": True}


def _track_device(data: dict) -> None:
    """A paired kiosk or screen is now online (kiosk/presence.py)."""
    from kiosk.access import current_device
    from kiosk.presence import presence

    explicit = data.get("token") if isinstance(data.get("token"), str) else None
    device = current_device(explicit)
    if device is not None:
        presence(current_app._get_current_object()).joined(request.sid, device.kind, device.name)


@socketio.on("disconnect")
def on_disconnect(*_reason):
    from kiosk.presence import presence

    presence(current_app._get_current_object()).left(request.sid)
