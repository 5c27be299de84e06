"""A centre's devices: printers, scanners, kiosks and device agents, as stored in
the database, and the one way every device owner reads them.

- `devices_of(ctx)`: the whole set-up (`DeviceSetup`); `for_owner(ctx, agent)`:
  the printers and scanners one owner drives (`agent=None`: the hub in `motcua
  run`, or `motcua devices run`; a name: that `motcua agent`), with every kiosk
  and agent (a kiosk scanner's place is checked against the kiosks).
- `cached(ctx)`: the same, at most CACHE_S old, for the hot paths of every hub
  process (the kiosk names checked at each issue, the pages); a change made in
  this process is seen at once, one made in another within CACHE_S.
- `kiosk_printer(session, …)`: the printer of a kiosk, read inside the ticket's
  own transaction, so a new mapping holds from the next number on.
- `seed_from_file(ctx, data)`: the centre file's `[[printers]]`, `[[scanners]]`,
  `[[kiosks]]` and `[[agents]]`, stored the first time a centre is loaded (a
  `device_setups` row then marks it seeded); afterwards /admin/devices owns them
  (kiosk/usecases/admin_devices.py) and the file's devices are not read again.
- `check(setup)`: the rules every set-up keeps, whether it comes from the file or
  from a form: names (1 to 64 letters, digits, `.`, `-`, `_`) unique per kind,
  printer URLs and settings as devices/printer parses them, scanner settings as
  devices/scanner parses them, a kiosk's printer and a device's agent known.
  A broken rule is an InvalidInput whose message says what to write instead.

Every change bumps the set-up's `version` and publishes `devices_changed`
{version} to the device owner's room and every agent's room (kiosk/rooms.py):
the owner in this process reconciles at once, an owner in another process sees
the version change when it next polls (kiosk/runtime/device_startup.py), an agent
is told over its Socket.IO connection.
"""

from __future__ import annotations

import re
import threading
import time
import weakref
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from devices.scanner import config as scanner_config
from kiosk.core.errors import InvalidInput, NotFound
from kiosk.store import repository as repo
from kiosk.store.tables import AgentRow, DeviceSetupRow, KioskRow, PrinterRow, ScannerRow
from kiosk.usecases.context import QueueContext

NAME = re.compile(r"[\w.-]{1,64}")
DEFAULT_KIOSK = "kiosk-1"  # a centre that lists no kiosk has this one (`/kiosk`)
CACHE_S = 2.0
SCANNER_OPTIONS = scanner_config.OPTIONS


@dataclass(frozen=True)
class Printer:
    name: str
    url: str
    paper_mm: int = 80
    text_mode: str = "raster"
    timeout_s: float = 5.0
    codepage: int = 52
    agent: str | None = None  # None: the hub or `motcua devices run` drives it

    def table(self) -> dict:
        """As a centre file's `[[printers]]` table (what PrintService opens)."""
        table = {
            "name": self.name,
            "url": self.url,
            "paper_mm": self.paper_mm,
            "text_mode": self.text_mode,
            "timeout_s": self.timeout_s,
            "codepage": self.codepage,
        }
        return table | ({"agent": self.agent} if self.agent else {})


@dataclass(frozen=True)
class Scanner:
    name: str
    url: str
    use: str  # kiosk:NAME | counter:N
    agent: str | None = None
    options: dict = field(default_factory=dict)  # SCANNER_OPTIONS the centre set

    def table(self) -> dict:
        """As a `[[scanners]]` table for devices.scanner.ScannerConfig.from_table."""
        return {"name": self.name, "url": self.url, "use": self.use, **self.options}


@dataclass(frozen=True)
class Kiosk:
    name: str
    printer: str | None = None

    def table(self) -> dict:
        return {"name": self.name} | ({"printer": self.printer} if self.printer else {})


@dataclass(frozen=True)
class Agent:
    name: str


@dataclass(frozen=True)
class DeviceSetup:
    """A centre's devices; `version` 0: not stored yet (the centre file was not loaded)."""

    version: int = 0
    printers: tuple[Printer, ...] = ()
    scanners: tuple[Scanner, ...] = ()
    kiosks: tuple[Kiosk, ...] = ()
    agents: tuple[Agent, ...] = ()

    def printer(self, name: str) -> Printer | None:
        return next((p for p in self.printers if p.name == name), None)

    def scanner(self, name: str) -> Scanner | None:
        return next((s for s in self.scanners if s.name == name), None)

    def kiosk(self, name: str) -> Kiosk | None:
        return next((k for k in self.kiosks if k.name == name), None)

    def agent(self, name: str) -> Agent | None:
        return next((a for a in self.agents if a.name == name), None)

    @property
    def kiosk_names(self) -> list[str]:
        """The kiosk pages that exist; a centre listing none has DEFAULT_KIOSK."""
        return [k.name for k in self.kiosks] or [DEFAULT_KIOSK]

    @property
    def kiosk_tables(self) -> list[dict]:
        return [k.table() for k in self.kiosks] or [{"name": DEFAULT_KIOSK}]

    @property
    def kiosk_printers(self) -> dict[str, str]:
        """Kiosk name → printer name, for kiosks that print."""
        return {k.name: k.printer for k in self.kiosks if k.printer}

    def driven_by(self, agent: str | None) -> DeviceSetup:
        """The printers and scanners of one owner (None: the hub's own), every kiosk and agent."""
        return replace(
            self,
            printers=tuple(p for p in self.printers if p.agent == agent),
            scanners=tuple(s for s in self.scanners if s.agent == agent),
        )


# -- reading --------------------------------------------------------------------------


def devices_of(ctx: QueueContext) -> DeviceSetup:
    """The centre's devices as stored now."""
    with ctx.store.read() as session:
        setup = read(session, ctx.centre_id)
    _remember(ctx, setup)
    return setup


def for_owner(ctx: QueueContext, agent: str | None = None) -> DeviceSetup:
    """The devices `agent` drives (None: the hub or `motcua devices run`).  An agent
    that is not (or no longer) in the set-up is NotFound `unknown_agent`."""
    setup = devices_of(ctx)
    if agent is not None and setup.agent(agent) is None:
        raise NotFound("unknown_agent", agent=agent)
    return setup.driven_by(agent)


def version(ctx: QueueContext) -> int:
    """The set-up's version (0: not stored yet); owners poll it to notice a change."""
    with ctx.store.read() as session:
        return _version(session, ctx.centre_id)


def cached(ctx: QueueContext) -> DeviceSetup:
    """The set-up read at most CACHE_S ago by this process (see the module doc)."""
    key = ctx.centre_id
    with _lock:
        held = _cache.get(ctx.store, {}).get(key)
    if held is not None and time.monotonic() - held[0] < CACHE_S:
        return held[1]
    return devices_of(ctx)


def kiosk_printer(session: Session, centre_id: int, kiosk: str | None) -> str | None:
    """The printer of `kiosk` (None: the kiosk prints nowhere), in the caller's transaction."""
    if not kiosk:
        return None
    return session.execute(
        select(KioskRow.printer).where(KioskRow.centre_id == centre_id, KioskRow.name == kiosk)
    ).scalar_one_or_none()


def read(session: Session, centre_id: int) -> DeviceSetup:
    def rows(table):
        return session.execute(
            select(table).where(table.centre_id == centre_id).order_by(table.name)
        ).scalars()

    return DeviceSetup(
        version=_version(session, centre_id),
        printers=tuple(
            Printer(r.name, r.url, r.paper_mm, r.text_mode, float(r.timeout_s), r.codepage, r.agent)
            for r in rows(PrinterRow)
        ),
        scanners=tuple(
            Scanner(r.name, r.url, r.use, r.agent, dict(r.options or {})) for r in rows(ScannerRow)
        ),
        kiosks=tuple(Kiosk(r.name, r.printer) for r in rows(KioskRow)),
        agents=tuple(Agent(r.name) for r in rows(AgentRow)),
    )


def _version(session: Session, centre_id: int) -> int:
    row = session.get(DeviceSetupRow, centre_id)
    return row.version if row is not None else 0


_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # store → centre → (t, setup)
_lock = threading.Lock()


def _remember(ctx: QueueContext, setup: DeviceSetup) -> None:
    with _lock:
        _cache.setdefault(ctx.store, {})[ctx.centre_id] = (time.monotonic(), setup)


# -- the centre file ------------------------------------------------------------------


def from_file(data: dict) -> DeviceSetup:
    """The centre file's devices as a set-up (not stored, not checked: see `check`)."""

    def tables(key: str) -> list[dict]:
        found = data.get(key) or []
        if not isinstance(found, list) or not all(isinstance(t, dict) for t in found):
            raise InvalidInput("invalid_device_table", table=key)
        return found

    def number(table: dict, key: str, default, kind):
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(
                "invalid_printer_setting", name=table.get("name", ""), reason=f"{key} = {value!r}"
            )
        return kind(value)

    printers = tuple(
        Printer(
            name=str(t.get("name", "")),
            url=str(t.get("url", "")),
            paper_mm=number(t, "paper_mm", 80, int),
            text_mode=str(t.get("text_mode", "raster")),
            timeout_s=number(t, "timeout_s", 5.0, float),
            codepage=number(t, "codepage", 52, int),
            agent=t.get("agent") or None,
        )
        for t in tables("printers")
    )
    scanners = tuple(
        Scanner(
            name=str(t.get("name", "")),
            url=str(t.get("url", "")),
            use=str(t.get("use", "")),
            agent=t.get("agent") or None,
            options={k: v for k, v in t.items() if k not in ("name", "url", "use", "agent")},
        )
        for t in tables("scanners")
    )
    kiosks = tuple(
        Kiosk(str(t.get("name", "")), t.get("printer") or None) for t in tables("kiosks")
    )
    agents = tuple(Agent(str(t.get("name", ""))) for t in tables("agents"))
    return DeviceSetup(0, printers, scanners, kiosks, agents)


def seed_from_file(ctx: QueueContext, data: dict) -> bool:
    """Store the centre file's devices unless the centre's devices are stored already;
    True when they were stored now.  InvalidInput (nothing stored) when they break a rule."""
    setup = from_file(data)
    check(setup)
    with ctx.store.write() as session:
        repo.lock_centre(session, ctx.centre_id)  # two hub processes starting at once
        if session.get(DeviceSetupRow, ctx.centre_id) is not None:
            return False
        write(session, ctx.centre_id, setup)
        session.add(DeviceSetupRow(centre_id=ctx.centre_id, version=1, updated_at=ctx.now()))
    forget(ctx)
    return True


def write(session: Session, centre_id: int, setup: DeviceSetup) -> None:
    """Add `setup`'s rows (a centre's first set-up)."""
    for a in setup.agents:
        session.add(AgentRow(centre_id=centre_id, name=a.name))
    for p in setup.printers:
        session.add(PrinterRow(centre_id=centre_id, **printer_columns(p)))
    for s in setup.scanners:
        session.add(ScannerRow(centre_id=centre_id, **scanner_columns(s)))
    for k in setup.kiosks:
        session.add(KioskRow(centre_id=centre_id, name=k.name, printer=k.printer))
    session.flush()


def printer_columns(p: Printer) -> dict:
    return {
        "name": p.name,
        "url": p.url,
        "paper_mm": p.paper_mm,
        "text_mode": p.text_mode,
        "timeout_s": p.timeout_s,
        "codepage": p.codepage,
        "agent": p.agent,
    }


def scanner_columns(s: Scanner) -> dict:
    return {"name": s.name, "url": s.url, "use": s.use, "agent": s.agent, "options": s.options}


def forget(ctx: QueueContext) -> None:
    """Drop this process's cached set-up (after a change it made)."""
    with _lock:
        _cache.get(ctx.store, {}).pop(ctx.centre_id, None)


def bump(session: Session, ctx: QueueContext) -> int:
    """Raise the set-up's version inside a change's transaction (row locked); the new one."""
    row = session.execute(
        select(DeviceSetupRow).where(DeviceSetupRow.centre_id == ctx.centre_id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        row = DeviceSetupRow(centre_id=ctx.centre_id, version=0, updated_at=ctx.now())
        session.add(row)
    row.version += 1
    row.updated_at = ctx.now()
    session.flush()
    return row.version


# -- the rules ------------------------------------------------------------------------


def check(setup: DeviceSetup) -> None:
    """InvalidInput naming the first device that breaks a rule (see the module doc)."""
    for kind in ("agents", "printers", "scanners", "kiosks"):
        seen: set[str] = set()
        for device in getattr(setup, kind):
            check_name(device.name)
            if device.name in seen:
                raise InvalidInput("duplicate_device_name", name=device.name)
            seen.add(device.name)
    agents = {a.name for a in setup.agents}
    for device in (*setup.printers, *setup.scanners):
        if device.agent is not None and device.agent not in agents:
            raise InvalidInput("unknown_agent", agent=device.agent)
    for printer in setup.printers:
        check_printer(printer)
    for scanner in setup.scanners:
        check_scanner(scanner)
    printers = {p.name for p in setup.printers}
    for kiosk in setup.kiosks:
        if kiosk.printer is not None and kiosk.printer not in printers:
            raise InvalidInput("unknown_printer", printer=kiosk.printer)


def check_name(name: str) -> None:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise InvalidInput("invalid_device_name", name=name)


def check_printer(printer: Printer) -> None:
    """The URL as devices/printer/url.py reads it, and the settings open_printer takes."""
    from devices.printer import TEXT_MODES, PrinterConfigError, parse_printer_url
    from devices.rendering.raster import PAPER_DOTS

    try:
        parse_printer_url(printer.url)
    except PrinterConfigError as error:
        raise InvalidInput("invalid_printer_url", url=printer.url, reason=str(error)) from None
    for ok, reason in (
        (printer.paper_mm in PAPER_DOTS, f"paper_mm = {printer.paper_mm}"),
        (printer.text_mode in TEXT_MODES, f"text_mode = {printer.text_mode!r}"),
        (0 <= printer.codepage <= 255, f"codepage = {printer.codepage}"),
        (0 < printer.timeout_s <= 120, f"timeout_s = {printer.timeout_s}"),
    ):
        if not ok:
            raise InvalidInput("invalid_printer_setting", name=printer.name, reason=reason)


def check_scanner(scanner: Scanner) -> None:
    """The settings as devices/scanner/config.py reads them (its message names the key)."""
    from devices.scanner import ScannerConfig, ScannerConfigError

    if not re.fullmatch(r"kiosk:\S.*|counter:[1-9]\d*", scanner.use or ""):
        raise InvalidInput("invalid_scanner_use", use=scanner.use)
    try:
        ScannerConfig.from_table(scanner.table())
    except (ScannerConfigError, TypeError) as error:
        raise InvalidInput(
            "invalid_scanner_setting", name=scanner.name, reason=str(error)
        ) from None
