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
import math
import time
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, request
from flask_login import UserMixin, current_user, login_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, select
from werkzeug.security import check_password_hash

from kiosk.core.errors import DomainError, InvalidInput, Localised
from kiosk.extensions import login_manager
from kiosk.runtime import current_centre, current_hub
from kiosk.store import direct
from kiosk.store.tables import UserRow
from kiosk.textrules import clean, username_key

TOKEN_MAX_AGE_S = 12 * 3600  # one working day
# A province admin has an admin's rights at every centre; a province supervisor reads
# what a supervisor reads at every centre (live views, reports) and changes nothing.
ROLE_RANK = {"clerk": 1, "supervisor": 2, "admin": 3, "province_supervisor": 2, "province_admin": 3}
PROVINCE_ROLES = ("province_admin", "province_supervisor")
READ_ONLY_ROLES = ("province_supervisor",)
READS = ("GET", "HEAD", "OPTIONS")


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
    centre_id: int | None  # None: a province role
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

    @property
    def read_only(self) -> bool:
        """May read, never change (a province supervisor)."""
        return self.role in READ_ONLY_ROLES

    def may_work_counter(self, number: int) -> bool:
        """Supervisors and admins may act at any counter; a bound clerk only at theirs;
        a province supervisor at none."""
        if self.read_only:
            return False
        if self.at_least("supervisor"):
            return True
        return self.role == "clerk" and (self.counter_number in (None, number))


def credential_stamp(row: UserRow) -> str:
    """Changes whenever the user's credentials do: version, role or password."""
    material = f"{row.id}|{row.credential_version or 0}|{row.role}|{row.password_hash}"
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, material.encode(), hashlib.sha256).hexdigest()[:24]


_users = UserRow.__table__
_USER = select(_users).where(_users.c.id == bindparam("id"))


def _load(user_id: int, stamp: str) -> User | None:
    """The user of a session or token, if active and of the request's centre (or of the
    province: no centre): a login of one centre is nobody at another.

    Read from the database at every request, so a change made in any hub process (a
    password, role or activity change, a clerk bound to another counter, a new display
    name) holds from the next request: one statement, as a plain row on a connection of
    its own, on the driver's cursor (kiosk/store/direct.py; every counter action asks)."""
    centre = current_centre()
    with centre.ctx.store.engine.connect() as connection:  # one statement: no BEGIN needed
        row = direct.run(connection, _USER, {"id": user_id}).first()
    if row is None or not row.active or not _at(row, centre.centre_id):
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
    with current_hub().store.read() as session:
        row = session.get(UserRow, user_id)
        if row is not None and row.active:
            login_user(User.from_row(row))


def _at(row: UserRow, centre_id: int) -> bool:
    """True when the user signs in at this centre: its own, or a province user's."""
    if row.centre_id is None:
        return row.role in PROVINCE_ROLES
    return row.centre_id == centre_id


def check_credentials(username: str, password: str) -> User | None:
    """The active user with this name (compared by kiosk.textrules.username_key: case and
    Unicode form do not matter) and password, else None.  Counts nothing: see `log_in`."""
    centre = current_centre()
    key = username_key(username)
    with centre.ctx.store.read() as session:
        query = select(UserRow).where(
            (UserRow.centre_id == centre.centre_id) | UserRow.centre_id.is_(None)
        )
        rows = session.execute(query.order_by(UserRow.centre_id.is_(None))).scalars()
        same = [
            row for row in rows if username_key(row.username) == key and _at(row, centre.centre_id)
        ]
        # Names made before names were folded may differ only in case: the exact one wins;
        # then the centre's own user before a province user of the same name.
        row = next((r for r in same if r.username == username), same[0] if same else None)
        if row is None or not row.active or not check_password_hash(row.password_hash, password):
            return None
        return User.from_row(row)


class TooManyAttempts(DomainError):
    """Too many wrong passwords for one account: wait `retry_after` seconds."""

    status = 429

    def __init__(self, seconds: int) -> None:
        super().__init__("account_locked", wait=wait_words(seconds))
        self.retry_after = seconds


def wait_words(seconds: int) -> Localised:
    """A wait in words: 40 giây / 40 seconds, 15 phút / 15 minutes."""
    if seconds < 60:
        return Localised(f"{seconds} giây", f"{seconds} second{'s' * (seconds != 1)}")
    minutes = math.ceil(seconds / 60)
    return Localised(f"{minutes} phút", f"{minutes} minute{'s' * (minutes != 1)}")


def log_in(username: str, password: str) -> User:
    """What both login doors do (POST /api/v1/auth/token and the /login page).

    The name is read by the same rules as when it was made (kiosk/textrules.py): a
    control character (`admin\t`) is refused as invalid input, never trimmed away.
    Wrong passwords are counted per account in the database (kiosk/ratelimit.py), so
    guesses spread over addresses or hub processes meet the same growing wait."""
    from kiosk import ratelimit

    name = clean(username, "username")
    if not name:
        raise InvalidInput("bad_credentials")
    centre = current_centre()
    store, centre_id = centre.ctx.store, centre.centre_id
    key = username_key(name)[:64]
    wait = ratelimit.account_wait_s(store, centre_id, key, centre.ctx.now())
    if wait:
        raise TooManyAttempts(wait)
    user = check_credentials(name, password)
    if user is None:
        ratelimit.account_failed(store, centre_id, key, centre.ctx.now())
        raise Unauthorized("bad_credentials")
    ratelimit.account_succeeded(store, centre_id, key)
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="motcua-api-token")


# Bearer tokens whose signature this process checked: (secret key, token) → (its data,
# when it was signed).  A clerk's console sends the same token with every request, and
# checking the signature again gives the same answer; its age is checked every time.
# Only the signature is kept: the user is still read at every request (_load).
_verified: dict[tuple[str, str], tuple[dict, int]] = {}
_VERIFIED_KEPT = 4096


def _token_data(token: str) -> dict:
    """The token's data if its signature is good and it is younger than TOKEN_MAX_AGE_S;
    BadSignature (or SignatureExpired) otherwise, as itsdangerous's loads."""
    key = (str(current_app.config["SECRET_KEY"]), token)
    kept = _verified.get(key)
    if kept is None:
        data, signed = _serializer().loads(token, max_age=TOKEN_MAX_AGE_S, return_timestamp=True)
        if len(_verified) >= _VERIFIED_KEPT:
            _verified.clear()
        kept = _verified[key] = (data, int(signed.timestamp()))
    age = int(time.time()) - kept[1]
    if age > TOKEN_MAX_AGE_S or age < 0:  # itsdangerous's rule (TimestampSigner.unsign)
        raise SignatureExpired("token expired")
    return kept[0]


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
            data = _token_data(token)
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
            if not actor.at_least(role) or (actor.read_only and request.method not in READS):
                raise Forbidden("forbidden")
            return view(*args, **kwargs)

        wrapped.required_role = role
        return wrapped

    return decorator


def require_province(view):
    """Decorator: the request must come from a province role (the province overview).
    A centre's own users, whatever their role, are refused (403): they never see
    another centre; anonymous callers get 401."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        actor = current_actor()
        if actor is None:
            raise Unauthorized("login_required")
        if actor.role not in PROVINCE_ROLES:
            raise Forbidden("forbidden")
        return view(*args, **kwargs)

    wrapped.required_role = "province"
    return wrapped


def require_counter(number: int) -> User:
    actor = current_actor()
    if actor is None:
        raise Unauthorized("login_required")
    if not actor.may_work_counter(number):
        raise Forbidden("forbidden")
    return actor
