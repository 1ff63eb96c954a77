"""Forms of the survivor pages; labels and messages are translated lazily."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Regexp
from wtforms.widgets import TextInput

from webapp.forms import TextForm
from webapp.settings import UNLOCK_CODE_PATTERN
from webapp.text import ascii_digits


class LookForm(TextForm):
    theme = RadioField(
        _l("What should this app look like when it opens?"),
        choices=[
            SelectChoice("recipes", _l("A recipes app")),
            SelectChoice("calculator", _l("A calculator")),
        ],
        validators=[DataRequired(message=_l("Choose one of the two."))],
    )


class MaskedInput(TextInput):
    """Typed digits shown as dots (CSS `.masked`) and never sent back in the page.

    Not a password field: a browser's password manager would offer to save the code, and a
    saved credential for this site is a trace on the phone.
    """

    def __call__(self, field, **kwargs):
        kwargs["class"] = f"{kwargs.get('class', '')} masked".strip()
        kwargs.update(value="", autocomplete="off", spellcheck="false", autocapitalize="off")
        return super().__call__(field, **kwargs)


class CodeForm(TextForm):
    code = StringField(
        _l("New code"),
        description=_l("4 to 16 digits. You will type it where the app expects a search or a sum."),
        validators=[
            DataRequired(message=_l("Type a code of 4 to 16 digits.")),
            Regexp(UNLOCK_CODE_PATTERN, message=_l("Use 4 to 16 digits and nothing else.")),
        ],
        widget=MaskedInput(),
        filters=[ascii_digits],
    )
    confirm = StringField(
        _l("The same code again"),
        validators=[EqualTo("code", message=_l("The two codes are not the same. Try again."))],
        widget=MaskedInput(),
        filters=[ascii_digits],
    )
