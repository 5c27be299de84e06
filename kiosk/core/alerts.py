"""Supervisor alerts: a field whose longest wait has passed its target, a device
that went offline or reports a fault.  Plain Python: it decides which alerts
hold, start and end; kiosk/usecases/alerts.py feeds it the queue and publishes
what changed.

An alert has a stable `key` ("wait:HT", "device:printer:kiosk-1"), so a screen
(or a second hub process raising the same alert) replaces rather than repeats it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DEVICE_PROBLEM_STATES = ("offline", "fault", "error")


@dataclass(frozen=True)
class Waiting:
    """The longest-waiting citizen of a field: since when they wait for it."""

    service: str
    number: str
    since: datetime


@dataclass(frozen=True)
class Alert:
    key: str
    kind: str  # wait | device
    since: datetime | None
    details: dict = field(default_factory=dict, compare=False)


def wait_alerts(
    oldest: Iterable[Waiting], targets: Mapping[str, int | None], now: datetime
) -> list[Alert]:
    """One alert per field whose oldest waiting citizen has waited longer than the target."""
    alerts = []
    for waiting in oldest:
        target = targets.get(waiting.service)
        if not target:
            continue
        crossed = waiting.since + timedelta(seconds=target)
        if now >= crossed:
            alerts.append(
                Alert(
                    f"wait:{waiting.service}",
                    "wait",
                    crossed,
                    {
                        "service": waiting.service,
                        "number": waiting.number,
                        "waited_s": int((now - waiting.since).total_seconds()),
                        "target_s": target,
                    },
                )
            )
    return alerts


@dataclass(frozen=True)
class AlertChanges:
    """What a new look at the queue changes: the alerts that hold now, and of those
    shown before, which start and which end."""

    active: dict[str, Alert]
    started: list[Alert]
    ended: list[Alert]


def alert_changes(shown: Mapping[str, Alert], current: Iterable[Alert]) -> AlertChanges:
    """Each alert is sent once when it starts and once when it ends: `shown` are the ones
    already sent as active, `current` the ones that hold now."""
    active = {a.key: a for a in current}
    return AlertChanges(
        active,
        [a for key, a in active.items() if key not in shown],
        [a for key, a in shown.items() if key not in active],
    )


def next_crossing(
    oldest: Iterable[Waiting], targets: Mapping[str, int | None], now: datetime
) -> datetime | None:
    """When the next field not yet alerting will pass its target, if nothing changes."""
    upcoming = [
        w.since + timedelta(seconds=targets[w.service]) for w in oldest if targets.get(w.service)
    ]
    upcoming = [at for at in upcoming if at > now]
    return min(upcoming) if upcoming else None


def device_alert(key: str, status: Mapping) -> Alert | None:
    """A device whose last status is offline, faulty or in error (paper out counts as a fault)."""
    state = status.get("state")
    if state not in DEVICE_PROBLEM_STATES and not status.get("paper_out"):
        return None
    since = status.get("at")
    return Alert(
        f"device:{key}",
        "device",
        datetime.fromisoformat(since) if isinstance(since, str) else None,
        {
            "device": key,
            "name": status.get("name") or key.split(":", 1)[-1],
            "device_kind": status.get("kind") or key.split(":", 1)[0],
            "state": state if state in DEVICE_PROBLEM_STATES else "fault",
            "error": status.get("error"),
            "paper_out": bool(status.get("paper_out")),
        },
    )


def device_alerts(statuses: Mapping[str, Mapping]) -> list[Alert]:
    return [a for key, status in statuses.items() if (a := device_alert(key, status))]
