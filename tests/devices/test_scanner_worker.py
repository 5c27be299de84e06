"""ScannerWorker over real ptys from socat: scans, framing, duplicates, garbage, unplug and replug.

These run in threading mode (no monkey-patching in the pytest process);
test_scanner_async.py runs the worker under gevent and eventlet.
"""

from __future__ import annotations

import logging
import socket
import threading
import time

import pty_pair
import pytest
import serial
from pty_pair import SocatPair, needs_socat

import devices.scanner.worker as worker_module
from devices.scanner import ScannerConfig, ScannerWorker, UsbIdentity

pytestmark = needs_socat
socat_pty = pty_pair.socat_pty  # the shared fixture, without a conftest entry
NAME = "kiosk-1-scanner"


class Recorder:
    """Collects the worker's callbacks and waits for them."""

    def __init__(self) -> None:
        self.scans: list[str] = []
        self.statuses: list[dict] = []
        self._changed = threading.Condition()

    def on_scan(self, name: str, code: str) -> None:
        assert name == NAME
        with self._changed:
            self.scans.append(code)
            self._changed.notify_all()

    def on_status(self, name: str, status: dict) -> None:
        assert name == NAME
        with self._changed:
            self.statuses.append(status)
            self._changed.notify_all()

    @property
    def state(self) -> str | None:
        return self.statuses[-1]["state"] if self.statuses else None

    def wait_for(self, predicate, timeout: float = 3.0) -> bool:
        with self._changed:
            return self._changed.wait_for(predicate, timeout)


@pytest.fixture
def start_worker():
    """Start ScannerWorkers on given settings; each returns (worker, recorder); all stopped after."""
    started: list[ScannerWorker] = []

    def start(url: str, **settings) -> tuple[ScannerWorker, Recorder]:
        recorder = Recorder()
        config = ScannerConfig(name=NAME, url=url, use="kiosk:kiosk-1", **settings)
        worker = ScannerWorker(config, recorder.on_scan, recorder.on_status).start()
        started.append(worker)
        return worker, recorder

    yield start
    for worker in started:
        worker.stop()


def online(url: str, start_worker, **settings) -> tuple[ScannerWorker, Recorder]:
    worker, recorder = start_worker(url, **settings)
    assert recorder.wait_for(lambda: recorder.state == "online"), recorder.statuses
    return worker, recorder


def test_a_scan_arrives_once(socat_pty, start_worker):
    worker, recorder = online(socat_pty.ours, start_worker)
    socat_pty.write(b"A012\r")
    assert recorder.wait_for(lambda: recorder.scans)
    time.sleep(0.3)
    assert recorder.scans == ["A012"]
    status = worker.status
    assert set(status) == {"state", "error", "last_scan_at", "path"}
    assert status["state"] == "online" and status["error"] is None
    assert status["path"] == socat_pty.ours
    assert status["last_scan_at"] is not None


@pytest.mark.parametrize(
    ("terminator", "reads", "expected"),
    [
        ("CRLF", [b"A01", b"2\r", b"\nB013\r\nC014\r\n"], ["A012", "B013", "C014"]),
        ("TAB", [b"A012\tB0", b"13\t"], ["A012", "B013"]),
        ("AUTO", [b"A012\r\nB013\nC014\t"], ["A012", "B013", "C014"]),
    ],
)
def test_framing(socat_pty, start_worker, terminator, reads, expected):
    _, recorder = online(socat_pty.ours, start_worker, terminator=terminator)
    for data in reads:
        socat_pty.write(data)
        time.sleep(0.05)  # separate reads on our side
    assert recorder.wait_for(lambda: len(recorder.scans) >= len(expected))
    assert recorder.scans == expected


def test_prefix_and_suffix_are_stripped(socat_pty, start_worker):
    _, recorder = online(socat_pty.ours, start_worker, prefix="]Q1", suffix="\x03")
    socat_pty.write(b"]Q1A012\x03\r\n]Q1http://hub/t/Xy12abCD34\x03\r\n")
    assert recorder.wait_for(lambda: len(recorder.scans) == 2)
    assert recorder.scans == ["A012", "http://hub/t/Xy12abCD34"]


def test_the_same_code_within_a_second_counts_once_and_again_after(socat_pty, start_worker):
    _, recorder = online(socat_pty.ours, start_worker)
    socat_pty.write(b"A012\r")
    time.sleep(0.2)
    socat_pty.write(b"A012\rB013\r")
    assert recorder.wait_for(lambda: recorder.scans == ["A012", "B013"])
    time.sleep(1.1)
    socat_pty.write(b"A012\r")
    assert recorder.wait_for(lambda: recorder.scans == ["A012", "B013", "A012"])


def test_garbage_over_long_and_non_utf8_are_ignored_with_warnings(socat_pty, start_worker, caplog):
    caplog.set_level(logging.WARNING, logger="devices.scanner")
    _, recorder = online(socat_pty.ours, start_worker)
    socat_pty.write(b"\x00\x07\x1b\x00\r")  # line noise
    socat_pty.write(b"9" * 5000 + b"\r")  # a scanner stuck in a mode that never ends a line
    socat_pty.write(b"Nguy\xd2n\r\xff\xfe\xfd\r")  # Windows-1258, and plain junk
    socat_pty.write(b"\x00A012\r")
    assert recorder.wait_for(lambda: recorder.scans)
    time.sleep(0.2)
    assert recorder.scans == ["A012"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("no code in it" in w for w in warnings), warnings
    assert any("longer than 256 bytes" in w for w in warnings), warnings
    assert sum("not UTF-8" in w for w in warnings) == 2, warnings
    assert recorder.state == "online"


def test_unplug_and_replug_on_the_same_path(socat_pty, start_worker, caplog):
    caplog.set_level(logging.WARNING, logger="devices.scanner")
    _, recorder = online(socat_pty.ours, start_worker)
    socat_pty.write(b"A012\r")
    assert recorder.wait_for(lambda: recorder.scans == ["A012"])
    socat_pty.write(b"B01")  # the cable goes mid-code
    time.sleep(0.3)
    pulled = time.monotonic()
    socat_pty.kill()
    assert recorder.wait_for(lambda: recorder.state == "offline", timeout=2.0)
    assert time.monotonic() - pulled < 2.0
    assert any("unfinished code b'B01'" in r.getMessage() for r in caplog.records)

    time.sleep(1.0)  # unplugged for a while: the worker keeps trying, quietly
    assert recorder.state == "offline"
    socat_pty.start()  # new /dev/pts/N behind the same symlink
    assert recorder.wait_for(lambda: recorder.state == "online", timeout=3.0)
    socat_pty.write(b"C014\r")
    assert recorder.wait_for(lambda: len(recorder.scans) == 2)
    assert recorder.scans == ["A012", "C014"]
    states = [s["state"] for s in recorder.statuses]
    assert states[0] == "online" and states[-1] == "online" and "offline" in states


def test_replug_on_a_new_path_is_found_by_usb_identity(tmp_path, start_worker, monkeypatch):
    # No USB here: pretend both ptys are the same CH340 scanner, seen before and after a replug.
    before, after = SocatPair(tmp_path, "ttyACM0"), SocatPair(tmp_path, "ttyACM1")
    identity = UsbIdentity("1A86:7523", "5&1234")
    monkeypatch.setattr(worker_module, "usb_identity", lambda path: identity)
    monkeypatch.setattr(
        worker_module,
        "find_usb_ports",
        lambda wanted: [after.ours] if wanted == identity and after.running else [],
    )
    before.start()
    try:
        _, recorder = online(before.ours, start_worker)
        before.kill()
        assert recorder.wait_for(lambda: recorder.state == "offline", timeout=2.0)
        after.start()
        assert recorder.wait_for(lambda: recorder.state == "online", timeout=3.0)
        assert recorder.statuses[-1]["path"] == after.ours
        after.write(b"A012\r")
        assert recorder.wait_for(lambda: recorder.scans == ["A012"])
    finally:
        before.kill()
        after.kill()


def test_a_port_already_in_use_is_an_error_not_stolen(socat_pty, start_worker):
    _, first = online(socat_pty.ours, start_worker)
    _, second = start_worker(socat_pty.ours)
    assert second.wait_for(lambda: second.state is not None)
    assert second.state == "error"
    assert "in use" in second.statuses[-1]["error"]
    socat_pty.write(b"A012\r")
    assert first.wait_for(lambda: first.scans == ["A012"])
    assert second.scans == []


def test_missing_device_is_offline_and_stop_is_prompt(tmp_path, start_worker):
    worker, recorder = start_worker(str(tmp_path / "ttyACM9"))
    assert recorder.wait_for(lambda: recorder.state == "offline")
    assert "No such file" in recorder.statuses[-1]["error"]
    began = time.monotonic()
    worker.stop()
    assert time.monotonic() - began < 1.0


def test_stop_releases_the_port(socat_pty, start_worker):
    worker, _ = online(socat_pty.ours, start_worker)
    worker.stop()
    port = serial.Serial(socat_pty.ours, exclusive=True)  # would fail while the worker held it
    port.close()


def test_a_network_scanner_over_socket_url(start_worker):
    # A scanner behind a serial-to-Ethernet box (socket://); the box hangs up after one scan.
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve_once() -> None:
        conn, _ = server.accept()
        time.sleep(0.3)  # pyserial empties the input buffer just after connecting
        conn.sendall(b"A012\r\n")
        time.sleep(0.2)
        conn.close()

    threading.Thread(target=serve_once, daemon=True).start()
    try:
        _, recorder = online(f"socket://127.0.0.1:{port}", start_worker)
        assert recorder.wait_for(lambda: recorder.scans == ["A012"])
        assert recorder.wait_for(lambda: recorder.state == "offline", timeout=2.0)
    finally:
        server.close()


def test_a_failing_callback_does_not_stop_the_scanner(socat_pty, caplog):
    codes = []

    def on_scan(name, code):
        codes.append(code)
        raise RuntimeError("hub handler bug")

    config = ScannerConfig(name=NAME, url=socat_pty.ours, use="counter:1")
    worker = ScannerWorker(config, on_scan).start()
    try:
        time.sleep(0.2)
        socat_pty.write(b"A012\rB013\r")
        deadline = time.monotonic() + 3
        while len(codes) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert codes == ["A012", "B013"]
        assert "hub handler bug" in caplog.text
    finally:
        worker.stop()
