"""CSRF on cookie-authenticated writes, safe session cookies, rate limits on
login and on ticket issuing per kiosk, and no state change on GET."""

from __future__ import annotations

import re
import sqlite3

import requests

from tests.support.clients import CONFIRM, Desk, csrf_token, user_id
from tests.support.hubs import ADMIN
from tests.support.routes import routes_and_events


def login(hub, username="clerk1", password="test-clerk-pass") -> tuple[requests.Session, str]:
    session = requests.Session()
    page = session.get(f"{hub.url}/login", timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = session.post(
        f"{hub.url}/login",
        data={"username": username, "password": password, "csrf_token": csrf},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    return session, csrf


def counter_state(hub, number: int) -> str:
    queue = requests.get(f"{hub.url}/api/v1/queue", timeout=10).json()
    return next(c["state"] for c in queue["counters"] if c["number"] == number)


def test_cookie_writes_need_the_csrf_token_and_change_nothing_without_it(client, login, bearer):
    assert login(client, "clerk1", "test-clerk-pass").status_code == 302
    csrf = csrf_token(client, "/login")  # the session's token, as the console page has it

    def counter_state(number: int) -> str:
        queue = client.get("/api/v1/queue").get_json()
        return next(c["state"] for c in queue["counters"] if c["number"] == number)

    forged = client.post("/api/v1/counters/1/pause", json={})
    assert forged.status_code == 400 and forged.get_json()["error"] == "csrf_failed"
    assert "tải lại trang" in forged.get_json()["message"]
    assert counter_state(1) == "open"
    # Logging someone out is a state change too.
    assert client.post("/logout").status_code == 400
    real = client.post(
        "/api/v1/counters/1/pause", json={"reason": "Nghỉ giải lao"}, headers={"X-CSRFToken": csrf}
    )
    assert real.status_code == 200 and counter_state(1) == "paused"
    # A bearer token is not sent by browsers on their own: no CSRF token needed.
    api = bearer("clerk1", "test-clerk-pass")
    assert client.post("/api/v1/counters/1/resume", headers=api).status_code == 200


def test_session_cookie_is_http_only_same_site_and_secure_behind_https(hub_factory):
    plain = hub_factory()
    session = requests.Session()
    page = session.get(f"{plain.url}/login", timeout=10)
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    behind_tls = hub_factory(env={"MOTCUA_PUBLIC_URL": "https://motcua.example.vn"})
    cookie = requests.get(f"{behind_tls.url}/login", timeout=10).headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_login_attempts_are_rate_limited_on_the_form_and_the_api(hub_factory):
    hub = hub_factory(env={"MOTCUA_LOGIN_RATE_PER_MIN": "3"})
    for _ in range(3):
        wrong = requests.post(
            f"{hub.url}/api/v1/auth/token",
            json={"username": "admin", "password": "guess"},
            timeout=10,
        )
        assert wrong.status_code == 401
    blocked = requests.post(
        f"{hub.url}/api/v1/auth/token",
        json={"username": ADMIN[0], "password": ADMIN[1]},
        timeout=10,
    )
    assert blocked.status_code == 429 and blocked.json()["error"] == "rate_limited"
    session = requests.Session()
    page = session.get(f"{hub.url}/login", timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = session.post(
        f"{hub.url}/login",
        data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": csrf},
        timeout=10,
    )
    assert form.status_code == 429 and "quá nhiều lần" in form.text


def test_ticket_issuing_is_limited_per_kiosk_not_per_centre(hub_factory):
    hub = hub_factory(env={"MOTCUA_ISSUE_RATE_PER_MIN": "3"})
    admin = hub.session()
    kiosks = []
    for name in ("kiosk-1", "kiosk-2"):
        paired = admin.post(
            f"{hub.url}/api/v1/devices/tokens", json={"kind": "kiosk", "name": name}, timeout=10
        ).json()
        kiosk = requests.Session()
        kiosk.headers["X-Device-Token"] = paired["token"]
        kiosks.append(kiosk)
    first, second = kiosks
    for _ in range(3):
        assert first.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10).ok
    flooded = first.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
    assert flooded.status_code == 429 and "vui lòng" in flooded.json()["message"].lower()
    # The kiosk next to it is not punished for its neighbour.
    other = second.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
    assert other.status_code == 201 and other.json()["number"] == "A004"
    waiting = requests.get(f"{hub.url}/api/v1/queue", timeout=10).json()["waiting"]["HT"]
    assert waiting == 4  # the refused tap issued nothing


def _row_counts(db_path) -> dict[str, int]:
    with sqlite3.connect(db_path) as db:
        tables = [
            r[0]
            for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if r[0] != "alembic_version"
        ]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_no_page_or_api_read_changes_anything(hub):
    """Every GET route, as an admin, leaves every table as it was."""
    admin, _ = login(hub, *ADMIN)
    requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
    db_path = hub.database_url.removeprefix("sqlite:///")
    before = _row_counts(db_path)
    routes, _ = routes_and_events(hub.app)
    gets = [path for _, method, path in routes if method == "GET"]
    assert len(gets) > 15
    for path in gets:
        response = admin.get(f"{hub.url}{path}", allow_redirects=False, timeout=10)
        assert response.status_code < 500, f"GET {path}: {response.status_code}"
    assert _row_counts(db_path) == before


def test_admin_requires_pairing_pairs_a_kiosk_and_revokes_it_from_the_devices_page(hub):
    admin, csrf = login(hub, *ADMIN)
    kiosk_page = f"{hub.url}/kiosk/kiosk-1"
    assert requests.get(kiosk_page, timeout=10).status_code == 200  # open LAN by default
    saved = admin.post(
        f"{hub.url}/admin/devices/require",
        data={"csrf_token": csrf, "confirm": "yes", "required": "yes"},
        timeout=10,
    )
    assert saved.status_code == 200 and "Đã lưu" in saved.text
    refused = requests.get(kiosk_page, timeout=10)
    assert refused.status_code == 401 and "chưa được ghép nối" in refused.text
    page = admin.post(
        f"{hub.url}/admin/devices/pair",
        data={"csrf_token": csrf, "confirm": "yes", "kind": "kiosk", "name": "kiosk-1"},
        timeout=10,
    )
    link = re.search(r'<code id="pairing-link">([^<]+)</code>', page.text).group(1)
    kiosk = requests.Session()
    assert kiosk.get(link, timeout=10).url == kiosk_page
    assert (
        kiosk.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10).status_code
        == 201
    )
    listed = admin.get(f"{hub.url}/admin/devices", timeout=10).text
    token_id = re.search(r"/admin/devices/tokens/(\d+)/revoke", listed).group(1)
    admin.post(
        f"{hub.url}/admin/devices/tokens/{token_id}/revoke",
        data={"csrf_token": csrf, "confirm": "yes"},
        timeout=10,
    )
    assert kiosk.get(kiosk_page, timeout=10).status_code == 401
    audit = admin.get(f"{hub.url}/admin/audit", timeout=10).text
    assert "device.pair" in audit or "kiosk:kiosk-1" in audit


def test_behind_a_trusted_proxy_each_kiosk_address_has_its_own_budget(hub_factory):
    hub = hub_factory(env={"MOTCUA_ISSUE_RATE_PER_MIN": "2", "MOTCUA_TRUSTED_PROXIES": "1"})

    def tap(address: str) -> int:
        return requests.post(
            f"{hub.url}/api/v1/tickets",
            json={"service": "HT"},
            headers={"X-Forwarded-For": address},
            timeout=10,
        ).status_code

    assert [tap("10.0.0.11") for _ in range(3)] == [201, 201, 429]
    assert tap("10.0.0.12") == 201  # the next kiosk, same nginx in front


def test_screens_from_another_site_are_refused(hub):
    import socketio

    client = socketio.Client(reconnection=False)
    try:
        client.connect(
            hub.url,
            transports=["polling"],
            headers={"Origin": "http://evil.example"},
            wait_timeout=5,
        )
        connected = True
    except socketio.exceptions.ConnectionError:
        connected = False
    finally:
        client.disconnect()
    assert not connected, "a page on another site could follow the queue"


def _still_in(hub, cookie_session: requests.Session, token: str) -> tuple[bool, bool]:
    """(the cookie session opens /counter, the bearer token is accepted)."""
    page = cookie_session.get(f"{hub.url}/counter", allow_redirects=False, timeout=10)
    api = requests.get(
        f"{hub.url}/api/v1/tickets/1", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert api.status_code in (200, 401, 404), api.text
    return page.status_code == 200, api.status_code != 401


def test_a_password_reset_role_change_or_deactivation_ends_earlier_logins(hub):
    requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
    desk = Desk(hub)
    clerk = user_id(desk, "clerk1")

    browser, _ = login(hub)
    token = hub.token("clerk1", "test-clerk-pass")
    assert _still_in(hub, browser, token) == (True, True)
    desk.post(
        f"/admin/users/{clerk}/password", {"password": "mat-khau-moi"}, f"/admin/users/{clerk}"
    )
    assert _still_in(hub, browser, token) == (False, False)
    assert (
        requests.post(  # the old token is refused on writes too
            f"{hub.url}/api/v1/counters/1/pause",
            headers={"Authorization": f"Bearer {token}"},
            json={},
            timeout=10,
        ).json()["error"]
        == "login_required"
    )

    browser, _ = login(hub, "clerk1", "mat-khau-moi")
    token = hub.token("clerk1", "mat-khau-moi")
    desk.post(f"/admin/users/{clerk}/deactivate", CONFIRM, "/admin/users")
    desk.post(f"/admin/users/{clerk}/activate", CONFIRM, "/admin/users")
    assert _still_in(hub, browser, token) == (False, False)  # not back with the account

    browser, _ = login(hub, "clerk1", "mat-khau-moi")
    token = hub.token("clerk1", "mat-khau-moi")
    # Renaming changes no right: the logins stay; a new role ends them.
    same_role = {"display_name": "Nguyễn Văn An", "role": "clerk", "counter": "1"}
    assert desk.post(f"/admin/users/{clerk}", {**same_role, "display_name": "An"}).ok
    assert _still_in(hub, browser, token) == (True, True)
    assert desk.post(f"/admin/users/{clerk}", {**same_role, "role": "supervisor"}).ok
    assert _still_in(hub, browser, token) == (False, False)
    assert login(hub, "clerk1", "mat-khau-moi")[0].get(f"{hub.url}/supervisor", timeout=10).ok

    # An admin who resets their own password stays logged in on this browser only.
    admin_token = hub.token()
    me = user_id(desk, "admin")
    desk.post(f"/admin/users/{me}/password", {"password": "admin-moi-2026"}, f"/admin/users/{me}")
    assert desk.get("/admin/users", allow_redirects=False).status_code == 200
    stale = requests.get(
        f"{hub.url}/api/v1/reports/summary",
        headers={"Authorization": f"Bearer {admin_token}"},
        timeout=10,
    )
    assert stale.status_code == 401
