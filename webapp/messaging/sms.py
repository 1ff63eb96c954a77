"""SMS backends behind one narrow interface: a console printer for development, and Twilio."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Protocol

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from webapp.messaging.errors import (
    PermanentSendError,
    SendError,
    TransientSendError,
    UncertainSendError,
)
from webapp.settings import Settings

TWILIO_TIMEOUT_SECONDS = 10.0
# How far Twilio's clock may be from ours when its messages are looked for after a timeout,
# and how many of the newest messages to that number are looked at.
CLOCK_SKEW = timedelta(minutes=2)
LOOKUP_LIMIT = 50

# Twilio error codes we name; every reason is ours, never Twilio's text (it may quote the number).
PERMANENT_CODES = {
    21211: "invalid number",
    21610: "recipient opted out",
    21614: "number cannot receive SMS",
    30006: "landline or unreachable carrier",
}
TRANSIENT_CODES = {
    20429: "rate limited",
    30003: "handset unreachable",
}


class SmsSender(Protocol):
    def send(self, to: str, body: str) -> str:
        """Hand one SMS to the provider and return the provider's id for it."""

    def sent_since(self, to: str, body: str, since: datetime) -> list[str]:
        """The provider's ids of messages with this body to `to` created since `since`, newest
        first: what a send that got no answer may have left there."""


class ConsoleSms:
    """Development backend: prints the message instead of sending it."""

    def send(self, to: str, body: str) -> str:
        provider_id = f"console-{secrets.token_hex(8)}"
        print(f"=== [console SMS, not sent] {provider_id} to {to}: {body}", flush=True)
        return provider_id

    def sent_since(self, to: str, body: str, since: datetime) -> list[str]:
        return []  # printing always answers


class TwilioSms:
    """Sends through Twilio's Messages API from one configured number."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        http_client: HttpClient | None = None,
        status_callback: str | None = None,
    ):
        http_client = http_client or TwilioHttpClient(timeout=TWILIO_TIMEOUT_SECONDS)
        self._client = Client(account_sid, auth_token, http_client=http_client)
        self._from = from_number
        self._status = {"status_callback": status_callback} if status_callback else {}

    def send(self, to: str, body: str) -> str:
        try:
            message = self._client.messages.create(
                to=to, from_=self._from, body=body, **self._status
            )
        except (TwilioRestException, TwilioServiceException) as exc:
            raise classify_twilio_error(exc.status, exc.code) from None
        except requests.ReadTimeout:
            # Twilio had the request and did not answer in time: it may have sent it.
            raise UncertainSendError(None, "no answer in time (maybe sent)") from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TransientSendError(None, f"connection error ({type(exc).__name__})") from None
        return message.sid

    def sent_since(self, to: str, body: str, since: datetime) -> list[str]:
        """Twilio's list of messages to `to` from our number, newest first, read for this body
        (a trial account puts words before it) created since `since`, give or take CLOCK_SKEW."""
        try:
            found = self._client.messages.list(to=to, from_=self._from, limit=LOOKUP_LIMIT)
        except TwilioException:  # a page Twilio would not give: no error code of ours to name
            raise TransientSendError(None, "could not look up what was sent") from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TransientSendError(
                None, f"look-up: connection error ({type(exc).__name__})"
            ) from None
        earliest = since - CLOCK_SKEW
        return [
            message.sid
            for message in found
            if (message.body or "").endswith(body)
            and message.date_created is not None
            and message.date_created >= earliest
        ]


def classify_twilio_error(status: int, code: int | None) -> SendError:
    """Permanent or transient, from Twilio's HTTP status and error code."""
    if code in PERMANENT_CODES:
        return PermanentSendError(code, PERMANENT_CODES[code])
    if code in TRANSIENT_CODES:
        return TransientSendError(code, TRANSIENT_CODES[code])
    if status in (401, 403):
        # Our credentials, not this message: retry so a fixed token still delivers it.
        return TransientSendError(code, f"not authorised (HTTP {status})")
    if 400 <= status < 500 and status != 429:
        return PermanentSendError(code, f"refused (HTTP {status})")
    return TransientSendError(code, f"failed (HTTP {status})")


MESSAGE_STATUS_PATH = "/hooks/twilio/messages/status"


def status_url(settings: Settings) -> str | None:
    """Where Twilio reports what became of a message (needs PUBLIC_URL)."""
    return settings.public_url.rstrip("/") + MESSAGE_STATUS_PATH if settings.public_url else None


def sms_sender_for(settings: Settings, http_client: HttpClient | None = None) -> SmsSender:
    """The SMS backend SMS_BACKEND names."""
    if settings.sms_backend == "twilio":
        return TwilioSms(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_from_number,
            http_client=http_client,
            status_callback=status_url(settings),
        )
    if settings.sms_backend == "console":
        return ConsoleSms()
    raise ValueError(f"unknown SMS_BACKEND {settings.sms_backend!r}")
