"""Command-line interface: `flask --app webapp db upgrade` and friends."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from webapp import runtime
from webapp.callbacks import purge as callback_purge
from webapp.callbacks import queue, staffing
from webapp.callbacks.models import AdvocateLanguage
from webapp.db import session_scope
from webapp.directory import corrections, freshness
from webapp.directory.cli import directory_cli
from webapp.directory.errors import ImportFailed
from webapp.directory.exchange import store, tabular
from webapp.directory.hours import zone_of
from webapp.i18n import normalise
from webapp.keys import keys_cli
from webapp.messaging import outbox
from webapp.messaging.cli import WORKER_TASKS, outbox_cli
from webapp.progress import quiet_option, stages
from webapp.reports import operations as reports
from webapp.runtime import settings
from webapp.staff.cli import agencies_cli, create_demo_accounts, users_cli
from webapp.visits import forget_expired_visits

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

db_cli = AppGroup("db", help="Database schema migrations (Alembic).")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _config() -> Config:
    return alembic_config(settings().database_url)


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Bring the schema up to REVISION (default: the newest)."""
    command.upgrade(_config(), revision)


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def downgrade(revision: str) -> None:
    """Step the schema back to REVISION (default: one step)."""
    command.downgrade(_config(), revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    command.revision(_config(), message=message, autogenerate=True)


@db_cli.command("current")
def current() -> None:
    """Show the revision the database is at."""
    command.current(_config())


@click.command("logins")
@with_appcontext
@click.option("--url", default="http://127.0.0.1:5000/", help="Where Haven is served.")
def logins(url: str) -> None:
    """Print how to open the demo (development only: it shows the unlock code)."""
    config = settings()
    if config.is_production:
        raise click.ClickException("refused in production: this prints secrets")
    click.echo(f"Haven is starting at {url}")
    click.echo(
        f"Survivor pages: open {url}, type {config.unlock_code} in the decoy's "
        f"{'display' if config.disguise == 'calculator' else 'search box'} and press Enter."
    )
    click.echo("Quick exit: the red button, Shift three times, or Escape twice.")
    click.echo(f"Staff sign in at {url}staff/login")


SEED = Path(__file__).resolve().parent.parent / "resources" / "seed"


@click.command("seed")
@with_appcontext
@click.option("--demo", is_flag=True, help="Also create demo accounts (never in production).")
@quiet_option
def seed(demo: bool, quiet: bool) -> None:
    """Load the seed directory (resources/seed); with --demo, one staff account per role too."""
    if demo and settings().is_production:
        raise click.ClickException("refused in production: demo accounts have known passwords")
    try:
        with stages(2, "seeding", quiet=quiet) as stage:
            stage("reading")
            records = tabular.read_datapackage(SEED)
            stage("saving")
            with session_scope(current_app) as session:
                saved = store.save(session, records)
    except ImportFailed as failed:
        raise click.ClickException("; ".join(str(p) for p in failed.problems[:10])) from None
    click.echo(f"Directory: {saved.counts.get('service', 0)} services loaded from {SEED.name}/")
    if demo:
        create_demo_accounts()


def callbacks_round(app: Flask) -> None:
    """The outbox worker's round for callbacks: lapsed leases, alerts as windows open,
    escalations (their alerts go out in the same pass)."""
    with session_scope(app) as session:
        queue.tick(
            session,
            now=runtime.now(app),
            escalate_after_minutes=runtime.settings(app).escalate_after_minutes,
        )


# Staleness moves by the day: the worker's passes (every half second when idle) look at it
# this often, and on the first pass after a start.
STALENESS_EVERY = timedelta(minutes=10)
STALENESS_LAST_ROUND = "staleness.last_round"


def staleness_round(app: Flask) -> None:
    """The outbox worker's round for listings: flag the stale, unpublish what is due (only with
    UNPUBLISH_AFTER_DAYS), and text each editor once per listing going stale."""
    chosen = runtime.settings(app)
    moment = runtime.now(app)
    last = app.extensions.get(STALENESS_LAST_ROUND)
    if last is not None and moment - last < STALENESS_EVERY:
        return
    app.extensions[STALENESS_LAST_ROUND] = moment
    with app.app_context(), session_scope(app) as session:
        found = freshness.tick(
            session,
            today=moment.astimezone(zone_of(chosen.time_zone)).date(),
            now=moment,
            stale_after_days=chosen.stale_after_days,
            unpublish_after_days=chosen.unpublish_after_days,
        )
        for notice in found.notices:
            phone = staffing.phone_of(session, notice.user_id)
            if phone:
                body = stale_notice(notice, staff_locale(session, notice.user_id))
                outbox.enqueue(session, to=phone, body=body, now=moment)


def staff_locale(session, user_id: int) -> str:
    """The language to text a staff member in: the deployment's own when they speak it (or
    name none), else the first supported one they speak."""
    default = settings().default_locale
    spoken = {
        normalise(code)
        for code in session.scalars(
            select(AdvocateLanguage.language).where(AdvocateLanguage.user_id == user_id)
        )
    } - {None}
    return default if not spoken or default in spoken else sorted(spoken)[0]


def stale_notice(notice: freshness.Notice, locale: str) -> str:
    """The text to an editor: names the listing and its organization, nothing else."""
    with force_locale(locale):
        return _(
            "Haven: the listing “%(service)s” (%(organization)s) has not been confirmed for a "
            "while. Please check it in the organization portal and confirm it if nothing "
            "changed.",
            service=notice.service_name,
            organization=notice.organization_name,
        )


@click.command("purge")
@with_appcontext
@quiet_option
def purge(quiet: bool) -> None:
    """Erase what the retention periods no longer allow us to keep."""
    chosen, now = runtime.settings(), runtime.now()
    with session_scope(current_app) as session, stages(4, "purging", quiet=quiet) as stage:
        stage("callback requests")
        erased = callback_purge.purge(
            session, now=now, retention_days=chosen.callback_retention_days
        )
        stage("corrections")
        corrected = corrections.purge(
            session, now=now, retention_days=chosen.correction_retention_days
        )
        stage("reports")
        deleted = reports.purge(session, now=now, retention_days=chosen.report_retention_days)
        stage("sessions")
        visits = forget_expired_visits(session, now)
    click.echo(
        f"callback requests erased: {erased}; corrections erased: {corrected}; "
        f"reports deleted: {deleted}; sessions ended: {visits}"
    )


def register(app: Flask) -> None:
    app.extensions.setdefault(WORKER_TASKS, []).extend([callbacks_round, staleness_round])
    app.cli.add_command(purge)
    app.cli.add_command(db_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(logins)
    app.cli.add_command(users_cli)
    app.cli.add_command(agencies_cli)
    app.cli.add_command(seed)
    app.cli.add_command(directory_cli)
    app.cli.add_command(keys_cli)
