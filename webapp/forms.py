"""What every form of Haven shares: fields of text are read from the form's text only."""

from __future__ import annotations

import functools

from babel import support
from flask import request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from wtforms import IntegerField, TextAreaField
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, Length

TOO_LONG = _l("Type a smaller number.")


class TextForm(FlaskForm):
    """A form without file fields: a file sent where text is expected is not read as that text.

    Flask-WTF mixes uploaded files into the form data; a field would then hold a file object
    and the code that reads it as text fail with a server error. Here the field is simply
    missing, and its validators say so in words.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto and _is_submitted() and request.files:
                return request.form
            return super().wrap_formdata(form, formdata)

        def get_translations(self, form):
            """WTForms' own messages in the page's language, read from disk once per language
            (Flask-WTF reads and parses the catalogue again on every request)."""
            return _wtforms_messages(str(get_locale()))


@functools.cache
def _wtforms_messages(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class ShortIntegerField(IntegerField):
    """A whole number of at most `digits` digits: a longer one is refused as not a number
    before any validator compares it (WTForms' NumberRange fails on numbers past a float)."""

    def __init__(self, *args, digits: int = 9, **kwargs):
        super().__init__(*args, **kwargs)
        self.digits = digits

    def process_formdata(self, valuelist):
        if valuelist and isinstance(valuelist[0], str) and len(valuelist[0].strip()) > self.digits:
            self.data = None
            raise ValueError(TOO_LONG)
        super().process_formdata(valuelist)


class NoteForm(TextForm):
    """A message between the advocates and a partner agency about a shared report."""

    @classmethod
    def for_agency(cls, agency_id: str, formdata=None) -> NoteForm:
        """Each agency's form has its own field names, so its label points at its own box."""
        return cls(formdata=formdata, prefix=f"note-{agency_id}")

    body = TextAreaField(
        _l("Message"),
        validators=[
            DataRequired(message=_l("Write your message first.")),
            Length(max=2000, message=_l("Use at most 2,000 letters.")),
        ],
    )
