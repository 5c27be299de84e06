"""Turning the bytes a scanner sends into scanned codes, one per line.

`LineFramer` is pure (no I/O, no clock, no logging): feed it whatever each
read returned and it gives back the complete codes plus warnings about what
it threw away.  However the stream is split into reads, the result is the
same.  Rules, in order, for each line:

1. A line is the bytes up to the terminator: CR, LF, CRLF or TAB, or with
   AUTO any of CR/LF/TAB (CRLF then makes an empty line, which is skipped).
2. A line longer than `max_length` bytes is discarded up to its terminator
   (a scanner in the wrong mode, or line noise), with a warning.
3. It must be UTF-8; anything else is discarded with a warning.  We do not
   guess a legacy code page: a wrong guess would make a wrong code.
4. Control characters (NUL, STX/ETX, ESC, DEL, C1…) are removed and the
   ends trimmed; a configured prefix and suffix are then removed when
   present.  A line left empty is skipped (with a warning if it was not
   blank to begin with).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from devices.scanner.privacy import is_card, loggable

_PATTERNS = {
    "AUTO": re.compile(rb"[\r\n\t]"),
    "CR": re.compile(rb"\r"),
    "LF": re.compile(rb"\n"),
    "CRLF": re.compile(rb"\r\n"),
    "TAB": re.compile(rb"\t"),
}
_SHOWN_BYTES = 32  # how much of a rejected line a warning quotes


@dataclass
class Framed:
    """What one `feed` produced: complete codes in order, and warnings about discarded input."""

    codes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class LineFramer:
    """Splits a scanner's byte stream into cleaned codes (see the module docstring)."""

    def __init__(
        self,
        terminator: str = "AUTO",
        *,
        prefix: str = "",
        suffix: str = "",
        max_length: int = 256,
    ) -> None:
        if terminator not in _PATTERNS:
            raise ValueError(f"terminator must be one of {', '.join(_PATTERNS)}")
        if max_length < 1:
            raise ValueError("max_length must be at least 1")
        self.terminator = terminator
        self.max_length = max_length
        self._pattern = _PATTERNS[terminator]
        # The tail of an unterminated buffer that may still be the start of a CRLF.
        self._partial_terminator = 1 if terminator == "CRLF" else 0
        self._prefix = _clean(prefix)
        self._suffix = _clean(suffix)
        self._buffer = bytearray()
        self._discarding = False

    @classmethod
    def from_config(cls, config) -> LineFramer:
        """A framer for a `ScannerConfig`."""
        return cls(
            config.terminator,
            prefix=config.prefix,
            suffix=config.suffix,
            max_length=config.max_length,
        )

    def feed(self, data: bytes) -> Framed:
        """Add the bytes of one read; return the codes it completed."""
        out = Framed()
        self._buffer += data
        start = 0
        while (match := self._pattern.search(self._buffer, start)) is not None:
            line = bytes(self._buffer[start : match.start()])
            start = match.end()
            if self._discarding:
                self._discarding = False  # the over-long line ends here; it was reported already
            elif len(line) > self.max_length:
                out.warnings.append(self._too_long())
            else:
                self._take(line, out)
        del self._buffer[:start]
        if not self._discarding and (
            len(self._buffer) > self.max_length + self._partial_terminator
        ):
            out.warnings.append(self._too_long())
            self._discarding = True
        if self._discarding:
            # Keep only what could begin a CRLF, so memory stays bounded while we skip.
            keep = self._partial_terminator
            del self._buffer[: len(self._buffer) - keep]
        return out

    def drop_partial(self) -> bytes:
        """Forget an unterminated line (the port went away); returns what was dropped."""
        dropped = b"" if self._discarding else bytes(self._buffer)
        self._buffer.clear()
        self._discarding = False
        return dropped

    def _take(self, line: bytes, out: Framed) -> None:
        if not line.strip():
            return  # blank, e.g. between the CR and LF of a CRLF under AUTO
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            out.warnings.append(f"discarded a line that is not UTF-8: {_show(line)}")
            return
        code = _clean(text)
        if self._prefix and code.startswith(self._prefix):
            code = code[len(self._prefix) :].strip()
        if self._suffix and code.endswith(self._suffix):
            code = code[: -len(self._suffix)].strip()
        if not code:
            out.warnings.append(f"discarded a line with no code in it: {_show(line)}")
            return
        out.codes.append(code)

    def _too_long(self) -> str:
        return f"discarded a line longer than {self.max_length} bytes"


def _clean(text: str) -> str:
    """Remove control characters (Unicode category Cc: C0, DEL, C1) and trim the ends."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc").strip()


def _show(line: bytes) -> str:
    if is_card(line):  # a citizen ID card's QR: never its name, address or number
        return loggable(line)
    shown = repr(line[:_SHOWN_BYTES])
    return shown + ("…" if len(line) > _SHOWN_BYTES else "")
