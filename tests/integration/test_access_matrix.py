"""Who may do what: every HTTP route and every Socket.IO event against the
expected-access matrix below, on a real hub that requires paired devices.

A route or event the matrix does not name fails here, so nothing new ships
without a rule.  Levels (kiosk/access.py):
    public      anyone
    device      a paired device of the listed kinds, or logged-in staff
    clerk, supervisor, admin   a logged-in user with at least that role
"""

from __future__ import annotations

import re
import threading

import pytest
import requests
import socketio

from tests.conftest import ADMIN, TEST_CENTRE

ROLES = {
    "clerk": ("clerk1", "test-clerk-pass"),
    "supervisor": ("super1", "test-super-pass"),
    "admin": ADMIN,
}
RANK = {"public": 0, "device": 0, "clerk": 1, "supervisor": 2, "admin": 3}

# endpoint → (level, device kinds allowed when level is "device")
MATRIX: dict[str, tuple[str, tuple[str, ...]]] = {
    "static": ("public", ()),
    "healthz": ("public", ()),
    "pages.index": ("public", ()),
    "pages.login": ("public", ()),
    "pages.logout": ("public", ()),
    "pages.pair_device": ("public", ()),
    "pages.ticket_status": ("public", ()),  # the token in the URL is the key
    "pages.ticket_qr": ("public", ()),
    "pages.kiosk": ("device", ("kiosk",)),
    "pages.counter": ("clerk", ()),
    "display.lobby": ("device", ("display",)),
    "display.counter_screen": ("device", ("counter_screen",)),
    "voice.clip": ("public", ()),  # recorded words, nothing about anyone
    "voice.manifest": ("public", ()),
    "voice.unknown": ("public", ()),
    "api.openapi_document": ("public", ()),
    "api.auth_token": ("public", ()),
    "api.list_services": ("device", ("kiosk", "display", "counter_screen")),
    "api.queue_snapshot": ("device", ("kiosk", "display", "counter_screen")),
    "api.issue_ticket": ("device", ("kiosk",)),
    "api.kiosk_scan": ("device", ("kiosk",)),
    "api.rate_ticket": ("device", ("counter_screen",)),
    "api.get_ticket": ("clerk", ()),
    "api.cancel_ticket": ("clerk", ()),
    "api.reprint_ticket": ("supervisor", ()),
    "api.counter_next": ("clerk", ()),
    "api.counter_call": ("clerk", ()),
    "api.counter_action": ("clerk", ()),
    "api.counter_pause": ("clerk", ()),
    "api.counter_resume": ("clerk", ()),
    "api.counter_transfer": ("clerk", ()),
    "api.counter_scan": ("clerk", ()),
    "api.book_appointments": ("supervisor", ()),
    "api.list_appointments": ("supervisor", ()),
    "api.import_appointments": ("supervisor", ()),
    "api.list_device_tokens": ("admin", ()),
    "api.pair_device": ("admin", ()),
    "api.revoke_device_token": ("admin", ()),
    "admin.add_group": ("admin", ()),
    "admin.audit_log": ("admin", ()),
    "admin.centre": ("admin", ()),
    "admin.close_day": ("admin", ()),
    "admin.counter": ("admin", ()),
    "admin.counters": ("admin", ()),
    "admin.devices": ("admin", ()),
    "admin.display": ("admin", ()),
    "admin.group": ("admin", ()),
    "admin.index": ("admin", ()),
    "admin.priority": ("admin", ()),
    "admin.remove_counter": ("admin", ()),
    "admin.remove_group": ("admin", ()),
    "admin.reset_password": ("admin", ()),
    "admin.save_policy": ("admin", ()),
    "admin.service": ("admin", ()),
    "admin.services": ("admin", ()),
    "admin.set_active": ("admin", ()),
    "admin.test_print": ("admin", ()),
    "admin.user": ("admin", ()),
    "admin.users": ("admin", ()),
    "admin.appointments": ("supervisor", ()),
    "admin.pair_device": ("admin", ()),
    "admin.revoke_device": ("admin", ()),
    "admin.require_devices": ("admin", ()),
    "api.reports_summary": ("supervisor", ()),
    "api.reports_summary_csv": ("supervisor", ()),
    "api.reports_summary_xlsx": ("supervisor", ()),
    "pages.reports_page": ("supervisor", ()),
    "pages.supervisor_page": ("supervisor", ()),
}

# Socket.IO: event → {payload name: (payload, level, device kinds)}
EVENTS = {
    "subscribe": {
        "lobby": ({"display": "lobby"}, "device", ("display",)),
        "kiosk": ({"display": "kiosk"}, "device", ("kiosk",)),
        "counter": ({"counter": 2}, "device", ("counter_screen",)),
        "ticket": ({"ticket": "no-such-token"}, "public", ()),
        "supervisor": ({"supervisor": True}, "supervisor", ()),
    }
}

# clerk1 works counter 1; a token id that does not exist, so the walk revokes nobody.
SAMPLE = {
    "number": "1",
    "ticket_id": "1",
    "token_id": "999999",
    "name": "kiosk-1",
    "token": "no-such-token",
    "pack": "vi",
    "clip": "x",
}


def _sample_path(rule) -> str:
    def fill(match):
        converter, name = match.group(1) or "", match.group(2)
        if converter.startswith("any("):
            return converter[4:].split(",")[0].strip(" '\")")
        if converter == "int":
            return SAMPLE.get(name, "999999")
        if converter == "path":
            return "css/hub.css" if name == "filename" else "x"
        return SAMPLE.get(name, "x")

    return re.sub(r"<(?:([^:>]+(?:\([^)]*\))?):)?(\w+)>", fill, rule.rule)


def _routes(hub):
    from kiosk.app import create_app
    from kiosk.config import Config

    app = create_app(
        Config.from_env(
            instance_path=hub.tmp / "matrix-instance",
            database_url=f"sqlite:///{hub.tmp / 'matrix.db'}",
            centre_file=str(TEST_CENTRE),
            secret_key="x",
        )
    )
    from kiosk.extensions import socketio as server

    # Flask-SocketIO keeps handlers declared before init_app in its own list, later ones on the server.
    declared = {message for message, _, _ in server.handlers}
    if server.server:
        declared |= set(server.server.handlers.get("/", {}))
    events = sorted(declared - {"connect", "disconnect"})
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, _sample_path(rule)))
    return routes, events


def _login(hub, username: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{hub.url}/login", timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = session.post(
        f"{hub.url}/login",
        data={"username": username, "password": password, "csrf_token": csrf},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, f"{username} could not log in"
    session.headers["X-CSRFToken"] = csrf
    return session


def _denied(response: requests.Response) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


@pytest.fixture(scope="module")
def locked_hub(tmp_path_factory):
    """A centre that requires paired kiosks and screens."""
    from tests.conftest import HubProcess

    tmp = tmp_path_factory.mktemp("matrix")
    text = TEST_CENTRE.read_text(encoding="utf-8").replace(
        "[centre]\n", "[centre]\nrequire_device_tokens = true\n", 1
    )
    config = tmp / "locked.toml"
    config.write_text(text, encoding="utf-8")
    hub = HubProcess(tmp, config=config).start()
    yield hub
    hub.stop()


@pytest.fixture(scope="module")
def people(locked_hub):
    sessions = {"anonymous": requests.Session()}
    for role, (username, password) in ROLES.items():
        sessions[role] = _login(locked_hub, username, password)
    devices = {}
    for kind, name in (("kiosk", "kiosk-1"), ("display", "lobby"), ("counter_screen", "2")):
        paired = sessions["admin"].post(
            f"{locked_hub.url}/api/v1/devices/tokens", json={"kind": kind, "name": name}, timeout=10
        )
        assert paired.status_code == 201, paired.text
        device = requests.Session()
        device.headers["X-Device-Token"] = paired.json()["token"]
        devices[kind] = device
    return sessions, devices


def test_every_route_and_event_has_a_rule(locked_hub):
    routes, events = _routes(locked_hub)
    missing = sorted({endpoint for endpoint, _, _ in routes} - MATRIX.keys())
    assert not missing, f"add these endpoints to MATRIX with their access level: {missing}"
    stale = sorted(MATRIX.keys() - {endpoint for endpoint, _, _ in routes})
    assert not stale, f"MATRIX names endpoints that no longer exist: {stale}"
    assert sorted(EVENTS) == events, "add new Socket.IO events to EVENTS"


def test_each_route_answers_each_role_as_the_matrix_says(locked_hub, people):
    sessions, devices = people
    routes, _ = _routes(locked_hub)
    wrong = []
    # Logging out would end the sessions the rest of the walk uses: it goes last.
    routes.sort(key=lambda r: r[0] == "pages.logout")
    for endpoint, method, path in routes:
        if endpoint not in MATRIX:
            continue  # reported by test_every_route_and_event_has_a_rule
        level, kinds = MATRIX[endpoint]
        url = f"{locked_hub.url}{path}"
        callers = dict(sessions) | {f"device:{k}": s for k, s in devices.items()}
        if endpoint == "pages.logout":
            callers = {"anonymous": sessions["anonymous"]}
        for who, session in callers.items():
            if endpoint == "pages.login" and method == "POST":
                continue  # 401 there means "wrong password", not "not allowed"
            if level == "public":
                allowed = True
            elif who.startswith("device:"):
                allowed = level == "device" and who.split(":", 1)[1] in kinds
            elif who == "anonymous":
                allowed = False
            else:
                allowed = RANK[who] >= RANK[level]
            kwargs = {"json": {}} if method == "POST" else {}
            response = session.request(method, url, allow_redirects=False, timeout=10, **kwargs)
            assert response.status_code < 500, f"{method} {path} as {who}: {response.text[:300]}"
            if allowed == _denied(response):
                wrong.append(f"{method} {path} as {who}: {response.status_code} (level {level})")
    assert not wrong, "\n".join(wrong)


def test_a_clerk_works_only_at_their_own_counter(locked_hub, people):
    sessions, _ = people
    clerk = sessions["clerk"]
    for action in ("next", "recall", "pause", "resume", "finish"):
        response = clerk.post(f"{locked_hub.url}/api/v1/counters/2/{action}", json={}, timeout=10)
        assert response.status_code == 403, action
        assert response.json()["error"] == "forbidden"
    supervisor = sessions["supervisor"]
    assert supervisor.post(f"{locked_hub.url}/api/v1/counters/2/pause", json={}, timeout=10).ok
    assert supervisor.post(f"{locked_hub.url}/api/v1/counters/2/resume", json={}, timeout=10).ok


def test_a_clerk_cancels_only_their_counters_tickets_and_every_cancel_is_audited(
    locked_hub, people
):
    sessions, devices = people
    url = locked_hub.url

    def take(service: str) -> dict:
        issued = devices["kiosk"].post(f"{url}/api/v1/tickets", json={"service": service})
        assert issued.status_code == 201, issued.text
        return issued.json()

    pickup, land = take("TKQ"), take("DD")  # counter 1 serves HT and DD, not TKQ
    clerk, supervisor = sessions["clerk"], sessions["supervisor"]
    refused = clerk.post(f"{url}/api/v1/tickets/{pickup['id']}/cancel", json={}, timeout=10)
    assert refused.status_code == 403 and refused.json()["error"] == "not_this_counter"
    mine = clerk.post(
        f"{url}/api/v1/tickets/{land['id']}/cancel", json={"reason": "Khách về"}, timeout=10
    )
    assert mine.status_code == 200 and mine.json()["status"] == "cancelled"
    anyone = supervisor.post(f"{url}/api/v1/tickets/{pickup['id']}/cancel", json={}, timeout=10)
    assert anyone.status_code == 200 and anyone.json()["status"] == "cancelled"

    page = sessions["admin"].get(f"{url}/admin/audit", params={"lang": "en"}, timeout=10).text
    rows = re.findall(r'<tr data-action="ticket.cancel">(.*?)</tr>', page, re.S)
    assert len(rows) == 2  # the refused cancel changed nothing and left no row
    assert "super1" in rows[0] and pickup["number"] in rows[0]
    assert "clerk1" in rows[1] and land["number"] in rows[1] and "Khách về" in rows[1]
    assert "Ticket cancelled" in rows[0]


def _subscribe(url: str, payload: dict, headers: dict | None = None) -> dict:
    client = socketio.Client(reconnection=False)
    client.connect(url, transports=["websocket"], headers=headers or {}, wait_timeout=10)
    try:
        return client.call("subscribe", payload, timeout=10)
    finally:
        client.disconnect()


def test_each_socket_event_answers_as_the_matrix_says(locked_hub, people):
    sessions, devices = people
    callers = {"anonymous": {}}
    callers |= {
        f"device:{k}": {"X-Device-Token": s.headers["X-Device-Token"]} for k, s in devices.items()
    }
    for role in ROLES:
        cookies = sessions[role].cookies.items()
        callers[role] = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies)}
    # One connection per caller, closed together at the end: a websocket close takes ~2 s.
    clients = {}
    for who, headers in callers.items():
        client = socketio.Client(reconnection=False)
        client.connect(locked_hub.url, transports=["websocket"], headers=headers, wait_timeout=10)
        clients[who] = client
    wrong = []
    for event, cases in EVENTS.items():
        assert event == "subscribe"
        for name, (payload, level, kinds) in cases.items():
            for who in callers:
                if level == "public":
                    allowed = True
                elif who.startswith("device:"):
                    allowed = level == "device" and who.split(":", 1)[1] in kinds
                elif who == "anonymous":
                    allowed = False
                else:
                    allowed = RANK[who] >= RANK[level]
                answer = clients[who].call(event, payload, timeout=10)
                denied = answer.get("error") in ("device_not_paired", "login_required", "forbidden")
                if allowed == denied:
                    wrong.append(f"{event} {name} as {who}: {answer}")
    closing = [threading.Thread(target=c.disconnect) for c in clients.values()]
    for thread in closing:
        thread.start()
    for thread in closing:
        thread.join(timeout=10)
    assert not wrong, "\n".join(wrong)


def test_token_in_subscribe_payload_and_revocation(locked_hub, people):
    sessions, _ = people
    admin = sessions["admin"]
    paired = admin.post(
        f"{locked_hub.url}/api/v1/devices/tokens",
        json={"kind": "display", "name": "tv-2"},
        timeout=10,
    ).json()
    payload = {"display": "lobby", "token": paired["token"]}
    assert _subscribe(locked_hub.url, payload) == {"ok": True}
    listed = admin.get(f"{locked_hub.url}/api/v1/devices/tokens", timeout=10).json()
    mine = next(t for t in listed if t["id"] == paired["id"])
    assert mine["last_seen_at"] is not None and "token" not in mine
    revoked = admin.post(
        f"{locked_hub.url}/api/v1/devices/tokens/{paired['id']}/revoke", timeout=10
    )
    assert revoked.json()["revoked"] is True
    assert _subscribe(locked_hub.url, payload)["error"] == "device_not_paired"


def test_pairing_link_sets_the_cookie_and_opens_the_device_page(locked_hub, people):
    sessions, _ = people
    paired = (
        sessions["admin"]
        .post(
            f"{locked_hub.url}/api/v1/devices/tokens",
            json={"kind": "kiosk", "name": "kiosk-1"},
            timeout=10,
        )
        .json()
    )
    browser = requests.Session()
    assert browser.get(f"{locked_hub.url}/kiosk/kiosk-1", timeout=10).status_code == 401
    landed = browser.get(f"{locked_hub.url}{paired['pair_path']}", timeout=10)
    assert landed.status_code == 200 and landed.url.endswith("/kiosk/kiosk-1")
    issued = browser.post(f"{locked_hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
    assert issued.status_code == 201
    bad = requests.get(f"{locked_hub.url}/pair/not-a-token", timeout=10)
    assert bad.status_code == 404 and "không hợp lệ" in bad.text
    not_paired = requests.post(
        f"{locked_hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10
    )
    assert not_paired.status_code == 401 and not_paired.json()["error"] == "device_not_paired"
    assert "chưa được ghép nối" in not_paired.json()["message"]
