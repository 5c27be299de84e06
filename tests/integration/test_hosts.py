"""The address on a ticket never comes from a request header (kiosk/hosts.py).

Without MOTCUA_PUBLIC_URL (gunicorn as deployed), a request for a host name not on
MOTCUA_ALLOWED_HOSTS is refused before anything happens, and QR codes and status
URLs are built from an allowed name only."""

from __future__ import annotations

import requests

from kiosk.config import parse_host_list as parse_list
from kiosk.hosts import is_allowed, this_machine

EVIL = {"Host": "evil.example"}


def issue(client, **kwargs):
    return client.post("/api/v1/tickets", json={"service": "HT"}, **kwargs)


def test_a_foreign_host_is_refused_in_both_languages_and_issues_nothing(app_factory):
    app = app_factory(public_url="")  # gunicorn without MOTCUA_PUBLIC_URL
    client = app.test_client()
    refused = issue(client, headers=EVIL)
    assert refused.status_code == 400
    assert refused.json["error"] == "host_not_allowed"
    assert "evil.example" in refused.json["message"]
    page = client.get("/kiosk", headers=EVIL)
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "Hệ thống không phục vụ theo tên máy chủ evil.example" in text
    assert "This hub does not answer to the name evil.example" in text
    assert "MOTCUA_ALLOWED_HOSTS" in text
    # the refused request gave no number away: the first real ticket is A001
    honest = issue(client)
    assert honest.status_code == 201 and honest.json["number"] == "A001"
    assert honest.json["status_url"].startswith("http://localhost/t/")


def test_the_qr_code_follows_an_allowed_name_and_is_never_publicly_cached(app_factory):
    app = app_factory(public_url="", allowed_hosts=parse_list("queue.example.gov.vn, .xa.vn"))
    client = app.test_client()
    ticket = issue(client, base_url="http://queue.example.gov.vn").json
    assert ticket["status_url"].startswith("http://queue.example.gov.vn/t/")
    token = ticket["status_url"].rsplit("/", 1)[1]
    # a subdomain of a ".xa.vn" entry is allowed; the list replaces the loopback default
    other = issue(client, base_url="http://thanuyen.xa.vn:8080").json
    assert other["status_url"].startswith("http://thanuyen.xa.vn:8080/t/")
    assert issue(client).status_code == 400  # "localhost" is not on this list
    assert client.get(f"/t/{token}/qr.svg", headers=EVIL).status_code == 400
    qr = client.get(f"/t/{token}/qr.svg", base_url="http://queue.example.gov.vn")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    cache = qr.headers["Cache-Control"]
    assert "public" not in cache and ("private" in cache or "no-store" in cache)


def test_behind_a_trusted_proxy_the_forwarded_host_is_the_one_checked(app_factory):
    app = app_factory(public_url="", trusted_proxies=1, allowed_hosts=("hub.example.gov.vn",))
    client = app.test_client()
    # nginx forwards the name the browser used; the hub sees 127.0.0.1 as its Host
    forged = issue(
        client, base_url="http://127.0.0.1:5000", headers={"X-Forwarded-Host": "evil.example"}
    )
    assert forged.status_code == 400
    served = issue(
        client,
        base_url="http://127.0.0.1:5000",
        headers={"X-Forwarded-Host": "hub.example.gov.vn", "X-Forwarded-Proto": "https"},
    )
    assert served.status_code == 201
    assert served.json["status_url"].startswith("https://hub.example.gov.vn/t/")


def test_a_public_url_decides_every_address_whatever_the_host(app_factory):
    app = app_factory(public_url="https://hangdoi.example.gov.vn")
    ticket = issue(app.test_client(), headers=EVIL)
    assert ticket.status_code == 201  # no list: nothing here is taken from the Host
    assert ticket.json["status_url"].startswith("https://hangdoi.example.gov.vn/t/")


def test_host_names_are_compared_as_django_does():
    allowed = parse_list("Hub.Local, 192.168.1.10 ::1 .example.gov.vn")
    assert allowed == ("hub.local", "192.168.1.10", "[::1]", ".example.gov.vn")
    for host in ("hub.local", "HUB.LOCAL:5000", "hub.local.", "192.168.1.10:80", "[::1]:5000"):
        assert is_allowed(host, allowed), host
    assert is_allowed("a.b.example.gov.vn", allowed) and is_allowed("example.gov.vn", allowed)
    for host in ("evil.example", "hub.local.evil", "notexample.gov.vn", "hub.local:99999", ""):
        assert not is_allowed(host, allowed), host
    assert not is_allowed("hub.local/x", allowed) and not is_allowed("hub.local@evil", allowed)


def test_motcua_run_answers_to_its_own_addresses_without_configuration(hub_process_factory):
    assert set(this_machine("0.0.0.0", "http://192.168.1.10:5000")) >= {
        "192.168.1.10",
        "localhost",
        "127.0.0.1",
        "[::1]",
    }
    hub = hub_process_factory()  # `motcua run --host 127.0.0.1`, no MOTCUA_PUBLIC_URL
    ticket = requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
    assert ticket.status_code == 201
    assert ticket.json()["status_url"].startswith(f"{hub.url}/t/")
    local = requests.get(
        f"{hub.url}/healthz", headers={"Host": f"localhost:{hub.port}"}, timeout=10
    )
    assert local.status_code == 200
    refused = requests.post(
        f"{hub.url}/api/v1/tickets", json={"service": "HT"}, headers=EVIL, timeout=10
    )
    assert refused.status_code == 400 and refused.json()["error"] == "host_not_allowed"


def test_a_socket_event_with_a_foreign_host_gets_no_address_from_it(app_factory):
    # Socket.IO events run without before_request: the status URL checks the name itself
    app = app_factory(public_url="")
    ctx = app.extensions["motcua"].ctx
    with app.test_request_context("/socket.io/", base_url="http://evil.example"):
        assert ctx.status_url("abc") == "/t/abc"
    with app.test_request_context("/socket.io/", base_url="http://127.0.0.1:5000"):
        assert ctx.status_url("abc") == "http://127.0.0.1:5000/t/abc"
