"""The database tables.  Every row belongs to one centre, so many centres can
share a database; every state change of a ticket or counter is an `events` row."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from kiosk.store.types import UTCDateTime


class Base(DeclarativeBase):
    pass


class OfCentre:
    """A row of one centre's, with an id of its own (every table but `centres` and those
    keyed by the centre alone); the two columns come first."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-3)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), sort_order=-2)


class NamedDevice(Base, OfCentre):
    """A device of the centre's set-up (agent, printer, scanner, kiosk): a name used once
    per centre, which never changes (jobs, status and pairing carry it)."""

    __abstract__ = True

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (UniqueConstraint("centre_id", "name"),)

    name: Mapped[str] = mapped_column(String(64), sort_order=-1)


class CentreRow(Base):
    __tablename__ = "centres"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    policy_mode: Mapped[str] = mapped_column(String(16), default="strict")
    normal_per_priority: Mapped[int] = mapped_column(Integer, default=3)
    transfer_keeps_place: Mapped[bool] = mapped_column(Boolean, default=True)
    # The interleave policy's memory; this row is locked while "next" decides.
    normal_since_priority: Mapped[int] = mapped_column(Integer, default=0)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)


class CentreHostRow(Base):
    """A host name that means one centre (its centre file's `hosts`): a request for it,
    without a /c/{code} prefix, is that centre's (kiosk/runtime/hub.py).  One centre per
    name, so the name is the key."""

    __tablename__ = "centre_hosts"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)


class PriorityGroupRow(Base, OfCentre):
    __tablename__ = "priority_groups"
    __table_args__ = (UniqueConstraint("centre_id", "code"),)

    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(String(300), default="")
    description_en: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # A citizen ID card whose holder is this old or older proposes the group (core.citizen_id)
    min_age: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ServiceRow(Base, OfCentre):
    __tablename__ = "services"
    __table_args__ = (
        UniqueConstraint("centre_id", "code"),
        UniqueConstraint("centre_id", "prefix"),
    )

    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    prefix: Mapped[str] = mapped_column(String(2))
    daily_cap: Mapped[int | None] = mapped_column(Integer, nullable=True)
    target_wait_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # {"mon-fri": ["07:30-11:30"]}: this field's own hours; None = the centre's hours
    opening_hours: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class CounterRow(Base, OfCentre):
    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("centre_id", "number"),)

    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")  # "Counter 3" on English screens
    state: Mapped[str] = mapped_column(String(16), default="open")
    # a code (break, lunch, meeting, helping, dossiers) each screen names in its own
    # language, or the clerk's own words for another reason
    pause_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    current_ticket_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    current_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class CounterServiceRow(Base):
    __tablename__ = "counter_services"

    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class UserRow(Base, OfCentre):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("centre_id", "username"),)

    # No centre: a province role (province_admin, province_supervisor), at every centre.
    centre_id: Mapped[int | None] = mapped_column(
        ForeignKey("centres.id"), nullable=True, sort_order=-2
    )
    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(32))  # "province_supervisor" is 19
    counter_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Raised by every change that must end the user's earlier sessions and API tokens
    # (password, role, deactivation): part of kiosk.auth.credential_stamp.
    credential_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DailySequenceRow(Base):
    """The atomic per-service daily counter tickets take their numbers from."""

    __tablename__ = "daily_sequences"

    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class SetupVersionRow(Base):
    """Raised in the same transaction as every change to a centre's set-up (its settings,
    fields, priority groups, counters and their fields): each hub process keeps the set-up
    in memory while this number stays the same (kiosk/store/setup_cache.py).  No row: 0."""

    __tablename__ = "setup_versions"

    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class TicketRow(Base, OfCentre):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("centre_id", "idempotency_key"),
        Index("ix_tickets_queue", "centre_id", "status", "service_id", "queued_at"),
        Index("ix_tickets_day", "centre_id", "business_day"),
        # The longest wait of each field (its oldest issue time: one index probe); the
        # tickets sent to a counter and a field's priority tickets, a range each, for
        # "people ahead" and "next" (repository.waiting_summary, ahead_counts, queue_heads).
        Index("ix_tickets_waiting_since", "centre_id", "status", "service_id", "issued_at"),
        Index(
            "ix_tickets_classes", "centre_id", "status", "target_counter", "service_id", "priority"
        ),
        # The province report's legs, read from the index alone (reports_province.py).
        Index(
            "ix_tickets_report",
            "centre_id",
            "business_day",
            postgresql_include=[
                "service_id",
                "status",
                "parent_id",
                "issued_at",
                "called_at",
                "started_at",
                "finished_at",
            ],
        ).ddl_if(dialect="postgresql"),
    )

    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    number: Mapped[str] = mapped_column(String(12))
    seq: Mapped[int] = mapped_column(Integer)
    business_day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str | None] = mapped_column(String(32), nullable=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    target_counter: Mapped[int | None] = mapped_column(Integer, nullable=True)
    counter_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    parent_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    token: Mapped[str] = mapped_column(String(32), index=True)
    source: Mapped[str] = mapped_column(String(16), default="kiosk")
    kiosk: Mapped[str | None] = mapped_column(String(64), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # the dossier receipt code (mã hồ sơ) of a result pick-up, shown to the clerk
    dossier_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    appointment_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class EventRow(Base, OfCentre):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_centre_at", "centre_id", "at"),
        # Who called in the last hour, today's calls: the calls alone, not every event.
        Index("ix_events_calls", "centre_id", "kind", "at", "counter_number"),
    )

    ticket_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    counter_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class RatingRow(Base, OfCentre):
    __tablename__ = "ratings"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    counter_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    score: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class PrintJobRow(Base, OfCentre):
    """A ticket waiting to be (re)printed: stored with the ticket, so a crash loses no print."""

    __tablename__ = "print_jobs"
    __table_args__ = (Index("ix_print_jobs_pending", "centre_id", "state"),)

    # None: an admin's test print (a sample ticket, no citizen waits for it)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True)
    printer: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="vi")  # the ticket's words: vi | en
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending printed failed
    error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AppointmentRow(Base, OfCentre):
    """A booked number (online or by phone) that becomes a ticket at check-in."""

    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint("centre_id", "code"),
        Index("ix_appointments_day", "centre_id", "day"),
    )

    code: Mapped[str] = mapped_column(String(64))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    day: Mapped[date] = mapped_column(Date)
    slot_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the booked time
    name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    # who, for the daily limits: the ID number's keyed hash (core.citizen_id.person_key)
    person_id: Mapped[str] = mapped_column(String(32), default="")
    state: Mapped[str] = mapped_column(String(16), default="booked")  # booked checked_in cancelled
    ticket_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RemoteTicketRow(Base, OfCentre):
    """What only a remote number has (kiosk/core/remote.py): who took it, for the limits
    and the outward notices, and its standing until check-in.  One row per visit: it
    names the visit's first ticket and its token (a transfer keeps the token)."""

    __tablename__ = "remote_tickets"
    __table_args__ = (
        UniqueConstraint("ticket_id"),
        Index("ix_remote_tickets_day", "centre_id", "business_day"),
        Index("ix_remote_tickets_token", "centre_id", "token"),
    )

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    token: Mapped[str] = mapped_column(String(32))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    business_day: Mapped[date] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(String(16))  # digits, +84 written as 0
    # the citizen ID number's keyed hash (core.citizen_id.person_key), "" when not given
    person_key: Mapped[str] = mapped_column(String(32), default="")
    passed: Mapped[int] = mapped_column(Integer, default=0)  # calls that passed its turn
    lost_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    checked_in_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    near_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DeviceStatusRow(Base):
    """The last known state of a device, written by the process that owns it and
    read by every hub process (health checks, kiosks deciding to show the number)."""

    __tablename__ = "device_status"

    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(96), primary_key=True)  # printer:NAME, scanner:NAME
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DeviceTokenRow(Base):
    """A kiosk, lobby display or counter screen paired by an admin.  Only a hash of
    the token is kept, so a copy of the database cannot be used to pose as a device."""

    __tablename__ = "device_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # kiosk | display | counter_screen
    name: Mapped[str] = mapped_column(String(64))  # kiosk name, display name or counter number
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LobbyVoiceRow(Base, OfCentre):
    """The languages one paired lobby TV (device token of kind "display", by its name)
    announces calls in, in order, and optionally another order for the night hours
    (`night_from`–`night_to`, "HH:MM" in the centre's time zone; from 18:00 to 07:00
    spans midnight).  Kept by name, so a TV paired again keeps its languages
    (kiosk/usecases/lobby_voices.py)."""

    __tablename__ = "lobby_voices"
    __table_args__ = (UniqueConstraint("centre_id", "name"),)

    name: Mapped[str] = mapped_column(String(64))
    languages: Mapped[list] = mapped_column(JSON, default=list)
    night_languages: Mapped[list] = mapped_column(JSON, default=list)  # empty: no night order
    night_from: Mapped[str | None] = mapped_column(String(5), nullable=True)
    night_to: Mapped[str | None] = mapped_column(String(5), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditRow(Base, OfCentre):
    """Who did what, when: admin changes and clerk counter actions (kiosk.usecases.audit)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_centre_at", "centre_id", "at"),)

    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: a device or the hub
    action: Mapped[str] = mapped_column(String(48))  # e.g. service.update, counter.next
    target: Mapped[str] = mapped_column(String(120), default="")  # what it acted on: "HT", "3"
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class LoginFailureRow(Base):
    """Wrong passwords per account (kiosk/ratelimit.py): shared by every hub process, so
    spreading guesses over addresses or processes gains nothing.  `username_key` is the
    name as kiosk.textrules.username_key folds it, whether or not such a user exists."""

    __tablename__ = "login_failures"

    centre_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# -- devices (kiosk/usecases/device_config.py) -------------------------------------------
# Seeded from the centre file once (`device_setups` row present = seeded), then changed on
# /admin/devices.  Devices refer to each other by name (a kiosk's printer, a printer's
# agent): names are what print jobs, device status and pairing tokens carry, so a name
# never changes; an admin removes a device and adds it under the new name.


class DeviceSetupRow(Base):
    """A centre's device set-up as a whole: `version` goes up with every change, so a
    device owner in another process (`motcua devices run`, an agent) notices it."""

    __tablename__ = "device_setups"

    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AgentRow(NamedDevice):
    """A device agent (`motcua agent`): a small process at the centre driving the printers
    and scanners that name it."""

    __tablename__ = "agents"


class PrinterRow(NamedDevice):
    """A ticket printer (URL schemes: devices/printer/url.py); `agent` None: the hub or
    `motcua devices run` drives it."""

    __tablename__ = "printers"
    url: Mapped[str] = mapped_column(String(300))
    paper_mm: Mapped[int] = mapped_column(Integer, default=80)
    text_mode: Mapped[str] = mapped_column(String(16), default="raster")
    timeout_s: Mapped[float] = mapped_column(Float, default=5.0)
    codepage: Mapped[int] = mapped_column(Integer, default=52)
    agent: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ScannerRow(NamedDevice):
    """A serial scanner (devices/scanner/config.py); `options` holds the framing keys a
    centre set (baudrate, terminator, prefix, suffix, max_length, duplicate_window_s)."""

    __tablename__ = "scanners"
    url: Mapped[str] = mapped_column(String(300))
    use: Mapped[str] = mapped_column(String(80))  # kiosk:NAME | counter:N
    agent: Mapped[str | None] = mapped_column(String(64), nullable=True)
    options: Mapped[dict] = mapped_column(JSON, default=dict)


class KioskRow(NamedDevice):
    """A kiosk page's name (`/kiosk/NAME`) and the printer its tickets come out of."""

    __tablename__ = "kiosks"
    printer: Mapped[str | None] = mapped_column(String(64), nullable=True)


class VoicePackRow(Base):
    """A voice pack recorded at the hub (display/recorded.py), one per spoken language of
    the installation (`code`: "hmn", "tdd", or "vi" to replace the shipped espeak voice).
    Installation-wide, like the shipped packs: every centre of a province may use it."""

    __tablename__ = "voice_packs"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    licence: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VoiceClipRow(Base):
    """One recorded clip of a pack: the finished WAV (trimmed, at one loudness) and what
    is said in it.  `digest` names this recording in its URL, so a re-recorded clip is a
    new URL and a day of browser caching never plays the old one."""

    __tablename__ = "voice_clips"

    pack_id: Mapped[int] = mapped_column(
        ForeignKey("voice_packs.id", ondelete="CASCADE"), primary_key=True
    )
    slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(String(300), default="")
    audio: Mapped[bytes] = mapped_column(LargeBinary)
    digest: Mapped[str] = mapped_column(String(16))
    duration_ms: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
