"""What the issuing transaction and the read models need of a remote number: its limits
checked in the issue's own write transaction, its row stored beside the ticket, and
its standing as the citizen's page shows it.  (The use cases themselves, taking one,
checking in and what a call does to the others, are kiosk/usecases/remote.py; this
module imports neither tickets nor read_models, which both use it.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.core import remote as rules_core
from kiosk.core.citizen_id import person_key
from kiosk.store import repository as repo
from kiosk.store.tables import RemoteTicketRow, TicketRow

OPEN = ("remote", "waiting", "called", "serving")


@dataclass(frozen=True)
class RemoteRequest:
    """Who asks for a remote number: a phone number, and a citizen ID number if given."""

    phone: str
    citizen_id: str = ""


@dataclass(frozen=True)
class Admitted:
    phone: str  # digits
    person_key: str  # "" when no ID number was given


def rules_of(settings: Any) -> rules_core.RemoteRules:
    """The centre's remote-number rules from its settings document."""
    return rules_core.RemoteRules.from_settings(dict((settings or {}).get("remote") or {}))


def _identities(phone: str, key: str) -> set[str]:
    return {"tel:" + phone} | ({"id:" + key} if key else set())


def admit(
    session: Session,
    centre_id: int,
    identity_key: bytes,
    service,  # setup_cache.ServiceSetup
    day: date,
    request: RemoteRequest,
    settings: Any,
) -> Admitted:
    """Check the limits in the caller's write transaction, before a number is taken.
    Takes the centre's lock first (as "next" and check-in do): two phones asking at once
    are counted one after the other, on PostgreSQL as on SQLite."""
    phone = rules_core.normal_phone(request.phone)
    key = person_key(identity_key, request.citizen_id) if request.citizen_id.strip() else ""
    repo.lock_centre(session, centre_id)
    taken = session.execute(
        select(func.count(RemoteTicketRow.id)).where(
            RemoteTicketRow.centre_id == centre_id,
            RemoteTicketRow.business_day == day,
            RemoteTicketRow.service_id == service.id,
        )
    ).scalar_one()
    still_open = (
        select(TicketRow.id)
        .where(
            TicketRow.centre_id == centre_id,
            TicketRow.token == RemoteTicketRow.token,
            TicketRow.status.in_(OPEN),
        )
        .exists()
    )
    holders: set[str] = set()
    for phone_, key_ in session.execute(
        select(RemoteTicketRow.phone, RemoteTicketRow.person_key).where(
            RemoteTicketRow.centre_id == centre_id,
            RemoteTicketRow.business_day == day,
            still_open,
        )
    ):
        holders |= _identities(phone_, key_)
    rule = rules_of(settings).field(service.code)
    rules_core.check_take(
        service.code, rule, service.daily_cap, taken, holders, _identities(phone, key)
    )
    return Admitted(phone, key)


def record(session: Session, ticket: TicketRow, admitted: Admitted) -> None:
    """Store the remote number's own row beside its (just inserted) ticket."""
    session.add(
        RemoteTicketRow(
            centre_id=ticket.centre_id,
            ticket_id=ticket.id,
            token=ticket.token,
            service_id=ticket.service_id,
            business_day=ticket.business_day,
            phone=admitted.phone,
            person_key=admitted.person_key,
            passed=0,
        )
    )
    session.flush()


def row_of(session: Session, centre_id: int, token: str) -> RemoteTicketRow | None:
    return session.execute(
        select(RemoteTicketRow).where(
            RemoteTicketRow.centre_id == centre_id, RemoteTicketRow.token == token
        )
    ).scalar_one_or_none()


def view(row: RemoteTicketRow, settings: Any, service_code: str) -> dict:
    """The `remote` object of a remote ticket's holder payload (its /t page)."""
    rules = rules_of(settings)
    rule = rules.field(service_code)
    return {
        "checked_in": row.checked_in_at is not None,
        "checked_in_at": _iso(row.checked_in_at),
        "lost_place": row.lost_at is not None,
        "passed": row.passed,
        "lose_place_after": rules.lose_place_after,
        "near_ahead": rules.near_ahead,
        "bring": rule.bring,
        "bring_en": rule.bring_en,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
