"""An admin changes the lobby's ticker in Chromium; the TV already showing
/display picks it up without anyone touching it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import no_clips_ahead
from tests.conftest import ADMIN


def test_admin_edits_the_ticker_and_the_lobby_shows_it_without_reload(hub, new_page):
    lobby = new_page()
    no_clips_ahead(lobby)
    lobby.goto(f"{hub.url}/display")
    expect(lobby.locator("#centre-name")).not_to_be_empty()  # subscribed
    lobby.evaluate("window.notReloaded = true")

    admin = new_page(1366, 768)
    admin.goto(f"{hub.url}/admin/display")
    admin.get_by_label("Tên đăng nhập").fill(ADMIN[0])
    admin.get_by_label("Mật khẩu").fill(ADMIN[1])
    admin.get_by_role("button", name="Đăng nhập").click()
    expect(admin.locator("#ticker")).to_be_visible()  # back on the form after logging in
    admin.locator("#ticker").fill("Chiều thứ Sáu nghỉ từ 16:00 — <b>không</b> phải HTML")
    admin.locator("form.admin-form button.primary").click()
    expect(admin.locator(".ok-banner")).to_be_visible()

    expect(lobby.locator("#ticker")).to_have_text(
        "Chiều thứ Sáu nghỉ từ 16:00 — <b>không</b> phải HTML"
    )
    assert lobby.evaluate("window.notReloaded") is True
