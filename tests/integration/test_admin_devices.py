"""Printers, scanners and kiosks added, changed and removed on /admin/devices take
effect in the running hub without a restart (kiosk/admin/views_devices.py →
kiosk/usecases/admin_devices.py → `devices_changed` → DeviceWatch reconciles),
with the admin's refusal in Vietnamese first and English on request, audited."""

from __future__ import annotations

import pytest

from kiosk.runtime.device_startup import start_devices, stop_devices
from tests.devices.escpos_decode import text
from tests.support.clients import csrf_token
from tests.support.devices import wait_until


@pytest.fixture
def owner(app):
    """The in-process app as `motcua run` has it: this process drives the devices."""
    hub = app.extensions["motcua"]
    hub.config.devices_enabled = True
    start_devices(hub)
    yield hub
    stop_devices(hub)


def post(client, path: str, data: dict, form: str | None = None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form or path)})


def test_a_printer_added_on_the_admin_page_prints_the_next_ticket(
    app, owner, client, login, tmp_path
):
    login(client)
    paper = tmp_path / "quay-le-tan.bin"
    printer = {"name": "quay-le-tan", "url": f"file://{paper}", "paper_mm": "80"}
    added = post(client, "/admin/devices/printers/new", {**printer, "text_mode": "cp1258"})
    assert added.status_code == 302, added.get_data(as_text=True)[-600:]
    added = post(client, "/admin/devices/kiosks/new", {"name": "sanh", "printer": "quay-le-tan"})
    assert added.status_code == 302
    page = client.get("/admin/devices").get_data(as_text=True)
    assert 'data-device="printer:quay-le-tan"' in page and 'data-kiosk="sanh"' in page

    kiosk = app.test_client()  # the kiosk page: not logged in
    # at once: the kiosk is known before this process's 2-second set-up cache is renewed
    issued = kiosk.post("/api/v1/tickets", json={"service": "HT", "kiosk": "sanh"})
    assert issued.status_code == 201, issued.get_data(as_text=True)
    ticket = issued.get_json()
    assert ticket["print"]["printer"] == "quay-le-tan"
    assert wait_until(lambda: paper.exists() and ticket["number"] in text(paper.read_bytes()))

    # Taken off the kiosk, then removed: the worker is closed, the next number is not printed.
    post(client, "/admin/devices/kiosks/sanh", {"printer": ""})
    in_use = post(client, "/admin/devices/kiosks/sanh/remove", {"confirm": "yes"}, "/admin/devices")
    assert in_use.status_code == 302  # nothing scans for it: a kiosk may go
    removed = post(
        client, "/admin/devices/printers/quay-le-tan/remove", {"confirm": "yes"}, "/admin/devices"
    )
    assert removed.status_code == 302
    assert wait_until(lambda: "quay-le-tan" not in owner.printing.workers, timeout=10)
    # The worker leaves the table first; its last status is dropped once it has stopped
    # (print_service.reconcile), a moment later.
    assert wait_until(
        lambda: (
            'data-device="printer:quay-le-tan"'
            not in client.get("/admin/devices").get_data(as_text=True)
        ),
        timeout=10,
    )
    size = paper.stat().st_size
    again = kiosk.post("/api/v1/tickets", json={"service": "HT", "kiosk": "kiosk-1"}).get_json()
    assert "print" not in again and paper.stat().st_size == size

    audit = client.get("/admin/audit").get_data(as_text=True)
    for action, said in [
        ("printer.add", "Thêm máy in"),
        ("kiosk.add", "Thêm máy lấy số"),
        ("kiosk.update", "Sửa máy lấy số"),
        ("kiosk.remove", "Xóa máy lấy số"),
        ("printer.remove", "Xóa máy in"),
    ]:
        assert f'data-action="{action}"' in audit and said in audit, action


def test_a_scanner_moved_to_another_port_reads_there(owner, client, login, sio, ptys, tmp_path):
    socat_pty = ptys("sanh-scanner")
    login(client)
    sio.emit("subscribe", {"display": "kiosk"}, callback=True)
    absent = {"name": "sanh-scanner", "url": str(tmp_path / "ttyACM9"), "use": "kiosk:kiosk-1"}
    assert post(client, "/admin/devices/scanners/new", absent).status_code == 302
    assert wait_until(lambda: owner.device_status.get("scanner:sanh-scanner", {}).get("state"))
    assert owner.device_status["scanner:sanh-scanner"]["state"] == "offline"  # not plugged in

    moved = post(client, "/admin/devices/scanners/sanh-scanner", {**absent, "url": socat_pty.ours})
    assert moved.status_code == 302
    assert wait_until(
        lambda: owner.device_status.get("scanner:sanh-scanner", {}).get("state") == "online",
        timeout=10,
    )
    sio.get_received()
    socat_pty.write(b"KHONG-PHAI-MA\r")

    def scanned():
        return [e for e in sio.get_received() if e["name"] == "scan"]

    events: list = []
    assert wait_until(lambda: events.extend(scanned()) or events, timeout=10)
    assert events[0]["args"][0]["error"] == "code_not_recognised"


def test_a_refused_change_says_why_in_both_languages(owner, client, login):
    login(client)
    wrong = {"name": "may-in", "url": "ftp://192.168.1.50", "paper_mm": "80", "text_mode": "raster"}
    vietnamese = post(client, "/admin/devices/printers/new", wrong)
    assert vietnamese.status_code == 400
    assert "Không dùng được địa chỉ máy in ftp://192.168.1.50" in vietnamese.get_data(as_text=True)
    english = post(client, "/admin/devices/printers/new?lang=en", wrong)
    assert "The printer address ftp://192.168.1.50 cannot be used" in english.get_data(as_text=True)
    bad_use = {"name": "s", "url": "/dev/ttyACM0", "use": "quầy 3"}
    refused = post(client, "/admin/devices/scanners/new?lang=vi", bad_use)
    assert refused.status_code == 400
    assert "kiosk:TÊN hoặc counter:SỐ" in refused.get_data(as_text=True)
    assert "may-in" not in client.get("/admin/devices").get_data(as_text=True)
