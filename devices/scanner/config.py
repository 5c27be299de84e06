"""One scanner's settings, read from a `[[scanners]]` table of the centre file.

`ScannerConfig.from_table(table)` checks every value and raises
`ScannerConfigError` with a message naming the scanner and the key, so a
typo in the centre file is found at start rather than as a silent scanner.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import serial

TERMINATORS = ("AUTO", "CR", "LF", "CRLF", "TAB")
_USE = re.compile(r"^(kiosk:(?P<kiosk>\S.*)|counter:(?P<counter>[1-9]\d*))$")
# What a centre may set beyond name, url and use (the admin set-up keeps exactly these).
OPTIONS = ("baudrate", "terminator", "prefix", "suffix", "max_length", "duplicate_window_s")
_KEYS = {"name", "url", "use", *OPTIONS}


class ScannerConfigError(ValueError):
    """A `[[scanners]]` entry is wrong; the message says which scanner and which key."""


@dataclass(frozen=True)
class ScannerConfig:
    """Settings of one serial barcode/QR scanner (see docs/scanners.md)."""

    name: str
    url: str
    use: str
    baudrate: int = 9600
    terminator: str = "AUTO"
    prefix: str = ""
    suffix: str = ""
    max_length: int = 256
    duplicate_window_s: float = 1.0

    def __post_init__(self) -> None:
        _check(self)

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> ScannerConfig:
        """Build from one `[[scanners]]` table; unknown keys are errors (they are usually typos)."""
        if not isinstance(table, dict):
            raise ScannerConfigError(f"a [[scanners]] entry must be a table, not {table!r}")
        name = table.get("name")
        label = f"scanner {name!r}" if name else "a scanner"
        unknown = sorted(set(table) - _KEYS)
        if unknown:
            raise ScannerConfigError(
                f"{label}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(_KEYS))}"
            )
        for key in ("name", "url", "use"):
            if key not in table:
                raise ScannerConfigError(f"{label}: {key} is required")
        values = dict(table)
        if isinstance(values.get("terminator"), str):
            values["terminator"] = values["terminator"].strip().upper()
        return cls(**values)

    @property
    def kiosk(self) -> str | None:
        """The kiosk name when `use = "kiosk:NAME"`."""
        match = _USE.match(self.use)
        return match["kiosk"] if match else None

    @property
    def counter(self) -> int | None:
        """The counter number when `use = "counter:N"`."""
        match = _USE.match(self.use)
        return int(match["counter"]) if match and match["counter"] else None


def _check(config: ScannerConfig) -> None:
    label = f"scanner {config.name!r}"
    if not isinstance(config.name, str) or not config.name.strip():
        raise ScannerConfigError(f"scanner name must be a non-empty string, not {config.name!r}")
    if not isinstance(config.url, str) or not config.url.strip():
        raise ScannerConfigError(f"{label}: url must be a non-empty string, not {config.url!r}")
    _check_url(label, config.url)
    if not isinstance(config.use, str) or not _USE.match(config.use):
        raise ScannerConfigError(
            f'{label}: use must be "kiosk:NAME" or "counter:N" (N ≥ 1), not {config.use!r}'
        )
    if not _is_int(config.baudrate) or config.baudrate <= 0:
        raise ScannerConfigError(
            f"{label}: baudrate must be a positive whole number, not {config.baudrate!r}"
        )
    if config.terminator not in TERMINATORS:
        raise ScannerConfigError(
            f"{label}: terminator must be one of {', '.join(TERMINATORS)}, "
            f"not {config.terminator!r}"
        )
    for key in ("prefix", "suffix"):
        if not isinstance(getattr(config, key), str):
            raise ScannerConfigError(f"{label}: {key} must be a string")
    if not _is_int(config.max_length) or not 1 <= config.max_length <= 65536:
        raise ScannerConfigError(
            f"{label}: max_length must be a whole number from 1 to 65536, not {config.max_length!r}"
        )
    window = config.duplicate_window_s
    if isinstance(window, bool) or not isinstance(window, int | float) or not 0 <= window <= 3600:
        raise ScannerConfigError(
            f"{label}: duplicate_window_s must be a number of seconds from 0 to 3600, "
            f"not {window!r}"
        )


def _check_url(label: str, url: str) -> None:
    """Reject URLs pyserial cannot open: unknown schemes (`serial://`, `usb://`), no port, bad hwgrep."""
    if "://" not in url:
        return
    scheme = url.split("://", 1)[0].lower()
    for package in serial.protocol_handler_packages:
        try:
            if importlib.util.find_spec(f"{package}.protocol_{scheme}") is not None:
                break
        except (ImportError, ValueError):
            continue
    else:
        raise ScannerConfigError(
            f"{label}: pyserial cannot open {url!r}; use a device path (/dev/ttyACM0, "
            "/dev/serial/by-id/…) or hwgrep://VID:PID, socket://HOST:PORT, rfc2217://, loop://"
        )
    if scheme in ("socket", "rfc2217"):
        try:
            parts = urlsplit(url)
            host, port = parts.hostname, parts.port
        except ValueError:  # a port that is not a number, a broken [IPv6]
            host, port = None, None
        if not host or port is None:
            raise ScannerConfigError(
                f"{label}: {url!r} needs a host and a port ({scheme}://HOST:PORT)"
            )
    if scheme == "hwgrep":
        pattern = url.split("://", 1)[1].split("&", 1)[0]
        try:
            re.compile(pattern)
        except re.error as error:
            raise ScannerConfigError(
                f"{label}: {url!r} is not a valid hwgrep pattern: {error}"
            ) from None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
