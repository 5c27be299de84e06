"""The admin's view of devices: printers and scanners with their live status
and when they were last heard from, screens connected to this hub process,
and the "test print" button.

Status comes from kiosk.devices_runtime.all_device_status (the database rows
written by the process that owns each device, overlaid with this process's
own).  A test print goes to the printer's worker in the owning process; when
this process does not own the printers (a separate `motcua devices run`
worker) it says so instead of pretending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk import rooms
from kiosk.core.errors import NotFound
from kiosk.usecases import print_jobs

PROBLEMS = ("paper_out", "paper_near_end", "cover_open")


@dataclass(frozen=True)
class DeviceLine:
    kind: str  # printer | scanner
    name: str
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


def device_lines(hub, statuses: dict[str, dict]) -> list[DeviceLine]:
    """Every configured printer and scanner, plus any device that reported without being
    configured here (an owner process with another centre file)."""
    configured = [("printer", p) for p in hub.centre_file.get("printers", [])] + [
        ("scanner", s) for s in hub.centre_file.get("scanners", [])
    ]
    kiosks_of: dict[str, list[str]] = {}
    for kiosk in hub.centre_file.get("kiosks", []):
        if kiosk.get("printer"):
            kiosks_of.setdefault(kiosk["printer"], []).append(f"kiosk:{kiosk['name']}")
    lines = []
    seen = set()
    for kind, cfg in configured:
        key = f"{kind}:{cfg.get('name')}"
        seen.add(key)
        use = cfg.get("use") or ", ".join(kiosks_of.get(cfg.get("name"), []))
        lines.append(_line(kind, cfg.get("name", ""), cfg, statuses.get(key, {}), use))
    for key, status in sorted(statuses.items()):
        kind, _, name = key.partition(":")
        if key not in seen and kind in ("printer", "scanner"):
            lines.append(_line(kind, name, {}, status, ""))
    return lines


def _line(kind: str, name: str, cfg: dict, status: dict, use: str) -> DeviceLine:
    return DeviceLine(
        kind=kind,
        name=name,
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


def test_print(hub, user_id: int | None, printer: str) -> dict:
    """A sample ticket on `printer`, printed by the process that owns it; audited."""
    configured = [p["name"] for p in hub.centre_file.get("printers", [])]
    if printer not in configured:
        raise NotFound("unknown_printer", printer=printer)
    job = print_jobs.queue_job(hub.ctx, configured, printer, ticket_id=None, user_id=user_id)
    if hub.printing is not None:
        hub.printing.submit_stored(job["job"])
    return job
