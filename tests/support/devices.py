"""Centre files with devices and what the hub says of them: virtual printers and
socat scanners plugged into the test centre, their status in /healthz."""

from __future__ import annotations

import time
from pathlib import Path

import requests

from tests.support.hubs import TEST_CENTRE

RECEIPT = "000.00.19.H34-241123-{:04d}"  # a dossier receipt's code, as scanners read it


def centre_with_printers(tmp_path: Path, printers: dict) -> Path:
    """The test centre with one printer and one kiosk per entry (name → VirtualPrinter)."""
    text = TEST_CENTRE.read_text(encoding="utf-8")
    for name, printer in printers.items():
        text += (
            f'\n[[printers]]\nname = "{name}"\nurl = "{printer.url}"\npaper_mm = 80\n'
            f'timeout_s = 2\n\n[[kiosks]]\nname = "{name}"\nprinter = "{name}"\n'
        )
    path = tmp_path / "centre-printers.toml"
    path.write_text(text, encoding="utf-8")
    return path


def centre_with_scanners(tmp_path: Path, *scanners: dict, centre: str = "") -> Path:
    """The test centre with these [[scanners]] tables (and `centre` lines added to [centre])."""
    text = TEST_CENTRE.read_text(encoding="utf-8").replace("[centre]\n", f"[centre]\n{centre}", 1)
    for table in scanners:
        text += "\n[[scanners]]\n" + "".join(f'{k} = "{v}"\n' for k, v in table.items())
    path = tmp_path / "centre-scanners.toml"
    path.write_text(text, encoding="utf-8")
    return path


def printer_state(hub, name: str = "kiosk-1") -> dict:
    return (
        requests.get(f"{hub.url}/healthz", timeout=5).json()["devices"].get(f"printer:{name}", {})
    )


def scanner_state(hub, name: str) -> dict:
    return (
        requests.get(f"{hub.url}/healthz", timeout=5).json()["devices"].get(f"scanner:{name}", {})
    )


def wait_until(predicate, timeout: float = 20.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def hub_with_kiosk_scanner(hub_factory, pty, tmp_path: Path):
    """A hub whose kiosk-1 scanner is the pty `pty` (from the `ptys` fixture), once online."""
    config = centre_with_scanners(
        tmp_path, {"name": "kiosk-1-scanner", "url": pty.ours, "use": "kiosk:kiosk-1"}
    )
    hub = hub_factory(config=config)
    assert wait_until(
        lambda: scanner_state(hub, "kiosk-1-scanner").get("state") == "online", timeout=5
    )
    return hub


def printed_at(image, picture) -> int | None:
    """The row where `picture` is printed, whole and unscaled, at the left margin; or None."""
    margin = image.width // 24
    wanted = picture.tobytes()
    for y in range(image.height - picture.height):
        box = (margin, y, margin + picture.width, y + picture.height)
        if image.crop(box).tobytes() == wanted:
            return y
    return None
