"""The HTTP handler of `motcua run` under gevent (gevent's pywsgi), made cheaper per request.

A commune box answers every kiosk tap, clerk press and screen poll through this handler,
and on a busy morning its fixed cost per request was a fifth of an issued ticket's CPU
(docs/benchmarks.md, issue 15's sixth pass).  Three changes from gevent's WSGIHandler:

- TCP_NODELAY on every connection: pywsgi wrote headers and body separately, and with
  Nagle's algorithm and delayed ACKs every request after the first on a kept-alive
  connection waited ~40 ms (measured: 45 ms vs 5 ms).  gunicorn sets it itself.
- A small response goes out in one write (status line, headers and body), not two:
  one system call less per answer.
- The request's headers are parsed by `RequestHeaders` below, not by the `email`
  package (http.client.parse_headers), which took about 6 % of an issue's CPU.  The
  limits are http.client's (65,536 bytes a line, 100 headers); a request over them, or
  with a header line that is not "name: value", gets pywsgi's 400.

gunicorn (production) uses its own handler; none of this applies there.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

from gevent.pywsgi import WSGIHandler

MAX_LINE = 65536  # http.client._MAXLINE
MAX_HEADERS = 100  # http.client._MAXHEADERS
ONE_WRITE_MAX = 64 * 1024  # a larger body is not copied behind the headers


class RequestHeaders:
    """A request's headers with the interface pywsgi reads: `get`/`getheader` (the first
    value of a name, any case), `headers` (the raw "Name: value\\r\\n" lines, folded lines
    as they came), `typeheader` and `status` (non-empty: the request is refused)."""

    __slots__ = ("_lines", "_first", "status")

    def __init__(self, lines: list[str], status: str = "") -> None:
        self._lines = lines
        self.status = status
        first: dict[str, str] = {}
        name = None  # the header a folded line continues, if get() reads it
        for line in lines:
            if line[:1] in " \t":
                if name is not None:
                    first[name] = f"{first[name]} {line.strip()}"
                continue
            key, _, value = line.partition(":")
            name = key.strip().lower()
            if name in first:
                name = None  # only the first value of a name is read by get()
            else:
                first[name] = value.strip()
        self._first = first

    @classmethod
    def read(cls, rfile) -> RequestHeaders:
        lines: list[str] = []
        while True:
            raw = rfile.readline(MAX_LINE + 1)
            if len(raw) > MAX_LINE:
                return cls([], "Line too long")
            if raw in (b"\r\n", b"\n", b""):
                return cls(lines)
            if len(lines) >= MAX_HEADERS:
                return cls([], "Too many headers")
            line = raw.decode("iso-8859-1").rstrip("\r\n")
            folded = line[:1] in " \t"
            if (folded and not lines) or (not folded and ":" not in line):
                return cls([], "Invalid header line")
            lines.append(line)

    def get(self, name: str, default=None):
        return self._first.get(name.lower(), default)

    getheader = get

    @property
    def headers(self) -> Iterator[str]:
        for line in self._lines:
            yield f"{line}\r\n"

    @property
    def typeheader(self) -> str | None:
        return self.get("content-type")


class CommuneBoxHandler(WSGIHandler):
    def handle(self):
        try:
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # not TCP (a UNIX socket): nothing to tune
            pass
        return super().handle()

    def MessageClass(self, rfile, *args):  # noqa: N802 (pywsgi's name)
        return RequestHeaders.read(rfile)

    def _write_with_headers(self, data):
        self.headers_sent = True
        self.finalize_headers()
        # As pywsgi builds them (status and headers are latin-1 bytes already), with a
        # small body behind them; a chunked or large one goes as pywsgi sends it.
        towrite = bytearray(b"HTTP/1.1 ")
        towrite += self.status
        towrite += b"\r\n"
        for header, value in self.response_headers:
            towrite += header
            towrite += b": "
            towrite += value
            towrite += b"\r\n"
        towrite += b"\r\n"
        if self.response_use_chunked or len(data) > ONE_WRITE_MAX:
            self._sendall(towrite)
            self._write(data)
        else:
            towrite += data
            self._sendall(towrite)
