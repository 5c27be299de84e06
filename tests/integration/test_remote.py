"""Numbers by phone through the HTTP API and pages of a hub in this process (Flask's test
client): the limits refuse with a reason in the caller's language, the same rate limit
as kiosks, "I am here" only on the centre's network or from staff, a kiosk scan of the
/t QR checks in, the admin page's changes are audited, and the report counts them."""

from __future__ import annotations

import pytest

from kiosk.core.remote import FieldRule, RemoteRules
from kiosk.usecases import remote
from tests.support.clients import csrf_token

TAKE = "/api/v1/remote-tickets"


@pytest.fixture
def hub_ctx(app):
    """The test centre with numbers by phone on for HT (and the test client's address,
    127.0.0.1, not on the centre's network)."""
    ctx = app.extensions["motcua"].ctx
    remote.update_settings(
        ctx, None, RemoteRules(fields={"HT": FieldRule(enabled=True)}, networks=("10.0.0.0/8",))
    )
    return ctx


def take(client, phone="0912 345 678", service="HT", lang="vi", **extra):
    body = {"service": service, "phone": phone, **extra}
    return client.post(f"{TAKE}?lang={lang}", json=body)


def test_a_number_from_home_is_checked_in_at_the_kiosk_scanner(client, hub_ctx):
    answer = take(client)
    assert answer.status_code == 201, answer.json
    ticket = answer.json
    assert (ticket["status"], ticket["number"]) == ("remote", "A001")
    assert ticket["status_url"].endswith(f"/t/{ticket['token']}")
    page = client.get(f"/t/{ticket['token']}")
    assert page.status_code == 200 and "Tôi đã đến" in page.get_data(as_text=True)
    # a clerk pressing "next" does not call someone who is not there
    assert client.get("/api/v1/queue").json["waiting"]["HT"] == 0
    scanned = client.post("/api/v1/kiosks/kiosk-1/scan", json={"code": ticket["status_url"]})
    assert scanned.status_code == 200, scanned.json
    assert scanned.json["kind"] == "checkin"
    assert client.get("/api/v1/queue").json["waiting"]["HT"] == 1
    again = client.post(f"/api/v1/tickets/by-token/{ticket['token']}/check-in?lang=en")
    assert again.status_code == 409
    assert again.json["message"] == "Number A001 is already checked in."


def test_i_am_here_only_on_the_centre_network_or_from_staff(client, hub_ctx, bearer):
    token = take(client).json["token"]
    path = f"/api/v1/tickets/by-token/{token}/check-in"
    away = client.post(f"{path}?lang=en")
    assert away.status_code == 403 and away.json["error"] == "remote_not_at_centre"
    assert "Wi-Fi" in away.json["message"]
    clerk = client.post(path, headers=bearer("clerk1", "test-clerk-pass"))
    assert clerk.status_code == 200 and clerk.json["status"] == "waiting"
    assert clerk.json["remote"]["checked_in"] is True
    other = take(client, phone="0987 654 321").json["token"]
    remote.update_settings(
        hub_ctx,
        None,
        RemoteRules(fields={"HT": FieldRule(enabled=True)}, networks=("127.0.0.0/8",)),
    )
    here = client.post(f"/api/v1/tickets/by-token/{other}/check-in")
    assert here.status_code == 200 and here.json["status"] == "waiting"


def test_limits_answer_409_with_the_reason_in_the_callers_language(client, hub_ctx):
    off = take(client, service="DD", lang="en")
    assert off.status_code == 409
    assert off.json == {
        "error": "remote_off",
        "message": "Field Land does not give numbers by phone. Please take one at the centre.",
    }
    assert take(client).status_code == 201
    twice = take(client, phone="+84 912 345 678")
    assert twice.status_code == 409 and twice.json["error"] == "remote_one_per_person"
    assert twice.json["message"].startswith("Số điện thoại hoặc số định danh này")
    bad = take(client, phone="12", lang="en")
    assert bad.status_code == 400 and "10 digits" in bad.json["message"]
    kiosk_way = client.post("/api/v1/tickets", json={"service": "HT", "source": "remote"})
    assert kiosk_way.status_code == 400  # no remote number without its limits
    remote.update_settings(
        hub_ctx, None, RemoteRules(fields={"TKQ": FieldRule(enabled=True, share_pct=20)})
    )
    assert take(client, service="TKQ", phone="0987 000 111").status_code == 201  # 20 % of 5
    full = take(client, service="TKQ", phone="0987 000 222")
    assert full.status_code == 409 and full.json["error"] == "remote_share_full"
    assert full.json["message"] == (
        "Hôm nay đã hết 1 số lấy qua điện thoại của lĩnh vực Trả kết quả. "
        "Vui lòng lấy số tại Trung tâm."
    )


def test_numbers_by_phone_share_the_kiosks_rate_limit(app_factory):
    app = app_factory(env={"MOTCUA_ISSUE_RATE_PER_MIN": "3"})
    remote.update_settings(
        app.extensions["motcua"].ctx, None, RemoteRules(fields={"HT": FieldRule(enabled=True)})
    )
    client = app.test_client()
    statuses = [take(client, phone=f"091234567{n}").status_code for n in range(4)]
    assert statuses == [201, 201, 201, 429]


def test_the_admin_page_changes_the_rules_and_the_audit_log_records_it(client, login, app):
    login(client)
    token = csrf_token(client, "/admin/remote")
    form = {
        "csrf_token": token,
        "lose_place_after": "2",
        "near_ahead": "4",
        "networks": "192.168.1.0/24",
        "webhook_url": "https://sms.example.vn/motcua",
        "webhook_secret": "very-secret",
        "on_HT": "y",
        "share_HT": "30",
        "bring_HT": "Căn cước công dân",
        "share_DD": "50",
        "share_TKQ": "50",
    }
    saved = client.post("/admin/remote", data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    rules = remote.settings_rules(app.extensions["motcua"].ctx)
    assert rules.field("HT") == FieldRule(True, 30, "Căn cước công dân", "")
    assert not rules.field("DD").enabled
    assert (rules.lose_place_after, rules.near_ahead) == (2, 4)
    assert rules.webhook_secret == "very-secret"
    log = client.get("/admin/audit").get_data(as_text=True)
    assert "remote.update" in log and "very-secret" not in log
    refused = client.post("/admin/remote", data={**form, "networks": "not an address"})
    assert refused.status_code == 400
    assert "not an address" in refused.get_data(as_text=True)


def test_the_remote_page_lists_only_the_fields_that_give_numbers_by_phone(client, hub_ctx):
    page = client.get("/remote").get_data(as_text=True)
    assert 'value="HT"' in page and 'value="DD"' not in page
    english = client.get("/remote?lang=en").get_data(as_text=True)
    assert "Take a number from home" in english


def test_the_report_counts_numbers_by_phone_apart(client, hub_ctx, bearer):
    take(client)
    summary = client.get("/api/v1/reports/summary", headers=bearer()).json
    assert summary["remote"] == {"taken": 1, "checked_in": 0, "lost_place": 0, "served": 0}


def test_a_clerk_checks_in_by_scanning_the_phone_at_the_counter(client, hub_ctx, bearer):
    ticket = take(client).json
    clerk = bearer("clerk1", "test-clerk-pass")
    scanned = client.post(
        "/api/v1/counters/1/scan?lang=en", json={"code": ticket["status_url"]}, headers=clerk
    )
    assert scanned.status_code == 200, scanned.json
    assert scanned.json["kind"] == "checkin"  # checked in, not called ahead of anyone
    assert scanned.json["note"]["en"] == "Number A001 checked in: it keeps its place in the queue."
    assert client.get("/api/v1/queue").json["counters"][0]["current"] is None
    log = client.get(f"/api/v1/tickets/{ticket['id']}", headers=clerk).json["history"]
    assert [e["kind"] for e in log] == ["issued", "checked_in"]
    assert log[1]["data"] == {"by": "clerk", "kept_place": True}


def test_the_remote_page_works_under_the_centres_prefix(client, hub_ctx):
    page = client.get("/c/test-centre/remote")
    assert page.status_code == 200
    assert 'data-centre="test-centre"' in page.get_data(as_text=True)


def test_a_webhook_without_a_secret_is_refused_in_words(client, login, app):
    """Notices signed with an empty key prove nothing: the admin page will not save a
    webhook address without a secret, and says why in the admin's language."""
    login(client)
    form = {
        "csrf_token": csrf_token(client, "/admin/remote"),
        "lose_place_after": "3",
        "near_ahead": "3",
        "webhook_url": "https://sms.example.vn/motcua",
        "webhook_secret": "",
        "on_HT": "y",
        "share_HT": "50",
        "share_DD": "50",
        "share_TKQ": "50",
    }
    refused = client.post("/admin/remote", data=form)
    assert refused.status_code == 400
    assert "Địa chỉ webhook cần có khóa bí mật" in refused.get_data(as_text=True)
    english = client.post("/admin/remote?lang=en", data={**form, "webhook_secret": "   "})
    assert english.status_code == 400
    assert "A webhook address needs a secret" in english.get_data(as_text=True)
    rules = remote.settings_rules(app.extensions["motcua"].ctx)
    assert (rules.webhook_url, rules.field("HT").enabled) == ("", False)  # nothing saved

    saved = client.post("/admin/remote", data={**form, "webhook_secret": "s3cret"})
    assert saved.status_code == 302
    kept = client.post("/admin/remote", data={**form, "near_ahead": "2"})  # empty: keep it
    assert kept.status_code == 302
    rules = remote.settings_rules(app.extensions["motcua"].ctx)
    assert (rules.webhook_url, rules.webhook_secret, rules.near_ahead) == (
        "https://sms.example.vn/motcua",
        "s3cret",
        2,
    )


def test_a_clerk_without_a_scanner_checks_in_the_number_typed_from_the_phone(
    client, hub_ctx, bearer
):
    clerk = bearer("clerk1", "test-clerk-pass")
    at_home = take(client).json  # A001, still at home
    lobby = client.post("/api/v1/tickets", json={"service": "HT"}).json  # A002, in the lobby
    assert client.post("/api/v1/counters/1/next", headers=clerk).json["number"] == "A002"
    assert client.post("/api/v1/counters/1/finish", headers=clerk).status_code == 200
    assert client.post("/api/v1/counters/1/next", headers=clerk).status_code == 204  # nobody

    # the citizen arrives and shows "A001" on the phone; the clerk types it as seen
    path = "/api/v1/counters/1/check-in"
    checked = client.post(path, json={"ticket": " a1 "}, headers=clerk)
    assert checked.status_code == 200, checked.json
    assert (checked.json["number"], checked.json["status"]) == ("A001", "waiting")
    assert checked.json["remote"]["checked_in"] is True
    assert client.get("/api/v1/queue").json["counters"][0]["current"] is None  # not called yet
    called = client.post("/api/v1/counters/1/next", headers=clerk)
    assert called.json["number"] == "A001" and called.json["id"] == at_home["id"]
    log = client.get(f"/api/v1/tickets/{at_home['id']}", headers=clerk).json["history"]
    assert [e["kind"] for e in log][:2] == ["issued", "checked_in"]
    assert log[1]["data"] == {"by": "clerk", "kept_place": True}

    # refusals, each saying why in the clerk's language
    again = client.post(f"{path}?lang=en", json={"ticket": "A001"}, headers=clerk)
    assert again.status_code == 409
    assert again.json["message"] == "Number A001 is already checked in."
    kiosk = client.post(f"{path}?lang=en", json={"ticket": lobby["number"]}, headers=clerk)
    assert kiosk.status_code == 409 and kiosk.json["error"] == "remote_not_by_phone"
    assert kiosk.json["message"].startswith("Number A002 was not taken by phone")
    unknown = client.post(f"{path}?lang=vi", json={"ticket": "A099"}, headers=clerk)
    assert unknown.status_code == 404
    assert unknown.json["message"] == "Không tìm thấy số thứ tự A099."
    garbled = client.post(f"{path}?lang=en", json={"ticket": "12-AB"}, headers=clerk)
    assert garbled.status_code == 400 and "is not a ticket number" in garbled.json["message"]
    anonymous = client.post(path, json={"ticket": "A001"})
    assert anonymous.status_code == 401
