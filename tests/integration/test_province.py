"""The province overview (CONTRACT.md, "Several centres in one installation"):
GET /api/v1/province/overview, the /province page and the province room, on one hub
in this process serving the test centre and xa-b (tests/support/centres.py)."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.extensions import socketio
from kiosk.store import device_status
from kiosk.store.tables import ServiceRow
from tests.support.centres import B_ADMIN, B_CLERK, B_CODE, add_centre_b
from tests.support.hubs import ADMIN, TEST_CENTRE, copy_template, hub_config

A_CODE = "test-centre"
A_NAME = "Bộ phận Một cửa UBND xã Thử Nghiệm"
B_NAME = "Trung tâm Phục vụ hành chính công xã B"
A_CLERK = ("clerk1", "test-clerk-pass")
A_SUPER = ("super1", "test-super-pass")
PROVINCE_ADMIN = ("tinh-admin", "province-admin-pass")
PROVINCE_SUPERVISOR = ("tinh-gs", "province-super-pass")
A = f"/c/{A_CODE}"
B = f"/c/{B_CODE}"
OVERVIEW = "/api/v1/province/overview"
START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A database holding both centres and the two province users, made once."""
    from kiosk.store import Store
    from kiosk.store.seed import add_user

    folder = tmp_path_factory.mktemp("province")
    url = f"sqlite:///{folder / 'template.db'}"
    copy_template(url, TEST_CENTRE)
    add_centre_b(url, folder)
    store = Store(url)
    with store.write() as session:
        add_user(session, None, *PROVINCE_ADMIN, "province_admin")
        add_user(session, None, *PROVINCE_SUPERVISOR, "province_supervisor")
    with store.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.dispose()
    return folder / "template.db"


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app(tmp_path, template, clock):
    """One hub serving both centres, every centre on `clock`."""
    from kiosk.app import create_app
    from kiosk.runtime.bootstrap import open_hub

    path = tmp_path / "province.db"
    shutil.copyfile(template, path)
    config = hub_config(tmp_path, f"sqlite:///{path}", TEST_CENTRE, None)
    config.auto_migrate = False
    config.devices_enabled = False
    config.testing = True
    hub = open_hub(config)
    for centre in hub.centres:
        centre.ctx.clock = clock
    yield create_app(config, hub)
    hub.close()


def _hub(app):
    return app.extensions["motcua"]


def _bearer(client, prefix: str, user: tuple[str, str]) -> dict:
    answer = client.post(
        f"/api/v1{prefix}/auth/token", json={"username": user[0], "password": user[1]}
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def _logged_in(app, prefix: str, user: tuple[str, str]):
    client = app.test_client()
    page = client.get(f"{prefix}/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post(
        f"{prefix}/login", data={"username": user[0], "password": user[1], "csrf_token": csrf}
    )
    assert answer.status_code == 302, f"{user[0]} could not log in"
    return client, csrf


def _issue(client, prefix: str, n: int = 1) -> list[dict]:
    tickets = []
    for _ in range(n):
        answer = client.post(f"/api/v1{prefix}/tickets", json={"service": "HT"})
        assert answer.status_code == 201, answer.get_data(as_text=True)
        tickets.append(answer.get_json())
    return tickets


def _press(client, prefix: str, headers: dict, path: str) -> dict:
    answer = client.post(f"/api/v1{prefix}/counters/{path}", headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def _rate(client, ticket: dict, score: int) -> None:
    answer = client.post(
        f"/api/v1/tickets/by-token/{ticket['token']}/rating", json={"score": score}
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)


def _set_target(app, code: str, service: str, seconds: int) -> None:
    hub = _hub(app)
    centre_id = hub.centre(code).centre_id
    with hub.store.write() as session:
        row = session.query(ServiceRow).filter_by(centre_id=centre_id, code=service).one()
        row.target_wait_s = seconds


def _day_at_two_centres(app, clock) -> dict:
    """A scripted morning: 3 tickets at A, 2 at B; ten minutes later each centre's
    clerk calls and finishes one (rated 2 at A, 5 at B), A's clerk calls the next,
    B's clerk pauses; B's field has a 5-minute target, A's none; B's printer and A's
    lobby TV are offline."""
    client = app.test_client()
    a_tickets = _issue(client, A, 3)
    b_tickets = _issue(client, B, 2)
    clock.now = START + timedelta(minutes=10)
    clerk_a, clerk_b = _bearer(client, A, A_CLERK), _bearer(client, B, B_CLERK)
    assert _press(client, A, clerk_a, "1/next")["id"] == a_tickets[0]["id"]
    _press(client, A, clerk_a, "1/finish")
    _rate(client, a_tickets[0], 2)
    assert _press(client, A, clerk_a, "1/next")["id"] == a_tickets[1]["id"]
    assert _press(client, B, clerk_b, "1/next")["id"] == b_tickets[0]["id"]
    _press(client, B, clerk_b, "1/finish")
    _rate(client, b_tickets[0], 5)
    _press(client, B, clerk_b, "1/pause")
    _set_target(app, B_CODE, "HT", 300)
    hub = _hub(app)
    offline = {"state": "offline", "at": clock.now.isoformat()}
    device_status.save(
        hub.store, hub.centre(B_CODE).centre_id, "printer:kiosk-1", {"kind": "printer", **offline}
    )
    device_status.save(
        hub.store, hub.centre(A_CODE).centre_id, "display:lobby", {"kind": "display", **offline}
    )
    clock.now = START + timedelta(minutes=12)
    return {"a": a_tickets, "b": b_tickets}


def test_the_overview_counts_each_centre_from_the_same_rules_as_its_screens(app, clock):
    _day_at_two_centres(app, clock)
    client = app.test_client()
    answer = client.get(OVERVIEW, headers=_bearer(client, "", PROVINCE_SUPERVISOR))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    centres = {c["code"]: c for c in answer.get_json()["centres"]}
    assert set(centres) == {A_CODE, B_CODE}
    a, b = centres[A_CODE], centres[B_CODE]
    assert a["name"] == A_NAME and b["name"] == B_NAME
    # A: A003 waits (A002 was called), issued 12 minutes ago; no target.
    assert a["waiting"] == 1 and a["longest_wait_s"] == 12 * 60
    assert a["target_wait_s"] is None and a["wait_vs_target"] is None
    assert a["counters_open"] == 24 and a["counters_paused"] == 0
    assert a["served_today"] == 1
    assert a["satisfaction_today"] == 0.0 and a["ratings_today"] == 1
    assert a["screens_offline"] == 1 and a["devices_offline"] == 0
    assert a["alerts"] == 1  # the lobby TV
    # B: A002 waits 12 minutes against a 5-minute target; its only clerk paused.
    assert b["waiting"] == 1 and b["longest_wait_s"] == 12 * 60
    assert b["target_wait_s"] == 300 and b["wait_vs_target"] == 2.4
    assert b["counters_open"] == 1 and b["counters_paused"] == 1
    assert b["served_today"] == 1
    assert b["satisfaction_today"] == 1.0 and b["ratings_today"] == 1
    assert b["devices_offline"] == 1 and b["screens_offline"] == 0
    assert b["alerts"] == 2  # the wait past target and the printer
    # The same waiting counts a lobby shows.
    lobby_b = client.get(f"/api/v1{B}/services").get_json()
    assert sum(s["waiting"] for s in lobby_b) == b["waiting"]
    # Tomorrow nobody has been served yet, and yesterday's ratings do not count.
    clock.now = START + timedelta(days=1)
    later = client.get(OVERVIEW, headers=_bearer(client, "", PROVINCE_ADMIN)).get_json()
    assert {c["code"]: c["served_today"] for c in later["centres"]} == {A_CODE: 0, B_CODE: 0}
    assert all(c["satisfaction_today"] is None for c in later["centres"])


def test_the_overview_statements_do_not_grow_with_the_number_of_centres(app, tmp_path):
    """The same few statements for two centres as for three: never one per centre."""
    from sqlalchemy import event

    from kiosk.store.seed import read_centre_file
    from kiosk.usecases import centres, province
    from tests.support.centres import centre_b_file

    hub = _hub(app)
    seen = []

    def count(*_args):
        seen.append(1)

    def statements() -> tuple[int, int]:
        seen.clear()
        event.listen(hub.store.engine, "before_cursor_execute", count)
        try:
            entries = province.overview(hub.store, START)
        finally:
            event.remove(hub.store.engine, "before_cursor_execute", count)
        return len(entries), len(seen)

    two = statements()
    third = centre_b_file(tmp_path, code="xa-c", host="xa-c.example.gov.vn")
    centres.add_centre(hub.store, read_centre_file(third))
    three = statements()
    assert two[0] == 2 and three[0] == 3
    assert three[1] == two[1] <= 8


def test_only_province_roles_read_the_overview(app):
    client = app.test_client()
    stranger = app.test_client(use_cookies=False)
    for user in (PROVINCE_ADMIN, PROVINCE_SUPERVISOR):
        for prefix in ("", A, B):  # a province user signs in at any centre
            answer = stranger.get(OVERVIEW, headers=_bearer(client, prefix, user))
            assert answer.status_code == 200, (user, prefix)
            assert len(answer.get_json()["centres"]) == 2
    for prefix, user in (
        ("", ADMIN),
        ("", A_SUPER),
        ("", A_CLERK),
        (B, B_ADMIN),
        (B, B_CLERK),
    ):
        answer = stranger.get(
            f"/api/v1{prefix}/province/overview", headers=_bearer(client, prefix, user)
        )
        assert answer.status_code == 403, (prefix, user)
        assert "centres" not in (answer.get_json() or {})
    assert stranger.get(OVERVIEW).status_code == 401
    # A paired screen's token opens no overview either.
    admin, csrf = _logged_in(app, "", ADMIN)
    for kind, name in (("kiosk", "kiosk-1"), ("display", "lobby")):
        paired = admin.post(
            "/api/v1/devices/tokens",
            json={"kind": kind, "name": name},
            headers={"X-CSRFToken": csrf},
        )
        assert paired.status_code == 201, paired.get_data(as_text=True)
        token = paired.get_json()["token"]
        for headers in ({"X-Device-Token": token}, {"Authorization": f"Bearer {token}"}):
            assert stranger.get(OVERVIEW, headers=headers).status_code in (401, 403)


def test_the_province_page_lists_every_centre_linking_to_its_live_view(app, clock):
    _day_at_two_centres(app, clock)
    anonymous = app.test_client().get("/province")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    supervisor_a, _ = _logged_in(app, "", A_SUPER)
    assert supervisor_a.get("/province").status_code == 403
    admin_b, _ = _logged_in(app, B, B_ADMIN)
    assert admin_b.get(f"{B}/province").status_code == 403

    browser, _ = _logged_in(app, "", PROVINCE_SUPERVISOR)
    page = browser.get("/province")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Tổng quan toàn tỉnh" in html  # Vietnamese first
    for code, name in ((A_CODE, A_NAME), (B_CODE, B_NAME)):
        assert f'<tr data-code="{code}">' in html
        assert f'href="/c/{code}/supervisor">{name}</a>' in html
    assert 'src="/static/js/province.js"' in html
    assert "<script>" not in html and "style=" not in html  # strict CSP: nothing inline
    # The link opens that centre's live view for the province user.
    live = browser.get(f"/c/{B_CODE}/supervisor")
    assert live.status_code == 200
    # Under a centre's prefix the links still lead to each centre's own prefix.
    prefixed = browser.get(f"{B}/province").get_data(as_text=True)
    assert f'href="/c/{A_CODE}/supervisor"' in prefixed
    english = browser.get("/province?lang=en").get_data(as_text=True)
    assert "Province overview" in english and "Longest wait / target" in english


def _names(connection) -> list[tuple[str, dict]]:
    return [(m["name"], m["args"][0]) for m in connection.get_received()]


def test_a_change_at_either_centre_reaches_the_province_room_and_no_centre(app):
    browser, _ = _logged_in(app, "", PROVINCE_ADMIN)
    province = socketio.test_client(app, flask_test_client=browser)
    assert province.emit("subscribe", {"province": True}, callback=True) == {"ok": True}
    snapshot = [p for n, p in _names(province) if n == "snapshot"]
    assert [c["code"] for c in snapshot[0]["centres"]] == sorted(
        [A_CODE, B_CODE], key=lambda code: {A_CODE: A_NAME, B_CODE: B_NAME}[code]
    )

    client = app.test_client()
    others = {}
    for name, _prefix, subscription, headers in (
        ("lobby A", A, {"display": "lobby", "centre": A_CODE}, None),
        ("lobby B", B, {"display": "lobby", "centre": B_CODE}, None),
        ("kiosk B", B, {"display": "kiosk", "centre": B_CODE}, None),
        ("staff A", A, {"supervisor": True, "centre": A_CODE}, _bearer(client, A, A_SUPER)),
        ("staff B", B, {"supervisor": True, "centre": B_CODE}, _bearer(client, B, B_ADMIN)),
        ("clerk B", B, {"counter": 1, "centre": B_CODE}, _bearer(client, B, B_CLERK)),
    ):
        screen = socketio.test_client(app, flask_test_client=client, headers=headers)
        assert screen.emit("subscribe", subscription, callback=True) == {"ok": True}, name
        screen.get_received()
        others[name] = screen

    _issue(client, A)
    changes = [p for n, p in _names(province) if n == "province"]
    assert changes == [{"code": A_CODE, "waiting": 1, "longest_wait_s": 0}]
    _issue(client, B, 2)
    changes = [p for n, p in _names(province) if n == "province"]
    assert changes[-1] == {"code": B_CODE, "waiting": 2, "longest_wait_s": 0}
    assert {c["code"] for c in changes} == {B_CODE}
    # A call at B: its counter change reaches the province too.
    _press(client, B, _bearer(client, B, B_CLERK), "1/next")
    changes = [p for n, p in _names(province) if n == "province"]
    assert changes and changes[-1]["code"] == B_CODE and changes[-1]["waiting"] == 1

    for name, screen in others.items():
        received = _names(screen)
        assert received, f"{name} heard nothing: the check would not notice"
        assert all(n != "province" for n, _ in received), name
        screen.disconnect()
    # A refresh through the same subscribe brings a fresh snapshot.
    assert province.emit("subscribe", {"province": True}, callback=True) == {"ok": True}
    fresh = [p for n, p in _names(province) if n == "snapshot"][-1]
    assert {c["code"]: c["waiting"] for c in fresh["centres"]} == {A_CODE: 1, B_CODE: 1}
    province.disconnect()


def test_only_province_roles_join_the_province_room(app):
    anonymous = socketio.test_client(app, flask_test_client=app.test_client())
    assert anonymous.emit("subscribe", {"province": True}, callback=True)["error"] == (
        "login_required"
    )
    for prefix, user in (("", ADMIN), ("", A_SUPER), (B, B_ADMIN), (B, B_CLERK)):
        browser, _ = _logged_in(app, prefix, user)
        screen = socketio.test_client(app, flask_test_client=browser)
        code = A_CODE if prefix == "" else B_CODE
        answer = screen.emit("subscribe", {"province": True, "centre": code}, callback=True)
        assert answer["ok"] is False and answer["error"] == "forbidden", user
        screen.get_received()
        _issue(app.test_client(), prefix)
        assert all(m["name"] != "province" for m in screen.get_received()), user
        screen.disconnect()
    bad = socketio.test_client(app, flask_test_client=app.test_client())
    assert bad.emit("subscribe", {"province": "yes"}, callback=True)["error"] == "bad_request"
