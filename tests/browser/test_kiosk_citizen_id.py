"""A citizen ID card at the kiosk page in Chromium: the card's proposal is shown, the
proposed group is marked once a field is chosen, and the citizen still decides."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.support.citizen_id import card_qr

ELDER = card_qr(number="011050001234", old="", birth="01011950")  # well over 60


def scan(page, code: str) -> None:
    """A keyboard-wedge scanner: the code and Enter in one burst, sent from inside the page
    (Playwright's one-key-per-round-trip typing has gaps on a busy machine that no scanner
    has, and the kiosk takes keys more than 80 ms apart for a person typing)."""
    page.evaluate(
        """code => {
          for (const key of [...code, "Enter"])
            document.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
        }""",
        code,
    )


def test_a_card_proposes_the_elderly_group_and_the_citizen_confirms(hub, new_page):
    kiosk = new_page(1080, 1920)
    kiosk.goto(f"{hub.url}/kiosk/kiosk-1")
    expect(kiosk.get_by_role("button", name="Đất đai")).to_be_visible()

    scan(kiosk, ELDER)
    notice = kiosk.locator("#scan-notice")
    expect(notice).to_contain_text("Đã đọc thẻ căn cước")
    expect(notice).to_contain_text("Ông/Bà đủ 60 tuổi: chọn “Người cao tuổi”?")
    kiosk.get_by_role("button", name="Đất đai").click()
    expect(kiosk.locator("#priority-suggestion")).to_have_text(
        "Ông/Bà đủ 60 tuổi: chọn “Người cao tuổi”?"
    )
    proposed = kiosk.locator(".priority-button.suggested")
    expect(proposed).to_have_count(1)
    expect(proposed).to_have_attribute("data-priority", "elderly")
    expect(proposed).to_be_focused()
    proposed.click()
    expect(kiosk.locator("#ticket-number")).to_have_text("B001")
    expect(kiosk.locator("#ticket-priority")).to_contain_text("Người cao tuổi")
    kiosk.get_by_role("button", name="Xong").click()

    # not forced: the next citizen's card proposes it again, and "No, continue" is a normal number
    scan(kiosk, ELDER)
    expect(notice).to_be_visible()
    kiosk.get_by_role("button", name="Đất đai").click()
    expect(kiosk.locator(".priority-button.suggested")).to_have_count(1)
    kiosk.locator("#no-priority").click()
    expect(kiosk.locator("#ticket-number")).to_have_text("B002")
    expect(kiosk.locator("#ticket-priority")).to_be_hidden()
    issued = requests.get(f"{hub.url}/api/v1/queue", timeout=5).json()
    assert issued["waiting"]["DD"] == 2
    kiosk.get_by_role("button", name="Xong").click()

    # the proposal ended with that visit: the next one starts with nothing marked
    expect(notice).to_be_hidden()
    kiosk.get_by_role("button", name="Đất đai").click()
    expect(kiosk.locator(".priority-button.suggested")).to_have_count(0)
    expect(kiosk.locator("#priority-suggestion")).to_be_hidden()
