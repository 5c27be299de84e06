"""What every use case needs: the store, the publisher, the clock and the centre."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from kiosk.events import Outgoing, Publisher
from kiosk.notices import Notifier
from kiosk.store import Store


def utc_now() -> datetime:
    return datetime.now(UTC)


# (ticket number, counter number, spoken languages, is a recall, voice pack by language,
# the centre's reading of 105: "linh" or "le") → the `announce` object of the `call` event.
# The hub builder plugs in the display's announcer (text and voice clips); usecases never
# import display/.  Keyword `session`: the caller's open transaction, for the announcer
# to read in (else it opens a read of its own).
Announcer = Callable[..., dict]


def plain_announcement(
    number: str,
    counter: int,
    languages: tuple[str, ...],
    recall: bool,
    packs: Mapping[str, str],
    reading: str = "linh",
    *,
    session: object = None,
) -> dict:
    """Without a display announcer (scripts, benchmarks): the number and counter as text,
    nothing to play."""
    return {**{lang: f"{number} → {counter}" for lang in languages}, "audio": {}}


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
    # Called after an issue commits with (ticket payload, print job id or None); may return
    # a dict describing the print, merged into the answer as "print".
    after_issue: list[Callable[[dict, int | None], dict | None]] = field(default_factory=list)
    announce: Announcer = plain_announcement
    # The language of whoever is being served now (the citizen's choice at the kiosk):
    # the ticket is printed in it.  The hub plugs in the request's language.
    reader_language: Callable[[], str] = lambda: "vi"
    # Keys ID numbers (core.citizen_id.person_key): the running hub derives it from its
    # secret key, so every hub process keys the same person alike.
    identity_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    # Outward notices ("your turn is near", "called") of remote numbers: the running hub
    # plugs in its webhook notifier (kiosk/runtime/webhook.py); None sends nothing.
    notifier: Notifier | None = None

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
