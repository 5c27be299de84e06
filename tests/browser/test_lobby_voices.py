"""A lobby TV paired on the devices page, set there to "hmn, vi" while it is showing,
speaks the next call in Hmông first, then Vietnamese, after the call's one chime,
though the centre's own order is Vietnamese then English (issue 18: a centre chooses
the order of its languages per lobby)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.conftest import ADMIN
from tests.support.hubs import FIXTURES
from tests.support.voices import call_at_counter_3, open_lobby, record_for_calls, recorded_slugs

TV = "sanh-tang-1"


def test_a_paired_lobby_tv_set_to_hmong_then_vietnamese_speaks_hmong_first(hub_factory, browser):
    hub = hub_factory(config=FIXTURES / "voice-centre.toml")
    record_for_calls(hub.app.extensions["motcua"].ctx, "hmn", "Hmông")
    staff = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    screen = browser.new_context(viewport={"width": 1280, "height": 720}, locale="vi-VN")
    staff.set_default_timeout(10_000)
    screen.set_default_timeout(10_000)
    try:
        admin = staff.new_page()
        admin.goto(f"{hub.url}/admin/devices")
        admin.get_by_label("Tên đăng nhập").fill(ADMIN[0])
        admin.get_by_label("Mật khẩu").fill(ADMIN[1])
        admin.get_by_role("button", name="Đăng nhập").click()
        admin.locator("#pair-form select[name=kind]").select_option("display")
        admin.locator("#pair-form input[name=name]").fill(TV)
        admin.locator("#pair-form button[type=submit]").click()
        link = admin.locator("#pairing-link").inner_text()

        # The TV opens its pairing link once and shows the lobby; then the admin sets it.
        tv = open_lobby(screen, link)
        expect(tv).to_have_url(re.compile(r".*/display/?$"))
        admin.goto(f"{hub.url}/admin/devices")
        row = admin.locator(f'tr[data-paired="display:{TV}"]')
        expect(row.locator(".lobby-voice")).to_contain_text("như trung tâm")
        row.locator(".lobby-voice a").click()
        expect(admin.locator("#known-languages")).to_contain_text("hmn Hmông")
        admin.locator("#announce").fill("hmn, vi")
        admin.locator("#announce").press("Enter")
        expect(admin.locator(".ok-banner")).to_be_visible()
        expect(admin.locator(f'tr[data-paired="display:{TV}"] .lobby-voice')).to_contain_text(
            "hmn, vi"
        )
        # Without a reload, the TV has its own order.
        expect(tv.locator(".lobby")).to_have_attribute("data-own", "hmn,vi")

        vi, slugs = call_at_counter_3(hub)
        expect(tv.locator("#speaking span.now")).to_have_text("Hmông", timeout=15_000)
        expect(tv.locator("#speaking")).to_contain_text("Tiếng Việt")
        expect(tv.locator("#speaking")).not_to_contain_text("English")
        tv.wait_for_function(
            "n => Announcer.log.length >= n", arg=len(vi) + len(slugs), timeout=20_000
        )
        log = tv.evaluate("Announcer.log")
        assert log[0] == vi[0] and log[0].endswith("/vi/chime.wav")  # the call's one chime
        assert recorded_slugs(log[1 : 1 + len(slugs)], "hmn") == slugs  # Hmông first
        assert log[1 + len(slugs) :] == vi[1:]  # then Vietnamese, and no English
    finally:
        staff.close()
        screen.close()
