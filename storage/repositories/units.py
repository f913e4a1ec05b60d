"""Units of the jurisdiction, mirrored into the database so that staff rows can refer to them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.records import UnitRecord
from storage.schema import units


async def sync(conn: AsyncConnection, wanted: Iterable[UnitRecord]) -> None:
    """Insert or update every unit of the jurisdiction; units no longer listed become inactive."""
    wanted_by_id = {unit.id: unit for unit in wanted}
    existing = {row.id: row for row in (await conn.execute(select(units))).all()}
    for unit in wanted_by_id.values():
        values = {"name": unit.name, "kind": unit.kind, "role": unit.role, "active": True}
        if unit.id in existing:
            await conn.execute(update(units).where(units.c.id == unit.id).values(**values))
        else:
            await conn.execute(units.insert().values(id=unit.id, **values))
    gone = [unit_id for unit_id in existing if unit_id not in wanted_by_id]
    if gone:
        await conn.execute(update(units).where(units.c.id.in_(gone)).values(active=False))


async def get(conn: AsyncConnection, unit_id: str) -> UnitRecord | None:
    row = (await conn.execute(select(units).where(units.c.id == unit_id))).first()
    return None if row is None else UnitRecord(**row._asdict())
