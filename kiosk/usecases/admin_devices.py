"""The admin's view of devices, and the changes made on /admin/devices.

- `device_lines`: every printer and scanner with its live status and when it was
  last heard from (status: kiosk.runtime.device_health.all_device_status, the
  database rows written by the process that owns each device, overlaid with this
  process's own); `screens_connected`; the "test print" button (`test_print`, a
  stored print job printed by whichever process owns the printer within half a
  second).
- `save` / `remove`: add, change or remove a printer, scanner, kiosk or agent.
  In one transaction: the set-up's version is bumped (its row locked, so changes
  go one after another), the whole new set-up is checked by
  device_config.check (plus a scanner's kiosk or counter must exist), the row is
  written and the change audited (`printer.add`, `scanner.update`,
  `kiosk.remove`…, with the fields that changed).  After the commit,
  `devices_changed` {version} goes to the device owner and every agent
  (kiosk/rooms.py), which reconcile without a restart.  A device still used by
  another (a printer a kiosk prints on, a kiosk a scanner serves, an agent that
  drives a device) is not removed: `device_in_use` names the users.  A name
  never changes (jobs, status and pairing carry it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime

from sqlalchemy import delete, select

from kiosk import rooms
from kiosk.core.errors import Conflict, NotFound
from kiosk.events import Outgoing
from kiosk.store import repository as repo
from kiosk.store.tables import (
    AgentRow,
    DeviceStatusRow,
    KioskRow,
    PrinterRow,
    ScannerRow,
)
from kiosk.usecases import audit, device_config, print_jobs
from kiosk.usecases.context import QueueContext
from kiosk.usecases.device_config import Agent, DeviceSetup, Kiosk, Printer, Scanner

PROBLEMS = ("paper_out", "paper_near_end", "cover_open")


@dataclass(frozen=True)
class DeviceLine:
    kind: str  # printer | scanner
    name: str
    agent: str | None  # the device agent driving it; None: the hub side
    where: str  # URL or port
    use: str  # what it serves: kiosk:kiosk-1, counter:3
    state: str  # online | offline | fault | error | unknown | … as the owner reported
    problems: tuple[str, ...]
    error: str | None
    last_seen: datetime | None


def _when(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def device_lines(setup: DeviceSetup, statuses: dict[str, dict]) -> list[DeviceLine]:
    """Every printer and scanner of `setup`, plus any device that reported without being
    in it (an owner process that has not caught up with a change yet)."""
    kiosks_of: dict[str, list[str]] = {}
    for kiosk in setup.kiosks:
        if kiosk.printer:
            kiosks_of.setdefault(kiosk.printer, []).append(f"kiosk:{kiosk.name}")
    lines = []
    seen = set()
    for kind, device in [("printer", p) for p in setup.printers] + [
        ("scanner", s) for s in setup.scanners
    ]:
        key = f"{kind}:{device.name}"
        seen.add(key)
        use = getattr(device, "use", "") or ", ".join(kiosks_of.get(device.name, []))
        cfg = {"url": device.url, "agent": device.agent}
        lines.append(_line(kind, device.name, cfg, statuses.get(key, {}), use))
    for key, status in sorted(statuses.items()):
        kind, _, name = key.partition(":")
        if key not in seen and kind in ("printer", "scanner"):
            lines.append(_line(kind, name, {}, status, ""))
    return lines


def _line(kind: str, name: str, cfg: dict, status: dict, use: str) -> DeviceLine:
    return DeviceLine(
        kind=kind,
        name=name,
        agent=cfg.get("agent"),
        where=str(cfg.get("url") or status.get("url") or status.get("path") or ""),
        use=str(use or ""),
        state=str(status.get("state") or "unknown"),
        problems=tuple(p for p in PROBLEMS if status.get(p)),
        error=status.get("error"),
        last_seen=_when(status.get("last_scan_at") or status.get("at")),
    )


def screens_connected(server, centre_id: int, counters: list[int]) -> dict[str, int]:
    """How many screens of each kind this process serves right now (Socket.IO rooms)."""
    manager = server.manager

    def count(room: str) -> int:
        try:
            return sum(1 for _ in manager.get_participants("/", room))
        except (KeyError, AttributeError):
            return 0

    result = {
        "lobby": count(rooms.lobby(centre_id)),
        "kiosks": count(rooms.kiosks(centre_id)),
    }
    for number in counters:
        result[f"counter:{number}"] = count(rooms.counter(centre_id, number))
    return result


def test_print(ctx: QueueContext, user_id: int | None, printer: str) -> dict:
    """A sample ticket on `printer` (one of the centre's printers), stored as a print job
    for the process that owns it; audited.  An unknown printer is NotFound."""
    printers = [p.name for p in device_config.devices_of(ctx).printers]
    return print_jobs.queue_job(ctx, printers, printer, ticket_id=None, user_id=user_id)


# -- changes ---------------------------------------------------------------------------

Device = Printer | Scanner | Kiosk | Agent
KINDS: dict[str, tuple[type, type, str]] = {  # kind → value, row, DeviceSetup field
    "printer": (Printer, PrinterRow, "printers"),
    "scanner": (Scanner, ScannerRow, "scanners"),
    "kiosk": (Kiosk, KioskRow, "kiosks"),
    "agent": (Agent, AgentRow, "agents"),
}


def kind_of(device: Device) -> str:
    return next(kind for kind, (value, _, _) in KINDS.items() if isinstance(device, value))


def save(ctx: QueueContext, device: Device, user_id: int | None, *, adding: bool) -> int:
    """Add (`adding`) or change the device of this kind and name; the new version.
    Conflict `duplicate_device_name` / NotFound `unknown_device`, InvalidInput when the
    set-up would break a rule (device_config.check), NotFound `unknown_kiosk` /
    `unknown_counter` for a scanner serving neither."""
    kind = kind_of(device)
    _, row_type, field = KINDS[kind]
    with ctx.store.write() as session:
        version = device_config.bump(session, ctx)
        before = device_config.read(session, ctx.centre_id)
        old = _find(before, field, device.name)
        if adding and old is not None:
            raise Conflict("duplicate_device_name", name=device.name)
        if not adding and old is None:
            raise NotFound("unknown_device", name=device.name)
        others = tuple(d for d in getattr(before, field) if d.name != device.name)
        after = replace(before, **{field: (*others, device)})
        device_config.check(after)
        if isinstance(device, Scanner):
            _check_place(session, ctx, device, after)
        columns = _columns(device)
        row = session.execute(
            select(row_type).where(
                row_type.centre_id == ctx.centre_id, row_type.name == device.name
            )
        ).scalar_one_or_none()
        if row is None:
            session.add(row_type(centre_id=ctx.centre_id, **columns))
            details = {k: v for k, v in columns.items() if k != "name" and v not in (None, {}, "")}
        else:
            details = {k: [getattr(row, k), v] for k, v in columns.items() if getattr(row, k) != v}
            for key, value in columns.items():
                setattr(row, key, value)
        action = f"{kind}.{'add' if adding else 'update'}"
        audit.record(session, ctx.centre_id, ctx.now(), user_id, action, device.name, details)
    _changed(ctx, version, before, after)
    return version


def remove(ctx: QueueContext, kind: str, name: str, user_id: int | None) -> int:
    """Remove a device; the new version.  NotFound `unknown_device`; Conflict
    `device_in_use` while a kiosk prints on it, a scanner serves it or it drives devices.
    A removed printer's waiting jobs fail as no longer configured; its status is gone."""
    if kind not in KINDS:
        raise NotFound("unknown_device", name=name)
    _, row_type, field = KINDS[kind]
    with ctx.store.write() as session:
        version = device_config.bump(session, ctx)
        before = device_config.read(session, ctx.centre_id)
        if _find(before, field, name) is None:
            raise NotFound("unknown_device", name=name)
        users = _users(before, kind, name)
        if users:
            raise Conflict("device_in_use", name=name, users=", ".join(users))
        session.execute(
            delete(row_type).where(row_type.centre_id == ctx.centre_id, row_type.name == name)
        )
        if kind in ("printer", "scanner"):
            session.execute(
                delete(DeviceStatusRow).where(
                    DeviceStatusRow.centre_id == ctx.centre_id,
                    DeviceStatusRow.key == f"{kind}:{name}",
                )
            )
        audit.record(session, ctx.centre_id, ctx.now(), user_id, f"{kind}.remove", name)
        after = replace(
            before, **{field: tuple(d for d in getattr(before, field) if d.name != name)}
        )
    _changed(ctx, version, before, after)
    return version


def _find(setup: DeviceSetup, field: str, name: str) -> Device | None:
    return next((d for d in getattr(setup, field) if d.name == name), None)


def _columns(device: Device) -> dict:
    if isinstance(device, Printer):
        return device_config.printer_columns(device)
    if isinstance(device, Scanner):
        return device_config.scanner_columns(device)
    return asdict(device)


def _users(setup: DeviceSetup, kind: str, name: str) -> list[str]:
    """Who still uses device `name`, as `kiosk:NAME`, `scanner:NAME`, `printer:NAME`."""
    if kind == "printer":
        return [f"kiosk:{k.name}" for k in setup.kiosks if k.printer == name]
    if kind == "kiosk":
        return [f"scanner:{s.name}" for s in setup.scanners if s.use == f"kiosk:{name}"]
    if kind == "agent":
        return [f"printer:{p.name}" for p in setup.printers if p.agent == name] + [
            f"scanner:{s.name}" for s in setup.scanners if s.agent == name
        ]
    return []


def _check_place(session, ctx: QueueContext, scanner: Scanner, setup: DeviceSetup) -> None:
    """The kiosk or counter a scanner serves must exist, or its scans would go nowhere."""
    place, _, value = scanner.use.partition(":")
    if place == "kiosk" and value not in setup.kiosk_names:
        raise NotFound("unknown_kiosk", kiosk=value)
    if place == "counter":
        repo.counter_row(session, ctx.centre_id, int(value))


def _changed(ctx: QueueContext, version: int, before: DeviceSetup, after: DeviceSetup) -> None:
    """After the commit: this process's cache is stale, the owners are told."""
    device_config.forget(ctx)
    agents = sorted({a.name for a in (*before.agents, *after.agents)})
    targets = (rooms.device_owner(ctx.centre_id), *(rooms.agent(ctx.centre_id, a) for a in agents))
    ctx.publish([Outgoing("devices_changed", {"version": version}, targets)])
