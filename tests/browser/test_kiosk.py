"""The touch kiosk and the citizen's phone page, in Chromium, as citizens use them."""

from __future__ import annotations

import re
import time

import pytest
import requests
from playwright.sync_api import expect

from tests.devices.virtual_printer import VirtualPrinter
from tests.support.devices import centre_with_printers, printer_state, wait_until
from tests.support.pages import no_scrolling


@pytest.mark.parametrize(("width", "height"), [(1080, 1920), (1920, 1080)])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_take_a_number_in_portrait_and_landscape(hub, new_page, width, height, language):
    kiosk = new_page(width, height)
    kiosk.goto(f"{hub.url}/kiosk?lang={language}")
    field = {"vi": "Đất đai", "en": "Land"}[language]
    elderly = {"vi": "Người cao tuổi", "en": "Elderly people"}[language]
    expect(kiosk.get_by_role("button", name=field)).to_be_visible()
    assert no_scrolling(kiosk)
    for button in kiosk.locator(".service-button").all():
        box = button.bounding_box()
        assert box["height"] >= 64 and box["width"] >= 64  # touch targets
    kiosk.get_by_role("button", name=field).click()
    assert no_scrolling(kiosk)
    kiosk.get_by_role("button", name=elderly).click()
    expect(kiosk.locator("#ticket-number")).to_have_text("B001")
    expect(kiosk.locator("#ticket-qr")).to_have_attribute("src", re.compile(r"/t/[\w-]+/qr\.svg$"))
    assert no_scrolling(kiosk)
    ticket = requests.get(f"{hub.url}/api/v1/tickets/1", headers=hub.auth(), timeout=5).json()
    assert ticket["priority"] == "elderly" and ticket["service"] == "DD"


def test_double_tap_issues_one_ticket(hub, new_page):
    kiosk = new_page(1080, 1920, tap_guard=True)
    kiosk.goto(f"{hub.url}/kiosk")
    kiosk.get_by_role("button", name="Tư pháp - Hộ tịch").click()
    kiosk.get_by_role("button", name="Không, tiếp tục").dblclick()
    expect(kiosk.locator("#ticket-number")).to_have_text("A001")
    time.sleep(0.5)
    assert requests.get(f"{hub.url}/api/v1/queue", timeout=5).json()["waiting"]["HT"] == 1


def test_printer_down_shows_the_number_on_screen(hub_factory, tmp_path, new_page):
    printer = VirtualPrinter(paper_out=True).start()
    try:
        hub = hub_factory(config=centre_with_printers(tmp_path, {"kiosk-1": printer}))
        assert wait_until(lambda: printer_state(hub).get("paper_out") is True)
        kiosk = new_page(1080, 1920)
        kiosk.goto(f"{hub.url}/kiosk/kiosk-1")
        kiosk.get_by_role("button", name="Tư pháp - Hộ tịch").click()
        kiosk.get_by_role("button", name="Không, tiếp tục").click()
        expect(kiosk.locator("#ticket-number")).to_have_text("A001")
        expect(kiosk.get_by_text("Máy in đang gặp sự cố")).to_be_visible()
        qr = kiosk.locator("#ticket-qr")
        expect(qr).to_be_visible()
        # the QR really loaded (a broken image would leave the citizen nothing to scan)
        # (waited for with `expect`: the page's CSP forbids the eval `wait_for_function` needs)
        expect(qr).to_have_js_property("complete", True)
        assert qr.evaluate("(img) => img.naturalWidth > 0")
    finally:
        printer.stop()


def test_unknown_kiosk_name_is_not_found(hub):
    assert requests.get(f"{hub.url}/kiosk/no-such-kiosk", timeout=5).status_code == 404


def test_phone_page_alerts_when_called(hub, new_page):
    ticket = requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=5).json()
    phone = new_page(390, 844)
    phone.goto(ticket["status_url"])
    expect(phone.locator("#ticket-number")).to_have_text("A001")
    expect(phone.locator("#ticket-state")).to_contain_text("Số người đang chờ trước Ông/Bà: 0")
    hub.session().post(f"{hub.url}/api/v1/counters/7/next", timeout=5)
    expect(phone.locator("#called-banner")).to_have_text("Xin mời Ông/Bà đến Quầy 7 ngay")


def test_kiosk_reacts_to_a_scan_live(hub, new_page):
    kiosk = new_page(1080, 1920)
    kiosk.goto(f"{hub.url}/kiosk/kiosk-1")
    expect(kiosk.get_by_role("button", name="Đất đai")).to_be_visible()
    # a keyboard-wedge scanner types the receipt code and Enter in one burst (sent from
    # inside the page: Playwright's one-key-per-round-trip typing has gaps on a busy machine
    # that no scanner has)
    kiosk.evaluate(
        """code => {
          for (const key of [...code, "Enter"])
            document.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
        }""",
        "000.00.19.H34-241123-0002",
    )
    expect(kiosk.locator("#ticket-number")).to_have_text("K001")
    kiosk.get_by_role("button", name="Xong").click()
    # a serial scanner's code arrives through the hub: not recognised, nothing issued
    requests.post(f"{hub.url}/api/v1/kiosks/kiosk-1/scan", json={"code": "xyz-123"}, timeout=5)
    expect(kiosk.locator("#kiosk-error")).to_have_text(
        "Không nhận diện được mã này. Xin mời Ông/Bà chọn lĩnh vực trên màn hình."
    )
    assert requests.get(f"{hub.url}/api/v1/queue", timeout=5).json()["waiting"]["TKQ"] == 1


def test_a_closed_kiosk_says_when_to_come_back(hub_factory, tmp_path, new_page):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from tests.conftest import TEST_CENTRE

    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    tomorrow = now + timedelta(days=1)
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[tomorrow.weekday()]
    centre = tmp_path / "closed-today.toml"  # open only tomorrow, 07:30 to 11:30
    centre.write_text(
        TEST_CENTRE.read_text(encoding="utf-8").replace(
            "default_service_s = 300",
            f'default_service_s = 300\nopening_hours = {{ {day} = ["07:30-11:30"] }}',
        ),
        encoding="utf-8",
    )
    hub = hub_factory(config=centre)
    kiosk = new_page(1080, 1920)
    kiosk.goto(f"{hub.url}/kiosk")
    when = f"07:30 {tomorrow:%d/%m}"
    expect(kiosk.locator("#kiosk-closed")).to_be_visible()
    expect(kiosk.locator("#kiosk-closed")).to_contain_text(when)
    field = kiosk.locator('button[data-service="HT"]')
    expect(field).to_be_disabled()
    expect(field).to_contain_text(f"Mở lúc {when}")
