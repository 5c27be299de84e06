"""Read models: the JSON shapes sent to screens and API clients, built from
committed state.  Queries only; nothing here writes.

Each shape is built for one audience (docs/architecture.md, "What each audience
may see"), never cut down from a fuller one afterwards:
    public_*   a lobby wall: number, field, counter, state, times and counts
    screen_*   the screen paired to one counter: public, plus its clerk's name
    holder_*   the phone holding a ticket's token: that ticket alone, no staff notes
    staff_*    logged-in staff: everything, dossier codes and transfer notes included
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.core import estimate, policy
from kiosk.core.errors import NotFound
from kiosk.core.model import TicketStatus
from kiosk.store import repository as repo
from kiosk.store import setup_cache
from kiosk.store.tables import CounterRow, EventRow, TicketRow
from kiosk.usecases import availability, remote_standing
from kiosk.usecases.context import QueueContext
from kiosk.usecases.rating import rating_key

RECENT_SERVICES = 20
# How long a process keeps a field's typical service time (see typical_service_s).
TYPICAL_KEPT = timedelta(seconds=30)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def centre_payload(centre: setup_cache.CentreSetup) -> dict:
    """The centre as screens see it: name, clock and what the admin set for displays."""
    settings = centre.settings or {}
    return {
        "name": centre.name,
        "timezone": centre.timezone,
        "ticker": settings.get("ticker", ""),
        "voice": settings.get("voice", True),  # lobby TVs speak calls unless turned off
        "repeat": settings.get("repeat", 1),  # how many times each call is spoken
        "languages": list(settings.get("languages") or ("vi", "en")),
    }


def public_device(key: str, entry: dict) -> dict:
    """A device as public screens may see it: which one, of what kind, in what state;
    never its port, path, address or error text (those are for staff)."""
    return {
        "id": key,
        "kind": entry.get("kind"),
        "name": entry.get("name"),
        "state": entry.get("state"),
    }


def public_devices(status: dict[str, dict]) -> dict[str, dict]:
    return {key: public_device(key, entry) for key, entry in status.items()}


class QueueReader:
    """One transaction's view of a centre's queue.  The set-up (centre, fields, priority
    groups, counters' fields) comes from this process's copy, checked by one version
    number (kiosk/store/setup_cache.py); what queue actions change (counters' state,
    tickets) is read from the database, once per reader, column by column (no ORM)."""

    def __init__(
        self, ctx: QueueContext, session: Session, setup: setup_cache.Setup | None = None
    ) -> None:
        """`setup`: the set-up another transaction of this request just checked (its
        version is then not read again)."""
        self.ctx = ctx
        self.session = session
        self._setup: setup_cache.Setup | None = setup
        self._waiting: list[TicketRow] | None = None
        self._counters: list | None = None
        self._held: dict[int, object] = {}
        self._known_counters: dict[int, object] = {}
        self._clerks: dict[int, str | None] = {}
        self._open_by_code: dict[str, set[int]] | None = None

    def know(self, counter=None, ticket=None) -> None:
        """Rows this transaction already read or wrote (plain rows, as stored): a counter,
        whose name a ticket at it shows, and a ticket, which a counter holding it shows.
        Read from here instead of asking the database again (a counter action's events)."""
        if counter is not None:
            self._known_counters[counter.number] = counter
        if ticket is not None:
            self._held[ticket.id] = ticket

    # -- cached building blocks -------------------------------------------
    @property
    def setup(self) -> setup_cache.Setup:
        if self._setup is None:
            self._setup = setup_cache.setup(self.session, self.ctx.centre_id)
        return self._setup

    @property
    def centre(self) -> setup_cache.CentreSetup:
        """The centre's set-up columns (name, zone, settings, policy); not the interleave
        memory, which "next" changes (`normal_since_priority`)."""
        return self.setup.centre

    @property
    def services(self) -> tuple[setup_cache.ServiceSetup, ...]:
        return self.setup.services

    @property
    def code_by_id(self) -> Mapping[int, str]:
        return self.setup.code_by_id

    @property
    def service_by_id(self) -> Mapping[int, setup_cache.ServiceSetup]:
        return self.setup.service_by_id

    @property
    def service_by_code(self) -> Mapping[str, setup_cache.ServiceSetup]:
        return self.setup.service_by_code

    @property
    def policy(self):
        derived = self.setup.derived
        if "policy" not in derived:
            derived["policy"] = self.setup.policy()
        return derived["policy"]

    @property
    def waiting(self) -> list[TicketRow]:
        if self._waiting is None:
            self._waiting = repo.waiting_rows(self.session, self.ctx.centre_id)
        return self._waiting

    @property
    def counters(self) -> list:
        """Every counter with its state, pause reason, clerk and held ticket, by number."""
        if self._counters is None:
            self._counters = repo.counter_states(self.session, self.ctx.centre_id)
        return self._counters

    def _load_held_tickets(self) -> None:
        """The tickets every counter holds, in one query: `_current` then finds each here
        instead of asking the database once per counter (snapshots)."""
        held = [c.current_ticket_id for c in self.counters if c.current_ticket_id]
        missing = [i for i in held if i not in self._held]
        if missing:
            self._held.update(repo.held_tickets(self.session, missing))

    @property
    def counter_services(self) -> Mapping[int, tuple[str, ...]]:
        return self.setup.codes_by_counter_number

    @property
    def waiting_summary(self) -> dict[int, tuple[int, datetime]]:
        """Per service id: how many wait and the oldest issue time (counted in SQL)."""
        if not hasattr(self, "_summary"):
            self._summary = repo.waiting_summary(self.session, self.ctx.centre_id)
        return self._summary

    def waiting_counts(self) -> dict[str, int]:
        summary = self.waiting_summary
        return {s.code: summary.get(s.id, (0, None))[0] for s in self.services if s.active}

    def _open_counters(self, code: str) -> set[int]:
        """The numbers of the open counters serving the field `code`."""
        if self._open_by_code is None:
            serves = self.setup.codes_by_counter_number
            by_code: dict[str, set[int]] = {}
            for c in self.counters:
                if c.state == "open":
                    for served in serves.get(c.number, ()):
                        by_code.setdefault(served, set()).add(c.number)
            self._open_by_code = by_code
        return self._open_by_code.get(code, set())

    def open_counters_for(self, code: str) -> int:
        return len(self._open_counters(code))

    @property
    def recently_active_counters(self) -> set[int]:
        """Counters that called someone in the last hour: the ones actually staffed."""
        if not hasattr(self, "_active"):
            since = self.ctx.now() - timedelta(hours=1)
            self._active = repo.counters_calling_since(self.session, self.ctx.centre_id, since)
        return self._active

    def working_counters_for(self, code: str) -> int:
        """Counters really serving a field now: open, and staffed (called within the hour).

        A centre configures more counters than it staffs; dividing by every open
        counter would promise citizens a wait several times too short.  Before
        anyone has called (opening time) every open counter counts.
        """
        open_numbers = self._open_counters(code)
        active = open_numbers & self.recently_active_counters
        return len(active) if active else max(1, len(open_numbers))

    def typical_service_s(self, service_id: int) -> float:
        """The field's typical service time (kiosk/core/estimate.py) from its last
        RECENT_SERVICES services.  Kept by this process for TYPICAL_KEPT_S of the hub's
        clock: a median of twenty services hardly moves with one more, and reading them
        for every ticket, press and snapshot cost more than all the rest of an estimate.
        So an estimate may lag a finished service by that long (docs/benchmarks.md)."""
        now = self.ctx.now()
        kept = self.setup.derived.setdefault("typical_service_s", {})
        held = kept.get(service_id)
        if held is not None and timedelta(0) <= now - held[0] < TYPICAL_KEPT:
            return held[1]
        seconds = repo.recent_service_seconds(
            self.session, self.ctx.centre_id, service_id, now - timedelta(days=7), RECENT_SERVICES
        )
        default = (self.centre.settings or {}).get("default_service_s", estimate.DEFAULT_SERVICE_S)
        typical = estimate.typical_service_s(seconds, default)
        kept[service_id] = (now, typical)
        return typical

    # -- payloads ---------------------------------------------------------
    def longest_waits(self) -> dict[str, int]:
        """Seconds the longest-waiting citizen of each field has waited (0 when nobody waits)."""
        now = self.ctx.now()
        return {
            self.code_by_id.get(service_id): max(0, int((now - oldest).total_seconds()))
            for service_id, (_, oldest) in self.waiting_summary.items()
        }

    def service_list(self) -> list[dict]:
        counts = self.waiting_counts()
        longest = self.longest_waits()
        closed = availability.unavailable(self.session, self.centre, self.services, self.ctx.now())
        result = []
        for s in self.services:
            if not s.active:
                continue
            waiting = counts.get(s.code, 0)
            result.append(
                {
                    "code": s.code,
                    "name": s.name,
                    "name_en": s.name_en,
                    "prefix": s.prefix,
                    "waiting": waiting,
                    "longest_wait_s": longest.get(s.code, 0),
                    "available": s.code not in closed,
                    "unavailable_reason": closed.get(s.code),
                    "reopens_at": self._reopens(s) if closed.get(s.code) == "closed" else None,
                    "target_wait_s": s.target_wait_s,
                    "counters_open": self.open_counters_for(s.code),
                    "estimated_wait_s": estimate.estimated_wait_s(
                        waiting, self.typical_service_s(s.id), self.working_counters_for(s.code)
                    ),
                }
            )
        return result

    def _reopens(self, service) -> str | None:
        """When a closed field takes numbers again: "13:30" today, "07:30 01/12" later."""
        now = self.ctx.now()
        opening = availability.reopens_at(self.centre, now, service)
        return availability.when_text(opening, now) or None

    def queue_payload(self) -> dict:
        unavailable = availability.unavailable(
            self.session, self.centre, self.services, self.ctx.now()
        )
        return {
            "waiting": self.waiting_counts(),
            # Screens keep "longest wait" right between snapshots (it drops when the oldest is called).
            "longest_wait_s": self.longest_waits(),
            "unavailable": unavailable,
            "at": iso(self.ctx.now()),
        }

    def public_ticket(self, row: TicketRow) -> dict:
        """A ticket as a lobby wall shows it: number, field, counter, state, times, place."""
        service = self.service_by_id[row.service_id]
        data = {
            "id": row.id,
            "number": row.number,
            "service": service.code,
            "service_name": service.name,
            "service_name_en": service.name_en,
            "status": row.status,
            "issued_at": iso(row.issued_at),
            "called_at": iso(row.called_at),
            "appointment_at": iso(row.appointment_at),
            "counter": row.counter_number,
        }
        data.update(self._place(row, service))
        if row.counter_number is not None:
            counter = self._known_counters.get(row.counter_number) or next(
                (c for c in self.counters if c.number == row.counter_number), None
            )
            data["counter_name"] = counter.name if counter else None
            data["counter_name_en"] = (counter.name_en or counter.name) if counter else None
        return data

    def screen_ticket(self, row: TicketRow, public: dict | None = None) -> dict:
        """A ticket for the screens at its counter.  Once finished it carries the key
        that lets the screen in front of the citizen send their rating
        (kiosk/usecases/rating.py): whoever saw the ticket finished at that counter.
        `public`: its public_ticket, when already built (copied, never changed)."""
        data = dict(public) if public is not None else self.public_ticket(row)
        if row.status == TicketStatus.DONE.value:
            data["rating_key"] = rating_key(row.token, row.id)
        return data

    def ticket_views(self, row: TicketRow) -> tuple[dict, dict, dict]:
        """(staff, screen, holder): the same as staff_ticket, screen_ticket and
        holder_ticket, from one public view (a counter action sends all three)."""
        public = self.public_ticket(row)
        holder = self.holder_ticket(row, public=public)
        return self._staff_from(row, dict(holder)), self.screen_ticket(row, public), holder

    def holder_ticket(self, row: TicketRow, *, history: bool = False, public=None) -> dict:
        """The ticket for whoever holds its token (the citizen's phone, the kiosk that
        just issued it): its address and priority group, never a clerk's note."""
        data = dict(public) if public is not None else self.public_ticket(row)
        data["priority"] = row.priority
        data["token"] = row.token
        data["status_url"] = self.ctx.status_url(row.token)
        if row.source == "remote":
            remote = remote_standing.row_of(self.session, row.centre_id, row.token)
            if remote is not None:
                data["remote"] = remote_standing.view(remote, self.centre.settings, data["service"])
        if history:
            data["history"] = [
                {"kind": e["kind"], "at": e["at"], "counter": e["counter"]}
                for e in self.history(row)
            ]
        return data

    def staff_ticket(self, row: TicketRow, *, history: bool = False) -> dict:
        """Everything about a ticket, for logged-in staff: dossier code, transfer note,
        the full history with each event's data."""
        data = self._staff_from(row, self.holder_ticket(row))
        if history:
            data["history"] = self.history(row)
        return data

    def _staff_from(self, row: TicketRow, data: dict) -> dict:
        """What staff see beyond the holder's view `data` (changed and returned)."""
        data["dossier_code"] = row.dossier_code
        if row.parent_id:
            data["transfer"] = self.transfers_into([row]).get(row.id)
        return data

    def _place(self, row: TicketRow, service: setup_cache.ServiceSetup) -> dict:
        # A remote number not yet checked in has a place too: the checked-in people ahead.
        if row.status not in (TicketStatus.WAITING.value, TicketStatus.REMOTE.value):
            return {"people_ahead": 0, "position": 0, "estimated_wait_s": 0}
        # Counted by the database, not by loading the queue: the same answer as
        # policy.people_ahead over every waiting ticket (tests/usecases/test_people_ahead.py).
        counts = repo.ahead_counts(self.session, row)
        ahead = policy.people_ahead_of(bool(row.priority), counts, self.policy)
        counters = self.working_counters_for(service.code)
        return {
            "people_ahead": ahead,
            "position": ahead + 1,
            "estimated_wait_s": estimate.estimated_wait_s(
                ahead, self.typical_service_s(service.id), counters
            ),
        }

    def history(self, row: TicketRow) -> list[dict]:
        ids = [row.id]
        parent = row.parent_id
        while parent:  # a transferred ticket's earlier legs belong to the same visit
            ids.append(parent)
            parent = self.session.execute(
                select(TicketRow.parent_id).where(TicketRow.id == parent)
            ).scalar_one_or_none()
        events = self.session.execute(
            select(EventRow).where(EventRow.ticket_id.in_(ids)).order_by(EventRow.at, EventRow.id)
        ).scalars()
        return [
            {"kind": e.kind, "at": iso(e.at), "counter": e.counter_number, "data": e.data or {}}
            for e in events
        ]

    def public_counter(self, row: CounterRow) -> dict:
        """A counter as a lobby wall shows it.  The pause reason is written by the clerk
        for the citizens in front of the counter, so it is public."""
        current = None
        ticket = self._current(row)
        if ticket is not None:
            current = {
                "id": ticket.id,
                "number": ticket.number,
                "service": self.code_by_id.get(ticket.service_id),
                "status": ticket.status,
                "called_at": iso(ticket.called_at),
                "started_at": iso(ticket.started_at),
            }
        return {
            "number": row.number,
            "name": row.name,
            "name_en": row.name_en or row.name,
            "state": row.state,
            "pause_reason": row.pause_reason,
            "services": list(self.counter_services.get(row.number, ())),
            "current": current,
        }

    def screen_counter(self, row: CounterRow, public: dict | None = None) -> dict:
        """What the screen paired to this counter shows: the public counter and the
        clerk's display name (a name tag on the desk, not on every lobby wall).
        `public`: its public_counter, when already built (copied, never changed)."""
        return {
            **(public if public is not None else self.public_counter(row)),
            "clerk": self._clerk(row),
        }

    def counter_views(self, row: CounterRow) -> dict[str, dict]:
        """{public, screen, staff}: the same as public_counter, screen_counter and
        staff_counter, from one public view (a counter action sends all three)."""
        public = self.public_counter(row)
        screen = self.screen_counter(row, public)
        staff = {**screen, "current": dict(public["current"]) if public["current"] else None}
        return {"public": public, "screen": screen, "staff": self._staff_counter_from(row, staff)}

    def staff_counter(self, row: CounterRow) -> dict:
        """A counter for staff: the held ticket with its priority group, dossier code and
        the previous clerk's transfer note."""
        return self._staff_counter_from(row, self.screen_counter(row))

    def _staff_counter_from(self, row: CounterRow, data: dict) -> dict:
        """What staff see beyond the screen's view `data` (its `current` is changed)."""
        ticket = self._current(row)
        if ticket is not None:
            data["current"].update(
                priority=ticket.priority,
                dossier_code=ticket.dossier_code,
                appointment_at=iso(ticket.appointment_at),
                # the previous clerk's note and counter, for the clerk who now serves
                transfer=self.transfers_into([ticket]).get(ticket.id),
            )
        return data

    def _current(self, row: CounterRow):
        """The ticket the counter holds (its columns), or None."""
        ticket_id = row.current_ticket_id
        if not ticket_id:
            return None
        if ticket_id not in self._held:
            self._held.update(repo.held_tickets(self.session, [ticket_id]))
        return self._held.get(ticket_id)

    def _clerk(self, row: CounterRow) -> str | None:
        user_id = row.current_user_id
        if not user_id:
            return None
        if user_id not in self._clerks:
            self._clerks[user_id] = repo.user_display_name(self.session, user_id)
        return self._clerks[user_id]

    def recent_calls(self, limit: int = 10) -> list[dict]:
        """Today's calls, newest first: the last `limit` calls and recalls, plus the latest
        call of every counter in every field.

        The latest per (counter, field) pair keeps every screen right after a (re)connect:
        ten recalls at one counter must not push the other counters off a lobby, and a
        TV limited to some fields or counters still finds each counter's latest call
        among the ones it shows.
        """
        rows = repo.recent_calls(self.session, self.ctx.centre_id, self.day_start(), limit)
        if not rows:
            return []
        names = {c.number: c.name for c in self.counters}
        names_en = {c.number: c.name_en or c.name for c in self.counters}
        return [
            {
                "number": r.number,
                "counter": r.counter_number,
                "counter_name": names.get(r.counter_number),
                "counter_name_en": names_en.get(r.counter_number),
                "service": self.code_by_id.get(r.service_id),
                "called_at": iso(r.at),
                "recall": r.kind == "recalled",
            }
            for r in rows
        ]

    def transfers_into(self, rows: list[TicketRow]) -> dict[int, dict]:
        """For tickets that came by transfer: where from and the sending clerk's note, by ticket id."""
        parents = {r.parent_id: r.id for r in rows if r.parent_id}
        if not parents:
            return {}
        events = self.session.execute(
            select(EventRow)
            .where(EventRow.ticket_id.in_(parents), EventRow.kind == "transferred")
            .order_by(EventRow.at, EventRow.id)
        ).scalars()
        parent_services = dict(
            self.session.execute(
                select(TicketRow.id, TicketRow.service_id).where(TicketRow.id.in_(parents))
            ).all()
        )
        names = {c.number: c.name for c in self.counters}
        names_en = {c.number: c.name_en or c.name for c in self.counters}
        result = {}
        for event in events:  # the last transfer of a parent wins (there is only one)
            data = event.data or {}
            result[parents[event.ticket_id]] = {
                "note": data.get("note", ""),
                "from_counter": event.counter_number,
                "from_counter_name": names.get(event.counter_number),
                "from_counter_name_en": names_en.get(event.counter_number),
                "from_service": self.code_by_id.get(parent_services.get(event.ticket_id)),
                "at": iso(event.at),
            }
        return result

    def day_start(self) -> datetime:
        local = self.ctx.now().astimezone(self.ctx.tz)
        return local.replace(hour=0, minute=0, second=0, microsecond=0)

    def next_numbers(self, codes: tuple[str, ...], limit: int = 5) -> list[dict]:
        wanted = {s.id for s in self.services if s.code in codes}
        rows = [w for w in self.waiting if w.service_id in wanted][:limit]
        return [
            {
                "id": r.id,
                "number": r.number,
                "service": self.code_by_id[r.service_id],
                "priority": r.priority,
                "queued_at": iso(r.queued_at),
            }
            for r in rows
        ]

    def upcoming(self, row: CounterRow, limit: int = 5) -> list[dict]:
        """The tickets this counter would call next, in order, if no other counter called first.

        Runs the real policy (transfers to this counter, priority, field
        preference), so a clerk sees what "next" will do, not just arrival order.
        """
        counter = repo.to_counter(row, self.counter_services.get(row.number, ()))
        waiting = [repo.to_ticket(w, self.code_by_id) for w in self.waiting]
        state = policy.PolicyState(repo.normal_since_priority(self.session, self.ctx.centre_id))
        chosen_ids: list[int] = []
        while len(chosen_ids) < limit:
            chosen, state = policy.choose_next(waiting, counter, self.policy, state)
            if chosen is None:
                break
            chosen_ids.append(chosen.id)
            waiting = [t for t in waiting if t.id != chosen.id]
        rows = {w.id: w for w in self.waiting}
        transfers = self.transfers_into([rows[i] for i in chosen_ids])
        return [
            {
                "id": rows[i].id,
                "number": rows[i].number,
                "service": self.code_by_id[rows[i].service_id],
                "priority": rows[i].priority,
                "target_counter": rows[i].target_counter,
                "queued_at": iso(rows[i].queued_at),
                "transfer": transfers.get(i),
            }
            for i in chosen_ids
        ]

    def served_today(self, counter_number: int) -> dict:
        day_start = self.day_start()
        rows = self.session.execute(
            select(func.count(TicketRow.id), TicketRow.started_at, TicketRow.finished_at)
            .where(
                TicketRow.centre_id == self.ctx.centre_id,
                TicketRow.counter_number == counter_number,
                TicketRow.status == TicketStatus.DONE.value,
                TicketRow.finished_at >= day_start,
            )
            .group_by(TicketRow.id)
        ).all()
        durations = [(f - s).total_seconds() for _, s, f in rows if s and f]
        return {
            "served": len(rows),
            "average_service_s": int(sum(durations) / len(durations)) if durations else None,
        }

    def public_snapshot(self) -> dict:
        """The whole centre as a lobby TV or kiosk needs it on (re)connect."""
        self._load_held_tickets()
        return {
            "centre": centre_payload(self.centre),
            "services": self.service_list(),
            "counters": [self.public_counter(c) for c in self.counters],
            "recent_calls": self.recent_calls(),
            "waiting": self.waiting_counts(),
            "priority_groups": [
                {
                    "code": g.code,
                    "name": g.name,
                    "name_en": g.name_en,
                    "description": g.description,
                    "description_en": g.description_en,
                }
                for g in self.policy.groups
            ],
            "at": iso(self.ctx.now()),
        }

    def staff_snapshot(self) -> dict:
        """The whole centre for staff: every counter with its held ticket in full."""
        data = self.public_snapshot()
        data["counters"] = [self.staff_counter(c) for c in self.counters]
        return data

    def counter_snapshot(self, number: int, audience: str, base: dict | None = None) -> dict:
        """One counter's subscription: `public` (an unpaired screen, anyone), `screen`
        (the screen paired to it) or `staff` (its clerk's console: next numbers, the
        upcoming list with transfer notes, today's figures).  `base`: that audience's
        centre snapshot, when already built (one admin change refreshes every counter)."""
        row = next((c for c in self.counters if c.number == number), None)
        if row is None:
            raise NotFound("unknown_counter", counter=number)
        if audience in ("public", "screen"):
            counter = self.public_counter(row) if audience == "public" else self.screen_counter(row)
            return {**(base or self.public_snapshot()), "counter": counter}
        data = {**(base or self.staff_snapshot())}
        data["counter"] = self.staff_counter(row)
        data["counter"]["next"] = self.next_numbers(self.counter_services.get(number, ()))
        data["counter"]["upcoming"] = self.upcoming(row)
        data["counter"]["today"] = self.served_today(number)
        return data

    def holder_snapshot(self, row: TicketRow) -> dict:
        """A `{ticket: TOKEN}` subscription: that ticket and the centre's name."""
        return {
            "ticket": self.holder_ticket(row, history=True),
            "centre": {"name": self.centre.name},
        }

    def ticket_by_token(self, token: str) -> TicketRow | None:
        return self.session.execute(
            select(TicketRow)
            .where(TicketRow.centre_id == self.ctx.centre_id, TicketRow.token == token)
            .order_by(TicketRow.id.desc())
            .limit(1)
        ).scalar_one_or_none()
