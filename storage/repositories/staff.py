"""Staff accounts: registration drafts, pending applications and active members."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.records import StaffRecord
from storage.schema import staff


def _record(row: Row[Any]) -> StaffRecord:
    return StaffRecord(**row._asdict())


async def by_telegram_id(conn: AsyncConnection, telegram_user_id: int) -> StaffRecord | None:
    query = select(staff).where(staff.c.telegram_user_id == telegram_user_id)
    row = (await conn.execute(query)).first()
    return None if row is None else _record(row)


async def by_id(conn: AsyncConnection, staff_id: int) -> StaffRecord | None:
    row = (await conn.execute(select(staff).where(staff.c.id == staff_id))).first()
    return None if row is None else _record(row)


async def insert(
    conn: AsyncConnection,
    *,
    telegram_user_id: int,
    role: str,
    unit_id: str | None,
    status: str,
    locale: str,
    invite_id: int | None,
    now: datetime,
) -> StaffRecord:
    result = await conn.execute(
        staff.insert().values(
            telegram_user_id=telegram_user_id,
            display_name=None,
            role=role,
            unit_id=unit_id,
            status=status,
            locale=locale,
            invite_id=invite_id,
            created_at=now,
            updated_at=now,
        )
    )
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("staff insert returned no key")
    created = await by_id(conn, int(key[0]))
    if created is None:
        raise RuntimeError("staff row vanished after insert")
    return created


async def restart_registration(
    conn: AsyncConnection,
    staff_id: int,
    *,
    role: str,
    unit_id: str | None,
    status: str,
    invite_id: int,
    now: datetime,
) -> None:
    """A person whose earlier application ended registers again with a new invite."""
    await conn.execute(
        update(staff)
        .where(staff.c.id == staff_id)
        .values(
            display_name=None,
            role=role,
            unit_id=unit_id,
            status=status,
            invite_id=invite_id,
            decided_by=None,
            decided_at=None,
            updated_at=now,
        )
    )


async def set_fields(
    conn: AsyncConnection, staff_id: int, *, now: datetime, **values: object
) -> None:
    allowed = {"display_name", "unit_id", "status", "locale", "decided_by", "decided_at"}
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not a settable staff field: {sorted(unknown)}")
    await conn.execute(update(staff).where(staff.c.id == staff_id).values(updated_at=now, **values))


async def decide(
    conn: AsyncConnection,
    staff_id: int,
    *,
    new_status: str,
    decided_by: int | None,
    now: datetime,
) -> bool:
    """Approve or reject a pending application; False when it was no longer pending."""
    result = await conn.execute(
        update(staff)
        .where(staff.c.id == staff_id, staff.c.status == "pending")
        .values(status=new_status, decided_by=decided_by, decided_at=now, updated_at=now)
    )
    return result.rowcount == 1


async def active_in_units(
    conn: AsyncConnection, unit_ids: Sequence[str], roles: Sequence[str]
) -> list[StaffRecord]:
    query = (
        select(staff)
        .where(
            staff.c.unit_id.in_(list(unit_ids)),
            staff.c.role.in_(list(roles)),
            staff.c.status == "active",
        )
        .order_by(staff.c.id)
    )
    return [_record(row) for row in (await conn.execute(query)).all()]


async def active_with_role(conn: AsyncConnection, role: str) -> list[StaffRecord]:
    query = (
        select(staff).where(staff.c.role == role, staff.c.status == "active").order_by(staff.c.id)
    )
    return [_record(row) for row in (await conn.execute(query)).all()]


async def active_ids_in_units(
    conn: AsyncConnection, unit_ids: Sequence[str], roles: Sequence[str]
) -> list[int]:
    """The ids of the active staff of these units holding these roles, in id order."""
    query = (
        select(staff.c.id)
        .where(
            staff.c.unit_id.in_(list(unit_ids)),
            staff.c.role.in_(list(roles)),
            staff.c.status == "active",
        )
        .order_by(staff.c.id)
    )
    return [row[0] for row in (await conn.execute(query)).all()]


async def active_ids_with_role(conn: AsyncConnection, role: str) -> list[int]:
    query = (
        select(staff.c.id)
        .where(staff.c.role == role, staff.c.status == "active")
        .order_by(staff.c.id)
    )
    return [row[0] for row in (await conn.execute(query)).all()]
