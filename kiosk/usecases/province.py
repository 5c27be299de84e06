"""The province overview: every centre of the installation on one screen
(`GET /api/v1/province/overview`, the `/province` page; CONTRACT.md, "Several
centres in one installation").

Built by a fixed handful of GROUP BY statements over all centres at once (centres,
waiting per field, targets, counters, served today, ratings today, device status),
never by statements per centre: a province has hundreds of centres.  The rules are
the read models' (kiosk/usecases/read_models.py) and the supervisor view's:

- `waiting`: tickets in status `waiting` of the centre's active fields (the lobby's
  count); `longest_wait_s`: since the oldest of them was issued (the lobby's
  "longest wait", `QueueReader.longest_waits`), over all fields;
- `target_wait_s`: the target of the field in which that citizen waits, else the
  centre's tightest field target (None when no field has one); `wait_vs_target`:
  the highest longest-wait / target of any field with a target (1.0 = at target),
  what the page sorts by first;
- `counters_open` / `counters_paused`: counters whose state is `open` / `paused`;
- `served_today`: tickets `done` with `finished_at` since the centre's local midnight
  (`QueueReader.served_today`, summed over counters);
- `satisfaction_today`: the share (0..1, 4 places) of today's ratings that are 4 or 5
  ("hài lòng", "rất hài lòng"), as the reports' `satisfied_share`; None when nobody
  rated; `ratings_today` is how many rated;
- `devices_offline` / `screens_offline`: printers, scanners and agents / kiosks, lobby
  TVs and counter screens whose last status is a problem (kiosk/core/alerts.py
  `device_alert`: offline, fault, error, paper out);
- `alerts`: the supervisor's alerts now: fields past their target plus devices and
  screens with a problem.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select

from kiosk.core.alerts import Waiting, device_alert, wait_alerts
from kiosk.core.model import TicketStatus
from kiosk.core.stats import share
from kiosk.store import Store
from kiosk.store.tables import (
    CentreRow,
    CounterRow,
    DeviceStatusRow,
    RatingRow,
    ServiceRow,
    TicketRow,
)

# Paired screens (kiosk/runtime/presence.py); every other device kind is a device.
SCREEN_KINDS = ("kiosk", "display", "counter_screen", "screen")
SATISFIED_SCORES = (4, 5)

_WAITING = (
    select(
        TicketRow.centre_id,
        TicketRow.service_id,
        func.count(TicketRow.id),
        func.min(TicketRow.issued_at),
    )
    .join(ServiceRow, ServiceRow.id == TicketRow.service_id)
    .where(TicketRow.status == TicketStatus.WAITING.value, ServiceRow.active.is_(True))
    .group_by(TicketRow.centre_id, TicketRow.service_id)
)
_TARGETS = select(ServiceRow.centre_id, ServiceRow.id, ServiceRow.target_wait_s).where(
    ServiceRow.active.is_(True), ServiceRow.target_wait_s.is_not(None)
)
_COUNTERS = select(CounterRow.centre_id, CounterRow.state, func.count(CounterRow.id)).group_by(
    CounterRow.centre_id, CounterRow.state
)


def overview(
    store: Store,
    now: datetime,
    own_status: Mapping[int, Mapping[str, dict]] | None = None,
    centre_ids: Iterable[int] | None = None,
) -> list[dict]:
    """One entry per centre (by name), as of `now`.  `own_status`: centre id → the
    device statuses this process holds itself (its own screens and devices, fresher
    than the table).  `centre_ids`: only these centres."""
    with store.read() as session:
        listed = select(CentreRow.id, CentreRow.code, CentreRow.name, CentreRow.timezone)
        if centre_ids is not None:
            listed = listed.where(CentreRow.id.in_(list(centre_ids)))
        centres = session.execute(listed.order_by(CentreRow.name, CentreRow.code)).all()
        if not centres:
            return []
        ids = [c.id for c in centres]

        # Every statement names the centres, so each reads through its table's
        # (centre_id, …) index rather than the whole table.
        def rows(statement, column, within=ids):
            return session.execute(statement.where(column.in_(within))).all()

        waiting = rows(_WAITING, TicketRow.centre_id)
        targets = rows(_TARGETS, ServiceRow.centre_id)
        counters = rows(_COUNTERS, CounterRow.centre_id)
        statuses = rows(
            select(DeviceStatusRow.centre_id, DeviceStatusRow.key, DeviceStatusRow.data),
            DeviceStatusRow.centre_id,
        )
        # "Today" is each centre's own: one pair of statements per time zone (a province
        # has one).  `business_day` from yesterday on bounds them by the (centre_id,
        # business_day) index: a ticket finished or rated today was queued today, or
        # yesterday at the latest (earlier days are closed at the day's end).
        by_zone: dict[str, list[int]] = defaultdict(list)
        for centre in centres:
            by_zone[centre.timezone or "Asia/Ho_Chi_Minh"].append(centre.id)
        served: dict[int, int] = {}
        rated: dict[int, tuple[int, int]] = {}
        satisfied = func.sum(case((RatingRow.score.in_(SATISFIED_SCORES), 1), else_=0))
        for zone, within in by_zone.items():
            start = _day_start(now, zone)
            recent = TicketRow.business_day >= (start.date() - timedelta(days=1))
            done = (
                select(TicketRow.centre_id, func.count(TicketRow.id))
                .where(
                    recent,
                    TicketRow.status == TicketStatus.DONE.value,
                    TicketRow.finished_at >= start,
                )
                .group_by(TicketRow.centre_id)
            )
            for centre_id, count in rows(done, TicketRow.centre_id, within):
                served[centre_id] = int(count)
            ratings = (
                select(TicketRow.centre_id, func.count(RatingRow.id), satisfied)
                .join(TicketRow, TicketRow.id == RatingRow.ticket_id)
                .where(recent, RatingRow.at >= start)
                .group_by(TicketRow.centre_id)
            )
            for centre_id, count, good in rows(ratings, TicketRow.centre_id, within):
                rated[centre_id] = (int(count), int(good or 0))

    queue: dict[int, list[tuple[int, int, datetime]]] = defaultdict(list)
    for centre_id, service_id, count, oldest in waiting:
        queue[centre_id].append((service_id, int(count), oldest))
    target_of: dict[int, dict[int, int]] = defaultdict(dict)
    for centre_id, service_id, target in targets:
        if target:
            target_of[centre_id][service_id] = int(target)
    states: dict[int, dict[str, int]] = defaultdict(dict)
    for centre_id, state, count in counters:
        states[centre_id][state] = int(count)
    devices: dict[int, dict[str, dict]] = defaultdict(dict)
    for centre_id, key, data in statuses:
        devices[centre_id][key] = dict(data or {})
    for centre_id, own in (own_status or {}).items():
        devices[centre_id].update(own)

    return [
        _entry(
            centre,
            now,
            queue.get(centre.id, []),
            target_of.get(centre.id, {}),
            states.get(centre.id, {}),
            served.get(centre.id, 0),
            rated.get(centre.id, (0, 0)),
            devices.get(centre.id, {}),
        )
        for centre in centres
    ]


def _entry(centre, now, queue, targets, states, served, rated, devices) -> dict:
    longest_s, longest_service, ratio = 0, None, None
    for service_id, _count, oldest in queue:
        waited = max(0, int((now - oldest).total_seconds()))
        if longest_service is None or waited > longest_s:
            longest_s, longest_service = waited, service_id
        if targets.get(service_id):
            here = round(waited / targets[service_id], 3)
            ratio = here if ratio is None else max(ratio, here)
    target = targets.get(longest_service) if longest_service is not None else None
    if target is None and targets:
        target = min(targets.values())
    oldest = [Waiting(str(service_id), "", since) for service_id, _, since in queue]
    alerts = len(wait_alerts(oldest, {str(k): v for k, v in targets.items()}, now))
    devices_offline = screens_offline = 0
    for key, status in devices.items():
        if device_alert(key, status) is None:
            continue
        alerts += 1
        kind = status.get("kind") or key.split(":", 1)[0]
        if kind in SCREEN_KINDS:
            screens_offline += 1
        else:
            devices_offline += 1
    count, good = rated
    return {
        "code": centre.code,
        "name": centre.name,
        "waiting": sum(count for _, count, _ in queue),
        "longest_wait_s": longest_s,
        "target_wait_s": target,
        "wait_vs_target": ratio,
        "counters_open": states.get("open", 0),
        "counters_paused": states.get("paused", 0),
        "served_today": served,
        "satisfaction_today": share(good, count),
        "ratings_today": count,
        "devices_offline": devices_offline,
        "screens_offline": screens_offline,
        "alerts": alerts,
    }


def _day_start(now: datetime, zone: str) -> datetime:
    local = now.astimezone(ZoneInfo(zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def change(code: str, queue: Mapping | None) -> dict:
    """The small `province` event for one centre's change: its code and, when the change
    came with the centre's `queue` payload, its waiting count and longest wait (the page
    refreshes the rest from the overview a moment later)."""
    data: dict = {"code": code}
    if isinstance(queue, Mapping):
        waiting = queue.get("waiting")
        longest = queue.get("longest_wait_s")
        if isinstance(waiting, Mapping):
            data["waiting"] = sum(int(n) for n in waiting.values())
        if isinstance(longest, Mapping):
            data["longest_wait_s"] = max((int(s) for s in longest.values()), default=0)
    return data


__all__ = ["SCREEN_KINDS", "change", "overview"]
