"""Every page the hub serves carries its Content-Security-Policy (kiosk/security_headers.py):
scripts, styles, images, media and connections from the hub itself only, no inline script,
no plugin, no framing by another site. The browser test (tests/browser/test_csp.py) shows
the pages still work under it."""

from __future__ import annotations

from urllib.parse import urlsplit

from kiosk.security_headers import content_security_policy

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "media-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'self'; form-action 'self'"
)
# Pages whose address names something of the test centre.
PAGES_WITH_ARGUMENTS = (
    "/display/counter/1",
    "/admin/services/HT",
    "/admin/counters/1",
    "/admin/priority/elderly",
    "/admin/users/1",
)


def test_the_policy_allows_only_the_hub_itself_and_no_inline_script():
    assert content_security_policy() == POLICY
    assert "unsafe" not in POLICY and "*" not in POLICY and "http" not in POLICY


def test_every_html_page_carries_the_policy_for_visitors_and_staff(app, client, login):
    ticket = client.post("/api/v1/tickets", json={"service": "HT"}).json
    anonymous = app.test_client()
    checked = set()
    status_page = urlsplit(ticket["status_url"]).path
    for path in ("/", "/kiosk", "/display", "/display/counter/1", "/login", status_page):
        response = anonymous.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Security-Policy"] == POLICY, path
        checked.add(path)

    assert login(client).status_code == 302
    paths = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    ]
    for path in [*paths, *PAGES_WITH_ARGUMENTS]:
        response = client.get(path)
        if response.mimetype != "text/html":
            continue
        assert response.headers.get("Content-Security-Policy") == POLICY, path
        checked.add(path)
    assert {"/counter", "/supervisor", "/reports", "/admin", "/admin/devices"} <= checked


def test_error_pages_and_the_ticket_qr_carry_it_too_and_data_does_not_need_it(client):
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert missing.headers["Content-Security-Policy"] == POLICY
    refused = client.get("/pair/not-a-pairing-link")
    assert refused.status_code == 404
    assert refused.headers["Content-Security-Policy"] == POLICY
    token = client.post("/api/v1/tickets", json={"service": "HT"}).json["token"]
    qr = client.get(f"/t/{token}/qr.svg")
    assert qr.mimetype == "image/svg+xml"  # an SVG opened on its own is a document
    assert qr.headers["Content-Security-Policy"] == POLICY
    queue = client.get("/api/v1/queue")
    assert queue.mimetype == "application/json"
    assert "Content-Security-Policy" not in queue.headers
