"""Every model module, imported so `Base.metadata` knows all tables (Alembic, tests)."""

from webapp.messaging import models  # noqa: F401
