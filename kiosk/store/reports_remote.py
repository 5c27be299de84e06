"""Remote numbers in the reports (issue 17), counted apart from the other figures: how
many were taken, checked in, lost their place (kiosk/core/remote.py), and served."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from kiosk.store.tables import RemoteTicketRow, TicketRow


def figures(session: Session, centre_id: int, first_day: date, last_day: date) -> dict:
    """{taken, checked_in, lost_place, served} over the business days first..last.  A
    visit counts as served when one of its tickets (a transfer adds one) was finished."""
    served = (
        select(TicketRow.id)
        .where(
            TicketRow.centre_id == centre_id,
            TicketRow.token == RemoteTicketRow.token,
            TicketRow.status == "done",
        )
        .exists()
    )

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    taken, checked_in, lost, done = session.execute(
        select(
            func.count(RemoteTicketRow.id),
            count(RemoteTicketRow.checked_in_at.is_not(None)),
            count(RemoteTicketRow.lost_at.is_not(None)),
            count(and_(served)),
        ).where(
            RemoteTicketRow.centre_id == centre_id,
            RemoteTicketRow.business_day >= first_day,
            RemoteTicketRow.business_day <= last_day,
        )
    ).one()
    return {
        "taken": int(taken),
        "checked_in": int(checked_in),
        "lost_place": int(lost),
        "served": int(done),
    }
