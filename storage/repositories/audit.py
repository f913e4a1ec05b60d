"""The audit log: who did or tried what, when, and whether it was allowed. Append-only."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.records import AuditRecord
from storage.schema import audit_log


async def append(
    conn: AsyncConnection,
    *,
    at: object,
    action: str,
    outcome: str,
    actor_staff_id: int | None = None,
    actor_telegram_id: int | None = None,
    subject: str | None = None,
    detail: Mapping[str, object] | None = None,
) -> None:
    await conn.execute(
        audit_log.insert().values(
            at=at,
            action=action,
            outcome=outcome,
            actor_staff_id=actor_staff_id,
            actor_telegram_id=actor_telegram_id,
            subject=subject,
            detail=None if detail is None else json.dumps(detail, ensure_ascii=False),
        )
    )


async def recent(conn: AsyncConnection, limit: int = 100) -> list[AuditRecord]:
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    return [AuditRecord(**row._asdict()) for row in (await conn.execute(query)).all()]


async def count_since(
    conn: AsyncConnection, *, action: str, outcome: str, actor_telegram_id: int, since: object
) -> int:
    """How many times this Telegram account was refused `action` since then (back-offs)."""
    query = select(func.count()).where(
        audit_log.c.action == action,
        audit_log.c.outcome == outcome,
        audit_log.c.actor_telegram_id == actor_telegram_id,
        audit_log.c.at >= since,
    )
    return int((await conn.execute(query)).scalar_one())
