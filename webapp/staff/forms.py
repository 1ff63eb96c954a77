"""Staff forms; labels and messages translated lazily."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class SignInForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(message=_l("Type your email."))])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=_l("Type your password."))]
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        description=_l("The 6 digits your authenticator app shows, or one of your recovery codes."),
        validators=[DataRequired(message=_l("Type the code.")), Length(max=20)],
    )


class EnrolForm(FlaskForm):
    code = StringField(
        _l("Code"),
        description=_l("The 6 digits your authenticator app shows."),
        validators=[DataRequired(message=_l("Type the code.")), Length(max=20)],
    )
