"""Numbers by phone in the reports (issue 17): the /reports page, the CSV and the Excel
file a supervisor downloads count them apart (taken, checked in, lost their place,
served), in the supervisor's language."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from openpyxl import load_workbook

from kiosk.core.remote import FieldRule, RemoteRules
from kiosk.usecases import remote, reports

TAKE = "/api/v1/remote-tickets"


def a_morning(client, ctx, clerk: dict) -> None:
    """Two numbers by phone: the first loses its place (one later call while away), the
    second checks in at the counter and is served."""
    rules = RemoteRules(fields={"HT": FieldRule(enabled=True)}, lose_place_after=1)
    remote.update_settings(ctx, None, rules)
    assert client.post(TAKE, json={"service": "HT", "phone": "0912 000 001"}).status_code == 201
    assert client.post("/api/v1/tickets", json={"service": "HT"}).status_code == 201
    called = client.post("/api/v1/counters/1/next", headers=clerk)
    assert called.json["number"] == "A002"  # passes A001, which loses its place
    assert client.post("/api/v1/counters/1/finish", headers=clerk).status_code == 200
    second = client.post(TAKE, json={"service": "HT", "phone": "0912 000 002"}).json
    checked = client.post(f"/api/v1/tickets/by-token/{second['token']}/check-in", headers=clerk)
    assert checked.status_code == 200
    assert client.post("/api/v1/counters/1/next", headers=clerk).json["number"] == "A003"
    assert client.post("/api/v1/counters/1/finish", headers=clerk).status_code == 200


def test_the_report_files_count_numbers_by_phone_apart(client, app, bearer):
    clerk = bearer("clerk1", "test-clerk-pass")
    a_morning(client, app.extensions["motcua"].ctx, clerk)
    staff = bearer()
    assert client.get("/api/v1/reports/summary", headers=staff).json["remote"] == {
        "taken": 2,
        "checked_in": 1,
        "lost_place": 1,
        "served": 1,
    }

    answer = client.get("/api/v1/reports/summary.csv", headers=staff)
    assert answer.status_code == 200
    table = list(csv.reader(io.StringIO(answer.get_data().decode("utf-8-sig"))))
    assert table[-2:] == [
        [
            "Lấy số qua điện thoại",
            "",
            "Đã lấy số",
            "Đã xác nhận có mặt",
            "Bị mất lượt",
            "Đã phục vụ",
        ],
        ["Lấy số qua điện thoại", "Tổng", "2", "1", "1", "1"],
    ]

    answer = client.get("/api/v1/reports/summary.xlsx?lang=en", headers=staff)
    assert answer.status_code == 200
    summary = load_workbook(io.BytesIO(answer.get_data())).worksheets[0]
    rows = [[c.value for c in row[:5]] for row in summary.iter_rows() if row[0].value]
    assert rows[-2:] == [
        ["Numbers by phone", "Taken", "Checked in", "Lost their place", "Served"],
        ["Total", 2, 1, 1, 1],
    ]


def remote_tiles(page: str) -> dict[str, str]:
    """The "Numbers by phone" figures of a /reports page: label → figure shown."""
    block = re.search(r'<section class="tiles" id="remote-figures".*?</section>', page, re.S)
    assert block is not None, "no numbers by phone on the page"
    found = re.findall(
        r'<span class="value">([^<]+)</span><span class="label">([^<]+)</span>', block.group(0)
    )
    return {label: value for value, label in found}


def test_the_reports_page_shows_numbers_by_phone_for_the_chosen_days(client, app, bearer, login):
    ctx = app.extensions["motcua"].ctx
    clerk = bearer("clerk1", "test-clerk-pass")
    a_morning(client, ctx, clerk)
    third = client.post(TAKE, json={"service": "HT", "phone": "0912 000 003"}).json
    checked = client.post(f"/api/v1/tickets/by-token/{third['token']}/check-in", headers=clerk)
    assert checked.status_code == 200  # checked in, still waiting: not served

    login(client, "super1", "test-super-pass")
    page = client.get("/reports")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<h2 id="remote-heading">Lấy số qua điện thoại</h2>' in text
    assert remote_tiles(text) == {
        "Đã lấy số": "3",
        "Đã xác nhận có mặt": "2",
        "Bị mất lượt": "1",
        "Đã phục vụ": "1",
    }
    assert text.count("<svg") == 3  # figures, not one more chart

    english = client.get("/reports?lang=en").get_data(as_text=True)
    assert remote_tiles(english) == {
        "Taken": "3",
        "Checked in": "2",
        "Lost their place": "1",
        "Served": "1",
    }
    yesterday = (reports.today(ctx) - timedelta(days=1)).isoformat()
    before = client.get(f"/reports?from={yesterday}&to={yesterday}").get_data(as_text=True)
    assert set(remote_tiles(before).values()) == {"0"}  # the chosen days only
