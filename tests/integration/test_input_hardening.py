"""Deep, large and odd input meets a clear refusal in the user's language, never a 500
and never silence: JSON bodies, Socket.IO `subscribe`, the CSV import, control
characters in text fields, and look-alike user names (issue 11)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import websocket

from tests.conftest import csrf_token
from tests.support.hubs import ADMIN, TEST_CENTRE, copy_template, in_process_app

DEEP = "[" * 100_000
JSON_POSTS = [
    "/api/v1/auth/token",
    "/api/v1/tickets",
    "/api/v1/tickets/1/cancel",
    "/api/v1/tickets/1/rating",
    "/api/v1/tickets/by-token/abc/rating",
    "/api/v1/tickets/1/reprint",
    "/api/v1/counters/1/call",
    "/api/v1/counters/1/transfer",
    "/api/v1/counters/1/pause",
    "/api/v1/counters/1/scan",
    "/api/v1/kiosks/kiosk-1/scan",
    "/api/v1/appointments",
    "/api/v1/devices/tokens",
]
CSV_HEADER = "code,service,day,time,name\n"
# Tomorrow at the test centre: bookings are for today or a few days ahead.
DAY = (datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() + timedelta(days=1)).isoformat()


def _appointments(client, headers) -> list:
    return client.get(f"/api/v1/appointments?day={DAY}", headers=headers).get_json()


@pytest.fixture(scope="module")
def deep_json_app(tmp_path_factory):
    """One app for the deep bodies of every route (an app per route cost 0.4 s, 13 times):
    a refused body changes nothing.  The app and an admin's API token."""
    tmp = tmp_path_factory.mktemp("deep-json")
    url = f"sqlite:///{tmp / 'hub.db'}"
    copy_template(url, TEST_CENTRE)
    opened: list = []
    app = in_process_app(tmp, url, TEST_CENTRE, opened)
    username, password = ADMIN
    token = app.test_client(use_cookies=False).post(
        "/api/v1/auth/token", json={"username": username, "password": password}
    )
    assert token.status_code == 200, token.get_json()
    yield app, {"Authorization": f"Bearer {token.get_json()['token']}"}
    for hub in opened:
        hub.close()


@pytest.mark.parametrize("path", JSON_POSTS)
def test_deeply_nested_json_is_a_clear_400_on_every_json_post_route(deep_json_app, path):
    app, headers = deep_json_app
    client = app.test_client()  # its own cookies: ?lang=en below sets one
    answer = client.post(path, data=DEEP, content_type="application/json", headers=headers)
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert answer.get_json() == {
        "error": "too_deep",
        "message": "Yêu cầu lồng nhau quá sâu (tối đa 32 cấp).",
    }
    english = client.post(
        f"{path}?lang=en", data=DEEP, content_type="application/json", headers=headers
    )
    assert english.get_json()["message"] == (
        "The request is nested too deeply (at most 32 levels)."
    )


def test_moderate_nesting_still_works_and_too_large_bodies_are_refused(client, bearer):
    headers = bearer()
    nested = {"service": "HT", "extra": [[[[["still fine"]]]]]}
    assert client.post("/api/v1/tickets", json=nested).status_code == 201
    big = json.dumps({"service": "HT", "pad": "x" * 600_000})
    answer = client.post(
        "/api/v1/tickets?lang=en", data=big, content_type="application/json", headers=headers
    )
    assert answer.status_code == 400
    assert answer.get_json() == {
        "error": "body_too_large",
        "message": "The request is too large (at most 512 KiB).",
    }
    queue = client.get("/api/v1/queue").get_json()
    assert sum(s["waiting"] for s in queue["services"]) == 1  # only the first ticket


def test_control_characters_in_api_text_are_refused_and_nothing_is_stored(client, bearer):
    headers = bearer()
    answer = client.post("/api/v1/tickets", json={"service": "HT\x00"})
    assert answer.status_code == 400
    assert answer.get_json() == {
        "error": "control_character",
        "message": "service có ký tự điều khiển (như dấu tab hoặc ký tự ẩn): vui lòng nhập lại.",
    }
    token = client.post(
        "/api/v1/devices/tokens?lang=en",
        json={"kind": "kiosk", "name": "kiosk\u0085one"},
        headers=headers,
    )
    assert token.status_code == 400
    assert token.get_json()["message"] == (
        "name contains a control character (such as a tab or an invisible character): "
        "please type it again."
    )
    listed = client.get("/api/v1/devices/tokens", headers=headers).get_json()
    assert not any("one" in json.dumps(item) for item in listed)
    queue = client.get("/api/v1/queue").get_json()
    assert sum(s["waiting"] for s in queue["services"]) == 0


def test_csv_import_refuses_a_huge_field_too_many_rows_and_a_large_file(client, bearer):
    headers = {**bearer(), "Content-Type": "text/csv"}
    huge = CSV_HEADER + "X" * 200_000 + f",HT,{DAY},09:00,An\n"
    answer = client.post("/api/v1/appointments/import", data=huge, headers=headers)
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["error"] in ("csv_too_large", "csv_field_too_long")
    assert "CSV" in body["message"]

    long_value = CSV_HEADER + f"B1,HT,{DAY},09:00,{'n' * 300}\n"
    answer = client.post("/api/v1/appointments/import?lang=en", data=long_value, headers=headers)
    assert answer.status_code == 400
    assert answer.get_json() == {
        "error": "csv_field_too_long",
        "message": "Row 2 of the CSV file has a value longer than 200 characters.",
    }
    vietnamese = client.post(
        "/api/v1/appointments/import?lang=vi", data=long_value, headers=headers
    )
    assert vietnamese.get_json()["message"] == ("Dòng 2 của tệp CSV có giá trị dài quá 200 ký tự.")

    rows = CSV_HEADER + "".join(f"C{i},HT,{DAY},09:00,An\n" for i in range(1001))
    answer = client.post("/api/v1/appointments/import?lang=en", data=rows, headers=headers)
    assert answer.status_code == 400
    assert answer.get_json()["message"] == (
        "The CSV file has more than 1000 rows: split it into several files."
    )
    assert _appointments(client, headers) == []  # nothing of those files was booked


def test_csv_import_refuses_a_control_character_in_a_code(client, bearer):
    headers = {**bearer(), "Content-Type": "text/csv"}
    data = CSV_HEADER + f"N\x00,HT,{DAY},09:00,An\nN2,HT,{DAY},09:30,Binh\n"
    answer = client.post("/api/v1/appointments/import?lang=en", data=data, headers=headers)
    body = answer.get_json()
    assert [r["error"] for r in body["rejected"]] == ["control_character"]
    assert body["rejected"][0]["message"].startswith("code contains a control character")
    assert [a["code"] for a in _appointments(client, headers)] == ["N2"]


def _raw_socket(hub) -> websocket.WebSocket:
    """A bare Engine.IO/Socket.IO connection: frames are sent exactly as given."""
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{hub.port}/socket.io/?EIO=4&transport=websocket",
        origin=hub.url,
        timeout=10,
    )
    assert ws.recv().startswith("0")  # engine.io open
    ws.send("40")
    assert ws.recv().startswith("40")  # socket.io connected
    return ws


def _answer(ws, ack_id: int) -> list:
    while True:
        frame = ws.recv()
        if frame == "2":  # engine.io ping
            ws.send("3")
        elif frame.startswith(f"43{ack_id}"):
            return json.loads(frame[len(f"43{ack_id}") :])


def test_subscribe_nested_too_deep_answers_ok_false_and_the_hub_goes_on(hub):
    ws = _raw_socket(hub)
    try:
        ws.send('421["subscribe",' + "[" * 5_000 + "]" * 5_000 + "]")
        assert _answer(ws, 1) == [
            {
                "ok": False,
                "error": "too_deep",
                "message": "Yêu cầu lồng nhau quá sâu (tối đa 32 cấp).",
            }
        ]
        ws.send('422["subscribe",{"display":"lobby","ticket":{"a":1}}]')
        assert _answer(ws, 2)[0]["ok"] is False
        ws.send('423["subscribe",{"display":"lobby"}]')
        assert _answer(ws, 3) == [{"ok": True}]
    finally:
        ws.close()


def test_subscribe_larger_than_64_kib_is_dropped_not_left_hanging(hub):
    ws = _raw_socket(hub)
    ws.send('421["subscribe",' + "[" * 100_000 + "]")
    with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError)):
        for _ in range(10):  # pings may come first; then the hub closes the socket
            if ws.recv() in ("", None):
                raise ConnectionError("closed")
    ws.close()
    again = _raw_socket(hub)  # the hub still serves everyone else
    again.send('421["subscribe",{"display":"lobby"}]')
    assert _answer(again, 1) == [{"ok": True}]
    again.close()


def _add_user(client, username: str, lang: str = "vi"):
    page = f"/admin/users?lang={lang}"
    return client.post(
        page,
        data={
            "username": username,
            "display_name": "Nguyễn Văn A",
            "password": "mat-khau-du-dai",
            "role": "admin",
            "counter": "",
            "csrf_token": csrf_token(client, page),
        },
    )


def _user_names(client) -> str:
    return client.get("/admin/users").get_data(as_text=True)


def test_admin_form_refuses_control_characters_in_the_users_language(client, login):
    login(client)
    answer = _add_user(client, "canbo9\t")
    assert answer.status_code == 400
    assert "ký tự điều khiển (như dấu tab hoặc ký tự ẩn)" in answer.get_data(as_text=True)
    english = _add_user(client, "canbo9\x00", lang="en")
    assert "control character (such as a tab" in english.get_data(as_text=True)
    assert "canbo9" not in _user_names(client)


@pytest.mark.parametrize("lookalike", ["admin.", "Admin", "\u0430dmin", "adm1n", "ad-min"])
def test_a_username_confusable_with_an_existing_one_is_refused(client, login, lookalike):
    login(client)
    answer = _add_user(client, lookalike, lang="en")
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    assert (
        f"User name {lookalike} looks too much like the existing user admin" in text
        or f"User name {lookalike} is already taken" in text
    )
    vietnamese = _add_user(client, lookalike, lang="vi").get_data(as_text=True)
    assert "quá giống" in vietnamese or "đã có người dùng" in vietnamese
    assert f">{lookalike}<" not in _user_names(client)


def test_a_username_is_stored_in_nfc_and_trimmed(client, login):
    login(client)
    decomposed = "  ca\u0300nbo\u0323  "  # "cànbọ" typed as letters + combining marks
    assert _add_user(client, decomposed).status_code == 302
    assert "cànbọ" in _user_names(client)


def test_a_rating_comment_with_a_control_character_is_refused_and_not_stored(client, bearer):
    headers = bearer()
    ticket = client.post("/api/v1/tickets", json={"service": "HT"}).get_json()
    token = ticket["status_url"].rstrip("/").rsplit("/", 1)[1]
    for step in ("next", "start", "finish"):
        assert client.post(f"/api/v1/counters/1/{step}", headers=headers).status_code == 200
    rating = f"/api/v1/tickets/by-token/{token}/rating?lang=vi"
    refused = client.post(rating, json={"score": 5, "comment": "Tốt\x1b[2J"})
    assert refused.status_code == 400
    assert refused.get_json()["message"] == (
        "comment có ký tự điều khiển (như dấu tab hoặc ký tự ẩn): vui lòng nhập lại."
    )
    # nothing was stored: the citizen can still rate, and a line break is fine in a comment
    accepted = client.post(rating, json={"score": 5, "comment": "Nhanh\r\nchu đáo"})
    assert accepted.status_code == 201, accepted.get_data(as_text=True)
