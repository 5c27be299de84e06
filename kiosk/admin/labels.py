"""Names the admin pages show for audit actions, roles and ticket states."""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l

from kiosk.admin.blueprint import bp
from kiosk.messages import status_name

ACTIONS = {
    "service.add": _l("Field added"),
    "service.update": _l("Field changed"),
    "counter.add": _l("Counter added"),
    "counter.update": _l("Counter changed"),
    "counter.remove": _l("Counter removed"),
    "policy.update": _l("Priority rule changed"),
    "priority.add": _l("Priority group added"),
    "priority.update": _l("Priority group changed"),
    "priority.remove": _l("Priority group removed"),
    "user.add": _l("User added"),
    "user.update": _l("User changed"),
    "user.activate": _l("User reactivated"),
    "user.deactivate": _l("User deactivated"),
    "user.password": _l("Password reset"),
    "centre.update": _l("Centre settings changed"),
    "display.update": _l("Display settings changed"),
    "display.lobby_voice": _l("Lobby display's languages changed"),
    "day.close": _l("Day closed"),
    "device.test_print": _l("Test print"),
    "printer.add": _l("Printer added"),
    "printer.update": _l("Printer changed"),
    "printer.remove": _l("Printer removed"),
    "scanner.add": _l("Scanner added"),
    "scanner.update": _l("Scanner changed"),
    "scanner.remove": _l("Scanner removed"),
    "kiosk.add": _l("Kiosk added"),
    "kiosk.update": _l("Kiosk changed"),
    "kiosk.remove": _l("Kiosk removed"),
    "agent.add": _l("Device agent added"),
    "agent.remove": _l("Device agent removed"),
    "ticket.reprint": _l("Ticket reprinted"),
    "counter.next": _l("Called next"),
    "counter.call": _l("Called a number"),
    "counter.recall": _l("Called again"),
    "counter.start": _l("Started serving"),
    "counter.finish": _l("Finished"),
    "counter.no_show": _l("No-show"),
    "counter.transfer": _l("Transferred"),
    "counter.pause": _l("Paused"),
    "counter.resume": _l("Resumed"),
    "ticket.cancel": _l("Ticket cancelled"),
}
ROLES = {"admin": _l("Administrator"), "supervisor": _l("Supervisor"), "clerk": _l("Clerk")}
BOOKING_STATES = {
    "booked": _l("booked"),
    "checked_in": _l("checked in"),
    "cancelled": _l("cancelled"),
}
DEVICE_STATES = {
    "online": _l("online"),
    "offline": _l("offline"),
    "fault": _l("fault"),
    "error": _l("error"),
    "unknown": _l("not heard from yet"),
}
PROBLEMS = {
    "paper_out": _l("paper out"),
    "paper_near_end": _l("paper near end"),
    "cover_open": _l("cover open"),
}


@bp.context_processor
def labels():
    return {
        "action_name": lambda code: ACTIONS.get(code, code),
        "role_name": lambda code: ROLES.get(code, code),
        "booking_state": lambda code: BOOKING_STATES.get(code, code),
        "ticket_state": lambda code: status_name(code) if code else "",
        "device_state": lambda code: DEVICE_STATES.get(code, code),
        "problem_name": lambda code: PROBLEMS.get(code, code),
        "as_json": lambda value: (
            json.dumps(value, ensure_ascii=False, default=str) if value else ""
        ),
    }
