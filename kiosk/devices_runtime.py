"""The hub's side of devices: which are configured, their live status, and
the workers that drive them.  (Printers and scanners themselves live in the
top-level `devices` package.)"""

from __future__ import annotations

import logging
import sys

from flask import Flask

from kiosk.config import Config


def start_devices(app: Flask) -> None:
    """Start the workers of the devices this process owns (MOTCUA_DEVICES=0: none).

    Exactly one process per centre owns them (the hub, or `motcua devices run`
    beside hubs that have MOTCUA_DEVICES=0): a serial port has one reader."""
    hub = app.extensions["motcua"]
    if not hub.config.devices_enabled:
        return
    if hub.printing is None:
        from kiosk.printing import PrintService

        hub.printing = PrintService(hub, hub.centre_file.get("printers", []))
        hub.printing.start()
    if hub.scanning is None:
        from kiosk.scanning import ScannerService

        hub.scanning = ScannerService(app, hub.centre_file.get("scanners", []))
        hub.scanning.start()


def stop_devices(app: Flask) -> None:
    """Stop the device workers: ports are released and scanners marked as not read."""
    hub = app.extensions["motcua"]
    for service in (hub.scanning, hub.printing):
        if service is not None:
            try:
                service.stop()
            except Exception:  # stopping one kind of device must not keep the other running
                logging.getLogger(__name__).exception("stopping %r failed", service)


def print_hint(hub):
    """after_issue hook of every hub process: the owner prints at once; others tell the
    kiosk what the owner last reported of its printer (the job itself waits in the database)."""

    def on_issued(ticket: dict, job_id: int | None) -> dict | None:
        if job_id is None:
            return None
        if hub.printing is not None:
            return hub.printing.on_issued(ticket, job_id)
        from kiosk.store.tables import PrintJobRow

        with hub.store.read() as session:
            printer = session.get(PrintJobRow, job_id).printer
        status = all_device_status(hub).get(f"printer:{printer}", {})
        return {
            "printer": printer,
            "job": job_id,
            "state": "queued",
            "printer_ok": status.get("state") in (None, "online", "unknown"),
        }

    return on_issued


def all_device_status(hub) -> dict[str, dict]:
    """What every process knows: the database (other owners) overlaid with this process."""
    from kiosk.store import device_status

    try:
        stored = device_status.load_all(hub.store, hub.centre_id)
        waiting = pending_jobs(hub.store, hub.centre_id)
    except Exception:  # health must answer even when the database does not
        stored, waiting = {}, None
    merged = {**stored, **hub.device_status}
    if waiting is not None:
        # Jobs wait in the database until printed or dropped: count them there, not from
        # the last status report, which is only sent when the printer's state changes.
        for key, entry in merged.items():
            if entry.get("kind") == "printer" or key.startswith("printer:"):
                merged[key] = {**entry, "pending": waiting.get(key.split(":", 1)[1], 0)}
    return merged


def pending_jobs(store, centre_id: int) -> dict[str, int]:
    """Print jobs still waiting, by printer name."""
    from sqlalchemy import func, select

    from kiosk.store.tables import PrintJobRow

    with store.read() as session:
        rows = session.execute(
            select(PrintJobRow.printer, func.count())
            .where(PrintJobRow.centre_id == centre_id, PrintJobRow.state == "pending")
            .group_by(PrintJobRow.printer)
        ).all()
    return {printer: count for printer, count in rows}


def run_device_worker(app: Flask) -> None:
    """`motcua devices run`: own this centre's devices until stopped; no HTTP."""
    import time

    hub = app.extensions["motcua"]
    if not hub.config.message_queue:
        logging.getLogger(__name__).warning(
            "MOTCUA_MESSAGE_QUEUE is empty: device events will not reach screens served by "
            "other processes"
        )
    hub.config.devices_enabled = True
    start_devices(app)
    print(
        f"motcua: device worker running ({len(hub.centre_file.get('printers', []))} printers, "
        f"{len(hub.centre_file.get('scanners', []))} scanners)",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    finally:
        stop_devices(app)


def describe_devices(config: Config) -> str:
    """Configured devices with their live status, then the serial ports this machine sees.

    Printers are asked directly.  Scanners are not opened (the owning process holds
    them exclusively): their status and last scan come from what the owner stored."""
    from devices.printer import PrinterError, open_printer
    from devices.scanner import list_serial_ports
    from kiosk.store.seed import read_centre_file

    lines = ["Configured devices:"]
    data = read_centre_file(config.centre_file, config.instance_path) if config.centre_file else {}
    stored, problem = (
        _stored_device_status(config, data)
        if data.get("printers") or data.get("scanners")
        else ({}, None)
    )
    for printer in data.get("printers", []):
        try:
            device = open_printer(
                printer["url"], paper_mm=int(printer.get("paper_mm", 80)), timeout=2.0
            )
            status = device.status()
            device.close()
            state = "ok" if status.ok else (status.error or _problems(status))
        except PrinterError as error:
            state = f"error: {error}"
        waiting = stored.get(f"printer:{printer['name']}", {}).get("pending")
        if waiting:
            state += f", {waiting} ticket(s) waiting to print"
        lines.append(f"  printer  {printer['name']:<20} {printer['url']:<32} {state}")
    scanners = [s for s in data.get("scanners", []) if isinstance(s, dict)]
    if scanners:
        tz = _timezone(data)
        for scanner in scanners:
            name = str(scanner.get("name", "?"))
            entry = stored.get(f"scanner:{name}")
            state = _scanner_state(entry, tz) if entry else (problem or "no status yet")
            lines.append(
                f"  scanner  {name:<20} {str(scanner.get('url')):<32} "
                f"{str(scanner.get('use', '')):<16} {state}"
            )
        if problem is None and not any(f"scanner:{s.get('name')}" in stored for s in scanners):
            lines.append(
                "  (scanners report once a hub with MOTCUA_DEVICES on, or `motcua devices "
                "run`, has started)"
            )
    if len(lines) == 1:
        lines.append("  (none: pass --config FILE or set MOTCUA_CONFIG)")
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


def _stored_device_status(config: Config, data: dict) -> tuple[dict, str | None]:
    """What the device owner last stored, or ({}, why not) — never creates a database."""
    from pathlib import Path

    from kiosk.store import Store, device_status
    from kiosk.store import repository as repo
    from kiosk.store.seed import slug

    if config.database_url.startswith("sqlite:///"):
        path = Path(config.database_url[len("sqlite:///") :])
        if not path.exists():
            return {}, f"status unknown: no database at {path}"
    centre = data.get("centre", {})
    code = config.centre_code or centre.get("code") or slug(centre.get("name", ""))
    store = None
    try:
        store = Store(config.database_url)
        with store.read() as session:
            row = repo.centre_by_code(session, code)
            centre_id = row.id if row is not None else None
        if centre_id is None:
            return {}, "status unknown: the centre is not in the database yet"
        stored = device_status.load_all(store, centre_id)
        waiting = pending_jobs(store, centre_id)
        for key in {*stored, *(f"printer:{name}" for name in waiting)}:
            if key.startswith("printer:"):
                stored.setdefault(key, {})["pending"] = waiting.get(key.split(":", 1)[1], 0)
        return stored, None
    except Exception as error:  # an old schema, a database that is down
        return {}, f"status unknown: {type(error).__name__}"
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


def _problems(status) -> str:
    names = [
        "offline" if status.online is False else "",
        "cover open" if status.cover_open else "",
        "paper out" if status.paper_out else "",
        "paper near end" if status.paper_near_end else "",
    ]
    return ", ".join(n for n in names if n) or "unknown"


def print_test_ticket(config: Config, target: str, *, paper_mm: int = 80) -> int:
    """`motcua printer test NAME|URL`: a sample ticket, printed now, with a clear error if not."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from devices.printer import PrinterError, TicketPrint, open_printer
    from kiosk.store.seed import read_centre_file

    data = read_centre_file(config.centre_file, config.instance_path) if config.centre_file else {}
    configured = {p["name"]: p for p in data.get("printers", [])}
    settings = configured.get(target, {"url": target, "paper_mm": paper_mm})
    if "://" not in settings["url"]:
        print(f"error: {target} is neither a configured printer nor a printer URL", file=sys.stderr)
        return 2
    centre = data.get("centre", {})
    sample = TicketPrint(
        centre_name=centre.get("name", "motcua"),
        service_name="Tư pháp - Hộ tịch (in thử)",
        service_name_en="Test print",
        number="A000",
        issued_at=datetime.now(ZoneInfo(centre.get("timezone", "Asia/Ho_Chi_Minh"))),
        people_ahead=3,
        estimated_wait_s=600,
        status_url=f"{config.public_url or 'http://127.0.0.1:5000'}/",
        priority_label="Người cao tuổi",
        footer="Đây là phiếu in thử — Test ticket",
    )
    try:
        printer = open_printer(
            settings["url"],
            paper_mm=int(settings.get("paper_mm", paper_mm)),
            text_mode=settings.get("text_mode", "raster"),
            codepage=int(settings.get("codepage", 52)),
        )
        printer.print_ticket(sample)
        status = printer.status()
        printer.close()
    except PrinterError as error:
        print(f"error: {target}: {error}", file=sys.stderr)
        return 1
    print(
        f"printed a test ticket on {target} ({settings['url']}); status: "
        f"{'ok' if status.ok else _problems(status)}"
    )
    return 0
