"""The province centres page, /province/centres (issue 13): a province admin adds a
centre (served at once by this hub process and within seconds by another on the same
database), renames it and gives it another host name; each change in the centre's audit
log; CSRF-protected; nobody else may use it.  Two hub apps in this process on one
SQLite database stand for two hub processes."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from kiosk.store.seed import add_user
from kiosk.store.tables import AuditRow, CentreRow, UserRow
from tests.support.hubs import ADMIN, TEST_CENTRE, copy_template, in_process_app

PROVINCE_ADMIN = ("tinh-admin", "province-admin-pass")
PROVINCE_SUPERVISOR = ("tinh-gs", "province-super-pass")
PAGE = "/province/centres"


@pytest.fixture
def two_hubs(tmp_path):
    from kiosk.store import Store

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    copy_template(url, TEST_CENTRE)
    store = Store(url)
    with store.write() as session:
        add_user(session, None, *PROVINCE_ADMIN, "province_admin")
        add_user(session, None, *PROVINCE_SUPERVISOR, "province_supervisor")
    hubs: list = []
    yield (
        in_process_app(tmp_path / "one", url, TEST_CENTRE, hubs),
        in_process_app(tmp_path / "two", url, TEST_CENTRE, hubs),
        store,
    )
    for hub in hubs:
        hub.close()
    store.dispose()


def _login(app, user: tuple[str, str]):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post(
        "/login", data={"username": user[0], "password": user[1], "csrf_token": csrf}
    )
    assert answer.status_code == 302, f"{user[0]} could not log in"
    return client


def _csrf(client) -> str:
    page = client.get(PAGE).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def _name(app, path: str, host: str = "localhost") -> str:
    """The centre name the lobby screens of this address show."""
    answer = app.test_client().get(path, headers={"Host": host})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["centre"]["name"]


def test_a_province_admin_adds_renames_and_names_a_centre(two_hubs):
    one, two, store = two_hubs
    for user in (PROVINCE_SUPERVISOR, ADMIN):  # a reader of the province; a centre's admin
        assert _login(one, user).get(PAGE).status_code == 403
    assert one.test_client().get(PAGE).status_code == 302  # to the login page

    admin = _login(one, PROVINCE_ADMIN)
    page = admin.get(PAGE + "?lang=vi").get_data(as_text=True)
    assert "Thêm trung tâm" in page and "test-centre" in page
    form = {"code": "xa-moi", "name": "Trung tâm Phục vụ hành chính công xã Mới"}
    form["hosts"] = "xa-moi.example.gov.vn"
    assert admin.post(PAGE, data=form).status_code == 400  # no CSRF token: nothing added
    assert one.test_client().get("/c/xa-moi/kiosk").status_code == 404

    answer = admin.post(PAGE, data={**form, "csrf_token": _csrf(admin)})
    assert answer.status_code == 302
    assert "xa-moi" in admin.get(PAGE).get_data(as_text=True)  # the flash and the list
    assert one.test_client().get("/c/xa-moi/kiosk").status_code == 200
    assert _name(one, "/api/v1/c/xa-moi/queue") == form["name"]
    started = time.monotonic()  # the other process finds it by itself
    while two.test_client().get("/c/xa-moi/kiosk").status_code != 200:
        assert time.monotonic() - started < 5, "the other hub did not serve the new centre"
        time.sleep(0.2)
    assert _name(two, "/api/v1/queue", "xa-moi.example.gov.vn") == form["name"]

    again = admin.post(PAGE, data={**form, "csrf_token": _csrf(admin)})
    assert again.status_code == 400 and "xa-moi" in again.get_data(as_text=True)

    token = _csrf(admin)
    renamed = admin.post(
        f"{PAGE}/xa-moi/name", data={"name": "Trung tâm xã Mới Lập", "csrf_token": token}
    )
    assert renamed.status_code == 302
    host = admin.post(
        f"{PAGE}/xa-moi/hosts", data={"host": "MoiLap.example.gov.vn", "csrf_token": token}
    )
    assert host.status_code == 302
    taken = admin.post(
        f"{PAGE}/test-centre/hosts", data={"host": "moilap.example.gov.vn", "csrf_token": token}
    )
    assert taken.status_code == 400 and "moilap.example.gov.vn" in taken.get_data(as_text=True)
    assert _name(one, "/api/v1/queue", "moilap.example.gov.vn") == "Trung tâm xã Mới Lập"

    with store.read() as session:
        centre_id = session.execute(select(CentreRow.id).where(CentreRow.code == "xa-moi")).scalar()
        admin_id = session.execute(
            select(UserRow.id).where(UserRow.username == "tinh-admin")
        ).scalar()
        entries = session.execute(
            select(AuditRow.action, AuditRow.user_id, AuditRow.details)
            .where(AuditRow.centre_id == centre_id)
            .order_by(AuditRow.id)
        ).all()
    assert [(a, u) for a, u, _ in entries] == [
        ("centre.add", admin_id),
        ("centre.rename", admin_id),
        ("centre.host_add", admin_id),
    ]
    assert entries[2][2] == {"host": "moilap.example.gov.vn"}
