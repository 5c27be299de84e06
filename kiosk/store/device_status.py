"""Device status shared between processes through the database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kiosk.store.db import Store
from kiosk.store.tables import DeviceStatusRow


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


def load_all(store: Store, centre_id: int) -> dict[str, dict]:
    with store.read() as session:
        rows = session.execute(
            select(DeviceStatusRow).where(DeviceStatusRow.centre_id == centre_id)
        ).scalars()
        return {row.key: dict(row.data or {}) for row in rows}
