"""The HTTP API against a real running hub: what a kiosk, a clerk's console
and an integrator see."""

from __future__ import annotations

import requests

from tests.conftest import HubProcess


def issue(hub: HubProcess, service: str = "HT", **extra) -> dict:
    response = requests.post(
        f"{hub.url}/api/v1/tickets", json={"service": service, **extra}, timeout=10
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_kiosk_ticket_has_number_position_and_status_url(hub):
    first = issue(hub)
    second = issue(hub)
    assert (first["number"], second["number"]) == ("A001", "A002")
    assert second["position"] == 2 and second["people_ahead"] == 1
    assert second["estimated_wait_s"] > 0
    page = requests.get(second["status_url"], timeout=10)
    assert page.status_code == 200 and "ticket.js" in page.text
    fetched = requests.get(
        f"{hub.url}/api/v1/tickets/{second['id']}", headers=hub.auth(), timeout=10
    ).json()
    assert fetched["status"] == "waiting"
    assert [e["kind"] for e in fetched["history"]] == ["issued"]


def test_numbers_are_per_field(hub):
    assert issue(hub, "HT")["number"] == "A001"
    assert issue(hub, "DD")["number"] == "B001"
    assert issue(hub, "HT")["number"] == "A002"


def test_clerk_day_next_recall_start_finish(hub, admin):
    ticket = issue(hub)
    called = admin.post(f"{hub.url}/api/v1/counters/1/next", timeout=10)
    assert called.status_code == 200 and called.json()["number"] == ticket["number"]
    assert called.json()["status"] == "called" and called.json()["counter"] == 1
    assert admin.post(f"{hub.url}/api/v1/counters/1/recall", timeout=10).status_code == 200
    assert (
        admin.post(f"{hub.url}/api/v1/counters/1/start", timeout=10).json()["status"] == "serving"
    )
    finished = admin.post(f"{hub.url}/api/v1/counters/1/finish", timeout=10)
    assert finished.json()["status"] == "done"
    history = requests.get(
        f"{hub.url}/api/v1/tickets/{ticket['id']}", headers=hub.auth(), timeout=10
    ).json()["history"]
    assert [e["kind"] for e in history] == ["issued", "called", "recalled", "started", "finished"]
    # nobody left: 204, and the counter is free again
    assert admin.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).status_code == 204


def test_second_next_while_holding_a_ticket_is_refused(hub, admin):
    issue(hub)
    issue(hub)
    assert admin.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).status_code == 200
    again = admin.post(f"{hub.url}/api/v1/counters/1/next", timeout=10)
    assert again.status_code == 409
    assert again.json()["error"] == "counter_busy"
    assert "A001" in again.json()["message"]  # says which ticket holds the counter
    queue = requests.get(f"{hub.url}/api/v1/queue", timeout=10).json()
    assert queue["waiting"]["HT"] == 1  # A002 still waiting, not lost


def test_no_show_and_call_by_number(hub, admin):
    issue(hub)
    second = issue(hub)
    admin.post(f"{hub.url}/api/v1/counters/1/next", timeout=10)
    assert (
        admin.post(f"{hub.url}/api/v1/counters/1/no-show", timeout=10).json()["status"] == "no_show"
    )
    called = admin.post(f"{hub.url}/api/v1/counters/2/call", json={"ticket": "a2"}, timeout=10)
    assert called.status_code == 200 and called.json()["id"] == second["id"]
    assert called.json()["counter"] == 2


def test_moves_the_rules_forbid_are_refused_in_words_never_a_500(hub, admin):
    first = issue(hub)
    issue(hub)
    admin.post(f"{hub.url}/api/v1/counters/1/next", timeout=10)
    admin.post(f"{hub.url}/api/v1/counters/1/start", timeout=10)
    for action in ("start", "recall", "no-show"):  # all need a called, not a served ticket
        refused = admin.post(f"{hub.url}/api/v1/counters/1/{action}", timeout=10)
        assert refused.status_code == 409, (action, refused.text)
        assert refused.json()["error"] == "illegal_transition"
        assert "đang được phục vụ" in refused.json()["message"]  # the state, in words
    busy = admin.post(f"{hub.url}/api/v1/counters/1/pause", timeout=10)
    assert busy.status_code == 409 and "A001" in busy.json()["message"]
    assert "%(" not in busy.json()["message"]
    admin.post(f"{hub.url}/api/v1/counters/1/finish", timeout=10)
    done = admin.post(f"{hub.url}/api/v1/counters/2/call", json={"ticket": "A001"}, timeout=10)
    assert done.status_code == 409 and done.json()["error"] == "illegal_transition"
    english = admin.post(
        f"{hub.url}/api/v1/counters/2/call?lang=en", json={"ticket": "A001"}, timeout=10
    ).json()["message"]
    assert english == "Ticket A001 is done: it cannot be called now."
    assert (
        requests.get(
            f"{hub.url}/api/v1/tickets/{first['id']}", headers=hub.auth(), timeout=10
        ).json()["status"]
        == "done"
    )


def test_a_citizen_marked_absent_who_comes_back_is_called_by_number(hub, admin):
    issue(hub)
    admin.post(f"{hub.url}/api/v1/counters/1/next", timeout=10)
    admin.post(f"{hub.url}/api/v1/counters/1/no-show", timeout=10)
    again = admin.post(f"{hub.url}/api/v1/counters/3/call", json={"ticket": "A001"}, timeout=10)
    assert again.status_code == 200 and again.json()["status"] == "called"
    assert again.json()["counter"] == 3
    # "next" never brings an absent citizen back by itself
    admin.post(f"{hub.url}/api/v1/counters/3/finish", timeout=10)
    assert admin.post(f"{hub.url}/api/v1/counters/3/next", timeout=10).status_code == 204


def test_transfer_keeps_number_and_place(hub, admin):
    first = issue(hub, "HT")
    issue(hub, "DD")  # B001 came after A001
    admin.post(f"{hub.url}/api/v1/counters/1/next", timeout=10)
    moved = admin.post(f"{hub.url}/api/v1/counters/1/transfer", json={"service": "DD"}, timeout=10)
    assert moved.status_code == 200, moved.text
    assert moved.json()["number"] == "A001" and moved.json()["service"] == "DD"
    assert moved.json()["status"] == "waiting" and moved.json()["position"] == 1
    # counter 3 serves DD first: the transferred citizen (arrived first) is called before B001
    assert admin.post(f"{hub.url}/api/v1/counters/3/next", timeout=10).json()["number"] == "A001"
    history = requests.get(
        f"{hub.url}/api/v1/tickets/{moved.json()['id']}", headers=hub.auth(), timeout=10
    ).json()
    assert "transferred" in [e["kind"] for e in history["history"]]
    original = requests.get(
        f"{hub.url}/api/v1/tickets/{first['id']}", headers=hub.auth(), timeout=10
    ).json()
    assert original["status"] == "transferred"


def test_pause_blocks_next_until_resume(hub, admin):
    issue(hub)
    paused = admin.post(
        f"{hub.url}/api/v1/counters/1/pause", json={"reason": "Nghỉ trưa"}, timeout=10
    )
    assert paused.json()["state"] == "paused" and paused.json()["pause_reason"] == "Nghỉ trưa"
    refused = admin.post(f"{hub.url}/api/v1/counters/1/next", timeout=10)
    assert refused.status_code == 409 and refused.json()["error"] == "counter_paused"
    assert admin.post(f"{hub.url}/api/v1/counters/1/resume", timeout=10).json()["state"] == "open"
    assert admin.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).status_code == 200


def test_priority_ticket_goes_first_under_strict_policy(hub, admin):
    issue(hub)
    issue(hub)
    elderly = issue(hub, priority="elderly")
    assert elderly["position"] == 1
    assert admin.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).json()["id"] == elderly["id"]


def test_idempotency_key_never_issues_twice(hub):
    headers = {"Idempotency-Key": "tap-7f3a"}
    first = requests.post(
        f"{hub.url}/api/v1/tickets", json={"service": "HT"}, headers=headers, timeout=10
    )
    retry = requests.post(
        f"{hub.url}/api/v1/tickets", json={"service": "HT"}, headers=headers, timeout=10
    )
    assert first.status_code == 201 and retry.status_code == 200
    assert first.json()["id"] == retry.json()["id"]
    assert requests.get(f"{hub.url}/api/v1/queue", timeout=10).json()["waiting"]["HT"] == 1
    # the same key for another field is a kiosk bug, said so rather than the wrong ticket
    other = requests.post(
        f"{hub.url}/api/v1/tickets", json={"service": "DD"}, headers=headers, timeout=10
    )
    assert other.status_code == 409 and other.json()["error"] == "idempotency_key_reused"
    assert "A001" in other.json()["message"]
    # keys are compared whole: two long keys that share 64 characters are not one
    long_key = {"Idempotency-Key": "x" * 64 + "A"}
    too_long = requests.post(
        f"{hub.url}/api/v1/tickets", json={"service": "HT"}, headers=long_key, timeout=10
    )
    assert too_long.status_code == 400 and too_long.json()["error"] == "invalid_idempotency_key"
    assert requests.get(f"{hub.url}/api/v1/queue", timeout=10).json()["waiting"] == {
        "HT": 1,
        "DD": 0,
        "TKQ": 0,
    }


def test_daily_cap_refuses_with_a_clear_message(hub):
    for _ in range(5):
        issue(hub, "TKQ")
    full = requests.post(f"{hub.url}/api/v1/tickets", json={"service": "TKQ"}, timeout=10)
    assert full.status_code == 409 and full.json()["error"] == "service_full"
    assert "5" in full.json()["message"]
    assert "Trả kết quả" in full.json()["message"]  # the field's name, not its code
    english = requests.post(
        f"{hub.url}/api/v1/tickets?lang=en", json={"service": "TKQ"}, timeout=10
    ).json()["message"]
    assert english == "Field Result pick-up has given all 5 numbers for today."


def test_bad_input_gets_a_clear_error_in_the_users_language_and_changes_nothing(hub, admin):
    cases = [
        ("post", "/api/v1/tickets", {"data": "not json"}, 400),
        ("post", "/api/v1/tickets", {"json": [1, 2]}, 400),
        ("post", "/api/v1/tickets", {"json": {}}, 400),
        ("post", "/api/v1/tickets", {"json": {"service": 5}}, 400),
        ("post", "/api/v1/tickets", {"json": {"service": "ZZ"}}, 404),
        ("post", "/api/v1/tickets", {"json": {"service": "HT", "priority": "vip"}}, 400),
        ("post", "/api/v1/tickets", {"json": {"service": "HT", "source": "fax"}}, 400),
        ("post", "/api/v1/tickets", {"json": {"service": "HT", "kiosk": "kiosk-99"}}, 404),
        ("post", "/api/v1/tickets", {"json": {"service": "HT" * 200}}, 400),
        ("get", "/api/v1/tickets/999999", {}, 404),
        ("post", "/api/v1/tickets/1/rating", {"json": {"score": 9}}, 400),
        ("post", "/api/v1/counters/99/next", {}, 404),
        ("post", "/api/v1/counters/1/finish", {}, 409),
        ("post", "/api/v1/counters/1/call", {"json": {"ticket": "???"}}, 400),
        ("post", "/api/v1/counters/1/transfer", {"json": {}}, 400),
        ("post", "/api/v1/counters/1/transfer", {"json": {"counter": "two"}}, 400),
        ("post", "/api/v1/counters/1/resume", {}, 409),
        ("get", "/api/v1/nothing-here", {}, 404),
        ("delete", "/api/v1/tickets", {}, 405),
    ]
    for method, path, kwargs, status in cases:
        response = getattr(admin, method)(f"{hub.url}{path}", timeout=10, **kwargs)
        assert response.status_code == status, (path, kwargs, response.text)
        body = response.json()
        assert body["error"] and body["message"], (path, body)
    assert requests.get(f"{hub.url}/api/v1/queue", timeout=10).json()["waiting"] == {
        "HT": 0,
        "DD": 0,
        "TKQ": 0,
    }
    vi = requests.post(f"{hub.url}/api/v1/tickets", json={"service": "ZZ"}, timeout=10).json()
    en = requests.post(
        f"{hub.url}/api/v1/tickets?lang=en", json={"service": "ZZ"}, timeout=10
    ).json()
    assert en["message"] == "There is no field with code ZZ."
    wrong_type = requests.post(f"{hub.url}/api/v1/tickets", json={"service": 123}, timeout=10)
    assert wrong_type.json()["message"] == "Yêu cầu không hợp lệ: service phải là chữ."
    assert vi["message"] != en["message"] and "ZZ" in vi["message"]  # Vietnamese by default


def test_counter_actions_need_a_login_and_the_right_counter(hub):
    issue(hub)
    assert requests.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).status_code == 401
    bad = requests.post(
        f"{hub.url}/api/v1/counters/1/next", headers={"Authorization": "Bearer forged"}, timeout=10
    )
    assert bad.status_code == 401
    clerk = hub.session("clerk1", "test-clerk-pass")
    assert clerk.post(f"{hub.url}/api/v1/counters/2/next", timeout=10).status_code == 403
    assert clerk.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).status_code == 200
    wrong = requests.post(
        f"{hub.url}/api/v1/auth/token", json={"username": "clerk1", "password": "nope"}, timeout=10
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "bad_credentials"


def test_rating_once_after_service(hub, admin):
    ticket = issue(hub)
    early = requests.post(
        f"{hub.url}/api/v1/tickets/{ticket['id']}/rating", json={"score": 5}, timeout=10
    )
    assert early.status_code == 409
    admin.post(f"{hub.url}/api/v1/counters/1/next", timeout=10)
    admin.post(f"{hub.url}/api/v1/counters/1/finish", timeout=10)
    rated = requests.post(
        f"{hub.url}/api/v1/tickets/{ticket['id']}/rating",
        json={"score": 2, "reasons": ["waiting_time"]},
        timeout=10,
    )
    assert rated.status_code == 201 and rated.json()["counter"] == 1
    again = requests.post(
        f"{hub.url}/api/v1/tickets/{ticket['id']}/rating", json={"score": 5}, timeout=10
    )
    assert again.status_code == 409 and again.json()["error"] == "already_rated"


def test_queue_snapshot_shows_counters_and_waiting(hub, admin):
    issue(hub)
    issue(hub, "DD")
    admin.post(f"{hub.url}/api/v1/counters/1/next", timeout=10)
    snapshot = requests.get(f"{hub.url}/api/v1/queue", timeout=10).json()
    counter1 = next(c for c in snapshot["counters"] if c["number"] == 1)
    assert counter1["current"]["number"] == "A001" and counter1["state"] == "open"
    assert snapshot["waiting"] == {"HT": 0, "DD": 1, "TKQ": 0}
    assert snapshot["recent_calls"][0]["number"] == "A001"
    health = requests.get(f"{hub.url}/healthz", timeout=10).json()
    assert health["db"] == "ok"


def test_a_forged_host_header_never_reaches_the_qr_codes(hub):
    evil = {"Host": "evil.example"}
    requests.get(f"{hub.url}/healthz", headers=evil, timeout=10)
    forged = requests.post(
        f"{hub.url}/api/v1/tickets", json={"service": "HT"}, headers=evil, timeout=10
    ).json()
    honest = requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10).json()
    # `motcua run` prints its address into the QR codes, whatever a request claims
    for ticket in (forged, honest):
        assert ticket["status_url"].startswith(f"{hub.url}/t/"), ticket["status_url"]
