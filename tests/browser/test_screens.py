"""The clerk console, the lobby TV and the counter screen working together in
Chromium: calls, transfer, pause, rating, layout at TV sizes, sound, the
announcer queue and the offline mark."""

from __future__ import annotations

import re
import time
import tomllib

import pytest
import requests
from playwright.sync_api import expect

from display.announcer import compose_call
from tests.browser.conftest import CHROMIUM_ARGS, no_clips_ahead
from tests.support.clients import Desk, user_id
from tests.support.hubs import ROOT, TEST_CENTRE, LiveHub, chromium_path
from tests.support.pages import CLERK_PASSWORD, console, issue

DEMO_CENTRE = ROOT / "examples/demo-centre.toml"


def lobby_page(new_page, hub: LiveHub, query: str = "", size=(1920, 1080), beside=None):
    page = new_page(*size, beside=beside)
    no_clips_ahead(page)  # not about sound (the sound tests open their own)
    page.goto(f"{hub.url}/display{query}")
    expect(page.locator("#centre-name")).not_to_be_empty()  # subscribed: nothing missed from here
    return page


def counter_screen(new_page, hub: LiveHub, number: int = 1, clock: bool = False, beside=None):
    page = new_page(beside=beside)
    if clock:  # the test moves the screen's timers on (`page.clock.fast_forward`)
        page.clock.install()
    page.goto(f"{hub.url}/display/counter/{number}")
    expect(page.locator("#counter-fields")).not_to_be_empty()
    return page


def history(hub: LiveHub, ticket_id: int) -> list[dict]:
    return requests.get(
        f"{hub.url}/api/v1/tickets/{ticket_id}", headers=hub.auth(), timeout=10
    ).json()["history"]


def action(page, name: str):
    return page.locator(f'button[data-action="{name}"]')


def test_next_on_the_keypad_reaches_lobby_and_counter_screen(hub, new_page):
    lobby = lobby_page(new_page, hub)
    land_only = lobby_page(new_page, hub, "?fields=DD", beside=lobby)
    screen = counter_screen(new_page, hub, beside=lobby)
    expect(screen.locator("#counter-fields")).to_contain_text("Tư pháp - Hộ tịch · Đất đai")
    issue(hub, "HT")
    issue(hub, "DD", priority="elderly")
    clerk = console(new_page, hub)

    # The queue this clerk serves: strict policy puts the elderly citizen first, marked.
    expect(clerk.locator("#next-list li")).to_have_count(2)
    expect(clerk.locator("#next-list li").first).to_contain_text("B001 ★ Người cao tuổi")
    expect(clerk.locator("#waiting-list")).to_contain_text("Đất đai: 1")
    expect(clerk.locator('#waiting-list li[data-service="HT"] .longest')).not_to_be_empty()
    expect(land_only.locator("#waiting-counts li")).to_have_count(1)

    clerk.keyboard.press("NumpadAdd")  # the USB keypad's "+"
    expect(clerk.locator("#current-number")).to_have_text("B001")
    expect(action(clerk, "next")).to_be_disabled()  # one ticket at a time
    expect(action(clerk, "pause")).to_be_disabled()
    expect(action(clerk, "recall")).to_be_enabled()
    for page in (lobby, land_only):
        expect(page.locator("#call-number")).to_have_text("B001")
        expect(page.locator("#call-counter")).to_have_text("đến Quầy 1")
    expect(lobby.locator("#now-calling")).to_have_class("now-calling flash")
    expect(screen.locator("#serving-number")).to_have_text("B001")
    expect(clerk.locator("#next-list li")).to_have_count(1)

    clerk.keyboard.press("NumpadSubtract")  # finish
    expect(clerk.locator("#today")).to_contain_text("Đã phục vụ hôm nay: 1")
    clerk.keyboard.press("NumpadEnter")  # next: A001, which the Land-only lobby ignores
    expect(lobby.locator("#call-number")).to_have_text("A001")
    expect(lobby.locator("#recent-calls tbody tr")).to_have_count(1)  # latest call per counter
    expect(land_only.locator("#call-number")).to_have_text("B001")
    expect(clerk.locator("#current-number")).to_have_text("A001")


def test_transfer_to_a_counter_with_a_note(hub, new_page):
    issue(hub, "HT")
    clerk1 = console(new_page, hub)
    clerk2 = console(new_page, hub, "clerk2")
    clerk1.keyboard.press("Enter")
    expect(clerk1.locator("#current-number")).to_have_text("A001")
    expect(action(clerk1, "transfer")).to_be_enabled()

    clerk1.keyboard.press("t")  # focuses the target list
    expect(clerk1.locator("#transfer-target")).to_be_focused()
    clerk1.locator("#transfer-target").select_option("counter:2")
    clerk1.locator("#transfer-note").fill("Cần bổ sung giấy khai sinh")
    action(clerk1, "transfer").click()

    expect(clerk1.locator("#current-number")).to_have_text("—")
    expect(clerk1.locator("#console-message")).to_contain_text("A001")
    expect(clerk1.locator("#console-message")).to_contain_text("Quầy 2")
    expect(clerk1.locator("#next-list li")).to_have_count(0)  # reserved for counter 2 now
    expect(clerk2.locator("#next-list li.for-you")).to_contain_text("A001")
    transferred = next(e for e in history(hub, 1) if e["kind"] == "transferred")
    assert transferred["data"]["to_counter"] == 2
    assert transferred["data"]["note"] == "Cần bổ sung giấy khai sinh"


def test_pause_with_a_reason_shows_on_console_and_counter_screen(hub, new_page):
    screen = counter_screen(new_page, hub)
    clerk = console(new_page, hub)
    expect(screen.locator("#paused")).to_be_hidden()

    clerk.keyboard.press("p")
    dialog = clerk.locator("#pause-dialog")
    expect(dialog).to_be_visible()
    meeting = dialog.locator("input[name=pause-reason]").nth(1)
    code = meeting.get_attribute("value")
    reason = dialog.locator("fieldset.reasons label").nth(1).inner_text().strip()
    meeting.check()
    dialog.locator("button[value=pause]").click()

    # Stored as a code, named in words on each screen.
    assert code == "lunch" and reason == "Nghỉ trưa"

    expect(clerk.locator("#counter-state")).to_contain_text(reason)
    expect(clerk.locator("#console")).to_have_attribute("data-state", "paused")
    expect(action(clerk, "next")).to_be_disabled()
    expect(action(clerk, "resume")).to_be_enabled()
    expect(screen.locator("#paused")).to_be_visible()
    expect(screen.locator("#pause-reason")).to_have_text(reason)

    clerk.keyboard.press("o")  # resume
    expect(clerk.locator("#console")).to_have_attribute("data-state", "open")
    expect(screen.locator("#paused")).to_be_hidden()

    # A reason of one's own, typed.
    clerk.keyboard.press("p")
    dialog.locator("#pause-other").fill("Sửa máy in")
    dialog.locator("#pause-other").press("Enter")
    expect(screen.locator("#pause-reason")).to_have_text("Sửa máy in")


def clerk1(hub: LiveHub):
    """Counter 1's clerk on the API (one login per hub: each costs a password hash)."""
    if getattr(hub, "clerk1", None) is None:
        hub.clerk1 = hub.session("clerk1", CLERK_PASSWORD)
    return hub.clerk1


def serve_one(hub: LiveHub) -> None:
    clerk = clerk1(hub)
    for step in ("next", "start", "finish"):
        clerk.post(f"{hub.url}/api/v1/counters/1/{step}", timeout=10).raise_for_status()


def test_low_rating_with_a_reason_is_stored(hub, new_page):
    screen = counter_screen(new_page, hub, clock=True)
    issue(hub, "HT")
    serve_one(hub)

    expect(screen.locator("#rating")).to_be_visible()
    expect(screen.locator("#rating-ticket")).to_contain_text("A001")
    screen.get_by_role("button", name="Không hài lòng", exact=True).click()
    expect(screen.locator("#rating-reasons")).to_be_visible()
    screen.get_by_label("Thời gian chờ").check()
    screen.get_by_role("button", name="Gửi").click()
    expect(screen.get_by_text("Cảm ơn Ông/Bà đã đánh giá!")).to_be_visible()

    rated = history(hub, 1)[-1]
    assert rated["kind"] == "rated" and rated["data"]["score"] == 2
    screen.clock.fast_forward(4_000)  # the thanks stay 4 s
    expect(screen.locator("#serving")).to_be_visible()  # back to normal


def skip_time(page, ms: int) -> None:
    """Jump the page's clock.  To Socket.IO that looks like a sleeping device: its
    heartbeat expires and it reconnects; wait for that so no event is missed."""
    offline = page.locator("#offline-mark")
    page.clock.fast_forward(ms)
    expect(offline).to_be_visible()
    expect(offline).to_be_hidden()


def test_rating_times_out_and_keeps_a_chosen_score(hub, new_page):
    screen = new_page()
    screen.clock.install()
    screen.goto(f"{hub.url}/display/counter/1")
    expect(screen.locator("#counter-fields")).not_to_be_empty()
    issue(hub, "HT")
    issue(hub, "HT")
    serve_one(hub)
    expect(screen.locator("#rating")).to_be_visible()
    skip_time(screen, 31_000)  # nobody touched it
    expect(screen.locator("#serving")).to_be_visible()
    assert history(hub, 1)[-1]["kind"] == "finished"

    serve_one(hub)
    expect(screen.locator("#rating-ticket")).to_contain_text("A002")
    screen.get_by_role("button", name="Rất không hài lòng").click()
    skip_time(screen, 31_000)  # walked away without a reason: the score still counts
    expect(screen.get_by_text("Cảm ơn Ông/Bà đã đánh giá!")).to_be_visible()
    rated = history(hub, 2)[-1]
    assert rated["kind"] == "rated" and rated["data"]["score"] == 1


@pytest.fixture(scope="module")
def browser_that_blocks_sound(browser):
    """Chromium as a lobby TV usually runs it: sound only after a tap."""
    args = [a for a in CHROMIUM_ARGS if not a.startswith("--autoplay-policy")]
    blocking = browser.browser_type.launch(
        executable_path=chromium_path(), headless=True, args=args
    )
    yield blocking
    blocking.close()


def test_sound_off_is_shown_and_one_tap_turns_it_on(hub, browser_that_blocks_sound):
    context = browser_that_blocks_sound.new_context(viewport={"width": 1920, "height": 1080})
    try:
        lobby = context.new_page()
        lobby.goto(f"{hub.url}/display")
        toggle = lobby.locator("#sound-toggle")
        expect(toggle).to_have_attribute("data-sound", "off")
        expect(toggle).to_contain_text("Âm thanh đang tắt")
        lobby.locator("#now-calling").click()  # anywhere will do
        expect(toggle).to_have_attribute("data-sound", "on")
        expect(toggle).to_have_text("Âm thanh đang bật")
        assert lobby.evaluate("Announcer.enabled") is True
        toggle.click()  # staff can mute it again
        expect(toggle).to_have_attribute("data-sound", "off")
        toggle.click()
        expect(toggle).to_have_attribute("data-sound", "on")
    finally:
        context.close()


def silent_wav(seconds: float) -> bytes:
    """A valid WAV file of `seconds` of silence (8 kHz, mono, 16 bit)."""
    import io
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\0\0" * int(8000 * seconds))
    return out.getvalue()


def test_two_quick_calls_are_both_spoken_in_order(hub, new_page):
    # Every clip lasts 20 ms here (the shipped ones half a second on average, the
    # phrases more): the announcer queues and paces calls the same way, and the test
    # waits 2 s instead of 25.
    clip = silent_wav(0.02)
    lobby = new_page()
    lobby.route(
        re.compile(r".*/display/voice/[^/]+/[^/]+\.wav$"),
        lambda route: route.fulfill(body=clip, content_type="audio/wav"),
    )
    lobby.goto(f"{hub.url}/display")
    expect(lobby.locator("#centre-name")).not_to_be_empty()
    expect(lobby.locator("#sound-toggle")).to_have_attribute("data-sound", "on")  # autoplay allowed
    first, second = issue(hub), issue(hub)
    staff = hub.session()
    staff.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).raise_for_status()
    staff.post(f"{hub.url}/api/v1/counters/2/next", timeout=10).raise_for_status()

    def clips(number: str, counter: int) -> list[str]:
        audio = compose_call(number, counter).to_dict()["audio"]
        return audio["vi"] + audio["en"]

    expected = clips(first["number"], 1) + clips(second["number"], 2)
    lobby.wait_for_function("n => Announcer.log.length >= n", arg=len(expected), timeout=30_000)
    assert lobby.evaluate("Announcer.log") == expected  # the second waited for the first


def test_lobby_shows_offline_and_is_right_again_after_the_hub_returns(hub, new_page, tmp_path):
    lobby = lobby_page(new_page, hub)
    issue(hub, "DD")
    expect(lobby.locator('#waiting-counts li[data-service="DD"] strong')).to_have_text("1")
    hub.stop()
    expect(lobby.locator("#offline-mark")).to_be_visible()
    # Meanwhile a clerk calls through another hub on the same database.
    other = LiveHub(tmp_path, database_url=hub.database_url, config=TEST_CENTRE).start()
    try:
        other.session().post(f"{other.url}/api/v1/counters/5/next", timeout=10).raise_for_status()
    finally:
        other.stop()
    hub.start()
    # hub.js retries at least every 2 s; the snapshot then sets everything right.
    expect(lobby.locator("#offline-mark")).to_be_hidden(timeout=3000)
    expect(lobby.locator("#call-number")).to_have_text("B001", timeout=500)
    expect(lobby.locator('#waiting-counts li[data-service="DD"] strong')).to_have_text("0")


def test_lobby_asks_again_while_the_database_cannot_answer(hub, new_page):
    """The hub answers `database_unavailable` to the first two subscribes (as it does while
    PostgreSQL restarts): the lobby keeps its offline mark, asks again by itself, and is
    right as soon as an answer comes."""
    issue(hub, "DD")
    page = new_page()
    refused = []

    def through_the_hub(ws):
        server = ws.connect_to_server()

        def from_page(message):
            # engine.io "4" + socket.io "2" (event) + ack id + ["subscribe", …]
            match = (
                re.match(r'^42(\d+)\["subscribe"', message) if isinstance(message, str) else None
            )
            if match and len(refused) < 2:
                refused.append(time.monotonic())
                ws.send(f'43{match.group(1)}[{{"ok":false,"error":"database_unavailable"}}]')
                return
            server.send(message)

        ws.on_message(from_page)
        server.on_message(lambda message: ws.send(message))

    page.route_web_socket(re.compile(r".*/socket\.io/.*"), through_the_hub)
    page.goto(f"{hub.url}/display")
    offline = page.locator("#offline-mark")
    expect(offline).to_be_visible()
    page.wait_for_function("document.body.classList.contains('is-offline')")
    expect(offline).to_be_hidden(timeout=8000)  # 1 s, then 2 s, with jitter
    assert len(refused) == 2 and refused[1] - refused[0] >= 0.7  # it waited before asking again
    expect(page.locator('#waiting-counts li[data-service="DD"] strong')).to_have_text("1")


# -- QA fixes: long counter names, 10 m legibility, calls kept after reload, transfer
#    notes, the rating giving way to the next call, a console run from a numeric keypad.

LAYOUT_PROBLEMS = """() => {
  const box = (el) => el.getBoundingClientRect();
  const inside = (el, outer, slack = 2) => { const a = box(el), b = box(outer);
    return a.top >= b.top - slack && a.bottom <= b.bottom + slack && a.left >= b.left - slack && a.right <= b.right + slack; };
  const problems = [];
  const page = document.documentElement;
  if (page.scrollHeight > innerHeight || page.scrollWidth > innerWidth) problems.push('page scrolls');
  const now = document.getElementById('now-calling');
  for (const el of now.querySelectorAll('.label, #call-number, #call-counter')) if (!inside(el, now)) problems.push('now-calling: ' + (el.id || el.className));
  const name = document.getElementById('centre-name'), head = document.querySelector('.lobby-head');
  if (name.scrollHeight > name.clientHeight + 8 || name.scrollWidth > name.clientWidth + 2 || !inside(name, head)) problems.push('centre name cut');
  if (box(name).right > box(document.getElementById('sound-toggle')).left) problems.push('centre name under the sound button');
  const body = document.querySelector('#recent-calls tbody');
  for (const row of body.rows) if (!inside(row, body)) problems.push('recent row ' + row.textContent);
  for (const cell of body.querySelectorAll('td.number')) if (cell.scrollWidth > cell.clientWidth + 1) problems.push('number cut ' + cell.textContent);
  for (const li of document.querySelectorAll('#waiting-counts li')) {
    for (const el of li.children) if (el.textContent && !inside(el, li, 6)) problems.push('tile ' + li.dataset.service);
    const field = li.querySelector('.field-name');
    if (field.scrollHeight > field.clientHeight + 8) problems.push('field name cut ' + field.textContent);
  }
  return problems;
}"""


def demo_counter_4() -> tuple[list[str], list[str]]:
    """Counter 4's name in the demo, split as the lobby shows it: (Vietnamese, English)."""
    counter = next(
        c for c in tomllib.loads(DEMO_CENTRE.read_text())["counters"] if c["number"] == 4
    )
    return counter["name"].split(" - ", 1), counter["name_en"].split(" - ", 1)


@pytest.fixture(scope="class")
def demo_hub(tmp_path_factory) -> LiveHub:
    """The demo centre (7 fields with long names, 6 counters, a ticker) on a busy morning:
    three tickets in every field (every fifth for an elderly citizen), and each counter
    has called one, counter 4, whose name is long, last.  The tests of the class only
    look at its lobby, so they share it; it stops when the class is done, before any
    other test starts a hub (one live hub at a time gets Socket.IO broadcasts)."""
    hub = LiveHub(tmp_path_factory.mktemp("demo"), config=DEMO_CENTRE).start()
    try:
        demo = tomllib.loads(DEMO_CENTRE.read_text())
        admin = next(u for u in demo["users"] if u["role"] == "admin")
        staff = hub.session(admin["username"], admin["password"])
        for index, service in enumerate(demo["services"] * 3):
            issue(hub, service["code"], priority="elderly" if index % 5 == 0 else None)
        for number in (1, 2, 3, 5, 6, 4):
            staff.post(f"{hub.url}/api/v1/counters/{number}/next", timeout=10).raise_for_status()
        yield hub
    finally:
        hub.stop()


class TestDemoCentreLobby:
    @pytest.mark.parametrize("size", [(3840, 2160), (1920, 1080)])
    def test_lobby_fits_a_tv_without_scrollbars(self, demo_hub, new_page, size):
        demo = tomllib.loads(DEMO_CENTRE.read_text())
        lobby = lobby_page(new_page, demo_hub, size=size)
        expect(lobby.locator("#recent-calls tbody tr")).to_have_count(6)
        expect(lobby.locator("#waiting-counts li")).to_have_count(len(demo["services"]))
        expect(lobby.locator("#ticker")).to_contain_text("Giờ làm việc")
        fits = lobby.evaluate(
            """() => {
              const page = document.documentElement;
              const inside = (el) => { const r = el.getBoundingClientRect(); return r.bottom <= innerHeight && r.right <= innerWidth; };
              return {
                vertical: page.scrollHeight <= innerHeight,
                horizontal: page.scrollWidth <= innerWidth,
                cards: [...document.querySelectorAll('#waiting-counts li, #recent-calls tr')].every(inside),
              };
            }"""
        )
        assert fits == {"vertical": True, "horizontal": True, "cards": True}

    @pytest.mark.parametrize("size", [(3840, 2160), (1920, 1080)])
    def test_lobby_long_counter_name_is_never_cut(self, demo_hub, new_page, size):
        lobby = lobby_page(new_page, demo_hub, size=size)
        expect(lobby.locator("#call-number")).to_have_text("C001")
        (main, detail), _ = demo_counter_4()
        expect(lobby.locator("#call-counter-main")).to_have_text(f"đến {main}")
        expect(lobby.locator("#call-counter-detail")).to_have_text(detail)
        expect(lobby.locator("#recent-calls tbody tr")).to_have_count(6)
        assert lobby.evaluate(LAYOUT_PROBLEMS) == []
        # Readable from 10 m: no field name or "longest wait" line below 2.2 % of the screen.
        smallest = lobby.evaluate(
            """() => Math.min(...[...document.querySelectorAll('#waiting-counts .field-name, #waiting-counts .longest')]
                 .filter((el) => el.textContent).map((el) => parseFloat(getComputedStyle(el).fontSize))) / innerHeight"""
        )
        assert smallest >= 0.022
        # The demo's longest field name shows whole, on two lines, no "…".
        longest = max(
            tomllib.loads(DEMO_CENTRE.read_text())["services"], key=lambda s: len(s["name"])
        )
        field = lobby.locator(f'#waiting-counts li[data-service="{longest["code"]}"] .field-name')
        assert field.evaluate("(el) => el.scrollHeight <= el.clientHeight + 8")

    def test_lobby_in_english_with_sound_off_keeps_the_centre_name(
        self, demo_hub, browser_that_blocks_sound
    ):
        context = browser_that_blocks_sound.new_context(viewport={"width": 1920, "height": 1080})
        try:
            lobby = context.new_page()
            no_clips_ahead(lobby)
            lobby.goto(f"{demo_hub.url}/display?lang=en")
            expect(lobby.locator("#sound-toggle")).to_have_attribute("data-sound", "off")
            # The counter's English name: an English lobby never says "to Quầy 4".
            _, (main_en, detail_en) = demo_counter_4()
            expect(lobby.locator("#call-counter-main")).to_have_text(f"to {main_en}")
            expect(lobby.locator("#call-counter-detail")).to_have_text(detail_en)
            assert lobby.evaluate(LAYOUT_PROBLEMS) == []
        finally:
            context.close()


def test_lobby_shows_the_latest_call_of_each_of_eight_counters(hub, new_page):
    staff = hub.session()
    for _ in range(8):
        issue(hub, "HT")
    for number in range(1, 9):
        staff.post(f"{hub.url}/api/v1/counters/{number}/next", timeout=10).raise_for_status()
    lobby = lobby_page(new_page, hub)
    expect(lobby.locator("#recent-calls tbody tr")).to_have_count(8)
    expect(lobby.locator("#recent-calls tbody tr").first).to_contain_text("A008")
    assert lobby.evaluate(LAYOUT_PROBLEMS) == []


def test_filtered_lobby_keeps_its_calls_after_many_recalls_and_a_reload(hub, new_page):
    staff = hub.session()
    issue(hub, "DD")
    staff.post(f"{hub.url}/api/v1/counters/2/next", timeout=10).raise_for_status()  # B001 (DD)
    issue(hub, "HT")
    staff.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).raise_for_status()  # A001 (HT)
    for _ in range(11):  # more than the ten latest call events
        staff.post(f"{hub.url}/api/v1/counters/1/recall", timeout=10).raise_for_status()
    land = lobby_page(new_page, hub, "?fields=DD")
    expect(land.locator("#call-number")).to_have_text("B001")
    expect(land.locator("#recent-calls tbody tr")).to_have_count(1)
    everything = lobby_page(new_page, hub, beside=land)
    expect(everything.locator("#call-number")).to_have_text("A001")
    expect(everything.locator("#recent-calls tbody tr")).to_have_count(2)
    land.reload()
    expect(land.locator("#call-number")).to_have_text("B001")


def test_the_next_clerk_sees_the_transfer_note(hub, new_page):
    issue(hub, "HT")
    clerk1 = console(new_page, hub)
    clerk2 = console(new_page, hub, "clerk2")
    clerk1.keyboard.press("Enter")
    expect(clerk1.locator("#current-number")).to_have_text("A001")
    clerk1.locator("#transfer-target").select_option("counter:2")
    clerk1.locator("#transfer-note").fill("Cần bổ sung giấy khai sinh")
    action(clerk1, "transfer").click()
    expect(clerk2.locator("#next-list li.for-you")).to_contain_text("A001")

    clerk2.keyboard.press("Enter")
    expect(clerk2.locator("#current-number")).to_have_text("A001")
    expect(clerk2.locator("#current-transfer")).to_be_visible()
    expect(clerk2.locator("#current-transfer")).to_contain_text("Quầy 1")
    expect(clerk2.locator("#current-transfer")).to_contain_text("Cần bổ sung giấy khai sinh")
    clerk2.reload()  # it is part of the counter's state, not a passing message
    expect(clerk2.locator("#current-transfer")).to_contain_text("Cần bổ sung giấy khai sinh")


def test_a_new_call_ends_the_rating_at_once_and_keeps_the_chosen_score(hub, new_page):
    screen = counter_screen(new_page, hub)
    issue(hub, "HT")
    issue(hub, "HT")
    issue(hub, "HT")
    clerk = clerk1(hub)
    serve_one(hub)
    expect(screen.locator("#rating-ticket")).to_contain_text("A001")
    clerk.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).raise_for_status()
    # Nobody touched the rating: the new number shows now, not 30 s later.
    expect(screen.locator("#serving")).to_be_visible(timeout=2000)
    expect(screen.locator("#serving-number")).to_have_text("A002")
    expect(screen.locator("#rating")).to_be_hidden()

    for step in ("start", "finish"):
        clerk.post(f"{hub.url}/api/v1/counters/1/{step}", timeout=10).raise_for_status()
    expect(screen.locator("#rating-ticket")).to_contain_text("A002")
    screen.get_by_role("button", name="Rất không hài lòng").click()  # a low score, no reason yet
    expect(screen.locator("#rating-reasons")).to_be_visible()
    clerk.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).raise_for_status()
    expect(screen.locator("#serving-number")).to_have_text("A003", timeout=2000)
    expect(screen.locator("#rating")).to_be_hidden()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and history(hub, 2)[-1]["kind"] != "rated":
        time.sleep(0.2)
    rated = history(hub, 2)[-1]
    assert rated["kind"] == "rated" and rated["data"]["score"] == 1


def test_the_console_works_from_a_numeric_keypad_alone(hub, new_page):
    issue(hub, "HT")
    issue(hub, "HT")
    issue(hub, "DD")
    clerk = console(new_page, hub)
    field = clerk.locator("#call-number")

    # Digits start "call a number" wherever the focus is; this counter's first letter is A.
    clerk.keyboard.press("Numpad9")
    expect(field).to_be_focused()
    expect(field).to_have_value("9")
    clerk.keyboard.press("Numpad9")
    clerk.keyboard.press("Numpad9")
    clerk.keyboard.press("NumpadEnter")
    expect(clerk.locator("#console-message")).to_contain_text("A999")  # refused: nobody has it
    clerk.keyboard.press("Numpad2")  # replaces the refused number, never appends to it
    expect(field).to_have_value("2")
    clerk.keyboard.press("NumpadEnter")
    expect(clerk.locator("#current-number")).to_have_text("A002")
    expect(field).to_have_value("")

    # While a citizen is held, digits pick a counter to transfer to; Enter transfers.
    clerk.keyboard.press("Numpad3")
    expect(clerk.locator("#transfer-target")).to_be_focused()
    expect(clerk.locator("#transfer-target")).to_have_value("counter:3")
    clerk.keyboard.press("NumpadEnter")
    expect(clerk.locator("#current-number")).to_have_text("—")
    expect(clerk.locator("#console-message")).to_contain_text("Quầy 3")

    # "*" in the number changes the letter: B001 is Land's.
    clerk.keyboard.press("Numpad1")
    clerk.keyboard.press("NumpadMultiply")
    expect(clerk.locator("#call-prefix")).to_have_value("B")
    clerk.keyboard.press("NumpadEnter")
    expect(clerk.locator("#current-number")).to_have_text("B001")
    clerk.keyboard.press("NumpadSubtract")  # finish
    expect(clerk.locator("#current-number")).to_have_text("—")

    # "/" pauses a free counter (the dialog's Enter confirms) and resumes it.
    clerk.keyboard.press("NumpadDivide")
    expect(clerk.locator("#pause-dialog")).to_be_visible()
    clerk.keyboard.press("NumpadEnter")
    expect(clerk.locator("#console")).to_have_attribute("data-state", "paused")
    # the pause's own answer may come after the screen update: wait, as a clerk would,
    # until the resume button lights up
    expect(action(clerk, "resume")).to_be_enabled()
    clerk.keyboard.press("NumpadDivide")
    expect(clerk.locator("#console")).to_have_attribute("data-state", "open")


def test_an_open_console_leaves_the_queue_when_its_login_ends(hub, new_page):
    page = console(new_page, hub)
    desk = Desk(hub)
    clerk = user_id(desk, "clerk1")
    desk.post(
        f"/admin/users/{clerk}/password", {"password": "mat-khau-moi"}, f"/admin/users/{clerk}"
    )
    # the console reloads by itself and lands on the login form
    expect(page.get_by_label("Mật khẩu")).to_be_visible(timeout=10_000)
    expect(page.locator("#console")).to_have_count(0)
