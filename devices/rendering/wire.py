"""A ticket as JSON: how the hub hands a `TicketPrint` to whoever drives the printer.

The hub builds the ticket's data once (kiosk.usecases.print_jobs.job_content) and
both printer owners turn it back into a `TicketPrint` here: the hub's own print
service and a device agent on the centre's network (devices/agent), so a ticket
looks the same whichever of them prints it.
"""

from __future__ import annotations

from dataclasses import asdict, fields, replace
from datetime import datetime

from devices.rendering.ticket import TicketLabels, TicketPrint

# Marks a ticket the agent may already have printed once (killed between the last byte
# and its journal write): staff at the kiosk know the second paper is the same number.
REPRINT_MARK = "IN LẠI · REPRINT"

_FIELDS = {f.name for f in fields(TicketPrint)}
_LABELS = {f.name for f in fields(TicketLabels)}


def ticket_to_wire(ticket: TicketPrint) -> dict:
    """JSON-ready: `issued_at` as ISO 8601 with its offset, labels as a plain object."""
    data = asdict(ticket)
    data["issued_at"] = ticket.issued_at.isoformat()
    return data


def ticket_from_wire(data: dict) -> TicketPrint:
    """The `TicketPrint` of `ticket_to_wire`'s output; unknown keys (a newer hub) are ignored."""
    values = {k: v for k, v in data.items() if k in _FIELDS}
    values["issued_at"] = datetime.fromisoformat(data["issued_at"])
    labels = data.get("labels") or {}
    values["labels"] = TicketLabels(**{k: v for k, v in labels.items() if k in _LABELS})
    return TicketPrint(**values)


def marked_reprint(ticket: TicketPrint) -> TicketPrint:
    """The same ticket with REPRINT_MARK at the start of its footer."""
    footer = f"{REPRINT_MARK} — {ticket.footer}" if ticket.footer else REPRINT_MARK
    return replace(ticket, footer=footer)
