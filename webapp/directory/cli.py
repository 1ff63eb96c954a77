"""`flask --app webapp directory import|export PATH`: HSDS JSON (.json) or a tabular datapackage."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from webapp.db import session_scope
from webapp.directory import derived, search, weekly
from webapp.directory.errors import ImportFailed
from webapp.directory.exchange import nested, store, tabular
from webapp.directory.tables import TABLES
from webapp.progress import progress, quiet_option, stages

directory_cli = AppGroup("directory", help="The resource directory in HSDS 3 formats.")


@directory_cli.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@quiet_option
def import_directory(path: Path, quiet: bool) -> None:
    """Import PATH (a .json file of services, or a datapackage folder or .zip); all or nothing."""
    try:
        with stages(3, "importing", quiet=quiet) as stage:
            stage("reading")
            records = (
                nested.read_services(path)
                if path.suffix == ".json"
                else tabular.read_datapackage(path)
            )
            stage("checking and saving")
            with session_scope(current_app) as session:
                saved = store.save(session, records)
            stage("refreshing the statistics")
            with session_scope(current_app) as session:
                derived.refresh_statistics(session)
    except ImportFailed as failed:
        for problem in failed.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"{len(failed.problems)} problem(s); nothing was imported"
        ) from None
    for warning in saved.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo("imported " + ", ".join(f"{n} {table}" for table, n in saved.counts.items()))


@directory_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@quiet_option
def export_directory(path: Path, quiet: bool) -> None:
    """Export everything to PATH: HSDS JSON if it ends in .json, else a datapackage .zip."""
    with stages(2, "exporting", quiet=quiet) as stage:
        stage("reading")
        with session_scope(current_app) as session:
            rows = store.load_all(session)
        stage("writing")
        if path.suffix == ".json":
            services = nested.nest_services(rows)
            text = json.dumps(services, ensure_ascii=False, indent=2, sort_keys=True)
            path.write_text(text + "\n")
        else:
            tabular.write_datapackage(rows, path)
    click.echo(f"exported {len(rows.get('service', []))} services to {path}")


# Services rebuilt per step of the bar (one transaction for the whole rebuild).
REINDEX_STEP = 500


@directory_cli.command("reindex")
@quiet_option
def reindex_directory(quiet: bool) -> None:
    """Rebuild what searches read besides the services (their search documents and weekly
    hours) for every service, after an upgrade that reads them anew; then refresh the
    database's statistics, which its planner chooses indexes by."""
    services = TABLES["service"]
    with session_scope(current_app) as session:
        ids = list(session.scalars(select(services.c.id).order_by(services.c.id)))
        written = 0
        with progress(len(ids), "reindexing", quiet=quiet) as bar:
            for start in range(0, len(ids), REINDEX_STEP):
                chunk = ids[start : start + REINDEX_STEP]
                written += search.reindex(session, chunk)
                weekly.rebuild(session, chunk)
                bar.update(len(chunk))
    with session_scope(current_app) as session:
        derived.refresh_statistics(session)
    click.echo(f"reindexed {written} services")
