"""Command-line interface: `flask --app webapp db upgrade` and friends."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from webapp import runtime
from webapp.callbacks import purge as callback_purge
from webapp.callbacks import queue
from webapp.db import session_scope
from webapp.directory import corrections
from webapp.directory.cli import directory_cli
from webapp.directory.errors import ImportFailed
from webapp.directory.exchange import store, tabular
from webapp.messaging.cli import WORKER_TASKS, outbox_cli
from webapp.reports import operations as reports
from webapp.runtime import settings
from webapp.staff.cli import create_demo_accounts, users_cli
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
def seed(demo: bool) -> None:
    """Load the seed directory (resources/seed); with --demo, one staff account per role too."""
    if demo and settings().is_production:
        raise click.ClickException("refused in production: demo accounts have known passwords")
    try:
        with session_scope(current_app) as session:
            saved = store.save(session, tabular.read_datapackage(SEED))
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


@click.command("purge")
@with_appcontext
def purge() -> None:
    """Erase what the retention periods no longer allow us to keep."""
    with session_scope(current_app) as session:
        erased = callback_purge.purge(
            session, now=runtime.now(), retention_days=runtime.settings().callback_retention_days
        )
        corrected = corrections.purge(
            session, now=runtime.now(), retention_days=runtime.settings().correction_retention_days
        )
        deleted = reports.purge(
            session, now=runtime.now(), retention_days=runtime.settings().report_retention_days
        )
        visits = forget_expired_visits(session, runtime.now())
    click.echo(
        f"callback requests erased: {erased}; corrections erased: {corrected}; "
        f"reports deleted: {deleted}; sessions ended: {visits}"
    )


def register(app: Flask) -> None:
    app.extensions.setdefault(WORKER_TASKS, []).append(callbacks_round)
    app.cli.add_command(purge)
    app.cli.add_command(db_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(logins)
    app.cli.add_command(users_cli)
    app.cli.add_command(seed)
    app.cli.add_command(directory_cli)
