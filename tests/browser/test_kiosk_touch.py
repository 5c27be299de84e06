"""The kiosk as a hurried or unsure citizen uses it: double taps, English left on, many fields."""

from __future__ import annotations

import re
import string
import time

import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import TEST_CENTRE
from tests.support.devices import wait_until
from tests.support.pages import no_scrolling

# Real one-stop fields, long names included: they must wrap inside their tile, never spill.
MORE_FIELDS = [
    "Đăng ký kinh doanh",
    "Cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở",
    "Chứng thực bản sao từ bản chính, chữ ký",
    "Xây dựng - Cấp giấy phép xây dựng nhà ở riêng lẻ",
    "Lao động - Thương binh và Xã hội",
    "Bảo trợ xã hội",
    "Người có công",
    "Giáo dục và Đào tạo",
    "Y tế",
    "Văn hóa - Thể thao - Du lịch",
    "Tài nguyên và Môi trường",
    "Nông nghiệp và Phát triển nông thôn",
    "Giao thông vận tải",
    "Công thương",
    "Thuế",
    "Bảo hiểm xã hội",
    "Công an - Cư trú",
    "Tôn giáo, tín ngưỡng",
    "Thi đua - Khen thưởng",
    "Nội vụ",
    "Kế hoạch và Đầu tư",
    "Tài chính - Ngân sách",
    "Khoa học và Công nghệ",
    "Thông tin và Truyền thông",
    "Dân tộc",
    "Tiếp công dân, khiếu nại, tố cáo",
    "Phòng cháy, chữa cháy",
]


def centre_with_fields(tmp_path, count: int):
    """The test centre plus `count` more fields (codes F01…, prefixes CA…)."""
    text = TEST_CENTRE.read_text(encoding="utf-8")
    for i, name in enumerate(MORE_FIELDS[:count]):
        code = "KD" if i == 0 else f"F{i:02d}"
        prefix = "CD"[i // 26] + string.ascii_uppercase[i % 26]  # CA … CZ, DA …
        text += f'\n[[services]]\ncode = "{code}"\nname = "{name}"\nprefix = "{prefix}"\n'
    path = tmp_path / f"centre-{count}-more.toml"
    path.write_text(text, encoding="utf-8")
    return path


def centre(box: dict) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def waiting(hub) -> dict:
    return requests.get(f"{hub.url}/api/v1/queue", timeout=5).json()["waiting"]


@pytest.mark.parametrize(("width", "height"), [(1080, 1920), (1920, 1080)])
def test_a_double_tap_on_a_field_never_chooses_a_priority_group(
    hub_factory, tmp_path, new_page, width, height
):
    hub = hub_factory(config=centre_with_fields(tmp_path, 1))
    kiosk = new_page(width, height, tap_guard=True)
    kiosk.goto(f"{hub.url}/kiosk")
    field = kiosk.locator(".service-button").nth(3)
    expect(field).to_contain_text("Đăng ký kinh doanh")
    field.dblclick()
    expect(kiosk.locator("#step-priority")).to_be_visible()
    time.sleep(1)
    expect(kiosk.locator("#step-priority")).to_be_visible()
    assert waiting(hub)["KD"] == 0

    # The same with the second tap exactly where a priority card appears (wherever the
    # layout puts it): learn where that is, go back, then tap, tap.
    pregnant = kiosk.get_by_role("button", name="Phụ nữ mang thai")
    card = centre(pregnant.bounding_box())
    kiosk.get_by_role("button", name="Quay lại").click()
    expect(field).to_be_enabled()
    kiosk.mouse.click(*centre(field.bounding_box()))
    kiosk.mouse.click(*card)
    expect(kiosk.locator("#step-priority")).to_be_visible()
    assert (
        kiosk.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).closest('button').dataset.priority", card
        )
        == "pregnant"
    )
    time.sleep(1)
    expect(kiosk.locator("#step-priority")).to_be_visible()
    assert waiting(hub)["KD"] == 0

    # the priority group needs its own, deliberate tap; the number screen then says which
    kiosk.get_by_role("button", name="Phụ nữ mang thai").click()
    expect(kiosk.locator("#ticket-number")).to_have_text("CA001")
    expect(kiosk.locator("#ticket-priority")).to_contain_text("Phụ nữ mang thai")
    ticket = requests.get(f"{hub.url}/api/v1/tickets/1", headers=hub.auth(), timeout=5).json()
    assert ticket["service"] == "KD" and ticket["priority"] == "pregnant"


def test_the_next_citizen_finds_the_kiosk_in_vietnamese(hub, new_page):
    kiosk = new_page(1080, 1920)
    kiosk.clock.install()
    kiosk.goto(f"{hub.url}/kiosk")
    kiosk.get_by_role("link", name="English").click()
    kiosk.get_by_role("button", name="Land").click()
    kiosk.get_by_role("button", name="No, continue").click()
    expect(kiosk.locator("#ticket-number")).to_have_text("B001")
    expect(kiosk.locator("#ticket-priority")).to_be_hidden()  # no group chosen, none shown
    kiosk.clock.fast_forward(25_000)  # nobody touches the screen: back to the start
    expect(kiosk.get_by_role("button", name="Đất đai")).to_be_visible()
    expect(kiosk.locator("html")).to_have_attribute("lang", "vi")
    cookies = {c["name"]: c["value"] for c in kiosk.context.cookies()}
    assert cookies.get("lang") == "vi"

    # after "Done" the same citizen may still be there: English until nobody touches it
    kiosk.goto(f"{hub.url}/kiosk?lang=en")
    kiosk.get_by_role("button", name="Justice - Civil status").click()
    kiosk.get_by_role("button", name="No, continue").click()
    expect(kiosk.locator("#ticket-number")).to_have_text("A001")
    kiosk.get_by_role("button", name="Done").click()
    expect(kiosk.get_by_role("button", name="Land")).to_be_visible()
    kiosk.clock.fast_forward(61_000)
    expect(kiosk.get_by_role("button", name="Tư pháp - Hộ tịch")).to_be_visible()

    # English left on the start screen, or on the priority screen: Vietnamese after a while
    kiosk.goto(f"{hub.url}/kiosk?lang=en")
    expect(kiosk.get_by_role("button", name="Land")).to_be_visible()
    kiosk.clock.fast_forward(61_000)
    expect(kiosk.get_by_role("button", name="Đất đai")).to_be_visible()
    kiosk.goto(f"{hub.url}/kiosk?lang=en")
    kiosk.get_by_role("button", name="Land").click()
    expect(kiosk.get_by_role("button", name="No, continue")).to_be_visible()
    kiosk.clock.fast_forward(31_000)
    expect(kiosk.get_by_role("button", name="Đất đai")).to_be_visible()
    assert waiting(hub)["DD"] == 1


def tiles_fit(page) -> list[str]:
    """Names of visible tiles whose text spills out of the tile, or is too small to read."""
    return page.evaluate(
        """() => [...document.querySelectorAll('#service-buttons .service-button')]
        .filter((b) => b.offsetParent !== null)
        .filter((b) => {
          const name = b.querySelector('.name');
          const size = parseFloat(getComputedStyle(name).fontSize);
          return b.scrollHeight > b.clientHeight + 1 || b.scrollWidth > b.clientWidth + 1
            || name.scrollWidth > name.clientWidth + 1 || size < 36
            || b.getBoundingClientRect().height < 96;
        }).map((b) => b.textContent)"""
    )


def visible_fields(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('#service-buttons .service-button')]
        .filter((b) => b.offsetParent !== null).map((b) => b.dataset.service)"""
    )


@pytest.mark.parametrize(("width", "height"), [(1080, 1920), (1920, 1080)])
def test_thirty_fields_are_paged_never_squeezed(hub_factory, tmp_path, new_page, width, height):
    hub = hub_factory(config=centre_with_fields(tmp_path, 27))
    kiosk = new_page(width, height)
    kiosk.clock.install()
    kiosk.goto(f"{hub.url}/kiosk")
    expect(kiosk.locator(".service-button").first).to_be_visible()
    pager = kiosk.locator("#service-pager")
    expect(pager).to_be_visible()
    back, forward = kiosk.locator("#page-prev"), kiosk.locator("#page-next")
    for button in (back, forward):
        box = button.bounding_box()
        assert box["height"] >= 64 and box["width"] >= 64
    indicator = kiosk.locator("#page-indicator")
    # "Page 1/3" until the new texts are translated, then "Trang 1/3"
    expect(indicator).to_have_text(re.compile(r"^(Page|Trang) 1/\d$"))
    pages = int(indicator.text_content().split("/")[1])
    assert pages in (3, 4)  # 10 a page in portrait, 9 in landscape
    expect(back).to_be_disabled()
    seen: list[str] = []
    for page in range(1, pages + 1):
        expect(indicator).to_have_text(re.compile(f" {page}/{pages}$"))
        assert no_scrolling(kiosk)
        # fitted at render, and again when the box settles (static/js/kiosk.js: fitNames)
        assert wait_until(lambda: tiles_fit(kiosk) == [], timeout=3), tiles_fit(kiosk)
        shown = visible_fields(kiosk)
        assert 8 <= len(shown) <= 12 or page == pages
        seen += shown
        kiosk.screenshot(path=str(tmp_path / f"kiosk-{width}x{height}-page{page}.png"))
        if page < pages:
            forward.click()
    expect(forward).to_be_disabled()
    assert len(seen) == 30 and len(set(seen)) == 30  # every field once, none lost

    # a field on the last page still issues its number; the start screen is page 1 again
    kiosk.get_by_role("button", name="Phòng cháy, chữa cháy").click()
    kiosk.get_by_role("button", name="Không, tiếp tục").click()
    expect(kiosk.locator("#ticket-number")).to_have_text("DA001")
    kiosk.get_by_role("button", name="Xong").click()
    expect(indicator).to_have_text(re.compile(f" 1/{pages}$"))

    # left on a later page: back to page 1 after a while
    forward.click()
    expect(indicator).to_have_text(re.compile(f" 2/{pages}$"))
    kiosk.clock.fast_forward(61_000)
    expect(indicator).to_have_text(re.compile(f" 1/{pages}$"))


@pytest.mark.parametrize(("width", "height"), [(1080, 1920), (1920, 1080)])
def test_twelve_fields_fit_on_one_screen(hub_factory, tmp_path, new_page, width, height):
    hub = hub_factory(config=centre_with_fields(tmp_path, 9))
    kiosk = new_page(width, height)
    kiosk.goto(f"{hub.url}/kiosk")
    expect(kiosk.locator(".service-button")).to_have_count(12)
    expect(kiosk.locator("#service-pager")).to_be_hidden()
    assert len(visible_fields(kiosk)) == 12
    assert no_scrolling(kiosk)
    # fitted at render, and again when the box settles (static/js/kiosk.js: fitNames)
    assert wait_until(lambda: tiles_fit(kiosk) == [], timeout=3), tiles_fit(kiosk)
    kiosk.screenshot(path=str(tmp_path / f"kiosk-{width}x{height}-12.png"))
