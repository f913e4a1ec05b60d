"""One-time invite codes: stored only as keyed hashes, single use, with an expiry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.records import InviteRecord
from storage.schema import invites


def _record(row: Row[Any]) -> InviteRecord:
    values = row._asdict()
    values.pop("code_hash")
    districts = values.pop("districts")
    return InviteRecord(districts=tuple(districts.split(",")) if districts else (), **values)


async def insert(
    conn: AsyncConnection,
    *,
    code_hash: str,
    role: str,
    unit_id: str | None,
    districts: tuple[str, ...],
    issued_by: int | None,
    preapproved: bool,
    now: datetime,
    expires_at: datetime,
) -> InviteRecord:
    result = await conn.execute(
        invites.insert().values(
            code_hash=code_hash,
            role=role,
            unit_id=unit_id,
            districts=",".join(districts) or None,
            issued_by=issued_by,
            preapproved=preapproved,
            created_at=now,
            expires_at=expires_at,
        )
    )
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("invite insert returned no key")
    row = (await conn.execute(select(invites).where(invites.c.id == int(key[0])))).one()
    return _record(row)


async def by_code_hash(conn: AsyncConnection, code_hash: str) -> InviteRecord | None:
    row = (await conn.execute(select(invites).where(invites.c.code_hash == code_hash))).first()
    return None if row is None else _record(row)


async def mark_used(
    conn: AsyncConnection, invite_id: int, *, telegram_user_id: int, now: datetime
) -> bool:
    """Consume the invite; False when someone else consumed it first."""
    result = await conn.execute(
        update(invites)
        .where(invites.c.id == invite_id, invites.c.used_at.is_(None))
        .values(used_at=now, used_by_telegram_id=telegram_user_id)
    )
    return result.rowcount == 1


async def by_id(conn: AsyncConnection, invite_id: int) -> InviteRecord | None:
    row = (await conn.execute(select(invites).where(invites.c.id == invite_id))).first()
    return None if row is None else _record(row)
