"""Staff forms; labels and messages translated lazily."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from webapp.forms import TextForm
from webapp.text import ascii_digits


class SignInForm(TextForm):
    email = EmailField(_l("Email"), validators=[DataRequired(message=_l("Type your email."))])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=_l("Type your password."))]
    )


class CodeForm(TextForm):
    code = StringField(
        _l("Code"),
        description=_l("The 6 digits your authenticator app shows, or one of your recovery codes."),
        validators=[DataRequired(message=_l("Type the code.")), Length(max=20)],
        filters=[ascii_digits],
    )


class EnrolForm(TextForm):
    code = StringField(
        _l("Code"),
        description=_l("The 6 digits your authenticator app shows."),
        validators=[DataRequired(message=_l("Type the code.")), Length(max=20)],
        filters=[ascii_digits],
    )
