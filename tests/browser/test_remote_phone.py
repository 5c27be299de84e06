"""A number from home, the whole path on a 360 px phone (issue 17): /remote takes a
number, its page says how many are ahead and the rule, "I am here" away from the
centre is refused with the reason, "your turn is near" sounds and vibrates, a scan of
the page's QR at the kiosk checks it in at its place, and the counter calls it."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from kiosk.core.remote import FieldRule, RemoteRules
from kiosk.usecases import remote
from tests.support.pages import phone


def test_a_number_from_home_is_called_at_its_place_after_the_kiosk_scan(hub, browser):
    rules = RemoteRules(
        fields={"HT": FieldRule(enabled=True, bring="Căn cước công dân")},
        near_ahead=1,
        lose_place_after=3,
        networks=("10.99.0.0/16",),  # not this machine: "I am here" must be refused
    )
    remote.update_settings(hub.app.extensions["motcua"].ctx, None, rules)
    for _ in range(2):  # two people already in the lobby
        requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
    context, page = phone(browser)
    try:
        page.goto(f"{hub.url}/remote")
        expect(page.get_by_role("heading")).to_have_text("Lấy số thứ tự từ xa")
        assert page.get_by_text("Mang theo: Căn cước công dân").is_visible()
        page.get_by_label("Tư pháp - Hộ tịch").check()
        page.get_by_label("2. Số điện thoại của Ông/Bà").fill("0912 345 678")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_role("button", name="Lấy số thứ tự").tap()

        expect(page.locator("#ticket-number")).to_have_text("A003")  # its own /t page
        expect(page.locator("#ticket-state")).to_contain_text("Số người đang chờ trước Ông/Bà: 2")
        expect(page.locator("#remote-state")).to_contain_text("Nếu 3 số sau Ông/Bà")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_role("button", name="Bật âm thanh và rung").tap()
        page.get_by_role("button", name="Tôi đã đến").tap()  # still at home
        expect(page.locator("#remote-here-error")).to_contain_text("Có vẻ Ông/Bà chưa ở Trung tâm")

        clerk = hub.session()
        assert (
            clerk.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).json()["number"] == "A001"
        )
        expect(page.locator("#remote-near")).to_have_text(
            "Sắp đến lượt Ông/Bà: vui lòng đến Trung tâm ngay."
        )
        expect(page.locator("html")).to_have_attribute("data-vibrations", "2")
        assert page.evaluate("window.vibrations[1]") == [200, 100, 200, 100, 200]

        # at the centre: the kiosk's scanner reads the QR on the phone's screen
        qr = page.locator(".remote-qr img")
        expect(qr).to_be_visible()
        status_url = page.evaluate("location.origin + location.pathname")
        scanned = requests.post(
            f"{hub.url}/api/v1/kiosks/kiosk-1/scan", json={"code": status_url}, timeout=10
        )
        assert scanned.json()["kind"] == "checkin"
        expect(page.locator("#remote-state")).to_have_text(
            "Đã xác nhận có mặt. Vui lòng chờ gần các quầy: Ông/Bà sẽ được gọi."
        )
        expect(page.get_by_role("button", name="Tôi đã đến")).to_be_hidden()

        # its place: after A002 (taken before it), and called at the counter that is free
        assert (
            clerk.post(f"{hub.url}/api/v1/counters/2/next", timeout=10).json()["number"] == "A002"
        )
        clerk.post(f"{hub.url}/api/v1/counters/1/finish", timeout=10)
        assert (
            clerk.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).json()["number"] == "A003"
        )
        expect(page.locator("#called-banner")).to_have_text("Xin mời Ông/Bà đến Quầy 1 ngay")
        expect(page.locator("html")).to_have_attribute("data-vibrations", "3")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


def test_in_english_under_the_centres_prefix_a_lost_place_and_a_refusal_are_said(hub, browser):
    """The same page in English at 360 px, reached by the centre's own address: what to
    bring, the rule, the place lost in plain words the moment it is lost, and a second
    number for the same phone refused with the reason."""
    rules = RemoteRules(
        fields={"HT": FieldRule(enabled=True, bring="Căn cước", bring_en="Citizen ID card")},
        near_ahead=0,
        lose_place_after=1,
    )
    remote.update_settings(hub.app.extensions["motcua"].ctx, None, rules)
    context, page = phone(browser)
    try:
        page.goto(f"{hub.url}/c/test-centre/remote?lang=en")
        expect(page.get_by_role("heading")).to_have_text("Take a number from home")
        assert page.get_by_text("Bring: Citizen ID card").is_visible()
        page.get_by_label("Justice - Civil status").check()
        page.get_by_label("2. Your phone number").fill("0987 654 321")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_role("button", name="Take a number").tap()

        expect(page.locator("#ticket-number")).to_have_text("A001")
        expect(page.locator("#remote-state")).to_contain_text(
            "If 1 later numbers of your field are called before you check in"
        )
        expect(page.locator("#remote-bring")).to_have_text("Bring: Citizen ID card")
        expect(page.locator("#remote-lost")).to_be_hidden()

        # someone in the lobby, taken after it, is called while it is still at home
        requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
        clerk = hub.session()
        assert (
            clerk.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).json()["number"] == "A002"
        )
        expect(page.locator("#remote-lost")).to_have_text(
            "Your turn passed while you were not checked in: your number has lost its place. "
            "Check in when you arrive and you will be placed at the end of the queue."
        )
        expect(page.locator("#remote-state")).to_have_text("")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        page.goto(f"{hub.url}/c/test-centre/remote?lang=en")
        page.get_by_label("Justice - Civil status").check()
        page.get_by_label("2. Your phone number").fill("+84 987 654 321")  # the same phone
        page.get_by_role("button", name="Take a number").tap()
        expect(page.locator("#remote-error")).to_have_text(
            "This phone number or ID number already holds a number for today. One at a time, please."
        )
        assert "/remote" in page.url
    finally:
        context.close()
