"""Read models: the JSON shapes sent to screens and API clients, built from
committed state.  Queries only; nothing here writes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.core import estimate, policy
from kiosk.core.model import TicketStatus
from kiosk.store import repository as repo
from kiosk.store.tables import CentreRow, CounterRow, EventRow, ServiceRow, TicketRow, UserRow
from kiosk.usecases import availability
from kiosk.usecases.context import QueueContext

RECENT_SERVICES = 20


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def centre_payload(centre: CentreRow) -> dict:
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


class QueueReader:
    """One read transaction's view of a centre's queue (services and counters cached)."""

    def __init__(self, ctx: QueueContext, session: Session) -> None:
        self.ctx = ctx
        self.session = session
        self.centre: CentreRow = session.get(CentreRow, ctx.centre_id)
        self.services: list[ServiceRow] = repo.services_of(session, ctx.centre_id)
        self.code_by_id = {s.id: s.code for s in self.services}
        self.service_by_code = {s.code: s for s in self.services}
        self._waiting: list[TicketRow] | None = None
        self._counters: list[CounterRow] | None = None
        self._counter_services: dict[int, tuple[str, ...]] | None = None
        self._policy = None

    # -- cached building blocks -------------------------------------------
    @property
    def policy(self):
        if self._policy is None:
            self._policy = repo.policy_of(self.session, self.centre)
        return self._policy

    @property
    def waiting(self) -> list[TicketRow]:
        if self._waiting is None:
            self._waiting = repo.waiting_rows(self.session, self.ctx.centre_id)
        return self._waiting

    @property
    def counters(self) -> list[CounterRow]:
        if self._counters is None:
            self._counters = repo.counters_of(self.session, self.ctx.centre_id)
        return self._counters

    @property
    def counter_services(self) -> dict[int, tuple[str, ...]]:
        if self._counter_services is None:
            self._counter_services = repo.counter_services_map(self.session, self.ctx.centre_id)
        return self._counter_services

    def waiting_counts(self) -> dict[str, int]:
        counts = {s.code: 0 for s in self.services if s.active}
        for row in self.waiting:
            code = self.code_by_id.get(row.service_id)
            if code in counts:
                counts[code] += 1
        return counts

    def open_counters_for(self, code: str) -> int:
        return sum(
            1
            for c in self.counters
            if c.state == "open" and code in self.counter_services.get(c.number, ())
        )

    @property
    def recently_active_counters(self) -> set[int]:
        """Counters that called someone in the last hour: the ones actually staffed."""
        if not hasattr(self, "_active"):
            since = self.ctx.now() - timedelta(hours=1)
            self._active = set(
                self.session.execute(
                    select(EventRow.counter_number).where(
                        EventRow.centre_id == self.ctx.centre_id,
                        EventRow.kind == "called",
                        EventRow.at >= since,
                    )
                ).scalars()
            )
        return self._active

    def working_counters_for(self, code: str) -> int:
        """Counters really serving a field now: open, and staffed (called within the hour).

        A centre configures more counters than it staffs; dividing by every open
        counter would promise citizens a wait several times too short.  Before
        anyone has called (opening time) every open counter counts.
        """
        open_numbers = {
            c.number
            for c in self.counters
            if c.state == "open" and code in self.counter_services.get(c.number, ())
        }
        active = open_numbers & self.recently_active_counters
        return len(active) if active else max(1, len(open_numbers))

    def typical_service_s(self, service_id: int) -> float:
        since = self.ctx.now() - timedelta(days=7)
        durations = self.session.execute(
            select(TicketRow.started_at, TicketRow.finished_at)
            .where(
                TicketRow.centre_id == self.ctx.centre_id,
                TicketRow.service_id == service_id,
                TicketRow.status == TicketStatus.DONE.value,
                TicketRow.finished_at >= since,
            )
            .order_by(TicketRow.finished_at.desc())
            .limit(RECENT_SERVICES)
        ).all()
        seconds = [(f - s).total_seconds() for s, f in durations if s and f]
        default = (self.centre.settings or {}).get("default_service_s", estimate.DEFAULT_SERVICE_S)
        return estimate.typical_service_s(seconds, default)

    # -- payloads ---------------------------------------------------------
    def longest_waits(self) -> dict[str, int]:
        """Seconds the longest-waiting citizen of each field has waited (0 when nobody waits)."""
        now = self.ctx.now()
        longest: dict[str, int] = {}
        for row in self.waiting:
            code = self.code_by_id.get(row.service_id)
            waited = int((now - row.issued_at).total_seconds())
            longest[code] = max(longest.get(code, 0), waited)
        return longest

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

    def ticket_payload(self, row: TicketRow, *, history: bool = False) -> dict:
        service = next(s for s in self.services if s.id == row.service_id)
        data = {
            "id": row.id,
            "number": row.number,
            "service": service.code,
            "service_name": service.name,
            "service_name_en": service.name_en,
            "priority": row.priority,
            "status": row.status,
            "issued_at": iso(row.issued_at),
            "counter": row.counter_number,
            "called_at": iso(row.called_at),
            "token": row.token,
            "status_url": self.ctx.status_url(row.token),
            "dossier_code": row.dossier_code,
            "appointment_at": iso(row.appointment_at),
        }
        if row.status == TicketStatus.WAITING.value:
            ticket = repo.to_ticket(row, self.code_by_id)
            waiting = [repo.to_ticket(w, self.code_by_id) for w in self.waiting]
            ahead = policy.people_ahead(ticket, waiting, self.policy)
            counters = self.working_counters_for(service.code)
            data["people_ahead"] = ahead
            data["position"] = ahead + 1
            data["estimated_wait_s"] = estimate.estimated_wait_s(
                ahead, self.typical_service_s(service.id), counters
            )
        else:
            data["people_ahead"] = 0
            data["position"] = 0
            data["estimated_wait_s"] = 0
        if row.counter_number is not None:
            counter = next((c for c in self.counters if c.number == row.counter_number), None)
            data["counter_name"] = counter.name if counter else None
        if row.parent_id:
            data["transfer"] = self.transfers_into([row]).get(row.id)
        if history:
            data["history"] = self.history(row)
        return data

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

    def counter_payload(self, row: CounterRow) -> dict:
        current = None
        if row.current_ticket_id:
            ticket = self.session.get(TicketRow, row.current_ticket_id)
            if ticket is not None:
                current = {
                    "id": ticket.id,
                    "number": ticket.number,
                    "service": self.code_by_id.get(ticket.service_id),
                    "status": ticket.status,
                    "priority": ticket.priority,
                    "dossier_code": ticket.dossier_code,
                    "appointment_at": iso(ticket.appointment_at),
                    "called_at": iso(ticket.called_at),
                    "started_at": iso(ticket.started_at),
                    # the previous clerk's note and counter, for the clerk who now serves
                    "transfer": self.transfers_into([ticket]).get(ticket.id),
                }
        clerk = self.session.get(UserRow, row.current_user_id) if row.current_user_id else None
        return {
            "number": row.number,
            "name": row.name,
            "state": row.state,
            "pause_reason": row.pause_reason,
            "services": list(self.counter_services.get(row.number, ())),
            "current": current,
            "clerk": (clerk.display_name or clerk.username) if clerk else None,
        }

    def recent_calls(self, limit: int = 10) -> list[dict]:
        """Today's calls, newest first: the last `limit` calls and recalls, plus the latest
        call of every counter in every field.

        The latest per (counter, field) pair keeps every screen right after a (re)connect:
        ten recalls at one counter must not push the other counters off a lobby, and a
        TV limited to some fields or counters still finds each counter's latest call
        among the ones it shows.
        """
        day_start = self.day_start()
        today = (
            EventRow.centre_id == self.ctx.centre_id,
            EventRow.kind.in_(("called", "recalled")),
            EventRow.at >= day_start,
        )
        newest = (
            select(EventRow.id)
            .where(*today)
            .order_by(EventRow.at.desc(), EventRow.id.desc())
            .limit(limit)
        )
        latest_per_pair = (
            select(func.max(EventRow.id))
            .join(TicketRow, TicketRow.id == EventRow.ticket_id)
            .where(*today)
            .group_by(EventRow.counter_number, TicketRow.service_id)
        )
        ids = set(self.session.execute(newest).scalars())
        ids |= set(self.session.execute(latest_per_pair).scalars())
        if not ids:
            return []
        rows = self.session.execute(
            select(EventRow, TicketRow)
            .join(TicketRow, TicketRow.id == EventRow.ticket_id)
            .where(EventRow.id.in_(ids))
            .order_by(EventRow.at.desc(), EventRow.id.desc())
        ).all()
        names = {c.number: c.name for c in self.counters}
        return [
            {
                "number": t.number,
                "counter": e.counter_number,
                "counter_name": names.get(e.counter_number),
                "service": self.code_by_id.get(t.service_id),
                "called_at": iso(e.at),
                "recall": e.kind == "recalled",
            }
            for e, t in rows
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
        result = {}
        for event in events:  # the last transfer of a parent wins (there is only one)
            data = event.data or {}
            result[parents[event.ticket_id]] = {
                "note": data.get("note", ""),
                "from_counter": event.counter_number,
                "from_counter_name": names.get(event.counter_number),
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
        state = policy.PolicyState(self.centre.normal_since_priority)
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

    def snapshot(self) -> dict:
        """The whole centre: what a lobby screen or a clerk console needs on (re)connect."""
        return {
            "centre": centre_payload(self.centre),
            "services": self.service_list(),
            "counters": [self.counter_payload(c) for c in self.counters],
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

    def counter_snapshot(self, number: int) -> dict:
        row = repo.counter_row(self.session, self.ctx.centre_id, number)
        codes = self.counter_services.get(number, ())
        data = self.snapshot()
        data["counter"] = self.counter_payload(row)
        data["counter"]["next"] = self.next_numbers(codes)
        data["counter"]["upcoming"] = self.upcoming(row)
        data["counter"]["today"] = self.served_today(number)
        return data

    def ticket_by_token(self, token: str) -> TicketRow | None:
        return self.session.execute(
            select(TicketRow)
            .where(TicketRow.centre_id == self.ctx.centre_id, TicketRow.token == token)
            .order_by(TicketRow.id.desc())
            .limit(1)
        ).scalar_one_or_none()
