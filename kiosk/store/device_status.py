"""Device status shared between processes through the database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from kiosk.store.db import Store
from kiosk.store.tables import DeviceStatusRow


def save(store: Store, centre_id: int, key: str, data: dict) -> None:
    with store.write() as session:
        row = session.get(DeviceStatusRow, (centre_id, key))
        if row is None:
            row = DeviceStatusRow(centre_id=centre_id, key=key)
            session.add(row)
        row.data = dict(data)
        row.updated_at = datetime.now(UTC)


def load_all(store: Store, centre_id: int) -> dict[str, dict]:
    with store.read() as session:
        rows = session.execute(
            select(DeviceStatusRow).where(DeviceStatusRow.centre_id == centre_id)
        ).scalars()
        return {row.key: dict(row.data or {}) for row in rows}
