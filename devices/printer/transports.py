"""Connections to printers: thin wrappers around python-escpos's own printer classes.

escpos's `Network`, `Serial`, `Usb`, `File` and `Dummy` open the connection
and move bytes; a wrapper here adds only what the hub needs on top: a bounded
time for every call (escpos's network default is 60 s, a hung printer must
never hold a worker that long), a status query that reads exactly the reply
bytes, and escpos/socket/serial exceptions turned into `PrinterError`s.
Every method blocks: callers run them through `devices.blocking.run_blocking`.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import stat
import time
from collections.abc import Iterator

from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Dummy, File, Network, Serial, Usb

from devices.printer.errors import PrinterError, PrinterOffline, PrinterTimeout
from devices.printer.status import UNKNOWN, PrinterStatus


def _chain(e: BaseException | None) -> Iterator[BaseException]:
    while e is not None:
        yield e
        e = e.__cause__ or e.__context__


def _is_timeout(e: BaseException) -> bool:
    # pyserial's SerialTimeoutException and pyusb's USBTimeoutError are not TimeoutErrors.
    return any(
        isinstance(x, TimeoutError)
        or type(x).__name__.endswith(("TimeoutException", "TimeoutError"))
        for x in _chain(e)
    )


def _reason(e: BaseException) -> str:
    """The most specific message: escpos wraps "Connection refused" in two layers of text."""
    for x in reversed(list(_chain(e))):
        if isinstance(x, OSError) and x.strerror:
            return x.strerror
    return " ".join(str(e).split()) or type(e).__name__


@contextlib.contextmanager
def faults(what: str) -> Iterator[None]:
    """Re-raise any I/O failure inside as PrinterTimeout or PrinterOffline, saying what we were doing."""
    try:
        yield
    except PrinterError:
        raise
    except (OSError, DeviceNotFoundError, ValueError, RuntimeError) as e:
        # pyserial, pyusb and escpos errors all land here; a timeout anywhere in the chain wins.
        if _is_timeout(e):
            raise PrinterTimeout(f"{what}: no answer in time") from e
        raise PrinterOffline(f"{what}: {_reason(e)}") from e


class Transport:
    """One connection to one printer. Not thread-safe: a single worker owns it."""

    #: Close after every job and status poll (raw TCP printers often take one client at a time).
    persistent = True

    def __init__(self, esc, *, timeout: float, read_status: bool) -> None:
        self.esc = esc
        self.timeout = timeout
        self.read_status = read_status
        self.is_open = False

    def open(self) -> None:
        with faults("connect"):
            self.esc.open()
        self.is_open = True

    def write(self, data: bytes) -> None:
        with faults("send"):
            self.esc._raw(data)

    def write_job(self, job) -> None:
        """Send one composed PrintJob (the simulated printer also keeps a preview)."""
        self.write(job.data)

    def query(self, request: bytes, reply_len: int) -> bytes:
        """Send a real-time request and return exactly `reply_len` bytes or raise PrinterTimeout."""
        raise NotImplementedError

    def fixed_status(self) -> PrinterStatus:
        """Status for connections that cannot read back (known without asking, or unknown)."""
        return UNKNOWN

    def close(self) -> None:
        self.is_open = False
        if self.esc is not None:
            with contextlib.suppress(
                Exception
            ):  # closing a dead connection may fail; it is gone anyway
                self.esc.close()


class TcpTransport(Transport):
    """Raw TCP (port 9100, "JetDirect"), via escpos.printer.Network."""

    persistent = False

    def __init__(self, host: str, port: int, *, timeout: float, read_status: bool) -> None:
        super().__init__(
            Network(host, port, timeout=timeout), timeout=timeout, read_status=read_status
        )

    def query(self, request: bytes, reply_len: int) -> bytes:
        sock: socket.socket = self.esc.device
        with faults("status"):
            try:
                self._drain(sock)
                sock.settimeout(self.timeout)
                sock.sendall(request)
                return self._recv_exactly(sock, reply_len)
            finally:
                sock.settimeout(self.timeout)

    def _recv_exactly(self, sock: socket.socket, n: int) -> bytes:
        deadline = time.monotonic() + self.timeout
        reply = b""
        while len(reply) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PrinterTimeout(f"status: no answer within {self.timeout:g} s")
            sock.settimeout(remaining)
            chunk = sock.recv(n - len(reply))
            if not chunk:
                raise PrinterOffline("status: the printer closed the connection")
            reply += chunk
        return reply

    @staticmethod
    def _drain(sock: socket.socket) -> None:
        # Replies a printer sent earlier (late answers, DLE EOT look-alikes inside image data)
        # must not be taken for the answer to this query.
        sock.setblocking(False)
        try:
            while True:
                if not sock.recv(256):
                    raise PrinterOffline("status: the printer closed the connection")
        except BlockingIOError:
            pass


class SerialTransport(Transport):
    """RS-232 or USB-serial adapters, via escpos.printer.Serial (pyserial)."""

    def __init__(
        self, devfile: str, options: dict[str, str], *, timeout: float, read_status: bool
    ) -> None:
        self.baudrate = int(options.get("baudrate", 9600))
        self.rtscts = options.get("rtscts") == "True"
        esc = Serial(
            devfile,
            baudrate=self.baudrate,
            timeout=timeout,
            xonxoff=options.get("xonxoff") == "True",
            dsrdtr=options.get("dsrdtr") == "True",
        )
        super().__init__(esc, timeout=timeout, read_status=read_status)

    def open(self) -> None:
        super().open()
        self.esc.device.rtscts = self.rtscts

    def write(self, data: bytes) -> None:
        # A ticket image at 9600 baud takes a minute: the bound grows with the job, twice the wire time.
        self.esc.device.write_timeout = self.timeout + 2 * len(data) * 10 / self.baudrate
        super().write(data)

    def query(self, request: bytes, reply_len: int) -> bytes:
        port = self.esc.device
        with faults("status"):
            port.reset_input_buffer()
            port.write_timeout = self.timeout
            port.write(request)
            port.timeout = self.timeout
            reply = port.read(reply_len)
        if len(reply) < reply_len:
            raise PrinterTimeout(f"status: no answer within {self.timeout:g} s")
        return reply

    def close(self) -> None:
        port = self.esc._device
        if port:
            # escpos's close() calls flush(), which waits forever if flow control never releases.
            with contextlib.suppress(Exception):
                deadline = time.monotonic() + self.timeout
                while port.out_waiting and time.monotonic() < deadline:
                    time.sleep(0.05)
                port.reset_output_buffer()
        super().close()


class UsbTransport(Transport):
    """Printers speaking USB directly (no kernel driver), via escpos.printer.Usb (needs pyusb)."""

    def __init__(
        self, ids: str, options: dict[str, str], *, timeout: float, read_status: bool
    ) -> None:
        vid, pid = (int(x, 16) for x in ids.split(":"))
        self.in_ep = int(options.get("in_ep", "0x82"), 0)
        esc = Usb(
            vid,
            pid,
            timeout=int(timeout * 1000),  # pyusb counts milliseconds
            in_ep=self.in_ep,
            out_ep=int(options.get("out_ep", "0x01"), 0),
        )
        super().__init__(esc, timeout=timeout, read_status=read_status)

    def query(self, request: bytes, reply_len: int) -> bytes:
        with faults("status"):
            self.esc._raw(request)
            reply = bytes(self.esc.device.read(self.in_ep, reply_len, int(self.timeout * 1000)))
        if len(reply) < reply_len:
            raise PrinterTimeout(f"status: no answer within {self.timeout:g} s")
        return reply


class _AppendFile(File):
    # escpos opens with "wb", which would empty a plain-file log on every reconnect.
    def open(self, raise_not_found: bool = True) -> None:
        try:
            self.device = open(self.devfile, "ab", buffering=0)
        except OSError as e:
            self.device = None
            raise DeviceNotFoundError(f"Could not open {self.devfile}: {e}") from e


class FileTransport(Transport):
    """A device node (/dev/usb/lp0, /dev/lp0) or a plain file, via escpos.printer.File."""

    def __init__(self, path: str, *, timeout: float, read_status: bool) -> None:
        super().__init__(_AppendFile(path), timeout=timeout, read_status=read_status)

    def open(self) -> None:
        super().open()
        fd = self.esc.device.fileno()
        if stat.S_ISCHR(os.fstat(fd).st_mode):
            # usblp blocks a write forever while the printer is off or out of paper.
            os.set_blocking(fd, False)

    def write(self, data: bytes) -> None:
        fd = self.esc.device.fileno()
        view, deadline = memoryview(data), time.monotonic() + self.timeout
        with faults("send"):
            while view:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise PrinterTimeout(
                        f"send: printer did not take the data within {self.timeout:g} s"
                    )
                select.select([], [fd], [], remaining)
                try:
                    view = view[os.write(fd, view) :]
                except BlockingIOError:
                    continue

    def query(self, request: bytes, reply_len: int) -> bytes:
        raise PrinterOffline("status: file:// printers cannot report status (use status=off)")


class DummyTransport(Transport):
    """Keeps the bytes in memory (escpos.printer.Dummy): dry runs and tests."""

    def __init__(self, *, timeout: float, read_status: bool) -> None:
        super().__init__(Dummy(), timeout=timeout, read_status=False)

    @property
    def output(self) -> bytes:
        """Everything "printed" so far."""
        return self.esc.output
