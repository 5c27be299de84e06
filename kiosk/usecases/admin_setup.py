"""Admin changes to fields (services) and counters.

Each function validates, changes the rows, records an audit row in the same
transaction, commits, then pushes fresh snapshots to every screen
(kiosk.usecases.broadcast): a renamed field is on the kiosks at once.
Bad input raises a DomainError before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from kiosk.core import hours
from kiosk.core.errors import Conflict, InvalidInput, NotFound
from kiosk.core.numbering import validate_prefix
from kiosk.store import repository as repo
from kiosk.store.tables import CounterRow, CounterServiceRow, ServiceRow, UserRow
from kiosk.usecases import audit
from kiosk.usecases.broadcast import publish_setup
from kiosk.usecases.context import QueueContext

CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


def changes(row: object, values: dict) -> dict:
    """{field: [old, new]} for the fields `values` changes on `row` (for the audit log)."""
    return {
        key: [getattr(row, key), value]
        for key, value in values.items()
        if getattr(row, key) != value
    }


def apply(row: object, values: dict) -> None:
    for key, value in values.items():
        setattr(row, key, value)


def amend(
    ctx: QueueContext, session: Session, user_id: int | None, row, values: dict, action: str, target
) -> dict:
    """Set `values` on `row` and audit what changed as `action` on `target` (no audit row
    when nothing did); returns the changes (publish only when there are any)."""
    changed = changes(row, values)
    apply(row, values)
    if changed:
        audit.record(session, ctx.centre_id, ctx.now(), user_id, action, target, changed)
    return changed


def add_coded(
    ctx: QueueContext,
    user_id: int | None,
    row_type,
    code: str,
    columns: dict,
    action: str,
    check=lambda session: None,
) -> None:
    """Add the centre's row of `row_type` named by a new `code` (a field, a priority group):
    a code already used is refused, then `check(session)` may refuse too; audited as
    `action`, then pushed to the screens."""
    with ctx.store.write() as session:
        if find(session, row_type, ctx.centre_id, code=code) is not None:
            raise Conflict("duplicate_code", code=code)
        check(session)
        session.add(row_type(centre_id=ctx.centre_id, code=code, **columns))
        audit.record(session, ctx.centre_id, ctx.now(), user_id, action, code, columns)
    publish_setup(ctx)


def find(session: Session, row_type, centre_id: int, **where):
    """The centre's row of `row_type` with these column values (a code, a number), or None."""
    return session.execute(
        select(row_type).filter_by(centre_id=centre_id, **where)
    ).scalar_one_or_none()


# -- fields ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceValues:
    name: str
    name_en: str
    prefix: str
    daily_cap: int | None = None
    target_wait_min: int | None = None
    hours_text: str = ""  # the field's own opening hours; empty = the centre's
    active: bool = True
    position: int = 0

    def columns(self) -> dict:
        if not self.name.strip():
            raise InvalidInput("name_required")
        table = hours.hours_from_text(self.hours_text)
        return {
            "name": self.name.strip()[:200],
            "name_en": self.name_en.strip()[:200],
            "prefix": validate_prefix(self.prefix.strip()),
            "daily_cap": self.daily_cap or None,
            "target_wait_s": self.target_wait_min * 60 if self.target_wait_min else None,
            "opening_hours": table or None,
            "active": self.active,
            "position": self.position,
        }


def _prefix_free(session: Session, centre_id: int, prefix: str, except_id: int | None) -> None:
    other = session.execute(
        select(ServiceRow.name).where(
            ServiceRow.centre_id == centre_id,
            ServiceRow.prefix == prefix,
            ServiceRow.id != (except_id or 0),
        )
    ).scalar_one_or_none()
    if other is not None:
        raise Conflict("duplicate_prefix", prefix=prefix, service=other)


def add_service(ctx: QueueContext, user_id: int | None, code: str, values: ServiceValues) -> str:
    code = code.strip().upper()
    if not CODE.match(code):
        raise InvalidInput("invalid_code", code=code)
    columns = values.columns()

    def prefix_free(session: Session) -> None:
        _prefix_free(session, ctx.centre_id, columns["prefix"], None)

    add_coded(ctx, user_id, ServiceRow, code, columns, "service.add", prefix_free)
    return code


def update_service(
    ctx: QueueContext, user_id: int | None, code: str, values: ServiceValues
) -> None:
    columns = values.columns()
    with ctx.store.write() as session:
        row = _service(session, ctx.centre_id, code)
        _prefix_free(session, ctx.centre_id, columns["prefix"], row.id)
        changed = amend(ctx, session, user_id, row, columns, "service.update", code)
    if changed:
        publish_setup(ctx)


def _service(session: Session, centre_id: int, code: str) -> ServiceRow:
    row = find(session, ServiceRow, centre_id, code=code)
    if row is None:
        raise NotFound("unknown_service", service=code)
    return row


# -- counters -------------------------------------------------------------------------------


def _set_services(session: Session, centre_id: int, counter: CounterRow, codes: list[str]) -> None:
    by_code = {s.code: s for s in repo.services_of(session, centre_id)}
    for code in codes:
        if code not in by_code:
            raise NotFound("unknown_service", service=code)
    session.execute(delete(CounterServiceRow).where(CounterServiceRow.counter_id == counter.id))
    for position, code in enumerate(dict.fromkeys(codes)):
        session.add(
            CounterServiceRow(counter_id=counter.id, service_id=by_code[code].id, position=position)
        )


def _served(session: Session, counter: CounterRow) -> list[str]:
    return list(
        session.execute(
            select(ServiceRow.code)
            .join(CounterServiceRow, CounterServiceRow.service_id == ServiceRow.id)
            .where(CounterServiceRow.counter_id == counter.id)
            .order_by(CounterServiceRow.position)
        ).scalars()
    )


def add_counter(
    ctx: QueueContext,
    user_id: int | None,
    number: int,
    name: str,
    services: list[str],
    *,
    name_en: str = "",
) -> None:
    if number < 1 or number > 9999:
        raise InvalidInput("invalid_counter_number", counter=number)
    with ctx.store.write() as session:
        if find(session, CounterRow, ctx.centre_id, number=number) is not None:
            raise Conflict("duplicate_counter", counter=number)
        row = CounterRow(
            centre_id=ctx.centre_id,
            number=number,
            name=name.strip()[:120] or f"Quầy {number}",
            name_en=name_en.strip()[:120] or f"Counter {number}",
            state="open",
        )
        session.add(row)
        session.flush()
        _set_services(session, ctx.centre_id, row, services)
        audit.record(
            session,
            ctx.centre_id,
            ctx.now(),
            user_id,
            "counter.add",
            number,
            {"name": row.name, "name_en": row.name_en, "services": services},
        )
    publish_setup(ctx)


def update_counter(
    ctx: QueueContext,
    user_id: int | None,
    number: int,
    name: str,
    services: list[str],
    *,
    name_en: str | None = None,
) -> None:
    """Rename a counter and set the fields it serves, in the order "next" prefers them."""
    with ctx.store.write() as session:
        row = repo.counter_row(session, ctx.centre_id, number, lock=True)
        names = {"name": name.strip()[:120] or row.name}
        if name_en is not None:
            names["name_en"] = name_en.strip()[:120] or f"Counter {number}"
        changed = changes(row, names)
        before = _served(session, row)
        _set_services(session, ctx.centre_id, row, services)
        if before != list(dict.fromkeys(services)):
            changed["services"] = [before, list(dict.fromkeys(services))]
        row.name = names["name"]
        row.name_en = names.get("name_en", row.name_en)
        if changed:
            audit.record(
                session, ctx.centre_id, ctx.now(), user_id, "counter.update", number, changed
            )
    if changed:
        publish_setup(ctx)


def remove_counter(ctx: QueueContext, user_id: int | None, number: int) -> None:
    """Only an idle counter goes; its clerks are unbound (tickets keep their counter number)."""
    with ctx.store.write() as session:
        row = repo.counter_row(session, ctx.centre_id, number, lock=True)
        if row.current_ticket_id is not None:
            raise Conflict("counter_busy", counter=number, number="")
        session.execute(delete(CounterServiceRow).where(CounterServiceRow.counter_id == row.id))
        session.execute(
            update(UserRow)
            .where(UserRow.centre_id == ctx.centre_id, UserRow.counter_number == number)
            .values(counter_number=None)
        )
        session.delete(row)
        audit.record(session, ctx.centre_id, ctx.now(), user_id, "counter.remove", number, {})
    publish_setup(ctx)
