"""Drafts in progress (one per member of staff) and inputs the bot is waiting for.

A draft's payload is encrypted by the caller: it may hold a family's story before submission.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.records import DraftRecord, PendingInputRecord
from storage.schema import pending_inputs, referral_drafts


async def get(conn: AsyncConnection, staff_id: int) -> DraftRecord | None:
    query = select(referral_drafts).where(referral_drafts.c.staff_id == staff_id)
    row = (await conn.execute(query)).first()
    return None if row is None else DraftRecord(**row._asdict())


async def put(
    conn: AsyncConnection, staff_id: int, *, nonce: str, payload: bytes, now: datetime
) -> None:
    result = await conn.execute(
        update(referral_drafts)
        .where(referral_drafts.c.staff_id == staff_id)
        .values(nonce=nonce, payload=payload, updated_at=now)
    )
    if result.rowcount == 0:
        await conn.execute(
            referral_drafts.insert().values(
                staff_id=staff_id, nonce=nonce, payload=payload, created_at=now, updated_at=now
            )
        )


async def remove(conn: AsyncConnection, staff_id: int, *, nonce: str | None = None) -> bool:
    query = delete(referral_drafts).where(referral_drafts.c.staff_id == staff_id)
    if nonce is not None:
        query = query.where(referral_drafts.c.nonce == nonce)
    return (await conn.execute(query)).rowcount == 1


async def pending_input(conn: AsyncConnection, staff_id: int) -> PendingInputRecord | None:
    query = select(pending_inputs).where(pending_inputs.c.staff_id == staff_id)
    row = (await conn.execute(query)).first()
    return None if row is None else PendingInputRecord(**row._asdict())


async def expect_input(
    conn: AsyncConnection,
    staff_id: int,
    *,
    kind: str,
    subject: str,
    now: datetime,
    payload: bytes | None = None,
) -> None:
    """The next text this person sends answers `kind` about `subject` (one at a time)."""
    await conn.execute(delete(pending_inputs).where(pending_inputs.c.staff_id == staff_id))
    await conn.execute(
        pending_inputs.insert().values(
            staff_id=staff_id, kind=kind, subject=subject, created_at=now, payload=payload
        )
    )


async def clear_input(conn: AsyncConnection, staff_id: int) -> None:
    await conn.execute(delete(pending_inputs).where(pending_inputs.c.staff_id == staff_id))
