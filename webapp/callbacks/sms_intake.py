"""A text to the hotline number starts a callback request, in the language its keyword implies.

The request asks for a call within the next two hours (local to the number's area, else the
deployment's zone), from the number that texted. STOP, HELP and their kin are Twilio's: they
never start a request. Twilio may deliver a webhook twice; the message's id makes one request.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import datetime

from sqlalchemy.orm import Session

from webapp.callbacks import intake
from webapp.callbacks.errors import BadNumber
from webapp.callbacks.windows import MINUTES_A_DAY, Window, zone_of
from webapp.callbacks.zones import zone_of_number

KEYWORDS = {
    "call": "en",
    "callback": "en",
    "llamar": "es",
    "llamada": "es",
    "appel": "fr",
    "rappel": "fr",
    "goi": "vi",
    "goi lai": "vi",
    "اتصال": "ar",
    "اتصل": "ar",
    "回电": "zh",
    "电话": "zh",
}
WINDOW_MINUTES = 120


def keyword_language(body: str) -> str | None:
    """The language a text's keyword names, accents and case aside (`Gọi` is `goi`)."""
    plain = unicodedata.normalize("NFKD", body.strip().casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c)).replace("đ", "d")
    return KEYWORDS.get(" ".join(plain.split()))


def text_received(
    session: Session,
    *,
    sender: str,
    body: str,
    region: str,
    time_zone: str,
    secret_key: str,
    message_id: str,
    now: datetime,
) -> bool:
    """Start a request for a keyword from a number we can call; returns whether it did."""
    language = keyword_language(body)
    if language is None:
        return False
    try:
        number = intake.normalise_number(sender, region)
    except BadNumber:
        return False
    zone = zone_of_number(number) or time_zone
    local = now.astimezone(zone_of(zone))
    start = local.hour * 60 + local.minute
    window = Window.of([local.weekday()], start, min(start + WINDOW_MINUTES, MINUTES_A_DAY))
    wish = intake.Wish(number=number, windows=(window,), time_zone=zone, language=language)
    key = hashlib.sha256(f"sms:{message_id or secrets.token_hex(16)}".encode()).hexdigest()[:32]
    receipt = hashlib.sha256(secrets.token_bytes(32)).hexdigest()  # nobody will ever type it
    intake.ask(session, wish, key=key, receipt_hash=receipt, now=now, source="sms")
    return True
