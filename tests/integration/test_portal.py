"""The organization portal: editors propose, moderators review, survivors see only what passed."""

from __future__ import annotations

import html as markup
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import csrf_token, unlock
from webapp.accounts.sessions import start_session
from webapp.db import session_scope
from webapp.directory import finder
from webapp.directory.changes.models import ChangeRequest, FieldChange
from webapp.directory.models import FieldTranslation
from webapp.directory.tables import TABLES

OLD_NUMBER, NEW_NUMBER = "217-555-0100", "217-555-0177"
PHONE_UPDATE = {"resource": "phone", "action": "update"}
CAPACITY = {"resource": "service_capacity"}


class Staff:
    """A signed-in staff member's browser."""

    def __init__(self, app, user_id: int, clock):
        self.app, self.id = app, user_id
        with session_scope(app) as session:
            from webapp.accounts.models import User

            token = start_session(session, session.get(User, user_id), now=clock_now(clock))
        self.client = app.test_client()
        self.client.set_cookie("staff", token)

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def send(self, page: str, action: str, data: dict, *, match: dict | None = None, **kwargs):
        """Submit a form of the page as a browser would: the first posting to `action` whose
        fields hold `match`, with its fields as they stand and `data` typed over them."""
        html = self.client.get(page, **kwargs).get_data(as_text=True)
        hidden = form_with(html, action, match or {})
        return self.client.post(action, data={**hidden, **data}, **kwargs)


def clock_now(clock):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(clock.time(), UTC)


FORM = re.compile(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', re.S)


class _Inputs(HTMLParser):
    """What a browser would send of a form's inputs, textareas and selects, as they stand."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str | list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        name = found.get("name")
        if tag == "input" and name:
            if found.get("type") in ("checkbox", "radio") and "checked" not in found:
                return
            if found.get("type") == "submit":
                return
            value = found.get("value") or ""
            if found.get("type") == "checkbox" and name in self.values:
                before = self.values[name]
                value = [*(before if isinstance(before, list) else [before]), value]
            self.values[name] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in found:
            self.values[self._select] = found.get("value") or ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_with(html: str, action: str, match: dict) -> dict:
    found = [f for f in hidden_fields(html, action) if match.items() <= f.items()]
    assert found, f"no form for {action} with {match}"
    return found[0]


def hidden_fields(html: str, action: str) -> list[dict]:
    """The values of each form posting to `action` as a browser would send them, in page
    order."""
    forms = []
    for target, body in FORM.findall(html):
        if markup.unescape(target) == action:
            parser = _Inputs()
            parser.feed(body)
            forms.append(parser.values)
    return forms


@pytest.fixture
def listing(db_app, clock):
    return make_listing(db_app, clock)


def make_listing(db_app, clock) -> dict:
    """Two organizations, each with a service and a phone; an editor of each; two moderators."""
    clock.now = factories.NOW.timestamp()
    settings = db_app.config["HAVEN_SETTINGS"]
    with session_scope(db_app) as session:
        ours = factories.organization(session, name="Riverside Shelter")
        theirs = factories.organization(session, name="Hillside Refuge")
        service = factories.service(
            session, organization_id=ours, name="Riverside emergency shelter"
        )
        other = factories.service(session, organization_id=theirs, name="Hillside hotline")
        ids = {
            "organization": ours,
            "other_organization": theirs,
            "service": service,
            "other_service": other,
            "phone": factories.phone(session, service, OLD_NUMBER, "Night line"),
            "other_phone": factories.phone(session, other),
            "capacity": factories.capacity(session, service, available=3, maximum=10),
            "editor": factories.editor(session, settings, [ours]).id,
            "other_editor": factories.editor(session, settings, [theirs]).id,
            "moderator": factories.user(session, settings, roles=["moderator"]).id,
            "second_moderator": factories.user(session, settings, roles=["moderator"]).id,
        }
    return ids


def staff(db_app, clock, user_id) -> Staff:
    return Staff(db_app, user_id, clock)


def survivor_page(app, service_id: str, language: str = "en") -> str:
    client = app.test_client()
    unlock(client)
    response = client.get(f"/places/{service_id}", headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def api_service(app, service_id: str) -> dict:
    response = app.test_client().get(f"/api/hsds/services/{service_id}")
    assert response.status_code == 200
    return response.get_json()


def stored(app, resource: str, record_id: str) -> dict:
    with session_scope(app) as session:
        table = TABLES[resource]
        return dict(session.execute(select(table).where(table.c.id == record_id)).one()._mapping)


def changes(app) -> int:
    with session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(ChangeRequest))


def service_page(ids) -> str:
    return f"/portal/services/{ids['service']}"


def propose_phone(editor: Staff, ids, number: str, fields: dict | None = None, **kwargs):
    page = service_page(ids)
    action = f"{page}/changes"
    data = {"f-number": number, **(fields or {})}
    return editor.send(page, action, data, match=PHONE_UPDATE, **kwargs)


def approve(moderator: Staff, change_id: int):
    page = f"/portal/changes/{change_id}"
    return moderator.send(page, f"{page}/approve", {})


def latest_change(app) -> ChangeRequest:
    with session_scope(app) as session:
        change = session.scalars(select(ChangeRequest).order_by(ChangeRequest.id.desc())).first()
        if change is not None:
            session.expunge(change)
        return change


def test_a_phone_change_is_published_only_once_a_moderator_approves(db_app, clock, listing):
    editor, moderator = staff(db_app, clock, listing["editor"]), None
    answer = propose_phone(editor, listing, NEW_NUMBER)
    assert answer.status_code == 303
    assert "Sent to the moderators" in editor.get(answer.location).get_data(as_text=True)

    for page in (
        survivor_page(db_app, listing["service"]),
        str(api_service(db_app, listing["service"])),
    ):
        assert OLD_NUMBER in page and NEW_NUMBER not in page

    moderator = staff(db_app, clock, listing["moderator"])
    change = latest_change(db_app)
    queue = moderator.get("/portal/review").get_data(as_text=True)
    assert f"/portal/changes/{change.id}" in queue and "Riverside emergency shelter" in queue
    diff = moderator.get(f"/portal/changes/{change.id}").get_data(as_text=True)
    assert OLD_NUMBER in diff and NEW_NUMBER in diff
    assert approve(moderator, change.id).status_code == 303

    assert NEW_NUMBER in survivor_page(db_app, listing["service"])
    assert NEW_NUMBER in str(api_service(db_app, listing["service"]))
    metadata = TABLES["metadata"]
    with session_scope(db_app) as session:
        (entry,) = session.execute(
            select(metadata).where(metadata.c.resource_id == listing["phone"])
        ).all()
    assert (entry.resource_type, entry.field_name) == ("phone", "number")
    assert (entry.previous_value, entry.replacement_value) == (OLD_NUMBER, NEW_NUMBER)
    assert entry.last_action_type == "update" and "Riverside Shelter" in entry.updated_by
    history = editor.get(f"{service_page(listing)}/history").get_data(as_text=True)
    assert OLD_NUMBER in history and NEW_NUMBER in history


def test_a_rejected_change_never_appears_and_its_editor_reads_why(db_app, clock, listing):
    editor = staff(db_app, clock, listing["editor"])
    propose_phone(editor, listing, NEW_NUMBER)
    change = latest_change(db_app)
    moderator = staff(db_app, clock, listing["moderator"])
    page = f"/portal/changes/{change.id}"

    refused = moderator.send(page, f"{page}/reject", {"reason": ""})
    assert refused.status_code == 400 and "Say why" in refused.get_data(as_text=True)
    answer = moderator.send(
        page, f"{page}/reject", {"reason": "That number rings a closed office."}
    )
    assert answer.status_code == 303

    assert OLD_NUMBER in survivor_page(db_app, listing["service"])
    assert NEW_NUMBER not in survivor_page(db_app, listing["service"])
    assert stored(db_app, "phone", listing["phone"])["number"] == OLD_NUMBER
    home = editor.get("/portal/").get_data(as_text=True)
    assert "Rejected" in home and "That number rings a closed office." in home


def test_a_script_bearing_description_is_stored_sanitised(db_app, clock, listing):
    editor = staff(db_app, clock, listing["editor"])
    page = service_page(listing)
    dangerous = (
        '<p onclick="steal()">Open <strong>all night</strong>.<script>alert(1)</script></p>'
        '<a href="https://elsewhere.example">more</a><img src=x onerror=alert(2)>'
    )
    answer = editor.send(page, f"{page}/changes", {"f-description": dangerous})
    assert answer.status_code == 303
    with session_scope(db_app) as session:
        (field,) = session.scalars(select(FieldChange).where(FieldChange.field == "description"))
        kept = field.after
    for bad in ("script", "onclick", "onerror", "<img", "<a ", "elsewhere"):
        assert bad not in kept, bad
    assert "<strong>all night</strong>" in kept

    approve(staff(db_app, clock, listing["moderator"]), latest_change(db_app).id)
    description = stored(db_app, "service", listing["service"])["description"]
    assert description == "<p>Open <strong>all night</strong>.</p>more"
    shown = survivor_page(db_app, listing["service"])
    assert "<strong>all night</strong>" in shown and "alert(" not in shown


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Type a phone number in digits (no letters)"),
        ("es", "Escriba un número de teléfono en cifras (sin letras)"),
    ],
)
def test_a_number_with_letters_is_refused_and_the_form_keeps_the_rest(
    db_app, clock, listing, language, message
):
    editor = staff(db_app, clock, listing["editor"])
    before = changes(db_app)
    answer = propose_phone(
        editor,
        listing,
        "1-800-FLOWERS",
        {"f-description": "Night line, ask for Ana"},
        headers={"Accept-Language": language},
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert message in page
    assert 'value="1-800-FLOWERS"' in page and 'value="Night line, ask for Ana"' in page
    assert 'aria-invalid="true"' in page
    assert changes(db_app) == before
    assert stored(db_app, "phone", listing["phone"])["number"] == OLD_NUMBER


def test_bad_values_are_each_named_and_nothing_is_stored(db_app, clock, listing):
    editor = staff(db_app, clock, listing["editor"])
    page = service_page(listing)
    answer = editor.send(
        page,
        f"{page}/changes",
        {
            "f-name": "",
            "f-url": "javascript:alert(1)",
            "f-email": "not an address",
            "f-minimum_age": "twelve",
            "f-alert": "x" * 501,
        },
    )
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    for message in (
        "This cannot be empty.",
        "Type a web address starting with https:// or http://",
        "Type an email address such as name@example.org.",
        "Type a whole number in digits.",
        "Keep this to 500 characters or fewer.",
    ):
        assert message in text
    assert "javascript:alert(1)" in text  # kept as typed, escaped
    assert changes(db_app) == 0


def test_the_second_of_two_editors_is_told_the_listing_changed(db_app, clock, listing):
    settings = db_app.config["HAVEN_SETTINGS"]
    with session_scope(db_app) as session:
        second_id = factories.editor(session, settings, [listing["organization"]]).id
    first, second = staff(db_app, clock, listing["editor"]), staff(db_app, clock, second_id)
    page = service_page(listing)
    action = f"{page}/changes"
    opened = form_with(second.get(page).get_data(as_text=True), action, PHONE_UPDATE)

    propose_phone(first, listing, NEW_NUMBER)
    approve(staff(db_app, clock, listing["moderator"]), latest_change(db_app).id)
    count = changes(db_app)

    answer = second.client.post(action, data={**opened, "f-number": "217-555-0188"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Someone changed this listing since you opened it" in text
    assert NEW_NUMBER in text and "217-555-0188" in text  # both values
    assert changes(db_app) == count
    assert stored(db_app, "phone", listing["phone"])["number"] == NEW_NUMBER


def test_an_approval_that_would_overwrite_a_later_change_is_refused(db_app, clock, listing):
    settings = db_app.config["HAVEN_SETTINGS"]
    with session_scope(db_app) as session:
        second_id = factories.editor(session, settings, [listing["organization"]]).id
    propose_phone(staff(db_app, clock, listing["editor"]), listing, NEW_NUMBER)
    first = latest_change(db_app)
    propose_phone(staff(db_app, clock, second_id), listing, "217-555-0188")
    second = latest_change(db_app)
    moderator = staff(db_app, clock, listing["moderator"])
    approve(moderator, first.id)

    answer = approve(moderator, second.id)
    assert answer.status_code == 409
    assert "The listing has changed since this was proposed" in answer.get_data(as_text=True)
    assert stored(db_app, "phone", listing["phone"])["number"] == NEW_NUMBER


def test_a_moderator_cannot_approve_their_own_change(db_app, clock, listing):
    moderator = staff(db_app, clock, listing["moderator"])
    propose_phone(moderator, listing, NEW_NUMBER)
    change = latest_change(db_app)
    page = moderator.get(f"/portal/changes/{change.id}").get_data(as_text=True)
    assert "another moderator must review it" in page and "/approve" not in page

    answer = moderator.client.post(
        f"/portal/changes/{change.id}/approve", data={"csrf_token": csrf_token(page)}
    )
    assert answer.status_code == 409
    assert stored(db_app, "phone", listing["phone"])["number"] == OLD_NUMBER
    assert approve(staff(db_app, clock, listing["second_moderator"]), change.id).status_code == 303
    assert stored(db_app, "phone", listing["phone"])["number"] == NEW_NUMBER


def test_free_places_go_live_at_once_only_where_a_moderator_allows_it(db_app, clock, listing):
    editor, moderator = staff(db_app, clock, listing["editor"]), None
    page = service_page(listing)

    editor.send(page, f"{page}/changes", {"f-available": "1"}, match=CAPACITY)
    assert stored(db_app, "service_capacity", listing["capacity"])["available"] == 3
    assert latest_change(db_app).status == "pending"

    moderator = staff(db_app, clock, listing["moderator"])
    moderator.send(
        "/portal/", f"/portal/organizations/{listing['organization']}/quick", {"allowed": "on"}
    )
    clock.advance(60)
    editor.send(page, f"{page}/changes", {"f-available": "0"}, match=CAPACITY)
    live = latest_change(db_app)
    assert live.status == "live"
    assert stored(db_app, "service_capacity", listing["capacity"])["available"] == 0
    assert "0 free of 10" in survivor_page(db_app, listing["service"])

    # A phone number still waits, whatever the organization may publish at once.
    propose_phone(editor, listing, NEW_NUMBER)
    assert latest_change(db_app).status == "pending"

    # Rejecting the live change puts the previous value back.
    change_page = f"/portal/changes/{live.id}"
    moderator.send(change_page, f"{change_page}/reject", {"reason": "We just counted three."})
    assert stored(db_app, "service_capacity", listing["capacity"])["available"] == 3


def test_translations_show_what_is_missing_outdated_or_machine_made(db_app, clock, listing):
    with session_scope(db_app) as session:
        services = TABLES["service"]
        session.execute(
            services.update()
            .where(services.c.id == listing["service"])
            .values(description="Beds for adults and children.")
        )
        session.add(
            FieldTranslation(
                resource="service",
                record_id=listing["service"],
                field="description",
                language="fr",
                value="Des lits pour adultes et enfants.",
                origin="machine",
            )
        )
    editor = staff(db_app, clock, listing["editor"])
    page = f"{service_page(listing)}/translations/es"
    spanish = editor.get(page).get_data(as_text=True)
    assert "Beds for adults and children." in spanish and "Not translated yet" in spanish
    french = editor.get(f"{service_page(listing)}/translations/fr").get_data(as_text=True)
    assert "Machine translation, not checked by a person" in french

    named = 'Description <span class="meta">(<bdi lang="es">Español</bdi>)</span>'
    assert named in spanish, "the language by its own name, not its code"

    answer = editor.send(page, page, {"f-description@es": "Camas para adultos y niños."})
    assert answer.status_code == 303
    moderator = staff(db_app, clock, listing["moderator"])
    queue = moderator.get("/portal/review").get_data(as_text=True)
    assert 'Description (<bdi lang="es">Español</bdi>)' in queue and "(es)" not in queue
    waiting = editor.get(page).get_data(as_text=True)
    change_link = (
        f'<a href="/portal/changes/{latest_change(db_app).id}">Waiting for a moderator</a>'
    )
    assert change_link in waiting, "the editor sees the translation waits, and where"
    approve(moderator, latest_change(db_app).id)
    assert "Camas para adultos y niños." in survivor_page(db_app, listing["service"], "es")
    assert "Up to date" in editor.get(page).get_data(as_text=True)

    # The English text changes: the Spanish one is now outdated.
    service = service_page(listing)
    editor.send(service, f"{service}/changes", {"f-description": "Beds and cots for everyone."})
    approve(staff(db_app, clock, listing["moderator"]), latest_change(db_app).id)
    assert "Outdated: the text changed since it was translated" in editor.get(page).get_data(
        as_text=True
    )


def test_an_editor_withdraws_a_pending_change(db_app, clock, listing):
    editor = staff(db_app, clock, listing["editor"])
    propose_phone(editor, listing, NEW_NUMBER)
    change = latest_change(db_app)
    page = f"/portal/changes/{change.id}"
    assert editor.send(page, f"{page}/withdraw", {}).status_code == 303
    assert latest_change(db_app).status == "withdrawn"
    assert "/portal/changes" not in staff(db_app, clock, listing["moderator"]).get(
        "/portal/review"
    ).get_data(as_text=True)


def test_an_editor_reaches_nothing_of_another_organization(db_app, clock, listing):
    """Every portal route, read and write, with the other organization's ids."""
    editor = staff(db_app, clock, listing["editor"])
    propose_phone(
        staff(db_app, clock, listing["other_editor"]),
        {"service": listing["other_service"]},
        NEW_NUMBER,
    )
    their_change = latest_change(db_app)
    token = csrf_token(editor.get("/portal/").get_data(as_text=True))
    values = {
        "service_id": listing["other_service"],
        "change_id": str(their_change.id),
        "organization_id": listing["other_organization"],
        "language": "es",
        "correction_id": "ac148810-d857-441c-9679-408f346de14b",
        "invitation_id": "1",
        "token": "no-such-invitation",
    }
    checked = 0
    for rule in db_app.url_map.iter_rules():
        if not rule.rule.startswith("/portal/") or rule.rule in ("/portal/", "/portal/stale"):
            continue  # their own lists, checked below
        path = re.sub(
            r"<(?:[^:>]+:)?([a-z_]+)(?:\([^)]*\))?>", lambda m: values[m.group(1)], rule.rule
        )
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {
                "csrf_token": token,
                "resource": "phone",
                "record_id": listing["other_phone"],
                "action": "update",
                "f-number": "217-555-0199",
                "reason": "no",
                "allowed": "on",
            }
            answer = editor.client.open(
                path, method=method, data=data if method == "POST" else None
            )
            assert answer.status_code in (403, 404), (method, path, answer.status_code)
            assert "Hillside" not in answer.get_data(as_text=True), (method, path)
            checked += 1
    assert checked >= 10
    assert stored(db_app, "phone", listing["other_phone"])["number"] == "217-555-0100"
    assert latest_change(db_app).status == "pending"
    assert "Hillside" not in editor.get("/portal/").get_data(as_text=True)
    stale = editor.get("/portal/stale").get_data(as_text=True)
    assert "Riverside emergency shelter" in stale and "Hillside" not in stale, "never confirmed"


def test_an_editors_form_cannot_reach_a_record_of_another_listing(db_app, clock, listing):
    """The form names its record: a phone of another organization sent to one's own service."""
    editor = staff(db_app, clock, listing["editor"])
    page = service_page(listing)
    hidden = form_with(editor.get(page).get_data(as_text=True), f"{page}/changes", PHONE_UPDATE)
    for resource, record_id in (
        ("phone", listing["other_phone"]),
        ("service", listing["other_service"]),
    ):
        answer = editor.client.post(
            f"{page}/changes",
            data={**hidden, "resource": resource, "record_id": record_id, "f-number": NEW_NUMBER},
        )
        assert answer.status_code == 404
    assert changes(db_app) == 0


def test_a_change_older_than_a_day_still_shows_in_the_queue(db_app, clock, listing):
    propose_phone(staff(db_app, clock, listing["editor"]), listing, NEW_NUMBER)
    clock.advance(timedelta(days=2).total_seconds())
    queue = staff(db_app, clock, listing["moderator"]).get("/portal/review").get_data(as_text=True)
    assert "2 days ago" in queue


def hours_form(page_html: str, action: str) -> dict:
    """The hours form's hidden fields."""
    return form_with(page_html, action, {"f-hours": "1"})


def test_hours_and_a_closure_go_live_at_once_for_a_trusted_organization(db_app, clock, listing):
    moderator = staff(db_app, clock, listing["moderator"])
    moderator.send(
        "/portal/", f"/portal/organizations/{listing['organization']}/quick", {"allowed": "on"}
    )
    editor = staff(db_app, clock, listing["editor"])
    page = service_page(listing)
    week = {f"h-{day}-0-opens": "09:00" for day in ("MO", "TU", "WE", "TH", "FR")}
    week |= {f"h-{day}-0-closes": "17:00" for day in ("MO", "TU", "WE", "TH", "FR")}
    closure = {"x-0-from": "2027-01-18", "x-0-to": "2027-01-22", "x-0-note": "Repairs"}
    answer = editor.send(page, f"{page}/changes", week | closure, match={"f-hours": "1"})
    assert answer.status_code == 303
    assert latest_change(db_app).status == "live"

    shown = survivor_page(db_app, listing["service"])
    assert re.search(r"Mon, Tue, Wed, Thu, and Fri <bdi dir=\"ltr\">09:00\s*–\s*17:00</bdi>", shown)
    assert re.search(r"Closed <bdi>Jan 18\s*–\s*22, 2027</bdi> <span[^>]*>Repairs</span>", shown)

    again = editor.get(page).get_data(as_text=True)
    assert 'value="2027-01-18"' in again and 'name="h-MO-0-opens" value="09:00"' in again
    count = changes(db_app)
    resend = editor.send(page, f"{page}/changes", {}, match={"f-hours": "1"})
    assert resend.status_code == 303
    assert changes(db_app) == count, "the same hours sent again change nothing"


def open_now(app, at: datetime) -> set[str]:
    """The services the survivor's open-now search finds at `at` (TIME_ZONE's hours)."""
    with session_scope(app) as session:
        answer = finder.find(
            session,
            finder.Query(open_now=True),
            locale="en",
            now=at,
            time_zone=app.config["HAVEN_SETTINGS"].time_zone,
        )
        return {result.id for result in answer.results}


def test_hours_approved_in_the_portal_are_what_open_now_finds(db_app, clock, listing):
    monday, saturday = datetime(2027, 1, 11, 16, tzinfo=UTC), datetime(2027, 1, 16, 16, tzinfo=UTC)
    closed = datetime(2027, 1, 19, 16, tzinfo=UTC)
    assert listing["service"] not in open_now(db_app, monday), "no hours yet"
    editor = staff(db_app, clock, listing["editor"])
    page = service_page(listing)
    week = {f"h-{day}-0-opens": "09:00" for day in ("MO", "TU", "WE", "TH", "FR")}
    week |= {f"h-{day}-0-closes": "17:00" for day in ("MO", "TU", "WE", "TH", "FR")}
    closure = {"x-0-from": "2027-01-18", "x-0-to": "2027-01-22", "x-0-note": "Repairs"}
    editor.send(page, f"{page}/changes", week | closure, match={"f-hours": "1"})
    assert listing["service"] not in open_now(db_app, monday), "waiting for a moderator"
    approve(staff(db_app, clock, listing["moderator"]), latest_change(db_app).id)

    assert listing["service"] in open_now(db_app, monday)
    assert listing["service"] not in open_now(db_app, saturday)
    assert listing["service"] not in open_now(db_app, closed), "closed for repairs"


def test_a_day_that_closes_before_it_opens_is_refused_unless_it_ends_after_midnight(
    db_app, clock, listing
):
    editor = staff(db_app, clock, listing["editor"])
    page = service_page(listing)
    night = {"h-FR-0-opens": "20:00", "h-FR-0-closes": "02:00", "f-name": "kept?"}
    refused = editor.send(page, f"{page}/changes", night, match={"f-hours": "1"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "It closes before it opens" in text
    assert (
        'name="h-FR-0-opens" value="20:00"' in text and 'name="h-FR-0-closes" value="02:00"' in text
    )
    assert changes(db_app) == 0

    accepted = editor.send(
        page, f"{page}/changes", night | {"h-FR-0-overnight": "1"}, match={"f-hours": "1"}
    )
    assert accepted.status_code == 303
    with session_scope(db_app) as session:
        (field,) = session.scalars(select(FieldChange).where(FieldChange.field == "hours"))
        assert '"20:00", "02:00", "overnight"' in field.after


@pytest.mark.parametrize(
    ("language", "before", "after", "closure"),
    [
        ("en", "Monday 08:00–12:00", "Tuesday 10:00–18:00", "Closed Jan 18 – 22, 2027 (Repairs)"),
        ("es", "lunes 08:00–12:00", "martes 10:00–18:00", "Cerrado 18–22 ene 2027 (Repairs)"),
        ("ar", "الاثنين 08:00–12:00", "الثلاثاء 10:00–18:00", "مغلق 18–22 يناير 2027 (Repairs)"),
    ],
    ids=["en", "es", "ar"],
)
def test_a_moderator_reads_changed_hours_in_their_own_language(
    db_app, clock, listing, language, before, after, closure
):
    editor = staff(db_app, clock, listing["editor"])
    page = service_page(listing)
    monday = {"h-MO-0-opens": "08:00", "h-MO-0-closes": "12:00"}
    editor.send(page, f"{page}/changes", monday, match={"f-hours": "1"})
    approve(staff(db_app, clock, listing["moderator"]), latest_change(db_app).id)
    tuesday = {"h-MO-0-opens": "", "h-MO-0-closes": "", "h-TU-0-opens": "10:00"}
    tuesday |= {"h-TU-0-closes": "18:00", "x-0-from": "2027-01-18", "x-0-to": "2027-01-22"}
    editor.send(page, f"{page}/changes", tuesday | {"x-0-note": "Repairs"}, match={"f-hours": "1"})

    moderator = staff(db_app, clock, listing["second_moderator"])
    change = f"/portal/changes/{latest_change(db_app).id}"
    text = moderator.get(change, headers={"Accept-Language": language}).get_data(as_text=True)
    row = re.search(r'<table class="diff">.*?</table>', text, re.S).group(0)
    cells = [
        " ".join(markup.unescape(re.sub(r"<[^>]+>", "", cell)).split())
        for cell in row.split("<td")[1:]
    ]
    assert before in cells[0] and "MO" not in cells[0], "the hours as they stand, in words"
    assert after in cells[1] and closure in cells[1] and "TU" not in cells[1]

    approve(moderator, latest_change(db_app).id)
    history = moderator.get(f"{page}/history", headers={"Accept-Language": language})
    published = " ".join(markup.unescape(re.sub(r"<[^>]+>", " ", history.text)).split())
    assert f"{before} {after}; {closure.removesuffix(' (Repairs)')}" in published
    assert "TU 10:00-18:00" not in published, "the history's data, said in words"


def test_a_moderator_cannot_reject_their_own_change_either(db_app, clock, listing):
    moderator = staff(db_app, clock, listing["moderator"])
    propose_phone(moderator, listing, NEW_NUMBER)
    change = latest_change(db_app)
    page = moderator.get(f"/portal/changes/{change.id}").get_data(as_text=True)
    answer = moderator.client.post(
        f"/portal/changes/{change.id}/reject",
        data={"csrf_token": csrf_token(page), "reason": "Mine, after all."},
    )
    assert answer.status_code == 409
    assert latest_change(db_app).status == "pending"


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_decision_keeps_who_took_it_and_when(db_app, clock, listing, decision):
    propose_phone(staff(db_app, clock, listing["editor"]), listing, NEW_NUMBER)
    change = latest_change(db_app)
    clock.advance(3600)
    page = f"/portal/changes/{change.id}"
    moderator = staff(db_app, clock, listing["moderator"])
    answer = moderator.send(page, f"{page}/{decision}", {"reason": "Not this number."})
    assert answer.status_code == 303
    decided = latest_change(db_app)
    assert decided.status == {"approve": "approved", "reject": "rejected"}[decision]
    assert decided.reviewer_id == listing["moderator"]
    assert decided.reviewed_at is not None
    assert decided.reviewed_at.replace(tzinfo=None) > decided.created_at.replace(tzinfo=None)


def test_an_editor_adds_a_phone_and_cannot_add_anything_else(db_app, clock, listing):
    editor = staff(db_app, clock, listing["editor"])
    page = service_page(listing)
    html = editor.get(page).get_data(as_text=True)
    adding = form_with(html, f"{page}/changes", {"resource": "phone", "action": "add"})
    answer = editor.client.post(f"{page}/changes", data={**adding, "f-number": "217-555-0177"})
    assert answer.status_code == 303
    assert changes(db_app) == 1
    for wrong in (
        {"resource": "capacity"},
        {"record_id": listing["phone"]},
        {"action": "erase", "record_id": listing["phone"]},
        {"resource": "nonsense", "action": "update", "record_id": listing["phone"]},
    ):
        answer = editor.client.post(
            f"{page}/changes", data={**adding, "f-number": "217-555-0178", **wrong}
        )
        assert answer.status_code == 404, wrong
    assert changes(db_app) == 1
