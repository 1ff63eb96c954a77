"""Staff accounts end to end: sign-in with a second factor, throttling, sessions, audit, CLI."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import replace
from datetime import UTC, datetime

import pyotp
import pytest
import time_machine
from sqlalchemy import select, text

from tests.conftest import csrf_token, production_settings
from webapp import create_app
from webapp.accounts import operations
from webapp.accounts.errors import AppendOnlyError
from webapp.accounts.models import AuditEvent, User
from webapp.accounts.passwords import PasswordHasher
from webapp.callbacks import advocates
from webapp.db import session_scope
from webapp.directory import memberships
from webapp.reports import agencies as partner_agencies

PASSWORD = "lantern-river-stone-1987"
SECRET_IN_PAGE = re.compile(r"<code>([A-Z2-7]{32})</code>")
RECOVERY_IN_PAGE = re.compile(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{2})</code>")


@pytest.fixture
def app(migrated_app):
    return migrated_app


def now_of(clock) -> datetime:
    return datetime.fromtimestamp(clock.time(), tz=UTC)


def add_user(app, clock, email="ana@haven.test", roles=("advocate",)) -> int:
    with session_scope(app) as session:
        user = operations.create_user(
            session,
            PasswordHasher(app.config["HAVEN_SETTINGS"]),
            email=email,
            password=PASSWORD,
            roles=roles,
            now=now_of(clock),
        )
        return user.id


def post(client, action: str, data: dict):
    """A form post with this browser's CSRF token (the decoy page always carries one)."""
    token = csrf_token(client.get("/").get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **data})


def password_step(client, email="ana@haven.test", password=PASSWORD):
    return post(client, "/staff/login", {"email": email, "password": password})


class Staff:
    """A staff member's browser: enrols at first sign-in, then signs in with fresh codes."""

    def __init__(self, app, clock, email="ana@haven.test", roles=("advocate",)):
        self.client, self.clock, self.email = app.test_client(), clock, email
        self.user_id = add_user(app, clock, email, roles)
        self.secret = None
        self.recovery = []

    def code(self) -> str:
        return pyotp.TOTP(self.secret).at(int(self.clock.time()))

    def code_after(self, seconds: int) -> str:
        """The code the authenticator shows once `sign_in` has moved the clock on."""
        return pyotp.TOTP(self.secret).at(int(self.clock.time()) + seconds)

    def enrol(self):
        assert password_step(self.client, self.email).headers["Location"].startswith("/staff/enrol")
        page = self.client.get("/staff/enrol").get_data(as_text=True)
        assert "<svg" in page, "the QR code is drawn on our own page"
        self.secret = SECRET_IN_PAGE.search(page).group(1)
        response = post(self.client, "/staff/enrol", {"code": self.code()})
        assert response.status_code == 200
        self.recovery = RECOVERY_IN_PAGE.findall(response.get_data(as_text=True))
        assert len(self.recovery) == 10
        return response

    def sign_in(self, code=None):
        self.clock.advance(30)
        assert password_step(self.client, self.email).status_code == 303
        return post(self.client, "/staff/code", {"code": code or self.code()})


@pytest.fixture
def ana(app, clock) -> Staff:
    staff = Staff(app, clock)
    staff.enrol()
    return staff


def test_first_sign_in_enrols_a_second_factor_and_lands_in_the_console(app, clock):
    staff = Staff(app, clock)
    staff.enrol()
    assert staff.client.get("/console/").status_code == 200


def test_sign_in_needs_password_and_a_fresh_code(ana):
    post(ana.client, "/staff/sessions/end-all", {})
    response = ana.sign_in()
    assert response.status_code == 303 and response.headers["Location"] == "/console/"
    assert ana.client.get("/console/").status_code == 200


@pytest.mark.parametrize(
    "digits",
    [
        str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"),
        str.maketrans("0123456789", "０１２３４５６７８９"),
    ],
    ids=["arabic-indic", "full-width"],
)
def test_codes_typed_on_another_keyboard_enrol_and_sign_in(app, clock, digits):
    staff = Staff(app, clock)
    assert password_step(staff.client).headers["Location"].startswith("/staff/enrol")
    page = staff.client.get("/staff/enrol").get_data(as_text=True)
    staff.secret = SECRET_IN_PAGE.search(page).group(1)
    enrolled = post(staff.client, "/staff/enrol", {"code": staff.code().translate(digits)})
    assert enrolled.status_code == 200 and RECOVERY_IN_PAGE.findall(enrolled.get_data(as_text=True))
    post(staff.client, "/staff/sessions/end-all", {})
    signed_in = staff.sign_in(code=staff.code_after(30).translate(digits))
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/console/"


def test_a_code_is_refused_the_second_time(ana):
    code = ana.code()
    assert ana.sign_in(code=code).status_code == 401, "the enrolment already used this step"
    ana.clock.advance(30)
    fresh = ana.code()
    assert ana.sign_in(code=fresh).status_code == 303
    ana.clock.advance(-30)
    assert ana.sign_in(code=fresh).status_code == 401, "replayed within its window"


def test_a_recovery_code_works_once(ana):
    recovery = ana.recovery[0]
    assert ana.sign_in(code=recovery).status_code == 303
    assert ana.sign_in(code=recovery).status_code == 401
    assert ana.sign_in(code=ana.recovery[1].upper()).status_code == 303


def test_wrong_password_is_refused_and_keeps_the_email(app, clock, ana):
    response = password_step(app.test_client(), password="not-the-password-at-all")
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "do not match an active account" in page and 'value="ana@haven.test"' in page
    assert "not-the-password-at-all" not in page


def test_an_unknown_email_gets_the_same_answer(app, ana):
    unknown = password_step(app.test_client(), email="nobody@haven.test")
    assert unknown.status_code == 401 and "do not match an active account" in unknown.get_data(
        as_text=True
    )


def test_eleventh_wrong_password_is_refused_even_when_right(app, clock, ana):
    other = Staff(app, clock, email="ben@haven.test")
    with time_machine.travel(datetime(2030, 1, 1, 9, tzinfo=UTC), tick=False) as traveller:
        attacker = app.test_client()
        for _ in range(10):
            assert password_step(attacker, password="guess-guess-guess").status_code == 401
        assert password_step(attacker).status_code == 429
        assert password_step(app.test_client()).status_code == 429, "held for everyone"
        assert password_step(other.client, other.email).status_code == 303, "others unaffected"
        traveller.shift(15 * 60 + 1)
        assert password_step(app.test_client()).status_code == 303, "back once the window passes"


def test_wrong_codes_count_as_failures_too(app, ana):
    with time_machine.travel(datetime(2030, 1, 1, 9, tzinfo=UTC), tick=False):
        for _ in range(10):
            assert ana.sign_in(code="000000").status_code == 401
        assert password_step(ana.client).status_code == 429


def test_idle_session_ends_after_thirty_minutes(ana, clock):
    clock.advance(29 * 60)
    assert ana.client.get("/console/").status_code == 200
    clock.advance(31 * 60)
    response = ana.client.get("/console/")
    assert response.status_code == 303 and response.headers["Location"].startswith("/staff/login")


def test_session_ends_after_twelve_hours_however_active(ana, clock):
    for _ in range(24):
        clock.advance(29 * 60)
        assert ana.client.get("/console/").status_code == 200
    clock.advance(29 * 60)
    assert ana.client.get("/console/").status_code == 303


def test_disabling_a_user_ends_an_open_session_at_the_next_request(app, ana, clock):
    with session_scope(app) as session:
        operations.disable_user(
            session, session.get(User, ana.user_id), now=now_of(clock), actor_id=None
        )
    assert ana.client.get("/console/").status_code == 303
    assert password_step(ana.client).status_code == 401


def test_logout_and_sign_out_everywhere(app, ana):
    second = Staff.__new__(Staff)
    second.client, second.clock, second.email, second.secret = (
        app.test_client(),
        ana.clock,
        ana.email,
        ana.secret,
    )
    assert second.sign_in().status_code == 303
    post(ana.client, "/staff/logout", {})
    assert ana.client.get("/console/").status_code == 303
    assert second.client.get("/console/").status_code == 200
    post(second.client, "/staff/sessions/end-all", {})
    assert second.client.get("/console/").status_code == 303


def test_each_sign_in_gets_a_new_session_id(ana):
    first = ana.client.get_cookie("staff").value
    ana.sign_in()
    assert ana.client.get_cookie("staff").value != first


def audit_actions(app) -> list[str]:
    with session_scope(app) as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_every_account_event_is_audited(app, clock, ana):
    password_step(app.test_client(), password="wrong-wrong-wrong-wrong")
    ana.sign_in()
    with session_scope(app) as session:
        user = session.get(User, ana.user_id)
        operations.set_roles(
            session, user, ["advocate", "supervisor"], now=now_of(clock), actor_id=None
        )
        operations.reset_mfa(session, user, now=now_of(clock), actor_id=None)
        operations.disable_user(session, user, now=now_of(clock), actor_id=None)
    assert audit_actions(app) == [
        "user.created",
        "mfa.enrolled",
        "signin.succeeded",
        "signin.failed",
        "signin.succeeded",
        "user.roles_changed",
        "mfa.reset",
        "user.disabled",
    ]


def test_the_audit_log_is_append_only(app, ana):
    with app.extensions["db.sessionmaker"]() as session, pytest.raises(AppendOnlyError):
        session.delete(session.scalars(select(AuditEvent)).first())
        session.flush()
    with app.extensions["db.engine"].connect() as connection, pytest.raises(Exception) as raised:
        connection.execute(text("UPDATE audit_events SET action = 'nothing'"))
    assert "append-only" in str(raised.value)


def test_no_secret_reaches_the_audit_log_or_a_repr(app, ana, caplog):
    ana.sign_in(code=ana.recovery[0])
    with session_scope(app) as session:
        user = session.get(User, ana.user_id)
        stored = [
            repr(user),
            repr(user.roles),
            repr(session.scalars(select(AuditEvent)).all()),
            str([event.detail for event in session.scalars(select(AuditEvent))]),
        ]
        stored.append(user.password_hash)
    everything = " ".join(stored[:-1]) + caplog.text
    for secret in (PASSWORD, ana.secret, ana.recovery[0], stored[-1]):
        assert secret not in everything
    with app.extensions["db.engine"].connect() as connection:
        raw = connection.execute(text("SELECT totp_secret FROM users")).scalar_one()
    assert ana.secret not in raw, "the TOTP secret is encrypted at rest"


def test_cli_creates_disables_and_resets(app, clock):
    runner = app.test_cli_runner()
    created = runner.invoke(
        args=[
            "users",
            "create",
            "cli@haven.test",
            "--role",
            "editor",
            "--role",
            "moderator",
            "--language",
            "es",
            "--language",
            "vi",
            "--skill",
            "legal",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert created.exit_code == 0, created.output
    weak = runner.invoke(
        args=["users", "create", "weak@haven.test", "--role", "advocate", "--password-stdin"],
        input="password1234\n",
    )
    assert weak.exit_code != 0 and "too common" in weak.output
    assert runner.invoke(args=["users", "disable", "cli@haven.test"]).exit_code == 0
    assert runner.invoke(args=["users", "reset-mfa", "cli@haven.test"]).exit_code == 0
    with session_scope(app) as session:
        user = operations.find_user(session, "cli@haven.test")
        assert user.role_names == {"editor", "moderator"} and not user.is_active
        profile = advocates.profile_of(session, user.id)
        assert profile.languages == ["es", "vi"] and profile.skills == ["legal"]
        assert PASSWORD not in created.output


def test_demo_seed_creates_one_account_per_role_and_never_in_production(app):
    result = app.test_cli_runner().invoke(args=["seed", "--demo"])
    assert result.exit_code == 0 and "admin@demo.haven.test" in result.output
    with session_scope(app) as session:
        assert len(session.scalars(select(User)).all()) == 6
        editor = operations.find_user(session, "editor@demo.haven.test")
        partner = operations.find_user(session, "partner@demo.haven.test")
        organizations = memberships.organizations_of(session, editor.id)
        assert [o.name for o in organizations] == ["Riverside Family Services (demo)"]
        agencies = partner_agencies.agencies_of(session, partner.id)
        assert [a.name for a in agencies] == ["Riverside County Victim Services (demo)"]
    again = app.test_cli_runner().invoke(args=["seed", "--demo"])
    assert again.exit_code == 0, "seeding twice changes nothing"
    with session_scope(app) as session:
        assert len(session.scalars(select(User)).all()) == 6


def test_seed_demo_is_refused_in_production(tmp_path):
    settings = production_settings(f"sqlite:///{tmp_path / 'p.db'}")
    result = create_app(settings).test_cli_runner().invoke(args=["seed", "--demo"])
    assert result.exit_code != 0 and "refused in production" in result.output


def test_sign_in_rehashes_when_the_parameters_rise(app, clock, ana):
    stronger = replace(app.config["HAVEN_SETTINGS"], argon2_memory_kib=2048, argon2_time_cost=2)
    app.config["HAVEN_SETTINGS"] = stronger
    with session_scope(app) as session:
        before = session.get(User, ana.user_id).password_hash
    assert password_step(app.test_client()).status_code == 303
    with session_scope(app) as session:
        after = session.get(User, ana.user_id).password_hash
    assert "m=1024,t=1" in before and "m=2048,t=2" in after


def test_cli_records_shift_availability(app, clock):
    add_user(app, clock)
    runner = app.test_cli_runner()

    def shift(arguments: str):
        return runner.invoke(args=["users", "shift", "ana@haven.test", *arguments.split()])

    added = shift("--day mon --day tue --from 09:00 --to 17:30 --tz America/Chicago")
    assert added.exit_code == 0, added.output
    wrong_zone = shift("--day mon --from 09:00 --to 10:00 --tz Mars/Olympus")
    assert wrong_zone.exit_code != 0 and "unknown time zone" in wrong_zone.output
    assert shift("--day mon --from 10:00 --to 09:00").exit_code != 0
    with session_scope(app) as session:
        user_id = operations.find_user(session, "ana@haven.test").id
        shifts = advocates.profile_of(session, user_id).shifts
        assert sorted((s.weekday, s.starts_minute, s.ends_minute, s.time_zone) for s in shifts) == [
            (0, 540, 1050, "America/Chicago"),
            (1, 540, 1050, "America/Chicago"),
        ]


def test_an_attacker_cannot_keep_the_owner_out_of_a_browser_she_has_used(app, ana):
    assert ana.client.get_cookie("staff_device") is not None
    with time_machine.travel(datetime(2030, 1, 1, 9, tzinfo=UTC), tick=False):
        attacker = app.test_client()
        for _ in range(12):
            password_step(attacker, password="guess-guess-guess")
        assert password_step(app.test_client()).status_code == 429, "a new browser is held"
        assert ana.sign_in().status_code == 303, "her own browser has its own bucket"


def test_a_device_cookie_for_another_account_earns_nothing(app, clock, ana):
    other = Staff(app, clock, email="ben@haven.test")
    other.client.set_cookie("staff_device", ana.client.get_cookie("staff_device").value)
    with time_machine.travel(datetime(2030, 1, 1, 9, tzinfo=UTC), tick=False):
        for _ in range(10):
            password_step(app.test_client(), email=other.email, password="guess-guess-guess")
        assert password_step(other.client, other.email).status_code == 429


def test_one_client_guessing_across_many_accounts_is_held(app, ana):
    with time_machine.travel(datetime(2030, 1, 1, 9, tzinfo=UTC), tick=False):
        sprayer = app.test_client()
        for n in range(30):
            password_step(sprayer, email=f"person{n}@haven.test", password="Summer2030!!")
        assert password_step(sprayer).status_code == 429, "held, even for a real account"
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = "192.0.2.44"
        assert password_step(other).status_code == 303, "another client is not"


@pytest.mark.parametrize("option", ["--org", "--agency"])
def test_cli_refuses_an_unknown_organization_or_agency_and_creates_nobody(app, option):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "new@haven.test", "--role", "editor", option, "nope"],
        input=PASSWORD + "\n" + PASSWORD + "\n",
    )
    assert result.exit_code != 0
    assert ("UnknownOrganization" if option == "--org" else "UnknownAgency") in result.output
    assert "Traceback" not in result.output
    with session_scope(app) as session:
        assert operations.find_user(session, "new@haven.test") is None


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example",
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/%0d%0aSet-Cookie:%20x=1",
        "/console/\r\nSet-Cookie: x=1",
        "/no/such/page",
    ],
)
def test_after_sign_in_only_a_page_of_this_site_is_followed(ana, target):
    assert post(ana.client, "/staff/logout", {}).status_code == 303
    ana.clock.advance(30)
    query = urllib.parse.urlencode({"next": target})
    login = f"/staff/login?{query}"
    token = csrf_token(ana.client.get(login).get_data(as_text=True))
    step = ana.client.post(
        login, data={"csrf_token": token, "email": ana.email, "password": PASSWORD}
    )
    assert step.status_code == 303
    code_page = step.headers["Location"]
    token = csrf_token(ana.client.get(code_page).get_data(as_text=True))
    signed_in = ana.client.post(code_page, data={"csrf_token": token, "code": ana.code()})
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/console/", target


def test_a_wanted_page_of_this_site_is_where_sign_in_lands(ana):
    assert post(ana.client, "/staff/logout", {}).status_code == 303
    ana.clock.advance(30)
    login = "/staff/login?next=/staff/sessions"
    token = csrf_token(ana.client.get(login).get_data(as_text=True))
    step = ana.client.post(
        login, data={"csrf_token": token, "email": ana.email, "password": PASSWORD}
    )
    token = csrf_token(ana.client.get(step.headers["Location"]).get_data(as_text=True))
    done = ana.client.post(step.headers["Location"], data={"csrf_token": token, "code": ana.code()})
    assert done.headers["Location"] == "/staff/sessions"


def test_a_copy_of_the_cookie_taken_after_the_password_cannot_finish_later(app, ana):
    ana.clock.advance(30)
    assert password_step(ana.client).status_code == 303
    copied = ana.client.get_cookie("s").value  # the password step passed, the code not yet
    assert post(ana.client, "/staff/code", {"code": ana.code()}).status_code == 303
    assert post(ana.client, "/staff/logout", {}).status_code == 303

    thief = app.test_client()
    thief.set_cookie("s", copied)
    ana.clock.advance(30)
    refused = post(thief, "/staff/code", {"code": ana.code()})
    assert refused.status_code == 303 and refused.headers["Location"] == "/staff/login"
    assert thief.get("/console/").status_code == 303, "never signed in"
