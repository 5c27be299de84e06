"""Who is asking: Flask-Login sessions for browser pages, signed bearer
tokens for API clients, and the role rules both share.

Both carry a credential stamp: a keyed hash of the user's credential version,
role and password hash.  Changing any of them (a password reset, `motcua user
add` on an existing name, a role change, a deactivation: see
kiosk/usecases/admin_users.py) changes the stamp, so every earlier session and
token of that user stops working at its next request.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, request
from flask_login import UserMixin, current_user, login_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash

from kiosk.core.errors import DomainError
from kiosk.extensions import login_manager
from kiosk.store.tables import UserRow

TOKEN_MAX_AGE_S = 12 * 3600  # one working day
ROLE_RANK = {"clerk": 1, "supervisor": 2, "admin": 3}


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


@dataclass
class User(UserMixin):
    id: int
    username: str
    display_name: str
    role: str
    counter_number: int | None
    centre_id: int
    stamp: str = ""  # credential_stamp(row) when loaded: ends old sessions and tokens

    @classmethod
    def from_row(cls, row: UserRow) -> User:
        return cls(
            row.id,
            row.username,
            row.display_name,
            row.role,
            row.counter_number,
            row.centre_id,
            credential_stamp(row),
        )

    def get_id(self) -> str:
        """What Flask-Login keeps in the session cookie: the id and the credential stamp."""
        return f"{self.id}:{self.stamp}"

    def at_least(self, role: str) -> bool:
        return ROLE_RANK.get(self.role, 0) >= ROLE_RANK[role]

    def may_work_counter(self, number: int) -> bool:
        """Supervisors and admins may act at any counter; a bound clerk only at theirs."""
        if self.at_least("supervisor"):
            return True
        return self.role == "clerk" and (self.counter_number in (None, number))


def credential_stamp(row: UserRow) -> str:
    """Changes whenever the user's credentials do: version, role or password."""
    material = f"{row.id}|{row.credential_version or 0}|{row.role}|{row.password_hash}"
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, material.encode(), hashlib.sha256).hexdigest()[:24]


def _load(user_id: int, stamp: str) -> User | None:
    store = current_app.extensions["motcua"].store
    with store.read() as session:
        row = session.get(UserRow, user_id)
        if (
            row is None
            or not row.active
            or row.centre_id != current_app.extensions["motcua"].centre_id
        ):
            return None
        user = User.from_row(row)
        # A session or token from before a password, role or activity change: refused.
        return user if hmac.compare_digest(user.stamp.encode(), stamp.encode()) else None


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, stamp = session_id.partition(":")
    try:
        return _load(int(user_id), stamp)
    except ValueError:
        return None


def renew_login(user_id: int) -> None:
    """After an admin changed their own password or role: keep their own browser
    session (with the new stamp) while every other login of theirs ends."""
    if not (current_user and current_user.is_authenticated and current_user.id == user_id):
        return
    store = current_app.extensions["motcua"].store
    with store.read() as session:
        row = session.get(UserRow, user_id)
        if row is not None and row.active:
            login_user(User.from_row(row))


def check_credentials(username: str, password: str) -> User | None:
    hub = current_app.extensions["motcua"]
    with hub.store.read() as session:
        row = session.execute(
            select(UserRow).where(UserRow.centre_id == hub.centre_id, UserRow.username == username)
        ).scalar_one_or_none()
        if row is None or not row.active or not check_password_hash(row.password_hash, password):
            return None
        return User.from_row(row)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="motcua-api-token")


def issue_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "c": user.centre_id, "s": user.stamp})


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def current_actor() -> User | None:
    """The user behind this request: a valid bearer token, else the browser session."""
    if "actor" in g:
        return g.actor
    actor = None
    token = bearer_token()
    if token:
        try:
            data = _serializer().loads(token, max_age=TOKEN_MAX_AGE_S)
            actor = _load(int(data["uid"]), str(data["s"]))
        except (BadSignature, SignatureExpired, KeyError, ValueError, TypeError):
            actor = None
        if actor is None:
            raise Unauthorized("login_required")
    elif current_user and current_user.is_authenticated:
        actor = current_user._get_current_object()
    g.actor = actor
    return actor


def require_role(role: str):
    """Decorator: the request must come from a user with at least `role`."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            actor = current_actor()
            if actor is None:
                raise Unauthorized("login_required")
            if not actor.at_least(role):
                raise Forbidden("forbidden")
            return view(*args, **kwargs)

        wrapped.required_role = role
        return wrapped

    return decorator


def require_counter(number: int) -> User:
    actor = current_actor()
    if actor is None:
        raise Unauthorized("login_required")
    if not actor.may_work_counter(number):
        raise Forbidden("forbidden")
    return actor
