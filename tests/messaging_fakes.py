"""A fake Twilio (Messages and Calls) served on loopback, and Twilio's HTTP client pointed at it.

Twilio's side of a call (fetching TwiML, status and answering-machine callbacks) is played by
`TwilioCallbacks`, which signs each request with the SDK's own validator, as Twilio does.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from email.utils import formatdate
from xml.etree import ElementTree

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator
from werkzeug.wrappers import Request, Response

TWILIO_API = "https://api.twilio.com"
MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-f]{32})/Messages\.json$")
# Longer than the client's timeout in the tests that lose requests (LocalTwilioHttpClient).
DROPPED_SECONDS = 0.6
CALLS_PATH = re.compile(
    r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-f]{32})/Calls(?:/(?P<call>CA[0-9a-f]{32}))?\.json$"
)


@dataclass(frozen=True)
class ReceivedMessage:
    """One create-message request as the fake server saw it."""

    account_sid: str
    auth: tuple[str, str] | None
    form: dict[str, str]


class FakeTwilio:
    """WSGI app answering POST .../Messages.json like Twilio, or with errors it is told to give."""

    def __init__(self) -> None:
        self.received: list[ReceivedMessage] = []
        self.calls: list[ReceivedMessage] = []  # calls created
        self.call_updates: list[tuple[str, dict]] = []  # (call sid, form), e.g. a hang-up
        self.dialled: list[DialledLeg] = []  # the legs TwiML had Twilio dial (see `answer`)
        self._answered: set[str] = set()
        self._failures: deque[tuple[int, int]] = deque()
        self.refuse: dict[str, int] = {}  # recipient -> Twilio error code, every time
        self.received_at: dict[str, float] = {}  # message sid -> when it arrived (time.time)
        # Every other message fails with a 500; every fifth is sent but answered too late for
        # the client (its timeout): Haven cannot know whether Twilio has it.
        self.flaky = False
        self._seen = 0
        self.accepted: list[dict] = []  # message resources, as Twilio lists them back
        self.now = time.time  # Twilio's clock, for date_created
        self.lists: list[dict] = []  # the query of each list request
        self.list_failure: tuple[int, int] | None = None  # (HTTP status, code) for list requests
        self.list_delay = 0.0  # seconds before a list is answered
        # The hold_at-th message to arrive is accepted, and its answer held until `release` is
        # set: a send in flight when its worker is killed.
        self.hold_at: int | None = None
        self.holding, self.release = threading.Event(), threading.Event()
        self._arrived = 0
        self._arrivals = threading.Lock()

    def fail_next(self, status: int, code: int, times: int = 1) -> None:
        """Answer the next `times` messages with HTTP `status` and Twilio error `code`."""
        self._failures.extend([(status, code)] * times)

    def __call__(self, environ, start_response):
        return self._respond(Request(environ))(environ, start_response)

    def _respond(self, request: Request) -> Response:
        calls = CALLS_PATH.match(request.path)
        if request.method == "POST" and calls is not None:
            return self._call(request, calls)
        match = MESSAGES_PATH.match(request.path)
        if match is None or request.method not in ("GET", "POST"):
            return _json(404, {"code": 20404, "message": "not found", "status": 404})
        if request.method == "GET":
            return self._list(match["sid"], request.args)
        auth = request.authorization
        form = request.form.to_dict()
        credentials = (auth.username, auth.password) if auth else None
        with self._arrivals:
            self._arrived += 1
            held = self._arrived == self.hold_at
        if form.get("To") in self.refuse:
            return _error(400, self.refuse[form["To"]], to=form["To"])
        late = held
        if self.flaky and not held:
            self._seen += 1
            late = self._seen % 5 == 0
            if not late and self._seen % 2 == 0:
                return _error(500, 20500, to=form.get("To", ""))
        self.received.append(ReceivedMessage(match["sid"], credentials, form))
        if self._failures:
            return _error(*self._failures.popleft(), to=form.get("To", ""))
        resource = message_resource(match["sid"], form, self.now())
        self.received_at[resource["sid"]] = time.time()
        self.accepted.append(resource)
        if held:
            self.holding.set()
            self.release.wait(30)
        elif late:  # sent, but the answer comes after the client gave up waiting
            time.sleep(DROPPED_SECONDS)
        return _json(201, resource)

    def _list(self, account_sid: str, args) -> Response:
        """GET .../Messages.json?To=&From=: the accepted messages, newest first, one page."""
        self.lists.append(args.to_dict())
        time.sleep(self.list_delay)
        if self.list_failure:
            return _error(*self.list_failure, to=args.get("To", ""))
        found = [
            resource
            for resource in reversed(self.accepted)
            if resource["account_sid"] == account_sid
            and args.get("To", resource["to"]) == resource["to"]
            and args.get("From", resource["from"]) == resource["from"]
        ][: int(args.get("PageSize", 50))]
        uri = f"/2010-04-01/Accounts/{account_sid}/Messages.json"
        return _json(
            200,
            {
                "messages": found,
                "page": 0,
                "page_size": len(found),
                "first_page_uri": uri,
                "next_page_uri": None,
                "previous_page_uri": None,
                "uri": uri,
            },
        )

    def _call(self, request: Request, match: re.Match) -> Response:
        form = request.form.to_dict(flat=False)
        form = {key: values if len(values) > 1 else values[0] for key, values in form.items()}
        if match["call"]:
            self.call_updates.append((match["call"], form))
            return _json(200, _call_resource(match["sid"], match["call"], form))
        auth = request.authorization
        credentials = (auth.username, auth.password) if auth else None
        self.calls.append(ReceivedMessage(match["sid"], credentials, form))
        if self._failures:
            return _error(*self._failures.popleft(), to=form.get("To", ""))
        resource = _call_resource(match["sid"], f"CA{uuid.uuid4().hex}", form)
        form["Sid"] = resource["sid"]
        return _json(201, resource)

    def answer(self, callbacks: TwilioCallbacks) -> list[DialledLeg]:
        """The created calls are picked up: as Twilio does, fetch each one's TwiML (signed) from
        its Url, and dial what its <Dial> says; returns the legs dialled now."""
        legs = []
        for call in self.calls:
            if call.form["Sid"] in self._answered:
                continue
            self._answered.add(call.form["Sid"])
            twiml = callbacks.post(
                call.form["Url"], {"CallSid": call.form["Sid"], "CallStatus": "in-progress"}
            )
            root = ElementTree.fromstring(twiml.get_data())  # noqa: S314 (Haven's own TwiML)
            for dial in root.iter("Dial"):
                for number in dial.iter("Number"):
                    legs.append(
                        DialledLeg(
                            parent=call.form["Sid"],
                            to=(number.text or "").strip(),
                            caller_id=dial.get("callerId", ""),
                            machine_detection=number.get("machineDetection", ""),
                            amd_callback=number.get("amdStatusCallback", ""),
                        )
                    )
        self.dialled.extend(legs)
        return legs


@dataclass(frozen=True)
class DialledLeg:
    """A call Twilio placed because an answered call's TwiML said <Dial><Number>."""

    parent: str
    to: str
    caller_id: str
    machine_detection: str
    amd_callback: str


def _call_resource(account_sid: str, sid: str, form: dict) -> dict:
    return {
        "sid": sid,
        "account_sid": account_sid,
        "to": form.get("To"),
        "from": form.get("From"),
        "status": form.get("Status", "queued"),
        "api_version": "2010-04-01",
        "date_created": formatdate(usegmt=True),
        "uri": f"/2010-04-01/Accounts/{account_sid}/Calls/{sid}.json",
    }


class TwilioCallbacks:
    """Twilio calling Haven: each request signed with the account's token, as Twilio signs."""

    def __init__(self, client, auth_token: str, public_url: str):
        self.client, self.token, self.public_url = client, auth_token, public_url.rstrip("/")

    def post(self, address: str, form: dict):
        """`address` absolute (as Haven gave it to Twilio) or a path of Haven's."""
        path = address.removeprefix(self.public_url)
        signature = RequestValidator(self.token).compute_signature(self.public_url + path, form)
        return self.client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def message_resource(account_sid: str, form: dict[str, str], created: float) -> dict:
    sid = f"SM{uuid.uuid4().hex}"
    return {
        "sid": sid,
        "account_sid": account_sid,
        "to": form.get("To"),
        "from": form.get("From"),
        "body": form.get("Body"),
        "status": "queued",
        "direction": "outbound-api",
        "num_segments": "1",
        "api_version": "2010-04-01",
        "date_created": formatdate(created, usegmt=True),
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
    }


def _error(status: int, code: int, *, to: str) -> Response:
    """Twilio's error shape; like the real one, the message may quote the number."""
    return _json(
        status,
        {
            "code": code,
            "message": f"The 'To' number {to} cannot be messaged (error {code}).",
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
    )


def _json(status: int, payload: dict) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


class LocalTwilioHttpClient(TwilioHttpClient):
    """Twilio's own HTTP client, with https://api.twilio.com rewritten to a local server."""

    def __init__(self, base_url: str, timeout: float = 5):
        super().__init__(timeout=timeout)
        assert self.session is not None
        self.session.trust_env = False
        self.base_url = base_url

    def request(self, method: str, url: str, *args, **kwargs) -> TwilioResponse:
        return super().request(method, url.replace(TWILIO_API, self.base_url, 1), *args, **kwargs)

    def close(self) -> None:
        assert self.session is not None
        self.session.close()
