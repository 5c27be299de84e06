"""Live device status: what every hub process knows of the devices (the owner's
stored status overlaid with this process's own), and `motcua devices`, which
lists them with the serial ports this machine sees."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.config import Config

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kiosk.runtime.hub import ServedCentre


def all_device_status(centre: ServedCentre, session: Session | None = None) -> dict[str, dict]:
    """A centre's devices as every process knows them: the database (other owners)
    overlaid with this process.  With `session`, read in that transaction (a subscribe
    reads them beside its snapshot: one transaction, not three), and a database error
    is the caller's; without, in a read of its own, and a database that does not answer
    leaves the stored part out (health must answer even then)."""
    from kiosk.usecases.device_status import stored_in

    if session is not None:
        stored, waiting = stored_in(session, centre.centre_id)
    else:
        try:
            with centre.ctx.store.read() as own:
                stored, waiting = stored_in(own, centre.centre_id)
        except Exception:  # health must answer even when the database does not
            stored, waiting = {}, None
    merged = {**stored, **centre.device_status}
    if waiting is not None:
        # Jobs wait in the database until printed or dropped: count them there, not from
        # the last status report, which is only sent when the printer's state changes.
        for key, entry in merged.items():
            if entry.get("kind") == "printer" or key.startswith("printer:"):
                merged[key] = {**entry, "pending": waiting.get(key.split(":", 1)[1], 0)}
    return merged


def pending_jobs(store, centre_id: int) -> dict[str, int]:
    """Print jobs still waiting, by printer name."""
    from kiosk.usecases.device_status import pending_in

    with store.read() as session:
        return pending_in(session, centre_id)


def describe_devices(config: Config) -> str:
    """Configured devices with their live status, then the serial ports this machine sees.

    The devices are the stored set-up (device_config; the centre file's until a hub
    first loaded the centre).  Printers the hub side drives are asked directly; those a
    device agent drives sit on the centre's network, and scanners are held exclusively
    by their owner: for them, what the owner last stored."""
    from devices.printer import PrinterError, open_printer
    from devices.scanner import list_serial_ports

    lines = ["Configured devices:"]
    data, setup, stored, problem = configured_devices(config)
    for printer in setup.printers:
        if printer.agent:
            entry = stored.get(f"printer:{printer.name}")
            state = entry.get("state", "unknown") if entry else (problem or "no status yet")
            state += f" (agent {printer.agent})"
        else:
            try:
                device = open_printer(printer.url, paper_mm=printer.paper_mm, timeout=2.0)
                status = device.status()
                device.close()
                state = "ok" if status.ok else (status.error or printer_problems(status))
            except PrinterError as error:
                state = f"error: {error}"
        waiting = stored.get(f"printer:{printer.name}", {}).get("pending")
        if waiting:
            state += f", {waiting} ticket(s) waiting to print"
        lines.append(f"  printer  {printer.name:<20} {printer.url:<32} {state}")
    if setup.scanners:
        tz = _timezone(data)
        for scanner in setup.scanners:
            entry = stored.get(f"scanner:{scanner.name}")
            state = _scanner_state(entry, tz) if entry else (problem or "no status yet")
            if scanner.agent:
                state += f" (agent {scanner.agent})"
            lines.append(
                f"  scanner  {scanner.name:<20} {scanner.url:<32} {scanner.use:<16} {state}"
            )
        if problem is None and not any(f"scanner:{s.name}" in stored for s in setup.scanners):
            lines.append(
                "  (scanners report once a hub with MOTCUA_DEVICES on, or `motcua devices "
                "run`, has started)"
            )
    for agent in setup.agents:
        drives = [p.name for p in setup.printers if p.agent == agent.name]
        drives += [s.name for s in setup.scanners if s.agent == agent.name]
        # Its connection (runtime/presence.py): online since, or offline since = last seen.
        seen = stored.get(f"agent:{agent.name}")
        since = f" since {_local(seen['at'], _timezone(data))}" if seen and seen.get("at") else ""
        state = f"{seen.get('state', 'unknown')}{since}" if seen else "never connected"
        lines.append(
            f"  agent    {agent.name:<20} {state:<32} drives {', '.join(drives) or 'nothing yet'}"
        )
    if len(lines) == 1:
        lines.append("  (none: add them on /admin/devices, or pass --config FILE)")
    lines.append("Serial ports on this machine:")
    ports = list_serial_ports()
    for port in ports:
        extra = f"  {port['by_id']}" if port["by_id"] else ""
        lines.append(
            f"  {port['path']:<20} {port['vid_pid'] or '----:----'}  {port['description']}{extra}"
        )
    if not ports:
        lines.append("  (none)")
    return "\n".join(lines)


def printer_problems(status) -> str:
    """e.g. "cover open, paper out"."""
    names = [
        "offline" if status.online is False else "",
        "cover open" if status.cover_open else "",
        "paper out" if status.paper_out else "",
        "paper near end" if status.paper_near_end else "",
    ]
    return ", ".join(n for n in names if n) or "unknown"


def configured_devices(config: Config):
    """(centre file, DeviceSetup, device status stored by the owners, why no status or None)
    for the commands that run beside a hub (`motcua devices`, `motcua printer test`).  The
    set-up is the stored one; before a hub first loaded the centre, the centre file's."""
    from kiosk.store.seed import read_centre_file
    from kiosk.usecases import device_config

    data = read_centre_file(config.centre_file, config.instance_path) if config.centre_file else {}
    setup, stored, problem = _stored_devices(config, data)
    if setup is None or setup.version == 0:
        setup = device_config.from_file(data)
    return data, setup, stored, problem


def _stored_devices(config: Config, data: dict):
    """(the stored set-up or None, what the device owner last stored, why not or None) —
    never creates a database."""
    from pathlib import Path

    from kiosk.events import RecordingPublisher
    from kiosk.store import Store
    from kiosk.store import repository as repo
    from kiosk.store.seed import slug
    from kiosk.usecases import device_config, device_status
    from kiosk.usecases.context import QueueContext

    if config.database_url.startswith("sqlite:///"):
        path = Path(config.database_url[len("sqlite:///") :])
        if not path.exists():
            return None, {}, f"status unknown: no database at {path}"
    centre = data.get("centre", {})
    code = config.centre_code or centre.get("code") or slug(centre.get("name", ""))
    store = None
    try:
        store = Store(config.database_url)
        with store.read() as session:
            row = repo.centre_by_code(session, code if data else None)
            centre_id = row.id if row is not None else None
        if centre_id is None:
            return None, {}, "status unknown: the centre is not in the database yet"
        # Only read here: `motcua devices` has no screens to tell.
        ctx = QueueContext(store=store, publisher=RecordingPublisher(), centre_id=centre_id)
        setup = device_config.devices_of(ctx)
        stored = device_status.stored(ctx)
        waiting = pending_jobs(store, centre_id)
        for key in {*stored, *(f"printer:{name}" for name in waiting)}:
            if key.startswith("printer:"):
                stored.setdefault(key, {})["pending"] = waiting.get(key.split(":", 1)[1], 0)
        return setup, stored, None
    except Exception as error:  # an old schema, a database that is down
        return None, {}, f"status unknown: {type(error).__name__}"
    finally:
        if store is not None:
            store.dispose()


def _scanner_state(entry: dict, tz) -> str:
    """e.g. "online at /dev/ttyACM0 since 2026-03-09 07:31:02, last scan 2026-03-09 09:12:40"."""
    state = entry.get("state") or "unknown"
    if entry.get("state") == "online" and entry.get("path"):
        state += f" at {entry['path']}"
    elif entry.get("error"):
        state += f": {entry['error']}"
    if entry.get("at"):
        state += f" since {_local(entry['at'], tz)}"
    last = entry.get("last_scan_at")
    return state + (f", last scan {_local(last, tz)}" if last else ", no scan yet")


def _timezone(data: dict):
    from zoneinfo import ZoneInfo

    return ZoneInfo(data.get("centre", {}).get("timezone", "Asia/Ho_Chi_Minh"))


def _local(stamp: str, tz) -> str:
    from datetime import datetime

    try:
        return datetime.fromisoformat(stamp).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return str(stamp)
