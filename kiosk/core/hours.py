"""Opening hours: is a centre (or one field) taking numbers at a local moment?

Hours are written the way a centre posts them on its door:

    opening_hours = { mon-fri = ["07:30-11:30", "13:30-17:00"], sat = ["07:30-11:30"] }
    holidays = ["2026-09-02", "2027-01-01"]

A day missing from the table is closed; no table at all means always open
(the demo, and centres that switch kiosks off at night).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta

from kiosk.core.errors import InvalidInput

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _day_keys(key: str) -> list[int]:
    key = key.strip().lower()
    if "-" in key:
        first, last = key.split("-", 1)
        if first not in DAYS or last not in DAYS:
            raise InvalidInput("invalid_hours", hours=key)
        start, end = DAYS.index(first), DAYS.index(last)
        return list(range(start, end + 1)) if start <= end else []
    if key not in DAYS:
        raise InvalidInput("invalid_hours", hours=key)
    return [DAYS.index(key)]


def _span(text: str) -> tuple[time, time]:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-", 1))
    except ValueError as error:
        raise InvalidInput("invalid_hours", hours=text) from error
    if end <= start:
        raise InvalidInput("invalid_hours", hours=text)
    return start, end


def parse_hours(table: Mapping[str, Iterable[str]]) -> dict[int, list[tuple[time, time]]]:
    """{"mon-fri": ["07:30-11:30"]} → {0: [(07:30, 11:30)], …}; raises InvalidInput on a typo."""
    parsed: dict[int, list[tuple[time, time]]] = {}
    for key, spans in table.items():
        for day in _day_keys(key):
            parsed.setdefault(day, []).extend(_span(s) for s in spans)
    return parsed


def is_open(
    local_now: datetime,
    table: Mapping[str, Iterable[str]] | None,
    holidays: Iterable[str | date] = (),
) -> bool:
    """True when `local_now` (already in the centre's time zone) falls inside opening hours."""
    today = local_now.date()
    if any((h if isinstance(h, date) else date.fromisoformat(h)) == today for h in holidays):
        return False
    if not table:
        return True
    spans = parse_hours(table).get(local_now.weekday(), [])
    moment = local_now.time()
    return any(start <= moment < end for start, end in spans)


def next_opening(
    local_now: datetime,
    table: Mapping[str, Iterable[str]] | None,
    holidays: Iterable[str | date] = (),
    horizon_days: int = 31,
) -> datetime | None:
    """When a closed place opens next (in `local_now`'s zone), or None: open now, no hours
    in the next `horizon_days`, or always open but today is a holiday and no table says when."""
    if is_open(local_now, table, holidays):
        return None
    off = {h if isinstance(h, date) else date.fromisoformat(h) for h in holidays}
    spans = parse_hours(table) if table else {}
    for offset in range(horizon_days + 1):
        day = local_now.date() + timedelta(days=offset)
        if day in off:
            continue
        if not table:  # always open, except on the holidays just skipped
            return datetime.combine(day, time(0, 0), local_now.tzinfo)
        for start, _end in sorted(spans.get(day.weekday(), [])):
            opening = datetime.combine(day, start, local_now.tzinfo)
            if opening > local_now:
                return opening
    return None


# -- the admin form's plain-text form of the table -----------------------------------------


def hours_from_text(text: str) -> dict[str, list[str]]:
    """One line per group of days, as posted on the door:

        mon-fri 07:30-11:30, 13:30-17:00
        sat 07:30-11:30

    → {"mon-fri": ["07:30-11:30", "13:30-17:00"], "sat": ["07:30-11:30"]}.
    Empty text → {} (always open).  Raises InvalidInput naming the bad line.
    """
    table: dict[str, list[str]] = {}
    for raw in text.replace(";", "\n").splitlines():
        line = raw.strip()
        if not line:
            continue
        days, _, spans = line.partition(" ")
        days = days.strip().lower()
        parts = [s.strip() for s in spans.replace("=", " ").split(",") if s.strip()]
        if not parts:
            raise InvalidInput("invalid_hours", hours=line)
        try:
            _day_keys(days)
            for part in parts:
                _span(part)
        except InvalidInput as error:
            raise InvalidInput("invalid_hours", hours=line) from error
        table.setdefault(days, []).extend(parts)
    return table


def hours_to_text(table: Mapping[str, Iterable[str]] | None) -> str:
    return "\n".join(f"{days} {', '.join(spans)}" for days, spans in (table or {}).items())


def holidays_from_text(text: str) -> list[str]:
    """Dates separated by commas or lines, as 2026-09-02 or 02/09/2026 → sorted ISO dates."""
    found: set[str] = set()
    for raw in text.replace(",", "\n").replace(";", "\n").splitlines():
        item = raw.strip()
        if not item:
            continue
        try:
            if "/" in item:
                day, month, year = (int(p) for p in item.split("/"))
                found.add(date(year, month, day).isoformat())
            else:
                found.add(date.fromisoformat(item).isoformat())
        except ValueError as error:
            raise InvalidInput("invalid_holiday", day=item) from error
    return sorted(found)
