"""Reading a printer URL from the centre file into a checked `PrinterConfig`.

Schemes (CONTRACT.md): tcp://HOST[:PORT], serial://DEV?baudrate=N, usb://VID:PID,
file://PATH, dummy://, and sim://DIR for the demo.  Query parameters are
checked against a list per scheme so a typo like `?baud=9600` is an error
instead of a printer silently talking at the wrong speed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from devices.printer.errors import PrinterConfigError

SCHEMES = ("tcp", "serial", "usb", "file", "dummy", "sim")
_COMMON = {"status"}
_ALLOWED = {
    "tcp": _COMMON,
    "serial": _COMMON | {"baudrate", "xonxoff", "rtscts", "dsrdtr"},
    "usb": _COMMON | {"in_ep", "out_ep"},
    "file": _COMMON,
    "dummy": _COMMON,
    "sim": _COMMON,
}
# Only these connections can read DLE EOT replies back without extra set-up.
_READS_STATUS = {"tcp", "serial"}


@dataclass(frozen=True)
class PrinterConfig:
    """A parsed printer URL: which transport, where, and its options."""

    scheme: str
    target: str = ""  # host, device path, directory, or "VID:PID"
    port: int = 9100
    options: dict[str, str] = field(default_factory=dict)
    read_status: bool = False


def _split_target(url: str, scheme: str) -> tuple[str, str]:
    rest = url[len(scheme) + 3 :]
    target, _, query = rest.partition("?")
    return target, query


def _bool(value: str, name: str) -> bool:
    v = value.strip().lower()
    if v in ("1", "on", "true", "yes"):
        return True
    if v in ("0", "off", "false", "no"):
        return False
    raise PrinterConfigError(f"{name} must be on or off, not {value!r}")


def parse_printer_url(url: str) -> PrinterConfig:
    """Check a printer URL and return its parts; raises PrinterConfigError with the reason."""
    if not isinstance(url, str) or "://" not in url:
        raise PrinterConfigError(f"printer URL must look like tcp://HOST:PORT, got {url!r}")
    scheme = url.split("://", 1)[0].lower()
    if scheme not in SCHEMES:
        raise PrinterConfigError(
            f"unknown printer URL scheme {scheme!r} in {url!r}; use one of "
            + ", ".join(f"{s}://" for s in SCHEMES)
        )
    target, query = _split_target(url, scheme)
    options = dict(parse_qsl(query, keep_blank_values=True))
    unknown = set(options) - _ALLOWED[scheme]
    if unknown:
        raise PrinterConfigError(
            f"unknown option(s) {', '.join(sorted(unknown))} in {url!r}; "
            f"{scheme}:// accepts {', '.join(sorted(_ALLOWED[scheme]))}"
        )
    read_status = scheme in _READS_STATUS
    if "status" in options:
        read_status = _bool(options.pop("status"), "status")
    port = 9100
    if scheme == "tcp":
        target, port = _host_port(url)
    elif scheme == "serial":
        if not target:
            raise PrinterConfigError(
                f"serial printer needs a device: serial:///dev/ttyUSB0, got {url!r}"
            )
        for key in ("baudrate",):
            if key in options and not options[key].isdigit():
                raise PrinterConfigError(f"{key} must be a number in {url!r}")
        for key in ("xonxoff", "rtscts", "dsrdtr"):
            if key in options:
                options[key] = str(_bool(options[key], key))
    elif scheme == "usb":
        target = _usb_ids(target, url)
    elif scheme in ("file", "sim") and not target:
        raise PrinterConfigError(
            f"{scheme}:// needs a path, e.g. {scheme}:///dev/usb/lp0, got {url!r}"
        )
    elif scheme == "dummy" and target:
        raise PrinterConfigError(f"dummy:// takes no address, got {url!r}")
    return PrinterConfig(scheme, target, port, options, read_status)


def _host_port(url: str) -> tuple[str, int]:
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as e:
        raise PrinterConfigError(f"bad port in {url!r}: {e}") from None
    if not host:
        raise PrinterConfigError(f"tcp printer needs a host: tcp://192.168.1.50:9100, got {url!r}")
    if parts.path not in ("", "/"):
        raise PrinterConfigError(f"tcp printer URL takes no path, got {url!r}")
    return host, port or 9100


def _usb_ids(target: str, url: str) -> str:
    try:
        vid, pid = (int(part.removeprefix("0x"), 16) for part in target.lower().split(":"))
    except ValueError:
        raise PrinterConfigError(
            f"usb printer needs hex vendor and product ids: usb://04b8:0202, got {url!r}"
        ) from None
    if not (0 < vid <= 0xFFFF and 0 < pid <= 0xFFFF):
        raise PrinterConfigError(f"usb ids out of range in {url!r}")
    return f"{vid:04x}:{pid:04x}"
