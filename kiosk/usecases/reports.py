"""The supervisor's report for a range of business days: the figures of
kiosk/store/reports.py with names, shares and a fixed order, ready for the
page, the JSON API and the CSV/XLSX files."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from devices.blocking import run_blocking
from kiosk.core import numbering
from kiosk.core.errors import InvalidInput
from kiosk.core.stats import share
from kiosk.store import reports as figures
from kiosk.store import reports_remote
from kiosk.store import repository as repo
from kiosk.store.tables import CentreRow, UserRow
from kiosk.usecases.context import QueueContext
from kiosk.usecases.read_models import iso

MAX_DAYS = 400  # a year and a bit: enough for a yearly report, bounded for the database
FIRST_YEAR, LAST_YEAR = 2000, 2999


def parse_range(first: str | None, last: str | None, today: date) -> tuple[date, date]:
    """?from=YYYY-MM-DD&to=YYYY-MM-DD; either may be left out (today; a single day)."""

    def day(text: str | None, name: str) -> date | None:
        if not text:
            return None
        try:
            value = date.fromisoformat(text.strip())
        except ValueError as error:
            raise InvalidInput("invalid_report_day", name=name, day=text[:20]) from error
        if not FIRST_YEAR <= value.year <= LAST_YEAR:  # and no overflow at the calendar's ends
            raise InvalidInput("invalid_report_day", name=name, day=text[:20])
        return value

    last_day = day(last, "to")
    first_day = day(first, "from")
    last_day = last_day or first_day or today
    first_day = first_day or last_day
    if first_day > last_day:
        raise InvalidInput("report_range_reversed")
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise InvalidInput("report_range_too_long", days=MAX_DAYS)
    return first_day, last_day


def today(ctx: QueueContext) -> date:
    return numbering.business_day(ctx.now(), ctx.tz)


def figures_row(found: dict, group: tuple, **label) -> dict:
    """One row of a report: a group's figures (kiosk/store/reports.py) with its labels,
    within-target and satisfied shares, and its reasons most given first.  The province
    report (kiosk/usecases/province_reports.py) builds its rows with it too."""
    data = {**label, **(found.get(group) or figures.empty_group())}
    data["within_target_share"] = share(data["within_target"], data["target_n"])
    rated, scores, reasons = data.pop("rated"), data.pop("scores"), data.pop("reasons")
    satisfied = scores["4"] + scores["5"]  # "hài lòng" and "rất hài lòng"
    data["ratings"] = {
        "rated": rated,
        "scores": scores,
        "satisfied": satisfied,
        "satisfied_share": share(satisfied, rated),
        "reasons": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
    }
    return data


def summary(ctx: QueueContext, first_day: date, last_day: date) -> dict:
    with ctx.store.read() as session:
        centre = session.get(CentreRow, ctx.centre_id)
        scope = figures.ReportScope(ctx.centre_id, first_day, last_day, centre.timezone)
        found = figures.figures(session, scope)
        remote = reports_remote.figures(session, ctx.centre_id, first_day, last_day)
        # plain values: the rows expire when the read transaction ends
        services = [
            (s.id, s.code, s.name, s.name_en or s.name, s.target_wait_s, s.active)
            for s in repo.services_of(session, ctx.centre_id)
        ]
        counter_names = {
            c.number: (c.name, c.name_en or c.name)
            for c in repo.counters_of(session, ctx.centre_id)
        }
        users = {
            u.id: (u.username, u.display_name or u.username)
            for u in session.execute(
                select(UserRow).where(UserRow.centre_id == ctx.centre_id)
            ).scalars()
        }

    def row(group: tuple, **label) -> dict:
        return figures_row(found, group, **label)

    def present(dimension: str) -> set:
        return {key for dim, key in found if dim == dimension}

    by_service = [
        row(("service", sid), key=code, name=name, name_en=name_en, target_wait_s=target)
        for sid, code, name, name_en, target, active in services
        if active or sid in present("service")
    ]
    by_counter = [  # counters that called nobody are left out: a big centre has dozens
        row(
            ("counter", number),
            key=number,
            name=counter_names.get(number, (str(number),))[0],
            name_en=counter_names.get(number, (str(number), str(number)))[1],
        )
        for number in sorted(present("counter"))
    ]
    unknown = (None, None)
    by_clerk = [
        row(
            ("clerk", uid),
            key=users.get(uid, unknown)[0] or f"#{uid}",
            name=users.get(uid, unknown)[1] or f"#{uid}",
        )
        for uid in sorted(present("clerk"), key=lambda uid: users.get(uid, ("", ""))[1])
    ]
    hours = present("hour")
    by_hour = [
        row(("hour", h), key=h, name=f"{h:02d}:00–{(h + 1) % 24:02d}:00")
        for h in (range(min(hours), max(hours) + 1) if hours else ())
    ]
    return {
        "from": first_day.isoformat(),
        "to": last_day.isoformat(),
        "days": (last_day - first_day).days + 1,
        "timezone": scope.timezone,
        "generated_at": iso(ctx.now()),
        "totals": row(("total", None)),
        "by_service": by_service,
        "by_counter": by_counter,
        "by_clerk": by_clerk,
        "by_hour": by_hour,
        "remote": remote,  # numbers taken by phone, counted apart (docs/remote.md)
    }


def summary_for_request(ctx: QueueContext, first_day: date, last_day: date) -> dict:
    """summary() from a request handler.  On SQLite the scan runs in a native thread
    (devices.blocking), so that under gevent or eventlet a yearly report (about a
    second) does not stall every kiosk and screen of the hub meanwhile; psycopg2's
    waits already yield to them (psycogreen)."""
    if not ctx.store.is_sqlite:
        return summary(ctx, first_day, last_day)
    return run_blocking(summary, ctx, first_day, last_day)
