"""Forms of the survivor pages; labels and messages are translated lazily."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Regexp

from webapp.settings import UNLOCK_CODE_PATTERN


class LookForm(FlaskForm):
    theme = RadioField(
        _l("What should this app look like when it opens?"),
        choices=[
            SelectChoice("recipes", _l("A recipes app")),
            SelectChoice("calculator", _l("A calculator")),
        ],
        validators=[DataRequired(message=_l("Choose one of the two."))],
    )


class CodeForm(FlaskForm):
    code = PasswordField(
        _l("New code"),
        description=_l("4 to 16 digits. You will type it where the app expects a search or a sum."),
        validators=[
            DataRequired(message=_l("Type a code of 4 to 16 digits.")),
            Regexp(UNLOCK_CODE_PATTERN, message=_l("Use 4 to 16 digits and nothing else.")),
        ],
    )
    confirm = PasswordField(
        _l("The same code again"),
        validators=[EqualTo("code", message=_l("The two codes are not the same. Try again."))],
    )
