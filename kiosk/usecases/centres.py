"""The centres of one installation.  A province serves all its communes' centres from
one database and the same hub processes (CONTRACT.md, "Several centres in one
installation"): `motcua centre add FILE.toml` creates one while the hubs run,
`motcua centre list` names them, and every hub process finds a centre by its code
or by one of its host names through `directory` (kiosk/runtime/hub.py).

Creating a centre is not an act of one centre, so these functions take the store,
not a QueueContext; the new centre's devices are stored through its own context.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from sqlalchemy import select

from kiosk.core.errors import Conflict, InvalidInput, NotFound
from kiosk.events import RecordingPublisher
from kiosk.store import Store
from kiosk.store import repository as repo
from kiosk.store.seed import (
    CentreFileError,
    centre_code,
    centre_hosts,
    clean_texts,
    seed,
    validate,
)
from kiosk.store.tables import CentreHostRow, CentreRow, TicketRow
from kiosk.usecases import audit, device_config
from kiosk.usecases.context import QueueContext, utc_now


@dataclass(frozen=True)
class Directory:
    """Every centre of the database: codes by id, and the centre id each host name means."""

    codes: dict[int, str]
    hosts: dict[str, int]


def directory(store: Store) -> Directory:
    with store.read() as session:
        codes = dict(session.execute(select(CentreRow.id, CentreRow.code)).all())
        hosts = dict(session.execute(select(CentreHostRow.host, CentreHostRow.centre_id)).all())
    return Directory(codes, hosts)


def add_centre(store: Store, data: dict, *, clock=utc_now, by: int | None = None) -> dict:
    """Create the centre a checked centre file (seed.read_centre_file) describes, with its
    fields, counters, users and devices.  Conflict `duplicate_centre` when a centre has
    its code already, `host_taken` when another centre has one of its host names; then
    nothing is stored.  The new centre's audit log says who (`by`: a province admin on
    the province centres page; nobody from `motcua centre add`)."""
    code = centre_code(data["centre"])
    setup = device_config.from_file(data)
    device_config.check(setup)  # a wrong device refuses the file before anything is stored
    with store.write() as session:
        if session.execute(select(CentreRow.id).where(CentreRow.code == code)).first():
            raise Conflict("duplicate_centre", centre=code)
        row = seed(session, data)
        centre_id, timezone = row.id, row.timezone
        audit.record(session, centre_id, clock(), by, "centre.add", code, {"name": row.name})
    ctx = QueueContext(
        store=store,
        publisher=RecordingPublisher(),  # nobody watches a centre made a moment ago
        centre_id=centre_id,
        timezone=timezone,
        clock=clock,
    )
    device_config.seed_from_file(ctx, data)
    return next(c for c in list_centres(store) if c["code"] == code)


def list_centres(store: Store) -> list[dict]:
    """[{code, name, hosts}] of every centre, oldest first."""
    with store.read() as session:
        rows = session.execute(select(CentreRow).order_by(CentreRow.id)).scalars().all()
        hosts: dict[int, list[str]] = {}
        for host, centre_id in session.execute(
            select(CentreHostRow.host, CentreHostRow.centre_id).order_by(CentreHostRow.host)
        ):
            hosts.setdefault(centre_id, []).append(host)
        return [
            {"id": r.id, "code": r.code, "name": r.name, "hosts": hosts.get(r.id, [])} for r in rows
        ]


def centre_of_ticket(store: Store, token: str) -> int | None:
    """The centre whose ticket has this status token (`/t/{token}` finds its own centre)."""
    with store.read() as session:
        return session.execute(
            select(TicketRow.centre_id)
            .where(TicketRow.token == token[:64])
            .order_by(TicketRow.id.desc())
            .limit(1)
        ).scalar_one_or_none()


def default_centre_id(store: Store, code: str | None) -> int | None:
    """The centre unprefixed addresses mean when no host name says: `code` (MOTCUA_CENTRE),
    else the oldest centre (in a one-centre installation, the only one)."""
    with store.read() as session:
        row = repo.centre_by_code(session, code or None)
        return row.id if row is not None else None


def centre_file_from_text(text: str, where: str = "centre file") -> dict:
    """A centre file given as text (the province centres page), checked as
    seed.read_centre_file checks a file; CentreFileError says what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CentreFileError(f"{where}: {error}") from error
    data = clean_texts(data, where)
    validate(data, where)
    return data


def minimal_centre(code: str, name: str, hosts: list[str], timezone: str) -> dict:
    """The centre file of a centre made from the page's few fields (no fields or
    counters yet: its admin adds them), checked like a file."""
    data = clean_texts(
        {"centre": {"code": code, "name": name, "hosts": hosts, "timezone": timezone}}
    )
    validate(data)
    return data


def _centre_row(session, code: str) -> CentreRow:
    row = session.execute(select(CentreRow).where(CentreRow.code == code)).scalar_one_or_none()
    if row is None:
        raise NotFound("unknown_centre", centre=code)
    return row


def rename_centre(store: Store, code: str, name: str, *, by: int | None, clock=utc_now) -> None:
    """A centre's name (what screens, tickets and the province pages show); its code and
    addresses stay."""
    name = clean_texts({"centre": {"name": name}})["centre"]["name"]
    if not name or len(name) > 200:
        raise InvalidInput("invalid_centre_name")
    with store.write() as session:
        row = _centre_row(session, code)
        before, row.name = row.name, name
        audit.record(
            session, row.id, clock(), by, "centre.rename", code, {"from": before, "to": name}
        )


def add_host(store: Store, code: str, host: str, *, by: int | None, clock=utc_now) -> str:
    """One more host name for a centre: every hub process serves the centre under it within
    seconds (kiosk/runtime/hub.py reads the directory again).  Conflict `host_taken`
    when a centre has it already."""
    try:
        validate({"centre": {"name": "-", "hosts": [host]}})
    except CentreFileError as error:
        raise InvalidInput("invalid_host_name", host=host[:80]) from error
    (name,) = centre_hosts({"hosts": [host]})
    with store.write() as session:
        row = _centre_row(session, code)
        taken = session.get(CentreHostRow, name)
        if taken is not None:
            other = session.get(CentreRow, taken.centre_id).code
            raise Conflict("host_taken", host=name, centre=other)
        session.add(CentreHostRow(host=name, centre_id=row.id))
        audit.record(session, row.id, clock(), by, "centre.host_add", code, {"host": name})
    return name
