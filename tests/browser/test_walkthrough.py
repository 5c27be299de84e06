"""The first real loop in a browser: a citizen takes a number at the kiosk, a
clerk presses "next", the lobby TV and the counter screen show the call
without a reload, and the citizen's rating is stored."""

from __future__ import annotations

import requests
from playwright.sync_api import expect


def test_kiosk_to_counter_to_display(hub_factory, new_page):
    hub = hub_factory()
    lobby = new_page()
    lobby.goto(f"{hub.url}/display")
    expect(lobby.locator("#centre-name")).to_have_text("Bộ phận Một cửa UBND xã Thử Nghiệm")
    # This browser allows autoplay, as a lobby TV set up by deploy/kiosk-browser.sh does.
    expect(lobby.locator("#sound-toggle")).to_contain_text("Âm thanh đang bật")
    expect(lobby.locator("#offline-mark")).to_be_hidden()

    counter_screen = new_page(beside=lobby)
    counter_screen.goto(f"{hub.url}/display/counter/1")
    expect(counter_screen.locator("#serving-number")).to_have_text("—")

    kiosk = new_page(1080, 1920, beside=lobby)
    kiosk.goto(f"{hub.url}/kiosk")
    kiosk.get_by_role("button", name="Tư pháp - Hộ tịch").click()
    expect(kiosk.get_by_text("Ông/Bà có thuộc đối tượng ưu tiên không?")).to_be_visible()
    kiosk.get_by_role("button", name="Không, tiếp tục").click()
    expect(kiosk.locator("#ticket-number")).to_have_text("A001")
    expect(kiosk.locator("#ticket-ahead")).to_have_text("Số người đang chờ trước Ông/Bà: 0")
    expect(lobby.locator('#waiting-counts li[data-service="HT"] strong')).to_have_text("1")

    clerk = new_page()
    clerk.goto(f"{hub.url}/counter")
    clerk.get_by_label("Tên đăng nhập").fill("clerk1")
    clerk.get_by_label("Mật khẩu").fill("test-clerk-pass")
    clerk.get_by_role("button", name="Đăng nhập").click()
    expect(clerk.locator("#waiting-list")).to_contain_text("Tư pháp - Hộ tịch: 1")
    clerk.keyboard.press("Enter")  # the USB keypad's "next"
    expect(clerk.locator("#current-number")).to_have_text("A001")

    expect(lobby.locator("#call-number")).to_have_text("A001")
    expect(lobby.locator("#call-counter")).to_have_text("đến Quầy 1")
    expect(lobby.locator("#recent-calls tbody tr").first).to_contain_text("A001")
    expect(lobby.locator('#waiting-counts li[data-service="HT"] strong')).to_have_text("0")
    expect(counter_screen.locator("#serving-number")).to_have_text("A001")

    clerk.get_by_role("button", name="Kết thúc").click()
    expect(
        counter_screen.get_by_text("Ông/Bà đánh giá thế nào về chất lượng phục vụ của chúng tôi?")
    ).to_be_visible()
    counter_screen.get_by_role("button", name="Hài lòng", exact=True).click()
    expect(counter_screen.get_by_text("Cảm ơn Ông/Bà đã đánh giá!")).to_be_visible()
    ticket_id = requests.get(f"{hub.url}/api/v1/queue", timeout=10).json()
    history = requests.get(f"{hub.url}/api/v1/tickets/1", headers=hub.auth(), timeout=10).json()[
        "history"
    ]
    assert [e["kind"] for e in history][-1] == "rated"
    assert history[-1]["data"]["score"] == 4
    assert ticket_id["waiting"]["HT"] == 0


def test_kiosk_speaks_english_after_one_tap(hub, new_page):
    kiosk = new_page(1920, 1080)
    kiosk.goto(f"{hub.url}/kiosk")
    kiosk.get_by_role("link", name="English").click()
    kiosk.get_by_role("button", name="Land").click()
    kiosk.get_by_role("button", name="Elderly people").click()
    expect(kiosk.locator("#ticket-number")).to_have_text("B001")
    expect(kiosk.locator("#ticket-ahead")).to_have_text("People ahead of you: 0")
