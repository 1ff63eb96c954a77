"""The forms of "Tell someone what happened": the report, the secret phrase, the thread."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.forms import TextForm
from webapp.reports.choices import HAPPENED, KINDS, ROLES, areas


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReportForm(TextForm):
    """Choices are checked by the reports domain (one rule, one message), not by WTForms."""

    ticket = HiddenField()
    proof = HiddenField()  # filled in by the page's script (reports.proofs); empty without it
    website = StringField()  # left empty by people; bots fill it in
    role = RadioField(_l("Who is writing?"), validate_choice=False)
    kinds = CheckboxesField(
        _l("What happened?"),
        description=_l("Choose all that fit."),
        validate_choice=False,
    )
    happened = RadioField(_l("Roughly when?"), validate_choice=False)
    area = SelectField(
        _l("Roughly where?"),
        description=_l("An area only. Never write an address you want to keep private."),
        validate_choice=False,
    )
    text = TextAreaField(
        _l("What happened, in your own words"),
        description=_l(
            "Write only what you want to share. Leave out names and places that could "
            "identify you if that is safer."
        ),
    )
    agencies = CheckboxesField(_l("Who else may read it?"), validate_choice=False)
    codename_ok = BooleanField(_l("This is not my secret phrase: send it as it is"))

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = list(ROLES.items())
        self.kinds.choices = list(KINDS.items())
        self.happened.choices = list(HAPPENED.items())
        self.area.choices = [("", _l("Choose an area"))] + list(areas().items())
        self.agencies.choices = list(agencies)


class OpenForm(TextForm):
    codename = StringField(
        _l("Your secret phrase"),
        validators=[DataRequired(message=_l("Type the seven words you were given."))],
    )


class AnswerForm(TextForm):
    body = TextAreaField(_l("Your answer"))
    codename_ok = BooleanField(_l("This is not my secret phrase: send it as it is"))


class ShareForm(TextForm):
    agency = HiddenField()
    change = HiddenField()  # never "action": it would hide the form's own action in the DOM


class DeleteForm(TextForm):
    sure = BooleanField(
        _l("Yes, delete my report, the answers and the photos for good"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
