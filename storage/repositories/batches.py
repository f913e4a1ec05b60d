"""Asking about many rows by key without one query per row, nor one statement with more bound
parameters than a database accepts."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

BATCH = 500  # keys per IN (…): far below SQLite's and PostgreSQL's parameter limits

Key = TypeVar("Key", int, str)


def batches(keys: Collection[Key], size: int = BATCH) -> Iterator[list[Key]]:
    """`keys` in sorted lists of at most `size` (no list at all for no keys)."""
    ordered = sorted(keys)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


async def rows_where_in(
    conn: AsyncConnection,
    query: Select[Any],
    column: ColumnElement[Any],
    keys: Collection[Key] | None,
) -> list[Any]:
    """`query`'s rows: all of them (`keys` None), or those whose `column` is among `keys`, asked
    a batch at a time."""
    if keys is None:
        return list((await conn.execute(query)).all())
    rows: list[Any] = []
    for batch in batches(keys):
        rows += (await conn.execute(query.where(column.in_(batch)))).all()
    return rows
