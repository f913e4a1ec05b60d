"""The copies of one notice sent to several people, by what the notice is about."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import message_copies


async def add(
    conn: AsyncConnection, subject: str, chat_id: int, message_id: int, *, now: datetime
) -> None:
    await conn.execute(
        message_copies.insert().values(
            subject=subject, chat_id=chat_id, message_id=message_id, sent_at=now
        )
    )


async def of(conn: AsyncConnection, subject: str) -> list[tuple[int, int]]:
    """(chat id, message id) of every copy still remembered."""
    query = select(message_copies.c.chat_id, message_copies.c.message_id).where(
        message_copies.c.subject == subject
    )
    return [(row.chat_id, row.message_id) for row in (await conn.execute(query)).all()]


async def forget(conn: AsyncConnection, subject: str) -> None:
    await conn.execute(delete(message_copies).where(message_copies.c.subject == subject))
