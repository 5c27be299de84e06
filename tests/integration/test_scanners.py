"""Serial scanners on a real running hub, over real ptys from socat: what a scan
does at a kiosk and at a counter, unplugging and replugging, `motcua devices`,
and the hub answering HTTP while a scanner thread sits in a read."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.conftest import ASYNC_MODES, TEST_CENTRE, need
from tests.devices.pty_pair import SocatPair
from tests.integration.test_realtime import Screen

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
RECEIPT = "000.00.19.H34-241123-{:04d}"


@pytest.fixture
def ptys(tmp_path):
    """Start socat pty pairs by name; all killed after the test."""
    need(shutil.which("socat") is not None, "needs socat (apt-get install socat)")
    pairs: list[SocatPair] = []

    def start(name: str) -> SocatPair:
        pair = SocatPair(tmp_path, name).start()
        pairs.append(pair)
        return pair

    yield start
    for pair in pairs:
        pair.kill()


def centre_with_scanners(tmp_path, *scanners: dict, centre: str = ""):
    text = TEST_CENTRE.read_text(encoding="utf-8").replace("[centre]\n", f"[centre]\n{centre}", 1)
    for table in scanners:
        text += "\n[[scanners]]\n" + "".join(f'{k} = "{v}"\n' for k, v in table.items())
    path = tmp_path / "centre-scanners.toml"
    path.write_text(text, encoding="utf-8")
    return path


def device(hub, name: str) -> dict:
    return (
        requests.get(f"{hub.url}/healthz", timeout=5).json()["devices"].get(f"scanner:{name}", {})
    )


def wait_until(predicate, timeout: float = 5.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def motcua_devices(hub) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "devices", "--config", str(hub.config)],
        env=hub.env,
        cwd=hub.tmp,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_kiosk_and_counter_scanners_drive_the_queue(hub_factory, ptys, tmp_path):
    kiosk_pty, counter_pty = ptys("kiosk-scanner"), ptys("counter-scanner")
    config = centre_with_scanners(
        tmp_path,
        {"name": "kiosk-1-scanner", "url": kiosk_pty.ours, "use": "kiosk:kiosk-1"},
        {"name": "quay-2-scanner", "url": counter_pty.ours, "use": "counter:2"},
        {"name": "spare", "url": str(tmp_path / "ttyACM7"), "use": "counter:3"},
        {"name": "typo", "url": str(tmp_path / "ttyACM8"), "use": "counter:99"},
    )
    hub = hub_factory(config=config)
    assert wait_until(lambda: device(hub, "kiosk-1-scanner").get("state") == "online")
    assert wait_until(lambda: device(hub, "quay-2-scanner").get("state") == "online")
    assert device(hub, "spare")["state"] == "offline"  # not plugged in: keeps trying
    typo = device(hub, "typo")
    assert typo["state"] == "error" and "no counter 99" in typo["error"]

    admin = hub.session()
    kiosk = Screen(hub.url, {"display": "kiosk"})
    counter = Screen(hub.url, {"counter": 2})
    try:
        kiosk.wait_for("snapshot")
        counter.wait_for("snapshot")
        now = datetime.now(TZ).replace(second=0, microsecond=0)
        # Outside its window: too late after 02:00, too early before (a booking is never for yesterday).
        outside = now - timedelta(hours=1) if now.hour >= 2 else now + timedelta(hours=1)
        bookings = [
            {"code": "HN-0900", "service": "HT", "day": f"{now:%Y-%m-%d}", "time": f"{now:%H:%M}"},
            {"code": "HN-0901", "service": "DD", "day": f"{outside:%Y-%m-%d}"}
            | {"time": f"{outside:%H:%M}"},
        ]
        created = admin.post(
            f"{hub.url}/api/v1/appointments", json={"appointments": bookings}, timeout=10
        ).json()["created"]
        assert len(created) == 2

        # a booking code: checked in, the ticket shown with the booked time
        kiosk_pty.write(b"HN-0900\r\n")
        checkin = kiosk.wait_for("scan")
        assert checkin["kind"] == "checkin" and checkin["kiosk"] == "kiosk-1"
        assert checkin["ticket"]["number"] == "A001" and checkin["ticket"]["appointment_at"]
        assert f"{now:%H:%M}" in checkin["note"]["vi"] and f"{now:%H:%M}" in checkin["note"]["en"]

        # outside the window: a clear message and a normal number offered, nothing issued
        kiosk_pty.write(b"HN-0901\r\n")
        late = kiosk.wait_for("scan")
        assert late["kind"] == "error" and late["error"] in (
            "appointment_too_late",
            "appointment_too_early",
        )
        assert late["offer"] == {"service": "DD"}
        assert f"{outside:%H:%M}" in late["message"]["vi"] and "normal" in late["message"]["en"]

        # line noise, an endless line and a legacy code page, then a dossier receipt
        kiosk_pty.write(b"\x00\x1b\x00\r" + b"9" * 400 + b"\r" + b"Nguy\xd2n\r")
        kiosk_pty.write(RECEIPT.format(1).encode() + b"\r\n")
        pickup = kiosk.wait_for("scan")
        assert pickup["kind"] == "pickup", pickup
        assert pickup["ticket"]["number"] == "K001" and pickup["ticket"]["service"] == "TKQ"
        assert pickup["ticket"]["dossier_code"] == RECEIPT.format(1)
        assert RECEIPT.format(1) in pickup["note"]["vi"]

        # anything else: "not recognised" in both languages, nothing issued
        kiosk_pty.write(b"hello\r\n")
        unknown = kiosk.wait_for("scan")
        assert unknown["error"] == "code_not_recognised" and unknown["ticket"] is None
        assert unknown["message"]["vi"] != unknown["message"]["en"]
        assert "not recognised" in unknown["message"]["en"]
        waiting = requests.get(f"{hub.url}/api/v1/queue", timeout=5).json()["waiting"]
        assert waiting == {"HT": 1, "DD": 0, "TKQ": 1}

        # at the counter: the QR of a ticket calls exactly that ticket here
        walk_in = requests.post(
            f"{hub.url}/api/v1/tickets", json={"service": "DD"}, timeout=5
        ).json()
        counter_pty.write(walk_in["status_url"].encode() + b"\r")
        # the lobby's call goes out first, then the console's scan result
        call = counter.wait_for("call", where=lambda d: d["number"] == walk_in["number"])
        assert call["counter"] == 2
        called = counter.wait_for("scan")
        assert called["kind"] == "call" and called["counter"] == 2
        assert called["ticket"]["number"] == walk_in["number"]
        ticket = admin.get(f"{hub.url}/api/v1/tickets/{walk_in['id']}", timeout=5).json()
        assert ticket["status"] == "called" and ticket["counter"] == 2
        admin.post(f"{hub.url}/api/v1/counters/2/finish", timeout=5).raise_for_status()

        # a printed number works too; one that does not exist is refused at the console
        counter_pty.write(b"A999\r")
        refused = counter.wait_for("scan")
        assert refused["error"] == "unknown_ticket" and "A999" in refused["message"]["en"]
        counter_pty.write(b"A001\r")
        assert counter.wait_for("scan")["ticket"]["number"] == "A001"
    finally:
        kiosk.close()
        counter.close()

    assert device(hub, "kiosk-1-scanner")["last_scan_at"] is not None
    log = hub.logs()
    assert "not UTF-8" in log and "longer than 256 bytes" in log and "no code in it" in log
    # a scanner that is not there says so once, not at every retry
    assert log.count("scanner spare: offline") == 1, log


def test_unplug_and_replug_reports_and_reconnects(hub_factory, ptys, tmp_path):
    scanner = ptys("ttyACM0")
    config = centre_with_scanners(
        tmp_path, {"name": "kiosk-1-scanner", "url": scanner.ours, "use": "kiosk:kiosk-1"}
    )
    hub = hub_factory(config=config)
    assert wait_until(lambda: device(hub, "kiosk-1-scanner").get("state") == "online")
    lobby = Screen(hub.url, {"display": "kiosk"})
    try:
        lobby.wait_for("snapshot")
        scanner.write(RECEIPT.format(1).encode() + b"\r")
        assert lobby.wait_for("scan")["ticket"]["number"] == "K001"

        pulled = time.monotonic()
        scanner.kill()
        offline = lobby.wait_for("device", timeout=5, where=lambda d: d["state"] == "offline")
        noticed_s = time.monotonic() - pulled
        assert offline["id"] == "scanner:kiosk-1-scanner" and offline["kind"] == "scanner"
        assert noticed_s < 2.0, noticed_s
        assert device(hub, "kiosk-1-scanner")["state"] == "offline"
        time.sleep(1.0)  # unplugged for a while

        plugged = time.monotonic()
        scanner.start()
        online = lobby.wait_for("device", timeout=5, where=lambda d: d["state"] == "online")
        back_s = time.monotonic() - plugged
        assert online["path"] == scanner.ours and back_s < 2.0, back_s
        scanner.write(RECEIPT.format(2).encode() + b"\r")
        assert lobby.wait_for("scan")["ticket"]["number"] == "K002"
        print(
            f"unplug noticed in {noticed_s * 1000:.0f} ms, back {back_s * 1000:.0f} ms after replug"
        )
    finally:
        lobby.close()

    listed = motcua_devices(hub)
    line = next(line for line in listed.splitlines() if "kiosk-1-scanner" in line)
    assert f"online at {scanner.ours}" in line and "last scan 20" in line, listed
    assert "Serial ports on this machine:" in listed
    hub.stop()
    line = next(line for line in motcua_devices(hub).splitlines() if "kiosk-1-scanner" in line)
    assert "offline: hub stopped" in line and "last scan 20" in line


@pytest.mark.parametrize("async_mode", ASYNC_MODES)
def test_http_answers_while_a_scanner_waits_in_a_read(hub_factory, ptys, tmp_path, async_mode):
    scanner = ptys("ttyACM0")
    config = centre_with_scanners(
        tmp_path, {"name": "kiosk-1-scanner", "url": scanner.ours, "use": "kiosk:kiosk-1"}
    )
    hub = hub_factory(config=config, async_mode=async_mode)
    assert wait_until(lambda: device(hub, "kiosk-1-scanner").get("state") == "online")
    client = requests.Session()
    client.get(f"{hub.url}/api/v1/services", timeout=5).raise_for_status()  # warm up
    # The scanner is silent: its thread sits in one 0.2 s read after another all along.
    latencies = []
    for _ in range(30):
        began = time.perf_counter()
        client.get(f"{hub.url}/api/v1/services", timeout=5).raise_for_status()
        latencies.append(time.perf_counter() - began)
        time.sleep(0.03)
    print(
        f"{async_mode}: median {statistics.median(latencies) * 1000:.1f} ms, "
        f"max {max(latencies) * 1000:.1f} ms"
    )
    assert max(latencies) < 0.1, latencies
    scanner.write(RECEIPT.format(1).encode() + b"\r")  # and it still reads
    assert wait_until(lambda: device(hub, "kiosk-1-scanner").get("last_scan_at") is not None)
    waiting = requests.get(f"{hub.url}/api/v1/queue", timeout=5).json()["waiting"]
    assert waiting["TKQ"] == 1


def test_a_centre_sets_what_a_receipt_looks_like(hub_factory, ptys, tmp_path):
    scanner = ptys("kiosk-scanner")
    config = centre_with_scanners(
        tmp_path,
        {"name": "kiosk-1-scanner", "url": scanner.ours, "use": "kiosk:kiosk-1"},
        centre='receipt_pattern = "^HS-\\\\d{6}$"\npickup_service = "DD"\n',
    )
    hub = hub_factory(config=config)
    assert wait_until(lambda: device(hub, "kiosk-1-scanner").get("state") == "online")
    kiosk = Screen(hub.url, {"display": "kiosk"})
    try:
        kiosk.wait_for("snapshot")
        scanner.write(b"HS-123456\r")
        pickup = kiosk.wait_for("scan")
        assert pickup["kind"] == "pickup" and pickup["ticket"]["number"] == "B001"
        assert pickup["ticket"]["dossier_code"] == "HS-123456"
        scanner.write(
            RECEIPT.format(1).encode() + b"\r"
        )  # the national format is not this centre's
        assert kiosk.wait_for("scan")["error"] == "code_not_recognised"
    finally:
        kiosk.close()
