"""Remote numbers: taken on a phone before leaving home, called only once the citizen
has checked in at the centre.  Plain values only (docs/remote.md says the same in
words).

The queue rule:

1. A remote ticket is numbered from the field's daily sequence and placed by the time
   it was taken (`queued_at`), like a kiosk ticket, but its status is `remote`: "next"
   looks at `waiting` tickets only, so it passes over it until check-in.
2. Its turn *passes* each time "next" calls a normal (non-priority) ticket of the same
   field, sent to no particular counter, that was queued after it: had the citizen been
   there, they would have been called instead.  (Priority calls, calls of a ticket by
   its number and transfers to a counter do not count: the remote ticket's turn had not
   come in those.)
3. Checked in before its turn has passed `lose_place_after` times (a centre setting,
   default 3), it keeps its place: it becomes `waiting` with its original `queued_at`.
4. On the `lose_place_after`-th pass it *loses its place*: the ticket stays valid, the
   citizen's page says so at once, and at check-in it is queued at the end (its
   `queued_at` becomes the check-in time).  Never silent: an event `lost_place` is
   stored and the page shows it.

Limits, per field as the admin sets them: remote numbers on or off, a share of the
field's daily cap (a field without a cap has no share limit), one open remote ticket
per phone number (and per citizen ID number, if given) per business day.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from kiosk.core.errors import Conflict, InvalidInput
from kiosk.core.model import Event, Ticket, TicketStatus

DEFAULT_LOSE_PLACE_AFTER = 3
DEFAULT_NEAR_AHEAD = 3
DEFAULT_SHARE_PCT = 50
MAX_LOSE_PLACE_AFTER = 50
MAX_NEAR_AHEAD = 50
CHECK_IN_WAYS = ("scan", "network", "clerk")


@dataclass(frozen=True)
class FieldRule:
    """One field's remote numbers: on or off, its share of the daily cap, what to bring."""

    enabled: bool = False
    share_pct: int = DEFAULT_SHARE_PCT
    bring: str = ""
    bring_en: str = ""


@dataclass(frozen=True)
class RemoteRules:
    """A centre's remote-number settings (`settings["remote"]`)."""

    fields: dict[str, FieldRule] = field(default_factory=dict)
    lose_place_after: int = DEFAULT_LOSE_PLACE_AFTER
    near_ahead: int = DEFAULT_NEAR_AHEAD
    networks: tuple[str, ...] = ()  # addresses that count as "at the centre" (CIDR)
    webhook_url: str = ""
    webhook_secret: str = ""

    @classmethod
    def from_settings(cls, settings: dict | None) -> RemoteRules:
        data = dict(settings or {})
        fields = {
            str(code): FieldRule(
                enabled=bool(rule.get("enabled", False)),
                share_pct=int(rule.get("share_pct", DEFAULT_SHARE_PCT)),
                bring=str(rule.get("bring", "")),
                bring_en=str(rule.get("bring_en", "")),
            )
            for code, rule in (data.get("fields") or {}).items()
            if isinstance(rule, dict)
        }
        return cls(
            fields=fields,
            lose_place_after=int(data.get("lose_place_after", DEFAULT_LOSE_PLACE_AFTER)),
            near_ahead=int(data.get("near_ahead", DEFAULT_NEAR_AHEAD)),
            networks=tuple(str(n) for n in data.get("networks") or ()),
            webhook_url=str(data.get("webhook_url", "")),
            webhook_secret=str(data.get("webhook_secret", "")),
        )

    def to_settings(self) -> dict:
        return {
            "fields": {
                code: {
                    "enabled": rule.enabled,
                    "share_pct": rule.share_pct,
                    "bring": rule.bring,
                    "bring_en": rule.bring_en,
                }
                for code, rule in self.fields.items()
            },
            "lose_place_after": self.lose_place_after,
            "near_ahead": self.near_ahead,
            "networks": list(self.networks),
            "webhook_url": self.webhook_url,
            "webhook_secret": self.webhook_secret,
        }

    def field(self, code: str) -> FieldRule:
        return self.fields.get(code, FieldRule())

    def check(self) -> None:
        """Refuse values no centre could mean."""
        if not 1 <= self.lose_place_after <= MAX_LOSE_PLACE_AFTER:
            raise InvalidInput("invalid_lose_place_after", low=1, high=MAX_LOSE_PLACE_AFTER)
        if not 0 <= self.near_ahead <= MAX_NEAR_AHEAD:
            raise InvalidInput("invalid_near_ahead", low=0, high=MAX_NEAR_AHEAD)
        for rule in self.fields.values():
            if not 0 <= rule.share_pct <= 100:
                raise InvalidInput("invalid_share", low=0, high=100)
        for network in self.networks:
            parse_network(network)
        if self.webhook_url and not self.webhook_url.startswith(("http://", "https://")):
            raise InvalidInput("invalid_webhook_url")
        if self.webhook_url and not self.webhook_secret.strip():
            # notices signed with an empty key prove nothing to the receiver
            raise InvalidInput("webhook_secret_required")


def parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError as error:
        raise InvalidInput("invalid_network", network=text) from error


def on_network(address: str | None, networks: Iterable[str]) -> bool:
    """Whether a request from `address` comes from the centre's own network."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in parse_network(n) for n in networks if n.strip())


def normal_phone(phone: str) -> str:
    """A Vietnamese phone number as digits, +84 written as 0; refuses what cannot be one."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("84") and len(digits) >= 11:
        digits = "0" + digits[2:]
    if not 9 <= len(digits) <= 11 or any(ch not in "0123456789 +.-()" for ch in phone.strip()):
        raise InvalidInput("invalid_phone")
    return digits


def share_limit(rule: FieldRule, daily_cap: int | None) -> int | None:
    """How many remote numbers a field gives a day (None: no share limit)."""
    if daily_cap is None or daily_cap <= 0:
        return None
    return daily_cap * rule.share_pct // 100


def check_take(
    service: str,
    rule: FieldRule,
    daily_cap: int | None,
    taken_today: int,
    holders_open: Iterable[str],
    identities: Iterable[str],
) -> None:
    """May a remote number of `service` be given now?  `taken_today`: remote numbers the
    field gave today; `holders_open`: the identities (phone, ID key) of today's open
    remote tickets; `identities`: the asker's."""
    if not rule.enabled:
        raise Conflict("remote_off", service=service)
    limit = share_limit(rule, daily_cap)
    if limit is not None and taken_today >= limit:
        raise Conflict("remote_share_full", service=service, limit=limit)
    if set(identities) & set(holders_open):
        raise Conflict("remote_one_per_person")


@dataclass(frozen=True)
class Standing:
    """A remote ticket's standing in the queue while it is not checked in."""

    passed: int = 0  # how many calls have passed its turn
    lost: bool = False


def passes(remote: Ticket, called: Ticket) -> bool:
    """Does calling `called` pass the turn of the unchecked remote ticket `remote`?"""
    return (
        remote.status is TicketStatus.REMOTE
        and remote.service_code == called.service_code
        and not remote.priority
        and not called.priority
        and called.target_counter is None
        and (remote.queued_at, remote.id or 0) < (called.queued_at, called.id or 0)
    )


def after_call(
    called: Ticket, remote: Ticket, standing: Standing, lose_place_after: int
) -> tuple[Standing, bool]:
    """The remote ticket's standing after `called` was called; and whether it has just
    lost its place."""
    if standing.lost or not passes(remote, called):
        return standing, False
    passed = standing.passed + 1
    lost = passed >= lose_place_after
    return Standing(passed, lost), lost


def check_in(
    ticket: Ticket, standing: Standing, now: datetime, by: str
) -> tuple[Ticket, list[Event]]:
    """The citizen is at the centre: the ticket becomes `waiting`, at its own place, or at
    the end of the queue if it lost it."""
    if by not in CHECK_IN_WAYS:
        raise InvalidInput("bad_request", detail=f"check-in by {by}")
    if ticket.status is not TicketStatus.REMOTE:
        raise Conflict("remote_already_checked_in", number=ticket.number)
    queued_at = now if standing.lost else ticket.queued_at
    waiting = replace(ticket, status=TicketStatus.WAITING, queued_at=queued_at)
    return waiting, [
        Event("checked_in", now, ticket.id, None, {"by": by, "kept_place": not standing.lost})
    ]
