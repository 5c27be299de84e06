"""Every page works under the hub's Content-Security-Policy (kiosk/security_headers.py):
Chromium reports no violation and no console error on any page, and the kiosk,
the console, the lobby, the counter screen and the phone page still do their work."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.conftest import ADMIN

# Playwright runs this before the page's own scripts, and outside the page's policy.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`
    + ` in ${e.sourceFile || "the page"}:${e.lineNumber}`);
});
"""

PUBLIC_PAGES = {
    "/": None,
    "/kiosk": ".service-button",
    "/display": "#centre-name:not(:empty)",
    "/display/counter/1": "#counter-fields:not(:empty)",
    "/login": 'input[name="username"]',
}
STAFF_PAGES = {
    "/counter": ".counter-choice select",
    "/counter?n=1": '#console[data-state="open"]',
    "/supervisor": '#live[data-state="live"]',
    "/reports": "svg.chart",
    "/admin": None,
    "/admin/centre": None,
    "/admin/display": "#ticker",
    "/admin/services": None,
    "/admin/services/HT": None,
    "/admin/counters": None,
    "/admin/counters/1": None,
    "/admin/priority": None,
    "/admin/priority/elderly": None,
    "/admin/users": None,
    "/admin/users/1": None,
    "/admin/devices": None,
    "/admin/appointments": None,
    "/admin/audit": None,
}


class Watched:
    """A page whose policy violations, console errors and script errors are collected."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: {error}"))
        page.on("requestfailed", self._failed)

    def _console(self, message) -> None:
        if message.type not in ("error", "warning"):
            return
        # A page answered with 404 on purpose (the refused page) logs its own status.
        if message.location.get("url") == self.page.url and "status of 404" in message.text:
            return
        self.problems.append(f"{self.page.url}: console {message.type}: {message.text}")

    def _failed(self, request) -> None:
        if "BLOCKED" in (request.failure or ""):  # net::ERR_BLOCKED_BY_CSP and the like
            self.problems.append(f"{self.page.url}: {request.url}: {request.failure}")

    def visit(self, path: str, ready: str | None = None, status: int = 200) -> None:
        response = self.page.goto(path)
        assert response.status == status, path
        policy = response.header_value("content-security-policy") or ""
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
        if ready:
            expect(self.page.locator(ready).first).to_be_attached()  # the page's script ran
        self.check()

    def check(self) -> None:
        # A violation is reported in a task of its own: read the record once the page's
        # event loop has run the tasks queued so far, and 50 ms more.
        violations = self.page.evaluate(
            "() => new Promise((done) => setTimeout(() => done(window.cspViolations), 50))"
        )
        self.problems += [f"{self.page.url}: {v}" for v in violations]
        assert not self.problems, "\n".join(self.problems)


def watched(new_page, size=(1920, 1080), beside: Watched | None = None) -> Watched:
    """A watched page; `beside`: in the same browser (another tab)."""
    return Watched(new_page(*size, beside=beside.page if beside else None))


def log_in(watcher: Watched, hub, user: tuple[str, str], then: str) -> None:
    watcher.page.goto(f"{hub.url}/login?next={then}")
    watcher.page.get_by_label("Tên đăng nhập").fill(user[0])
    watcher.page.get_by_label("Mật khẩu").fill(user[1])
    watcher.page.get_by_role("button", name="Đăng nhập").click()
    watcher.page.wait_for_url(f"**{then}")


def test_every_page_runs_under_the_policy_without_a_violation(hub, new_page):
    ticket = requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10).json()
    citizen = watched(new_page)
    for path, ready in PUBLIC_PAGES.items():
        citizen.visit(f"{hub.url}{path}", ready)
    citizen.visit(f"{hub.url}/t/{ticket['token']}", "#ticket-number:not(:empty)")
    citizen.visit(f"{hub.url}/pair/not-a-pairing-link", status=404)

    admin = watched(new_page, (1366, 768))
    log_in(admin, hub, ADMIN, "/admin")
    for path, ready in STAFF_PAGES.items():
        admin.visit(f"{hub.url}{path}", ready)


def test_kiosk_console_and_screens_work_under_the_policy(hub, new_page):
    lobby = watched(new_page)
    lobby.visit(f"{hub.url}/display", "#centre-name:not(:empty)")
    screen = watched(new_page, beside=lobby)
    screen.visit(f"{hub.url}/display/counter/1", "#counter-fields:not(:empty)")

    kiosk = watched(new_page, (1080, 1920), beside=lobby)
    kiosk.visit(f"{hub.url}/kiosk", ".service-button")
    kiosk.page.get_by_role("button", name="Tư pháp - Hộ tịch").click()
    kiosk.page.get_by_role("button", name="Không, tiếp tục").click()
    expect(kiosk.page.locator("#ticket-number")).to_have_text("A001")
    qr = kiosk.page.locator("#ticket-qr")
    expect(qr).to_have_js_property("complete", True)
    assert qr.evaluate("img => img.naturalWidth") > 0  # the QR image is allowed and shown
    kiosk.check()
    token = qr.get_attribute("src").split("/")[2]

    phone = watched(new_page, (390, 844), beside=lobby)
    phone.visit(f"{hub.url}/t/{token}", "#ticket-number:not(:empty)")
    expect(phone.page.locator("#ticket-number")).to_have_text("A001")

    clerk = watched(new_page, (1366, 768))
    log_in(clerk, hub, ADMIN, "/counter")  # an admin may choose any counter
    clerk.page.locator(".counter-choice select").select_option("2")  # no inline onchange now
    clerk.page.wait_for_url("**/counter?n=2")
    clerk.page.locator(".counter-choice select").select_option("1")
    clerk.page.wait_for_url("**/counter?n=1")
    expect(clerk.page.locator("#console")).to_have_attribute("data-state", "open")
    clerk.page.locator('button[data-action="next"]').click()
    expect(clerk.page.locator("#current-number")).to_have_text("A001")

    expect(lobby.page.locator("#call-number")).to_have_text("A001")
    expect(screen.page.locator("#serving-number")).to_have_text("A001")
    expect(phone.page.locator("#called-banner")).to_be_visible()
    for watcher in (lobby, screen, kiosk, phone, clerk):
        watcher.check()
