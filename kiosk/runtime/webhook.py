"""The webhook notifier: the one real `Notifier` (kiosk/notices.py).  Each notice is
POSTed as JSON to the centre's webhook URL, signed with the centre's secret:

    X-Motcua-Signature: sha256=HEX   HMAC-SHA256 of the exact body bytes
    X-Motcua-Event: ticket.near | ticket.called
    X-Motcua-Delivery: the payload's `id` (the same on every retry)

Delivery is off the request path: `notify` only queues; one background worker (a
thread, a greenlet under gevent/eventlet once monkey-patched) sends, each attempt
bounded by `timeout_s`.  A failed attempt (no answer, a refused connection, any status
but 2xx) is tried again after 1, 2, 4, 8 … s (`backoff_s` doubling, at most
`max_backoff_s`), `attempts` times in all, then dropped with a log line.  So a dead or
hanging receiver delays only other notices, never "next" or any page.  Pending notices
live in this process's memory: a hub restart forgets those not yet delivered
(docs/remote.md)."""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from kiosk.notices import Notice

log = logging.getLogger("motcua.webhook")

SIGNATURE_HEADER = "X-Motcua-Signature"
MAX_PENDING = 10_000  # notices waiting in memory; beyond this the oldest are dropped


def signature(secret: str, body: bytes) -> str:
    """The header value a receiver checks: sha256= and the hex HMAC of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def body_of(notice: Notice) -> bytes:
    return json.dumps(notice.payload, ensure_ascii=False, separators=(",", ":")).encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is a failed delivery: the body is never re-sent somewhere else."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass
class _Delivery:
    notice: Notice
    body: bytes
    attempt: int = 0


class WebhookNotifier:
    def __init__(
        self,
        *,
        timeout_s: float = 5.0,
        attempts: int = 6,
        backoff_s: float = 1.0,
        max_backoff_s: float = 300.0,
    ) -> None:
        self.timeout_s = timeout_s
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self._due: list[tuple[float, int, _Delivery]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._worker: threading.Thread | None = None
        self._closed = False
        self.delivered = 0
        self.failed = 0  # dropped after the last attempt

    # -- the Notifier interface ------------------------------------------------------------
    def notify(self, notice: Notice) -> None:
        if not notice.url:
            return
        delivery = _Delivery(notice, body_of(notice))
        with self._wake:
            if len(self._due) >= MAX_PENDING:
                dropped = heapq.heappop(self._due)[2]
                log.warning("webhook queue full: dropped %s", dropped.notice.event)
            heapq.heappush(self._due, (time.monotonic(), next(self._order), delivery))
            self._start()
            self._wake.notify()

    # -- the worker ----------------------------------------------------------------------
    def _start(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._run, name="motcua-webhook", daemon=True)
            self._worker.start()

    def pending(self) -> int:
        with self._wake:
            return len(self._due)

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()

    def _next(self) -> _Delivery | None:
        with self._wake:
            while not self._closed:
                if self._due:
                    wait = self._due[0][0] - time.monotonic()
                    if wait <= 0:
                        return heapq.heappop(self._due)[2]
                    self._wake.wait(wait)
                else:
                    self._wake.wait(60)
            return None

    def _run(self) -> None:
        while (delivery := self._next()) is not None:
            delivery.attempt += 1
            if self._send(delivery):
                self.delivered += 1
                continue
            if delivery.attempt >= self.attempts:
                self.failed += 1
                log.warning(
                    "webhook %s to %s dropped after %d attempts",
                    delivery.notice.event,
                    delivery.notice.url,
                    delivery.attempt,
                )
                continue
            delay = min(self.backoff_s * 2 ** (delivery.attempt - 1), self.max_backoff_s)
            with self._wake:
                due = time.monotonic() + delay
                heapq.heappush(self._due, (due, next(self._order), delivery))

    def _send(self, delivery: _Delivery) -> bool:
        notice = delivery.notice
        request = urllib.request.Request(
            notice.url,
            data=delivery.body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "motcua-webhook/1",
                "X-Motcua-Event": notice.event,
                "X-Motcua-Delivery": str(notice.payload.get("id", "")),
                SIGNATURE_HEADER: signature(notice.secret, delivery.body),
            },
        )
        try:
            with _opener.open(request, timeout=self.timeout_s) as answer:
                return 200 <= answer.status < 300
        except (urllib.error.URLError, OSError, ValueError) as error:
            log.info("webhook %s attempt %d: %s", notice.event, delivery.attempt, error)
            return False


_shared: WebhookNotifier | None = None
_shared_lock = threading.Lock()


def webhook_notifier() -> WebhookNotifier:
    """This process's notifier (every centre it serves shares the one worker)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = WebhookNotifier()
        return _shared
