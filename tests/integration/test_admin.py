"""/admin against a real running hub, driven like a person in a browser:
log in through /login, fill a form (with its CSRF token), and see the change
on the kiosks and screens, in the audit log, and at the next login."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

import requests

from tests.support.clients import CONFIRM, Desk, Screen, issue
from tests.support.hubs import ROOT, TEST_CENTRE


def services(hub) -> dict[str, dict]:
    listed = requests.get(f"{hub.url}/api/v1/services", timeout=10).json()
    return {s["code"]: s for s in listed}


HT_FORM = {
    "name": "Tư pháp - Hộ tịch",
    "name_en": "Justice - Civil status",
    "prefix": "A",
    "daily_cap": "",
    "target_wait_min": "",
    "hours_text": "",
    "position": "0",
    "active": "y",
}


def test_a_renamed_field_and_a_new_ticker_reach_kiosks_and_screens_at_once(hub):
    desk = Desk(hub)
    kiosk = Screen(hub.url, {"display": "kiosk"})
    lobby = Screen(hub.url, {"display": "lobby"})
    counter = Screen(hub.url, {"counter": 1})
    for screen in (kiosk, lobby):
        screen.client.on("settings", screen._recorder("settings"))
    try:
        kiosk.wait_for("snapshot")
        lobby.wait_for("snapshot")
        counter.wait_for("snapshot")

        renamed = {**HT_FORM, "name": "Hộ tịch - Chứng thực", "target_wait_min": "20"}
        page = desk.post("/admin/services/HT", renamed)
        assert page.status_code == 200 and "Hộ tịch - Chứng thực" in page.text
        shown = kiosk.wait_for(
            "snapshot",
            where=lambda s: any(x["name"] == "Hộ tịch - Chứng thực" for x in s["services"]),
        )
        assert next(x for x in shown["services"] if x["code"] == "HT")["target_wait_s"] == 1200

        display = {"ticker": "Nghỉ trưa 11:30–13:30", "voice": "y", "languages": "vi"}
        assert desk.post("/admin/display", {**display, "repeat": "2"}).status_code == 200
        settings = lobby.wait_for("settings", where=lambda c: c["ticker"].startswith("Nghỉ"))
        assert (settings["repeat"], settings["languages"]) == (2, ["vi"])

        # Counter 1 now serves only Land: its console and screen learn it without reloading.
        order = {"name": "Quầy 1 - Đất đai", "order-DD": "1"}
        assert desk.post("/admin/counters/1", order).status_code == 200
        mine = counter.wait_for(
            "snapshot", where=lambda s: s["counter"]["name"] == "Quầy 1 - Đất đai"
        )
        assert mine["counter"]["services"] == ["DD"]

        # Calls are now spoken in Vietnamese only.
        issue(hub, "DD")
        api = hub.session()
        assert api.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).status_code == 200
        call = lobby.wait_for("call")
        assert list(call["announce"]["audio"]) == ["vi"]
    finally:
        for screen in (kiosk, lobby, counter):
            screen.close()


def test_bad_input_is_refused_on_the_form_in_the_users_language_and_changes_nothing(hub):
    desk = Desk(hub)
    assert '<html lang="vi">' in Desk(hub, lang="vi").get("/admin/services").text
    taken = desk.post("/admin/services/HT", {**HT_FORM, "prefix": "B", "name": "Đổi tên"})
    assert taken.status_code == 400 and 'role="alert"' in taken.text
    assert "Field Đất đai already gives numbers with B." in taken.text
    not_a_number = desk.post("/admin/services/HT", {**HT_FORM, "daily_cap": "nhiều"})
    assert not_a_number.status_code == 400
    assert "Write a whole number, for example 30." in not_a_number.text
    bad_hours = desk.post(
        "/admin/centre",
        {"name": "X", "timezone": "Asia/Ho_Chi_Minh", "hours_text": "mon-fri 17:00-07:30"},
    )
    assert bad_hours.status_code == 400 and "not valid" in bad_hours.text
    bad_zone = desk.post("/admin/centre", {"name": "X", "timezone": "Mars/Base"})
    assert bad_zone.status_code == 400 and "Unknown time zone Mars/Base" in bad_zone.text

    fields = services(hub)
    assert (fields["HT"]["name"], fields["HT"]["prefix"]) == ("Tư pháp - Hộ tịch", "A")
    assert issue(hub)["number"] == "A001"
    snapshot = requests.get(f"{hub.url}/api/v1/queue", timeout=10).json()
    assert snapshot["centre"]["name"].startswith("Bộ phận Một cửa")


def test_a_new_clerk_logs_in_works_only_at_their_counter_and_can_be_shut_out(hub):
    desk = Desk(hub)
    added = desk.post(
        "/admin/users",
        {
            "username": "canbo9",
            "display_name": "Lò Thị Hoa",
            "password": "mat-khau-9",
            "role": "clerk",
            "counter": "3",
        },
    )
    assert added.status_code == 200 and "canbo9" in added.text
    clerk = Desk(hub, "canbo9", "mat-khau-9")
    assert clerk.login.status_code == 200 and 'id="console"' in clerk.get("/counter").text
    issue(hub)
    token = hub.token("canbo9", "mat-khau-9")
    bearer = {"Authorization": f"Bearer {token}"}
    assert (
        requests.post(f"{hub.url}/api/v1/counters/4/next", headers=bearer, timeout=10).status_code
        == 403
    )
    assert (
        requests.post(f"{hub.url}/api/v1/counters/3/next", headers=bearer, timeout=10).status_code
        == 200
    )
    assert clerk.get("/admin").status_code == 403  # a clerk has no admin pages

    short = desk.post("/admin/users", {"username": "canbo10", "password": "123", "role": "clerk"})
    assert short.status_code == 400 and "at least 8 characters" in short.text
    assert Desk(hub, "canbo10", "123").login.status_code == 401

    users_page = desk.get("/admin/users").text
    user_id = re.search(r'<tr data-user="canbo9".*?/admin/users/(\d+)"', users_page, re.S).group(1)
    desk.post(
        f"/admin/users/{user_id}/password", {"password": "mat-khau-moi"}, f"/admin/users/{user_id}"
    )
    assert Desk(hub, "canbo9", "mat-khau-9").login.status_code == 401
    assert Desk(hub, "canbo9", "mat-khau-moi").login.status_code == 200
    desk.post(f"/admin/users/{user_id}/deactivate", CONFIRM, "/admin/users")
    assert Desk(hub, "canbo9", "mat-khau-moi").login.status_code == 401
    assert clerk.get("/counter", allow_redirects=False).status_code == 302  # logged out at once

    me = re.search(r'<tr data-user="admin".*?/admin/users/(\d+)"', users_page, re.S).group(1)
    alone = desk.post(f"/admin/users/{me}", {"display_name": "A", "role": "clerk", "counter": ""})
    assert alone.status_code == 400 and "at least one active administrator" in alone.text


def test_the_audit_log_shows_who_did_what_newest_first(hub):
    clerk = hub.session("clerk1", "test-clerk-pass")
    issue(hub)
    assert clerk.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).status_code == 200
    assert clerk.post(f"{hub.url}/api/v1/counters/1/finish", timeout=10).status_code == 200
    desk = Desk(hub)
    desk.post(
        "/admin/display",
        {"ticker": "Xin chào", "voice": "y", "languages": ["vi", "en"], "repeat": "1"},
    )
    page = desk.get("/admin/audit?lang=en").text
    rows = re.findall(r'<tr data-action="([^"]+)">(.*?)</tr>', page, re.S)
    assert [action for action, _ in rows] == ["display.update", "counter.finish", "counter.next"]
    assert "Nguyễn Văn An" in rows[1][1] and "A001" in rows[2][1]
    assert "Xin chào" in rows[0][1] and "Display settings changed" in rows[0][1]


def test_closing_the_day_marks_who_still_waits_and_leaves_the_counter_alone(hub):
    first, second, third = issue(hub), issue(hub), issue(hub, "DD")
    api = hub.session()
    assert api.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).json()["id"] == first["id"]
    phone = Screen(hub.url, {"ticket": second["token"]})
    try:
        phone.wait_for("snapshot")
        desk = Desk(hub)
        stray = desk.post("/admin/close-day", {}, "/admin")  # no button pressed: nothing happens
        assert stray.status_code == 400 and "Citizens still waiting now: 2." in stray.text
        closed = desk.post("/admin/close-day", CONFIRM, "/admin")
        assert closed.status_code == 200
        assert "Day closed: 2 waiting tickets were marked as not served." in closed.text
        told = phone.wait_for("ticket")
        assert told["status"] == "closed_unserved"
    finally:
        phone.close()
    status = {
        t["id"]: api.get(f"{hub.url}/api/v1/tickets/{t['id']}", timeout=10).json()["status"]
        for t in (first, second, third)
    }
    assert status == {
        first["id"]: "called",
        second["id"]: "closed_unserved",
        third["id"]: "closed_unserved",
    }
    assert requests.get(f"{hub.url}/api/v1/queue", timeout=10).json()["waiting"] == {
        "HT": 0,
        "DD": 0,
        "TKQ": 0,
    }
    assert '<tr data-action="day.close">' in desk.get("/admin/audit").text


def test_the_first_number_of_a_new_day_closes_yesterdays_queue(hub):
    yesterday = issue(hub, "HT")
    with sqlite3.connect(hub.tmp / "hub.db") as db:  # as if it had been issued yesterday
        db.execute(
            "UPDATE tickets SET business_day = date(business_day, '-1 day') WHERE id = ?",
            (yesterday["id"],),
        )
    today = issue(hub, "DD")  # Land's first number today
    api = hub.session()
    called = api.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).json()
    assert called["id"] == today["id"]  # yesterday's citizen is not called today
    left = api.get(f"{hub.url}/api/v1/tickets/{yesterday['id']}", timeout=10).json()
    assert left["status"] == "closed_unserved"
    assert left["history"][-1]["kind"] == "closed_unserved"


def test_appointments_page_lists_todays_bookings_for_supervisors(hub):
    desk = Desk(hub)
    desk.post(
        "/admin/users", {"username": "giamsat", "password": "giam-sat-1", "role": "supervisor"}
    )
    # the centre's today (Hà Nội time), which is not UTC's from 17:00 UTC on
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    api = hub.session()
    booked = api.post(
        f"{hub.url}/api/v1/appointments",
        json={
            "appointments": [
                {
                    "code": "HEN-001",
                    "service": "HT",
                    "day": today,
                    "time": "23:59",
                    "name": "Vàng A Páo",
                    "phone": "0912345678",
                }
            ]
        },
        timeout=10,
    )
    assert booked.status_code == 201, booked.text
    supervisor = Desk(hub, "giamsat", "giam-sat-1")
    page = supervisor.get(f"/admin/appointments?day={today}")
    assert page.status_code == 200
    assert "HEN-001" in page.text and "Vàng A Páo" in page.text and "23:59" in page.text
    assert supervisor.get("/admin/users").status_code == 403
    assert (
        requests.get(f"{hub.url}/admin/users", allow_redirects=False, timeout=10)
        .headers["Location"]
        .startswith("/login")
    )


def test_test_print_comes_out_of_the_printer(hub_factory, tmp_path):
    paper = tmp_path / "printer.bin"
    config = tmp_path / "centre-printer.toml"
    config.write_text(
        TEST_CENTRE.read_text(encoding="utf-8")
        + f'\n[[printers]]\nname = "quay-le-tan"\nurl = "file://{paper}"\npaper_mm = 80\n',
        encoding="utf-8",
    )
    hub = hub_factory(config=config)
    desk = Desk(hub)
    paired = hub.session().post(
        f"{hub.url}/api/v1/devices/tokens", json={"kind": "display", "name": "tv-sanh"}, timeout=10
    )
    assert paired.status_code == 201
    page = desk.get("/admin/devices").text
    assert "quay-le-tan" in page
    assert re.search(r'data-paired="display:tv-sanh">.*?never', page, re.S)  # not seen yet
    sent = desk.post("/admin/devices/printers/quay-le-tan/test", CONFIRM, "/admin/devices")
    assert sent.status_code == 200 and "quay-le-tan" in sent.text
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (not paper.exists() or paper.stat().st_size < 100):
        time.sleep(0.1)
    assert paper.stat().st_size > 100  # a raster ticket's bytes
    unknown = desk.post("/admin/devices/printers/khong-co/test", CONFIRM, "/admin/devices")
    assert unknown.status_code == 400


def test_a_centre_chooses_its_own_recorded_voice(hub):
    import shutil

    own = hub.tmp / "instance" / "voices" / "vi-hue"
    shutil.copytree(ROOT / "display" / "voices" / "vi", own)
    toml = (own / "pack.toml").read_text(encoding="utf-8")
    (own / "pack.toml").write_text(toml.replace('name = "vi"', 'name = "vi-hue"'), "utf-8")
    desk = Desk(hub)
    assert 'value="vi-hue"' in desk.get("/admin/display").text  # offered once it is there
    display = {"ticker": "", "voice": "y", "languages": ["vi", "en"], "repeat": "1"}
    assert desk.post("/admin/display", {**display, "voice_vi": "khong-co"}).status_code == 400
    saved = desk.post("/admin/display", {**display, "voice_vi": "vi-hue", "voice_en": "en"})
    assert saved.status_code == 200, saved.text[-400:]
    lobby_page = requests.get(f"{hub.url}/display", timeout=10).text
    assert "/display/voice/vi-hue/manifest.json" in lobby_page  # preloaded by the TV
    lobby = Screen(hub.url, {"display": "lobby"})
    try:
        lobby.wait_for("snapshot")
        issue(hub)
        hub.session().post(f"{hub.url}/api/v1/counters/2/next", timeout=10)
        call = lobby.wait_for("call")
        assert all("/vi-hue/" in clip for clip in call["announce"]["audio"]["vi"])
        assert all("/en/" in clip for clip in call["announce"]["audio"]["en"])
        clip = requests.get(hub.url + call["announce"]["audio"]["vi"][0], timeout=10)
        assert clip.status_code == 200 and clip.content[:4] == b"RIFF"
    finally:
        lobby.close()
