"""The province report (province roles): every centre's figures for a range of
business days, side by side, and each centre's own total and fields, for
GET /api/v1/province/reports (JSON, CSV, XLSX: kiosk/reporting/province_export.py)
and the /province/reports page.

Each centre's rows are built like the centre's own report (kiosk/usecases/reports.py
figures_row: same figures, same meanings); the counter, clerk and hour groupings stay
in the centre's own report, where its supervisor reads them.  The comparison row of a
centre is its total row cut to the figures a province compares (tickets, served,
no-shows, mean and 90th-percentile wait, mean service time, ratings).  The province's
own total adds the centres' counts and means; percentiles do not add up, so it has
none.  The range is the centre report's (reports.parse_range: at most 400 days), in
each centre's own business days.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from devices.blocking import run_blocking
from kiosk.core.stats import share
from kiosk.store import Store, reports_province
from kiosk.store import repository as repo
from kiosk.store.report_rows import SCORES
from kiosk.store.tables import CentreRow
from kiosk.usecases.read_models import iso
from kiosk.usecases.reports import figures_row

COMPARED = ("issued", "called", "served", "no_show", "cancelled", "transferred")


def report(store: Store, first_day: date, last_day: date, clock: Callable[[], datetime]) -> dict:
    with store.read() as session:
        centres = session.query(CentreRow).order_by(CentreRow.code).all()
        zones = {c.id: c.timezone for c in centres}
        found = reports_province.figures(session, zones, first_day, last_day)
        fields = {
            c.id: [
                (s.id, s.code, s.name, s.name_en or s.name, s.target_wait_s, s.active)
                for s in repo.services_of(session, c.id)
            ]
            for c in centres
        }
        named = [(c.id, c.code, c.name) for c in centres]

    rows = []
    for centre_id, code, name in named:
        own = found.get(centre_id, {})
        totals = figures_row(own, ("total", None))
        by_service = [
            figures_row(
                own, ("service", sid), key=fcode, name=fname, name_en=fname_en, target_wait_s=target
            )
            for sid, fcode, fname, fname_en, target, active in fields[centre_id]
            if active or ("service", sid) in own
        ]
        rows.append(
            {
                "code": code,
                "name": name,
                "comparison": comparison(totals),
                "totals": totals,
                "by_service": by_service,
            }
        )
    return {
        "from": first_day.isoformat(),
        "to": last_day.isoformat(),
        "days": (last_day - first_day).days + 1,
        "generated_at": iso(clock()),
        "totals": province_totals([r["totals"] for r in rows]),
        "centres": rows,
    }


def report_for_request(
    store: Store, first_day: date, last_day: date, clock: Callable[[], datetime]
) -> dict:
    """report() from a request handler: on SQLite in a native thread (as the centre
    report, reports.summary_for_request), so a long range does not stall the hub."""
    if not store.is_sqlite:
        return report(store, first_day, last_day, clock)
    return run_blocking(report, store, first_day, last_day, clock)


def mean_score(ratings: dict) -> float | None:
    rated = ratings["rated"]
    if not rated:
        return None
    return round(sum(int(s) * n for s, n in ratings["scores"].items()) / rated, 2)


def comparison(totals: dict) -> dict:
    """A centre's (or the province's) figures as the comparison sheet shows them."""
    ratings = totals["ratings"]
    return {
        **{name: totals[name] for name in COMPARED},
        "wait_mean_s": totals["wait_s"]["mean"],
        "wait_p90_s": totals["wait_s"]["p90"],
        "service_mean_s": totals["service_s"]["mean"],
        "rated": ratings["rated"],
        "rating_mean": mean_score(ratings),
        "satisfied_share": ratings["satisfied_share"],
    }


def province_totals(centres: list[dict]) -> dict:
    """The centres' total rows added up: counts summed, means weighted by their
    counts (wait by calls, service by served legs); no percentiles."""
    counts = {name: sum(c[name] for c in centres) for name in COMPARED}
    scores = {str(s): sum(c["ratings"]["scores"][str(s)] for c in centres) for s in SCORES}
    rated = sum(c["ratings"]["rated"] for c in centres)

    def weighted(figure: str, weight: str) -> float | None:
        pairs = [(c[figure]["mean"], c[weight]) for c in centres if c[figure]["mean"] is not None]
        n = sum(w for _, w in pairs)
        return round(sum(m * w for m, w in pairs) / n, 1) if n else None

    satisfied = scores["4"] + scores["5"]
    return {
        **counts,
        "wait_mean_s": weighted("wait_s", "called"),
        "wait_p90_s": None,
        "service_mean_s": weighted("service_s", "served"),
        "rated": rated,
        "rating_mean": mean_score({"rated": rated, "scores": scores}),
        "satisfied_share": share(satisfied, rated),
    }
