"""The audit log: who did what, when.

Recorded by the use cases themselves, inside the transaction of the change
they describe, so a change and its audit row commit or roll back together:
- every admin use case (kiosk.usecases.admin_*, closing) records its action;
- the counter use cases (kiosk.usecases.counters) record every clerk action
  that changed something (next, call, recall, start, finish, no-show,
  transfer, pause, resume), whichever shell asked: console, API or scanner.
Reading is paged, newest first (/admin/audit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.store.tables import AuditRow, UserRow
from kiosk.usecases.context import QueueContext

PAGE_SIZE = 50


def record(
    session: Session,
    centre_id: int,
    at: datetime,
    user_id: int | None,
    action: str,
    target: object = "",
    details: dict | None = None,
) -> None:
    """Add one audit row to the open write transaction."""
    session.add(
        AuditRow(
            centre_id=centre_id,
            at=at,
            user_id=user_id,
            action=action[:48],
            target=str(target if target is not None else "")[:120],
            details=dict(details or {}),
        )
    )


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    username: str | None
    display_name: str | None
    action: str
    target: str
    details: dict


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    page: int
    pages: int
    total: int


def read_page(ctx: QueueContext, page: int = 1, size: int = PAGE_SIZE) -> AuditPage:
    with ctx.store.read() as session:
        total = session.execute(
            select(func.count(AuditRow.id)).where(AuditRow.centre_id == ctx.centre_id)
        ).scalar_one()
        pages = max(1, -(-total // size))
        page = min(max(1, page), pages)
        rows = session.execute(
            select(AuditRow, UserRow.username, UserRow.display_name)
            .outerjoin(UserRow, UserRow.id == AuditRow.user_id)
            .where(AuditRow.centre_id == ctx.centre_id)
            .order_by(AuditRow.at.desc(), AuditRow.id.desc())
            .offset((page - 1) * size)
            .limit(size)
        ).all()
        entries = [
            AuditEntry(
                row.at.astimezone(ctx.tz), username, name, row.action, row.target, row.details or {}
            )
            for row, username, name in rows
        ]
    return AuditPage(entries, page, pages, total)
