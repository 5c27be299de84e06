"""Remote numbers (issue 17): taking one on a phone, checking in at the centre, what
each call does to the remote numbers not yet checked in, the outward notices, and the
centre's settings.  The rules are kiosk/core/remote.py's; docs/remote.md tells them.

Every write that can race "next" (issuing a remote number, checking in) takes the
centre's lock first, as "next" does: a check-in commits wholly before or after a call,
so a call never sees half of one (tests/integration/remote_concurrency.py, run by
test_concurrency.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select, update

from kiosk import rooms
from kiosk.core import numbering, policy
from kiosk.core import remote as rules_core
from kiosk.core.errors import Conflict, Localised, NotFound
from kiosk.core.model import Event, Ticket
from kiosk.events import Outgoing
from kiosk.notices import Notice
from kiosk.store import repository as repo
from kiosk.store import setup_cache
from kiosk.store.tables import CentreRow, RemoteTicketRow, TicketRow
from kiosk.usecases import audit, tickets
from kiosk.usecases.context import QueueContext
from kiosk.usecases.read_models import QueueReader, iso
from kiosk.usecases.remote_standing import RemoteRequest, rules_of

NEAR_LOOK_AHEAD = 20  # remote numbers of a field looked at for "near" after a call
NAMES_THE_FIELD = ("remote_off", "remote_share_full")  # refusals that name the field


def settings_rules(ctx: QueueContext) -> rules_core.RemoteRules:
    with ctx.store.read() as session:
        return rules_in(session, ctx)


def rules_in(session, ctx: QueueContext) -> rules_core.RemoteRules:
    """The centre's remote rules as this transaction's set-up has them (parsed once per
    set-up: every call asks)."""
    setup = setup_cache.setup(session, ctx.centre_id)
    rules = setup.derived.get("remote_rules")
    if rules is None:
        rules = setup.derived.setdefault("remote_rules", rules_of(setup.centre.settings))
    return rules


def remote_fields(ctx: QueueContext) -> list[dict]:
    """The fields that give remote numbers now, for the /remote page."""
    with ctx.store.read() as session:
        reader = QueueReader(ctx, session)
        rules = rules_of(reader.centre.settings)
        return [
            {
                **s,
                "bring": rules.field(s["code"]).bring,
                "bring_en": rules.field(s["code"]).bring_en,
            }
            for s in reader.service_list()
            if rules.field(s["code"]).enabled
        ]


def take(ctx: QueueContext, service: str, phone: str, citizen_id: str = "") -> dict:
    """A remote number of `service` for the holder of `phone`: placed now, called only
    after check-in.  Refused (Conflict/InvalidInput) when a limit applies."""
    try:
        issued = tickets.issue_ticket(
            ctx,
            tickets.IssueRequest(
                service=service,
                source="remote",
                remote=RemoteRequest(phone=phone, citizen_id=citizen_id),
            ),
        )
    except Conflict as refused:
        if refused.code not in NAMES_THE_FIELD:
            raise
        # the citizen reads the field's name (in English its English name), not its code
        params = {**refused.params, "service": _field_names(ctx, service)}
        raise Conflict(refused.code, **params) from None
    ticket = issued.ticket
    near_notices(ctx, ticket["service"])  # a short queue: "come now" at once
    return ticket


def _field_names(ctx: QueueContext, code: str) -> Localised | str:
    with ctx.store.read() as session:
        found = QueueReader(ctx, session).service_by_code.get(code)
    return Localised(found.name, found.name_en or "") if found is not None else code


def check_in(ctx: QueueContext, token: str, by: str, user_id: int | None = None) -> dict:
    """The citizen is at the centre (scanned at a kiosk, tapped "I am here" on the
    centre's network, or a clerk checked them in): the ticket joins the waiting queue at
    its own place, or at the end if it lost it.  Answers the holder's view."""
    now = ctx.now()
    with ctx.store.write() as session:
        repo.lock_centre(session, ctx.centre_id)  # one at a time with "next"
        remote = session.execute(
            select(RemoteTicketRow)
            .where(RemoteTicketRow.centre_id == ctx.centre_id, RemoteTicketRow.token == token)
            .with_for_update()
        ).scalar_one_or_none()
        if remote is None:
            raise NotFound("remote_unknown", ticket=token[:64])
        row = repo.ticket_row(session, ctx.centre_id, remote.ticket_id, lock=True)
        code_by_id = {s.id: s.code for s in repo.services_of(session, ctx.centre_id)}
        ticket = repo.to_ticket(row, code_by_id)
        standing = rules_core.Standing(remote.passed, remote.lost_at is not None)
        waiting, events = rules_core.check_in(ticket, standing, now, by)
        repo.apply_ticket(row, waiting, {v: k for k, v in code_by_id.items()})
        session.flush()
        repo.add_events(session, ctx.centre_id, events, user_id=user_id)
        remote.checked_in_at, remote.checked_in_by = now, by
        if by == "clerk":
            audit.record(
                session,
                ctx.centre_id,
                now,
                user_id,
                "ticket.check_in",
                row.number,
                {"kept_place": not standing.lost},
            )
        ticket_id = row.id
    return _publish_ticket(ctx, ticket_id, queue=True)


def check_in_number(ctx: QueueContext, ticket_number: str, user_id: int | None = None) -> dict:
    """A clerk at a counter without a scanner checks in the holder of a number by phone,
    typing it as the phone shows it ("A012"): today's ticket of that number.  Refused
    when there is none (`unknown_ticket`), when it was not taken by phone
    (`remote_not_by_phone`) or is checked in already (`remote_already_checked_in`)."""
    wanted = numbering.parse_number(ticket_number)
    day = numbering.business_day(ctx.now(), ctx.tz)
    with ctx.store.read() as session:
        found = session.execute(
            repo.latest_by_number(
                select(TicketRow.id, RemoteTicketRow.token).outerjoin(
                    RemoteTicketRow, RemoteTicketRow.ticket_id == TicketRow.id
                ),
                ctx.centre_id,
                wanted,
                day,
            )
        ).first()
    if found is None:
        raise NotFound("unknown_ticket", ticket=wanted)
    if found.token is None:
        raise Conflict("remote_not_by_phone", number=wanted)
    return check_in(ctx, found.token, "clerk", user_id=user_id)


def waiting_for_check_in(ctx: QueueContext, token: str) -> bool:
    """Whether `token` is a number by phone not checked in yet."""
    with ctx.store.read() as session:
        return (
            session.execute(
                select(TicketRow.id)
                .join(RemoteTicketRow, RemoteTicketRow.ticket_id == TicketRow.id)
                .where(
                    RemoteTicketRow.centre_id == ctx.centre_id,
                    RemoteTicketRow.token == token,
                    TicketRow.status == "remote",
                )
            ).first()
            is not None
        )


def is_remote_token(ctx: QueueContext, token: str) -> bool:
    with ctx.store.read() as session:
        return (
            session.execute(
                select(RemoteTicketRow.id).where(
                    RemoteTicketRow.centre_id == ctx.centre_id, RemoteTicketRow.token == token
                )
            ).first()
            is not None
        )


def note_call(session, ctx: QueueContext, called: Ticket, service_id: int, now) -> list[str]:
    """In "next"'s transaction, under the centre's lock: the call of `called` passes the
    turn of the remote numbers of its field queued before it and not yet checked in
    (core.remote.after_call); those that reach the centre's limit lose their place.
    Returns the tokens that just lost it.  One index lookup, usually finding nothing."""
    if called.priority or called.target_counter is not None:
        return []
    if not repo.remote_passed_by_call(session, ctx.centre_id, service_id, called.queued_at):
        return []  # the usual answer, from one statement built once
    found = session.execute(
        select(TicketRow, RemoteTicketRow)
        .join(RemoteTicketRow, RemoteTicketRow.ticket_id == TicketRow.id)
        .where(
            TicketRow.centre_id == ctx.centre_id,
            TicketRow.status == "remote",
            TicketRow.service_id == service_id,
            TicketRow.queued_at <= called.queued_at,
        )
    ).all()
    if not found:
        return []
    rules = rules_in(session, ctx)
    lost_tokens = []
    events = []
    for row, remote in found:
        ticket = repo.to_ticket(row, {service_id: called.service_code})
        standing = rules_core.Standing(remote.passed, remote.lost_at is not None)
        after, lost = rules_core.after_call(called, ticket, standing, rules.lose_place_after)
        if after != standing:
            remote.passed = after.passed
        if lost:
            remote.lost_at = now
            lost_tokens.append(row.token)
            events.append(Event("lost_place", now, row.id, None, {"passed": after.passed}))
    session.flush()
    repo.add_events(session, ctx.centre_id, events)
    return lost_tokens


def after_call(
    ctx: QueueContext,
    called: dict | None,
    lost_tokens: Iterable[str],
    rules: rules_core.RemoteRules | None = None,
) -> None:
    """After a call committed: tell the phones whose ticket lost its place, send
    "ticket.called" for a remote number, and "ticket.near" to those now near.  `rules`:
    the centre's remote rules as the call's transaction read them (else read now)."""
    for token in lost_tokens:
        _publish_ticket(ctx, token=token)
    if called is None:
        return
    rules = rules if rules is not None else settings_rules(ctx)
    if not rules.webhook_url or ctx.notifier is None:
        return
    with ctx.store.read() as session:
        remote = session.execute(
            select(RemoteTicketRow).where(
                RemoteTicketRow.centre_id == ctx.centre_id,
                RemoteTicketRow.token == called["token"],
            )
        ).scalar_one_or_none()
        if remote is not None:
            reader = QueueReader(ctx, session)
            row = session.get(TicketRow, called["id"])
            ctx.notifier.notify(_notice(ctx, reader, rules, "ticket.called", row, remote))
    near_notices(ctx, called["service"])


def near_notices(ctx: QueueContext, service: str) -> int:
    """Send "ticket.near" to the remote numbers of `service` with at most `near_ahead`
    people ahead that were not told yet (once each, whichever hub process gets there
    first).  Returns how many were sent."""
    rules = settings_rules(ctx)
    if not rules.webhook_url or ctx.notifier is None:
        return 0
    sent = 0
    with ctx.store.write() as session:
        reader = QueueReader(ctx, session)
        service_row = reader.service_by_code.get(service)
        if service_row is None:
            return 0
        found = session.execute(
            select(TicketRow, RemoteTicketRow)
            .join(RemoteTicketRow, RemoteTicketRow.ticket_id == TicketRow.id)
            .where(
                RemoteTicketRow.centre_id == ctx.centre_id,
                RemoteTicketRow.service_id == service_row.id,
                RemoteTicketRow.near_at.is_(None),
                TicketRow.status.in_(("remote", "waiting")),
            )
            .order_by(TicketRow.queued_at, TicketRow.id)
            .limit(NEAR_LOOK_AHEAD)
        ).all()
        for row, remote in found:
            counts = repo.ahead_counts(session, row)
            ahead = policy.people_ahead_of(bool(row.priority), counts, reader.policy)
            if ahead > rules.near_ahead:
                continue
            claimed = session.execute(
                update(RemoteTicketRow)
                .where(RemoteTicketRow.id == remote.id, RemoteTicketRow.near_at.is_(None))
                .values(near_at=ctx.now())
            ).rowcount
            if claimed:
                ctx.notifier.notify(_notice(ctx, reader, rules, "ticket.near", row, remote))
                sent += 1
    return sent


def _notice(
    ctx: QueueContext,
    reader: QueueReader,
    rules: rules_core.RemoteRules,
    event: str,
    row: TicketRow,
    remote: RemoteTicketRow,
) -> Notice:
    """The signed JSON body of one outward notice (docs/remote.md, "Webhook")."""
    ticket = reader.public_ticket(row)
    payload = {
        "event": event,
        "id": uuid.uuid4().hex,  # one per notice: a receiver drops a retry it already has
        "sent_at": iso(ctx.now()),
        "centre": {"code": reader.centre.code, "name": reader.centre.name},
        "phone": remote.phone,
        "ticket": {
            "number": ticket["number"],
            "service": ticket["service"],
            "service_name": ticket["service_name"],
            "service_name_en": ticket["service_name_en"],
            "status": ticket["status"],
            "people_ahead": ticket["people_ahead"],
            "estimated_wait_s": ticket["estimated_wait_s"],
            "checked_in": remote.checked_in_at is not None,
            "counter": ticket["counter"],
            "counter_name": ticket.get("counter_name"),
            "counter_name_en": ticket.get("counter_name_en"),
            "status_url": ctx.status_url(row.token),
        },
    }
    return Notice(rules.webhook_url, rules.webhook_secret, event, payload)


def _publish_ticket(
    ctx: QueueContext, ticket_id: int | None = None, *, token: str = "", queue: bool = False
) -> dict:
    with ctx.store.read() as session:
        reader = QueueReader(ctx, session)
        if ticket_id is not None:
            row = session.get(TicketRow, ticket_id)
        else:
            row = reader.ticket_by_token(token)
        holder = reader.holder_ticket(row)
        queue_payload = reader.queue_payload() if queue else None
    out = [Outgoing("ticket", holder, (rooms.ticket(ctx.centre_id, holder["token"]),))]
    if queue_payload is not None:
        out.append(Outgoing("queue", queue_payload, rooms.queue_audience(ctx.centre_id)))
    ctx.publish(out)
    return holder


# -- the centre's settings (the admin page /admin/remote) ---------------------------------


def update_settings(ctx: QueueContext, user_id: int | None, rules: rules_core.RemoteRules) -> dict:
    """Store the centre's remote-number settings; every change is audited
    (`remote.update`, old and new value of each setting that changed; the webhook
    secret is never written to the log)."""
    rules.check()
    new = rules.to_settings()
    with ctx.store.write() as session:
        centre = session.get(CentreRow, ctx.centre_id)
        settings = dict(centre.settings or {})
        old = rules_of(settings).to_settings()
        changed = {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}
        if "webhook_secret" in changed:
            changed["webhook_secret"] = ["…", "…"]
        if changed:
            centre.settings = {**settings, "remote": new}
            audit.record(session, ctx.centre_id, ctx.now(), user_id, "remote.update", "", changed)
    return changed
