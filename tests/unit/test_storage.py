"""The database: migrations build exactly the schema the code queries; backups are sound."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from storage import open_database
from storage.engine import backup_sqlite
from storage.migrate import current_revision, head_revision, upgrade
from storage.schema import metadata


async def test_migrations_create_exactly_the_schema_of_the_code(tmp_path: Path) -> None:
    db = open_database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        assert await current_revision(db) is None
        assert await upgrade(db) == head_revision()
        async with db.engine.connect() as conn:
            differences = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
            )
        assert differences == []
        # Running again is harmless.
        assert await upgrade(db) == head_revision()
    finally:
        await db.close()


async def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    db = open_database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        async with db.read() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 5000
    finally:
        await db.close()


async def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    db = open_database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        await upgrade(db)
        try:
            async with db.write() as conn:
                await conn.execute(text("INSERT INTO meta (key, value) VALUES ('a', '1')"))
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        async with db.read() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM meta"))).scalar() == 0
    finally:
        await db.close()


async def test_backup_is_a_consistent_checked_copy(tmp_path: Path) -> None:
    source = tmp_path / "live.db"
    db = open_database(f"sqlite+aiosqlite:///{source}")
    try:
        await upgrade(db)
        async with db.write() as conn:
            await conn.execute(text("INSERT INTO meta (key, value) VALUES ('k', 'v')"))
        target = tmp_path / "copies" / "backup.db"
        assert backup_sqlite(source, target) == "ok"
    finally:
        await db.close()
    assert target.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT value FROM meta WHERE key = 'k'").fetchone() == ("v",)


async def test_backup_refuses_to_overwrite_the_database_itself(tmp_path: Path) -> None:
    source = tmp_path / "live.db"
    db = open_database(f"sqlite+aiosqlite:///{source}")
    try:
        await upgrade(db)
    finally:
        await db.close()
    size = source.stat().st_size
    assert backup_sqlite(source, source) != "ok"
    assert source.stat().st_size == size
