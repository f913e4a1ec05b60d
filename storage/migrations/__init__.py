"""Alembic migrations of the product's schema, run at start and by `safetynet migrate`."""
