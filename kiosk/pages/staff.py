"""Supervisor pages: /reports (figures for a range of days, charts, downloads)
and /supervisor (the live view; it talks to Socket.IO itself)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import render_template, request, url_for
from flask_babel import get_locale

from kiosk.core.errors import DomainError
from kiosk.messages import message
from kiosk.pages.blueprint import bp
from kiosk.pages.guard import page_role
from kiosk.reporting import report_charts
from kiosk.reporting.labels import REMOTE_COLUMNS, REMOTE_SECTION, SCORE_LABELS, reason_label
from kiosk.runtime import current_centre
from kiosk.usecases import reports


def _ctx():
    return current_centre().ctx


def quick_ranges(today: date) -> list[tuple[str, date, date]]:
    """The ranges a supervisor asks for most, as (label key, first, last)."""
    monday = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    last_month_end = month - timedelta(days=1)
    return [
        ("today", today, today),
        ("yesterday", today - timedelta(days=1), today - timedelta(days=1)),
        ("this_week", monday, today),
        ("this_month", month, today),
        ("last_month", last_month_end.replace(day=1), last_month_end),
        ("this_year", today.replace(month=1, day=1), today),
    ]


@bp.get("/reports")
@page_role("supervisor")
def reports_page():
    ctx = _ctx()
    today = reports.today(ctx)
    error = None
    try:
        first, last = reports.parse_range(request.args.get("from"), request.args.get("to"), today)
    except DomainError as problem:
        error = message(problem.code, **problem.params)
        first = last = today
    summary = reports.summary_for_request(ctx, first, last)
    lang = str(get_locale() or "vi")
    query = {"from": first.isoformat(), "to": last.isoformat(), "lang": lang}
    return render_template(
        "reports.html",
        summary=summary,
        error=error,
        charts=report_charts(summary, lang),
        score_labels=SCORE_LABELS,
        remote_section=REMOTE_SECTION,
        remote_columns=REMOTE_COLUMNS,
        reason_label=reason_label,
        ranges=quick_ranges(today),
        csv_url=url_for("api.reports_summary_csv", **query),
        xlsx_url=url_for("api.reports_summary_xlsx", **query),
        json_url=url_for("api.reports_summary", **query),
    ), (400 if error else 200)


@bp.get("/supervisor")
@page_role("supervisor")
def supervisor_page():
    return render_template("supervisor.html")
