"""The province report (issue 13): every centre side by side and each centre's own
total and fields, as JSON, CSV and XLSX, for province roles only.

The figures are checked against a hand count on SQLite and on PostgreSQL: the test
centre's scripted morning (tests/integration/report_day.py, counted there) and a
shorter one at centre B, below."""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from kiosk.core.stats import duration_summary
from kiosk.events import RecordingPublisher
from kiosk.store import Store, migrate, reports_province
from kiosk.store.report_rows import STATUSES, STORED_STATUS, empty_group
from kiosk.store.seed import add_user, seed
from kiosk.store.tables import CentreRow, RatingRow, ServiceRow, TicketRow, UserRow
from kiosk.usecases import counters, province_reports, rating, tickets
from kiosk.usecases.context import QueueContext
from kiosk.usecases.rating import REASONS
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


# -- every centre's figures against a plain count, on random legs ---------------------
def _percentile(values: list[float], p: float) -> float | None:
    """percentile_cont: linear interpolation between the two nearest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = p * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def _plain_count(legs: list[dict], ratings: dict[int, tuple], targets: dict) -> dict:
    """One group's figures, counted leg by leg as kiosk/store/reports.py defines them."""
    waits, took = [], []
    found = empty_group()
    for leg in legs:
        since = leg["issued_at"] if leg["parent"] is None else leg["parent"]["finished_at"]
        wait = None
        if leg["called_at"] is not None and since is not None:
            wait = (leg["called_at"] - since).total_seconds()
            waits.append(wait)
        if leg["status"] == "done" and leg["started_at"] and leg["finished_at"]:
            took.append((leg["finished_at"] - leg["started_at"]).total_seconds())
        found["issued"] += leg["parent_id"] is None
        for name in STATUSES:
            found[name] += leg["status"] == STORED_STATUS.get(name, name)
        target = targets[leg["service_id"]]
        if wait is not None:
            found["target_n"] += bool(target and target > 0)
            found["within_target"] += target is not None and wait <= target
        if leg["id"] in ratings:
            score, reasons = ratings[leg["id"]]
            found["rated"] += 1
            found["scores"][str(score)] += 1
            for reason in reasons:
                found["reasons"][reason] = found["reasons"].get(reason, 0) + 1
    found["called"] = len(waits)
    for name, values in (("wait_s", waits), ("service_s", took)):
        mean = sum(values) / len(values) if values else None
        found[name] = duration_summary(mean, _percentile(values, 0.5), _percentile(values, 0.9))
    return found


def _random_legs(store: Store, rng: random.Random) -> tuple[list[dict], dict, dict]:
    """Four centres (the last without a leg in the range) with three fields each
    (targets of 10 min, 2 min and none), and their legs around a range of three days:
    every outcome, transfers (the second leg waits from the first one's finish),
    legs still waiting or called, served legs rated with reasons or without."""
    with store.write() as session:
        centres = [
            seed(
                session,
                {
                    "centre": {"code": f"rnd-{n}", "name": f"Trung tâm {n}"},
                    "services": [
                        {"code": c, "name": c, "prefix": p}
                        for c, p in (("HT", "A"), ("DD", "B"), ("LD", "C"))
                    ],
                    "counters": [{"number": 1, "services": ["HT", "DD", "LD"]}],
                },
            ).id
            for n in range(4)
        ]
        session.flush()
        services = (
            session.execute(
                select(ServiceRow).where(ServiceRow.centre_id.in_(centres)).order_by(ServiceRow.id)
            )
            .scalars()
            .all()
        )
        for i, service in enumerate(services):
            service.target_wait_s = (600, 120, None)[i % 3]  # the hub stores no 0
        targets = {s.id: s.target_wait_s for s in services}
        fields = {c: [s.id for s in services if s.centre_id == c] for c in centres}

        legs: list[dict] = []
        ratings: dict[int, tuple] = {}
        for n in range(1200):
            centre = centres[n % 3] if n % 50 else centres[3]  # centre 3: outside the range only
            day = DAY + timedelta(days=rng.randint(-1, 3))
            if centre == centres[3]:
                day = DAY - timedelta(days=1)
            opened = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)
            issued = opened + timedelta(seconds=rng.uniform(0, 30000))
            leg = _leg(centre, rng.choice(fields[centre]), day, issued, rng, n)
            row = TicketRow(**leg)
            session.add(row)
            session.flush()
            leg["id"] = row.id
            new = [leg]
            if leg["status"] == "transferred" and rng.random() < 0.8:
                second = _leg(centre, rng.choice(fields[centre]), day, leg["finished_at"], rng, n)
                second["parent_id"] = row.id
                if rng.random() < 0.3:  # called before the first leg was finished: waits < 0
                    second["called_at"] = leg["finished_at"] - timedelta(seconds=5)
                child = TicketRow(**second)
                session.add(child)
                session.flush()
                second["id"] = child.id
                new.append(second)
            legs += new
            for done in new:
                if done["status"] == "done" and rng.random() < 0.5:
                    score = rng.randint(1, 5)
                    reasons = rng.sample(REASONS, rng.randint(0, 2)) if score < 4 else []
                    session.add(
                        RatingRow(
                            centre_id=centre,
                            ticket_id=done["id"],
                            score=score,
                            reasons=reasons,
                            at=done["finished_at"],
                        )
                    )
                    ratings[done["id"]] = (score, reasons)
    return legs, ratings, targets


def _leg(centre: int, service: int, day: date, issued: datetime, rng, n: int) -> dict:
    status = rng.choice(
        ["done"] * 6
        + ["no_show", "cancelled", "transferred", "closed_unserved", "waiting", "called"]
    )
    called = issued + timedelta(seconds=rng.uniform(0, 3600))
    started = called + timedelta(seconds=rng.uniform(0, 30))
    finished = started + timedelta(seconds=rng.uniform(10, 1800))
    reached = status not in ("closed_unserved", "waiting") and not (
        status == "cancelled" and rng.random() < 0.5  # cancelled before or after a call
    )
    return {
        "centre_id": centre,
        "service_id": service,
        "number": f"A{n:03d}",
        "seq": n,
        "business_day": day,
        "status": status,
        "issued_at": issued,
        "queued_at": issued,
        "called_at": called if reached else None,
        "started_at": started if status == "done" or (status == "transferred") else None,
        "finished_at": finished
        if status in ("done", "transferred", "cancelled") and reached
        else None,
        "recalls": 0,
        "parent_id": None,
        "token": f"t{n}-{rng.random()}",
        "source": "kiosk",
    }


def test_every_centre_matches_a_plain_count_of_random_legs(database_url, monkeypatch):
    """The province figures against a leg-by-leg count in Python, on random legs of
    four centres over a range of three days.  On PostgreSQL the centres are dealt into
    three batches read side by side, each in the caller's snapshot; every figure must
    be the plain count's, the medians and 90th percentiles exact (percentile_cont) to
    the tenth of a second they are rounded to.  SQLite's durations come from
    julianday() arithmetic, exact to about a millisecond: a tenth apart at most."""
    monkeypatch.setattr(reports_province, "BATCHES", 3)
    store = Store(database_url)
    migrate.upgrade(store.url)
    legs, ratings, targets = _random_legs(store, random.Random(13))
    first, last = DAY, DAY + timedelta(days=2)
    with store.read() as session:
        zones = {c.id: c.timezone for c in session.query(CentreRow).all()}
        found = reports_province.figures(session, zones, first, last)
    store.dispose()

    in_range = [leg for leg in legs if first <= leg["business_day"] <= last]
    by_id = {leg["id"]: leg for leg in legs}
    for leg in in_range:
        leg["parent"] = by_id.get(leg["parent_id"])
    expected: dict = {}
    for centre in sorted({leg["centre_id"] for leg in in_range}):
        own = [leg for leg in in_range if leg["centre_id"] == centre]
        expected[centre] = {("total", None): _plain_count(own, ratings, targets)}
        for service in sorted({leg["service_id"] for leg in own}):
            mine = [leg for leg in own if leg["service_id"] == service]
            expected[centre][("service", service)] = _plain_count(mine, ratings, targets)
    assert len(expected) == 3  # the fourth centre has no leg in the range: absent
    assert found.keys() == expected.keys()
    close = 0.0 if database_url.startswith("postgresql") else 0.1
    for centre, groups in expected.items():
        assert found[centre].keys() == groups.keys()
        for group, figures_ in groups.items():
            got = found[centre][group]
            for name in ("wait_s", "service_s"):
                for key, value in figures_[name].items():
                    assert (got[name][key] is None) == (value is None), (centre, group, name)
                    if value is not None:
                        assert abs(got[name][key] - value) <= close + 1e-9, (centre, group, name)
            plain = {k: v for k, v in figures_.items() if k not in ("wait_s", "service_s")}
            assert {k: got[k] for k in plain} == plain, (centre, group)
    totals = [found[c][("total", None)] for c in found]
    assert sum(t["rated"] for t in totals) == sum(
        1 for leg in in_range if leg["id"] in ratings
    )  # the random data has ratings, transfers and waits to count
    assert sum(t["transferred"] for t in totals) and sum(t["reasons"] != {} for t in totals)
