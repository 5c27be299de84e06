"""User-facing texts of domain errors, by code.  Every text goes through
Flask-Babel; the English text is the message id, Vietnamese is the default."""

from __future__ import annotations

from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from kiosk.core.errors import Localised

MESSAGES = {
    "unknown_service": _l("There is no field with code %(service)s."),
    "unknown_counter": _l("There is no counter number %(counter)s."),
    "unknown_ticket": _l("Ticket %(ticket)s was not found."),
    "unknown_priority": _l("Unknown priority group %(priority)s."),
    "invalid_source": _l("Unknown ticket source %(source)s."),
    "invalid_prefix": _l("A ticket prefix is one or two capital letters, not %(prefix)s."),
    "invalid_ticket_number": _l("%(number)s is not a ticket number (for example A012)."),
    "service_full": _l("Field %(service)s has given all %(cap)s numbers for today."),
    "counter_busy": _l(
        "Counter %(counter)s is still serving %(number)s: finish it, mark it no-show or transfer it first."
    ),
    "counter_paused": _l("Counter %(counter)s is paused: resume it first."),
    "counter_not_paused": _l("Counter %(counter)s is not paused."),
    "counter_idle": _l("Counter %(counter)s is not serving anyone."),
    "illegal_transition": _l("Ticket %(number)s is %(status)s: it cannot be %(action)s now."),
    "not_your_ticket": _l("Ticket %(number)s is not held by counter %(counter)s."),
    "reserved_for_other_counter": _l("Ticket %(number)s was sent to counter %(counter)s."),
    "ticket_at_counter": _l("Ticket %(number)s is at counter %(counter)s and cannot be cancelled."),
    "transfer_target_required": _l("Choose either a field or a counter to transfer to."),
    "transfer_to_same_counter": _l("The citizen is already at counter %(counter)s."),
    "centre_closed": _l("The centre is closed now. Please come back during opening hours."),
    "invalid_hours": _l(
        'Opening hours %(hours)s are not valid (for example mon-fri = ["07:30-11:30"]).'
    ),
    "sequence_exhausted": _l("No more numbers can be given today."),
    "ticket_not_stored": _l("The ticket was not saved."),
    "unknown_printer": _l("There is no working printer named %(printer)s."),
    "duplicate_appointment": _l("Booking code %(booking)s already exists."),
    "booking_day_out_of_range": _l(
        "Bookings are for today or up to %(days)s days ahead, not %(day)s."
    ),
    "booking_limit_day": _l("One person may book at most %(limit)s numbers a day."),
    "booking_limit_field": _l(
        "One person may book at most %(limit)s number a day in the same field."
    ),
    "unknown_appointment": _l("Booking code %(booking)s was not found."),
    "already_checked_in": _l("Booking %(booking)s has already been checked in."),
    "appointment_other_day": _l("Booking %(booking)s is for %(day)s, not today."),
    "appointment_too_early": _l(
        "Your booking is at %(time)s: check-in opens %(minutes)s minutes before. You can take a normal number now."
    ),
    "appointment_too_late": _l(
        "Your booking was at %(time)s and check-in closed %(minutes)s minutes after it. Please take a normal number."
    ),
    "code_not_recognised": _l(
        "This code is not recognised. Please choose your field on the screen."
    ),
    # shown with the ticket a scan gave (not errors)
    "scan_checked_in": _l("Checked in for your booking at %(time)s."),
    "scan_pickup": _l("Result pick-up for dossier %(dossier)s."),
    # administration (/admin)
    "field_closed": _l("Field %(service)s is not taking numbers at this time."),
    "field_closed_until": _l(
        "Field %(service)s is not taking numbers now. It opens at %(reopens)s."
    ),
    "unknown_kiosk": _l("There is no kiosk named %(kiosk)s."),
    "invalid_idempotency_key": _l("An idempotency key has at most 64 characters."),
    "idempotency_key_reused": _l(
        "This idempotency key already gave number %(number)s for another field or group."
    ),
    "centre_closed_until": _l("The centre is closed now. It opens again at %(reopens)s."),
    "invalid_holiday": _l("%(day)s is not a date: write 2026-09-02 or 02/09/2026."),
    "name_required": _l("Please give a name."),
    "invalid_code": _l("A code is 1 to 16 letters, digits, - or _ (not %(code)s)."),
    "duplicate_code": _l("Code %(code)s is already used."),
    "duplicate_prefix": _l("Field %(service)s already gives numbers with %(prefix)s."),
    "invalid_counter_number": _l("A counter number is a whole number from 1 to 9999."),
    "duplicate_counter": _l("Counter %(counter)s already exists."),
    "invalid_order": _l("%(value)s is not a place in the order: write 1, 2, 3…"),
    "invalid_policy": _l("Choose strict or interleave."),
    "invalid_interleave": _l("N is a whole number from %(low)s to %(high)s."),
    "invalid_group_code": _l(
        "A group code is 1 to 32 small letters, digits, - or _ (not %(code)s)."
    ),
    "invalid_username": _l("A user name is 2 to 64 letters, digits, dots, - or _, no spaces."),
    "duplicate_user": _l("User name %(username)s is already taken."),
    "unknown_user": _l("There is no such user."),
    "invalid_role": _l("Unknown role %(role)s."),
    "password_too_short": _l("A password needs at least %(min)s characters."),
    "password_too_long": _l("A password has at most %(max)s characters."),
    "last_admin": _l("The centre needs at least one active administrator."),
    "cannot_deactivate_self": _l("You cannot deactivate your own account."),
    "invalid_timezone": _l("Unknown time zone %(timezone)s (for example Asia/Ho_Chi_Minh)."),
    "invalid_languages": _l("Choose at least one language for the calls."),
    "invalid_repeat": _l("Say each call from %(low)s to %(high)s times."),
    "invalid_rating_window": _l("Ratings are accepted for %(low)s to %(high)s minutes."),
    "bad_request": _l("The request is not valid: %(detail)s."),
    "invalid_json": _l("The request body must be a JSON object."),
    "login_required": _l("Please log in."),
    "bad_credentials": _l("Wrong user name or password."),
    "forbidden": _l("Your account may not do this."),
    "device_not_paired": _l(
        "This device is not paired with the hub. Ask the administrator for a pairing link."
    ),
    "not_found": _l("Not found."),
    "method_not_allowed": _l("This method is not allowed here."),
    "csrf_failed": _l("The form expired: reload the page and try again."),
    "rate_limited": _l("Too many requests: please wait a moment."),
    "database_unavailable": _l(
        "The database is not reachable right now: please try again shortly."
    ),
    "already_rated": _l("Ticket %(number)s has already been rated."),
    "not_rateable": _l("Ticket %(number)s can be rated only after it was served."),
    "invalid_score": _l("The rating must be a whole number from 1 to 5."),
    "invalid_reason": _l("Choose the reasons from those offered on the rating screen."),
    "comment_too_long": _l("A comment has at most %(max)s characters."),
    "rating_closed": _l(
        "Ticket %(number)s can no longer be rated: ratings are taken up to %(minutes)s minutes after service."
    ),
    "not_this_counter": _l(
        "Ticket %(number)s is not for counter %(counter)s: a clerk acts only on the tickets of their own counter."
    ),
    # reports (/reports, /api/v1/reports/summary)
    "invalid_report_day": _l("%(day)s is not a date: write %(name)s as YYYY-MM-DD."),
    "report_range_reversed": _l("The first day comes after the last day."),
    "report_range_too_long": _l("A report covers at most %(days)s days."),
    "internal_error": _l("Something went wrong on the hub; the error was logged."),
}


def message(code: str, **params: object) -> str:
    if params.get("reopens") and f"{code}_until" in MESSAGES:
        code = f"{code}_until"  # closed, and we know when it opens again: say so
    template = MESSAGES.get(code)
    if template is None:
        return code
    language = str(get_locale() or "vi")
    values = {
        k: ("" if v is None else v.in_language(language) if isinstance(v, Localised) else v)
        for k, v in params.items()
    }
    # A ticket's state and the refused action are codes ("no_show"): say them in words.
    if isinstance(values.get("status"), str):
        values["status"] = status_name(values["status"])
    if isinstance(values.get("action"), str):
        values["action"] = action_name(values["action"])
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return str(template)


def action_name(action: str) -> str:
    names = {
        "call": gettext("called"),
        "recall": gettext("recalled"),
        "start": gettext("started"),
        "finish": gettext("finished"),
        "no_show": gettext("marked no-show"),
        "cancel": gettext("cancelled"),
        "transfer": gettext("transferred"),
    }
    return names.get(action, action)


def status_name(status: str) -> str:
    names = {
        "waiting": gettext("waiting"),
        "called": gettext("called"),
        "serving": gettext("being served"),
        "done": gettext("done"),
        "no_show": gettext("no-show"),
        "cancelled": gettext("cancelled"),
        "transferred": gettext("transferred"),
        "closed_unserved": gettext("not served (day closed)"),
    }
    return names.get(status, status)
