"""What a test checks on a page in the browser."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

CLERK_PASSWORD = "test-clerk-pass"

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


def no_scrolling(page) -> bool:
    """The page fits its viewport: no scrollbar either way."""
    return page.evaluate(
        "document.documentElement.scrollHeight <= innerHeight + 1"
        " && document.documentElement.scrollWidth <= innerWidth + 1"
    )


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


def issue(hub, service: str = "HT", priority: str | None = None) -> dict:
    body = {"service": service, **({"priority": priority} if priority else {})}
    response = requests.post(f"{hub.url}/api/v1/tickets", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


def console(new_page, hub, user: str = "clerk1", password: str = CLERK_PASSWORD):
    page = new_page(1366, 768)
    page.goto(f"{hub.url}/counter")
    page.get_by_label("Tên đăng nhập").fill(user)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#console")).to_have_attribute("data-state", "open")
    return page
