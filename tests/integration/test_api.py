"""The HTTP API through Flask's test client (the last test through a served hub):
what a kiosk, a clerk's console and an integrator see."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests


@pytest.fixture
def client(app):
    """Calls as kiosks and integrators make them: each on its own, no cookie kept (a
    `?lang=en` answer must not make the next caller's answers English)."""
    return app.test_client(use_cookies=False)


@pytest.fixture
def staff(bearer) -> dict:
    """An admin's API token headers (a clerk's console, an integrator)."""
    return bearer()


def issue(client, service: str = "HT", **extra) -> dict:
    response = client.post("/api/v1/tickets", json={"service": service, **extra})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def test_kiosk_ticket_has_number_position_and_status_url(client, staff):
    first = issue(client)
    second = issue(client)
    assert (first["number"], second["number"]) == ("A001", "A002")
    assert second["position"] == 2 and second["people_ahead"] == 1
    assert second["estimated_wait_s"] > 0
    page = client.get(urlsplit(second["status_url"]).path)
    assert page.status_code == 200 and "ticket.js" in page.get_data(as_text=True)
    fetched = client.get(f"/api/v1/tickets/{second['id']}", headers=staff).get_json()
    assert fetched["status"] == "waiting"
    assert [e["kind"] for e in fetched["history"]] == ["issued"]


def test_numbers_are_per_field(client):
    assert issue(client, "HT")["number"] == "A001"
    assert issue(client, "DD")["number"] == "B001"
    assert issue(client, "HT")["number"] == "A002"


def test_clerk_day_next_recall_start_finish(client, staff):
    ticket = issue(client)
    called = client.post("/api/v1/counters/1/next", headers=staff)
    assert called.status_code == 200 and called.get_json()["number"] == ticket["number"]
    assert called.get_json()["status"] == "called" and called.get_json()["counter"] == 1
    assert client.post("/api/v1/counters/1/recall", headers=staff).status_code == 200
    assert client.post("/api/v1/counters/1/start", headers=staff).get_json()["status"] == "serving"
    finished = client.post("/api/v1/counters/1/finish", headers=staff)
    assert finished.get_json()["status"] == "done"
    history = client.get(f"/api/v1/tickets/{ticket['id']}", headers=staff).get_json()["history"]
    assert [e["kind"] for e in history] == ["issued", "called", "recalled", "started", "finished"]
    # nobody left: 204, and the counter is free again
    assert client.post("/api/v1/counters/1/next", headers=staff).status_code == 204


def test_second_next_while_holding_a_ticket_is_refused(client, staff):
    issue(client)
    issue(client)
    assert client.post("/api/v1/counters/1/next", headers=staff).status_code == 200
    again = client.post("/api/v1/counters/1/next", headers=staff)
    assert again.status_code == 409
    assert again.get_json()["error"] == "counter_busy"
    assert "A001" in again.get_json()["message"]  # says which ticket holds the counter
    queue = client.get("/api/v1/queue").get_json()
    assert queue["waiting"]["HT"] == 1  # A002 still waiting, not lost


def test_no_show_and_call_by_number(client, staff):
    issue(client)
    second = issue(client)
    client.post("/api/v1/counters/1/next", headers=staff)
    assert (
        client.post("/api/v1/counters/1/no-show", headers=staff).get_json()["status"] == "no_show"
    )
    called = client.post("/api/v1/counters/2/call", headers=staff, json={"ticket": "a2"})
    assert called.status_code == 200 and called.get_json()["id"] == second["id"]
    assert called.get_json()["counter"] == 2


def test_moves_the_rules_forbid_are_refused_in_words_never_a_500(client, staff):
    first = issue(client)
    issue(client)
    client.post("/api/v1/counters/1/next", headers=staff)
    client.post("/api/v1/counters/1/start", headers=staff)
    for action in ("start", "recall", "no-show"):  # all need a called, not a served ticket
        refused = client.post(f"/api/v1/counters/1/{action}", headers=staff)
        assert refused.status_code == 409, (action, refused.get_data(as_text=True))
        assert refused.get_json()["error"] == "illegal_transition"
        assert "đang được phục vụ" in refused.get_json()["message"]  # the state, in words
    busy = client.post("/api/v1/counters/1/pause", headers=staff)
    assert busy.status_code == 409 and "A001" in busy.get_json()["message"]
    assert "%(" not in busy.get_json()["message"]
    client.post("/api/v1/counters/1/finish", headers=staff)
    done = client.post("/api/v1/counters/2/call", headers=staff, json={"ticket": "A001"})
    assert done.status_code == 409 and done.get_json()["error"] == "illegal_transition"
    # the state said as a state, in quotes, and the refused move as a verb (messages.py)
    assert done.get_json()["message"] == (
        "Số A001 đang ở trạng thái “đã phục vụ xong”: không thể gọi lúc này."
    )
    english = client.post(
        "/api/v1/counters/2/call?lang=en", headers=staff, json={"ticket": "A001"}
    ).get_json()["message"]
    assert english == 'Ticket A001 is "done": it cannot be called now.'
    assert (
        client.get(f"/api/v1/tickets/{first['id']}", headers=staff).get_json()["status"] == "done"
    )


def test_a_citizen_marked_absent_who_comes_back_is_called_by_number(client, staff):
    issue(client)
    client.post("/api/v1/counters/1/next", headers=staff)
    client.post("/api/v1/counters/1/no-show", headers=staff)
    again = client.post("/api/v1/counters/3/call", headers=staff, json={"ticket": "A001"})
    assert again.status_code == 200 and again.get_json()["status"] == "called"
    assert again.get_json()["counter"] == 3
    # "next" never brings an absent citizen back by itself
    client.post("/api/v1/counters/3/finish", headers=staff)
    assert client.post("/api/v1/counters/3/next", headers=staff).status_code == 204


def test_transfer_keeps_number_and_place(client, staff):
    first = issue(client, "HT")
    issue(client, "DD")  # B001 came after A001
    client.post("/api/v1/counters/1/next", headers=staff)
    moved = client.post("/api/v1/counters/1/transfer", headers=staff, json={"service": "DD"})
    assert moved.status_code == 200, moved.get_data(as_text=True)
    assert moved.get_json()["number"] == "A001" and moved.get_json()["service"] == "DD"
    assert moved.get_json()["status"] == "waiting" and moved.get_json()["position"] == 1
    # counter 3 serves DD first: the transferred citizen (arrived first) is called before B001
    assert client.post("/api/v1/counters/3/next", headers=staff).get_json()["number"] == "A001"
    history = client.get(f"/api/v1/tickets/{moved.get_json()['id']}", headers=staff).get_json()
    assert "transferred" in [e["kind"] for e in history["history"]]
    original = client.get(f"/api/v1/tickets/{first['id']}", headers=staff).get_json()
    assert original["status"] == "transferred"


def test_pause_blocks_next_until_resume(client, staff):
    issue(client)
    paused = client.post("/api/v1/counters/1/pause", headers=staff, json={"reason": "Nghỉ trưa"})
    assert (
        paused.get_json()["state"] == "paused" and paused.get_json()["pause_reason"] == "Nghỉ trưa"
    )
    refused = client.post("/api/v1/counters/1/next", headers=staff)
    assert refused.status_code == 409 and refused.get_json()["error"] == "counter_paused"
    assert client.post("/api/v1/counters/1/resume", headers=staff).get_json()["state"] == "open"
    assert client.post("/api/v1/counters/1/next", headers=staff).status_code == 200


def test_priority_ticket_goes_first_under_strict_policy(client, staff):
    issue(client)
    issue(client)
    elderly = issue(client, priority="elderly")
    assert elderly["position"] == 1
    assert client.post("/api/v1/counters/1/next", headers=staff).get_json()["id"] == elderly["id"]


def test_idempotency_key_never_issues_twice(client):
    headers = {"Idempotency-Key": "tap-7f3a"}
    first = client.post("/api/v1/tickets", json={"service": "HT"}, headers=headers)
    retry = client.post("/api/v1/tickets", json={"service": "HT"}, headers=headers)
    assert first.status_code == 201 and retry.status_code == 200
    assert first.get_json()["id"] == retry.get_json()["id"]
    assert client.get("/api/v1/queue").get_json()["waiting"]["HT"] == 1
    # the same key for another field is a kiosk bug, said so rather than the wrong ticket
    other = client.post("/api/v1/tickets", json={"service": "DD"}, headers=headers)
    assert other.status_code == 409 and other.get_json()["error"] == "idempotency_key_reused"
    assert "A001" in other.get_json()["message"]
    # keys are compared whole: two long keys that share 64 characters are not one
    long_key = {"Idempotency-Key": "x" * 64 + "A"}
    too_long = client.post("/api/v1/tickets", json={"service": "HT"}, headers=long_key)
    assert too_long.status_code == 400 and too_long.get_json()["error"] == "invalid_idempotency_key"
    assert client.get("/api/v1/queue").get_json()["waiting"] == {
        "HT": 1,
        "DD": 0,
        "TKQ": 0,
    }


def test_daily_cap_refuses_with_a_clear_message(client):
    for _ in range(5):
        issue(client, "TKQ")
    full = client.post("/api/v1/tickets", json={"service": "TKQ"})
    assert full.status_code == 409 and full.get_json()["error"] == "service_full"
    assert "5" in full.get_json()["message"]
    assert "Trả kết quả" in full.get_json()["message"]  # the field's name, not its code
    english = client.post("/api/v1/tickets?lang=en", json={"service": "TKQ"}).get_json()["message"]
    assert english == "Field Result pick-up has given all 5 numbers for today."


def test_bad_input_gets_a_clear_error_in_the_users_language_and_changes_nothing(client, staff):
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
        response = getattr(client, method)(path, headers=staff, **kwargs)
        assert response.status_code == status, (path, kwargs, response.get_data(as_text=True))
        body = response.get_json()
        assert body["error"] and body["message"], (path, body)
    assert client.get("/api/v1/queue").get_json()["waiting"] == {
        "HT": 0,
        "DD": 0,
        "TKQ": 0,
    }
    vi = client.post("/api/v1/tickets", json={"service": "ZZ"}).get_json()
    en = client.post("/api/v1/tickets?lang=en", json={"service": "ZZ"}).get_json()
    assert en["message"] == "There is no field with code ZZ."
    wrong_type = client.post("/api/v1/tickets", json={"service": 123})
    assert wrong_type.get_json()["message"] == "Yêu cầu không hợp lệ: service phải là chữ."
    assert vi["message"] != en["message"] and "ZZ" in vi["message"]  # Vietnamese by default


def test_counter_actions_need_a_login_and_the_right_counter(client, bearer):
    issue(client)
    assert client.post("/api/v1/counters/1/next").status_code == 401
    bad = client.post("/api/v1/counters/1/next", headers={"Authorization": "Bearer forged"})
    assert bad.status_code == 401
    clerk = bearer("clerk1", "test-clerk-pass")
    assert client.post("/api/v1/counters/2/next", headers=clerk).status_code == 403
    assert client.post("/api/v1/counters/1/next", headers=clerk).status_code == 200
    wrong = client.post("/api/v1/auth/token", json={"username": "clerk1", "password": "nope"})
    assert wrong.status_code == 401 and wrong.get_json()["error"] == "bad_credentials"


def test_a_token_checked_once_still_expires_and_a_tampered_one_is_refused(
    client, bearer, monkeypatch
):
    """The process keeps the tokens whose signature it checked (kiosk/auth.py): the same
    token is refused once older than a working day, and one changed by a character is
    checked, not found."""
    import time

    from kiosk import auth

    clerk = bearer("clerk1", "test-clerk-pass")
    assert client.get("/api/v1/tickets/1", headers=clerk).status_code in (200, 404)
    token = clerk["Authorization"][7:]
    tampered = {"Authorization": f"Bearer {token[:-2]}{'A' if token[-2] != 'A' else 'B'}"}
    assert client.get("/api/v1/tickets/1", headers=tampered).status_code == 401
    later = time.time() + auth.TOKEN_MAX_AGE_S + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/api/v1/tickets/1", headers=clerk).status_code == 401


def test_rating_once_after_service(client, staff):
    ticket = issue(client)
    early = client.post(
        f"/api/v1/tickets/{ticket['id']}/rating",
        json={"score": 5, "token": ticket["token"]},
    )
    assert early.status_code == 409
    client.post("/api/v1/counters/1/next", headers=staff)
    client.post("/api/v1/counters/1/finish", headers=staff)
    rated = client.post(
        f"/api/v1/tickets/{ticket['id']}/rating",
        json={"score": 2, "reasons": ["waiting_time"], "token": ticket["token"]},
    )
    assert rated.status_code == 201 and rated.get_json()["counter"] == 1
    again = client.post(
        f"/api/v1/tickets/{ticket['id']}/rating",
        json={"score": 5, "token": ticket["token"]},
    )
    assert again.status_code == 409 and again.get_json()["error"] == "already_rated"


def test_queue_snapshot_shows_counters_and_waiting(client, staff):
    issue(client)
    issue(client, "DD")
    client.post("/api/v1/counters/1/next", headers=staff)
    snapshot = client.get("/api/v1/queue").get_json()
    counter1 = next(c for c in snapshot["counters"] if c["number"] == 1)
    assert counter1["current"]["number"] == "A001" and counter1["state"] == "open"
    assert snapshot["waiting"] == {"HT": 0, "DD": 1, "TKQ": 0}
    assert snapshot["recent_calls"][0]["number"] == "A001"
    health = client.get("/healthz").get_json()
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
