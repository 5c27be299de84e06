"""The province report (issue 13): every centre side by side and each centre's own
total and fields, as JSON, CSV and XLSX, for province roles only.

The figures are checked against a hand count on SQLite and on PostgreSQL: the test
centre's scripted morning (tests/integration/report_day.py, counted there) and a
shorter one at centre B, below."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from kiosk.events import RecordingPublisher
from kiosk.store import Store
from kiosk.store.seed import add_user
from kiosk.store.tables import CentreRow, UserRow
from kiosk.usecases import counters, province_reports, rating, tickets
from kiosk.usecases.context import QueueContext
from tests.integration.report_day import DAY, TZ, script_day
from tests.support.centres import B_CODE, add_centre_b
from tests.support.hubs import ADMIN, TEST_CENTRE, in_process_app

PROVINCE_SUPERVISOR = ("tinh-gs", "province-super-pass")
A_CODE = "test-centre"


def script_b(url: str) -> None:
    """Centre B, the same Monday (all HT, no target):

        08:00 A001  called 08:10 at counter 1 (clerkb)  start 08:10  finish 08:20  rated 5
        08:02 A002  called 08:22 at counter 1           no-show 08:24
        08:04 A003  still waiting
    and one ticket the next day, outside the report's range.
    Waits 600 and 1200 s (mean 900, p90 600 + 0.9 × 600 = 1140); service 600 s."""
    store = Store(url)
    with store.read() as session:
        centre_id = session.execute(select(CentreRow.id).where(CentreRow.code == B_CODE)).scalar()
        clerk = session.execute(
            select(UserRow.id).where(UserRow.centre_id == centre_id, UserRow.username == "clerkb")
        ).scalar()
    now = [datetime(2025, 3, 10, 8, 0, tzinfo=TZ)]
    ctx = QueueContext(
        store=store, publisher=RecordingPublisher(), centre_id=centre_id, clock=lambda: now[0]
    )

    def at(hh: int, mm: int, day: date = DAY) -> None:
        now[0] = datetime(day.year, day.month, day.day, hh, mm, tzinfo=TZ)

    def take() -> dict:
        return tickets.issue_ticket(ctx, tickets.IssueRequest(service="HT")).ticket

    first = take()
    at(8, 2)
    take()
    at(8, 4)
    take()
    at(8, 10)
    assert counters.call_next(ctx, 1, user_id=clerk)["id"] == first["id"]
    counters.start(ctx, 1, user_id=clerk)
    at(8, 20)
    counters.finish(ctx, 1, user_id=clerk)
    rating.rate_ticket(ctx, first["id"], 5, proof=rating.Proof(token=first["token"]))
    at(8, 22)
    counters.call_next(ctx, 1, user_id=clerk)
    at(8, 24)
    counters.no_show(ctx, 1, user_id=clerk)
    at(8, 0, DAY + timedelta(days=1))
    take()
    store.dispose()


@pytest.fixture
def province_day(database_url, tmp_path):
    ctx = script_day(database_url)
    add_centre_b(database_url, tmp_path)
    script_b(database_url)
    with ctx.store.write() as session:
        add_user(session, None, *PROVINCE_SUPERVISOR, "province_supervisor")
    yield ctx
    ctx.store.dispose()


def test_each_centre_and_the_province_match_the_hand_count(province_day):
    report = province_reports.report(province_day.store, DAY, DAY, province_day.now)
    centres = {c["code"]: c for c in report["centres"]}
    assert list(centres) == [A_CODE, B_CODE]  # by code
    assert centres[A_CODE]["comparison"] == {
        "issued": 5,
        "called": 5,
        "served": 3,
        "no_show": 1,
        "cancelled": 1,
        "transferred": 1,
        "wait_mean_s": 636.0,
        "wait_p90_s": 852.0,  # as the centre's own report (test_reports.py)
        "service_mean_s": 380.0,
        "rated": 3,
        "rating_mean": 3.67,  # (5 + 2 + 4) / 3
        "satisfied_share": 0.6667,
    }
    assert centres[B_CODE]["comparison"] == {
        "issued": 3,
        "called": 2,
        "served": 1,
        "no_show": 1,
        "cancelled": 0,
        "transferred": 0,
        "wait_mean_s": 900.0,
        "wait_p90_s": 1140.0,
        "service_mean_s": 600.0,
        "rated": 1,
        "rating_mean": 5.0,
        "satisfied_share": 1.0,
    }
    assert report["totals"] == {
        "issued": 8,
        "called": 7,
        "served": 4,
        "no_show": 2,
        "cancelled": 1,
        "transferred": 1,
        "wait_mean_s": 711.4,  # (5 × 636 + 2 × 900) / 7 calls
        "wait_p90_s": None,  # percentiles do not add up across centres
        "service_mean_s": 435.0,  # (3 × 380 + 600) / 4 served
        "rated": 4,
        "rating_mean": 4.0,
        "satisfied_share": 0.75,
    }
    # each centre's sheet: its total and fields as its own report counts them
    fields = {row["key"]: row for row in centres[A_CODE]["by_service"]}
    assert fields["HT"]["wait_s"] == {"mean": 570.0, "median": 660.0, "p90": 762.0}
    assert (fields["DD"]["issued"], fields["DD"]["transferred"]) == (1, 1)
    assert fields["TKQ"]["issued"] == 0
    assert centres[A_CODE]["totals"]["ratings"]["reasons"] == {"waiting_time": 1}
    assert centres[B_CODE]["totals"]["wait_s"]["median"] == 900.0
    # the next day holds only B's one ticket
    later = province_reports.report(
        province_day.store, DAY + timedelta(days=1), DAY + timedelta(days=1), province_day.now
    )
    assert [c["comparison"]["issued"] for c in later["centres"]] == [0, 1]


@pytest.fixture
def province_app(tmp_path):
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    ctx = script_day(url)
    add_centre_b(url, tmp_path)
    script_b(url)
    with ctx.store.write() as session:
        add_user(session, None, *PROVINCE_SUPERVISOR, "province_supervisor")
    ctx.store.dispose()
    hubs: list = []
    yield in_process_app(tmp_path, url, TEST_CENTRE, hubs)
    for hub in hubs:
        hub.close()


def _token(client, user: tuple[str, str], prefix: str = "") -> dict:
    answer = client.post(
        f"/api/v1{prefix}/auth/token", json={"username": user[0], "password": user[1]}
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def test_files_for_province_roles_only(province_app):
    client = province_app.test_client()
    query = "?from=2025-03-10&to=2025-03-10"
    routes = [f"/api/v1/province/reports{ext}{query}" for ext in ("", ".csv", ".xlsx")]
    for route in routes:
        assert client.get(route).status_code == 401
    centre_admin = _token(client, ADMIN)  # the test centre's own admin
    b_admin = _token(client, ("admin", "admin-of-b-pass"), f"/c/{B_CODE}")
    for route in routes:
        assert client.get(route, headers=centre_admin).status_code == 403
        b_route = route.replace("/api/v1/", f"/api/v1/c/{B_CODE}/")  # where B's token counts
        assert client.get(b_route, headers=b_admin).status_code == 403

    province = _token(client, PROVINCE_SUPERVISOR)
    answer = client.get(routes[0], headers=province)
    assert answer.status_code == 200
    assert [c["comparison"]["served"] for c in answer.get_json()["centres"]] == [3, 1]

    answer = client.get(routes[1] + "&lang=vi", headers=province)
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(answer.get_data().decode("utf-8-sig"))))
    assert rows[1][:5] == ["Mã", "Trung tâm", "Số phiếu", "Đã phục vụ", "Vắng mặt"]
    assert rows[2][:5] == [A_CODE, "Bộ phận Một cửa UBND xã Thử Nghiệm", "5", "3", "1"]
    assert rows[3][:5] == [B_CODE, "Trung tâm Phục vụ hành chính công xã B", "3", "1", "1"]
    assert rows[4][1:4] == ["Tổng toàn tỉnh", "8", "4"]
    detail = [r for r in rows if r[:1] == [B_CODE] and len(r) > 12]
    assert [r[2] for r in detail] == ["Tổng", "Lĩnh vực"]

    answer = client.get(routes[2], headers=province)
    assert "attachment" in answer.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(answer.get_data()))
    assert book.sheetnames == ["So sánh", A_CODE, B_CODE]
    comparison = book["So sánh"]
    assert [c.value for c in comparison[4]][:6] == [
        B_CODE,
        "Trung tâm Phục vụ hành chính công xã B",
        3,
        1,
        1,
        15.0,
    ]
    b_sheet = book[B_CODE]
    assert b_sheet["A3"].value == "Tổng" and b_sheet["B3"].value == 3
    assert re.match(r"Tư pháp", b_sheet["A4"].value)


def test_the_page_compares_the_centres(province_app):
    client = province_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    login = {"username": PROVINCE_SUPERVISOR[0], "password": PROVINCE_SUPERVISOR[1]}
    assert client.post("/login", data={**login, "csrf_token": csrf}).status_code == 302
    overview = client.get("/province?lang=vi").get_data(as_text=True)
    assert 'href="/province/reports"' in overview and "Báo cáo toàn tỉnh" in overview
    assert "/province/centres" not in overview  # a supervisor adds no centres

    empty = client.get("/province/reports").get_data(as_text=True)
    assert 'id="comparison"' not in empty  # nothing read until a range is asked for
    page = client.get("/province/reports?from=2025-03-10&to=2025-03-10&lang=vi")
    html = page.get_data(as_text=True)
    rows = re.findall(r'<tr data-code="([^"]*)"><th scope="row">(?:<a [^>]*>)?([^<]+)', html)
    assert rows == [
        (A_CODE, "Bộ phận Một cửa UBND xã Thử Nghiệm"),
        (B_CODE, "Trung tâm Phục vụ hành chính công xã B"),
        ("", "Tổng toàn tỉnh"),
    ]
    assert "/api/v1/province/reports.xlsx?from=2025-03-10" in html
    assert "/c/xa-b/reports?from=2025-03-10" in html  # each centre's own report
    reversed_range = client.get("/province/reports?from=2025-03-11&to=2025-03-10")
    assert reversed_range.status_code == 400
