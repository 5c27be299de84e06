"""The province report as files (kiosk/usecases/province_reports.py): XLSX with a
comparison sheet (one row per centre, then the province's total) and one sheet per
centre (its total and fields, in the centre report's columns: kiosk/reporting/labels.py),
and CSV with the comparison table, then every centre's rows under a Centre column.
Text is kept from becoming a formula as in the centre report (export.py)."""

from __future__ import annotations

import csv
import io
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from kiosk.reporting.export import _put, csv_safe
from kiosk.reporting.labels import COLUMNS, SECTIONS, cell, row_name

# (key of a comparison row, label, kind) — kind as labels.Column: count | minutes | share | mean
COMPARISON = (
    ("issued", _l("Tickets"), "count"),
    ("served", _l("Served"), "count"),
    ("no_show", _l("No-show"), "count"),
    ("wait_mean_s", _l("Wait, mean (min)"), "minutes"),
    ("wait_p90_s", _l("Wait, 90th percentile (min)"), "minutes"),
    ("service_mean_s", _l("Service, mean (min)"), "minutes"),
    ("rated", _l("Ratings"), "count"),
    ("rating_mean", _l("Mean rating (1–5)"), "mean"),
    ("satisfied_share", _l("Share satisfied or very satisfied"), "share"),
)
CENTRE_SECTIONS = ("totals", "by_service")
FORMATS = {"share": "0.0%", "minutes": "0.0", "mean": "0.00"}
SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def comparison_values(row: dict) -> list:
    """A comparison row's values as the files show them: minutes from seconds."""
    values = []
    for key, _label, kind in COMPARISON:
        value = row[key]
        values.append(round(value / 60, 1) if kind == "minutes" and value is not None else value)
    return values


def _comparison_rows(report: dict) -> list[list]:
    rows = [[c["code"], c["name"], *comparison_values(c["comparison"])] for c in report["centres"]]
    rows.append(["", _("Province total"), *comparison_values(report["totals"])])
    return rows


def _centre_rows(centre: dict, lang: str) -> list[tuple[str, list]]:
    """(section, [name, *figures]) rows of one centre: its total, then its fields."""
    rows = []
    for section in CENTRE_SECTIONS:
        for row in [centre["totals"]] if section == "totals" else centre[section]:
            rows.append((section, [row_name(section, row, lang), *(cell(c, row) for c in COLUMNS)]))
    return rows


def to_csv(report: dict, lang: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def write(values) -> None:
        writer.writerow([csv_safe("" if v is None else v) for v in values])

    write([_("From"), report["from"], _("To"), report["to"]])
    write([_("Code"), _("Centre"), *(str(label) for _key, label, _kind in COMPARISON)])
    for row in _comparison_rows(report):
        write(row)
    write([])
    write([_("Code"), _("Centre"), _("Grouping"), _("Name"), *(str(c.label) for c in COLUMNS)])
    for centre in report["centres"]:
        for section, values in _centre_rows(centre, lang):
            write([centre["code"], centre["name"], str(SECTIONS[section]), *values])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def sheet_names(codes: list[str]) -> list[str]:
    """One sheet name per centre: its code, within Excel's 31 characters and
    characters, unique (case-insensitively, as Excel compares them)."""
    names, seen = [], {_("Comparison").lower()}
    for code in codes:
        base = SHEET_NAME.sub("_", code)[:31] or "_"
        name, n = base, 1
        while name.lower() in seen:
            n += 1
            name = f"{base[: 31 - len(str(n)) - 1]}~{n}"
        seen.add(name.lower())
        names.append(name)
    return names


def _sheet(book, title: str, report: dict, header: list, rows: list[list], kinds: list[str]):
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    _put(sheet, 1, [_("From"), report["from"], _("To"), report["to"]])
    _put(sheet, 2, header)
    for column in range(1, len(header) + 1):
        sheet.cell(row=2, column=column).font = Font(bold=True)
    for index, values in enumerate(rows, start=3):
        _put(sheet, index, values)
    first_figure = len(header) - len(kinds) + 1
    for offset, kind in enumerate(kinds):
        letter = get_column_letter(first_figure + offset)
        sheet.column_dimensions[letter].width = 40 if kind == "text" else 14
        if kind in FORMATS:
            for row_index in range(3, sheet.max_row + 1):
                sheet[f"{letter}{row_index}"].number_format = FORMATS[kind]
    for column in range(1, first_figure):
        sheet.column_dimensions[get_column_letter(column)].width = 36
    sheet.freeze_panes = sheet.cell(row=3, column=first_figure)
    return sheet


def to_xlsx(report: dict, lang: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    kinds = [kind for _key, _label, kind in COMPARISON]
    header = [_("Code"), _("Centre"), *(str(label) for _key, label, _kind in COMPARISON)]
    _sheet(book, _("Comparison")[:31], report, header, _comparison_rows(report), kinds)
    names = sheet_names([c["code"] for c in report["centres"]])
    for name, centre in zip(names, report["centres"], strict=True):
        header = [centre["name"], *(str(c.label) for c in COLUMNS)]
        rows = [values for _section, values in _centre_rows(centre, lang)]
        _sheet(book, name, report, header, rows, [c.kind for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
