"""The three charts of the /reports page, from a summary."""

from __future__ import annotations

from flask_babel import gettext as _

from kiosk.reporting.charts import Series, bar_chart, share_bar
from kiosk.reporting.labels import SCORE_LABELS, minutes


def report_charts(summary: dict, lang: str) -> dict:
    """{name: (caption, svg)}"""
    hours = summary["by_hour"]
    fields = [f for f in summary["by_service"] if f["called"] or f["issued"]]
    field_names = [f["name_en"] if lang == "en" else f["name"] for f in fields]
    scores = summary["totals"]["ratings"]["scores"]
    titles = {
        "by_hour": _("Tickets by hour of arrival"),
        "wait_by_field": _("Wait by field (minutes)"),
        "satisfaction": _("Ratings"),
    }
    charts = {
        "by_hour": bar_chart(
            titles["by_hour"],
            [h["name"][:2] + "h" for h in hours],
            [
                Series(_("Issued"), [h["issued"] for h in hours], "issued"),
                Series(_("Served"), [h["served"] for h in hours], "served"),
                Series(_("No-show"), [h["no_show"] for h in hours], "no-show"),
            ],
            integers=True,
        ),
        "wait_by_field": bar_chart(
            titles["wait_by_field"],
            field_names,
            [
                Series(_("Median"), [minutes(f["wait_s"]["median"]) for f in fields], "median"),
                Series(_("90th percentile"), [minutes(f["wait_s"]["p90"]) for f in fields], "p90"),
                Series(_("Target"), [minutes(f["target_wait_s"]) for f in fields], "target"),
            ],
            unit=" " + _("min"),
        ),
        "satisfaction": share_bar(
            titles["satisfaction"],
            [(str(SCORE_LABELS[s]), scores[s], f"score-{s}") for s in ("5", "4", "3", "2", "1")],
        ),
    }
    return {name: (titles[name], svg) for name, svg in charts.items()}
