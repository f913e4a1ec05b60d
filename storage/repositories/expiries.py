"""Messages the bot must delete later (case details shown in chat expire)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.records import MessageExpiryRecord
from storage.schema import message_expiries


async def add(conn: AsyncConnection, chat_id: int, message_id: int, delete_at: datetime) -> None:
    await conn.execute(
        message_expiries.insert().values(
            chat_id=chat_id, message_id=message_id, delete_at=delete_at
        )
    )


async def due(conn: AsyncConnection, now: datetime, limit: int = 100) -> list[MessageExpiryRecord]:
    query = (
        select(message_expiries)
        .where(message_expiries.c.delete_at <= now)
        .order_by(message_expiries.c.delete_at)
        .limit(limit)
    )
    return [MessageExpiryRecord(**row._asdict()) for row in (await conn.execute(query)).all()]


async def forget(conn: AsyncConnection, ids: Sequence[int]) -> None:
    if ids:
        await conn.execute(delete(message_expiries).where(message_expiries.c.id.in_(list(ids))))
