"""Admin changes to staff accounts: add, edit role and bound counter,
deactivate / reactivate, reset a password.

Passwords are stored as werkzeug scrypt hashes, never in clear.  An account
is deactivated, not deleted, so the audit log and reports keep its name.
A password reset, a role change, a deactivation or a reactivation raises the
user's `credential_version`: their earlier sessions and API tokens stop
working at their next request (kiosk/auth.py), also after a reactivation.
The centre always keeps one active admin, and nobody deactivates themselves.
"""

from __future__ import annotations

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from kiosk import rooms
from kiosk.core.errors import Conflict, InvalidInput, NotFound
from kiosk.events import Outgoing
from kiosk.store import repository as repo
from kiosk.store.seed import MIN_PASSWORD, ROLES, USERNAME, check_name_free
from kiosk.store.tables import UserRow
from kiosk.textrules import clean
from kiosk.usecases import audit
from kiosk.usecases.admin_setup import apply, changes
from kiosk.usecases.context import QueueContext


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("password_too_short", min=MIN_PASSWORD)
    if len(password) > 256:
        raise InvalidInput("password_too_long", max=256)


def _check(session, centre_id: int, role: str, counter: int | None) -> None:
    if role not in ROLES:
        raise InvalidInput("invalid_role", role=role)
    if counter is not None:
        repo.counter_row(session, centre_id, counter)  # NotFound names the counter


def _user(session, centre_id: int, user_id: int) -> UserRow:
    row = session.get(UserRow, user_id)
    if row is None or row.centre_id != centre_id:
        raise NotFound("unknown_user", user=user_id)
    return row


def _end_sessions(row: UserRow) -> None:
    """Every earlier login (cookie session, bearer token) of this user stops working."""
    row.credential_version = (row.credential_version or 0) + 1


def _tell_open_pages(ctx: QueueContext, user_id: int) -> None:
    """After the commit: the user's open console or live view reloads, and so meets the
    login page instead of going on showing the queue to someone no longer allowed."""
    ctx.publish([Outgoing("session_ended", {}, (rooms.user(ctx.centre_id, user_id),))])


def _other_active_admins(session, centre_id: int, user_id: int) -> int:
    return session.execute(
        select(func.count(UserRow.id)).where(
            UserRow.centre_id == centre_id,
            UserRow.role == "admin",
            UserRow.active.is_(True),
            UserRow.id != user_id,
        )
    ).scalar_one()


def add_user(
    ctx: QueueContext,
    actor_id: int | None,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    counter: int | None = None,
) -> int:
    username = clean(username, "username")
    if not USERNAME.fullmatch(username):
        raise InvalidInput("invalid_username")
    display_name = clean(display_name, "display_name")
    _check_password(password)
    with ctx.store.write() as session:
        _check(session, ctx.centre_id, role, counter)
        check_name_free(session, ctx.centre_id, username)
        row = UserRow(
            centre_id=ctx.centre_id,
            username=username,
            display_name=display_name.strip()[:120] or username,
            password_hash=generate_password_hash(password),
            role=role,
            counter_number=counter,
            active=True,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            ctx.centre_id,
            ctx.now(),
            actor_id,
            "user.add",
            username,
            {"role": role, "counter": counter, "display_name": row.display_name},
        )
        return row.id


def update_user(
    ctx: QueueContext,
    actor_id: int | None,
    user_id: int,
    *,
    role: str,
    display_name: str,
    counter: int | None,
) -> None:
    with ctx.store.write() as session:
        row = _user(session, ctx.centre_id, user_id)
        _check(session, ctx.centre_id, role, counter)
        if row.role == "admin" and role != "admin" and row.active:
            if not _other_active_admins(session, ctx.centre_id, row.id):
                raise Conflict("last_admin")
        values = {
            "role": role,
            "display_name": clean(display_name, "display_name")[:120] or row.username,
            "counter_number": counter,
        }
        changed = changes(row, values)
        if "role" in changed:
            _end_sessions(row)
        apply(row, values)
        if changed:
            audit.record(
                session, ctx.centre_id, ctx.now(), actor_id, "user.update", row.username, changed
            )
    if "role" in changed:
        _tell_open_pages(ctx, user_id)


def set_active(ctx: QueueContext, actor_id: int | None, user_id: int, active: bool) -> None:
    with ctx.store.write() as session:
        row = _user(session, ctx.centre_id, user_id)
        if not active and row.id == actor_id:
            raise Conflict("cannot_deactivate_self")
        if not active and row.role == "admin" and row.active:
            if not _other_active_admins(session, ctx.centre_id, row.id):
                raise Conflict("last_admin")
        if row.active == active:
            return
        row.active = active
        _end_sessions(row)
        action = "user.activate" if active else "user.deactivate"
        audit.record(session, ctx.centre_id, ctx.now(), actor_id, action, row.username, {})
    _tell_open_pages(ctx, user_id)


def reset_password(ctx: QueueContext, actor_id: int | None, user_id: int, password: str) -> None:
    _check_password(password)
    with ctx.store.write() as session:
        row = _user(session, ctx.centre_id, user_id)
        row.password_hash = generate_password_hash(password)
        _end_sessions(row)
        # The audit row says that it happened, never the password.
        audit.record(session, ctx.centre_id, ctx.now(), actor_id, "user.password", row.username, {})
    _tell_open_pages(ctx, user_id)
