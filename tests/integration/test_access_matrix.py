"""Who may do what: every HTTP route and every Socket.IO event against the
expected-access matrix below, on a real hub that requires paired devices.

A route or event the matrix does not name fails here, so nothing new ships
without a rule.  Levels (kiosk/access.py):
    public      anyone
    device      a paired device of the listed kinds, or logged-in staff
    clerk, supervisor, admin   a logged-in user with at least that role
    agent       a paired device agent of the listed kinds only: staff are refused too

Socket.IO events are listed per namespace: the default one (screens, consoles, phones)
and AGENT_NAMESPACE, where only a device agent's token connects (kiosk/realtime_agent.py).
"""

from __future__ import annotations

import re
import threading

import pytest
import requests
import socketio

from kiosk.rooms import AGENT_NAMESPACE
from tests.support.agents import AGENT
from tests.support.hubs import ADMIN, TEST_CENTRE, LiveHub
from tests.support.routes import routes_and_events

ROLES = {
    "clerk": ("clerk1", "test-clerk-pass"),
    "supervisor": ("super1", "test-super-pass"),
    "admin": ADMIN,
}
# "province": province roles only; no centre role reaches it (tests/integration/test_province.py).
RANK = {"public": 0, "device": 0, "clerk": 1, "supervisor": 2, "admin": 3, "province": 4}


def _allowed(who: str, level: str, kinds: tuple[str, ...]) -> bool:
    """What the matrix expects for caller `who` ("anonymous", "device:KIND" or a role)."""
    if level == "public":
        return True
    if who.startswith("device:"):
        return level in ("device", "agent") and who.split(":", 1)[1] in kinds
    if who == "anonymous" or level == "agent":
        return False
    return RANK[who] >= RANK[level]


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
    # recorded and synthesised words, and which clips the kiosk reads aloud: nothing
    # about anyone, fetched by <audio> elements that carry no device token
    "voice.recorded_clip": ("public", ()),
    "voice.recorded_manifest": ("public", ()),
    "voice.synthesised_clip": ("public", ()),
    "voice.kiosk_voices": ("public", ()),
    "api.openapi_document": ("public", ()),
    "api.auth_token": ("public", ()),
    "api.list_services": ("device", ("kiosk", "display", "counter_screen")),
    "api.queue_snapshot": ("device", ("kiosk", "display", "counter_screen")),
    "api.issue_ticket": ("device", ("kiosk",)),
    "api.kiosk_scan": ("device", ("kiosk",)),
    # The proof is in the request: the ticket's token or the counter's screen (test_rating_rules).
    "api.rate_ticket": ("public", ()),
    "api.rate_by_token": ("public", ()),
    # Numbers by phone (issue 17): anyone may take one; "I am here" is checked by address
    # (the centre's network) or staff (tests/integration/test_remote.py).
    "pages.remote_numbers": ("public", ()),
    "api.take_remote_ticket": ("public", ()),
    "api.check_in": ("public", ()),
    # a clerk types the number the citizen's phone shows (a counter without a scanner)
    "api.counter_check_in": ("clerk", ()),
    "admin.remote_settings": ("admin", ()),
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
    "admin.add_device": ("admin", ()),
    "admin.add_group": ("admin", ()),
    "admin.audit_log": ("admin", ()),
    "admin.centre": ("admin", ()),
    "admin.change_device": ("admin", ()),
    "admin.close_day": ("admin", ()),
    "admin.counter": ("admin", ()),
    "admin.counters": ("admin", ()),
    "admin.devices": ("admin", ()),
    "admin.lobby_voice": ("admin", ()),  # a paired lobby TV's own languages
    "admin.display": ("admin", ()),
    "admin.group": ("admin", ()),
    "admin.index": ("admin", ()),
    "admin.priority": ("admin", ()),
    "admin.remove_counter": ("admin", ()),
    "admin.remove_device": ("admin", ()),
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
    "admin.voices": ("admin", ()),
    "admin.voice_create": ("admin", ()),
    "admin.voice_order": ("admin", ()),
    "admin.voice_pictograms": ("admin", ()),
    "admin.voice_import": ("admin", ()),
    "admin.voice_pack": ("admin", ()),
    "admin.voice_clip": ("admin", ()),
    "admin.voice_export": ("admin", ()),
    "admin.voice_delete": ("admin", ()),
    "api.reports_summary": ("supervisor", ()),
    "api.reports_summary_csv": ("supervisor", ()),
    "api.reports_summary_xlsx": ("supervisor", ()),
    "pages.reports_page": ("supervisor", ()),
    "pages.supervisor_page": ("supervisor", ()),
    "pages.province_page": ("province", ()),
    "api.province_overview": ("province", ()),
    "api.province_reports_json": ("province", ()),
    "api.province_reports_csv": ("province", ()),
    "api.province_reports_xlsx": ("province", ()),
    "pages.province_reports_page": ("province", ()),
    # province admins only (a province supervisor is refused: test_province_centres.py)
    "pages.province_centres": ("province", ()),
    "pages.province_centre_add": ("province", ()),
    "pages.province_centre_rename": ("province", ()),
    "pages.province_centre_host": ("province", ()),
}

# Socket.IO: namespace → event → {payload name: (payload, level, device kinds)}
AGENT_ONLY = ("agent", ("agent",))
EVENTS = {
    "/": {
        "subscribe": {
            "lobby": ({"display": "lobby"}, "device", ("display",)),
            "kiosk": ({"display": "kiosk"}, "device", ("kiosk",)),
            "counter": ({"counter": 2}, "device", ("counter_screen",)),
            "ticket": ({"ticket": "no-such-token"}, "public", ()),
            "supervisor": ({"supervisor": True}, "supervisor", ()),
            "province": ({"province": True}, "province", ()),
        }
    },
    # An agent's token connects here and nothing else does, logged-in staff included.
    AGENT_NAMESPACE: {
        "hello": {"hello": ({}, *AGENT_ONLY)},
        "jobs": {"jobs": ({}, *AGENT_ONLY)},
        "printed": {"unknown job": ({"job": 999999}, *AGENT_ONLY)},
        "failed": {"unknown job": ({"job": 999999, "error": "paper out"}, *AGENT_ONLY)},
        "status": {
            "unknown printer": (
                {"kind": "printer", "name": "nope", "status": {"state": "online"}},
                *AGENT_ONLY,
            )
        },
        "scan": {"unknown scanner": ({"scanner": "nope", "code": "A001"}, *AGENT_ONLY)},
    },
}
# What a refused caller is told (an agent namespace refuses at connect, with the reason).
DENIED = ("device_not_paired", "login_required", "forbidden", "device_revoked", "unknown_agent")


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
    tmp = tmp_path_factory.mktemp("matrix")
    text = TEST_CENTRE.read_text(encoding="utf-8").replace(
        "[centre]\n", "[centre]\nrequire_device_tokens = true\n", 1
    )
    text += f'\n[[agents]]\nname = "{AGENT}"\n'  # its token may connect to AGENT_NAMESPACE
    config = tmp / "locked.toml"
    config.write_text(text, encoding="utf-8")
    hub = LiveHub(tmp, config=config).start()
    yield hub
    hub.stop()


@pytest.fixture(scope="module")
def people(locked_hub):
    sessions = {"anonymous": requests.Session()}
    for role, (username, password) in ROLES.items():
        sessions[role] = _login(locked_hub, username, password)
    devices = {}
    paired_devices = (
        ("kiosk", "kiosk-1"),
        ("display", "lobby"),
        ("counter_screen", "2"),
        ("agent", AGENT),
    )
    for kind, name in paired_devices:
        paired = sessions["admin"].post(
            f"{locked_hub.url}/api/v1/devices/tokens", json={"kind": kind, "name": name}, timeout=10
        )
        assert paired.status_code == 201, paired.text
        device = requests.Session()
        device.headers["X-Device-Token"] = paired.json()["token"]
        devices[kind] = device
    return sessions, devices


def test_every_route_and_event_has_a_rule(locked_hub):
    routes, events = routes_and_events(locked_hub.app)
    missing = sorted({endpoint for endpoint, _, _ in routes} - MATRIX.keys())
    assert not missing, f"add these endpoints to MATRIX with their access level: {missing}"
    stale = sorted(MATRIX.keys() - {endpoint for endpoint, _, _ in routes})
    assert not stale, f"MATRIX names endpoints that no longer exist: {stale}"
    listed = {namespace: sorted(cases) for namespace, cases in EVENTS.items()}
    assert listed == events, "add new Socket.IO events to EVENTS, under their namespace"


def test_each_route_answers_each_role_as_the_matrix_says(locked_hub, people):
    sessions, devices = people
    routes, _ = routes_and_events(locked_hub.app)
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
            allowed = _allowed(who, level, kinds)
            kwargs = {"json": {}} if method == "POST" else {}
            response = session.request(method, url, allow_redirects=False, timeout=10, **kwargs)
            assert response.status_code < 500, f"{method} {path} as {who}: {response.text[:300]}"
            if allowed == _denied(response):
                wrong.append(f"{method} {path} as {who}: {response.status_code} (level {level})")
    assert not wrong, "\n".join(wrong)


def test_a_clerk_works_only_at_their_own_counter(locked_hub, people):
    sessions, _ = people
    clerk = sessions["clerk"]
    for action in ("next", "recall", "pause", "resume", "finish", "check-in"):
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


def _connect(url: str, namespace: str, headers: dict, auth: dict | None):
    """A Socket.IO client connected to `namespace`, or the reason it was refused."""
    client = socketio.Client(reconnection=False)
    refusals = []
    client.on("connect_error", refusals.append, namespace=namespace)
    try:
        client.connect(
            url,
            namespaces=[namespace],
            transports=["websocket"],
            headers=headers,
            auth=auth,
            wait_timeout=10,
        )
    except socketio.exceptions.ConnectionError:
        detail = refusals[0] if refusals else {}
        return client, (detail.get("data") or detail if isinstance(detail, dict) else {})
    return client, None


def test_each_socket_event_answers_as_the_matrix_says(locked_hub, people):
    sessions, devices = people
    callers = {"anonymous": ({}, None)}
    for kind, session in devices.items():
        token = session.headers["X-Device-Token"]
        # a screen sends its token as a header, an agent in the connect's auth
        callers[f"device:{kind}"] = ({"X-Device-Token": token}, {"token": token})
    for role in ROLES:
        cookies = sessions[role].cookies.items()
        callers[role] = ({"Cookie": "; ".join(f"{k}={v}" for k, v in cookies)}, None)
    # One connection per caller and namespace, closed together at the end: a websocket
    # close takes ~2 s.
    clients, refused = [], {}
    connections = {}
    for namespace in EVENTS:
        for who, (headers, auth) in callers.items():
            client, refusal = _connect(locked_hub.url, namespace, headers, auth)
            clients.append(client)
            connections[namespace, who] = client
            if refusal is not None:
                refused[namespace, who] = refusal
    wrong = []
    for namespace, events in EVENTS.items():
        for event, cases in events.items():
            for name, (payload, level, kinds) in cases.items():
                for who in callers:
                    allowed = _allowed(who, level, kinds)
                    if (namespace, who) in refused:
                        answer = refused[namespace, who]  # refused at connect: every event
                    else:
                        answer = connections[namespace, who].call(
                            event, payload, namespace=namespace, timeout=10
                        )
                    denied = answer.get("error") in DENIED
                    if allowed == denied:
                        wrong.append(f"{namespace} {event} {name} as {who}: {answer}")
    closing = [threading.Thread(target=c.disconnect) for c in clients]
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
