"""The `motcua` command line as an operator uses it."""

from __future__ import annotations

import os
import subprocess
import sys

import requests

from tests.conftest import ROOT, TEST_CENTRE, LiveHub
from tests.devices.escpos_decode import cuts, ticket_image
from tests.devices.virtual_printer import VirtualPrinter


def motcua(tmp_path, *args, stdin: str | None = None, **env) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "MOTCUA_INSTANCE": str(tmp_path / "instance"),
        "MOTCUA_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "MOTCUA_SECRET_KEY": "cli-test",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        input=stdin,
        text=True,
        capture_output=True,
        env=environment,
        cwd=tmp_path,
        timeout=60,
    )


def test_user_add_creates_a_login_that_works(tmp_path):
    assert motcua(tmp_path, "db", "upgrade").returncode == 0
    added = motcua(
        tmp_path,
        "user",
        "add",
        "truongphong",
        "--role",
        "supervisor",
        "--config",
        str(TEST_CENTRE),
        stdin="mat-khau-dai-2026\n",
    )
    assert added.returncode == 0, added.stderr
    # the hub serves in this process: the command line is what is tested here
    hub = LiveHub(tmp_path, database_url=f"sqlite:///{tmp_path / 'cli.db'}").start()
    try:
        token = requests.post(
            f"{hub.url}/api/v1/auth/token",
            json={"username": "truongphong", "password": "mat-khau-dai-2026"},
            timeout=10,
        )
        assert token.status_code == 200
    finally:
        hub.stop()
    short = motcua(tmp_path, "user", "add", "x", "--role", "clerk", stdin="short\n")
    assert short.returncode == 2 and "8 characters" in short.stderr
    bad_counter = motcua(
        tmp_path,
        "user",
        "add",
        "y",
        "--role",
        "clerk",
        "--counter",
        "99",
        stdin="long-enough-pass\n",
    )
    assert bad_counter.returncode == 2 and "unknown_counter" in bad_counter.stderr


def test_printer_test_prints_a_sample_on_a_network_printer(tmp_path):
    printer = VirtualPrinter().start()
    try:
        result = motcua(tmp_path, "printer", "test", printer.url)
        assert result.returncode == 0, result.stderr
        assert "printed a test ticket" in result.stdout
        assert len(cuts(printer.received)) == 1
        assert ticket_image(printer.received).width == 576
    finally:
        printer.stop()
    refused = motcua(tmp_path, "printer", "test", printer.url)  # now unplugged
    assert refused.returncode == 1 and "refused" in refused.stderr.lower()
    unknown = motcua(tmp_path, "printer", "test", "no-such-printer")
    assert unknown.returncode == 2


def test_devices_lists_printers_with_status_and_serial_ports(tmp_path):
    printer = VirtualPrinter(paper_out=True).start()
    try:
        centre = tmp_path / "centre.toml"
        centre.write_text(
            TEST_CENTRE.read_text(encoding="utf-8")
            + f'\n[[printers]]\nname = "quay-le-tan"\nurl = "{printer.url}"\n',
            encoding="utf-8",
        )
        result = motcua(tmp_path, "devices", "--config", str(centre))
        assert result.returncode == 0, result.stderr
        assert "quay-le-tan" in result.stdout and "paper out" in result.stdout
        assert "Serial ports on this machine:" in result.stdout
    finally:
        printer.stop()


def test_bad_centre_file_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text(
        '[centre]\nname = "X"\n[[counters]]\nnumber = 1\nservices = ["NOPE"]\n', encoding="utf-8"
    )
    result = motcua(tmp_path, "run", "--config", str(broken), "--port", "1")
    assert result.returncode != 0
    assert "unknown service NOPE" in result.stderr


def test_a_second_hub_on_a_taken_port_says_so_and_touches_nothing(hub, tmp_path):
    requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
    result = motcua(
        tmp_path,
        "run",
        "--config",
        str(TEST_CENTRE),
        "--port",
        str(hub.port),
        MOTCUA_DATABASE_URL=hub.database_url,
    )
    assert result.returncode == 1
    assert f"127.0.0.1:{hub.port} is already in use" in result.stderr
    assert "nothing was started" in result.stderr
    # the running hub goes on as before
    assert requests.get(f"{hub.url}/healthz", timeout=10).status_code == 200
    assert requests.get(f"{hub.url}/api/v1/queue", timeout=10).json()["waiting"]["HT"] == 1


def test_the_demo_printer_writes_into_the_instance_folder_from_anywhere(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    demo = ROOT / "examples/demo-centre.toml"
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "printer", "test", "kiosk-1", "--config", str(demo)],
        text=True,
        capture_output=True,
        env={**os.environ, "MOTCUA_INSTANCE": str(tmp_path / "inst"), "MOTCUA_SECRET_KEY": "x"},
        cwd=elsewhere,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "inst" / "printed").glob("*.png"))  # the preview, where expected
    assert not (elsewhere / "instance").exists()
