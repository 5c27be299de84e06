"""A fake network receipt printer on 127.0.0.1: a real TCP server that records every byte.

It answers the real-time status queries DLE EOT 1..4 the way an Epson-style
printer does, from its own switches (`online`, `paper_near_end`, `paper_out`,
`cover_open`, `cutter_error`), which tests flip while it runs.  `hang = True`
makes it accept connections and never read (a printer whose firmware froze),
`stall_after = N` stops reading after N bytes of a connection (a mid-job jam);
`stop()` closes the port (connection refused).  The status bytes are built
here straight from the ESC/POS manual tables, independently of the parser
under test.
"""

from __future__ import annotations

import socket
import threading
import time

DLE, EOT = 0x10, 0x04


class VirtualPrinter:
    def __init__(
        self,
        *,
        online: bool = True,
        paper_near_end: bool = False,
        paper_out: bool = False,
        cover_open: bool = False,
        cutter_error: bool = False,
        answer_status: bool = True,
    ) -> None:
        self.online = online
        self.paper_near_end = paper_near_end
        self.paper_out = paper_out
        self.cover_open = cover_open
        self.cutter_error = cutter_error
        self.answer_status = answer_status
        self.hang = False
        #: Stop reading once this many bytes of a connection are in (a jam in the middle of a job).
        self.stall_after: int | None = None
        self.connections = 0
        self.status_queries = 0
        self._received = bytearray()
        self._lock = threading.Lock()
        self._server: socket.socket | None = None
        self._clients: list[socket.socket] = []
        self.port = 0

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def received(self) -> bytes:
        with self._lock:
            return bytes(self._received)

    def start(self) -> VirtualPrinter:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # A small receive buffer, inherited by accepted sockets, so a hung printer fills up fast.
        server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        server.bind(("127.0.0.1", self.port))
        server.listen(8)
        self.port = server.getsockname()[1]
        self._server = server
        threading.Thread(target=self._accept_loop, args=(server,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Close the port and every connection: new connections are refused."""
        if self._server is not None:
            # close() alone leaves the port listening while accept() blocks in another thread.
            try:
                self._server.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._server.close()
            self._server = None
        for c in self._clients:
            try:
                c.close()
            except OSError:
                pass
        self._clients.clear()

    def wait_for(self, predicate, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            time.sleep(0.01)
        return predicate(self)

    def status_byte(self, n: int) -> int:
        """The reply to DLE EOT n (bits 1 and 4 always set)."""
        byte = 0x12
        if n == 1 and (not self.online or self.cover_open or self.paper_out):
            byte |= 0x08  # offline
        elif n == 2:
            byte |= (0x04 if self.cover_open else 0) | (0x20 if self.paper_out else 0)
            byte |= 0x40 if self.cutter_error else 0
        elif n == 3:
            byte |= 0x08 if self.cutter_error else 0
        elif n == 4:
            byte |= (0x0C if self.paper_near_end or self.paper_out else 0) | (
                0x60 if self.paper_out else 0
            )
        return byte

    def _accept_loop(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            self.connections += 1
            self._clients.append(client)
            if not self.hang:
                threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def feed(self, chunk: bytes, pending: bytes = b"") -> tuple[bytes, bytes]:
        """Record bytes received; return (status replies to send, unparsed tail for next time).

        Also used without TCP (the serial test) to play the printer on the far end of a pty.
        """
        with self._lock:
            self._received += chunk
        data = pending + chunk
        i, replies = 0, bytearray()
        # Like a real printer, react to DLE EOT n anywhere in the stream.
        while i < len(data) - 2:
            if data[i] == DLE and data[i + 1] == EOT and 1 <= data[i + 2] <= 4:
                self.status_queries += 1
                replies.append(self.status_byte(data[i + 2]))
                i += 3
            else:
                i += 1
        return (bytes(replies) if self.answer_status else b""), data[i:]

    def _serve(self, client: socket.socket) -> None:
        pending = b""  # the tail of a DLE EOT split across two reads
        taken = 0
        while True:
            limit = 65536 if self.stall_after is None else min(65536, self.stall_after - taken)
            if limit <= 0:
                return  # keeps the connection open, reads nothing more
            try:
                chunk = client.recv(limit)
                taken += len(chunk)
            except OSError:
                return
            if not chunk:
                client.close()
                return
            replies, pending = self.feed(chunk, pending)
            if replies:
                try:
                    client.sendall(replies)
                except OSError:
                    return
