"""Pairing kiosks, lobby displays, counter screens and device agents with the hub.

An admin issues a token for one device; the device presents it (a cookie
set by /pair/{token}, an `X-Device-Token` header, or `token` in a Socket.IO
`subscribe`; a device agent, `motcua agent --token`, in its Socket.IO connect).
Revoking an agent's token tells the agent (`revoked`), which stops.  A centre with `require_device_tokens` on serves kiosk and
display pages, ticket issuing and screen subscriptions only to paired
devices (or logged-in staff).  Only a SHA-256 of the token is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from kiosk import rooms
from kiosk.core.errors import InvalidInput, NotFound
from kiosk.events import Outgoing
from kiosk.store import Store
from kiosk.store.tables import CentreRow, CounterRow, DeviceTokenRow
from kiosk.usecases import audit
from kiosk.usecases.context import QueueContext
from kiosk.usecases.read_models import iso

# Screens and kiosks open pages, routes and subscriptions; an agent's token opens only
# the /agent namespace (kiosk/realtime_agent.py).
SCREEN_KINDS = ("kiosk", "display", "counter_screen")
KINDS = (*SCREEN_KINDS, "agent")
# last_seen_at is a hint for the admin page, not an audit trail: write it at most this often.
SEEN_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Device:
    id: int
    kind: str
    name: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def pair(ctx: QueueContext, kind: str, name: str, *, by_user: int | None = None) -> dict:
    """A new token for one device; the raw token is returned once and never stored."""
    if kind not in KINDS:
        raise InvalidInput("bad_request", detail=f"kind must be one of {', '.join(KINDS)}")
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise InvalidInput("bad_request", detail="name must be 1 to 64 characters")
    token = secrets.token_urlsafe(24)
    with ctx.store.write() as session:
        if kind == "counter_screen":
            if (
                not name.isdigit()
                or not session.execute(
                    select(CounterRow.id).where(
                        CounterRow.centre_id == ctx.centre_id, CounterRow.number == int(name)
                    )
                ).first()
            ):
                raise InvalidInput(
                    "bad_request", detail="a counter screen is named by its counter number"
                )
        row = DeviceTokenRow(
            centre_id=ctx.centre_id,
            kind=kind,
            name=name,
            token_hash=_hash(token),
            created_at=ctx.now(),
            created_by=by_user,
        )
        session.add(row)
        session.flush()
        described = _describe(row)
        audit.record(session, ctx.centre_id, ctx.now(), by_user, "device.pair", f"{kind}:{name}")
    return {**described, "token": token, "pair_path": f"/pair/{token}"}


def revoke(ctx: QueueContext, token_id: int, *, by_user: int | None = None) -> dict:
    """Revoke a token; a device agent connected with it is told and stops."""
    out = []
    with ctx.store.write() as session:
        row = session.get(DeviceTokenRow, token_id)
        if row is None or row.centre_id != ctx.centre_id:
            raise NotFound("not_found", what=f"device token {token_id}")
        if row.revoked_at is None:
            row.revoked_at = ctx.now()
            audit.record(
                session,
                ctx.centre_id,
                ctx.now(),
                by_user,
                "device.revoke",
                f"{row.kind}:{row.name}",
            )
            if row.kind == "agent":
                message = {
                    "error": "device_revoked",
                    "message": "this agent's token was revoked",
                    "token": row.token_hash[:16],  # which one, if an agent was paired twice
                }
                out.append(Outgoing("revoked", message, (rooms.agent(ctx.centre_id, row.name),)))
        described = _describe(row)
    ctx.publish(out)
    return described


def set_required(ctx: QueueContext, required: bool, *, by_user: int | None = None) -> None:
    """Switch the centre between "any device on the LAN" and "paired devices only"."""
    with ctx.store.write() as session:
        centre = session.get(CentreRow, ctx.centre_id, with_for_update=True)
        settings = dict(centre.settings or {})
        if bool(settings.get("require_device_tokens", False)) == required:
            return
        settings["require_device_tokens"] = required
        centre.settings = settings  # a new dict, so SQLAlchemy sees the JSON change
        audit.record(
            session, ctx.centre_id, ctx.now(), by_user, "centre.require_device_tokens", required
        )


def list_tokens(ctx: QueueContext) -> list[dict]:
    with ctx.store.read() as session:
        rows = session.execute(
            select(DeviceTokenRow)
            .where(DeviceTokenRow.centre_id == ctx.centre_id)
            .order_by(DeviceTokenRow.kind, DeviceTokenRow.name, DeviceTokenRow.id)
        ).scalars()
        return [_describe(row) for row in rows]


def verify(ctx: QueueContext, token: str | None) -> Device | None:
    """The paired device behind `token`, or None (unknown, revoked, other centre)."""
    if not token or len(token) > 128:
        return None
    with ctx.store.read() as session:
        row = session.execute(
            select(DeviceTokenRow).where(DeviceTokenRow.token_hash == _hash(token))
        ).scalar_one_or_none()
        if row is None or row.revoked_at is not None or row.centre_id != ctx.centre_id:
            return None
        device = Device(row.id, row.kind, row.name)
        stale = row.last_seen_at is None or ctx.now() - row.last_seen_at > SEEN_RESOLUTION
    if stale:
        with ctx.store.write() as session:
            row = session.get(DeviceTokenRow, device.id)
            row.last_seen_at = ctx.now()
    return device


def centre_of(store: Store, token: str | None) -> int | None:
    """The centre a device token belongs to (revoked or not), or None: a pairing link or a
    device agent names no centre, its token does."""
    if not token or len(token) > 128:
        return None
    with store.read() as session:
        return session.execute(
            select(DeviceTokenRow.centre_id).where(DeviceTokenRow.token_hash == _hash(token))
        ).scalar_one_or_none()


def refusal(ctx: QueueContext, token: str | None) -> str:
    """Why `token` opens nothing: "device_revoked" (it was revoked) or "device_not_paired"
    (unknown, or another centre's), for a device that must say why it stops."""
    if token and len(token) <= 128:
        with ctx.store.read() as session:
            row = session.execute(
                select(DeviceTokenRow).where(DeviceTokenRow.token_hash == _hash(token))
            ).scalar_one_or_none()
            if row is not None and row.centre_id == ctx.centre_id and row.revoked_at is not None:
                return "device_revoked"
    return "device_not_paired"


def tokens_required(ctx: QueueContext) -> bool:
    with ctx.store.read() as session:
        centre = session.get(CentreRow, ctx.centre_id)
        return bool((centre.settings or {}).get("require_device_tokens", False))


def _describe(row: DeviceTokenRow) -> dict:
    return {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "created_at": iso(row.created_at),
        "last_seen_at": iso(row.last_seen_at),
        "revoked": row.revoked_at is not None,
    }
