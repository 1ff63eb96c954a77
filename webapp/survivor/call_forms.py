"""The forms of "Ask for a call": the request itself, and the receipt code to look it up."""

from __future__ import annotations

import functools
from datetime import time

from babel.dates import format_time, get_day_names, get_timezone_location
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.forms import TextForm
from webapp.text import ascii_digits

# Half hours of the day, as minutes after midnight (24:00 ends a window at midnight).
HALF_HOURS = list(range(0, 24 * 60 + 1, 30))
TOPICS = {
    "legal": _l("Legal questions, orders of protection"),
    "immigration": _l("Immigration"),
    "children": _l("Children"),
    "housing": _l("Housing and money"),
}
IF_DROPPED = {
    "call_again": _l("Call me again right away"),
    "wait": _l("Do not call again: I will ask again when I can"),
    "next_window": _l("Try again at my next safe time"),
}
WINDOWS = 3
MAX_SHORT, MAX_NOTE = 120, 500


@functools.cache
def _clock_choices(locale: str) -> tuple[list, list, list]:
    """Day names and half hours the reader's way (`6:30 PM` in English), made once a locale:
    Babel takes a while, and the form has three safe times of 48 choices each."""
    names = get_day_names("wide", locale=locale)

    def clock(minutes: int) -> str:
        return format_time(time(minutes // 60 % 24, minutes % 60), format="short", locale=locale)

    days = [(day, names[day]) for day in range(7)]
    return days, [(m, clock(m)) for m in HALF_HOURS[:-1]], [(m, clock(m)) for m in HALF_HOURS[1:]]


class DaysField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WindowForm(Form):
    """One safe time: some days, from one time to another."""

    days = DaysField(coerce=int, validators=[Optional()])
    start = SelectField(coerce=int, validators=[Optional()])
    end = SelectField(coerce=int, validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.days.choices, self.start.choices, self.end.choices = _clock_choices(str(get_locale()))

    def is_blank(self) -> bool:
        return not self.days.data


def _voicemail_text(form, field) -> None:
    if form.voicemail.data == "yes" and not (field.data or "").strip():
        raise ValidationError(_l("Write what a message may say, or choose no message."))


class CallForm(TextForm):
    """Everything a safe call needs; only the number and one safe time are required."""

    ticket = HiddenField()
    website = StringField()  # left empty by people; bots fill it in
    number = TelField(
        _l("A phone number that is safe to call"),
        description=_l("With the area code. We use it only for this call."),
        validators=[DataRequired(message=_l("Type the number we should call."))],
        filters=[ascii_digits],
    )
    windows = FieldList(FormField(WindowForm), min_entries=WINDOWS, max_entries=WINDOWS)
    time_zone = SelectField(_l("Your time zone"), validators=[DataRequired()])
    language = SelectField(_l("Language of the call"), validators=[DataRequired()])
    topic = SelectField(_l("What is it about?"), validators=[Optional()])
    name = StringField(
        _l("A name or code word we should ask for"),
        description=_l("Not your real name if that is safer."),
        validators=[Optional(), Length(max=60, message=_l("Use at most 60 letters."))],
    )
    question = StringField(
        _l("A question the advocate asks first"),
        description=_l("So that whoever answers can be told apart from you."),
        validators=[Optional(), Length(max=MAX_SHORT, message=_l("Use at most 120 letters."))],
    )
    answer = StringField(
        _l("The answer that means it is safe to talk"),
        validators=[Optional(), Length(max=MAX_SHORT, message=_l("Use at most 120 letters."))],
    )
    voicemail = RadioField(
        _l("If nobody answers, may we leave a voicemail?"),
        choices=[SelectChoice("no", _l("No message")), SelectChoice("yes", _l("Yes"))],
        default="no",
        validators=[InputRequired()],
    )
    voicemail_text = StringField(
        _l("What the message may say"),
        validators=[
            _voicemail_text,
            Length(max=MAX_SHORT, message=_l("Use at most 120 letters.")),
        ],
    )
    text_ok = BooleanField(_l("A text message to this number is safe"))
    if_dropped = RadioField(
        _l("If the call drops"),
        choices=[SelectChoice(code, label) for code, label in IF_DROPPED.items()],
        default="next_window",
        validators=[InputRequired()],
    )
    note = TextAreaField(
        _l("Anything else the advocate should know (optional)"),
        validators=[Optional(), Length(max=MAX_NOTE, message=_l("Use at most 500 letters."))],
    )


class ReceiptForm(TextForm):
    receipt = StringField(
        _l("Your receipt code"),
        validators=[DataRequired(message=_l("Type the code you were given."))],
    )


def zone_choices(zones: list[str]) -> list[tuple[str, str]]:
    """Time zones named the reader's way ("United States (Chicago) Time")."""
    return _zone_choices(tuple(zones), str(get_locale()))


@functools.cache
def _zone_choices(zones: tuple[str, ...], locale: str) -> list[tuple[str, str]]:
    named = ((zone, get_timezone_location(zone, locale=locale)) for zone in zones)
    return sorted(named, key=lambda choice: choice[1])
