"""The hub's side of devices: which are configured, their live status, and
the workers that drive them.  (Printers and scanners themselves live in the
top-level `devices` package.)"""

from __future__ import annotations

import sys

from flask import Flask

from kiosk.config import Config


def start_devices(app: Flask) -> None:
    """Start the workers of the devices this process owns (MOTCUA_DEVICES=0: none)."""
    hub = app.extensions["motcua"]
    if not hub.config.devices_enabled or hub.printing is not None:
        return
    from kiosk.printing import PrintService

    hub.printing = PrintService(hub, hub.centre_file.get("printers", []))
    hub.printing.start()


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
    except Exception:  # health must answer even when the database does not
        stored = {}
    return {**stored, **hub.device_status}


def run_device_worker(app: Flask) -> None:
    """`motcua devices run`: own this centre's devices until stopped; no HTTP."""
    import logging
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
        f"motcua: device worker running ({len(hub.centre_file.get('printers', []))} printers)",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    finally:
        if hub.printing is not None:
            hub.printing.stop()


def describe_devices(config: Config) -> str:
    """Configured devices with their live status, then the serial ports this machine sees."""
    from serial.tools import list_ports

    from devices.printer import PrinterError, open_printer
    from kiosk.store.seed import read_centre_file

    lines = ["Configured devices:"]
    data = read_centre_file(config.centre_file) if config.centre_file else {}
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
        lines.append(f"  printer  {printer['name']:<20} {printer['url']:<32} {state}")
    for scanner in data.get("scanners", []):
        lines.append(f"  scanner  {scanner['name']:<20} {scanner.get('url')}")
    if len(lines) == 1:
        lines.append("  (none: pass --config FILE or set MOTCUA_CONFIG)")
    lines.append("Serial ports on this machine:")
    ports = list(list_ports.comports())
    for port in ports:
        vid_pid = f"{port.vid:04X}:{port.pid:04X}" if port.vid is not None else "----:----"
        lines.append(f"  {port.device:<20} {vid_pid}  {port.description}")
    if not ports:
        lines.append("  (none)")
    return "\n".join(lines)


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

    data = read_centre_file(config.centre_file) if config.centre_file else {}
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
