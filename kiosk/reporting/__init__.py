"""How a report is shown: column labels, CSV and XLSX files, SVG charts.
The figures come from kiosk.usecases.reports; nothing here queries."""

from kiosk.reporting.page_charts import report_charts  # noqa: E402

__all__ = ["report_charts"]
