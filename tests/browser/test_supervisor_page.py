"""The supervisor's screen in a real browser: after logging in, the live view
shows a field passing its target as an alert without a reload, and clears it
when the citizen is called; the reports page draws its charts."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.support.hubs import BOSS


def test_live_view_shows_and_clears_a_wait_alert(watched_centre, new_page):
    hub = watched_centre
    page = new_page()
    page.goto(f"{hub.url}/supervisor")
    page.get_by_label("Tên đăng nhập").fill(BOSS[0])
    page.get_by_label("Mật khẩu").fill(BOSS[1])
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    ht = page.locator('#fields tr[data-code="HT"]')
    expect(ht).to_contain_text("Tư pháp - Hộ tịch")
    expect(page.locator("#alerts li")).to_have_count(0)

    requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
    expect(ht.locator("td.waiting")).to_have_text("1")
    alert = page.locator('#alerts li[data-key="wait:HT"]')
    expect(alert).to_contain_text("A001")  # two seconds past the target, in Vietnamese
    expect(alert).to_contain_text("Tư pháp - Hộ tịch")
    expect(ht).to_have_class("over")

    hub.session().post(f"{hub.url}/api/v1/counters/1/next", timeout=10)
    expect(alert).to_have_count(0)
    expect(ht.locator("td.waiting")).to_have_text("0")
    expect(page.locator('#counters tr[data-number="1"]')).to_contain_text("A001")

    page.goto(f"{hub.url}/reports")
    expect(page.locator("#tile-issued .value")).to_have_text("1")
    expect(page.locator("svg.chart")).to_have_count(3)
    expect(page.locator("#table-by_service")).to_contain_text("Tư pháp - Hộ tịch")
