"""The database tables.  Every row belongs to one centre, so many centres can
share a database; every state change of a ticket or counter is an `events` row."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kiosk.store.types import UTCDateTime


class Base(DeclarativeBase):
    pass


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


class PriorityGroupRow(Base):
    __tablename__ = "priority_groups"
    __table_args__ = (UniqueConstraint("centre_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(String(300), default="")
    description_en: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class ServiceRow(Base):
    __tablename__ = "services"
    __table_args__ = (
        UniqueConstraint("centre_id", "code"),
        UniqueConstraint("centre_id", "prefix"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
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


class CounterRow(Base):
    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("centre_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(16), default="open")
    pause_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    current_ticket_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    current_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class CounterServiceRow(Base):
    __tablename__ = "counter_services"

    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("centre_id", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
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


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("centre_id", "idempotency_key"),
        Index("ix_tickets_queue", "centre_id", "status", "service_id", "queued_at"),
        Index("ix_tickets_day", "centre_id", "business_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
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


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_centre_at", "centre_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    ticket_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    counter_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class RatingRow(Base):
    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    counter_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    score: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class PrintJobRow(Base):
    """A ticket waiting to be (re)printed: stored with the ticket, so a crash loses no print."""

    __tablename__ = "print_jobs"
    __table_args__ = (Index("ix_print_jobs_pending", "centre_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    # None: an admin's test print (a sample ticket, no citizen waits for it)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True)
    printer: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending printed failed
    error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AppointmentRow(Base):
    """A booked number (online or by phone) that becomes a ticket at check-in."""

    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint("centre_id", "code"),
        Index("ix_appointments_day", "centre_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    code: Mapped[str] = mapped_column(String(64))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    day: Mapped[date] = mapped_column(Date)
    slot_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the booked time
    name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    person_id: Mapped[str] = mapped_column(String(32), default="")  # who, for the daily limits
    state: Mapped[str] = mapped_column(String(16), default="booked")  # booked checked_in cancelled
    ticket_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


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


class AuditRow(Base):
    """Who did what, when: admin changes and clerk counter actions (kiosk.usecases.audit)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_centre_at", "centre_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: a device or the hub
    action: Mapped[str] = mapped_column(String(48))  # e.g. service.update, counter.next
    target: Mapped[str] = mapped_column(String(120), default="")  # what it acted on: "HT", "3"
    details: Mapped[dict] = mapped_column(JSON, default=dict)
