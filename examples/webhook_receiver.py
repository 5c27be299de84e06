"""A small receiver of motcua's webhook notices (docs/remote.md), Python standard library
only: it checks the signature, answers 204 at once (the hub retries anything else),
drops a notice it has already seen (a retry), and prints what an SMS gateway or a Zalo
Official Account bridge would send the citizen.

    MOTCUA_WEBHOOK_SECRET=… python examples/webhook_receiver.py [PORT]

then set the centre's webhook address to http://THIS-MACHINE:PORT/ and the same secret
on /admin/remote.  Replace `deliver` with the call to your gateway."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 64 * 1024


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """Whether `header` (X-Motcua-Signature) is `sha256=` + the HMAC-SHA256 of the exact
    body bytes under the shared secret; compared in constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header or "")


def text_for(notice: dict) -> str:
    """The message a citizen would get, in Vietnamese (the hub's pages offer English)."""
    ticket = notice["ticket"]
    if notice["event"] == "ticket.called":
        where = ticket.get("counter_name") or f"quầy {ticket.get('counter')}"
        return f"Mời công dân có số {ticket['number']} đến {where}."
    return (
        f"Sắp đến lượt số {ticket['number']} ({ticket['people_ahead']} người phía trước). "
        f"Vui lòng đến {notice['centre']['name']} và xác nhận có mặt. {ticket['status_url']}"
    )


def deliver(notice: dict) -> None:
    print(f"{notice['phone']}: {text_for(notice)}", flush=True)


def make_server(
    secret: str, port: int = 8099, host: str = "127.0.0.1", on_notice: Callable = deliver
) -> ThreadingHTTPServer:
    seen: set[str] = set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self.send_error(413)
                return
            body = self.rfile.read(length)
            if not verify(secret, body, self.headers.get("X-Motcua-Signature")):
                self.send_error(401, "bad signature")
                return
            notice = json.loads(body)
            self.send_response(204)  # answer first: the hub waits for nobody
            self.end_headers()
            if notice["id"] not in seen:  # the same id again is a retry
                seen.add(notice["id"])
                on_notice(notice)

        def log_message(self, *args):  # quiet: deliver() prints what matters
            pass

    return ThreadingHTTPServer((host, port), Handler)


if __name__ == "__main__":
    server = make_server(
        os.environ["MOTCUA_WEBHOOK_SECRET"],
        int(sys.argv[1]) if len(sys.argv) > 1 else 8099,
        host=os.environ.get("HOST", "127.0.0.1"),
    )
    print(f"listening on http://{server.server_address[0]}:{server.server_address[1]}/")
    server.serve_forever()
