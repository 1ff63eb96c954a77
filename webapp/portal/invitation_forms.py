"""Forms of onboarding and invitations; labels and messages translated lazily.

What makes an organization or an invitation acceptable is the domain's to say (its messages go
next to the fields); these forms carry the fields, the CSRF token and what only a form knows.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo

from webapp.directory.onboarding import LIMITS
from webapp.forms import TextForm


class OrganizationForm(TextForm):
    name = StringField(_l("Name"), render_kw={"maxlength": LIMITS["name"]})
    description = TextAreaField(
        _l("What the organization does"),
        description=_l("Plain text, shown to the public with the organization's listings."),
        render_kw={"maxlength": LIMITS["description"], "rows": 4},
    )
    website = StringField(
        _l("Website (optional)"),
        description=_l("A web address that starts with http:// or https://."),
        render_kw={"maxlength": LIMITS["website"], "inputmode": "url"},
    )
    email = EmailField(_l("Email (optional)"), render_kw={"maxlength": LIMITS["email"]})


class InvitationForm(TextForm):
    email = EmailField(
        _l("The editor's email"),
        validators=[DataRequired(message=_l("Type the editor's email."))],
        render_kw={"maxlength": 254},
    )
    # Checked against the directory by the view: choices are the organizations of the moment.
    organizations = SelectMultipleField(_l("Organizations they may edit"), validate_choice=False)


class JoinForm(TextForm):
    password = PasswordField(
        _l("Choose a password"),
        description=_l(
            "At least 12 characters. A few unrelated words are easy to remember and hard to guess."
        ),
        validators=[DataRequired(message=_l("Type your password."))],
    )
    confirm = PasswordField(
        _l("Type the password again"),
        validators=[
            DataRequired(message=_l("Type your password.")),
            EqualTo("password", message=_l("The two passwords differ. Type the same one twice.")),
        ],
    )
