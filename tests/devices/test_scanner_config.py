"""ScannerConfig from a `[[scanners]]` table: defaults, and a clear error for each bad value."""

from __future__ import annotations

import tomllib

import pytest

from devices.scanner import ScannerConfig, ScannerConfigError

CENTRE_FILE = """
[[scanners]]
name = "kiosk-1-scanner"
url = "/dev/ttyACM0"
use = "kiosk:kiosk-1"

[[scanners]]
name = "counter-3-scanner"
url = "hwgrep://1A86:7523"
use = "counter:3"
baudrate = 115200
terminator = "crlf"
prefix = "]Q1"
suffix = "\\u0003"
max_length = 512
duplicate_window_s = 1.5
"""


def test_tables_from_a_centre_file():
    kiosk, counter = (ScannerConfig.from_table(t) for t in tomllib.loads(CENTRE_FILE)["scanners"])
    assert kiosk == ScannerConfig(name="kiosk-1-scanner", url="/dev/ttyACM0", use="kiosk:kiosk-1")
    assert (kiosk.baudrate, kiosk.terminator, kiosk.max_length, kiosk.duplicate_window_s) == (
        9600,
        "AUTO",
        256,
        1.0,
    )
    assert (kiosk.kiosk, kiosk.counter) == ("kiosk-1", None)
    assert (counter.kiosk, counter.counter) == (None, 3)
    assert counter.terminator == "CRLF"
    assert (counter.prefix, counter.suffix) == ("]Q1", "\x03")
    assert (counter.baudrate, counter.max_length, counter.duplicate_window_s) == (115200, 512, 1.5)


@pytest.mark.parametrize(
    "url",
    [
        "/dev/ttyUSB0",
        "/dev/serial/by-id/usb-x",
        "socket://10.0.0.5:4001",
        "loop://",
        "rfc2217://h:2217",
        "hwgrep://0403:6001",
    ],
)
def test_pyserial_urls_are_accepted(url):
    assert ScannerConfig.from_table({"name": "s", "url": url, "use": "counter:1"}).url == url


BASE = {"name": "kiosk-1-scanner", "url": "/dev/ttyACM0", "use": "kiosk:kiosk-1"}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"name": ""}, "name"),
        ({"url": ""}, "url"),
        ({"url": "usb://1A86:7523"}, "pyserial cannot open"),
        ({"url": "serial:///dev/ttyS0"}, "pyserial cannot open"),
        ({"url": "socket://10.0.0.5"}, "needs a host and a port"),
        ({"url": "socket://10.0.0.5:http"}, "needs a host and a port"),
        ({"url": "rfc2217://:2217"}, "needs a host and a port"),
        ({"url": "hwgrep://1A86:7523("}, "not a valid hwgrep pattern"),
        ({"use": "kiosk"}, "use must be"),
        ({"use": "counter:0"}, "use must be"),
        ({"use": "counter:two"}, "use must be"),
        ({"use": "display:lobby"}, "use must be"),
        ({"baudrate": 0}, "baudrate"),
        ({"baudrate": "9600"}, "baudrate"),
        ({"baudrate": True}, "baudrate"),
        ({"terminator": "NUL"}, "terminator must be one of AUTO, CR, LF, CRLF, TAB"),
        ({"terminator": 13}, "terminator"),
        ({"prefix": 2}, "prefix"),
        ({"suffix": None}, "suffix"),
        ({"max_length": 0}, "max_length"),
        ({"max_length": 10.5}, "max_length"),
        ({"duplicate_window_s": -1}, "duplicate_window_s"),
        ({"duplicate_window_s": "1s"}, "duplicate_window_s"),
        ({"baud_rate": 9600}, "unknown key(s) baud_rate"),
    ],
)
def test_bad_values_are_named_in_the_error(change, words):
    with pytest.raises(ScannerConfigError) as error:
        ScannerConfig.from_table({**BASE, **change})
    assert words in str(error.value)
    if change.get("name") != "":
        assert "kiosk-1-scanner" in str(error.value)


@pytest.mark.parametrize("key", ["name", "url", "use"])
def test_required_keys(key):
    table = {k: v for k, v in BASE.items() if k != key}
    with pytest.raises(ScannerConfigError, match=f"{key} is required"):
        ScannerConfig.from_table(table)


def test_a_table_is_required():
    with pytest.raises(ScannerConfigError):
        ScannerConfig.from_table("/dev/ttyACM0")


def test_config_errors_are_value_errors():
    assert issubclass(ScannerConfigError, ValueError)
