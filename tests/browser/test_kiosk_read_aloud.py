"""A citizen who cannot read: the admin gives each field a pictogram, the kiosk shows it
on the tile, "Nghe hướng dẫn" reads every tile aloud in order while lighting it, and a
tap on the lit tile takes that field's number."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import expect

from tests.conftest import ADMIN
from tests.support.voices import silent_wav


def test_read_aloud_walks_every_tile_in_order_and_the_lit_tile_gives_its_number(hub, new_page):
    admin = new_page(1366, 900)
    admin.goto(f"{hub.url}/admin/voices")
    admin.get_by_label("Tên đăng nhập").fill(ADMIN[0])
    admin.get_by_label("Mật khẩu").fill(ADMIN[1])
    admin.get_by_role("button", name="Đăng nhập").click()
    admin.locator('input[name="pictogram-HT"][value="family"]').check()
    admin.locator('input[name="pictogram-DD"][value="house"]').check()
    admin.locator(".pictogram-form button.primary").click()
    expect(admin.locator(".ok-banner")).to_be_visible()

    kiosk = new_page(1920, 1080)
    said = []
    silent = silent_wav()

    def speak(route):  # the synthesised words: short here, what was asked for is noted
        said.append(route.request.url)
        route.fulfill(body=silent, content_type="audio/wav")

    kiosk.route(re.compile(r".*/display/voice/say/vi/[^/]+\.wav.*"), speak)
    kiosk.goto(f"{hub.url}/kiosk")
    tiles = kiosk.locator("#service-buttons .service-button")
    expect(tiles).to_have_count(3)
    expect(tiles.nth(0).locator("img.pictogram")).to_have_attribute(
        "src", re.compile("family.svg$")
    )
    expect(tiles.nth(1).locator("img.pictogram")).to_have_attribute("src", re.compile("house.svg$"))
    expect(tiles.nth(2).locator("img.pictogram")).to_have_count(0)
    order = [tiles.nth(i).get_attribute("data-service") for i in range(3)]

    listen = kiosk.get_by_role("button", name="Nghe hướng dẫn")
    listen.click()
    kiosk.wait_for_function("() => KioskVoice.log.length >= 4", timeout=15_000)
    expect(kiosk.locator(".service-button.reading")).to_have_count(0)  # the walk ended
    log = kiosk.evaluate("KioskVoice.log")
    assert [entry["what"] for entry in log] == ["prompt_choose", *order]
    assert all(entry.get("lit", True) for entry in log)
    assert [re.search(r"/say/vi/([^/.]+)\.wav", url).group(1) for url in said] == [
        "prompt_choose",
        *(f"field_{code.lower()}" for code in order),
    ]
    clip = requests.get(said[1].replace(hub.url, hub.url), timeout=30)
    assert clip.headers["Content-Type"] == "audio/wav" and len(clip.content) > 8000  # espeak-ng

    # Listening again, the citizen taps the second tile while it is lit.
    listen.click()
    lit = kiosk.locator(f'.service-button.reading[data-service="{order[1]}"]')
    expect(lit).to_be_visible(timeout=10_000)
    lit.click()
    expect(kiosk.locator("#ticket-number")).to_have_text(re.compile(r"^[A-Z]\d+"))
    taken = kiosk.locator("#ticket-number").inner_text()
    service = requests.get(f"{hub.url}/api/v1/services", timeout=10).json()
    prefixes = {s["code"]: s["prefix"] for s in service}
    assert taken.startswith(prefixes[order[1]])
    kiosk.wait_for_function("() => KioskVoice.log.some((e) => e.what === 'prompt_taken')")
