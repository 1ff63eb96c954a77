"""The private notebook (`/notes`): a page whose script encrypts everything in the browser,
and the JSON routes that keep its opaque records.

The passphrase and the key never reach these views: the browser sends a lookup id, an access
secret derived from the passphrase, and ciphertexts. Opening a notebook keeps its id in the
server-side session until it is locked, the visit locks or ends, or it is wiped.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from flask import jsonify, render_template, request, session
from flask_babel import lazy_gettext as _l
from limits import parse

from webapp.db import get_session
from webapp.extensions import limiter
from webapp.notebook import kdf, operations, receipts
from webapp.notebook.errors import (
    AppendOnly,
    BadRecord,
    NotebookTaken,
    StaleVersion,
    UnknownNotebook,
)
from webapp.notebook.models import Notebook, NotebookRecord
from webapp.runtime import now, settings
from webapp.security import client_key
from webapp.survivor.blueprint import bp
from webapp.survivor.state import NOTEBOOK, unlocked_required

OPEN_ATTEMPTS = parse("10/15 minutes")  # wrong passphrases per client before a pause
NEW_A_HOUR = parse("10/hour")
WRITES_A_HOUR = parse("1200/hour")


@dataclass(frozen=True)
class PlanSection:
    key: str
    title: str
    question: str
    checklist: tuple = ()


GO_BAG = (
    ("id", _l("ID cards, passports, driving licence")),
    ("births", _l("Birth certificates, yours and the children's")),
    ("money", _l("Money, bank cards, cheque book")),
    ("keys", _l("Keys: house, car, work")),
    ("medicine", _l("Medicines and prescriptions")),
    ("phone", _l("A phone charger and important numbers on paper")),
    ("orders", _l("Protection order and court papers")),
    ("papers", _l("Copies of lease, insurance and immigration papers")),
    ("clothes", _l("Clothes for a few days")),
    ("comfort", _l("The children's favourite toys or blankets")),
)
SECTIONS = (
    PlanSection(
        "during",
        _l("During an incident"),
        _l("Where can you go in the home that has a way out? Who can you signal, and how?"),
    ),
    PlanSection(
        "leaving",
        _l("Preparing to leave"),
        _l("Where could you go? Who could lend you money or keep a bag for you?"),
    ),
    PlanSection(
        "after",
        _l("After leaving"),
        _l("What would you change: locks, routes to work, the children's school pick-up?"),
    ),
    PlanSection(
        "children",
        _l("Children"),
        _l("What do the children know to do? Who may pick them up from school?"),
    ),
    PlanSection(
        "pets", _l("Pets"), _l("Who could look after your pets? What do they need with them?")
    ),
    PlanSection(
        "technology",
        _l("Phones and accounts"),
        _l("Which passwords should change? Which devices or accounts could someone else see?"),
    ),
    PlanSection(
        "feelings",
        _l("Looking after yourself"),
        _l("Who or what helps you on a hard day? Who can you talk to?"),
    ),
    PlanSection(
        "documents",
        _l("Documents and a bag ready to go"),
        _l("Where do you keep them? Who could keep copies for you?"),
        GO_BAG,
    ),
    PlanSection(
        "people",
        _l("Trusted people and code words"),
        _l('Who can you count on, and how do you reach them? Which word means "call for help"?'),
    ),
)
ENTRY_FIELDS = (
    ("when", _l("Date and time"), "when"),
    ("place", _l("Where"), "short"),
    ("what", _l("What happened"), "long"),
    ("who", _l("Who was there"), "short"),
    ("injuries", _l("Injuries"), "long"),
    ("evidence", _l("Evidence (photos, messages, witnesses, medical visits)"), "long"),
    ("police", _l("Police report number"), "short"),
)


def _cost() -> operations.HashParameters:
    config = settings()
    return operations.HashParameters(
        config.argon2_memory_kib, config.argon2_time_cost, config.argon2_parallelism
    )


def _signer() -> receipts.Signer:
    return receipts.Signer(settings().secret_key)


def _refuse(problem: str, status: int, **more):
    """A refusal the page's script turns into a translated message; nothing is kept."""
    return jsonify(problem=problem, **more), status


def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _row(record: NotebookRecord, *, with_data: bool) -> dict:
    row = {
        "seq": record.seq,
        "id": record.record_id,
        "kind": record.kind,
        "version": record.version,
        "scheme": record.scheme,
        "hash": record.cipher_hash,
        "chain": record.chain_hash,
        "at": receipts.stamp(record.received_at),
        "receipt": record.receipt,
    }
    if with_data:
        row["data"] = base64.b64encode(record.ciphertext).decode()
    return row


def _contents(notebook: Notebook) -> dict:
    every = operations.chain(get_session(), notebook)
    newest = {record.seq for record in operations.latest_of_each(every)}
    return {
        "kdf": notebook.kdf_version,
        "wrapped": base64.b64encode(notebook.wrapped_key).decode(),
        "records": [_row(record, with_data=record.seq in newest) for record in every],
    }


@bp.get("/notes")
@unlocked_required
def notes():
    session.pop(NOTEBOOK, None)  # a page loaded afresh holds no key: the notebook is locked
    return render_template(
        "survivor/notes.html",
        public_key=_signer().public_key(),
        kdf_table=kdf.table(),
        sections=SECTIONS,
        entry_fields=ENTRY_FIELDS,
        key_seconds=settings().notebook_lock_minutes * 60,
    )


@bp.post("/notes/new")
@unlocked_required
def new_notebook():
    body = _body()
    if not limiter.limiter.hit(NEW_A_HOUR, "notebook new", client_key()):
        return _refuse("busy", 429)
    try:
        notebook = operations.create(
            get_session(),
            body.get("lookup"),
            body.get("access"),
            body.get("kdf"),
            _decoded(body.get("wrapped")),
            cost=_cost(),
            now=now(),
        )
    except BadRecord as bad:
        return _refuse(bad.problem, 400)
    except NotebookTaken:
        return _refuse("taken", 409)
    session[NOTEBOOK] = notebook.id
    return jsonify(_contents(notebook)), 201


@bp.post("/notes/open")
@unlocked_required
def open_notebook():
    body = _body()
    client = client_key()
    if not limiter.limiter.test(OPEN_ATTEMPTS, "notebook open", client):
        return _refuse("busy", 429)
    try:
        notebook = operations.open_notebook(
            get_session(), body.get("lookup"), body.get("access"), cost=_cost()
        )
    except UnknownNotebook:
        limiter.limiter.hit(OPEN_ATTEMPTS, "notebook open", client)
        return _refuse("unknown", 404)
    session[NOTEBOOK] = notebook.id
    return jsonify(_contents(notebook))


def _opened() -> Notebook | None:
    notebook_id = session.get(NOTEBOOK)
    if not notebook_id:
        return None
    try:
        return operations.find(get_session(), notebook_id)
    except UnknownNotebook:
        session.pop(NOTEBOOK, None)
        return None


def _decoded(value: object) -> bytes:
    if not isinstance(value, str):
        raise BadRecord("data")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise BadRecord("data") from None


@bp.post("/notes/save")
@unlocked_required
def save_record():
    notebook = _opened()
    if notebook is None:
        return _refuse("closed", 403)
    if not limiter.limiter.hit(WRITES_A_HOUR, "notebook write", client_key()):
        return _refuse("busy", 429)
    body = _body()
    try:
        record = operations.append(
            get_session(),
            notebook,
            record_id=body.get("id"),
            kind=body.get("kind"),
            version=body.get("version"),
            scheme=body.get("scheme"),
            ciphertext=_decoded(body.get("data")),
            signer=_signer(),
            now=now(),
        )
    except StaleVersion as stale:
        return _refuse("stale", 409, latest=_row(stale.latest, with_data=True))
    except AppendOnly:
        return _refuse("append", 409)
    except BadRecord as bad:
        return _refuse(bad.problem, 413 if bad.problem in ("size", "full") else 400)
    return jsonify(_row(record, with_data=False)), 201


@bp.post("/notes/rekey")
@unlocked_required
def rekey_notebook():
    """The opened notebook moved to the current key derivation (see `notebook.kdf`)."""
    notebook = _opened()
    if notebook is None:
        return _refuse("closed", 403)
    body = _body()
    try:
        operations.rekey(
            get_session(),
            notebook,
            body.get("lookup"),
            body.get("access"),
            body.get("kdf"),
            _decoded(body.get("wrapped")),
            cost=_cost(),
        )
    except BadRecord as bad:
        return _refuse(bad.problem, 400)
    except NotebookTaken:
        return _refuse("taken", 409)
    return jsonify(kdf=notebook.kdf_version)


@bp.post("/notes/close")
@unlocked_required
def close_notebook():
    session.pop(NOTEBOOK, None)
    return jsonify(closed=True)


@bp.post("/notes/wipe")
@unlocked_required
def wipe_notebook():
    notebook = _opened()
    if notebook is None:
        return _refuse("closed", 403)
    if _body().get("sure") is not True:
        return _refuse("sure", 400)
    operations.wipe(get_session(), notebook)
    session.pop(NOTEBOOK, None)
    return jsonify(wiped=True)
