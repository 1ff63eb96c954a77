"""The survivor's session, kept on the server: the cookie holds an opaque token, nothing else.

A session held in the cookie itself cannot be taken back: a copy of it made before a quick exit
would open the pages again afterwards. Here the data lives in a row (encrypted with DATA_KEY,
found by a hash of the token), so quick exit, the idle lock and the twelve-hour cap end a
session for good, and what a session holds for a moment (the words of a search, for the
results page) never reaches the phone.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import Flask, Request, Response
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import String, delete, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.datastructures import CallbackDict

from webapp import runtime
from webapp.crypto import EncryptedText
from webapp.db import Base, UtcDateTime

# However active, a visit's row is gone this long after its last change.
LIFETIME = timedelta(hours=12)
SERIALIZER = TaggedJSONSerializer()


class Visit(Base):
    """One browser's session; `id` is the SHA-256 of the cookie's token."""

    __tablename__ = "visits"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[str] = mapped_column(EncryptedText())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)

    def __repr__(self) -> str:
        return f"<Visit expires={self.expires_at:%Y-%m-%d %H:%M}>"


class VisitSession(CallbackDict, SessionMixin):
    """Flask's `session` for one request; `renew()` gives it a new token (after the unlock)."""

    def __init__(self, initial: dict | None = None, token: str | None = None):
        def changed(_self) -> None:
            self.modified = True

        super().__init__(initial or {}, changed)
        self.token = token
        self.new = token is None
        self.modified = False
        self.renewed = False

    def renew(self) -> None:
        self.renewed = self.modified = True


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class VisitSessionInterface(SessionInterface):
    """Sessions in the `visits` table, read and written in transactions of their own."""

    def open_session(self, app: Flask, request: Request) -> VisitSession:
        token = request.cookies.get(self.get_cookie_name(app), "")
        if request.path.startswith(f"{app.static_url_path}/"):
            return VisitSession(token=token or None)  # a file needs no session: no query
        if token:
            with app.extensions["db.sessionmaker"]() as db:
                visit = db.get(Visit, token_hash(token))
                if visit is not None and visit.expires_at > runtime.now(app):
                    return VisitSession(SERIALIZER.loads(visit.data), token)
        return VisitSession()

    def save_session(self, app: Flask, session: VisitSession, response: Response) -> None:
        if not session.modified:
            return
        name = self.get_cookie_name(app)
        with app.extensions["db.sessionmaker"]() as db:
            if session.token and (session.renewed or not session):
                db.execute(delete(Visit).where(Visit.id == token_hash(session.token)))
            if not session:
                db.commit()
                if session.token:
                    response.delete_cookie(name, **self._flags(app))
                return
            token = session.token
            if token is None or session.renewed:
                token = secrets.token_urlsafe(32)
                forget_expired_visits(db, runtime.now(app))
            values = {
                "data": SERIALIZER.dumps(dict(session)),
                "expires_at": runtime.now(app) + LIFETIME,
            }
            updated = 0
            if token == session.token:  # an existing visit: one UPDATE, no read first
                visit = update(Visit).where(Visit.id == token_hash(token)).values(**values)
                updated = db.execute(visit).rowcount
            if not updated:  # a new visit, or one gone since it was read
                db.add(Visit(id=token_hash(token), **values))
            db.commit()
        if token != session.token:
            response.set_cookie(name, token, **self._flags(app))
        response.vary.add("Cookie")

    def _flags(self, app: Flask) -> dict:
        return {
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "httponly": self.get_cookie_httponly(app),
            "samesite": self.get_cookie_samesite(app),
        }


def forget_expired_visits(db: Session, now: datetime) -> int:
    """Rows of visits nobody came back to; cheap through the index on `expires_at`."""
    return db.execute(delete(Visit).where(Visit.expires_at <= now)).rowcount
