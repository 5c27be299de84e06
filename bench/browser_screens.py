"""Bench: lobby screens that speak WebSocket as a browser does: what each costs the hub.

    .venv/bin/python bench/browser_screens.py [--screens 300] [--presses 10]

The other benches' screens are python-socketio clients, whose WebSocket library
offers no compression.  Every browser offers permessage-deflate
(`Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits`), and a hub
that accepts it keeps a zlib compressor per connection and compresses every event
once per screen.  Here each screen is a raw socket on a gevent greenlet that sends
the handshake chromium sends, inflates what it gets when the hub compressed it,
answers pings, and subscribes as a lobby TV.

A fresh hub (`motcua run`, gevent, SQLite); --screens such screens connected; then a
clerk presses next + finish at counter 1 --presses times.  Prints whether the hub
accepted compression, its RSS per screen (after connecting minus before), its CPU
(utime + stime) per press, and the `call` events the screens counted, as Markdown.
"""

from gevent import monkey

monkey.patch_all()  # before anything opens a socket: every screen is a greenlet

import argparse  # noqa: E402
import base64  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import zlib  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import gevent  # noqa: E402
import requests  # noqa: E402
from gevent.pool import Pool  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import cpu_s, profile_top, profiled, rss_kib  # noqa: E402
from tests.conftest import HubProcess  # noqa: E402

WARM_UP = 2
SUBSCRIBE = '42["subscribe",{"display":"lobby"}]'


class BrowserScreen:
    """One lobby TV's WebSocket, as chromium opens it."""

    def __init__(self, url: str, counts: dict) -> None:
        parts = urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                f"Origin: {url}\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(4096)
        head, self.buffer = head.split(b"\r\n\r\n", 1)
        self.deflated = b"permessage-deflate" in head.lower()
        self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        self.counts = counts
        gevent.spawn(self.read)

    def send(self, text: str) -> None:
        data, mask = text.encode(), os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        length = len(data)
        header = (
            struct.pack("!BB", 0x81, 0x80 | length)
            if length < 126
            else (struct.pack("!BBH", 0x81, 0x80 | 126, length))
        )
        self.sock.sendall(header + mask + masked)

    def _take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buffer += chunk
        taken, self.buffer = self.buffer[:n], self.buffer[n:]
        return taken

    def read(self) -> None:
        try:
            while True:
                first, second = self._take(2)
                length = second & 0x7F
                if length == 126:
                    (length,) = struct.unpack("!H", self._take(2))
                elif length == 127:
                    (length,) = struct.unpack("!Q", self._take(8))
                payload = self._take(length)
                if first & 0x40:  # RSV1: compressed
                    payload = self.inflater.decompress(payload + b"\x00\x00\xff\xff")
                self.on_message(payload.decode())
        except (EOFError, OSError):
            pass

    def on_message(self, text: str) -> None:
        if text.startswith("0{"):
            self.send("40")
        elif text.startswith("40"):
            self.send(SUBSCRIBE)
        elif text == "2":
            self.send("3")
        elif text.startswith('42["snapshot"'):
            self.counts["snapshots"] += 1
        elif text.startswith('42["call"'):
            self.counts["calls"] += 1


def run(screens: int, presses: int, profile: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        hub = HubProcess(Path(tmp), async_mode="gevent").start()
        try:
            clerk = hub.session()
            kiosk = requests.Session()
            for _ in range(WARM_UP + presses):
                kiosk.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=30)
            gevent.sleep(1)
            before = rss_kib(hub.process.pid)
            counts = {"snapshots": 0, "calls": 0}
            opened: list[BrowserScreen] = []
            Pool(50).map(lambda _: opened.append(BrowserScreen(hub.url, counts)), range(screens))
            deadline = time.monotonic() + 120
            while counts["snapshots"] < screens and time.monotonic() < deadline:
                gevent.sleep(0.05)
            gevent.sleep(1)
            per_screen = (rss_kib(hub.process.pid) - before) / screens
            spy = profile / f"browser-press-{screens}.txt" if profile else None
            with profiled(hub.process.pid, spy):
                pressed(hub, clerk, counts, screens, presses)
            hub_cpu, calls = counts.pop("cpu"), counts.pop("counted")
            for screen in opened:
                screen.sock.close()
        finally:
            hub.stop()
    if profile:
        print(profile_top(spy))
    return {
        "screens": screens,
        "deflated": sum(s.deflated for s in opened),
        "subscribed": counts["snapshots"],
        "kib": per_screen,
        "cpu_ms": hub_cpu * 1000 / presses,
        "calls": calls / (screens * presses),
    }


def pressed(hub, clerk, counts: dict, screens: int, presses: int) -> None:
    """next + finish at counter 1 `presses` times (after WARM_UP), each call seen by
    every screen; the hub's CPU and the calls counted go in counts["cpu"], ["counted"]."""
    for press in range(WARM_UP + presses):
        if press == WARM_UP:
            gevent.sleep(0.5)
            hub_cpu, calls = cpu_s(hub.process.pid), counts["calls"]
        target = counts["calls"] + screens  # before the request: calls may beat its answer
        clerk.post(f"{hub.url}/api/v1/counters/1/next", timeout=30).raise_for_status()
        deadline = time.monotonic() + 60
        while counts["calls"] < target and time.monotonic() < deadline:
            gevent.sleep(0.002)
        clerk.post(f"{hub.url}/api/v1/counters/1/finish", timeout=30).raise_for_status()
    gevent.sleep(0.5)
    counts["cpu"] = cpu_s(hub.process.pid) - hub_cpu
    counts["counted"] = counts["calls"] - calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--screens", type=int, default=300)
    parser.add_argument("--presses", type=int, default=10)
    parser.add_argument("--profile", type=Path, default=None, help="folder for py-spy profiles")
    args = parser.parse_args()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    r = run(args.screens, args.presses, args.profile)
    print(
        "\n| browser-like screens | compression accepted | subscribed | hub RSS per screen "
        "| hub CPU per press (next + finish) | calls per screen per press |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {r['screens']} | {r['deflated']} | {r['subscribed']} | {r['kib']:.0f} KiB "
        f"| {r['cpu_ms']:.1f} ms | {r['calls']:.2f} |"
    )


if __name__ == "__main__":
    main()
