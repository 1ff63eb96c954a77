"""`flask --app webapp directory import|export PATH`: HSDS JSON (.json) or a tabular datapackage."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from webapp.db import session_scope
from webapp.directory.errors import ImportFailed
from webapp.directory.exchange import nested, store, tabular

directory_cli = AppGroup("directory", help="The resource directory in HSDS 3 formats.")


@directory_cli.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def import_directory(path: Path) -> None:
    """Import PATH (a .json file of services, or a datapackage folder or .zip); all or nothing."""
    try:
        records = (
            nested.read_services(path) if path.suffix == ".json" else tabular.read_datapackage(path)
        )
        with session_scope(current_app) as session:
            saved = store.save(session, records)
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
def export_directory(path: Path) -> None:
    """Export everything to PATH: HSDS JSON if it ends in .json, else a datapackage .zip."""
    with session_scope(current_app) as session:
        rows = store.load_all(session)
    if path.suffix == ".json":
        services = nested.nest_services(rows)
        path.write_text(json.dumps(services, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    else:
        tabular.write_datapackage(rows, path)
    click.echo(f"exported {len(rows.get('service', []))} services to {path}")
