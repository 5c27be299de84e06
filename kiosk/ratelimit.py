"""Rate limits: a small in-process sliding window per key (a kiosk's address: tickets,
login attempts), and wrong passwords per account with a growing wait, kept in the
database so every hub process counts the same failures (docs/admin.md, "Logging in")."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from kiosk.store import Store
from kiosk.store.tables import LoginFailureRow


class RateLimiter:
    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        if self.limit <= 0:
            return True
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] > self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle keys so memory stays flat all day
                self._hits = {k: v for k, v in self._hits.items() if v}
            return True


# -- wrong passwords per account, in the database (every hub process sees them) -----------
FREE_FAILURES = 5  # wrong passwords before the account waits
FORGET_AFTER = timedelta(minutes=15)  # quiet time after which earlier failures are forgotten
MAX_WAIT_S = 15 * 60  # the longest wait: the real owner is never locked out for longer


def account_wait_s(store: Store, centre_id: int, key: str, now: datetime) -> int:
    """Seconds this account must wait before its password is checked again (0: now)."""
    with store.read() as session:
        row = session.get(LoginFailureRow, (centre_id, key[:64]))
        if row is None or row.blocked_until is None:
            return 0
        return max(0, math.ceil((row.blocked_until - now).total_seconds()))


def account_failed(store: Store, centre_id: int, key: str, now: datetime) -> int:
    """Count a wrong password; the wait that follows it in seconds (0 while free).

    The 5th failure within FORGET_AFTER of the previous one waits 2 s, the 6th 4 s, …
    doubling up to MAX_WAIT_S.  Attempts refused while waiting are not counted, so
    someone guessing cannot push the wait beyond MAX_WAIT_S after their last guess."""
    for attempt in range(2):
        try:
            with store.write() as session:
                return _count_failure(session, centre_id, key[:64], now)
        except IntegrityError:  # another process stored this account's first failure
            if attempt:
                raise
    return 0  # pragma: no cover - the loop returns or raises


def _count_failure(session, centre_id: int, key: str, now: datetime) -> int:
    row = session.get(LoginFailureRow, (centre_id, key), with_for_update=True)
    if row is None:
        row = LoginFailureRow(centre_id=centre_id, username_key=key, failures=0)
        session.add(row)
    elif now >= max(row.last_failure_at, row.blocked_until or row.last_failure_at) + FORGET_AFTER:
        row.failures, row.blocked_until = 0, None
    row.failures += 1
    row.last_failure_at = now
    wait = 0
    if row.failures >= FREE_FAILURES:
        wait = min(2 ** min(row.failures - FREE_FAILURES + 1, 20), MAX_WAIT_S)
        row.blocked_until = now + timedelta(seconds=wait)
    # Names guessed yesterday (existing or not) are forgotten: the table stays small.
    session.execute(
        delete(LoginFailureRow).where(LoginFailureRow.last_failure_at < now - timedelta(days=1))
    )
    return wait


def account_succeeded(store: Store, centre_id: int, key: str) -> None:
    """The right password, after any wait: the account starts afresh."""
    with store.write() as session:
        session.execute(
            delete(LoginFailureRow).where(
                LoginFailureRow.centre_id == centre_id, LoginFailureRow.username_key == key[:64]
            )
        )
