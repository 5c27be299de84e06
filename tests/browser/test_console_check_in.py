"""A counter without a scanner (issue 17): the clerk types the number by phone the
citizen's phone shows and presses "Xác nhận có mặt"; the number joins the queue at its
own place, ahead of those who came after it, and "next" calls it.  A number that needs
no check-in is refused with the reason, and the typed number stays to be corrected."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from kiosk.core.remote import FieldRule, RemoteRules
from kiosk.usecases import remote
from tests.support.pages import console, issue


def test_a_clerk_checks_in_the_number_shown_on_the_phone_and_next_calls_it(hub, new_page):
    rules = RemoteRules(fields={"HT": FieldRule(enabled=True)})
    remote.update_settings(hub.app.extensions["motcua"].ctx, None, rules)
    taken = requests.post(
        f"{hub.url}/api/v1/remote-tickets",
        json={"service": "HT", "phone": "0912 345 678"},
        timeout=10,
    ).json()
    assert taken["number"] == "A001"  # taken at home, before the lobby's A002
    assert issue(hub, "HT")["number"] == "A002"

    clerk = console(new_page, hub)
    expect(clerk.locator("#next-list li")).to_have_text(["A002"])  # A001 is not here yet
    field = clerk.get_by_label("Số lấy qua điện thoại", exact=True)
    check_in = clerk.get_by_role("button", name="Xác nhận có mặt", exact=True)

    field.fill("A002")  # a kiosk number: nothing to check in
    check_in.click()
    message = clerk.locator("#console-message")
    expect(message).to_have_text(
        "Số A002 không phải số lấy qua điện thoại: không cần xác nhận có mặt. "
        "Hãy gọi số này khi đến lượt."
    )
    expect(message).to_have_class("message error")
    expect(field).to_have_value("A002")  # kept, selected: the right number replaces it

    field.fill("a1")  # typed as seen, in a hurry
    field.press("Enter")
    expect(message).to_have_text("Số A001 đã xác nhận có mặt: giữ nguyên vị trí trong hàng chờ.")
    expect(message).not_to_have_class("message error")
    expect(field).to_have_value("")
    expect(clerk.locator("#next-list li")).to_have_text(["A001", "A002"])  # its own place
    expect(clerk.locator("#current-number")).to_have_text("—")  # checked in, not called

    clerk.keyboard.press("Enter")  # next
    expect(clerk.locator("#current-number")).to_have_text("A001")
    expect(clerk.locator("#next-list li")).to_have_text(["A002"])
