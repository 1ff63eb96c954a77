"""Twilio's webhooks: status callbacks, the bridged call's TwiML, and texts to the hotline.

Every request here passed the signature check (blueprint.py) before it was routed. Each answer
is what Twilio expects (TwiML or an empty 204) and says nothing about anyone; nothing Twilio
sends (numbers, message bodies) reaches a log line.
"""

from __future__ import annotations

from flask import Response, request
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from webapp.callbacks import calls, sms_intake
from webapp.callbacks.errors import NotYours
from webapp.db import get_session
from webapp.hooks.blueprint import bp
from webapp.messaging.outbox import record_delivery
from webapp.messaging.voice import CALL_EVENTS, dialer_for
from webapp.runtime import now, public_url_for, settings, twilio_http_client

# Said to the advocate who picked up, before the survivor's phone rings.
CONNECTING = "Connecting your callback. Please wait."
GONE = "This callback can no longer be connected. Goodbye."


def _twiml(response) -> Response:
    return Response(str(response), mimetype="text/xml")


@bp.post("/messages/status")
def message_status():
    record_delivery(
        get_session(), request.form.get("MessageSid", ""), request.form.get("MessageStatus", "")
    )
    return "", 204


@bp.post("/calls/status")
def call_status():
    sequence = request.form.get("SequenceNumber", "")
    calls.record_status(
        get_session(),
        request.form.get("CallSid", ""),
        request.form.get("CallStatus", ""),
        parent=request.form.get("ParentCallSid") or None,
        sequence=int(sequence) if sequence.isdecimal() else None,
        now=now(),
    )
    return "", 204


@bp.post("/voice/bridge/<token>")
def bridge(token: str):
    """The advocate answered: dial the survivor from the masked caller id.

    Without her leave to record a message, answering-machine detection is on, and a machine
    or an unsure answer is hung up on without a word (see `machine`).
    """
    response = VoiceResponse()
    try:
        found, _advocate = calls.bridged_request(
            get_session(), settings().secret_key, token, now=now()
        )
    except NotYours:
        response.say(GONE)
        response.hangup()
        return _twiml(response)
    response.say(CONNECTING)
    dial = response.dial(
        caller_id=settings().twilio_caller_id or settings().twilio_from_number,
        answer_on_bridge=True,
    )
    detection = {}
    if not found.voicemail_ok:
        detection = {
            "machine_detection": "Enable",
            "amd_status_callback": public_url_for("hooks.machine", token=token),
            "amd_status_callback_method": "POST",
        }
    dial.number(
        found.number,
        status_callback=public_url_for("hooks.call_status"),
        status_callback_event=" ".join(CALL_EVENTS),
        **detection,
    )
    return _twiml(response)


@bp.post("/voice/machine/<token>")
def machine(token: str):
    """Who picked up the survivor's phone; not a person, and no message allowed: hang up."""
    sid = request.form.get("CallSid", "")
    try:
        found, _advocate = calls.bridged_request(
            get_session(), settings().secret_key, token, now=now()
        )
    except NotYours:
        return "", 204
    machine_answered = calls.machine_answered(
        get_session(), sid, request.form.get("AnsweredBy", "unknown"), now=now()
    )
    if machine_answered and not found.voicemail_ok:
        dialer_for(settings(), http_client=twilio_http_client()).hang_up(sid)
    return "", 204


@bp.post("/sms")
def inbound_sms():
    """A text to the hotline number: a keyword starts a request; the answer is neutral."""
    sms_intake.text_received(
        get_session(),
        sender=request.form.get("From", ""),
        body=request.form.get("Body", ""),
        region=settings().phone_region,
        time_zone=settings().time_zone,
        secret_key=settings().secret_key,
        message_id=request.form.get("MessageSid", ""),
        now=now(),
    )
    reply = MessagingResponse()
    if settings().sms_reply:
        reply.message(settings().sms_reply)
    return _twiml(reply)
