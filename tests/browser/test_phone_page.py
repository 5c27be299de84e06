"""The citizen's own phone (/t/{token}, opened from the ticket's QR): small screens,
a position that follows the queue, and an alert that a phone actually lets through."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

# Phones say whether they vibrated; the page's calls are recorded to check the pattern,
# and counted on <html data-vibrations> so a test waits for them with `expect` (the
# page's Content-Security-Policy forbids the eval that `wait_for_function` needs).
RECORD_VIBRATION = """
window.vibrations = [];
navigator.vibrate = (pattern) => {
  window.vibrations.push(pattern);
  document.documentElement.dataset.vibrations = window.vibrations.length;
  return true;
};
"""


def phone(browser, width: int = 360, height: int = 740):
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
    )
    context.add_init_script(RECORD_VIBRATION)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def issue(hub, service: str) -> dict:
    answer = requests.post(f"{hub.url}/api/v1/tickets", json={"service": service}, timeout=10)
    answer.raise_for_status()
    return answer.json()


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
