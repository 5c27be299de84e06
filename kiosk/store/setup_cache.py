"""A centre's set-up, read once per process and kept until it changes.

The set-up is what admins change and queue actions only read: the centre's name, zone,
settings and priority policy, its fields (services), its priority groups, and which
fields each counter serves, in its order.  Every ticket, press and snapshot used to read
all of it again through the ORM: about half of their CPU.  Now each process keeps one
`Setup` per centre and database, and every transaction that uses it first reads one
number, the centre's `setup_versions` row: the same number, the same set-up.

Exact across processes: every write that changes the set-up raises the number in its
own transaction (the session hooks at the end of this module: ORM changes when they are
flushed, UPDATE/DELETE/INSERT statements run through a session), whoever makes it (the
admin pages, `motcua centre add`, pairing settings, a test).  A transaction that starts
after the change committed reads the new number and so the new set-up; one that read
the old number sees the old set-up, as it would have without the cache.  A transaction
that changed the set-up itself reads it from the database (its own uncommitted rows),
and never leaves that copy for others.

Kept with it, because every call announces with them (display/announcer.py): the lobby
TVs' own languages (`lobby_voices`, per centre) and the packs recorded at the hub
(`voice_packs`, `voice_clips`: one set for the whole hub, so a change to them raises the
number of every centre).  Readers keep what they derive from these in `Setup.derived`.

Not cached, because queue actions change it: a counter's state, pause reason, clerk and
held ticket; the interleave memory (`centres.normal_since_priority`); tickets.  The
objects here are shared by every request: never change them (the settings mapping is
read-only).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from sqlalchemy import bindparam, event, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kiosk.core.model import PolicyMode, PriorityGroup, PriorityPolicy
from kiosk.store import direct
from kiosk.store.tables import (
    CentreRow,
    CounterRow,
    CounterServiceRow,
    LobbyVoiceRow,
    PriorityGroupRow,
    ServiceRow,
    SetupVersionRow,
)


@dataclass(frozen=True)
class CentreSetup:
    """The centre row's set-up columns (not `normal_since_priority`: "next" changes it)."""

    id: int
    code: str
    name: str
    timezone: str
    policy_mode: str
    normal_per_priority: int
    transfer_keeps_place: bool
    settings: Mapping


@dataclass(frozen=True)
class ServiceSetup:
    """A field as stored (the columns of ServiceRow)."""

    id: int
    centre_id: int
    code: str
    name: str
    name_en: str
    prefix: str
    daily_cap: int | None
    target_wait_s: int | None
    opening_hours: dict | None
    active: bool
    position: int


@dataclass(frozen=True)
class Setup:
    version: int
    centre: CentreSetup
    services: tuple[ServiceSetup, ...]  # by position, then id (as the admin orders them)
    groups: tuple[PriorityGroup, ...]
    codes_by_counter_id: Mapping[int, tuple[str, ...]]  # active fields, preference order
    codes_by_counter_number: Mapping[int, tuple[str, ...]]
    # What readers derive from this set-up and may keep as long as it holds (e.g. opening
    # hours read from the settings): key → value.  Dropped with the set-up.
    derived: dict = field(default_factory=dict, compare=False, repr=False)
    code_by_id: Mapping[int, str] = field(init=False, compare=False, repr=False)
    service_by_id: Mapping[int, ServiceSetup] = field(init=False, compare=False, repr=False)
    service_by_code: Mapping[str, ServiceSetup] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "code_by_id", {s.id: s.code for s in self.services})
        object.__setattr__(self, "service_by_id", {s.id: s for s in self.services})
        object.__setattr__(self, "service_by_code", {s.code: s for s in self.services})

    def policy(self, centre=None) -> PriorityPolicy:
        """The priority policy; `centre`: a centre row read in this transaction, whose mode
        and interleave then count (the same as the set-up's unless it is being changed)."""
        centre = centre or self.centre
        return PriorityPolicy(
            mode=PolicyMode(centre.policy_mode),
            normal_per_priority=centre.normal_per_priority,
            groups=self.groups,
        )


# -- reading ----------------------------------------------------------------------------

_MEMO = "setup_cache"  # session.info: centre id → Setup checked in this transaction
_CHANGED = "setup_changed"  # session.info: this transaction changed some set-up
_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # pool → centre → Setup
_lock = threading.Lock()

_centres = CentreRow.__table__
_services = ServiceRow.__table__
_groups = PriorityGroupRow.__table__
_counters = CounterRow.__table__
_counter_services = CounterServiceRow.__table__
_versions = SetupVersionRow.__table__
_lobby_voices = LobbyVoiceRow.__table__

_VERSION = select(_versions.c.version).where(_versions.c.centre_id == bindparam("centre"))
_CENTRE = select(
    _centres.c.id,
    _centres.c.code,
    _centres.c.name,
    _centres.c.timezone,
    _centres.c.policy_mode,
    _centres.c.normal_per_priority,
    _centres.c.transfer_keeps_place,
    _centres.c.settings,
)
_SERVICE_COLUMNS = [c.name for c in _services.columns]


def version(session: Session, centre_id: int) -> int:
    """The centre's set-up version as this transaction sees it (0: never changed)."""
    if session.new or session.deleted or session.dirty:
        session.flush()  # a set-up change still pending is then counted (see `bump`)
    found = direct.run(session.connection(), _VERSION, {"centre": centre_id}).scalar()
    return found or 0


def setup(session: Session, centre_id: int) -> Setup:
    """The centre's set-up as this transaction sees it: kept by this process while the
    version holds, else read now (see the module doc)."""
    memo = session.info.get(_MEMO)
    if memo is not None and centre_id in memo:
        return memo[centre_id]
    number = version(session, centre_id)  # first, so a copy read after it is never older
    key = _pool(session)
    with _lock:
        held = _cache.get(key, {}).get(centre_id) if key is not None else None
    if held is None or held.version != number:
        held = _load(session, centre_id, number)
        if key is not None and not session.info.get(_CHANGED):
            with _lock:
                _cache.setdefault(key, {})[centre_id] = held
    session.info.setdefault(_MEMO, {})[centre_id] = held
    return held


def derived(session: Session, centre_id: int) -> dict:
    """Where a reader keeps what it derives from the set-up this transaction sees (e.g.
    the recorded packs complete for calls), dropped with it.  What the session still
    holds is written first: a change of this transaction's own then raises the version
    (and gets a copy of its own) before anything is read to be kept."""
    if session.new or session.deleted or session.dirty:
        session.flush()
    return setup(session, centre_id).derived


def forget() -> None:
    """Drop every kept set-up (tests, tools); the next transaction reads them again."""
    with _lock:
        _cache.clear()


def _pool(session: Session):
    bind = session.bind if session.bind is not None else session.get_bind()
    return getattr(bind, "pool", None)


def _load(session: Session, centre_id: int, number: int) -> Setup:
    centre = session.execute(_CENTRE.where(_centres.c.id == centre_id)).one()
    services = tuple(
        ServiceSetup(**{name: getattr(row, name) for name in _SERVICE_COLUMNS})
        for row in session.execute(
            select(_services)
            .where(_services.c.centre_id == centre_id)
            .order_by(_services.c.position, _services.c.id)
        )
    )
    groups = tuple(
        PriorityGroup(
            g.code,
            g.name,
            name_en=g.name_en,
            description=g.description,
            description_en=g.description_en,
            min_age=g.min_age,
        )
        for g in session.execute(
            select(_groups)
            .where(_groups.c.centre_id == centre_id)
            .order_by(_groups.c.position, _groups.c.id)
        )
    )
    by_id: dict[int, list[str]] = {}
    by_number: dict[int, list[str]] = {}
    for counter_id, number_, code in session.execute(
        select(_counters.c.id, _counters.c.number, _services.c.code)
        .join(_counter_services, _counter_services.c.counter_id == _counters.c.id)
        .join(_services, _services.c.id == _counter_services.c.service_id)
        .where(_counters.c.centre_id == centre_id, _services.c.active.is_(True))
        .order_by(_counters.c.number, _counter_services.c.position)
    ):
        by_id.setdefault(counter_id, []).append(code)
        by_number.setdefault(number_, []).append(code)
    return Setup(
        version=number,
        centre=CentreSetup(
            id=centre.id,
            code=centre.code,
            name=centre.name,
            timezone=centre.timezone,
            policy_mode=centre.policy_mode,
            normal_per_priority=centre.normal_per_priority,
            transfer_keeps_place=centre.transfer_keeps_place,
            settings=MappingProxyType(dict(centre.settings or {})),
        ),
        services=services,
        groups=groups,
        codes_by_counter_id=MappingProxyType({k: tuple(v) for k, v in by_id.items()}),
        codes_by_counter_number=MappingProxyType({k: tuple(v) for k, v in by_number.items()}),
    )


# -- the version goes up with every change -----------------------------------------------

# Columns whose change is a set-up change; every column of the other set-up tables is.
_CENTRE_COLUMNS = ("code", "name", "timezone", "policy_mode", "normal_per_priority")
_CENTRE_COLUMNS += ("transfer_keeps_place", "settings")
_COUNTER_COLUMNS = ("number", "centre_id")  # which counter is which (names are read live)
_WATCHED = {
    "centres": _CENTRE_COLUMNS,
    "counters": _COUNTER_COLUMNS,
    "services": None,
    "priority_groups": None,
    "counter_services": None,
    "lobby_voices": None,
    "voice_packs": None,
    "voice_clips": None,
}
# Tables of the whole hub, not of one centre: a change to them is every centre's.
_HUB_WIDE = frozenset({"voice_packs", "voice_clips"})
_ALL_CENTRES = select(_centres.c.id)


def bump(session: Session, centre_ids: Iterable[int]) -> None:
    """Raise the set-up version of these centres in the session's transaction."""
    ids = sorted({c for c in centre_ids if c is not None})
    session.info[_CHANGED] = True
    session.info.pop(_MEMO, None)
    if not ids:
        return
    connection = session.connection()
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    for centre_id in ids:  # one order everywhere: two changes never wait on each other
        connection.execute(
            insert(_versions)
            .values(centre_id=centre_id, version=1)
            .on_conflict_do_update(
                index_elements=[_versions.c.centre_id],
                set_={"version": _versions.c.version + 1},
            )
        )


def _changed(obj) -> bool:
    columns = _WATCHED.get(getattr(obj, "__tablename__", ""), ())
    if columns is None:
        return True
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in columns)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    centres: set[int] = set()
    counters: set[int] = set()
    for obj in (*session.new, *session.deleted, *session.dirty):
        table = getattr(obj, "__tablename__", None)
        if table not in _WATCHED:
            continue
        if obj in session.dirty and obj not in session.deleted and not _changed(obj):
            continue
        if table in _HUB_WIDE:
            centres |= set(session.connection().execute(_ALL_CENTRES).scalars())
        elif table == "centres":
            centres.add(obj.id)  # a new centre has no id yet, and nobody keeps its set-up
        elif table == "counter_services":
            counters.add(obj.counter_id)
        else:
            centres.add(obj.centre_id)
    if counters:
        centres |= set(
            session.connection()
            .execute(select(_counters.c.centre_id).where(_counters.c.id.in_(sorted(counters))))
            .scalars()
        )
    if centres - {None} or counters:
        bump(session, centres)


@event.listens_for(Session, "do_orm_execute")
def _before_statement(state) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name not in _WATCHED:
        return
    statement = state.statement
    if state.is_update and _WATCHED[name] is not None:
        values = getattr(statement, "_values", None)
        if values is not None:
            keys = {getattr(k, "key", k) for k in values}
            if not keys & set(_WATCHED[name]):
                return  # e.g. a counter's state, the interleave memory
    bump(state.session, _centres_of(state.session, name, statement))


def _centres_of(session: Session, name: str, statement) -> set[int]:
    """The centres whose rows an UPDATE or DELETE touches (every centre for an INSERT
    or a statement without WHERE: rare, and only costs a re-read)."""
    where = getattr(statement, "whereclause", None)
    if where is None or name in _HUB_WIDE:
        query = _ALL_CENTRES
    elif name == "centres":
        query = select(_centres.c.id).where(where)
    elif name == "counter_services":
        query = select(_counters.c.centre_id).where(
            _counters.c.id.in_(select(_counter_services.c.counter_id).where(where))
        )
    else:
        table = {
            "services": _services,
            "priority_groups": _groups,
            "counters": _counters,
            "lobby_voices": _lobby_voices,
        }[name]
        query = select(table.c.centre_id).where(where)
    return set(session.connection().execute(query).scalars())
