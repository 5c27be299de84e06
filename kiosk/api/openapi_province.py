"""The OpenAPI description of the province report routes (kiosk/api/province.py),
added to the one document kiosk/api/openapi.py serves."""

from __future__ import annotations

from kiosk.api.openapi import REPORT_ROW, SPEC, _object, _report
from kiosk.api.openapi import _shared_answers as shared_answers

_SECONDS = {"type": ["number", "null"], "description": "seconds; null: nothing to measure"}
COMPARISON = _object(
    ["issued", "served", "no_show", "wait_mean_s", "wait_p90_s", "service_mean_s", "rated"],
    {
        **{
            name: {"type": "integer", "minimum": 0}
            for name in ("issued", "called", "served", "no_show", "cancelled", "transferred")
        },
        "wait_mean_s": _SECONDS,
        "wait_p90_s": {
            **_SECONDS,
            "description": "90th percentile of the waits, seconds; always null in the "
            "province's total (percentiles do not add up across centres)",
        },
        "service_mean_s": _SECONDS,
        "rated": {"type": "integer", "minimum": 0},
        "rating_mean": {"type": ["number", "null"], "description": "mean score, 1 to 5"},
        "satisfied_share": {"type": ["number", "null"], "description": "share rated 4 or 5"},
    },
)
PROVINCE_REPORT = _object(
    ["from", "to", "totals", "centres"],
    {
        "from": {"type": "string", "format": "date"},
        "to": {"type": "string", "format": "date"},
        "days": {"type": "integer"},
        "generated_at": {"type": "string"},
        "totals": COMPARISON,
        "centres": {
            "type": "array",
            "items": _object(
                ["code", "name", "comparison", "totals", "by_service"],
                {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "comparison": COMPARISON,
                    "totals": REPORT_ROW,
                    "by_service": {"type": "array", "items": REPORT_ROW},
                },
            ),
        },
    },
)


PATHS = {
    "/api/v1/province/reports": _report(
        "Every centre's figures for a range of business days (at most 400; province roles "
        "only, a centre's own staff get 403): per centre a comparison row (tickets, served, "
        "no-shows, mean and 90th-percentile wait, mean service time, ratings) and its total "
        "and fields as in /api/v1/reports/summary; the province's total",
        "application/json",
        PROVINCE_REPORT,
    ),
    "/api/v1/province/reports.csv": _report(
        "The same as CSV (UTF-8 with byte-order mark): the comparison table, then every "
        "centre's total and fields",
        "text/csv",
        {"type": "string"},
    ),
    "/api/v1/province/reports.xlsx": _report(
        "The same as an Excel workbook: a comparison sheet, then one sheet per centre",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        {"type": "string", "format": "binary"},
    ),
}

SPEC["paths"].update(PATHS)
shared_answers({"paths": PATHS})
