"""Playwright driving Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import chromium_path, need

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    need(path is not None, "Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


# A lobby loads its voice packs' clips ahead of the first call (about 110 clips fetched
# and decoded: a second or more per page on a busy machine).
VOICE_MANIFEST = re.compile(r".*/display/voice/[^/]+/manifest\.json$")


def no_clips_ahead(page) -> None:
    """A lobby page not about sound is served empty voice manifests: it fetches a call's
    clips when it speaks the call, as it does when preloading failed."""
    page.route(VOICE_MANIFEST, lambda route: route.fulfill(json={"clips": {}}))


# A kiosk ignores taps for 0.6 s after each screen change (a double tap must not choose
# on the next screen).  Playwright waits for that before every click on a new screen, so
# a page that is not testing taps turns the guard off (static/js/kiosk.js reads this).
NO_TAP_GUARD = "window.KIOSK_SETTLE_MS = 0;"


@pytest.fixture
def new_page(browser):
    """new_page(width, height, locale) → a page in a fresh browser context.  A kiosk in it
    takes taps at once after a screen change; `tap_guard=True` keeps the real 0.6 s guard
    (tests of double and hurried taps).

    `beside=page`: another tab of that page's browser (its locale, cookies and tap guard),
    for screens nobody logs in to: it loads the hub's scripts from the browser's cache."""
    contexts = []

    def make(
        width: int = 1920,
        height: int = 1080,
        locale: str = "vi-VN",
        tap_guard: bool = False,
        beside=None,
    ):
        if beside is not None:
            page = beside.context.new_page()
            page.set_viewport_size({"width": width, "height": height})
            page.set_default_timeout(10_000)
            return page
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        contexts.append(context)
        if not tap_guard:
            context.add_init_script(NO_TAP_GUARD)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()
