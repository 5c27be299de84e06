"""/healthz: anyone learns whether the hub is well; only staff and this machine learn
the details (device paths, OS error texts, the database's error, the async mode)."""

from __future__ import annotations

import os

OUTSIDER = {"REMOTE_ADDR": "203.0.113.9"}
CLERK = ("clerk1", "test-clerk-pass")


def test_an_outsider_gets_the_status_only(app):
    answer = app.test_client().get("/healthz", environ_base=OUTSIDER)
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok", "db": "ok"}


def test_this_machine_gets_the_details(client):
    answer = client.get("/healthz")  # the test client asks from 127.0.0.1
    body = answer.get_json()
    assert answer.status_code == 200 and body["status"] == "ok" and body["db"] == "ok"
    assert isinstance(body["devices"], dict) and body["async_mode"] == "threading"
    ipv6 = client.get("/healthz", environ_base={"REMOTE_ADDR": "::1"}).get_json()
    assert "devices" in ipv6


def test_staff_from_elsewhere_get_the_details(app, login, bearer):
    browser = app.test_client()
    browser.environ_base.update(OUTSIDER)
    assert "devices" not in browser.get("/healthz").get_json()
    login(browser, *CLERK)
    assert "devices" in browser.get("/healthz").get_json()
    script = app.test_client().get("/healthz", environ_base=OUTSIDER, headers=bearer(*CLERK))
    assert "async_mode" in script.get_json()


def test_a_request_forwarded_by_a_proxy_on_this_machine_is_not_local(app_factory):
    # nginx in front without MOTCUA_TRUSTED_PROXIES: everything comes from 127.0.0.1
    untrusted = app_factory().test_client()
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    assert untrusted.get("/healthz", headers=forwarded).get_json() == {"status": "ok", "db": "ok"}
    # MOTCUA_TRUSTED_PROXIES=1: ProxyFix names the caller, and only the machine itself is local
    trusted = app_factory(trusted_proxies=1).test_client()
    assert "devices" not in trusted.get("/healthz", headers=forwarded).get_json()
    mine = trusted.get("/healthz", headers={"X-Forwarded-For": "127.0.0.1"}).get_json()
    assert "devices" in mine


def test_a_broken_database_is_reported_without_its_error_to_outsiders(app, tmp_path):
    store = app.extensions["motcua"].store
    path = store.engine.url.database
    store.dispose()
    os.remove(path)
    os.mkdir(path)  # SQLite cannot open a directory: every new connection fails
    outsider = app.test_client().get("/healthz", environ_base=OUTSIDER)
    assert outsider.status_code == 503
    assert outsider.get_json() == {"status": "error", "db": "error"}
    local = app.test_client().get("/healthz").get_json()
    assert local["status"] == "error" and local["db"].startswith("error: ")
