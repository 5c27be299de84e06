"""The webhook notifier against real HTTP receivers on this machine: a notice arrives
signed (checked by examples/webhook_receiver.py's own `verify`), a failed delivery is
tried again with the same body, a dead receiver is given up after its attempts, and a
receiver that hangs never slows "next"."""

from __future__ import annotations

import importlib.util
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.core.remote import FieldRule, RemoteRules
from kiosk.runtime.webhook import WebhookNotifier
from kiosk.usecases import counters, remote, tickets
from tests.support.hubs import ROOT

SECRET = "centre-secret-123"
spec = importlib.util.spec_from_file_location(
    "webhook_receiver", ROOT / "examples" / "webhook_receiver.py"
)
example = importlib.util.module_from_spec(spec)
spec.loader.exec_module(example)


class Receiver:
    """An HTTP receiver answering each POST as scripted: a status, or "hang" (holds the
    request until released); every request is kept with its headers and body."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.got: list[tuple[dict, bytes]] = []
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.got.append((dict(self.headers), body))
                answer = outer.answers.pop(0) if len(outer.answers) > 1 else outer.answers[0]
                if answer == "hang":
                    outer.release.wait(10)
                    answer = 200
                self.send_response(answer)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def wait_for(self, n: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.got) < n and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.got) >= n, f"{len(self.got)} of {n} requests arrived"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers():
    made: list[Receiver] = []
    yield lambda *answers: made.append(Receiver(*answers)) or made[-1]
    for receiver in made:
        receiver.close()


def remote_morning(ctx, url: str, notifier: WebhookNotifier) -> dict:
    """One kiosk number, then a number by phone with one person ahead: "near" at once."""
    ctx.notifier = notifier
    rules = RemoteRules(
        fields={"HT": FieldRule(enabled=True)}, near_ahead=1, webhook_url=url, webhook_secret=SECRET
    )
    remote.update_settings(ctx, None, rules)
    tickets.issue_ticket(ctx, tickets.IssueRequest(service="HT"))
    return remote.take(ctx, "HT", "0912 345 678")


def test_a_notice_arrives_signed_and_is_retried_after_a_failure(day, receivers):
    ctx, clock, _ = day
    receiver = receivers(500, 204)
    notifier = WebhookNotifier(timeout_s=2, backoff_s=0.05)
    away = remote_morning(ctx, receiver.url, notifier)
    receiver.wait_for(2)
    (first_headers, first), (headers, body) = receiver.got
    assert body == first  # the same notice again, byte for byte
    assert headers["X-Motcua-Delivery"] == first_headers["X-Motcua-Delivery"]
    assert headers["X-Motcua-Event"] == "ticket.near"
    assert headers["Content-Type"].startswith("application/json")
    assert example.verify(SECRET, body, headers["X-Motcua-Signature"])
    assert not example.verify("another secret", body, headers["X-Motcua-Signature"])
    notice = json.loads(body)
    assert notice["event"] == "ticket.near" and notice["phone"] == "0912345678"
    assert notice["ticket"]["number"] == away["number"]
    assert notice["ticket"]["people_ahead"] == 1
    assert notice["centre"]["name"] == "Bộ phận Một cửa UBND xã Thử Nghiệm"
    deadline = time.monotonic() + 2
    while notifier.delivered < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert (notifier.delivered, notifier.failed) == (1, 0)


def test_the_example_receiver_accepts_the_hubs_notices_and_refuses_forgeries(day):
    ctx, clock, _ = day
    heard: list[dict] = []
    server = example.make_server(SECRET, 0, on_notice=heard.append)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        notifier = WebhookNotifier(timeout_s=2, backoff_s=0.05)
        away = remote_morning(ctx, url, notifier)
        deadline = time.monotonic() + 5
        while not heard and time.monotonic() < deadline:
            time.sleep(0.01)
        assert [n["ticket"]["number"] for n in heard] == [away["number"]]
        assert "Sắp đến lượt số A002" in example.text_for(heard[0])
        import urllib.error
        import urllib.request

        forged = urllib.request.Request(
            url, data=b'{"event":"ticket.near"}', headers={"X-Motcua-Signature": "sha256=00"}
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, timeout=5)
        assert refused.value.code == 401
    finally:
        server.shutdown()
        server.server_close()


def test_a_dead_receiver_is_given_up_after_its_attempts(day, receivers):
    ctx, clock, _ = day
    receiver = receivers(503)
    notifier = WebhookNotifier(timeout_s=1, attempts=3, backoff_s=0.02)
    remote_morning(ctx, receiver.url, notifier)
    receiver.wait_for(3)
    deadline = time.monotonic() + 2
    while notifier.failed < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert (notifier.failed, notifier.delivered, len(receiver.got)) == (1, 0, 3)


def test_a_hanging_receiver_never_slows_next(day, receivers):
    ctx, clock, _ = day
    receiver = receivers("hang")
    notifier = WebhookNotifier(timeout_s=5, backoff_s=0.05)
    away = remote_morning(ctx, receiver.url, notifier)  # "near" goes out and hangs there
    receiver.wait_for(1)
    remote.check_in(ctx, away["token"], "scan")
    for _ in range(3):
        tickets.issue_ticket(ctx, tickets.IssueRequest(service="HT"))
    presses = []
    for counter in (1, 2, 3, 4):  # the second press calls the number by phone: "called"
        started = time.perf_counter()
        assert counters.call_next(ctx, counter) is not None
        presses.append(time.perf_counter() - started)
    assert max(presses) < 0.5, presses  # the receiver holds its request for seconds
    assert notifier.pending() >= 1  # "called" waits behind the hanging "near", queued
    receiver.release.set()
    receiver.wait_for(2)
    events = [headers["X-Motcua-Event"] for headers, _ in receiver.got]
    assert events == ["ticket.near", "ticket.called"]


def test_the_hubs_own_notifier_sends_near_and_called_for_numbers_taken_over_http(
    app, client, bearer, receivers
):
    """The hub as it runs (its process's webhook notifier, the HTTP routes): a number
    taken with one person ahead is told "near", and its call at the counter "called"."""
    receiver = receivers(204)
    rules = RemoteRules(
        fields={"HT": FieldRule(enabled=True)},
        near_ahead=1,
        webhook_url=receiver.url,
        webhook_secret=SECRET,
    )
    remote.update_settings(app.extensions["motcua"].ctx, None, rules)
    assert client.post("/api/v1/tickets", json={"service": "HT"}).status_code == 201
    away = client.post("/api/v1/remote-tickets", json={"service": "HT", "phone": "0912345678"})
    assert away.status_code == 201, away.json
    receiver.wait_for(1)
    clerk = bearer("clerk1", "test-clerk-pass")
    token = away.json["token"]
    assert (
        client.post(f"/api/v1/tickets/by-token/{token}/check-in", headers=clerk).status_code == 200
    )
    assert client.post("/api/v1/counters/1/next", headers=clerk).json["number"] == "A001"
    assert client.post("/api/v1/counters/1/finish", headers=clerk).status_code == 200
    assert client.post("/api/v1/counters/1/next", headers=clerk).json["number"] == "A002"
    receiver.wait_for(2)
    notices = [json.loads(body) for _, body in receiver.got]
    assert all(example.verify(SECRET, body, h["X-Motcua-Signature"]) for h, body in receiver.got)
    assert [(n["event"], n["ticket"]["number"]) for n in notices] == [
        ("ticket.near", "A002"),
        ("ticket.called", "A002"),
    ]
    assert notices[1]["ticket"]["counter"] == 1
    assert notices[1]["ticket"]["status_url"].endswith(f"/t/{token}")
