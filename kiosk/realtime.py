"""Socket.IO: `subscribe` joins rooms and answers with a full `snapshot`;
use cases publish through `kiosk.runtime.publisher.SocketIOPublisher` after
their commit.

A subscription is for one centre (its rooms carry the centre's id): `centre: CODE`
in the payload, else (a ticket) the ticket's own centre, else the centre of the
socket's address (kiosk/runtime: current_centre: the /c/{code} prefix it connected
through, the centre it subscribed to before, its host name, the default centre).
A login or paired device of another centre is nobody there.

Clients send `subscribe` again on every reconnect, so a screen that lost the
network is exactly right again as soon as it is back.
"""

from __future__ import annotations

from flask import current_app, request
from flask_socketio import emit, join_room
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from kiosk import rooms
from kiosk.core.errors import DomainError
from kiosk.extensions import socketio
from kiosk.messages import message
from kiosk.payloads import MAX_DEPTH, Refused, subscription_problem
from kiosk.runtime import (
    SOCKET_CENTRE_KEY,
    centre_named,
    current_centre,
    current_hub,
    ticket_centre,
    use_centre,
)
from kiosk.runtime.device_health import all_device_status
from kiosk.usecases import lobby_voices
from kiosk.usecases.read_models import QueueReader, public_devices

# The database did not answer: a pool timeout is not a DBAPIError, so it is named too.
DATABASE_ERRORS = (OperationalError, DBAPIError, PoolTimeout)


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


def _province() -> dict:
    """`subscribe {province: true}`: a province role joins the province room (one small
    `province` event per change at any centre: kiosk/runtime/province_feed.py) and is
    sent a `snapshot` {centres: [...]} of every centre (GET /api/v1/province/overview)."""
    from kiosk.auth import PROVINCE_ROLES, Unauthorized, current_actor
    from kiosk.runtime import province_feed

    try:
        actor = current_actor()
    except Unauthorized:
        actor = None
    if actor is None:
        return _error("login_required")
    if actor.role not in PROVINCE_ROLES:
        return _error("forbidden")
    payload = province_feed.overview()
    join_room(rooms.province())
    payload["subscription"] = {"province": True}
    emit("snapshot", payload, to=request.sid)
    return {"ok": True}


def _paired(data: dict, kind: str):
    """The paired device of `kind` asking (token in the payload, or the pairing cookie)."""
    from kiosk.access import current_device

    explicit = data.get("token") if isinstance(data.get("token"), str) else None
    device = current_device(explicit)
    return device if device is not None and device.kind == kind else None


def _screen_of(data: dict, number: int) -> bool:
    """True when the screen paired to this very counter asks."""
    device = _paired(data, "counter_screen")
    return device is not None and device.name == str(number)


@socketio.on("subscribe")
def on_subscribe(data=None, *_more):  # no argument, or extra ones: answered, not a TypeError
    """{display: "lobby"|"kiosk"} | {counter: N} | {ticket: TOKEN} | {supervisor: true}
    | {province: true},
    each with an optional `centre: CODE` → rooms + snapshot; the answer (ack) says
    whether it worked.

    Subscribes are built a few at a time (kiosk/runtime/admission.py): when every
    screen reconnects at once they wait at the gate, not on the pool.  When the database
    cannot answer (restarting, every pooled connection busy) the answer is
    `database_unavailable`; the screen keeps its offline mark and asks again
    (static/js/hub.js).  Rooms are joined only after the
    snapshot was read, so a failed subscribe leaves the client where it was."""
    sid, namespace = request.sid, request.namespace or "/"
    try:
        answer = current_hub().subscribe_gate.run(
            sid,
            lambda: _subscribe(data),
            lambda: socketio.server.manager.is_connected(sid, namespace),
        )
    except DATABASE_ERRORS as error:
        current_app.logger.warning("subscribe: database unavailable: %s", error)
        return _error("database_unavailable")
    except (KeyError, ValueError):
        # join_room raises these when the screen hung up while its snapshot was read
        # (a reload, a closed tab): nobody is left to answer, so it is not an error.
        if socketio.server.manager.is_connected(sid, namespace):
            raise
        return None
    # None: the screen asked again while this one waited at the gate (its answer had
    # timed out), and the newer subscribe brings the snapshot.
    return answer if answer is not None else {"ok": True, "superseded": True}


def _subscribe(data):
    if isinstance(data, Refused):  # too deep or not JSON (kiosk/payloads.py)
        return _error(data.reason, max=MAX_DEPTH)
    if not isinstance(data, dict):
        return _error("bad_request", detail="subscribe takes an object")
    if (problem := subscription_problem(data)) is not None:
        return _error("bad_request", detail=problem)
    try:
        centre = _centre_of(data)
    except DomainError as error:  # unknown_centre
        return _error(error.code, **error.params)
    if "province" in data:  # province roles only: every centre's overview
        return _province()
    if "supervisor" in data:  # staff only: checked by role, not by device pairing
        from kiosk import supervision

        answer = supervision.subscribe()
        return answer if answer["ok"] else _error(answer["error"])
    if not _may_watch(data):
        return _error("device_not_paired")
    served, centre = centre, centre.centre_id
    staff_view = False
    own_voice = None  # a paired lobby TV's languages (`lobby_voice`)
    # Who asks is known before the snapshot's transaction opens: a login or a device
    # token is read on a connection of its own, which it then need not wait for while
    # holding this one.
    clerk = paired = None
    if "counter" in data:
        number = data["counter"]
        if isinstance(number, bool) or not isinstance(number, int):
            return _error("bad_request", detail="counter must be a number")
        if not 0 < number < 2**31:  # beyond what the database stores: no such counter
            return _error("unknown_counter", counter=number)
        # One audience's rooms only (kiosk/rooms.py): each change arrives once.
        clerk = _staff_at(number)
        audience = "staff" if clerk else "screen" if _screen_of(data, number) else "public"
    elif "ticket" not in data:
        display = data.get("display", "lobby")
        if display not in ("lobby", "kiosk"):
            return _error("bad_request", detail="display must be lobby or kiosk")
        paired = _paired(data, "kiosk" if display == "kiosk" else "display")
    try:
        with served.ctx.store.read() as session:
            reader = QueueReader(served.ctx, session)
            if "counter" in data:
                snapshot = reader.counter_snapshot(number, audience)
                if clerk is not None:
                    staff_view = True
                    join_room(rooms.counter_staff(centre, number))
                    join_room(rooms.staff(centre))
                    join_room(rooms.user(centre, clerk.id))  # told if this login ends
                elif audience == "screen":
                    join_room(rooms.counter_screen(centre, number))
                else:
                    join_room(rooms.counter(centre, number))
                kind = {"counter": number}
            elif "ticket" in data:
                token = str(data["ticket"])[:64]
                row = reader.ticket_by_token(token)
                if row is None:
                    return _error("unknown_ticket", ticket=token)
                snapshot = reader.holder_snapshot(row)
                join_room(rooms.ticket(centre, token))
                join_room(rooms.phones(centre))  # `queue` events: "people ahead" changes
                kind = {"ticket": token}
            else:
                snapshot = reader.public_snapshot()
                join_room(rooms.lobby(centre) if display == "lobby" else rooms.kiosks(centre))
                if display == "kiosk" and paired is not None:
                    join_room(rooms.kiosk(centre, paired.name))  # its scans' tickets, with token
                if display == "lobby" and paired is not None:
                    # its own languages (kiosk/usecases/lobby_voices.py), now and on change
                    own_voice = lobby_voices.state(session, served.ctx, paired.name)
                    join_room(rooms.lobby_tv(centre, paired.name))
                kind = {"display": display}
            devices = all_device_status(served, session)
    except DomainError as error:
        return _error(error.code, **error.params)
    snapshot["subscription"] = kind
    snapshot["devices"] = devices if staff_view else public_devices(devices)
    emit("snapshot", snapshot, to=request.sid)
    if own_voice is not None:
        emit(lobby_voices.EVENT, own_voice, to=request.sid)
    _track_device(data, served)
    return {"ok": True}


def _centre_of(data: dict):
    """The centre this subscription is for (see the module doc); a named one is also the
    centre of this socket's later events."""
    if "centre" in data:
        centre = centre_named(data["centre"])  # unknown_centre
        request.environ[SOCKET_CENTRE_KEY] = centre.code
        return use_centre(centre)
    if "ticket" in data and isinstance(data["ticket"], str):
        return use_centre(ticket_centre(data["ticket"][:64]))  # as /t/{token}
    return current_centre()


def _track_device(data: dict, centre) -> None:
    """A paired kiosk or screen is now online (kiosk/runtime/presence.py)."""
    from kiosk.access import current_device

    explicit = data.get("token") if isinstance(data.get("token"), str) else None
    device = current_device(explicit)
    if device is not None:
        current_hub().presence.joined(request.sid, device.kind, device.name, centre)


@socketio.on("disconnect")
def on_disconnect(*_reason):
    hub = current_hub()
    hub.subscribe_gate.forget(request.sid)
    hub.presence.left(request.sid)
