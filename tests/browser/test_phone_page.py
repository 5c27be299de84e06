"""The citizen's own phone (/t/{token}, opened from the ticket's QR): small screens,
a position that follows the queue, and an alert that a phone actually lets through."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support.pages import issue, phone


def test_phone_follows_the_queue_and_alerts_when_called(hub, browser):
    first = issue(hub, "DD")
    mine = issue(hub, "DD")
    context, page = phone(browser)
    try:
        page.goto(mine["status_url"])
        expect(page.locator("#ticket-number")).to_have_text("B002")
        expect(page.locator("#ticket-state")).to_contain_text("Số người đang chờ trước Ông/Bà: 1")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing cut off
        page.get_by_role("button", name="Bật âm thanh và rung").tap()
        expect(page.locator("#enable-alerts")).to_be_hidden()
        clerk = hub.session()
        # someone else is called: the position moves without a reload
        clerk.post(f"{hub.url}/api/v1/counters/1/next", timeout=10)
        expect(page.locator("#ticket-state")).to_contain_text("Số người đang chờ trước Ông/Bà: 0")
        assert page.evaluate("window.vibrations.length") == 1  # only the tap's test buzz
        clerk.post(f"{hub.url}/api/v1/counters/1/finish", timeout=10)
        clerk.post(f"{hub.url}/api/v1/counters/1/next", timeout=10)
        expect(page.locator("#called-banner")).to_have_text("Xin mời Ông/Bà đến Quầy 1 ngay")
        expect(page.locator("html")).to_have_attribute("data-vibrations", "2")
        assert page.evaluate("window.vibrations[1]") == [400, 200, 400, 200, 400]
        clerk.post(f"{hub.url}/api/v1/counters/1/recall", timeout=10)
        expect(page.locator("html")).to_have_attribute(
            "data-vibrations", "3"
        )  # a recall buzzes again
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert first["number"] == "B001"
    finally:
        context.close()
