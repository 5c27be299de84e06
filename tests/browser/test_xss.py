"""Every text a user can set (centre and field names, counter names, clerk names,
the ticker, transfer notes, rating comments) shows up as text, never as markup,
on every page, in a real browser."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from kiosk.core.remote import FieldRule, RemoteRules
from kiosk.usecases import remote
from tests.browser.conftest import no_clips_ahead
from tests.support.hubs import TEST_CENTRE

PAYLOAD = '<img src=x onerror="window.__xss=(window.__xss||0)+1">'
SCRIPT = "<script>window.__xss=(window.__xss||0)+1</script>"


def _hostile_centre(tmp_path) -> str:
    text = TEST_CENTRE.read_text(encoding="utf-8")
    text = text.replace(
        'name = "Bộ phận Một cửa UBND xã Thử Nghiệm"',
        f"name = '''Một cửa {SCRIPT}'''\nticker = '''Tin {PAYLOAD}'''\nfooter = '''Chân {PAYLOAD}'''",
        1,
    )
    text = text.replace('name = "Tư pháp - Hộ tịch"', f"name = '''Hộ tịch {PAYLOAD}'''", 1)
    text = text.replace('name_en = "Justice - Civil status"', f"name_en = '''Civil {PAYLOAD}'''", 1)
    text = text.replace('name = "Quầy 1"', f"name = '''Quầy {SCRIPT}'''", 1)
    text = text.replace('name = "Nguyễn Văn An"', f"name = '''An {PAYLOAD}'''", 1)
    path = tmp_path / "hostile.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def hostile_hub(hub_factory, tmp_path):
    return hub_factory(config=_hostile_centre(tmp_path))


def _clean(page) -> None:
    """No payload ran, and none became an element."""
    assert page.evaluate("window.__xss") is None, f"script ran on {page.url}"
    assert page.locator('img[src="x"]').count() == 0, f"markup injected on {page.url}"


def test_user_set_texts_are_shown_as_text_everywhere(hostile_hub, new_page):
    hub = hostile_hub
    clerk = requests.Session()
    clerk.headers.update(hub.auth())
    first = requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10).json()
    requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
    called = clerk.post(f"{hub.url}/api/v1/counters/1/next", timeout=10)
    assert called.status_code == 200 and called.json()["id"] == first["id"]

    lobby = new_page()
    no_clips_ahead(lobby)
    lobby.goto(f"{hub.url}/display")
    expect(lobby.locator("#ticker")).to_contain_text(PAYLOAD)
    expect(lobby.get_by_text(re.compile(re.escape("Hộ tịch <img")))).not_to_have_count(0)

    screen = new_page(beside=lobby)
    screen.goto(f"{hub.url}/display/counter/1")
    expect(screen.get_by_text(re.compile(re.escape(SCRIPT))).first).to_be_visible()

    kiosk = new_page(1080, 1920)
    kiosk.goto(f"{hub.url}/kiosk")
    expect(kiosk.get_by_role("button", name=re.compile(re.escape("Hộ tịch <img")))).to_be_visible()
    kiosk.get_by_role("link", name="English").click()
    expect(kiosk.get_by_role("button", name=re.compile(re.escape("Civil <img")))).to_be_visible()

    console = new_page(1366, 768)
    console.goto(f"{hub.url}/counter")
    console.get_by_label("Tên đăng nhập").fill("clerk1")
    console.get_by_label("Mật khẩu").fill("test-clerk-pass")
    console.get_by_role("button", name="Đăng nhập").click()
    expect(console.locator("#current-number")).to_have_text(first["number"])

    # A note and a comment typed by people travel to other screens.
    note = f"Ghi chú {PAYLOAD}"
    moved = clerk.post(
        f"{hub.url}/api/v1/counters/1/transfer", json={"counter": 2, "note": note}, timeout=10
    )
    assert moved.status_code == 200, moved.text
    other = new_page(1366, 768)
    other.goto(f"{hub.url}/counter?n=2")  # the admin sees counter 2's console
    other.get_by_label("Tên đăng nhập").fill("admin")
    other.get_by_label("Mật khẩu").fill("test-admin-pass")
    other.get_by_role("button", name="Đăng nhập").click()
    expect(other.locator("#console")).to_have_attribute("data-state", "open")

    clerk.post(f"{hub.url}/api/v1/counters/1/next", timeout=10)
    clerk.post(f"{hub.url}/api/v1/counters/1/finish", timeout=10)
    status = new_page(412, 915, beside=lobby)
    status.goto(first["status_url"])
    expect(status.locator("body")).to_contain_text("Hộ tịch")
    # Numbers by phone: the field's name and the admin's "what to bring" (issue 17).
    rules = RemoteRules(fields={"HT": FieldRule(True, bring=f"CCCD {PAYLOAD}")})
    remote.update_settings(hub.app.extensions["motcua"].ctx, None, rules)
    status.goto(f"{hub.url}/remote")
    expect(status.locator("body")).to_contain_text(f"CCCD {PAYLOAD}")
    _clean(status)
    away = requests.post(
        f"{hub.url}/api/v1/remote-tickets",
        json={"service": "HT", "phone": "0912345678"},
        timeout=10,
    ).json()
    status.goto(away["status_url"])
    expect(status.locator("#remote-bring")).to_contain_text(f"CCCD {PAYLOAD}")

    # The staff pages list the same names: fields, counters, clerks, the audit log's notes.
    # One tab of the admin's browser session goes through them; each is checked once its
    # script has run (the names are in the page as served, or drawn by then).
    staff = other.context.new_page()
    for path, ready, shown in (
        ("/admin/services", None, "Hộ tịch <img"),
        ("/admin/counters", None, None),
        ("/admin/users", None, "An <img"),
        ("/admin/display", "#ticker", None),
        ("/admin/centre", None, None),
        ("/admin/remote", None, "Hộ tịch <img"),
        ("/admin/audit", None, None),
        ("/reports", "svg.chart", "Hộ tịch <img"),
        ("/supervisor", '#live[data-state="live"]', None),  # live: checked again below
    ):
        staff.goto(f"{hub.url}{path}")
        expect(staff.locator("body")).not_to_be_empty()
        if ready:
            expect(staff.locator(ready).first).to_be_attached()
        if shown:
            expect(staff.locator("body")).to_contain_text(shown)
        _clean(staff)

    lobby.wait_for_timeout(200)  # late events (transfer, call) rendered too
    for page in (lobby, screen, kiosk, console, other, status, staff):
        _clean(page)
