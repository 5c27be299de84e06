"""A setting changed in one hub process holds in every other one at once where it
matters (numbering) and within seconds elsewhere, without a restart."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import requests

from tests.support.clients import Desk


def a_zone_on_another_day() -> str:
    """A real time zone whose calendar date differs from Hà Nội's right now."""
    here = datetime.now(UTC)
    hanoi = here.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):  # UTC+14, UTC−11
        if here.astimezone(ZoneInfo(zone)).date() != hanoi:
            return zone
    raise AssertionError("one of UTC+14 and UTC−11 is always on another day than UTC+7")


def test_a_time_zone_change_on_one_process_numbers_right_on_the_other(
    hub_process_factory, tmp_path
):
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    a = hub_process_factory(database_url=database)
    b = hub_process_factory(database_url=database)
    assert (
        requests.post(f"{b.url}/api/v1/tickets", json={"service": "HT"}, timeout=10).json()[
            "number"
        ]
        == "A001"
    )
    zone = a_zone_on_another_day()
    saved = Desk(a).post(
        "/admin/centre", {"name": "UBND xã Thử Nghiệm", "timezone": zone, "hours_text": ""}
    )
    assert saved.status_code in (200, 302, 303), saved.text[-500:]
    # Process B has not been told: the new business day must still give A001 once, then A002.
    numbers = [
        requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10).json()[
            "number"
        ]
        for hub in (b, a, b)
    ]
    assert numbers == ["A001", "A002", "A003"]
    # A first number of a later day closes what earlier days left waiting; when the new
    # zone's day is *before* Hà Nội's, the first A001 is of a later day and still waits.
    later = datetime.now(ZoneInfo(zone)).date() > datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    waiting = requests.get(f"{b.url}/api/v1/queue", timeout=10).json()["waiting"]["HT"]
    assert waiting == (3 if later else 4)
