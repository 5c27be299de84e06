"""`motcua run`'s HTTP handler under gevent (kiosk/runtime/http_handler.py): requests
parsed as pywsgi's own parser would, a small answer in one write, bad headers refused.

A real gevent WSGIServer on a loopback port and a raw client socket, both on gevent's
own sockets in this process (nothing is monkey-patched: the client yields to the server).
"""

from __future__ import annotations

import io
import json

import gevent
import pytest
from gevent import socket as gsocket
from gevent.pywsgi import WSGIServer

from kiosk.runtime.http_handler import MAX_HEADERS, CommuneBoxHandler, RequestHeaders


def echo_app(environ, start_response):
    """Answers with what a Flask app would read of the request."""
    if environ["PATH_INFO"] == "/big":
        body = b"x" * (200 * 1024)
        start_response(
            "200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
        )
        return [body]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    seen = {
        "path": environ["PATH_INFO"],
        "query": environ["QUERY_STRING"],
        "type": environ.get("CONTENT_TYPE"),
        "length": environ.get("CONTENT_LENGTH"),
        "body": environ["wsgi.input"].read(length).decode() if length else "",
        "host": environ.get("HTTP_HOST"),
        "cookie": environ.get("HTTP_COOKIE"),
        "accept": environ.get("HTTP_ACCEPT_LANGUAGE"),
        "folded": environ.get("HTTP_X_FOLDED"),
    }
    body = json.dumps(seen).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


class CountingHandler(CommuneBoxHandler):
    writes: list[int] = []

    def _sendall(self, data):
        CountingHandler.writes.append(len(data))
        return super()._sendall(data)


@pytest.fixture
def server():
    CountingHandler.writes = []
    server = WSGIServer(("127.0.0.1", 0), echo_app, handler_class=CountingHandler, log=None)
    server.start()
    yield server
    server.stop(timeout=1)


def exchange(client, request: bytes) -> tuple[int, dict, bytes, int]:
    """Send one request on a kept-alive connection and read one whole answer: status,
    headers, body and the answer's whole length in bytes."""
    client.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    length = int(headers.get("Content-Length", 0))
    while len(body) < length:
        chunk = client.recv(65536)
        assert chunk
        body += chunk
    return int(lines[0].split()[1]), headers, body, len(head) + 4 + len(body)


def connect(server):
    return gsocket.create_connection(("127.0.0.1", server.server_port), timeout=5)


def test_a_kiosk_tap_reads_as_sent_and_is_answered_in_one_write(server):
    client = connect(server)
    payload = '{"service": "HT", "name": "Nguyễn Văn A"}'.encode()
    request = (
        b"POST /api/v1/tickets?lang=vi HTTP/1.1\r\nHost: hub.local:5000\r\n"
        b"Content-Type: application/json\r\n"
        b"Cookie: a=1\r\nCookie: b=2\r\n"  # two Cookie lines: joined with "; " as before
        b"accept-language: vi-VN\r\n"  # any case
        b"X-Folded: first\r\n second\r\n"  # an obsolete folded line is kept with its header
        + f"Content-Length: {len(payload)}\r\n\r\n".encode()
        + payload
    )
    with gevent.Timeout(5):
        status, _, body, whole = exchange(client, request)
        seen = json.loads(body)
        assert status == 200
        assert seen["path"] == "/api/v1/tickets" and seen["query"] == "lang=vi"
        assert seen["type"] == "application/json"
        assert seen["length"] == str(len(payload))
        assert json.loads(seen["body"]) == {"service": "HT", "name": "Nguyễn Văn A"}
        assert seen["host"] == "hub.local:5000"
        assert seen["cookie"] == "a=1; b=2"
        assert seen["accept"] == "vi-VN"
        assert seen["folded"].split() == ["first", "second"]
        assert CountingHandler.writes == [whole]  # status line, headers and body at once
        # The same connection serves the next request (kept alive).
        status, _, body, _ = exchange(client, b"GET /again HTTP/1.1\r\nHost: h\r\n\r\n")
        assert status == 200 and json.loads(body)["path"] == "/again"
        assert len(CountingHandler.writes) == 2
    client.close()


def test_a_large_answer_is_sent_whole_without_copying_it_behind_the_headers(server):
    client = connect(server)
    with gevent.Timeout(5):
        status, _, body, _ = exchange(client, b"GET /big HTTP/1.1\r\nHost: h\r\n\r\n")
    assert status == 200 and body == b"x" * (200 * 1024)
    assert len(CountingHandler.writes) == 2 and CountingHandler.writes[1] == 200 * 1024
    client.close()


@pytest.mark.parametrize(
    "headers",
    [
        b"Host: h\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(MAX_HEADERS)),  # 101
        b"Host: h\r\nNo colon here\r\n",  # not "name: value"
        b" starts folded: v\r\nHost: h\r\n",  # a continuation with nothing to continue
        b"Host: h\r\nX-Long: " + b"a" * 70000 + b"\r\n",  # a line over 65,536 bytes
    ],
    ids=["101 headers", "no colon", "leading fold", "long line"],
)
def test_a_request_with_bad_headers_is_refused_with_400(server, headers):
    client = connect(server)
    with gevent.Timeout(5):
        client.sendall(b"GET / HTTP/1.1\r\n" + headers + b"\r\n")
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400 ")
    client.close()


def test_headers_read_as_http_client_reads_them():
    parsed = RequestHeaders.read(
        io.BytesIO(b"Content-Type: text/plain\r\nX-A: 1\r\nx-a: 2\r\n\r\nbody")
    )
    assert parsed.status == ""
    assert parsed.typeheader == "text/plain"
    assert parsed.get("X-A") == "1" and parsed.getheader("x-A") == "1"
    assert parsed.get("missing", "none") == "none"
    assert list(parsed.headers) == ["Content-Type: text/plain\r\n", "X-A: 1\r\n", "x-a: 2\r\n"]
    assert RequestHeaders.read(io.BytesIO(b"\r\n")).status == ""
    assert RequestHeaders.read(io.BytesIO(b"")).status == ""  # the client went away
