"""Seeding an empty database from a centre file (TOML, see CONTRACT.md).

The file seeds; afterwards the admin pages own the data, so a database that
already has the centre is left alone.
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
from kiosk.core.errors import DomainError
from kiosk.core.model import DEFAULT_PRIORITY_GROUPS, PolicyMode
from kiosk.core.numbering import validate_prefix
from kiosk.store.tables import (
    CentreRow,
    CounterRow,
    CounterServiceRow,
    PriorityGroupRow,
    ServiceRow,
    UserRow,
)

ROLES = ("admin", "supervisor", "clerk")


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
    validate(data, str(path))
    if instance is not None:
        for table in (*data.get("printers", []), *data.get("scanners", [])):
            if isinstance(table, dict) and isinstance(table.get("url"), str):
                table["url"] = in_instance(table["url"], Path(instance))
    return data


def validate(data: dict, where: str = "centre file") -> None:
    centre = data.get("centre") or {}
    if not centre.get("name"):
        raise CentreFileError(f"{where}: [centre] needs a name")
    try:
        ZoneInfo(centre.get("timezone", "Asia/Ho_Chi_Minh"))
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise CentreFileError(f"{where}: unknown timezone {centre.get('timezone')!r}") from error
    try:
        hours.parse_hours(centre.get("opening_hours") or {})
    except DomainError as error:
        raise CentreFileError(
            f"{where}: opening_hours {error.params.get('hours')!r} is not valid "
            '(write e.g. mon-fri = ["07:30-11:30", "13:30-17:00"])'
        ) from error
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
        try:
            hours.parse_hours(service.get("opening_hours") or {})
        except DomainError as error:
            raise CentreFileError(
                f"{where}: service {service['code']}: opening_hours "
                f"{error.params.get('hours')!r} is not valid"
            ) from error
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
    for user in data.get("users", []):
        if user.get("role") not in ROLES:
            raise CentreFileError(f"{where}: user {user.get('username')} has no valid role")
        if not user.get("username") or not user.get("password"):
            raise CentreFileError(f"{where}: every [[users]] needs username and password")
        if user.get("counter") is not None and user["counter"] not in numbers:
            raise CentreFileError(f"{where}: user {user['username']} bound to unknown counter")


def seed(session: Session, data: dict) -> CentreRow:
    """Create the centre described by `data` unless one with its code exists; returns it."""
    info = data["centre"]
    code = info.get("code") or slug(info["name"])
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
            "rating_window_min",  # ratings accepted this long after service
        )
        if key in info
    }
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


def add_user(
    session: Session,
    centre_id: int,
    username: str,
    password: str,
    role: str,
    *,
    counter: int | None = None,
    display_name: str = "",
) -> UserRow:
    if role not in ROLES:
        raise CentreFileError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise CentreFileError("password must have at least 8 characters")
    row = session.execute(
        select(UserRow).where(UserRow.centre_id == centre_id, UserRow.username == username)
    ).scalar_one_or_none()
    if row is None:
        row = UserRow(centre_id=centre_id, username=username)
        session.add(row)
    row.password_hash = generate_password_hash(password)  # scrypt by default
    row.role = role
    row.counter_number = counter
    row.display_name = display_name or row.display_name or username
    row.active = True
    session.flush()
    return row
