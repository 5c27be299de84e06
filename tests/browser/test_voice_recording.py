"""A centre records its own voice pack in Chromium (a fake microphone plays a tone): each
take is played back, one is recorded again; the lobby then announces a call in Vietnamese
and, after it, in that pack's clips, while a lobby with its own order (?announce=hmn,vi)
speaks Hmông first."""

from __future__ import annotations

import re
import subprocess

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM_ARGS
from tests.conftest import ADMIN
from tests.support.hubs import FIXTURES, chromium_path
from tests.support.voices import call_at_counter_3, open_lobby, recorded_slugs


@pytest.fixture(scope="module")
def microphone_browser(browser, tmp_path_factory):
    """Chromium whose microphone "hears" a steady tone (any take has sound in it)."""
    tone = tmp_path_factory.mktemp("mic") / "tone.wav"
    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            "48000",
            "-c",
            "1",
            "-b",
            "16",
            str(tone),
            "synth",
            "3",
            "sine",
            "440",
            "gain",
            "-6",
        ],
        check=True,
    )
    args = CHROMIUM_ARGS + [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-audio-capture={tone}",
    ]
    launched = browser.browser_type.launch(
        executable_path=chromium_path(), headless=True, args=args
    )
    yield launched
    launched.close()


def test_a_pack_recorded_in_the_browser_speaks_calls_after_vietnamese(
    hub_factory, microphone_browser
):
    hub = hub_factory(config=FIXTURES / "voice-centre.toml")  # 19 clips make it complete for calls
    context = microphone_browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="vi-VN"
    )
    context.set_default_timeout(10_000)
    try:
        admin = context.new_page()
        admin.goto(f"{hub.url}/admin/voices")
        admin.get_by_label("Tên đăng nhập").fill(ADMIN[0])
        admin.get_by_label("Mật khẩu").fill(ADMIN[1])
        admin.get_by_role("button", name="Đăng nhập").click()
        admin.locator("#pack-code").fill("hmn")
        admin.locator("#pack-name").fill("Hmông")
        admin.locator("#pack-code").press("Enter")
        expect(admin.locator("#pack-state")).to_contain_text("Chưa đủ")
        heard = []  # clips the page played back
        admin.on("request", lambda r: heard.append(r.url) if "/rec/hmn/" in r.url else None)
        # Every clip a call needs, recorded with the microphone: Record, a moment, Stop.
        rows = admin.locator("tr.clip")
        call_rows = [
            rows.nth(i)
            for i in range(rows.count())
            if not re.match(r"(field_|prompt_|chime)", rows.nth(i).get_attribute("data-slug"))
        ]

        def take(row, ms: int) -> str:
            row.locator("button.record").click()
            admin.wait_for_timeout(ms)
            row.locator("button.stop").click()
            expect(row.locator(".clip-error")).to_be_empty()
            expect(row).to_have_attribute("data-state", "recorded")
            return row.get_attribute("data-url")

        first = take(call_rows[0], 400)  # a long first take: the microphone opens
        urls = [take(row, 150) for row in call_rows]  # the first one recorded again
        assert urls[0] != first and len(set(urls)) == len(urls)
        clip = requests.get(hub.url + urls[0], timeout=10)
        assert clip.headers["Content-Type"] == "audio/wav" and len(clip.content) > 3000
        played = {hub.url + url for url in urls}
        for _ in range(40):  # the last take's playback may still be starting
            if played <= set(heard):
                break
            admin.wait_for_timeout(50)
        assert played <= set(heard)  # each take was played back at once
        # The pack is complete for calls (the kiosk's field names are still to record).
        admin.goto(f"{hub.url}/admin/voices")
        state = admin.locator('tr[data-code="hmn"] .pack-state')
        expect(state).not_to_contain_text("lời gọi")
        admin.locator("#announce").fill("vi, hmn")
        admin.locator("#announce").press("Enter")
        expect(admin.locator(".ok-banner")).to_be_visible()

        lobby = open_lobby(context, f"{hub.url}/display")
        other = open_lobby(context, f"{hub.url}/display?announce=hmn,vi")  # its own order
        vi, slugs = call_at_counter_3(hub)
        expect(lobby.locator("#speaking span.now")).to_have_text("Hmông", timeout=15_000)
        expect(lobby.locator("#speaking")).to_contain_text("Tiếng Việt")
        lobby.wait_for_function(
            "n => Announcer.log.length >= n", arg=len(vi) + len(slugs), timeout=20_000
        )
        log = lobby.evaluate("Announcer.log")
        assert log[: len(vi)] == vi  # Vietnamese first, with the chime
        assert recorded_slugs(log[len(vi) :], "hmn") == slugs
        expect(lobby.locator("#call-label")).to_have_text("Đang mời")
        # The other lobby, at the same time: Hmông first, after the call's one chime.
        other.wait_for_function("n => Announcer.log.length >= n", arg=len(log), timeout=20_000)
        assert other.evaluate("Announcer.log")[: len(log)] == [
            vi[0],
            *log[len(vi) :],
            *vi[1:],
        ]

        # A recall is announced as such, in both languages, and the lobby says so.
        hub.session().post(f"{hub.url}/api/v1/counters/3/recall", timeout=10).raise_for_status()
        expect(lobby.locator("#call-label")).to_have_text("Gọi lại")
        lobby.wait_for_function("n => Announcer.log.length >= n", arg=2 * len(log), timeout=20_000)
        again = lobby.evaluate("Announcer.log")[len(log) :]
        assert again[1].endswith("/vi/recall.wav")  # after the chime
        assert "/rec/hmn/recall.wav?v=" in again[len(vi)]
    finally:
        context.close()
