"""Bring a database to the newest schema with Alembic, on a connection of our own engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from storage.engine import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def _alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest migration the code knows."""
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


async def current_revision(db: Database) -> str | None:
    """The migration the database is at (None for an empty database)."""
    async with db.engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def upgrade(db: Database, revision: str = "head") -> str | None:
    """Apply every pending migration; returns the revision the database is now at."""

    def run(sync_connection: Connection) -> None:
        command.upgrade(_alembic_config(sync_connection), revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)
    return await current_revision(db)
