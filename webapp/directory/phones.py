"""Directory phone numbers: checked with `phonenumbers`, kept as written, dialled in full.

A number is stored as its publisher wrote it ("1-800-799-7233", "(217) 555-0142"); what a
`tel:` or `sms:` link dials is worked out from it when shown: the number in international form
(short codes such as 988 as they are), then the extension after a pause.
"""

from __future__ import annotations

import phonenumbers
from flask import current_app, has_app_context
from phonenumbers import NumberParseException, PhoneNumberFormat, shortnumberinfo

from webapp import runtime

# Numbers written without a country code are read as numbers of the deployment's PHONE_REGION;
# outside an app (a script reading files), as numbers of this one.
REGION = "US"


def region() -> str:
    return runtime.settings(current_app).phone_region if has_app_context() else REGION


def problem(number: str) -> str | None:
    """Why `number` is not a phone number one can call or text, or None when it is."""
    try:
        parsed = phonenumbers.parse(number, region())
    except NumberParseException:
        return "is not a phone number"
    if phonenumbers.is_valid_number(parsed) or _short_code(parsed):
        return None
    return "is not a valid phone number (write the country code, e.g. +44, outside the US)"


def dial(number: str, extension: str | None = None) -> str:
    """What a `tel:` or `sms:` link carries: "+12175550142", "988", "+12175550142,204".

    The extension follows a pause (","), which phone dialers wait out before sending it as
    tones; an extension written inside the number ("ext. 204") counts when none is given apart.
    A number that cannot be read (stored before numbers were checked) is dialled as written.
    """
    try:
        parsed = phonenumbers.parse(number, region())
    except NumberParseException:
        return "".join(number.split())
    if _short_code(parsed):
        digits = phonenumbers.national_significant_number(parsed)
    elif phonenumbers.is_valid_number(parsed):
        digits = phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
    else:
        return "".join(number.split())
    extension = extension or parsed.extension
    return f"{digits},{extension}" if extension else digits


def _short_code(parsed: phonenumbers.PhoneNumber) -> bool:
    return shortnumberinfo.is_valid_short_number_for_region(parsed, region())
