"""Province routes (province roles only): the overview, GET /api/v1/province/overview,
and the report across centres, GET /api/v1/province/reports?from=…&to=… (+ .csv, .xlsx)."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import get_locale

from kiosk.api import openapi_province  # noqa: F401  (its routes' description)
from kiosk.api.blueprint import bp
from kiosk.api.common import ctx, report_download
from kiosk.api.reports import XLSX
from kiosk.auth import require_province
from kiosk.reporting import province_export
from kiosk.runtime import province_feed
from kiosk.usecases import province_reports, reports


@bp.get("/province/overview")
@require_province
def province_overview():
    return jsonify(province_feed.overview())


def _report() -> dict:
    here = ctx()
    first, last = reports.parse_range(
        request.args.get("from"), request.args.get("to"), reports.today(here)
    )
    return province_reports.report_for_request(here.store, first, last, here.now)


@bp.get("/province/reports")
@require_province
def province_reports_json():
    return jsonify(_report())


@bp.get("/province/reports.csv")
@require_province
def province_reports_csv():
    report = _report()
    body = province_export.to_csv(report, str(get_locale() or "vi"))
    return report_download(body, "text/csv; charset=utf-8", report, "motcua-province-report", "csv")


@bp.get("/province/reports.xlsx")
@require_province
def province_reports_xlsx():
    report = _report()
    body = province_export.to_xlsx(report, str(get_locale() or "vi"))
    return report_download(body, XLSX, report, "motcua-province-report", "xlsx")
