"""`flask --app webapp users ...` and the demo seed of one account per role.

An account is an identity (accounts) plus what other domains grant it: organizations to edit
(directory), partner agencies (reports), languages, skills and shifts (callbacks).
"""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from webapp.accounts import operations
from webapp.accounts.errors import AccountError, WeakPassword
from webapp.accounts.models import Role
from webapp.accounts.passwords import hasher_for
from webapp.callbacks import advocates, staffing
from webapp.callbacks.errors import BadNumber, CallbackError
from webapp.callbacks.intake import normalise_number
from webapp.db import session_scope
from webapp.directory import memberships
from webapp.directory.errors import DirectoryError
from webapp.reports import agencies as partner_agencies
from webapp.reports.errors import ReportError
from webapp.runtime import now, settings

users_cli = AppGroup("users", help="Staff accounts.")

DEMO_PASSWORD = "river-stone-lantern-42"  # noqa: S105 (demo accounts only, refused in production)
DEMO_ORGANIZATION = "Riverside Family Services (demo)"
DEMO_AGENCY = "Riverside County Victim Services (demo)"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([role.value for role in Role]),
    help="Repeat for several roles.",
)
@click.option("--org", "organizations", multiple=True, help="Organization id (editors).")
@click.option("--agency", "agencies", multiple=True, help="Partner agency id (partners).")
@click.option("--name", default="", help="Display name.")
@click.option("--language", "languages", multiple=True, help="A language spoken (e.g. es).")
@click.option("--skill", "skills", multiple=True, help="A skill for routing (e.g. legal).")
@click.option(
    "--phone", default="", help="Their own phone (alerts, bridged calls, listings to confirm)."
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create(
    email, roles, organizations, agencies, name, languages, skills, phone, password_stdin
) -> None:
    """Create a staff account; the second factor is enrolled at its first sign-in."""
    password = _read_password(password_stdin)
    try:
        with session_scope(current_app) as session:
            user = operations.create_user(
                session,
                hasher_for(settings()),
                email=email,
                password=password,
                roles=roles,
                now=now(),
                display_name=name,
            )
            memberships.add_editor(session, user.id, organizations)
            partner_agencies.add_members(session, user.id, agencies)
            advocates.set_languages_and_skills(session, user.id, languages, skills)
            if phone:
                staffing.set_phone(
                    session, user.id, normalise_number(phone, settings().phone_region)
                )
            click.echo(f"created user {user.id} ({', '.join(sorted(user.role_names))})")
    except WeakPassword as refused:
        raise click.ClickException(" ".join(str(p) for p in refused.problems)) from None
    except BadNumber:
        raise click.BadParameter("not a phone number we can call", param_hint="--phone") from None
    except (AccountError, DirectoryError, ReportError) as refused:
        raise click.ClickException(f"{type(refused).__name__}: {refused}") from None


def _change_user(email: str, change) -> None:
    with session_scope(current_app) as session:
        user = operations.find_user(session, email)
        if user is None:
            raise click.ClickException("no such user")
        change(session, user, now=now(), actor_id=None)


@users_cli.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Disable an account and end its sessions."""
    _change_user(email, operations.disable_user)
    click.echo("disabled")


@users_cli.command("reset-mfa")
@click.argument("email")
def reset_mfa(email: str) -> None:
    """Forget an account's second factor; it enrols a new one at its next sign-in."""
    _change_user(email, operations.reset_mfa)
    click.echo("second factor reset")


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _minutes(value: str) -> int:
    try:
        hours, minutes = (int(part) for part in value.split(":"))
    except ValueError:
        raise click.BadParameter("use HH:MM") from None
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or hours * 60 + minutes > 1440:
        raise click.BadParameter("use a time from 00:00 to 24:00")
    return hours * 60 + minutes


@users_cli.command("shift")
@click.argument("email")
@click.option("--day", "days", multiple=True, required=True, type=click.Choice(DAYS))
@click.option("--from", "starts", required=True, help="Start, HH:MM in --tz.")
@click.option("--to", "ends", required=True, help="End, HH:MM in --tz.")
@click.option("--tz", "time_zone", default="UTC", show_default=True, help="IANA time zone.")
def add_shift(email, days, starts, ends, time_zone) -> None:
    """Add a weekly availability window (used to route callbacks to advocates on shift)."""
    start, end = _minutes(starts), _minutes(ends)
    with session_scope(current_app) as session:
        user = operations.find_user(session, email)
        if user is None:
            raise click.ClickException("no such user")
        try:
            advocates.add_shifts(
                session,
                user.id,
                [DAYS.index(day) for day in days],
                starts_minute=start,
                ends_minute=end,
                time_zone=time_zone,
            )
        except CallbackError as refused:
            raise click.BadParameter(str(refused)) from None
    click.echo(f"added {len(days)} shift(s)")


# Fictional numbers (555-01xx); with console SMS and voice nothing is ever sent to them.
DEMO_PHONES = ("+12175550101", "+12175550102")


def _demo_answerer(session, user_id: int) -> None:
    """A demo advocate who speaks English and Spanish and is always on shift, so `make run`
    can follow a callback from the survivor's form to the console (console SMS and voice)."""
    advocates.set_languages_and_skills(session, user_id, ["en", "es"], [])
    advocates.add_shifts(
        session, user_id, range(7), starts_minute=0, ends_minute=1440, time_zone="UTC"
    )
    staffing.set_phone(session, user_id, DEMO_PHONES[user_id % len(DEMO_PHONES)])


def create_demo_accounts() -> None:
    """One account per role with a known password, and their logins printed (never production)."""
    if settings().is_production:
        raise click.ClickException("refused in production: demo accounts have known passwords")
    with session_scope(current_app) as session:
        organization = memberships.find_or_add_organization(
            session,
            DEMO_ORGANIZATION,
            description="A made-up organization for the demo editor account.",
        )
        agency = partner_agencies.find_or_add_agency(session, DEMO_AGENCY)
        hasher = hasher_for(settings())
        for role in Role:
            email = f"{role.value}@demo.haven.test"
            if operations.find_user(session, email) is None:
                user = operations.create_user(
                    session,
                    hasher,
                    email=email,
                    password=DEMO_PASSWORD,
                    roles=[role],
                    now=now(),
                    display_name=f"Demo {role.value}",
                )
                if role == Role.EDITOR:
                    memberships.add_editor(session, user.id, [organization.id])
                if role == Role.PARTNER:
                    partner_agencies.add_members(session, user.id, [agency.id])
                if role in (Role.ADVOCATE, Role.SUPERVISOR):
                    _demo_answerer(session, user.id)
    click.echo(
        f"Staff demo logins (password {DEMO_PASSWORD}; set up the second step at first "
        "sign-in with any authenticator app):"
    )
    for role in Role:
        click.echo(f"  {role.value}@demo.haven.test")


agencies_cli = AppGroup("agencies", help="Partner agencies survivors may share reports with.")


@agencies_cli.command("add")
@click.argument("name")
def add_agency(name: str) -> None:
    """Add a partner agency (or find it by its name); prints its id for `users create --agency`."""
    if not name.strip() or len(name) > 255:
        raise click.BadParameter("a name of 1 to 255 characters")
    with session_scope(current_app) as session:
        agency = partner_agencies.find_or_add_agency(session, name.strip())
        click.echo(f"{agency.id}  {agency.name}")


@agencies_cli.command("list")
def list_agencies() -> None:
    """Every partner agency, with its id."""
    with session_scope(current_app) as session:
        for agency in partner_agencies.all_agencies(session):
            click.echo(f"{agency.id}  {agency.name}")
