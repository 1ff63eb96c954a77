"""Tables derived from the services (search documents, weekly hours), rebuilt per service."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from webapp.directory.tables import TABLES

# In batches: one statement may carry at most 65,535 parameters on PostgreSQL.
BATCH = 2000


def rebuild(
    session: Session,
    model,
    service_ids: Iterable[str] | None,
    write: Callable[[Session, list[str]], int],
) -> int:
    """Delete `model`'s rows of these services (every service when None) and let `write` make
    them again, a batch of service ids at a time; returns the rows written."""
    services = TABLES["service"]
    if service_ids is None:
        session.execute(delete(model))
        wanted = list(session.scalars(select(services.c.id).order_by(services.c.id)))
    else:
        wanted = sorted(set(service_ids))
    written = 0
    for start in range(0, len(wanted), BATCH):
        ids = wanted[start : start + BATCH]
        session.execute(delete(model).where(model.service_id.in_(ids)))
        written += write(session, ids)
    session.flush()
    return written


def refresh_statistics(session: Session) -> None:
    """ANALYZE: the planner picks indexes by what it knows of the tables' contents, and a search
    planned on the statistics of an empty directory reads far more than it needs."""
    session.execute(text("ANALYZE"))
