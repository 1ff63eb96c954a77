"""Voice beside SMS, behind one narrow interface: a console printer for development, and Twilio.

A bridged call rings the advocate's own phone first; when they answer, Twilio fetches the
TwiML at `twiml_url` (our signature-checked webhook), which dials the survivor from the
deployment's masked caller id. No number ever appears in a URL.
"""

from __future__ import annotations

import secrets
from typing import Protocol

import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from webapp.messaging.errors import SendError
from webapp.messaging.sms import TWILIO_TIMEOUT_SECONDS, classify_twilio_error
from webapp.settings import Settings

CALL_EVENTS = ["initiated", "ringing", "answered", "completed"]


class Dialer(Protocol):
    def bridge(self, advocate_phone: str, *, twiml_url: str, status_url: str) -> str:
        """Ring the advocate; on answer Twilio runs `twiml_url`. Returns the call's id."""

    def hang_up(self, call_id: str) -> None:
        """End one leg of a call now (a machine answered where no message may be left)."""


class ConsoleDialer:
    """Development backend: prints what it would do instead of calling anyone."""

    def bridge(self, advocate_phone: str, *, twiml_url: str, status_url: str) -> str:
        call_id = f"console-{secrets.token_hex(8)}"
        print(
            f"=== [console voice, no call] {call_id}: ring {advocate_phone}, then run {twiml_url}",
            flush=True,
        )
        return call_id

    def hang_up(self, call_id: str) -> None:
        print(f"=== [console voice, no call] hang up {call_id}", flush=True)


class TwilioDialer:
    """Calls through Twilio's Calls API from the deployment's caller id."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        caller_id: str,
        http_client: HttpClient | None = None,
    ):
        http_client = http_client or TwilioHttpClient(timeout=TWILIO_TIMEOUT_SECONDS)
        self._client = Client(account_sid, auth_token, http_client=http_client)
        self._caller_id = caller_id

    def bridge(self, advocate_phone: str, *, twiml_url: str, status_url: str) -> str:
        try:
            call = self._client.calls.create(
                to=advocate_phone,
                from_=self._caller_id,
                url=twiml_url,
                status_callback=status_url,
                status_callback_event=CALL_EVENTS,
            )
        except (TwilioRestException, TwilioServiceException) as exc:
            raise classify_twilio_error(exc.status, exc.code) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise SendError(None, f"connection error ({type(exc).__name__})") from None
        return call.sid

    def hang_up(self, call_id: str) -> None:
        try:
            self._client.calls(call_id).update(status="completed")
        except (TwilioRestException, TwilioServiceException) as exc:
            raise classify_twilio_error(exc.status, exc.code) from None


def dialer_for(settings: Settings, http_client: HttpClient | None = None) -> Dialer:
    """The voice backend SMS_BACKEND names (one setting for both: a deployment has one)."""
    if settings.sms_backend == "twilio":
        return TwilioDialer(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_caller_id or settings.twilio_from_number,
            http_client=http_client,
        )
    return ConsoleDialer()
