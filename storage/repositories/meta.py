"""Small facts about the deployment kept in the database (e.g. the bot's username)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import meta


async def get(conn: AsyncConnection, key: str) -> str | None:
    row = (await conn.execute(select(meta.c.value).where(meta.c.key == key))).first()
    return None if row is None else str(row[0])


async def put(conn: AsyncConnection, key: str, value: str) -> None:
    result = await conn.execute(update(meta).where(meta.c.key == key).values(value=value))
    if result.rowcount == 0:
        await conn.execute(meta.insert().values(key=key, value=value))
