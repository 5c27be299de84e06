"""The province pages (province roles only): /province, every centre on one screen,
each row linking to that centre's live view under its prefix (the rows are rendered
here and kept live by static/js/province.js, the province room), and
/province/reports, every centre's figures for a range of days with the files."""

from __future__ import annotations

from datetime import date
from functools import wraps

from flask import redirect, render_template, request, url_for
from flask_babel import get_locale

from kiosk.auth import current_actor, require_province
from kiosk.centre_routing import prefixed_code
from kiosk.core.errors import DomainError
from kiosk.messages import message
from kiosk.pages.blueprint import bp
from kiosk.pages.staff import quick_ranges
from kiosk.runtime import current_centre, province_feed
from kiosk.usecases import province_reports, reports


def province_role(view):
    """As page_role: anonymous → the login page (and back), others refused (403 page)."""
    guarded = require_province(view)

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_actor() is None:
            return redirect(url_for("pages.login", next=request.full_path.rstrip("?")))
        return guarded(*args, **kwargs)

    wrapped.required_role = "province"
    return wrapped


def installation_root() -> str:
    """The installation's root address: this page's, without a centre's prefix."""
    root = request.script_root
    code = prefixed_code()
    if code and root.endswith(f"/c/{code}"):
        root = root[: -len(f"/c/{code}")]
    return root


@bp.get("/province")
@province_role
def province_page():
    centres = province_feed.overview()["centres"]
    return render_template("province.html", centres=centres, root=installation_root())


def province_ranges(today: date) -> list[tuple[str, date, date]]:
    """A day, a month, a year: the centre report's quick ranges and last year."""
    keep = ("today", "yesterday", "this_month", "last_month", "this_year")
    ranges = [r for r in quick_ranges(today) if r[0] in keep]
    year = today.year - 1
    return [*ranges, ("last_year", date(year, 1, 1), date(year, 12, 31))]


@bp.get("/province/reports")
@province_role
def province_reports_page():
    """Every centre's figures for a range of days side by side, with the files; the
    report is computed only once a range is asked for (a year reads every ticket)."""
    ctx = current_centre().ctx
    today = reports.today(ctx)
    error, report = None, None
    first = last = today
    if request.args.get("from") or request.args.get("to"):
        try:
            first, last = reports.parse_range(
                request.args.get("from"), request.args.get("to"), today
            )
            report = province_reports.report_for_request(ctx.store, first, last, ctx.now)
        except DomainError as problem:
            error = message(problem.code, **problem.params)
    lang = str(get_locale() or "vi")
    query = {"from": first.isoformat(), "to": last.isoformat(), "lang": lang}
    return render_template(
        "province_reports.html",
        report=report,
        first=first,
        last=last,
        error=error,
        ranges=province_ranges(today),
        root=installation_root(),
        files={
            "xlsx": url_for("api.province_reports_xlsx", **query),
            "csv": url_for("api.province_reports_csv", **query),
            "json": url_for("api.province_reports_json", **query),
        },
    ), (400 if error else 200)
