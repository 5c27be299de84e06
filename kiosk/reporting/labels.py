"""The report's columns and words, shared by the page and the CSV/XLSX files,
so a column reads the same everywhere (Vietnamese first, through Flask-Babel)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

SECTIONS = {
    "totals": _l("Total"),
    "by_service": _l("Field"),
    "by_counter": _l("Counter"),
    "by_clerk": _l("Clerk"),
    "by_hour": _l("Hour"),
}
SHEETS = {
    "totals": _l("Summary"),
    "by_service": _l("Fields"),
    "by_counter": _l("Counters"),
    "by_clerk": _l("Clerks"),
    "by_hour": _l("Hours"),
}
# numbers taken by phone (issue 17), counted apart: the summary's `remote` figures
REMOTE_SECTION = _l("Numbers by phone")
REMOTE_COLUMNS = (
    ("taken", _l("Taken")),
    ("checked_in", _l("Checked in")),
    ("lost_place", _l("Lost their place")),
    ("served", _l("Served")),
)
SCORE_LABELS = {
    "5": _l("Very satisfied"),
    "4": _l("Satisfied"),
    "3": _l("Acceptable"),
    "2": _l("Not satisfied"),
    "1": _l("Very dissatisfied"),
}
# the codes the counter screen sends (display/templates/counter_screen.html)
REASON_LABELS = {
    "attitude": _l("Staff attitude"),
    "waiting_time": _l("Waiting time"),
    "unclear_guidance": _l("Unclear guidance"),
    "processing_time": _l("Processing time"),
}


def reason_label(code: str) -> str:
    return str(REASON_LABELS.get(code, code))


def minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def reasons_text(reasons: dict[str, int]) -> str:
    return "; ".join(f"{reason_label(code)}: {n}" for code, n in reasons.items())


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # a lazy string: translated when shown
    value: Callable[[dict], object]
    kind: str = "count"  # count | minutes | share | text


COLUMNS = (
    Column("issued", _l("Issued"), lambda r: r["issued"]),
    Column("called", _l("Called"), lambda r: r["called"]),
    Column("served", _l("Served"), lambda r: r["served"]),
    Column("no_show", _l("No-show"), lambda r: r["no_show"]),
    Column("cancelled", _l("Cancelled"), lambda r: r["cancelled"]),
    Column("transferred", _l("Transferred"), lambda r: r["transferred"]),
    Column("closed_unserved", _l("Unserved at closing"), lambda r: r["closed_unserved"]),
    Column("wait_mean", _l("Wait, mean (min)"), lambda r: r["wait_s"]["mean"], "minutes"),
    Column("wait_median", _l("Wait, median (min)"), lambda r: r["wait_s"]["median"], "minutes"),
    Column("wait_p90", _l("Wait, 90th percentile (min)"), lambda r: r["wait_s"]["p90"], "minutes"),
    Column("service_mean", _l("Service, mean (min)"), lambda r: r["service_s"]["mean"], "minutes"),
    Column(
        "service_median", _l("Service, median (min)"), lambda r: r["service_s"]["median"], "minutes"
    ),
    Column(
        "service_p90",
        _l("Service, 90th percentile (min)"),
        lambda r: r["service_s"]["p90"],
        "minutes",
    ),
    Column(
        "within_target",
        _l("Share called within target wait"),
        lambda r: r["within_target_share"],
        "share",
    ),
    Column("rated", _l("Ratings"), lambda r: r["ratings"]["rated"]),
    *(
        Column(f"score_{s}", label, lambda r, s=s: r["ratings"]["scores"][s])
        for s, label in SCORE_LABELS.items()
    ),
    Column(
        "satisfied",
        _l("Share satisfied or very satisfied"),
        lambda r: r["ratings"]["satisfied_share"],
        "share",
    ),
    Column("reasons", _l("Reasons given"), lambda r: reasons_text(r["ratings"]["reasons"]), "text"),
)


def cell(column: Column, row: dict):
    """A column's value as a file shows it: minutes from seconds, shares as fractions."""
    value = column.value(row)
    return minutes(value) if column.kind == "minutes" else value


def row_name(section: str, row: dict, lang: str) -> str:
    if section == "totals":
        return str(SECTIONS["totals"])
    if lang == "en" and row.get("name_en"):  # fields and counters have English names
        return row["name_en"]
    return str(row["name"])
