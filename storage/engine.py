"""The database engine: SQLite (aiosqlite) by default, PostgreSQL (asyncpg) through the same code.

SQLite runs in WAL mode with a busy timeout and foreign keys on; writes that read first take the
lock up front (`BEGIN IMMEDIATE`), SQLite's documented way to avoid "database is locked".
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection as SyncConnection
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

BUSY_TIMEOUT_MS = 5000


def _configure_sqlite(engine: AsyncEngine) -> None:
    """Pragmas on every new connection; explicit BEGIN so that writes can be IMMEDIATE."""

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: object) -> None:
        # The driver's own transaction handling is switched off so that `begin` below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: SyncConnection) -> None:
        if connection.get_execution_options().get("sqlite_immediate"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


@dataclass
class Database:
    """One engine for the whole process; `read()` and `write()` hand out transactions."""

    engine: AsyncEngine
    url: str

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A transaction for reading (deferred on SQLite: never blocks writers)."""
        async with self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that will write: on SQLite it takes the write lock at BEGIN."""
        engine = self.engine
        if self.is_sqlite:
            engine = engine.execution_options(sqlite_immediate=True)
        async with engine.begin() as conn:
            yield conn

    async def close(self) -> None:
        await self.engine.dispose()


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def open_database(url: str) -> Database:
    """Create the engine for `url` (no connection is made until first use)."""
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    # Parameters (aliases, unit names) must never reach an error log.
    engine = create_async_engine(url, pool_pre_ping=path is None, hide_parameters=True)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return Database(engine=engine, url=url)


def backup_sqlite(source: Path, target: Path) -> str:
    """Copy a live SQLite database consistently (online backup API) and check the copy.

    Returns the result of `PRAGMA integrity_check` on the copy ("ok" when sound).
    """
    if target.resolve() == source.resolve():
        return "the copy cannot replace the database itself"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    # Created owner-only before a byte is written; moved into place only once checked.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        with sqlite3.connect(source) as src, sqlite3.connect(partial) as dst:
            src.backup(dst)
        with sqlite3.connect(partial) as check:
            row = check.execute("PRAGMA integrity_check").fetchone()
        verdict = str(row[0]) if row else "no answer"
        if verdict == "ok":
            os.replace(partial, target)
        return verdict
    finally:
        partial.unlink(missing_ok=True)
