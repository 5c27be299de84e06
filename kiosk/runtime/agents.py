"""Device agents seen from the hub: which printers and scanners each one drives, and the
print hint for a ticket whose printer an agent drives (it is offered to that agent, not
printed here).  The Socket.IO side is kiosk/realtime_agent.py.

Which devices are an agent's: the stored set-up (kiosk.usecases.device_config), which
the centre file seeds and /admin/devices changes; an agent hears `devices_changed` and
asks again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.runtime.device_health import all_device_status
from kiosk.store.tables import PrintJobRow
from kiosk.usecases import device_config, print_jobs

if TYPE_CHECKING:
    from kiosk.runtime.hub import ServedCentre

KIND = "agent"  # device token kind, device status key prefix ("agent:kiosk-pc-1")


def known(centre: ServedCentre, name: str) -> bool:
    return device_config.cached(centre.ctx).agent(name) is not None


def devices_of(centre: ServedCentre, name: str) -> dict[str, list[dict]]:
    """{printers, scanners}: the tables of the devices agent `name` drives, as stored now
    (NotFound `unknown_agent` when it is not, or no longer, in the set-up)."""
    setup = device_config.for_owner(centre.ctx, name)
    return {
        "printers": [p.table() for p in setup.printers],
        "scanners": [s.table() for s in setup.scanners],
    }


def agent_of_printer(centre: ServedCentre, printer: str) -> str | None:
    found = device_config.cached(centre.ctx).printer(printer)
    return found.agent if found is not None else None


def offer(centre: ServedCentre, job_id: int) -> dict | None:
    """The print hint of a new ticket whose printer an agent drives (None: not an agent's):
    the job goes to the agent now; the kiosk hears whether the agent and its printer were
    fine when last heard of (if not, it shows the number on screen)."""
    with centre.ctx.store.read() as session:
        printer = session.get(PrintJobRow, job_id).printer
    agent = agent_of_printer(centre, printer)
    if agent is None:
        return None
    print_jobs.offer_job(centre.ctx, job_id, agent)
    status = all_device_status(centre)
    agent_ok = status.get(f"{KIND}:{agent}", {}).get("state") == "online"
    printer_ok = status.get(f"printer:{printer}", {}).get("state") in (None, "online", "unknown")
    return {
        "printer": printer,
        "job": job_id,
        "state": "queued",
        "printer_ok": agent_ok and printer_ok,
    }


def printer_entry(centre: ServedCentre, agent: str, name: str, status: dict) -> dict:
    """A printer's status as an agent reported it (PrinterStatus.to_dict), in the shape of
    the hub's own printers (print_service.PrintService._status)."""
    found = device_config.cached(centre.ctx).printer(name)
    state = status.get("state") or (
        "online" if status.get("ok") else ("offline" if status.get("online") is False else "fault")
    )
    return {
        "kind": "printer",
        "name": name,
        "url": found.url if found else None,
        "agent": agent,
        "at": centre.ctx.now().isoformat(),
        **status,
        "state": state,
    }


def scanner_entry(centre: ServedCentre, agent: str, name: str, status: dict) -> dict:
    """A scanner's status as an agent reported it (ScannerWorker.status), in the shape of
    the hub's own scanners (scanner_service.ScannerService._entry)."""
    found = device_config.cached(centre.ctx).scanner(name)
    return {
        "kind": "scanner",
        "name": name,
        "url": found.url if found else None,
        "use": found.use if found else None,
        "agent": agent,
        "state": status.get("state"),
        "error": status.get("error"),
        "path": status.get("path"),
        "last_scan_at": status.get("last_scan_at"),
        "at": centre.ctx.now().isoformat(timespec="seconds"),
    }
