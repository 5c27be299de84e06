"""The report as files for LibreOffice and Excel: CSV (UTF-8 with a byte-order
mark, so Vietnamese opens intact) and XLSX (one sheet per grouping).

Names come from admins and rating reasons from citizens, so text never becomes
a formula: XLSX text cells are stored as strings explicitly, and a CSV text
that a spreadsheet would read as a formula (leading = + - @, tab or carriage
return) gets a leading apostrophe (OWASP "CSV injection")."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from kiosk.reporting.labels import (
    COLUMNS,
    REMOTE_COLUMNS,
    REMOTE_SECTION,
    SECTIONS,
    SHEETS,
    cell,
    row_name,
)

ORDER = ("totals", "by_service", "by_counter", "by_clerk", "by_hour")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _rows(summary: dict, section: str) -> list[dict]:
    return [summary["totals"]] if section == "totals" else summary[section]


def remote_figures(summary: dict) -> tuple[list[str], list[int]] | None:
    """Numbers by phone, counted apart from the tables: their labels and figures."""
    remote = summary.get("remote")
    if remote is None:
        return None
    return [str(label) for _key, label in REMOTE_COLUMNS], [remote[k] for k, _ in REMOTE_COLUMNS]


def csv_safe(value: object) -> object:
    """A text a spreadsheet would run as a formula, made plain text; numbers as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(summary: dict, lang: str) -> bytes:
    """Every grouping in one table: a Grouping column, then the name, then the figures."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def write(values) -> None:
        writer.writerow([csv_safe(v) for v in values])

    write([_("From"), summary["from"], _("To"), summary["to"]])
    write([_("Grouping"), _("Name"), *(str(c.label) for c in COLUMNS)])
    for section in ORDER:
        for row in _rows(summary, section):
            values = ("" if (v := cell(c, row)) is None else v for c in COLUMNS)
            write([str(SECTIONS[section]), row_name(section, row, lang), *values])
    if (remote := remote_figures(summary)) is not None:  # a heading line, then the figures
        labels, figures = remote
        write([str(REMOTE_SECTION), "", *labels])
        write([str(REMOTE_SECTION), str(SECTIONS["totals"]), *figures])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _put(sheet, row: int, values: list) -> None:
    """One row of cells; text is stored as a string even when it starts with "="."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for column, value in enumerate(values, start=1):
        target = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            target.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            target.data_type = "s"  # openpyxl would make "=…" a formula
        else:
            target.value = value


def to_xlsx(summary: dict, lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for section in ORDER:
        sheet = book.create_sheet(str(SHEETS[section])[:31])
        _put(sheet, 1, [_("From"), summary["from"], _("To"), summary["to"]])
        header = [str(SECTIONS[section]), *(str(c.label) for c in COLUMNS)]
        _put(sheet, 2, header)
        for column in range(1, len(header) + 1):
            sheet.cell(row=2, column=column).font = bold
        for index, row in enumerate(_rows(summary, section), start=3):
            _put(sheet, index, [row_name(section, row, lang), *(cell(c, row) for c in COLUMNS)])
        formats = {"share": "0.0%", "minutes": "0.0"}
        for index, column in enumerate(COLUMNS, start=2):
            letter = get_column_letter(index)
            for row_index in range(3, sheet.max_row + 1):
                if column.kind in formats:
                    sheet[f"{letter}{row_index}"].number_format = formats[column.kind]
            sheet.column_dimensions[letter].width = 40 if column.kind == "text" else 14
        sheet.column_dimensions["A"].width = 36
        sheet.freeze_panes = "B3"
        if section == "totals" and (remote := remote_figures(summary)) is not None:
            labels, figures = remote  # numbers by phone under the totals, after a blank row
            start = sheet.max_row + 2
            _put(sheet, start, [str(REMOTE_SECTION), *labels])
            _put(sheet, start + 1, [str(SECTIONS["totals"]), *figures])
            for column in range(1, len(labels) + 2):
                sheet.cell(row=start, column=column).font = bold
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
