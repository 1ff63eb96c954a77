"""Whether a request really comes from Twilio: its `X-Twilio-Signature` over URL and form."""

from __future__ import annotations

from flask import Request
from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"


def signed_url(request: Request, public_url: str) -> str:
    """The address Twilio called: behind a proxy Flask may see another, so PUBLIC_URL wins."""
    if not public_url:
        return request.url
    query = request.query_string.decode("latin-1")
    return public_url.rstrip("/") + request.path + (f"?{query}" if query else "")


def is_signed(request: Request, *, auth_token: str, public_url: str) -> bool:
    """True only for a request signed with this account's auth token (none: never)."""
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not auth_token or not signature:
        return False
    params = request.form if request.method == "POST" else {}
    url = signed_url(request, public_url)
    return RequestValidator(auth_token).validate(url, params, signature)
