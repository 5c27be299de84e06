"""A kiosk refuses numbers outside opening hours and once a field is full,
with a clear message, and tells screens so they can grey the field out."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests

from tests.conftest import TEST_CENTRE


def test_closed_centre_refuses_numbers_in_the_users_language(hub_factory, tmp_path):
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[now.weekday()]
    # hours that closed before now today (or, just after midnight, that open later)
    if now.hour >= 2:
        span = f"{(now - timedelta(hours=2)).strftime('%H:%M')}-{(now - timedelta(hours=1)).strftime('%H:%M')}"
    else:
        span = "12:00-13:00"
    centre = tmp_path / "closed.toml"
    text = TEST_CENTRE.read_text(encoding="utf-8").replace(
        "default_service_s = 300",
        f'default_service_s = 300\nopening_hours = {{ {day} = ["{span}"] }}',
    )
    centre.write_text(text, encoding="utf-8")
    hub = hub_factory(config=centre)
    refused = requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
    assert refused.status_code == 409 and refused.json()["error"] == "centre_closed"
    assert "giờ làm việc" in refused.json()["message"]
    # and says when to come back: the next opening of this weekday's hours
    opens = now.replace(hour=int(span[:2]), minute=int(span[3:5]))
    expected = f"{opens:%H:%M}" if now.hour < 2 else f"{opens + timedelta(days=7):%H:%M %d/%m}"
    assert refused.json()["message"].endswith(f"{expected}."), refused.json()["message"]
    services = requests.get(f"{hub.url}/api/v1/services", timeout=10).json()
    assert all(s["available"] is False and s["unavailable_reason"] == "closed" for s in services)
    assert requests.get(f"{hub.url}/api/v1/queue", timeout=10).json()["waiting"]["HT"] == 0


def test_full_field_is_marked_unavailable(hub):
    for _ in range(5):
        assert (
            requests.post(
                f"{hub.url}/api/v1/tickets", json={"service": "TKQ"}, timeout=10
            ).status_code
            == 201
        )
    services = {s["code"]: s for s in requests.get(f"{hub.url}/api/v1/services", timeout=10).json()}
    assert services["TKQ"]["available"] is False
    assert services["TKQ"]["unavailable_reason"] == "full"
    assert services["HT"]["available"] is True
