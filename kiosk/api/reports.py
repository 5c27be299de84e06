"""Report routes (supervisors and admins): the summary as JSON, CSV and XLSX."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import get_locale

from kiosk.api.blueprint import bp
from kiosk.api.common import ctx, report_download
from kiosk.auth import require_role
from kiosk.reporting import export
from kiosk.usecases import reports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _summary() -> dict:
    first, last = reports.parse_range(
        request.args.get("from"), request.args.get("to"), reports.today(ctx())
    )
    return reports.summary_for_request(ctx(), first, last)


@bp.get("/reports/summary")
@require_role("supervisor")
def reports_summary():
    return jsonify(_summary())


@bp.get("/reports/summary.csv")
@require_role("supervisor")
def reports_summary_csv():
    summary = _summary()
    body = export.to_csv(summary, str(get_locale() or "vi"))
    return report_download(body, "text/csv; charset=utf-8", summary, "motcua-report", "csv")


@bp.get("/reports/summary.xlsx")
@require_role("supervisor")
def reports_summary_xlsx():
    summary = _summary()
    return report_download(
        export.to_xlsx(summary, str(get_locale() or "vi")), XLSX, summary, "motcua-report", "xlsx"
    )
