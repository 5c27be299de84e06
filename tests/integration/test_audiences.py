"""What each audience may see (docs/architecture.md): a scripted day, with every
event each audience receives and every public API answer walked key by key.

A key path outside an audience's list fails the test, so a field added to a read
model reaches no public screen until someone decides it may.  On top, the issue's
"done means": a stranger subscribed to every public room and polling every public
API receives no token but its own, no dossier code, no note, no name, no device path.
"""

from __future__ import annotations

import json

from kiosk.usecases import admin_centre
from tests.conftest import ADMIN

NOTE = "CCCD 001099012345, SĐT 0912345678"
RECEIPT = "000.00.19.H34-241123-0001"
CLERK_NAME = "Nguyễn Văn An"  # clerk1, counter 1

# Containers whose keys are data (field codes, device ids, languages), not field names.
MAPS = {
    "waiting",
    "longest_wait_s",
    "unavailable",
    "devices",
    "announce.audio",
    "announce.also",
    "announce.names",
}


def paths(value, prefix: str = ""):
    """Every key path in a payload: "counters[].current.number"; map keys become "*"."""
    if isinstance(value, dict):
        for key, item in value.items():
            name = "*" if prefix in MAPS else key
            path = f"{prefix}.{name}" if prefix else name
            yield path
            yield from paths(item, path)
    elif isinstance(value, list):
        for item in value:
            yield from paths(item, f"{prefix}[]")


def under(prefix: str, keys) -> set[str]:
    """`prefix` and its keys: under("services[]", ("code",)) → services, services[].code."""
    return {prefix.removesuffix("[]")} | {f"{prefix}.{k}" for k in keys}


PUBLIC_TICKET = {
    "id",
    "number",
    "service",
    "service_name",
    "service_name_en",
    "status",
    "issued_at",
    "called_at",
    "appointment_at",
    "counter",
    "counter_name",
    "counter_name_en",
    "people_ahead",
    "position",
    "estimated_wait_s",
}
HOLDER_TICKET = PUBLIC_TICKET | {"priority", "token", "status_url"}
HISTORY = under("history", ()) | {"history[].kind", "history[].at", "history[].counter"}
PRINT = under("print", ("printer", "job", "state", "printer_ok"))
CURRENT = under("current", ("id", "number", "service", "status", "called_at", "started_at"))
PUBLIC_COUNTER = {"number", "name", "name_en", "state", "pause_reason", "services"} | CURRENT
SERVICE = {
    "code",
    "name",
    "name_en",
    "prefix",
    "waiting",
    "longest_wait_s",
    "available",
    "unavailable_reason",
    "reopens_at",
    "target_wait_s",
    "counters_open",
    "estimated_wait_s",
}
CENTRE = {"name", "timezone", "ticker", "voice", "repeat", "languages"}
COUNTS = {"waiting", "waiting.*", "longest_wait_s", "longest_wait_s.*"}
QUEUE = COUNTS | {"unavailable", "unavailable.*", "at"}
CALL = {
    "id",
    "number",
    "counter",
    "counter_name",
    "counter_name_en",
    "service",
    "called_at",
    "recall",
}
# the words said, the clips by language (`also`: languages only some lobby TV speaks),
# each language's name (the lobby shows which language is being spoken), and whether it
# is a recall (announced as such)
CALL |= under(
    "announce", ("vi", "en", "audio", "audio.*", "also", "also.*", "names", "names.*", "recall")
)
DEVICE = {"id", "kind", "name", "state"}
TEXTS = ("vi", "en")


def snapshot(counter: set[str] | None = None) -> set[str]:
    allowed = under("centre", CENTRE) | under("services[]", SERVICE) | COUNTS | {"at"}
    allowed |= under("counters[]", PUBLIC_COUNTER)
    allowed |= under(
        "recent_calls[]",
        ("number", "counter", "counter_name", "counter_name_en", "service", "called_at", "recall"),
    )
    allowed |= under(
        "priority_groups[]", ("code", "name", "name_en", "description", "description_en")
    )
    allowed |= under("subscription", ("display", "counter", "ticket"))
    allowed |= {"devices", "devices.*"} | under("devices.*", DEVICE)
    if counter is not None:
        allowed |= under("counter", counter)
    return allowed


LOBBY = {
    "snapshot": snapshot(),
    "settings": CENTRE,
    "queue": QUEUE,
    "call": CALL,
    "counter": PUBLIC_COUNTER,
    "device": DEVICE,
}
KIOSK = LOBBY | {
    "print": {"job", "ticket", "number", "kiosk", "printer", "state"},
    "scan": {"kind", "kiosk", "counter", "error", "offer", "offer.service"}
    | under("ticket", PUBLIC_TICKET)
    | {f"ticket.{p}" for p in PRINT}
    | under("message", TEXTS)
    | under("note", TEXTS),
}
SCREEN_TICKET = PUBLIC_TICKET | {"rating_key"}  # the key lets the screen at that counter rate
COUNTER = {
    "snapshot": snapshot(PUBLIC_COUNTER),
    "settings": CENTRE,
    "call": CALL,
    "counter": PUBLIC_COUNTER,
    "ticket": SCREEN_TICKET,
}
PAIRED_SCREEN = COUNTER | {
    "snapshot": snapshot(PUBLIC_COUNTER | {"clerk"}),
    "counter": PUBLIC_COUNTER | {"clerk"},
}
PHONE = {
    "snapshot": under("ticket", HOLDER_TICKET)
    | {f"ticket.{p}" for p in HISTORY}
    | under("centre", ("name",))
    | under("subscription", ("ticket",))
    | {"devices", "devices.*"}
    | under("devices.*", DEVICE),
    "ticket": HOLDER_TICKET,
    "call": CALL,
    "queue": QUEUE,
}
PAIRED_KIOSK = KIOSK | {
    "scan_ticket": {"kiosk"}
    | under("ticket", HOLDER_TICKET)
    | {f"ticket.{p}" for p in PRINT}
    | under("note", TEXTS)
}


def outside(received: list[dict], allowed: dict[str, set[str]]) -> list[str]:
    wrong = []
    for event in received:
        name, payload = event["name"], event["args"][0]
        if name not in allowed:
            wrong.append(f"event {name} is not for this audience: {payload}")
            continue
        wrong += [f"{name}: {p}" for p in set(paths(payload)) - allowed[name]]
    return sorted(set(wrong))


def test_each_audience_gets_only_its_own_fields_through_a_scripted_day(
    app, client, sio_factory, login, bearer
):
    hub = app.extensions["motcua"]
    admin, clerk = app.test_client(), app.test_client()
    # Logged in twice: the cookie for their pages' sockets, a bearer token for the API.
    for who, user in ((admin, ADMIN), (clerk, ("clerk1", "test-clerk-pass"))):
        assert login(who, *user).status_code == 302
        who.environ_base["HTTP_AUTHORIZATION"] = bearer(*user)["Authorization"]

    def pair(kind: str, name: str) -> str:
        made = admin.post("/api/v1/devices/tokens", json={"kind": kind, "name": name})
        assert made.status_code == 201, made.get_data(as_text=True)
        return made.get_json()["token"]

    screen_token, kiosk_token = pair("counter_screen", "1"), pair("kiosk", "kiosk-1")
    mine = client.post("/api/v1/tickets", json={"service": "HT", "kiosk": "kiosk-1"}).get_json()
    assert mine["token"] and mine["status_url"].endswith(mine["token"])  # the issuer's own

    def watch(subscription: dict, flask_client=None):
        connection = sio_factory(flask_client=flask_client)
        answer = connection.emit("subscribe", subscription, callback=True)
        assert answer == {"ok": True}, (subscription, answer)
        return connection

    # A stranger on one connection: every public room, and a phone of its own ticket.
    stranger = sio_factory()
    public_rooms = [{"display": "lobby"}, {"display": "kiosk"}, {"ticket": mine["token"]}]
    public_rooms += [{"counter": n} for n in range(1, 25)]
    for subscription in public_rooms:
        assert stranger.emit("subscribe", subscription, callback=True) == {"ok": True}
    audiences = {
        "lobby": (watch({"display": "lobby"}), LOBBY),
        "kiosk": (watch({"display": "kiosk"}), KIOSK),
        "unpaired counter screen": (watch({"counter": 1}), COUNTER),
        "paired counter screen": (watch({"counter": 1, "token": screen_token}), PAIRED_SCREEN),
        "paired kiosk": (watch({"display": "kiosk", "token": kiosk_token}), PAIRED_KIOSK),
        "phone": (watch({"ticket": mine["token"]}), PHONE),
    }
    console = watch({"counter": 1}, clerk)
    supervisor = watch({"supervisor": True}, admin)
    polled: list[tuple[str, object]] = []

    def poll():
        for path in ("/api/v1/queue", "/api/v1/services"):
            answer = client.get(path)
            assert answer.status_code == 200
            polled.append((path, answer.get_json()))

    # -- the day ------------------------------------------------------------------------
    poll()
    other = client.post("/api/v1/tickets", json={"service": "HT"}).get_json()
    leaving = client.post("/api/v1/tickets", json={"service": "DD"}).get_json()
    pickup = client.post("/api/v1/kiosks/kiosk-1/scan", json={"code": RECEIPT})
    assert pickup.status_code == 200 and RECEIPT in pickup.get_json()["note"]["vi"]

    def act(action: str, body: dict | None = None):
        answer = clerk.post(f"/api/v1/counters/1/{action}", json=body or {})
        assert answer.status_code in (200, 204), (action, answer.get_data(as_text=True))
        return answer.get_json()

    assert act("next")["number"] == mine["number"]
    act("recall")
    act("start")
    poll()
    act("transfer", {"service": "DD", "note": NOTE})
    scanned = clerk.post("/api/v1/counters/1/scan", json={"code": other["status_url"]})
    assert scanned.status_code == 200 and scanned.get_json()["ticket"]["token"] == other["token"]
    act("start")
    assert act("finish")["status"] == "done"
    cancelled = clerk.post(f"/api/v1/tickets/{leaving['id']}/cancel", json={"reason": NOTE})
    assert cancelled.status_code == 200
    poll()
    called = act("next")
    assert called["number"] == mine["number"] and called["dossier_code"] is None
    assert called["transfer"]["note"] == NOTE  # the clerk's console answer keeps it
    act("start")
    assert act("finish")["status"] == "done"
    act("pause", {"reason": "Nghỉ giải lao"})
    act("resume")
    with app.app_context():
        admin_centre.update_display(
            hub.ctx, None, admin_centre.DisplayValues(ticker="Chào mừng quý khách")
        )
    poll()

    # The paired screen rates with the key its `ticket` event brought; the phone by token.
    received = {name: screen.get_received() for name, (screen, _) in audiences.items()}
    done = [
        e["args"][0]
        for e in received["paired counter screen"]
        if e["name"] == "ticket" and e["args"][0]["status"] == "done"
    ]
    assert [t["number"] for t in done] == [other["number"], mine["number"]]
    rated = client.post(
        f"/api/v1/tickets/{done[0]['id']}/rating", json={"score": 4, "key": done[0]["rating_key"]}
    )
    assert rated.status_code == 201, rated.get_data(as_text=True)
    by_phone = client.post(f"/api/v1/tickets/by-token/{mine['token']}/rating", json={"score": 5})
    assert by_phone.status_code == 201, by_phone.get_data(as_text=True)

    # -- what each audience got ---------------------------------------------------------
    got = {name: {e["name"] for e in events} for name, events in received.items()}
    assert {"snapshot", "call", "counter", "queue"} <= got["lobby"]  # the wall still works
    assert "scan" in got["kiosk"] and "scan_ticket" not in got["kiosk"]
    assert {"call", "counter", "ticket"} <= got["unpaired counter screen"]
    wrong = {}
    for name, (_, allowed) in audiences.items():
        events = received[name] + audiences[name][0].get_received()
        assert events, f"{name} received nothing"
        if problems := outside(events, allowed):
            wrong[name] = problems
    for path, answer in polled:
        allowed = snapshot() if path == "/api/v1/queue" else {f"[].{k}" for k in SERVICE}
        if problems := sorted(set(paths(answer)) - allowed - {"[]"}):
            wrong[f"anonymous GET {path}"] = problems
    assert not wrong, json.dumps(wrong, ensure_ascii=False, indent=1)

    # The stranger: no one else's token, no dossier code, no note, no name, no device path.
    heard = json.dumps(
        [e["args"] for e in stranger.get_received()] + [a for _, a in polled], ensure_ascii=False
    )
    for secret in (other["token"], leaving["token"], RECEIPT, "001099012345", "0912345678"):
        assert secret not in heard
    for secret in (CLERK_NAME, "sim://", "/dev/", "file://", "tcp://"):
        assert secret not in heard
    assert mine["token"] in heard  # its own ticket's room does carry its own token

    # The phone followed its own ticket only; the paired kiosk got the scan's ticket in full.
    phone_numbers = {e["args"][0]["number"] for e in received["phone"] if e["name"] == "ticket"}
    assert phone_numbers == {mine["number"]}
    own = [e["args"][0] for e in received["paired kiosk"] if e["name"] == "scan_ticket"]
    assert len(own) == 1 and own[0]["ticket"]["token"] and RECEIPT in own[0]["note"]["en"]

    # Staff still get everything their pages show: dossier code, transfer note, the clerk.
    staff_heard = json.dumps(
        [e["args"] for e in console.get_received() + supervisor.get_received()],
        ensure_ascii=False,
    )
    for shown in (NOTE, CLERK_NAME):
        assert shown in staff_heard
    queue = admin.get("/api/v1/queue").get_json()
    assert any(c["clerk"] == CLERK_NAME for c in queue["counters"])
    ticket = admin.get(f"/api/v1/tickets/{mine['id']}").get_json()
    assert any(e["data"].get("note") == NOTE for e in ticket["history"])
