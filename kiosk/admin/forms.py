"""The admin forms (Flask-WTF: each carries the CSRF token).

Only shape is checked here (filled in, length, whole numbers, no control
characters: kiosk/textrules.py); the rules of the centre (unique prefix, known
counter, last admin…) are the use cases'.  Every message is our own text, so it
is translated with the rest of the hub.  A form posted as JSON is read by
kiosk/api/body.py's `json_body`, with its size and depth limits.
"""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import (
    AnyOf,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)

from kiosk.textrules import clean, refused_character

REQUIRED = _l("Please fill this in.")
TOO_LONG = _l("At most %(max)d characters.")
OUT_OF_RANGE = _l("Write a number from %(min)s to %(max)s.")


class WholeNumberField(IntegerField):
    """An integer field whose "not a number" message is ours (WTForms has no Vietnamese)."""

    def process_formdata(self, valuelist):
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = int(str(valuelist[0]).strip())
        except ValueError as error:
            self.data = None
            raise ValueError(str(_l("Write a whole number, for example 30."))) from error


CONTROL_CHARACTER = _l(
    "This contains a control character (such as a tab or an invisible character): please type it again."
)


class PlainText:
    """No control characters (line breaks only in a text area), then NFC and trimmed as
    every text the hub keeps (kiosk/textrules.py); a password is only checked."""

    def __call__(self, form, field) -> None:
        if not isinstance(field.data, str):
            return
        multiline = isinstance(field, TextAreaField)
        value = field.data.replace("\r\n", "\n").replace("\r", "\n") if multiline else field.data
        if refused_character(value, multiline=multiline) is not None:
            raise StopValidation(str(CONTROL_CHARACTER))
        if not isinstance(field, PasswordField):
            field.data = clean(value, field.name, multiline=multiline)


def required(max_len: int) -> list:
    return [PlainText(), InputRequired(message=REQUIRED), Length(max=max_len, message=TOO_LONG)]


def optional(max_len: int) -> list:
    return [PlainText(), Optional(), Length(max=max_len, message=TOO_LONG)]


def bilingual(
    max_len: int,
    vietnamese=_l("Name in Vietnamese"),
    english=_l("Name in English"),
    *,
    needed: bool = True,
) -> tuple[StringField, StringField]:
    """A text in Vietnamese (filled in when `needed`) and the same in English, never needed:
    Vietnamese first, English second."""
    first = required(max_len) if needed else optional(max_len)
    return StringField(vietnamese, first), StringField(english, optional(max_len))


class Form(FlaskForm):
    """Every admin form: a JSON body goes through the API's one JSON reader."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto and request.is_json and not (request.form or request.files):
                if request.method in ("POST", "PUT", "PATCH", "DELETE"):
                    from kiosk.api.body import json_body

                    return ImmutableMultiDict(json_body())
            return super().wrap_formdata(form, formdata)


def chosen() -> list:
    """A select that must have a choice: an empty POST changes nothing."""
    return [InputRequired(message=REQUIRED)]


def number(low: int, high: int, *, needed: bool = False) -> list:
    first = InputRequired(message=REQUIRED) if needed else Optional()
    return [first, NumberRange(min=low, max=high, message=OUT_OF_RANGE)]


class ButtonForm(Form):
    """A button that changes something: the CSRF token and a hidden `confirm=yes`, so a
    stray empty POST (a script, a crawler with a session) changes nothing."""

    confirm = HiddenField(
        default="yes",
        validators=[InputRequired(message=REQUIRED), AnyOf(["yes"], message=REQUIRED)],
    )


class ServiceForm(Form):
    code = StringField(_l("Code (used by the API, cannot change later)"), optional(16))
    name, name_en = bilingual(200)
    prefix = StringField(_l("Ticket letter(s)"), required(2))
    daily_cap = WholeNumberField(_l("Numbers per day (empty: no limit)"), number(1, 99_999))
    target_wait_min = WholeNumberField(_l("Target wait in minutes"), number(1, 600))
    hours_text = TextAreaField(_l("Own opening hours (empty: the centre's hours)"), optional(1000))
    position = WholeNumberField(_l("Place on the kiosk screen"), number(0, 999))
    active = BooleanField(_l("Offered on the kiosks"), default=True)


class CounterForm(Form):
    """The fields a counter serves come as order-CODE inputs, read by the view."""

    number = WholeNumberField(_l("Counter number"), number(1, 9999))
    name, name_en = bilingual(120)


class GroupForm(Form):
    code = StringField(_l("Code (cannot change later)"), optional(32))
    name, name_en = bilingual(120)
    description, description_en = bilingual(
        300, _l("Who (Vietnamese)"), _l("Who (English)"), needed=False
    )
    position = WholeNumberField(_l("Place on the kiosk screen"), number(0, 999))
    min_age = WholeNumberField(
        _l("Age at which a scanned citizen ID card proposes this group"), number(1, 150)
    )


class PolicyForm(Form):
    mode = SelectField(
        _l("Priority rule"),
        choices=[
            ("strict", _l("Strict: priority citizens always go first")),
            ("interleave", _l("Interleave: one priority citizen after every N others")),
        ],
        validate_choice=False,
        validators=chosen(),
    )
    normal_per_priority = WholeNumberField(_l("N (others per priority citizen)"), number(1, 50))


def role_choices() -> list[tuple[str, str]]:
    return [
        ("clerk", _l("Clerk")),
        ("supervisor", _l("Supervisor")),
        ("admin", _l("Administrator")),
    ]


class UserForm(Form):
    """Add (username and password filled) or edit (they are not shown)."""

    username = StringField(_l("User name"), optional(64))
    display_name = StringField(_l("Full name"), optional(120))
    password = PasswordField(_l("Password (at least 8 characters)"), optional(256))
    role = SelectField(
        _l("Role"),
        choices=role_choices,
        validate_choice=False,
        validators=chosen(),
    )
    counter = SelectField(_l("Works at counter"), choices=[], validate_choice=False)


class PasswordForm(Form):
    password = PasswordField(_l("New password (at least 8 characters)"), required(256))


class CentreForm(Form):
    name = StringField(_l("Centre name"), required(200))
    timezone = StringField(_l("Time zone"), required(64))
    hours_text = TextAreaField(_l("Opening hours"), optional(1000))
    holidays_text = TextAreaField(_l("Holidays (closed all day)"), optional(4000))
    rating_window_min = WholeNumberField(
        _l("Ratings accepted for (minutes after service)"), number(1, 24 * 60)
    )


class DisplayForm(Form):
    ticker = StringField(_l("Ticker line on the lobby screen"), optional(300))
    footer = StringField(_l("Line at the bottom of printed tickets"), optional(120))
    voice = BooleanField(_l("Speak the calls"))
    languages = SelectMultipleField(
        _l("Languages of the calls"),
        choices=[("vi", "Tiếng Việt"), ("en", "English")],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
        validate_choice=False,
    )
    repeat = WholeNumberField(_l("Say each call this many times"), number(1, 3, needed=True))
    # Choices are the packs on disk (shipped, and the centre's own in instance/voices/),
    # filled in by the view: validate_choice then refuses a pack that is not there.
    voice_vi = SelectField(_l("Vietnamese voice"), choices=[("vi", "vi")])
    voice_en = SelectField(_l("English voice"), choices=[("en", "en")])
    number_reading = SelectField(
        _l("Counter 105 is read"),
        choices=[
            ("linh", _l("“một trăm linh năm” (standard, Northern)")),
            ("le", _l("“một trăm lẻ năm” (Southern)")),
        ],
    )


# -- devices (/admin/devices; the rules: kiosk/usecases/device_config.py) -----------------
DEVICE_NAME_HINT = _l("Letters, digits, dots, - or _, no spaces; cannot change later.")


def agent_choices(agents: list[str]) -> list[tuple[str, str]]:
    """Who drives a printer or scanner: the hub side ("") or one of the centre's agents."""
    return [("", _l("This hub (or its device worker)"))] + [
        (name, _l("Device agent %(name)s", name=name)) for name in agents
    ]


class PrinterForm(Form):
    name = StringField(_l("Name"), required(64))
    url = StringField(
        _l("Address (tcp://192.168.1.50:9100, usb://04b8:0202, serial:///dev/ttyUSB0…)"),
        required(300),
    )
    paper_mm = SelectField(
        _l("Paper width"),
        choices=[("80", "80 mm"), ("58", "58 mm")],
        validators=chosen(),
    )
    text_mode = SelectField(
        _l("How text is printed"),
        choices=[
            ("raster", _l("As an image (any printer; Vietnamese always right)")),
            ("cp1258", _l("As text, code page 1258 (faster; the printer must support it)")),
        ],
        validators=chosen(),
    )
    agent = SelectField(_l("Driven by"), choices=[], validate_choice=False)


class ScannerForm(Form):
    name = StringField(_l("Name"), required(64))
    url = StringField(
        _l("Port (/dev/serial/by-id/…, /dev/ttyACM0, hwgrep://VID:PID, socket://HOST:PORT)"),
        required(300),
    )
    use = StringField(_l("Serves (kiosk:NAME or counter:NUMBER)"), required(80))
    agent = SelectField(_l("Driven by"), choices=[], validate_choice=False)


class KioskForm(Form):
    name = StringField(_l("Name"), required(64))
    printer = SelectField(_l("Prints on"), choices=[], validate_choice=False)


class AgentForm(Form):
    name = StringField(_l("Name"), required(64))
