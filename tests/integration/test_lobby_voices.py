"""A paired lobby TV's own languages (issue 18: "a centre chooses the order of its
languages per lobby… or Vietnamese only at night"): set on /admin/devices, stored,
audited, sent to that TV at once without a reload; its night order applies by the
centre's local time; and every call carries the clips of a language only that lobby
speaks, while `announce.audio` keeps the centre's languages in the centre's order."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from kiosk.extensions import socketio
from tests.support.clients import csrf_token
from tests.support.voices import create_pack, record_for_calls, recorded_slugs, voice_app

TV = "sanh-tang-1"


def received(connection, event: str) -> list:
    return [m["args"][0] for m in connection.get_received() if m["name"] == event]


def save(client, **fields):
    path = f"/admin/devices/displays/{TV}/voice"
    token = csrf_token(client, path)
    return client.post(path, data={"csrf_token": token, **fields})


def test_a_lobby_tvs_languages_are_stored_audited_and_reach_it_live_and_by_night(
    app_factory, tmp_path, login, clock
):
    app = voice_app(app_factory, tmp_path)
    hub = app.extensions["motcua"]
    for centre in hub.centres:
        centre.ctx.clock = clock
    clock.now = datetime(2024, 3, 4, 3, 0, tzinfo=UTC)  # Monday 10:00 in Vietnam
    admin = app.test_client()
    login(admin)
    # A Hmông pack complete for calls, on the admin page; the centre's order stays vi, en.
    create_pack(admin, "hmn", "Hmông")
    record_for_calls(hub.ctx, "hmn", "Hmông")

    # The TV is paired on the devices page and subscribes as the lobby does.
    token = csrf_token(admin, "/admin/devices")
    page = admin.post(
        "/admin/devices/pair",
        data={"csrf_token": token, "confirm": "yes", "kind": "display", "name": TV},
    ).get_data(as_text=True)
    device_token = re.search(r'<code id="pairing-link">[^<]*/pair/([^<]+)</code>', page).group(1)
    tv = socketio.test_client(app, flask_test_client=app.test_client())
    other = socketio.test_client(app, flask_test_client=app.test_client())  # an unpaired lobby
    assert tv.emit("subscribe", {"display": "lobby", "token": device_token}, callback=True)["ok"]
    assert other.emit("subscribe", {"display": "lobby"}, callback=True)["ok"]
    assert received(tv, "lobby_voice") == [{"announce": [], "night": False, "until": None}]
    assert received(other, "lobby_voice") == []

    # The devices page links the TV's languages; Hmông then Vietnamese, Vietnamese at night.
    devices = admin.get("/admin/devices").get_data(as_text=True)
    row = re.search(rf'<tr data-paired="display:{TV}">.*?</tr>', devices, re.S).group(0)
    assert "như trung tâm" in row and f"/admin/devices/displays/{TV}/voice" in row
    form = admin.get(f"/admin/devices/displays/{TV}/voice").get_data(as_text=True)
    assert "<code>hmn</code> Hmông" in form  # the languages the centre can speak
    refused = save(admin, announce="hmn, xyz")
    assert refused.status_code == 400
    assert "Chưa có bộ giọng đọc nào cho xyz" in refused.get_data(as_text=True)
    assert received(tv, "lobby_voice") == []  # nothing changed
    saved = save(admin, announce="hmn, vi", night="vi", night_from="18:00", night_to="07:00")
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/admin/devices")

    # The TV is told at once, with when the night order starts (the centre's 18:00).
    assert received(tv, "lobby_voice") == [
        {"announce": ["hmn", "vi"], "night": False, "until": "2024-03-04T18:00:00+07:00"}
    ]
    assert received(other, "lobby_voice") == []
    devices = admin.get("/admin/devices").get_data(as_text=True)
    row = re.search(rf'<tr data-paired="display:{TV}">.*?</tr>', devices, re.S).group(0)
    assert "hmn, vi" in row and "ban đêm (18:00–07:00): vi" in row
    audit = admin.get("/admin/audit").get_data(as_text=True)
    entry = re.search(r'<tr data-action="display.lobby_voice">.*?</tr>', audit, re.S).group(0)
    assert "Đổi ngôn ngữ của màn hình sảnh" in entry and TV in entry
    assert "[&#34;hmn&#34;, &#34;vi&#34;]" in entry or '["hmn", "vi"]' in entry

    # A call carries the Hmông clips for that TV, beside the centre's own languages.
    tv.get_received()
    anonymous = app.test_client(use_cookies=False)
    anonymous.post("/api/v1/tickets", json={"service": "HT"})
    bearer = anonymous.post(
        "/api/v1/auth/token", json={"username": "admin", "password": "test-admin-pass"}
    ).get_json()["token"]
    called = anonymous.post(
        "/api/v1/counters/3/next", headers={"Authorization": f"Bearer {bearer}"}
    )
    assert called.status_code == 200, called.get_data(as_text=True)
    [call] = received(tv, "call")
    announce = call["announce"]
    assert list(announce["audio"]) == ["vi", "en"]  # the centre's order, as the contract says
    assert announce["audio"]["vi"][0].endswith("/chime.wav")
    assert recorded_slugs(announce["also"]["hmn"], "hmn") == [
        "call",
        "ticket",
        "letter_a",
        "digit_0",
        "digit_0",
        "digit_1",
        "to_counter",
        "counter_3",
    ]
    assert announce["names"]["hmn"] == "Hmông"

    # 18:30 in Vietnam is 11:30 UTC: the TV, asking again at `until`, gets the night order.
    clock.now = datetime(2024, 3, 4, 11, 30, tzinfo=UTC)
    assert tv.emit("subscribe", {"display": "lobby", "token": device_token}, callback=True)["ok"]
    assert received(tv, "lobby_voice") == [
        {"announce": ["vi"], "night": True, "until": "2024-03-05T07:00:00+07:00"}
    ]
    clock.now = datetime(2024, 3, 5, 0, 5, tzinfo=UTC)  # 07:05 the next morning
    assert tv.emit("subscribe", {"display": "lobby", "token": device_token}, callback=True)["ok"]
    assert received(tv, "lobby_voice")[0]["announce"] == ["hmn", "vi"]

    # Stored: a hub process started later on the same database sends the TV the same.
    later = app_factory(centre_file=tmp_path / "voice-centre.toml", database_url=hub.store.url)
    for centre in later.extensions["motcua"].centres:
        centre.ctx.clock = clock
    later_tv = socketio.test_client(later, flask_test_client=later.test_client())
    assert later_tv.emit("subscribe", {"display": "lobby", "token": device_token}, callback=True)[
        "ok"
    ]
    assert received(later_tv, "lobby_voice")[0]["announce"] == ["hmn", "vi"]
    for connection in (tv, other, later_tv):
        connection.disconnect()
