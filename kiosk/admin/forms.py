"""The admin forms (Flask-WTF: each carries the CSRF token).

Only shape is checked here (filled in, length, whole numbers); the rules of
the centre (unique prefix, known counter, last admin…) are the use cases'.
Every message is our own text, so it is translated with the rest of the hub.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
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
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional

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


def required(max_len: int) -> list:
    return [InputRequired(message=REQUIRED), Length(max=max_len, message=TOO_LONG)]


def optional(max_len: int) -> list:
    return [Optional(), Length(max=max_len, message=TOO_LONG)]


def number(low: int, high: int, *, needed: bool = False) -> list:
    first = InputRequired(message=REQUIRED) if needed else Optional()
    return [first, NumberRange(min=low, max=high, message=OUT_OF_RANGE)]


class ButtonForm(FlaskForm):
    """A button that changes something: the CSRF token and a hidden `confirm=yes`, so a
    stray empty POST (a script, a crawler with a session) changes nothing."""

    confirm = HiddenField(
        default="yes",
        validators=[InputRequired(message=REQUIRED), AnyOf(["yes"], message=REQUIRED)],
    )


class ServiceForm(FlaskForm):
    code = StringField(_l("Code (used by the API, cannot change later)"), optional(16))
    name = StringField(_l("Name in Vietnamese"), required(200))
    name_en = StringField(_l("Name in English"), optional(200))
    prefix = StringField(_l("Ticket letter(s)"), required(2))
    daily_cap = WholeNumberField(_l("Numbers per day (empty: no limit)"), number(1, 99_999))
    target_wait_min = WholeNumberField(_l("Target wait in minutes"), number(1, 600))
    hours_text = TextAreaField(_l("Own opening hours (empty: the centre's hours)"), optional(1000))
    position = WholeNumberField(_l("Place on the kiosk screen"), number(0, 999))
    active = BooleanField(_l("Offered on the kiosks"), default=True)


class CounterForm(FlaskForm):
    """The fields a counter serves come as order-CODE inputs, read by the view."""

    number = WholeNumberField(_l("Counter number"), number(1, 9999))
    name = StringField(_l("Name"), required(120))


class GroupForm(FlaskForm):
    code = StringField(_l("Code (cannot change later)"), optional(32))
    name = StringField(_l("Name in Vietnamese"), required(120))
    name_en = StringField(_l("Name in English"), optional(120))
    description = StringField(_l("Who (Vietnamese)"), optional(300))
    description_en = StringField(_l("Who (English)"), optional(300))
    position = WholeNumberField(_l("Place on the kiosk screen"), number(0, 999))


class PolicyForm(FlaskForm):
    mode = SelectField(
        _l("Priority rule"),
        choices=[
            ("strict", _l("Strict: priority citizens always go first")),
            ("interleave", _l("Interleave: one priority citizen after every N others")),
        ],
        validate_choice=False,
        validators=[InputRequired(message=REQUIRED)],
    )
    normal_per_priority = WholeNumberField(_l("N (others per priority citizen)"), number(1, 50))


def role_choices() -> list[tuple[str, str]]:
    return [
        ("clerk", _l("Clerk")),
        ("supervisor", _l("Supervisor")),
        ("admin", _l("Administrator")),
    ]


class UserForm(FlaskForm):
    """Add (username and password filled) or edit (they are not shown)."""

    username = StringField(_l("User name"), optional(64))
    display_name = StringField(_l("Full name"), optional(120))
    password = PasswordField(_l("Password (at least 8 characters)"), optional(256))
    role = SelectField(
        _l("Role"),
        choices=role_choices,
        validate_choice=False,
        validators=[InputRequired(message=REQUIRED)],  # an empty POST changes nobody
    )
    counter = SelectField(_l("Works at counter"), choices=[], validate_choice=False)


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password (at least 8 characters)"), required(256))


class CentreForm(FlaskForm):
    name = StringField(_l("Centre name"), required(200))
    timezone = StringField(_l("Time zone"), required(64))
    hours_text = TextAreaField(_l("Opening hours"), optional(1000))
    holidays_text = TextAreaField(_l("Holidays (closed all day)"), optional(4000))
    rating_window_min = WholeNumberField(
        _l("Ratings accepted for (minutes after service)"), number(1, 24 * 60)
    )


class DisplayForm(FlaskForm):
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
