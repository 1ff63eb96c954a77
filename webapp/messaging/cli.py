"""`flask --app webapp outbox work|status`: the Procfile worker and a look at its queue."""

from __future__ import annotations

import signal
import threading

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from webapp import runtime
from webapp.db import session_scope
from webapp.messaging.outbox import DeliveryCounts, deliver_due, recent_errors, status_counts
from webapp.messaging.sms import SmsSender, sms_sender_for

# Idle polling this often keeps an alert's wait well under DESIGN.md's 1 s p95 bar.
IDLE_SECONDS = 0.5

outbox_cli = AppGroup("outbox", help="The queue of outbound messages.")


@outbox_cli.command("work")
@click.option("--once", is_flag=True, help="Run one delivery pass and exit.")
def work(once: bool) -> None:
    """Deliver due messages until stopped (SIGTERM finishes the current pass)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    sender = sms_sender_for(runtime.settings(app), http_client=runtime.twilio_http_client(app))
    if once:
        _report(run_pass(app, sender))
        return
    stopping = _stop_on_sigterm()
    while not stopping.is_set():
        counts = run_pass(app, sender)
        if counts.total:
            _report(counts)
        else:
            stopping.wait(IDLE_SECONDS)


@outbox_cli.command("status")
@click.option("--errors", "error_limit", default=10, show_default=True, help="Errors to list.")
def status(error_limit: int) -> None:
    """Messages per status and the latest errors (never a number or a message text)."""
    with session_scope(current_app) as session:
        for name, count in status_counts(session).items():
            click.echo(f"{name}: {count}")
        errors = recent_errors(session, error_limit)
    if errors:
        click.echo("latest errors:")
    for row in errors:
        retry = (
            f" next try {row.next_attempt_at:%Y-%m-%d %H:%M:%S}Z" if row.status == "queued" else ""
        )
        click.echo(
            f"  #{row.id} {row.kind} {row.status} attempts={row.attempts}{retry}: {row.last_error}"
        )


WORKER_TASKS = "worker.tasks"


def run_pass(app: Flask, sender: SmsSender) -> DeliveryCounts:
    """One pass at the app clock's current time: the tasks other domains gave the worker (they
    may queue messages, e.g. an alert as a safe window opens), then delivery."""
    for task in app.extensions.get(WORKER_TASKS, ()):
        task(app)
    with session_scope(app) as session:
        return deliver_due(session, sender, now=runtime.now(app))


def _report(counts: DeliveryCounts) -> None:
    click.echo(f"outbox: sent {counts.sent}, retrying {counts.retrying}, failed {counts.failed}")


def _stop_on_sigterm() -> threading.Event:
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stopping.set())
    return stopping
