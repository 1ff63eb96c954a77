"""The console's forms; labels and messages translated lazily."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from webapp.forms import TextForm
from webapp.text import ascii_digits

OUTCOMES = {
    "reached": _l("We talked"),
    "unsafe_later": _l("Not safe to talk: try again at her next safe time"),
    "no_answer": _l("No answer"),
    "voicemail_left": _l("Left the message her card allows"),
    "wrong_number": _l("Wrong number"),
}


class OutcomeForm(TextForm):
    outcome = RadioField(
        _l("What happened?"),
        choices=[SelectChoice(code, label) for code, label in OUTCOMES.items()],
        validators=[DataRequired(message=_l("Choose what happened on the call."))],
    )
    notes = TextAreaField(
        _l("Notes (kept encrypted, erased with her contact data)"),
        validators=[Optional(), Length(max=1000)],
    )


class PresenceForm(TextForm):
    state = RadioField(
        choices=[SelectChoice("on", _l("On shift")), SelectChoice("off", _l("Off shift"))],
        validators=[DataRequired()],
    )


class PhoneForm(TextForm):
    phone = TelField(_l("Your own phone"), validators=[DataRequired()], filters=[ascii_digits])


REPORT_STATUSES = {
    "new": _l("New: nobody has taken it up"),
    "open": _l("Open: someone is on it"),
    "closed": _l("Closed"),
}


class ReplyForm(TextForm):
    body = TextAreaField(
        _l("Your answer (she reads it with her secret phrase)"),
        validators=[
            DataRequired(message=_l("Write your answer first.")),
            Length(max=2000, message=_l("Use at most 2,000 letters.")),
        ],
    )


class StatusForm(TextForm):
    status = RadioField(
        _l("Where it stands"),
        choices=[SelectChoice(code, label) for code, label in REPORT_STATUSES.items()],
        validators=[DataRequired(message=_l("Choose where it stands."))],
    )
