"""Device status shared between processes through the database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kiosk.store.db import Store
from kiosk.store.tables import DeviceStatusRow, PrintJobRow


def save(store: Store, centre_id: int, key: str, data: dict) -> None:
    """Insert or update in one statement: two threads (a printer's first status and its
    first job) may save the same new key at once, and read-then-insert would then fail."""
    insert = postgres_insert if store.engine.dialect.name == "postgresql" else sqlite_insert
    now = datetime.now(UTC)
    statement = insert(DeviceStatusRow).values(
        centre_id=centre_id, key=key, data=dict(data), updated_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=["centre_id", "key"], set_={"data": dict(data), "updated_at": now}
    )
    with store.write() as session:
        session.execute(statement)


def remove(store: Store, centre_id: int, key: str) -> None:
    with store.write() as session:
        session.execute(
            delete(DeviceStatusRow).where(
                DeviceStatusRow.centre_id == centre_id, DeviceStatusRow.key == key
            )
        )


# Built once: a subscribe reads these beside its snapshot (kiosk/realtime.py).
_STATUS = select(DeviceStatusRow.key, DeviceStatusRow.data).where(
    DeviceStatusRow.centre_id == bindparam("centre_id")
)
_PENDING = (
    select(PrintJobRow.printer, func.count())
    .where(PrintJobRow.centre_id == bindparam("centre_id"), PrintJobRow.state == "pending")
    .group_by(PrintJobRow.printer)
)


def load_all(store: Store, centre_id: int) -> dict[str, dict]:
    with store.read() as session:
        return statuses_in(session, centre_id)


def statuses_in(session: Session, centre_id: int) -> dict[str, dict]:
    """Every stored status of the centre, read in the caller's transaction."""
    rows = session.connection().execute(_STATUS, {"centre_id": centre_id})
    return {key: dict(data or {}) for key, data in rows}


def pending_in(session: Session, centre_id: int) -> dict[str, int]:
    """Print jobs still waiting, by printer name, read in the caller's transaction."""
    rows = session.connection().execute(_PENDING, {"centre_id": centre_id})
    return {printer: count for printer, count in rows}
