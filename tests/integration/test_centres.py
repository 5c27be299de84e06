"""One hub process serving two centres (a province: CONTRACT.md, "Several centres in
one installation"): the test centre (the default, `test-centre`) and `xa-b`, each
reached by its prefix (/c/{code}/…, /api/v1/c/{code}/…) or its host name, with its
own numbers, screens, logins and paired devices.  In this process (the app and
Flask-SocketIO's test client); `motcua centre add` against a running hub process is
the one subprocess test."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time

import pytest
import requests

from kiosk.extensions import socketio
from kiosk.runtime import current_centre
from tests.support.centres import (
    B_ADMIN,
    B_CLERK,
    B_CODE,
    B_HOST,
    add_centre_b,
    centre_b_file,
)
from tests.support.hubs import ADMIN, TEST_CENTRE, copy_template, in_process_app
from tests.support.routes import routes_and_events

A_CODE = "test-centre"
A_CLERK = ("clerk1", "test-clerk-pass")  # counter 1 of the test centre
PROVINCE_ADMIN = ("tinh-admin", "province-admin-pass")  # no centre: every centre
PROVINCE_SUPERVISOR = ("tinh-gs", "province-super-pass")
A = f"/c/{A_CODE}"
B = f"/c/{B_CODE}"


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    """Databases holding the test centre and xa-b (open, or requiring paired devices),
    made once per module: adding a centre hashes its users' passwords."""
    from kiosk.store import Store
    from kiosk.store.seed import add_user

    made = {}

    def template(locked: bool):
        if locked not in made:
            folder = tmp_path_factory.mktemp("two-centres")
            url = f"sqlite:///{folder / 'template.db'}"
            copy_template(url, TEST_CENTRE)
            add_centre_b(url, folder, locked=locked)
            store = Store(url)
            with store.write() as session:
                add_user(session, None, *PROVINCE_ADMIN, "province_admin")
                add_user(session, None, *PROVINCE_SUPERVISOR, "province_supervisor")
            with store.engine.connect() as connection:  # everything in the main file
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            store.dispose()
            made[locked] = folder / "template.db"
        return made[locked]

    return template


@pytest.fixture
def two_centres(tmp_path, templates):
    """two_centres(locked=False) → the app of one hub serving both centres."""
    made = []

    def make(locked: bool = False, env: dict | None = None):
        path = tmp_path / f"two-{len(made)}.db"
        shutil.copyfile(templates(locked), path)
        return in_process_app(tmp_path, f"sqlite:///{path}", TEST_CENTRE, made, env)

    yield make
    for hub in made:
        hub.close()


@pytest.fixture
def app(two_centres):
    return two_centres()


def _bearer(client, prefix: str, user: tuple[str, str], **kwargs) -> dict:
    answer = client.post(
        f"/api/v1{prefix}/auth/token", json={"username": user[0], "password": user[1]}, **kwargs
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def _api(prefix: str, path: str) -> str:
    """/api/v1/c/{code}/… for a /c/{code} prefix; /api/v1/… for none."""
    return f"/api/v1{prefix}{path}"


def _screen(app, client, subscription: dict, headers: dict | None = None):
    screen = socketio.test_client(app, flask_test_client=client, headers=headers)
    answer = screen.emit("subscribe", subscription, callback=True)
    return screen, answer


def _calls(screen) -> list[str]:
    return [m["args"][0]["number"] for m in screen.get_received() if m["name"] == "call"]


# -- one process, two centres --------------------------------------------------------


def test_each_centre_gives_and_calls_its_own_numbers_and_lobbies_stay_apart(app):
    client = app.test_client()
    lobby_a, ok_a = _screen(app, client, {"display": "lobby", "centre": A_CODE})
    lobby_b, ok_b = _screen(app, client, {"display": "lobby", "centre": B_CODE})
    plain, ok_plain = _screen(app, client, {"display": "lobby"})  # unprefixed: the default
    assert ok_a == ok_b == ok_plain == {"ok": True}
    snapshots = {}
    for name, screen in (("a", lobby_a), ("b", lobby_b), ("plain", plain)):
        received = screen.get_received()
        snapshots[name] = next(m["args"][0] for m in received if m["name"] == "snapshot")
    assert snapshots["b"]["centre"]["name"] == "Trung tâm Phục vụ hành chính công xã B"
    assert snapshots["a"]["centre"]["name"] == snapshots["plain"]["centre"]["name"]
    assert snapshots["a"]["centre"]["name"] != snapshots["b"]["centre"]["name"]

    in_a = client.post(_api(A, "/tickets"), json={"service": "HT"})
    in_b = client.post(_api(B, "/tickets"), json={"service": "HT"})
    again_b = client.post(_api(B, "/tickets"), json={"service": "HT"})
    assert in_a.status_code == in_b.status_code == again_b.status_code == 201
    # Each centre numbers its own day: both start at A001.
    assert in_a.get_json()["number"] == in_b.get_json()["number"] == "A001"
    assert again_b.get_json()["number"] == "A002"
    assert client.get(_api(B, "/services")).get_json()[0]["waiting"] == 2
    assert client.get(_api(A, "/services")).get_json()[0]["waiting"] == 1

    called = client.post(_api(B, "/counters/1/next"), headers=_bearer(client, B, B_CLERK))
    assert called.status_code == 200, called.get_data(as_text=True)
    assert called.get_json()["id"] == in_b.get_json()["id"]
    assert _calls(lobby_b) == ["A001"]
    assert _calls(lobby_a) == [] and _calls(plain) == []  # B's call reached no lobby of A
    queue_a = [m for m in lobby_a.get_received() if m["name"] == "queue"]
    assert queue_a == []  # nor B's queue change

    called = client.post(_api(A, "/counters/1/next"), headers=_bearer(client, A, A_CLERK))
    assert called.get_json()["id"] == in_a.get_json()["id"]
    assert _calls(lobby_a) == ["A001"] and _calls(plain) == ["A001"]
    assert _calls(lobby_b) == []
    for screen in (lobby_a, lobby_b, plain):
        screen.disconnect()


def test_a_centres_host_name_means_that_centre_on_unprefixed_addresses(app):
    client = app.test_client()
    on_b = {"base_url": f"http://{B_HOST}"}
    issued = client.post("/api/v1/tickets", json={"service": "HT"}, **on_b)
    assert issued.status_code == 201
    # The ticket's address is on the host it was taken on.
    assert issued.get_json()["status_url"].startswith(f"http://{B_HOST}/t/")
    assert client.get(_api(B, "/services")).get_json()[0]["waiting"] == 1
    assert client.get("/api/v1/services").get_json()[0]["waiting"] == 0  # localhost: A
    page = client.get("/kiosk", **on_b)
    assert page.status_code == 200 and "data-centre" not in page.get_data(as_text=True)
    clerk = _bearer(client, "", B_CLERK, **on_b)
    called = client.post("/api/v1/counters/1/next", headers=clerk, **on_b)
    assert called.status_code == 200 and called.get_json()["number"] == "A001"
    # A screen on B's host name follows B without naming it.
    screen, answer = _screen(app, client, {"display": "lobby"}, {"Host": B_HOST})
    assert answer == {"ok": True}
    snapshot = next(m for m in screen.get_received() if m["name"] == "snapshot")["args"][0]
    assert snapshot["centre"]["name"] == "Trung tâm Phục vụ hành chính công xã B"
    screen.disconnect()
    # A name no centre has and not on the allowed list is still refused.
    assert client.get("/kiosk", base_url="http://elsewhere.example").status_code == 400


def test_a_page_under_a_prefix_keeps_its_links_and_calls_in_its_centre(app):
    client = app.test_client()
    page = client.get(f"{B}/kiosk").get_data(as_text=True)
    assert f'data-centre="{B_CODE}"' in page
    assert f'href="{B}/static/css/hub.css' in page  # url_for stays under the prefix
    assert client.get(f"{B}/static/js/hub.js").status_code == 200
    login = client.get(f"{B}/counter")  # not logged in at B: B's login page
    assert login.status_code == 302 and login.headers["Location"].startswith(f"{B}/login")
    plain = client.get("/kiosk").get_data(as_text=True)
    assert "data-centre" not in plain and 'href="/static/css/hub.css' in plain
    # The API answers under either prefix form.
    assert client.get(f"{B}/api/v1/services").get_json()[0]["code"] == "HT"


def test_an_unknown_centre_code_is_a_clear_404(app):
    client = app.test_client()
    api = client.get("/api/v1/c/no-such-centre/services")
    assert api.status_code == 404
    assert api.get_json() == {
        "error": "unknown_centre",
        "message": "Hệ thống không phục vụ trung tâm nào có mã no-such-centre.",
    }
    english = client.get("/api/v1/c/no-such-centre/services?lang=en").get_json()
    assert english["message"] == "This hub serves no centre with the code no-such-centre."
    page = client.get("/c/no-such-centre/kiosk")
    assert page.status_code == 404 and "no-such-centre" in page.get_data(as_text=True)
    screen, answer = _screen(app, client, {"display": "lobby", "centre": "no-such-centre"})
    assert answer["ok"] is False and answer["error"] == "unknown_centre"
    screen.disconnect()


def test_a_tickets_status_page_finds_its_own_centre(app):
    client = app.test_client()
    mine = client.post(_api(B, "/tickets"), json={"service": "HT"}).get_json()
    theirs = client.post(_api(A, "/tickets"), json={"service": "HT"}).get_json()
    for ticket, code in ((mine, B_CODE), (theirs, A_CODE)):
        for address in (f"/t/{ticket['token']}", f"{A}/t/{ticket['token']}"):
            page = client.get(address)
            assert page.status_code == 200, address
            text = page.get_data(as_text=True)
            if code == A_CODE and not address.startswith(A):
                assert "data-centre" not in text  # the one-centre page, as before
            else:
                assert f'data-centre="{code}"' in text, address
        assert client.get(f"/t/{ticket['token']}/qr.svg").status_code == 200
        # The phone's page subscribes with the ticket alone: its own centre answers.
        phone, answer = _screen(app, client, {"ticket": ticket["token"]})
        assert answer == {"ok": True}
        snapshot = next(m for m in phone.get_received() if m["name"] == "snapshot")
        assert snapshot["args"][0]["ticket"]["id"] == ticket["id"]
        phone.disconnect()
    # Named with the other centre, a ticket is unknown there.
    phone, answer = _screen(app, client, {"ticket": mine["token"], "centre": A_CODE})
    assert answer["error"] == "unknown_ticket"
    phone.disconnect()


def test_a_supervisor_of_one_centre_watches_only_that_centre(app):
    client = app.test_client()
    login_b = client.get(f"{B}/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login_b.get_data(as_text=True))
    done = client.post(
        f"{B}/login",
        data={"username": B_ADMIN[0], "password": B_ADMIN[1], "csrf_token": csrf.group(1)},
    )
    assert done.status_code == 302 and done.headers["Location"].startswith(f"{B}/")
    assert client.get(f"{B}/supervisor").status_code == 200
    assert client.get(f"{B}/admin/").status_code == 200
    # The same browser is nobody at A: the login page, not A's admin.
    assert client.get(f"{A}/admin/").status_code == 302
    assert client.get("/admin/").status_code == 302
    live, answer = _screen(app, client, {"supervisor": True, "centre": B_CODE})
    assert answer == {"ok": True}
    kiosk = app.test_client()  # no login: no CSRF token needed
    assert kiosk.post(_api(A, "/tickets"), json={"service": "HT"}).status_code == 201
    assert [m for m in live.get_received() if m["name"] == "queue"] == []
    assert kiosk.post(_api(B, "/tickets"), json={"service": "HT"}).status_code == 201
    assert [m for m in live.get_received() if m["name"] == "queue"] != []
    refused, answer = _screen(app, client, {"supervisor": True, "centre": A_CODE})
    assert answer["error"] == "login_required"
    for screen in (live, refused):
        screen.disconnect()


# -- logins and paired devices belong to one centre -----------------------------------


def _outcome(response) -> str:
    """'refused' (401, 403, or the login page), else the status: a bad bearer token is
    401 where a stranger's page is sent to log in, and both are refusals."""
    refused = response.status_code in (401, 403) or (
        response.status_code == 302 and "/login" in response.headers.get("Location", "")
    )
    return "refused" if refused else str(response.status_code)


def _prefixed(path: str, prefix: str) -> str:
    if path.startswith("/api/v1/"):
        return f"/api/v1{prefix}{path[len('/api/v1') :]}"
    return f"{prefix}{path}"


def test_a_login_or_device_of_one_centre_opens_nothing_at_another(two_centres):
    """Every route, under B's prefix, answers A's admin, clerk, bearer token and paired
    devices exactly as it answers a stranger; and the same walk under A's prefix shows
    A's credentials do open A's routes (so the walk would notice)."""
    from kiosk.usecases import device_tokens

    app = two_centres(locked=True)  # B requires paired devices: a stranger is refused
    # …and so does A, so that A's devices are seen opening A's device routes.
    device_tokens.set_required(app.extensions["motcua"].centre(A_CODE).ctx, True)
    routes, _ = routes_and_events(app)
    stranger = app.test_client()
    admin_a = app.test_client()
    csrf = re.search(
        r'name="csrf_token" value="([^"]+)"', admin_a.get(f"{A}/login").get_data(as_text=True)
    ).group(1)
    assert (
        admin_a.post(
            f"{A}/login", data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": csrf}
        ).status_code
        == 302
    )
    bearer_a = _bearer(stranger, A, ADMIN)
    clerk_a = app.test_client()
    clerk_csrf = re.search(
        r'name="csrf_token" value="([^"]+)"', clerk_a.get(f"{A}/login").get_data(as_text=True)
    ).group(1)
    clerk_login = {"username": A_CLERK[0], "password": A_CLERK[1], "csrf_token": clerk_csrf}
    assert clerk_a.post(f"{A}/login", data=clerk_login).status_code == 302
    devices_a = {}
    for kind, name in (("kiosk", "kiosk-1"), ("display", "lobby"), ("counter_screen", "2")):
        paired = admin_a.post(
            _api(A, "/devices/tokens"),
            json={"kind": kind, "name": name},
            headers={"X-CSRFToken": csrf},
        )
        assert paired.status_code == 201, paired.get_data(as_text=True)
        devices_a[kind] = {"X-Device-Token": paired.get_json()["token"]}
    callers = {
        "admin session": (admin_a, {"X-CSRFToken": csrf}),
        "admin bearer": (stranger, bearer_a),
        "clerk session": (clerk_a, {"X-CSRFToken": clerk_csrf}),
        **{f"device {kind}": (stranger, headers) for kind, headers in devices_a.items()},
    }
    wrong, opened_at_a = [], set()
    for endpoint, method, path in routes:
        if endpoint in ("pages.logout", "pages.login") or endpoint.startswith("static"):
            continue  # logging out ends the walk's session; a login form is for anyone
        for prefix in (B, A):
            url = _prefixed(path, prefix)
            kwargs = {"json": {}} if method == "POST" else {}
            expected = _outcome(stranger.open(url, method=method, **kwargs))
            for who, (client, headers) in callers.items():
                answer = client.open(url, method=method, headers=headers, **kwargs)
                assert answer.status_code < 500, f"{method} {url} as {who}: {answer.status_code}"
                got = _outcome(answer)
                if prefix == B and got != expected:
                    wrong.append(f"{method} {url} as A's {who}: {got}, a stranger gets {expected}")
                if prefix == A and got != expected:
                    opened_at_a.add(endpoint)
    assert not wrong, "\n".join(wrong)
    # A's credentials are good at A: the admin pages, the API, the device routes.
    assert {"admin.index", "api.counter_next", "api.issue_ticket", "display.lobby"} <= opened_at_a
    assert {"pages.counter", "api.get_ticket"} <= opened_at_a  # the clerk's too


def test_a_login_or_device_of_one_centre_subscribes_to_nothing_at_another(two_centres):
    app = two_centres(locked=True)
    client = app.test_client()
    bearer_b = _bearer(client, B, B_ADMIN)
    paired = {}
    for code, headers in ((B_CODE, bearer_b), (A_CODE, _bearer(client, A, ADMIN))):
        for kind, name in (("kiosk", "kiosk-1"), ("display", "lobby"), ("counter_screen", "1")):
            made = client.post(
                f"/api/v1/c/{code}/devices/tokens",
                json={"kind": kind, "name": name},
                headers=headers,
            )
            assert made.status_code == 201
            paired[code, kind] = made.get_json()["token"]
    ticket_b = client.post(
        _api(B, "/tickets"),
        json={"service": "HT"},
        headers={"X-Device-Token": paired[B_CODE, "kiosk"]},
    ).get_json()
    admin_a = app.test_client()
    csrf = re.search(
        r'name="csrf_token" value="([^"]+)"', admin_a.get("/login").get_data(as_text=True)
    ).group(1)
    admin_a.post("/login", data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": csrf})
    cases = {  # subscription at B → the device kind of B's own that may make it
        "lobby": ({"display": "lobby"}, "display"),
        "kiosk": ({"display": "kiosk"}, "kiosk"),
        "counter": ({"counter": 1}, "counter_screen"),
        "supervisor": ({"supervisor": True}, None),
    }
    wrong = []
    for name, (subscription, kind) in cases.items():
        at_b = {**subscription, "centre": B_CODE}
        callers = {
            "A's admin": (admin_a, {}, at_b),
            "A's admin on B's host": (admin_a, {"Host": B_HOST}, subscription),
            **{
                f"A's {k}": (client, {}, {**at_b, "token": paired[A_CODE, k]})
                for k in ("kiosk", "display", "counter_screen")
            },
        }
        for who, (flask_client, headers, payload) in callers.items():
            screen, answer = _screen(app, flask_client, payload, headers)
            if answer.get("ok"):
                wrong.append(f"{name} at B as {who}: {answer}")
            screen.disconnect()
        if kind is not None:  # B's own device is let in: the refusals above are about A
            own = {**at_b, "token": paired[B_CODE, kind]}
            screen, answer = _screen(app, client, own)
            assert answer == {"ok": True}, (name, answer)
            screen.disconnect()
    assert not wrong, "\n".join(wrong)
    # A ticket's token is its own key, in its own centre only.
    phone, answer = _screen(app, client, {"ticket": ticket_b["token"]})
    assert answer == {"ok": True}
    phone.disconnect()


def test_an_agent_token_serves_its_own_centre_only(two_centres):
    from kiosk.rooms import AGENT_NAMESPACE
    from kiosk.usecases import admin_devices
    from kiosk.usecases.device_config import Agent

    app = two_centres()
    client = app.test_client()
    hub = app.extensions["motcua"]
    tokens = {}
    for code, prefix, admin in ((B_CODE, B, B_ADMIN), (A_CODE, A, ADMIN)):
        admin_devices.save(hub.centre(code).ctx, Agent(name="pc-1"), None, adding=True)
        tokens[code] = client.post(
            _api(prefix, "/devices/tokens"),
            json={"kind": "agent", "name": "pc-1"},
            headers=_bearer(client, prefix, admin),
        ).get_json()["token"]

    def agent(token: str, headers: dict | None = None):
        return socketio.test_client(
            app, namespace=AGENT_NAMESPACE, auth={"token": token}, headers=headers
        )

    # An agent's address names no centre (localhost): its token says which.
    own = agent(tokens[B_CODE])
    assert own.is_connected(AGENT_NAMESPACE)
    assert own.emit("jobs", {}, namespace=AGENT_NAMESPACE, callback=True) == {
        "ok": True,
        "jobs": [],
    }
    issued = client.post(_api(B, "/tickets"), json={"service": "HT"})
    assert issued.status_code == 201
    own.disconnect(namespace=AGENT_NAMESPACE)
    # On B's host name, A's agent is nobody; B's own agent is itself.
    refused = agent(tokens[A_CODE], {"Host": B_HOST})
    assert not refused.is_connected(AGENT_NAMESPACE)
    mine = agent(tokens[B_CODE], {"Host": B_HOST})
    assert mine.is_connected(AGENT_NAMESPACE)
    mine.disconnect(namespace=AGENT_NAMESPACE)


def test_province_users_sign_in_at_every_centre_a_supervisor_only_reads(app):
    client = app.test_client()
    plain = _bearer(client, "", PROVINCE_SUPERVISOR)  # unprefixed: the default centre
    assert client.get("/api/v1/reports/summary", headers=plain).status_code == 200
    for prefix in (A, B):
        admin = _bearer(client, prefix, PROVINCE_ADMIN)
        reader = _bearer(client, prefix, PROVINCE_SUPERVISOR)
        assert client.get(_api(prefix, "/devices/tokens"), headers=admin).status_code == 200
        assert client.get(_api(prefix, "/reports/summary"), headers=reader).status_code == 200
        assert client.get(_api(prefix, "/devices/tokens"), headers=reader).status_code == 403
        issued = client.post(_api(prefix, "/tickets"), json={"service": "HT"}).get_json()
        seen = client.get(_api(prefix, f"/tickets/{issued['id']}"), headers=reader)
        assert seen.status_code == 200 and seen.get_json()["number"] == issued["number"]
        for action in ("/counters/1/next", f"/tickets/{issued['id']}/cancel"):
            refused = client.post(_api(prefix, action), json={}, headers=reader)
            assert refused.status_code == 403, (prefix, action)
        called = client.post(_api(prefix, "/counters/1/next"), headers=admin)
        assert called.status_code == 200 and called.get_json()["id"] == issued["id"]
        live, answer = _screen(app, client, {"supervisor": True}, reader)
        assert answer == {"ok": True}
        live.disconnect()
    # A centre's own admin cannot take a province user's name, nor touch one.
    from kiosk.store.seed import CentreFileError, add_user

    hub = app.extensions["motcua"]
    with pytest.raises(CentreFileError, match="looks like the existing user 'tinh-admin'"):
        with hub.store.write() as session:
            add_user(session, hub.centre(B_CODE).centre_id, "Tinh-Admin", "another-pass", "admin")


# -- centres added while running -------------------------------------------------------


def test_a_centre_added_while_the_hub_runs_is_served_within_seconds(app_factory, tmp_path):
    from kiosk.runtime.hub import LOOK_S

    app = app_factory()
    client = app.test_client()
    assert client.get(_api(B, "/services")).status_code == 404
    add_centre_b(app.extensions["motcua"].store.url, tmp_path)
    started = time.monotonic()
    while client.get(_api(B, "/services")).status_code != 200:
        assert time.monotonic() - started < 5, "the new centre was not served within 5 s"
        time.sleep(0.1)
    assert time.monotonic() - started <= LOOK_S + 0.5
    on_host = client.get("/api/v1/services", base_url=f"http://{B_HOST}")
    assert (
        on_host.status_code == 200 and on_host.get_json()[0]["name_en"] == "Justice - Civil status"
    )


def test_motcua_centre_add_and_list_with_a_running_hub(hub_process_factory, tmp_path):
    hub = hub_process_factory()
    file_b = centre_b_file(tmp_path)
    env = {**hub.env}

    def motcua(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "kiosk", "centre", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert requests.get(f"{hub.url}/api/v1/c/{B_CODE}/services", timeout=10).status_code == 404
    added = motcua("add", str(file_b))
    assert added.returncode == 0, added.stderr
    assert f"centre {B_CODE} (Trung tâm Phục vụ hành chính công xã B) added" in added.stdout
    started = time.monotonic()
    while True:
        answer = requests.get(f"{hub.url}/api/v1/c/{B_CODE}/services", timeout=10)
        if answer.status_code == 200:
            break
        assert time.monotonic() - started < 5, "the running hub did not serve it within 5 s"
        time.sleep(0.2)
    assert answer.json()[0]["code"] == "HT"
    on_host = requests.get(f"{hub.url}/kiosk", headers={"Host": B_HOST}, timeout=10)
    assert on_host.status_code == 200
    issued = requests.post(
        f"{hub.url}/api/v1/tickets", json={"service": "HT"}, headers={"Host": B_HOST}, timeout=10
    ).json()
    assert issued["status_url"].endswith(f"/t/{issued['token']}")

    again = motcua("add", str(file_b))
    assert again.returncode == 2
    assert f"A centre with the code {B_CODE} exists already." in again.stderr
    clash = motcua("add", str(centre_b_file(tmp_path, code="xa-c")))  # B's host name again
    assert clash.returncode == 2
    assert f"The host name {B_HOST} already belongs to the centre {B_CODE}." in clash.stderr
    # A province admin, made on the command line, signs in at the new centre too.
    env["MOTCUA_PASSWORD"] = PROVINCE_ADMIN[1]
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "user",
            "add",
            PROVINCE_ADMIN[0],
            "--role",
            "province_admin",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    token = requests.post(
        f"{hub.url}/api/v1/c/{B_CODE}/auth/token",
        json={"username": PROVINCE_ADMIN[0], "password": PROVINCE_ADMIN[1]},
        timeout=10,
    )
    assert token.status_code == 200
    tokens = requests.get(
        f"{hub.url}/api/v1/c/{B_CODE}/devices/tokens",
        headers={"Authorization": f"Bearer {token.json()['token']}"},
        timeout=10,
    )
    assert tokens.status_code == 200
    listed = motcua("list")
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert lines[1].split() == [A_CODE, "Bộ", "phận", "Một", "cửa", "UBND", "xã", "Thử", "Nghiệm"]
    assert lines[2].startswith(B_CODE) and lines[2].endswith(f"({B_HOST})")
    assert len(lines) == 3  # the refused ones were not stored


def test_a_pairing_link_opens_its_own_centres_pages(app):
    client = app.test_client()
    paired = client.post(
        _api(B, "/devices/tokens"),
        json={"kind": "kiosk", "name": "kiosk-1"},
        headers=_bearer(client, B, B_ADMIN),
    ).get_json()
    assert paired["pair_path"].startswith("/pair/")  # as printed: no centre in it
    device = app.test_client()
    landed = device.get(paired["pair_path"])  # on the shared name: sent to B's address
    assert landed.status_code == 302
    assert landed.headers["Location"].endswith(f"{B}{paired['pair_path']}")
    paired_page = device.get(f"{B}{paired['pair_path']}")
    assert (
        paired_page.status_code == 302 and paired_page.headers["Location"] == f"{B}/kiosk/kiosk-1"
    )
    # Under A's prefix the link is nobody's.
    assert device.get(f"{A}{paired['pair_path']}").status_code == 404


def test_the_default_centres_parts_are_not_read_while_serving_another(app):
    """A handler that reads hub.ctx instead of current_centre() fails loudly at B."""
    hub = app.extensions["motcua"]
    with app.test_request_context(f"{B}/kiosk", environ_overrides={"motcua.centre": B_CODE}):
        app.preprocess_request()
        assert current_centre().code == B_CODE
        with pytest.raises(RuntimeError, match="current_centre"):
            _ = hub.ctx
    with app.test_request_context("/kiosk"):
        app.preprocess_request()
        assert hub.ctx is current_centre().ctx  # the default centre's own request
