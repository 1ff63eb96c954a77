"""Every model module, imported so `Base.metadata` knows all tables (Alembic, tests)."""
