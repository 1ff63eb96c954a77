"""The portal's fixed forms (the fields of a listing are read by webapp.portal.fields)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from webapp.directory.changes.review import REASON_LIMIT
from webapp.forms import TextForm


class ChangeForm(TextForm):
    """Which record of the listing the typed fields belong to, and what the form showed."""

    resource = HiddenField(validators=[InputRequired()])
    record_id = HiddenField()
    action = HiddenField(default="update")
    seen = HiddenField()


class RejectForm(TextForm):
    reason = TextAreaField(
        _l("Why (the editor sees this)"),
        validators=[
            DataRequired(message=_l("Say why, so the editor can put it right.")),
            Length(max=REASON_LIMIT, message=_l("Keep this to %(max)d characters or fewer.")),
        ],
    )


class QuickForm(TextForm):
    allowed = RadioField(
        choices=[SelectChoice("on", _l("Allow")), SelectChoice("off", _l("Do not allow"))],
        validators=[DataRequired()],
    )
