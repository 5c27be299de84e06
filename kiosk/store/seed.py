"""Seeding an empty database from a centre file (TOML, see CONTRACT.md), and the
user-name rules every way of adding a user shares (centre file, `motcua user add`,
the admin pages: kiosk/usecases/admin_users.py).

The file seeds; afterwards the admin pages own the data, so a database that
already has the centre is left alone.  Its text follows the hub's text rules
(kiosk/textrules.py, docs/admin.md): a control character anywhere is refused with
the key that holds it, so the hub does not start; every other text is NFC and
trimmed (passwords are kept as typed).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from kiosk.core import hours
from kiosk.core.errors import Conflict, DomainError
from kiosk.core.model import DEFAULT_PRIORITY_GROUPS, PolicyMode
from kiosk.core.numbering import validate_prefix
from kiosk.store.tables import (
    CentreHostRow,
    CentreRow,
    CounterRow,
    CounterServiceRow,
    PriorityGroupRow,
    ServiceRow,
    UserRow,
)
from kiosk.textrules import clean, refused_character, username_key, username_skeleton

ROLES = ("admin", "supervisor", "clerk")
# Roles of no centre (users.centre_id empty): they sign in at every centre of the
# installation, an admin's rights or a supervisor's reading (kiosk/auth.py).
PROVINCE_ROLES = ("province_admin", "province_supervisor")
# Letters (any script, after NFC), digits, dots, - and _; confusable names are refused
# separately (check_name_free).
USERNAME = re.compile(r"[\w.-]{2,64}")
MIN_PASSWORD = 8
# A centre's code is part of its addresses (/c/{code}/kiosk): URL-safe, stable.
CENTRE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# A centre's host name (`hosts = [...]`): a DNS name, lower case, no port.
HOST_NAME = re.compile(
    r"(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
)


class CentreFileError(ValueError):
    """The centre file is wrong; the message says where."""


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:64] or "centre"


def in_instance(url: str, instance: Path) -> str:
    """`instance/…` in a device URL (the demo's simulated printer and scanner pty) means
    the instance folder (MOTCUA_INSTANCE), wherever the command was started from."""
    for scheme in ("", "sim://", "file://"):
        if url.startswith(f"{scheme}instance/"):
            return scheme + str(instance / url[len(scheme) + len("instance/") :])
    return url


def read_centre_file(path: str | Path, instance: Path | None = None) -> dict:
    """The centre file, checked; with `instance`, device URLs under instance/ point there."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError as error:
        raise CentreFileError(f"centre file not found: {path}") from error
    except tomllib.TOMLDecodeError as error:
        raise CentreFileError(f"{path}: {error}") from error
    data = clean_texts(data, str(path))
    validate(data, str(path))
    if instance is not None:
        for table in (*data.get("printers", []), *data.get("scanners", [])):
            if isinstance(table, dict) and isinstance(table.get("url"), str):
                table["url"] = in_instance(table["url"], Path(instance))
    return data


def clean_texts(value, where: str = "centre file", path: str = ""):
    """`value` with every text NFC and trimmed (passwords as typed); CentreFileError
    naming the key (`services[2].name`) if a key or text holds a control character."""
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            _refuse_control(str(key), where, inner)
            if key == "password" and isinstance(item, str):
                _refuse_control(item, where, inner)
                cleaned[key] = item
            else:
                cleaned[key] = clean_texts(item, where, inner)
        return cleaned
    if isinstance(value, list):
        return [clean_texts(item, where, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, str):
        _refuse_control(value, where, path)
        return clean(value, path)
    return value


def _refuse_control(text: str, where: str, path: str) -> None:
    char = refused_character(text)
    if char is not None:
        raise CentreFileError(
            f"{where}: {path} holds the control character U+{ord(char):04X} "
            "(a tab, line break or invisible character); remove it"
        )


def _check_hours(table: dict | None, what: str, hint: str = "") -> None:
    """Opening hours of the centre or a field as the file writes them; `what` and `hint`
    frame the refusal around the range that is wrong."""
    try:
        hours.parse_hours(table or {})
    except DomainError as error:
        raise CentreFileError(f"{what} {error.params.get('hours')!r} is not valid{hint}") from error


def centre_code(info: dict) -> str:
    """The code a centre file's [centre] table gives its centre (its name's slug if none)."""
    return info.get("code") or slug(info["name"])


def centre_hosts(info: dict) -> list[str]:
    """The [centre] table's host names, as stored and compared: lower case, no final dot."""
    return [str(host).strip().lower().rstrip(".") for host in info.get("hosts") or []]


def validate(data: dict, where: str = "centre file") -> None:
    centre = data.get("centre") or {}
    if not centre.get("name"):
        raise CentreFileError(f"{where}: [centre] needs a name")
    code = centre.get("code")
    if code is not None and not (isinstance(code, str) and CENTRE_CODE.fullmatch(code)):
        raise CentreFileError(
            f"{where}: [centre] code {code!r} must be 1 to 64 letters, digits, dots, - or _ "
            "(it is part of the centre's addresses: /c/CODE/kiosk)"
        )
    hosts = centre.get("hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise CentreFileError(
            f'{where}: [centre] hosts must be a list of names, e.g. ["xa.example.gov.vn"]'
        )
    for host in centre_hosts(centre):
        if not HOST_NAME.fullmatch(host):
            raise CentreFileError(
                f"{where}: [centre] hosts: {host!r} is not a host name (write the name only: "
                "no scheme, port or path)"
            )
    try:
        ZoneInfo(centre.get("timezone", "Asia/Ho_Chi_Minh"))
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise CentreFileError(f"{where}: unknown timezone {centre.get('timezone')!r}") from error
    _check_hours(
        centre.get("opening_hours"),
        f"{where}: opening_hours",
        ' (write e.g. mon-fri = ["07:30-11:30", "13:30-17:00"])',
    )
    try:
        re.compile(centre.get("receipt_pattern", ""))
    except (re.error, TypeError) as error:
        raise CentreFileError(f"{where}: receipt_pattern is not a valid pattern: {error}") from None
    mode = centre.get("priority_policy", "strict")
    if mode not in {m.value for m in PolicyMode}:
        raise CentreFileError(f"{where}: priority_policy must be strict or interleave")
    codes, prefixes = set(), set()
    for service in data.get("services", []):
        for key in ("code", "name", "prefix"):
            if not service.get(key):
                raise CentreFileError(f"{where}: every [[services]] needs {key}")
        try:
            prefix = validate_prefix(service["prefix"])
        except Exception as error:
            raise CentreFileError(f"{where}: bad prefix {service['prefix']!r}") from error
        _check_hours(
            service.get("opening_hours"), f"{where}: service {service['code']}: opening_hours"
        )
        if service["code"] in codes or prefix in prefixes:
            raise CentreFileError(f"{where}: duplicate service code or prefix {service['code']}")
        codes.add(service["code"])
        prefixes.add(prefix)
    numbers = set()
    for counter in data.get("counters", []):
        number = counter.get("number")
        if not isinstance(number, int) or number < 1 or number in numbers:
            raise CentreFileError(f"{where}: counter numbers must be unique positive integers")
        numbers.add(number)
        for code in counter.get("services", []):
            if code not in codes:
                raise CentreFileError(f"{where}: counter {number} serves unknown service {code}")
    names: list[str] = []
    for user in data.get("users", []):
        if user.get("role") not in ROLES:
            raise CentreFileError(f"{where}: user {user.get('username')} has no valid role")
        if not user.get("username") or not user.get("password"):
            raise CentreFileError(f"{where}: every [[users]] needs username and password")
        if user.get("counter") is not None and user["counter"] not in numbers:
            raise CentreFileError(f"{where}: user {user['username']} bound to unknown counter")
        try:
            name = checked_username(user["username"])
            _check_password(user["password"])
        except CentreFileError as error:
            raise CentreFileError(f"{where}: [[users]] {error}") from None
        other = same_or_confusable(name, names)
        if other is not None:
            raise CentreFileError(
                f"{where}: [[users]] {name!r} is the same user as, or looks like, {other!r}; "
                "give each user a name of their own"
            )
        names.append(name)


def seed(session: Session, data: dict) -> CentreRow:
    """Create the centre described by `data` unless one with its code exists; returns it."""
    info = data["centre"]
    code = centre_code(info)
    existing = session.execute(select(CentreRow).where(CentreRow.code == code)).scalar_one_or_none()
    if existing is not None:
        return existing
    settings = {
        key: info[key]
        for key in (
            "ticker",
            "footer",
            "opening_hours",
            "holidays",
            "default_service_s",
            "languages",
            "require_device_tokens",
            "receipt_pattern",  # scans: what a dossier receipt code looks like
            "pickup_service",  # scans: the field a receipt takes a number for
            "appointments",  # booking limits and the check-in window (core.appointments)
            "voice_packs",  # language → voice pack, e.g. { vi = "vi-hue" } (docs/voice.md)
            "number_reading",  # counter 105: "linh" (standard, Northern) or "le" (Southern)
            "rating_window_min",  # ratings accepted this long after service
            "remote",  # numbers by phone: fields, lose_place_after, near_ahead… (docs/remote.md)
        )
        if key in info
    }
    if "announce" in info:  # the languages of each call, in order (display/recorded.py)
        settings["languages"] = list(info["announce"])
    centre = CentreRow(
        code=code,
        name=info["name"],
        timezone=info.get("timezone", "Asia/Ho_Chi_Minh"),
        policy_mode=info.get("priority_policy", "strict"),
        normal_per_priority=int(info.get("normal_per_priority", 3)),
        transfer_keeps_place=bool(info.get("transfer_keeps_place", True)),
        normal_since_priority=0,
        settings=settings,
    )
    session.add(centre)
    session.flush()
    for host in dict.fromkeys(centre_hosts(info)):
        taken = session.get(CentreHostRow, host)
        if taken is not None:
            other = session.get(CentreRow, taken.centre_id).code
            raise Conflict("host_taken", host=host, centre=other)
        session.add(CentreHostRow(host=host, centre_id=centre.id))
    groups = data.get("priority_groups")
    if groups is None:
        groups = [g.__dict__ for g in DEFAULT_PRIORITY_GROUPS]
    for position, group in enumerate(groups):
        session.add(
            PriorityGroupRow(
                centre_id=centre.id,
                code=group["code"],
                name=group["name"],
                name_en=group.get("name_en", ""),
                description=group.get("description", ""),
                description_en=group.get("description_en", ""),
                min_age=group.get("min_age"),
                position=position,
            )
        )
    service_ids = {}
    for position, service in enumerate(data.get("services", [])):
        row = ServiceRow(
            centre_id=centre.id,
            code=service["code"],
            name=service["name"],
            name_en=service.get("name_en", ""),
            prefix=validate_prefix(service["prefix"]),
            daily_cap=service.get("daily_cap"),
            target_wait_s=service.get("target_wait_min", 0) * 60 or None,
            opening_hours=service.get("opening_hours") or None,
            active=True,
            position=position,
        )
        session.add(row)
        session.flush()
        service_ids[row.code] = row.id
    for counter in data.get("counters", []):
        row = CounterRow(
            centre_id=centre.id,
            number=counter["number"],
            name=counter.get("name") or f"Quầy {counter['number']}",
            name_en=counter.get("name_en") or f"Counter {counter['number']}",
            state="open",
        )
        session.add(row)
        session.flush()
        for position, code in enumerate(counter.get("services", [])):
            session.add(
                CounterServiceRow(
                    counter_id=row.id, service_id=service_ids[code], position=position
                )
            )
    for user in data.get("users", []):
        add_user(
            session,
            centre.id,
            user["username"],
            user["password"],
            user["role"],
            counter=user.get("counter"),
            display_name=user.get("name", ""),
        )
    session.flush()
    return centre


def checked_username(name: str) -> str:
    """A new user's name by the hub's rules: no control character, NFC, trimmed, letters
    (any script), digits, `.`, `-`, `_`, 2 to 64 of them; CentreFileError says why not."""
    if not isinstance(name, str) or refused_character(name) is not None:
        raise CentreFileError(
            f"user name {name!r} holds a control character (a tab or an invisible character)"
        )
    name = clean(name, "username")
    if not USERNAME.fullmatch(name):
        raise CentreFileError(
            f"user name {name!r} must be 2 to 64 letters, digits, '.', '-' or '_'"
        )
    return name


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise CentreFileError(f"password must have at least {MIN_PASSWORD} characters")
    if refused_character(password) is not None:
        raise CentreFileError("password holds a control character (a tab or an invisible one)")


def same_or_confusable(name: str, existing) -> str | None:
    """The first of `existing` that is the same user as `name` (equal keys: `Admin` is
    `admin`) or looks like it (equal skeletons: `admin.`, `аdmin`, `adm1n`); else None."""
    key, skeleton = username_key(name), username_skeleton(name)
    for other in existing:
        if username_key(other) == key or username_skeleton(other) == skeleton:
            return other
    return None


def _names(session: Session, centre_id: int | None) -> list[str]:
    """The names a new user of this centre must not take: its users' and the province
    users' (who sign in at every centre); for a province user (None), everyone's."""
    query = select(UserRow.username)
    if centre_id is not None:
        query = query.where((UserRow.centre_id == centre_id) | UserRow.centre_id.is_(None))
    return [name for (name,) in session.execute(query)]


def user_named(session: Session, centre_id: int | None, name: str) -> UserRow | None:
    """The user `name` means: case and Unicode form do not matter (equal keys); among
    names made before names were folded, the exact one wins."""
    key = username_key(name)
    rows = session.execute(select(UserRow).where(UserRow.centre_id == centre_id)).scalars()
    same = [row for row in rows if username_key(row.username) == key]
    return next((r for r in same if r.username == name), same[0] if same else None)


def check_name_free(session: Session, centre_id: int, name: str) -> None:
    """Conflict `duplicate_user` if a user has this name whatever the case (`Admin`),
    `confusable_user` if one's name looks like it (`admin.`, `аdmin`, `adm1n`)."""
    key = username_key(name)
    other = same_or_confusable(name, _names(session, centre_id))
    if other is not None and username_key(other) == key:
        raise Conflict("duplicate_user", username=name)
    if other is not None:
        raise Conflict("confusable_user", username=name, existing=other)


def add_user(
    session: Session,
    centre_id: int | None,
    username: str,
    password: str,
    role: str,
    *,
    counter: int | None = None,
    display_name: str = "",
) -> UserRow:
    """Add a user, or set the password, role and counter of the user this name means
    (`Admin` is `admin`): `motcua user add` and the centre file; with no centre, a
    province user (PROVINCE_ROLES).  The name follows the
    same rules as on the admin pages; one that looks like another user's is refused."""
    if role not in (ROLES if centre_id is not None else PROVINCE_ROLES):
        roles = ROLES if centre_id is not None else PROVINCE_ROLES
        raise CentreFileError(f"role must be one of {', '.join(roles)}")
    if centre_id is None and counter is not None:
        raise CentreFileError("a province user works at no counter")
    _check_password(password)
    name = checked_username(username)
    if refused_character(display_name) is not None:
        raise CentreFileError("display name holds a control character")
    display_name = clean(display_name, "display_name")[:120]
    row = user_named(session, centre_id, name)
    if row is None:
        lookalike = same_or_confusable(name, _names(session, centre_id))
        if lookalike is not None:
            raise CentreFileError(
                f"user name {name!r} looks like the existing user {lookalike!r}; "
                "choose a name nobody can mistake for it"
            )
        row = UserRow(centre_id=centre_id, username=name)
        session.add(row)
    row.password_hash = generate_password_hash(password)  # scrypt by default
    row.role = role
    row.counter_number = counter
    row.display_name = display_name or row.display_name or name
    row.active = True
    session.flush()
    return row
