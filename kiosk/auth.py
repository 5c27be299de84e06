"""Who is asking: Flask-Login sessions for browser pages, signed bearer
tokens for API clients, and the role rules both share."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, request
from flask_login import UserMixin, current_user
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

    @classmethod
    def from_row(cls, row: UserRow) -> User:
        return cls(
            row.id, row.username, row.display_name, row.role, row.counter_number, row.centre_id
        )

    def at_least(self, role: str) -> bool:
        return ROLE_RANK.get(self.role, 0) >= ROLE_RANK[role]

    def may_work_counter(self, number: int) -> bool:
        """Supervisors and admins may act at any counter; a bound clerk only at theirs."""
        if self.at_least("supervisor"):
            return True
        return self.role == "clerk" and (self.counter_number in (None, number))


def _load(user_id: int) -> User | None:
    store = current_app.extensions["motcua"].store
    with store.read() as session:
        row = session.get(UserRow, user_id)
        if (
            row is None
            or not row.active
            or row.centre_id != current_app.extensions["motcua"].centre_id
        ):
            return None
        return User.from_row(row)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        return _load(int(user_id))
    except ValueError:
        return None


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
    return _serializer().dumps({"uid": user.id, "c": user.centre_id})


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
            actor = _load(int(data["uid"]))
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
