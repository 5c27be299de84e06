"""A serial scanner at the kiosk, end to end: socat pty → hub → `scan` event → the kiosk page in Chromium."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.support.devices import RECEIPT, centre_with_scanners, scanner_state, wait_until

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_kiosk_shows_what_its_scanner_read(hub_factory, ptys, new_page, tmp_path):
    scanner = ptys("kiosk-scanner")
    hub = hub_factory(
        config=centre_with_scanners(
            tmp_path, {"name": "kiosk-1-scanner", "url": scanner.ours, "use": "kiosk:kiosk-1"}
        )
    )
    assert wait_until(
        lambda: scanner_state(hub, "kiosk-1-scanner").get("state") == "online", timeout=5
    )
    now = datetime.now(TZ).replace(second=0, microsecond=0)
    outside = now - timedelta(hours=1) if now.hour >= 2 else now + timedelta(hours=1)
    booking = {"code": "HN-0901", "service": "DD", "day": f"{outside:%Y-%m-%d}"}
    booking["time"] = f"{outside:%H:%M}"
    hub.session().post(
        f"{hub.url}/api/v1/appointments", json={"appointments": [booking]}, timeout=10
    ).raise_for_status()
    paired = (
        hub.session()
        .post(
            f"{hub.url}/api/v1/devices/tokens",
            json={"kind": "kiosk", "name": "kiosk-1"},
            timeout=10,
        )
        .json()
    )

    # The kiosk beside the scanner opened its pairing link once; a second page of the same
    # kiosk was opened without one, so it sees what any kiosk of the centre may see.
    kiosk = new_page(1080, 1920, locale="en-GB")
    kiosk.clock.install()
    kiosk.goto(f"{hub.url}/pair/{paired['token']}")
    kiosk.goto(f"{hub.url}/kiosk/kiosk-1?lang=en")
    expect(kiosk.get_by_role("button", name="Land")).to_be_visible()
    unpaired = new_page(1080, 1920, locale="en-GB")
    unpaired.goto(f"{hub.url}/kiosk/kiosk-1?lang=en")
    expect(unpaired.get_by_role("button", name="Land")).to_be_visible()

    # a booking outside its check-in window: said plainly, with a normal number one tap away
    scanner.write(b"HN-0901\r\n")
    expect(kiosk.locator("#kiosk-error")).to_contain_text(f"{outside:%H:%M}")
    expect(kiosk.locator("#kiosk-error")).to_contain_text("normal number")
    kiosk.get_by_role("button", name="Take a normal number").click()
    kiosk.get_by_role("button", name="No, continue").click()
    expect(kiosk.locator("#ticket-number")).to_have_text("B001")
    expect(kiosk.locator("#ticket-note")).to_be_hidden()
    kiosk.get_by_role("button", name="Done").click()

    # a dossier receipt: the pick-up number, with the dossier it is for, and its QR code
    scanner.write(RECEIPT.format(7).encode() + b"\r\n")
    expect(kiosk.locator("#ticket-number")).to_have_text("K001")
    expect(kiosk.locator("#ticket-note")).to_have_text(
        f"Result pick-up for dossier {RECEIPT.format(7)}."
    )
    expect(kiosk.locator("#ticket-qr")).to_be_visible()
    # the unpaired page: the number, the dossier code's last digits only, no QR code
    expect(unpaired.locator("#ticket-number")).to_have_text("K001")
    expect(unpaired.locator("#ticket-note")).to_have_text("Result pick-up for dossier …0007.")
    expect(unpaired.locator("#ticket-qr")).to_be_hidden()
    kiosk.get_by_role("button", name="Done").click()

    # anything else: "not recognised", nothing issued, and the start screen again soon after
    scanner.write(b"xyz-123\r\n")
    expect(kiosk.locator("#kiosk-error")).to_have_text(
        "This code is not recognised. Please choose your field on the screen."
    )
    expect(kiosk.get_by_role("button", name="Take a normal number")).to_be_hidden()
    kiosk.clock.fast_forward(16_000)
    expect(kiosk.locator("#kiosk-error")).to_be_hidden()
    expect(kiosk.get_by_role("button", name="Land")).to_be_visible()


def test_counter_scanner_calls_the_scanned_ticket_on_the_console(
    hub_factory,
    ptys,
    new_page,
    tmp_path,
):
    at_kiosk, at_counter = ptys("kiosk-scanner"), ptys("counter-scanner")
    hub = hub_factory(
        config=centre_with_scanners(
            tmp_path,
            {"name": "kiosk-1-scanner", "url": at_kiosk.ours, "use": "kiosk:kiosk-1"},
            {"name": "quay-23-scanner", "url": at_counter.ours, "use": "counter:23"},
        )
    )
    assert wait_until(
        lambda: scanner_state(hub, "quay-23-scanner").get("state") == "online", timeout=5
    )
    at_kiosk.write(RECEIPT.format(3).encode() + b"\r")  # a citizen comes for a result
    assert wait_until(
        lambda: scanner_state(hub, "kiosk-1-scanner").get("last_scan_at") is not None, timeout=5
    )
    queue = hub.session().get(f"{hub.url}/api/v1/queue", timeout=5).json()
    assert queue["waiting"]["TKQ"] == 1

    console = new_page(1366, 768)
    console.goto(f"{hub.url}/counter")
    console.get_by_label("Tên đăng nhập").fill("admin")
    console.get_by_label("Mật khẩu").fill("test-admin-pass")
    console.get_by_role("button", name="Đăng nhập").click()
    console.goto(f"{hub.url}/counter?n=23&lang=en")
    expect(console.locator("#console")).to_have_attribute("data-state", "open")

    at_counter.write(b"K999\r")  # a number nobody holds: said on the console, nothing called
    expect(console.locator("#console-message")).to_have_text("Ticket K999 was not found.")
    expect(console.locator("#current-number")).to_have_text("—")

    at_counter.write(b"K001\r")  # the printed number of the pick-up ticket
    expect(console.locator("#current-number")).to_have_text("K001")
    expect(console.locator("#current-dossier")).to_have_text(
        f"Result pick-up for dossier {RECEIPT.format(3)}."
    )
    expect(console.locator("#console-message")).to_be_empty()
