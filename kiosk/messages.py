"""User-facing texts of domain errors, by code.  Every text goes through
Flask-Babel; the English text is the message id, Vietnamese is the default."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations
from flask import has_request_context
from flask_babel import force_locale, get_locale, pgettext
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
    "illegal_transition": _l('Ticket %(number)s is "%(status)s": it cannot be %(action)s now.'),
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
    "scan_checked_in": _l("Checked in: your booking is for %(time)s."),
    "scan_pickup": _l("Result pick-up for dossier %(dossier)s."),
    "scan_remote_checked_in": _l("Checked in: your number keeps its place in the queue."),
    "scan_counter_checked_in": _l("Number %(number)s checked in: it keeps its place in the queue."),
    "scan_remote_late": _l(
        "Checked in. Your number had lost its place: it is now at the end of the queue."
    ),
    # remote numbers (kiosk/core/remote.py, docs/remote.md)
    "remote_off": _l(
        "Field %(service)s does not give numbers by phone. Please take one at the centre."
    ),
    "remote_share_full": _l(
        "All %(limit)s numbers by phone for field %(service)s are taken today. Please take one at the centre."
    ),
    "remote_one_per_person": _l(
        "This phone number or ID number already holds a number for today. One at a time, please."
    ),
    "remote_already_checked_in": _l("Number %(number)s is already checked in."),
    "remote_not_checked_in": _l(
        "Number %(number)s was taken by phone and has not checked in at the centre yet."
    ),
    "remote_unknown": _l("This is not a number taken by phone."),
    "remote_not_by_phone": _l(
        "Number %(number)s was not taken by phone: it needs no check-in. Call it when its turn comes."
    ),
    "remote_not_at_centre": _l(
        "You do not seem to be at the centre. Connect to the centre's Wi-Fi, or scan your QR code at the kiosk."
    ),
    "invalid_phone": _l("Please give a phone number of 10 digits, for example 0912 345 678."),
    "invalid_lose_place_after": _l("The number of calls must be from %(low)s to %(high)s."),
    "invalid_near_ahead": _l("The number of people ahead must be from %(low)s to %(high)s."),
    "invalid_share": _l("The share must be from %(low)s to %(high)s per cent."),
    "invalid_network": _l("%(network)s is not a network address (for example 192.168.1.0/24)."),
    "invalid_webhook_url": _l("The webhook address must start with http:// or https://."),
    "webhook_secret_required": _l(
        "A webhook address needs a secret: the notices are signed with it. Please give one."
    ),
    # administration (/admin)
    "field_closed": _l("Field %(service)s is not taking numbers at this time."),
    "field_closed_until": _l(
        "Field %(service)s is not taking numbers now. It opens at %(reopens)s."
    ),
    "unknown_kiosk": _l("There is no kiosk named %(kiosk)s."),
    # devices on /admin/devices and in the centre file (kiosk/usecases/device_config.py)
    "invalid_device_name": _l(
        "A device name is 1 to 64 letters, digits, dots, - or _, without spaces (not %(name)s)."
    ),
    "duplicate_device_name": _l("The name %(name)s is already taken: give each device its own."),
    "unknown_agent": _l("There is no device agent named %(agent)s."),
    "unknown_device": _l("There is no device named %(name)s."),
    "device_in_use": _l("%(name)s is still used by %(users)s: change or remove those first."),
    "invalid_device_table": _l("[[%(table)s]] in the centre file must be a list of tables."),
    "invalid_printer_url": _l(
        "The printer address %(url)s cannot be used (for example tcp://192.168.1.50:9100, "
        "usb://04b8:0202, serial:///dev/ttyUSB0, file:///dev/usb/lp0): %(reason)s"
    ),
    "invalid_printer_setting": _l("The settings of printer %(name)s cannot be used: %(reason)s"),
    "invalid_scanner_use": _l(
        "Write what the scanner serves as kiosk:NAME or counter:NUMBER (not %(use)s)."
    ),
    "invalid_scanner_setting": _l("The settings of scanner %(name)s cannot be used: %(reason)s"),
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
    "invalid_voice_code": _l(
        "A voice pack's code is a language code of 2 or 3 small letters, like hmn or tdd "
        "(not %(code)s)."
    ),
    "invalid_voice_clip": _l("There is no clip %(slug)s in a voice pack."),
    "invalid_voice_audio": _l("The recording is not a sound file the hub can use."),
    "invalid_voice_bundle": _l("This file is not an exported voice pack (%(detail)s)."),
    "voice_pack_exists": _l("There is already a voice pack %(code)s."),
    "unknown_voice_pack": _l("There is no voice pack %(code)s."),
    "invalid_repeat": _l("Say each call from %(low)s to %(high)s times."),
    "unknown_language": _l(
        "No voice pack speaks %(code)s: record or import one first (this centre can speak "
        "%(known)s)."
    ),
    "unknown_display": _l("There is no paired lobby display named %(name)s."),
    "invalid_night_hours": _l(
        "The night hours are two different times, such as from 18:00 until 07:00."
    ),
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
    # centres of one installation (kiosk/usecases/centres.py, kiosk/centre_routing.py)
    "unknown_centre": _l("This hub serves no centre with the code %(centre)s."),
    "duplicate_centre": _l("A centre with the code %(centre)s exists already."),
    "host_taken": _l("The host name %(host)s already belongs to the centre %(centre)s."),
    "invalid_host_name": _l(
        "%(host)s is not a host name: write the name only, e.g. xa.example.gov.vn."
    ),
    "invalid_centre_name": _l("A centre's name has 1 to 200 characters."),
    "method_not_allowed": _l("This method is not allowed here."),
    "csrf_failed": _l("The form expired: reload the page and try again."),
    "rate_limited": _l("Too many requests: please wait a moment."),
    "database_unavailable": _l(
        "The database is not reachable right now: please try again shortly."
    ),
    "already_rated": _l("Ticket %(number)s has already been rated."),
    "rating_not_allowed": _l(
        "Only the citizen's own phone or the screen at the counter that served this ticket can rate it."
    ),
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
    # input limits (kiosk/payloads.py, kiosk/textrules.py, kiosk/usecases/appointments.py)
    "too_deep": _l("The request is nested too deeply (at most %(max)s levels)."),
    "body_too_large": _l("The request is too large (at most %(max_kib)s KiB)."),
    "control_character": _l(
        "%(field)s contains a control character (such as a tab or an invisible character): please type it again."
    ),
    "csv_too_large": _l("The CSV file is too large (at most %(max_kib)s KiB)."),
    "csv_too_many_rows": _l(
        "The CSV file has more than %(max)s rows: split it into several files."
    ),
    "csv_field_too_long": _l(
        "Row %(row)s of the CSV file has a value longer than %(max)s characters."
    ),
    "csv_unreadable": _l("The CSV file cannot be read near row %(row)s: %(detail)s."),
    # user names and logins (kiosk/textrules.py, kiosk/ratelimit.py)
    "confusable_user": _l(
        "User name %(username)s looks too much like the existing user %(existing)s: choose another."
    ),
    "account_locked": _l("Too many wrong passwords for this account. Try again in %(wait)s."),
    # citizen ID cards scanned (kiosk/core/citizen_id.py, kiosk/usecases/scans.py)
    "citizen_id_unreadable": _l(
        "The citizen ID card could not be read. Please scan it again, or choose your field on the screen."
    ),
    "citizen_id_at_counter": _l(
        "This is a citizen ID card, not a ticket: scan the QR code on the ticket or type its number."
    ),
    "citizen_id_read": _l("Citizen ID card read. Please choose your field."),
    "citizen_id_suggest_priority": _l("You are %(age)s or over: choose “%(group)s”?"),
}


def message(code: str, /, **params: object) -> str:
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
    for param in IN_WORDS:  # codes ("no_show"): say them in words
        if isinstance(values.get(param), str):
            values[param] = in_words(param, values[param])
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return str(template)


def in_both_languages(code: str, **params: object) -> dict[str, str]:
    """{"vi": …, "en": …}: for events that screens show in their own language."""
    texts = {}
    for language in ("vi", "en"):
        with force_locale(language):
            texts[language] = message(code, **params)
    return texts


# The message params that are codes to say in words: a ticket's state ("đã hủy", "đang
# chờ") and the refused action, a verb ("hủy", "gọi lại"), never a state's word: the same
# English word is two texts, told apart by msgctxt.
IN_WORDS = ("status", "action")


def in_words(param: str, code: str) -> str:
    """`code` (a message's `status` or `action`) in words; an unknown code as it is."""
    words = {
        ("status", "waiting"): pgettext("ticket state", "waiting"),
        ("status", "called"): pgettext("ticket state", "called"),
        ("status", "serving"): pgettext("ticket state", "being served"),
        ("status", "done"): pgettext("ticket state", "done"),
        ("status", "no_show"): pgettext("ticket state", "no-show"),
        ("status", "cancelled"): pgettext("ticket state", "cancelled"),
        ("status", "transferred"): pgettext("ticket state", "transferred"),
        ("status", "closed_unserved"): pgettext("ticket state", "not served (day closed)"),
        ("status", "remote"): pgettext("ticket state", "taken by phone, not checked in"),
        ("action", "call"): pgettext("ticket action", "called"),
        ("action", "recall"): pgettext("ticket action", "recalled"),
        ("action", "start"): pgettext("ticket action", "started"),
        ("action", "finish"): pgettext("ticket action", "finished"),
        ("action", "no_show"): pgettext("ticket action", "marked no-show"),
        ("action", "cancel"): pgettext("ticket action", "cancelled"),
        ("action", "transfer"): pgettext("ticket action", "transferred"),
        ("action", "close_unserved"): pgettext("ticket action", "closed as not served"),
    }
    return words.get((param, code), code)


def action_name(action: str) -> str:
    """The refused action as a verb ("hủy", "gọi lại"): never a state's word."""
    return in_words("action", action)


def status_name(status: str) -> str:
    """A ticket's state in words ("đã hủy", "đang chờ")."""
    return in_words("status", status)


def reader_language() -> str:
    """The language of the request being served ("en" when the citizen tapped English),
    else Vietnamese (a scanner thread, a script)."""
    if has_request_context():
        language = str(get_locale() or "vi")
        return language if language in ("vi", "en") else "vi"
    return "vi"


@cache
def _catalogue(language: str) -> NullTranslations:
    # Read without the Flask app: tickets are printed by worker threads outside any request.
    return Translations.load(str(Path(__file__).parent / "translations"), [language])


def ticket_labels(language: str) -> dict[str, str]:
    """The words printed on a ticket, in `language` (devices.rendering.TicketLabels fields):
    the same msgids as the kiosk's screen, so paper and screen say the same thing."""
    gettext = _catalogue(language if language in ("vi", "en") else "vi").gettext
    return {
        "people_ahead": gettext("People ahead of you: %(n)s") % {"n": "{n}"},
        "estimated_wait": gettext("Estimated wait: about %(m)s minutes") % {"m": "{minutes}"},
        "no_wait": gettext("You will be called very soon"),
        "issued_at": gettext("Number taken at %(when)s") % {"when": "{when}"},
        "qr_caption": gettext("Scan to follow your turn on your phone"),
    }
