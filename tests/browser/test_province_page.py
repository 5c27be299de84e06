"""The province overview in a real browser: a province supervisor logs in at
/province, sees both centres, sorts by a column, and sees a ticket issued at one
centre change its row and its place without a reload."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.support.centres import B_CODE, centre_b_file

PROVINCE_SUPERVISOR = ("tinh-gs", "province-super-pass")


def _issue(url: str, n: int) -> None:
    for _ in range(n):
        answer = requests.post(f"{url}/tickets", json={"service": "HT"}, timeout=10)
        assert answer.status_code == 201, answer.text


def test_the_province_page_sorts_and_follows_every_centre_live(hub_factory, tmp_path, new_page):
    from kiosk.store.seed import add_user, read_centre_file
    from kiosk.usecases import centres

    hub = hub_factory()
    store = hub.running.store
    centres.add_centre(store, read_centre_file(centre_b_file(tmp_path)))
    with store.write() as session:
        add_user(session, None, *PROVINCE_SUPERVISOR, "province_supervisor")
    hub.running.refresh(force=True)  # serve xa-b now (unprompted, within LOOK_S)
    _issue(f"{hub.url}/api/v1", 2)  # the test centre: 2 waiting
    _issue(f"{hub.url}/api/v1/c/{B_CODE}", 1)  # xa-b: 1 waiting

    page = new_page()
    page.goto(f"{hub.url}/province")
    page.get_by_label("Tên đăng nhập").fill(PROVINCE_SUPERVISOR[0])
    page.get_by_label("Mật khẩu").fill(PROVINCE_SUPERVISOR[1])
    page.get_by_role("button", name="Đăng nhập").click()
    root = page.locator("#province")
    expect(root).to_have_attribute("data-state", "live")
    expect(page.locator("h1")).to_have_text("Tổng quan toàn tỉnh")
    rows = page.locator("#centres tbody tr")
    expect(rows).to_have_count(2)
    link = page.locator(f'#centres tr[data-code="{B_CODE}"] a')
    expect(link).to_have_attribute("href", f"/c/{B_CODE}/supervisor")

    waiting = page.locator('#centres th[data-sort="waiting"]')
    waiting.locator("button").click()  # most waiting first
    expect(waiting).to_have_attribute("aria-sort", "descending")
    expect(rows.first).to_have_attribute("data-code", "test-centre")
    expect(rows.first.locator("td.waiting")).to_have_text("2")
    waiting.locator("button").click()  # again: fewest first
    expect(waiting).to_have_attribute("aria-sort", "ascending")
    expect(rows.first).to_have_attribute("data-code", B_CODE)
    waiting.locator("button").click()  # back to most waiting first

    _issue(f"{hub.url}/api/v1/c/{B_CODE}", 3)  # xa-b now has 4: its row changes, then moves
    expect(page.locator(f'#centres tr[data-code="{B_CODE}"] td.waiting')).to_have_text("4")
    expect(rows.first).to_have_attribute("data-code", B_CODE)
    expect(waiting).to_have_attribute("aria-sort", "descending")  # the chosen order is kept

    page.locator(f'#centres tr[data-code="{B_CODE}"] a').click()
    expect(page).to_have_url(f"{hub.url}/c/{B_CODE}/supervisor")
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
