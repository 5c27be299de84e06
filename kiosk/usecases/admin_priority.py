"""Admin changes to priority groups and the centre's priority policy
(strict, or one priority ticket after every N normal ones).  Audited and
pushed to screens like every admin change (see admin_setup)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.core.errors import InvalidInput, NotFound
from kiosk.core.model import PolicyMode
from kiosk.store.tables import CentreRow, PriorityGroupRow
from kiosk.usecases import audit
from kiosk.usecases.admin_setup import add_coded, amend, find
from kiosk.usecases.broadcast import publish_setup
from kiosk.usecases.context import QueueContext

GROUP_CODE = re.compile(r"^[a-z0-9_-]{1,32}$")


@dataclass(frozen=True)
class GroupValues:
    name: str
    name_en: str = ""
    description: str = ""
    description_en: str = ""
    position: int = 0
    # A citizen ID card holder of this age or older is proposed the group at the kiosk
    # (kiosk/usecases/scans.py); None: never proposed.
    min_age: int | None = None

    def columns(self) -> dict:
        if not self.name.strip():
            raise InvalidInput("name_required")
        return {
            "min_age": self.min_age,
            "name": self.name.strip()[:120],
            "name_en": self.name_en.strip()[:120],
            "description": self.description.strip()[:300],
            "description_en": self.description_en.strip()[:300],
            "position": self.position,
        }


def save_policy(
    ctx: QueueContext, user_id: int | None, mode: str, normal_per_priority: int
) -> None:
    if mode not in {m.value for m in PolicyMode}:
        raise InvalidInput("invalid_policy", mode=mode)
    if not 1 <= normal_per_priority <= 50:
        raise InvalidInput("invalid_interleave", low=1, high=50)
    values = {"policy_mode": mode, "normal_per_priority": normal_per_priority}
    with ctx.store.write() as session:
        centre = session.get(CentreRow, ctx.centre_id)
        changed = amend(ctx, session, user_id, centre, values, "policy.update", "")
    if changed:
        publish_setup(ctx)


def _group(session, centre_id: int, code: str) -> PriorityGroupRow:
    row = find(session, PriorityGroupRow, centre_id, code=code)
    if row is None:
        raise NotFound("unknown_priority", priority=code)
    return row


def add_group(ctx: QueueContext, user_id: int | None, code: str, values: GroupValues) -> None:
    code = code.strip().lower()
    if not GROUP_CODE.match(code):
        raise InvalidInput("invalid_group_code", code=code)
    add_coded(ctx, user_id, PriorityGroupRow, code, values.columns(), "priority.add")


def update_group(ctx: QueueContext, user_id: int | None, code: str, values: GroupValues) -> None:
    columns = values.columns()
    with ctx.store.write() as session:
        row = _group(session, ctx.centre_id, code)
        changed = amend(ctx, session, user_id, row, columns, "priority.update", code)
    if changed:
        publish_setup(ctx)


def remove_group(ctx: QueueContext, user_id: int | None, code: str) -> None:
    """Kiosks stop offering it; tickets already issued with it keep their priority."""
    with ctx.store.write() as session:
        session.delete(_group(session, ctx.centre_id, code))
        audit.record(session, ctx.centre_id, ctx.now(), user_id, "priority.remove", code, {})
    publish_setup(ctx)
