"""What every use case needs: the store, the publisher, the clock and the centre."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from kiosk.events import Outgoing, Publisher
from kiosk.store import Store


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class QueueContext:
    store: Store
    publisher: Publisher
    centre_id: int
    timezone: str = "Asia/Ho_Chi_Minh"
    clock: Callable[[], datetime] = utc_now
    public_url: str = ""  # absolute base for status URLs printed in QR codes
    # Without a configured base (gunicorn without MOTCUA_PUBLIC_URL): the base of the
    # request being served.  Never remembered: one request's Host header must not
    # decide the QR codes of everyone else's tickets.
    public_url_fallback: Callable[[], str] | None = None
    languages: tuple[str, ...] = ("vi", "en")
    kiosk_printers: dict[str, str] = field(default_factory=dict)  # kiosk name → printer name
    # Called after an issue commits with (ticket payload, print job id or None); may return
    # a dict describing the print, merged into the answer as "print".
    after_issue: list[Callable[[dict, int | None], dict | None]] = field(default_factory=list)

    # Reads the centre's zone from the database.  An admin may change it in any hub
    # process; every other process picks the change up within TIMEZONE_TTL_S.  Numbering
    # does not rely on this: issue_ticket reads the zone inside its own transaction.
    timezone_loader: Callable[[], str] | None = None
    _timezone_read_at: float = field(default=float("-inf"), repr=False)

    TIMEZONE_TTL_S = 5.0

    @property
    def tz(self) -> ZoneInfo:
        loader = self.timezone_loader
        if loader is not None and time.monotonic() - self._timezone_read_at > self.TIMEZONE_TTL_S:
            self._timezone_read_at = time.monotonic()
            try:
                self.timezone = loader()
            except Exception:  # the database is away: keep the last zone read
                pass
        return ZoneInfo(self.timezone)

    def now(self) -> datetime:
        return self.clock()

    def publish(self, events: list[Outgoing]) -> None:
        if events:
            self.publisher.publish(events)

    def status_url(self, token: str) -> str:
        base = self.public_url or (self.public_url_fallback() if self.public_url_fallback else "")
        return f"{base.rstrip('/')}/t/{token}"
