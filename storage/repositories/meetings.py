"""Meetings, the units invited, answers to invitations, decisions on cases, resolutions."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.records import (
    MeetingAnswerRecord,
    MeetingDecisionRecord,
    MeetingRecord,
    ResolutionRecord,
)
from storage.repositories.batches import rows_where_in
from storage.schema import (
    meeting_answers,
    meeting_attendance,
    meeting_decisions,
    meeting_resolutions,
    meeting_units,
    meetings,
)


async def create(conn: AsyncConnection, units: Sequence[str], **values: Any) -> MeetingRecord:
    result = await conn.execute(meetings.insert().values(**values))
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("meeting insert returned no key")
    meeting_id = int(key[0])
    for unit_id in dict.fromkeys(units):
        await conn.execute(meeting_units.insert().values(meeting_id=meeting_id, unit_id=unit_id))
    found = await by_id(conn, meeting_id)
    assert found is not None
    return found


async def by_id(conn: AsyncConnection, meeting_id: int) -> MeetingRecord | None:
    row = (await conn.execute(select(meetings).where(meetings.c.id == meeting_id))).first()
    return None if row is None else MeetingRecord(**row._asdict())


async def listing(
    conn: AsyncConnection,
    *,
    series_key: str | None = None,
    district: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    planned_only: bool = True,
) -> list[MeetingRecord]:
    query = select(meetings).order_by(meetings.c.starts_at, meetings.c.id)
    if series_key is not None:
        query = query.where(meetings.c.series_key == series_key)
    if district is not None:
        query = query.where(meetings.c.district == district)
    if since is not None:
        query = query.where(meetings.c.starts_at >= since)
    if until is not None:
        query = query.where(meetings.c.starts_at < until)
    if planned_only:
        query = query.where(meetings.c.status == "planned")
    return [MeetingRecord(**row._asdict()) for row in (await conn.execute(query)).all()]


async def for_units(
    conn: AsyncConnection, unit_ids: Sequence[str], *, since: datetime
) -> list[MeetingRecord]:
    """Planned meetings from `since` to which any of these units is invited."""
    invited = select(meeting_units.c.meeting_id).where(meeting_units.c.unit_id.in_(unit_ids))
    query = (
        select(meetings)
        .where(
            meetings.c.status == "planned",
            meetings.c.starts_at >= since,
            meetings.c.id.in_(invited),
        )
        .order_by(meetings.c.starts_at)
    )
    return [MeetingRecord(**row._asdict()) for row in (await conn.execute(query)).all()]


async def set_fields(conn: AsyncConnection, meeting_id: int, **values: Any) -> bool:
    result = await conn.execute(
        update(meetings).where(meetings.c.id == meeting_id).values(**values)
    )
    return result.rowcount == 1


async def mark_minutes(conn: AsyncConnection, meeting_id: int, *, now: datetime) -> bool:
    """Minutes are recorded once: False when they already were."""
    result = await conn.execute(
        update(meetings)
        .where(meetings.c.id == meeting_id, meetings.c.minutes_recorded_at.is_(None))
        .values(minutes_recorded_at=now, minutes_sent_at=now, updated_at=now)
    )
    return result.rowcount == 1


async def units_of(conn: AsyncConnection, meeting_id: int) -> list[str]:
    query = select(meeting_units.c.unit_id).where(meeting_units.c.meeting_id == meeting_id)
    return [row[0] for row in (await conn.execute(query)).all()]


async def answer(
    conn: AsyncConnection,
    meeting_id: int,
    staff_id: int,
    *,
    value: str,
    delegate_id: int | None,
    now: datetime,
) -> None:
    """Record (or change) one person's answer to an invitation."""
    values = {"answer": value, "delegate_id": delegate_id, "answered_at": now}
    try:
        async with conn.begin_nested():
            await conn.execute(
                meeting_answers.insert().values(meeting_id=meeting_id, staff_id=staff_id, **values)
            )
    except IntegrityError:
        await conn.execute(
            update(meeting_answers)
            .where(
                meeting_answers.c.meeting_id == meeting_id,
                meeting_answers.c.staff_id == staff_id,
            )
            .values(**values)
        )


async def answers(conn: AsyncConnection, meeting_id: int) -> list[MeetingAnswerRecord]:
    query = (
        select(meeting_answers)
        .where(meeting_answers.c.meeting_id == meeting_id)
        .order_by(meeting_answers.c.answered_at)
    )
    return [MeetingAnswerRecord(**row._asdict()) for row in (await conn.execute(query)).all()]


async def add_decision(conn: AsyncConnection, **values: Any) -> bool:
    """False when this case already has a decision at this meeting."""
    try:
        async with conn.begin_nested():
            await conn.execute(meeting_decisions.insert().values(**values))
    except IntegrityError:
        return False
    return True


async def decisions(conn: AsyncConnection, meeting_id: int) -> list[MeetingDecisionRecord]:
    query = (
        select(meeting_decisions)
        .where(meeting_decisions.c.meeting_id == meeting_id)
        .order_by(meeting_decisions.c.id)
    )
    return [MeetingDecisionRecord(**row._asdict()) for row in (await conn.execute(query)).all()]


async def remove_decision(conn: AsyncConnection, meeting_id: int, referral_id: int) -> bool:
    """A decision taken back before the minutes are recorded."""
    result = await conn.execute(
        delete(meeting_decisions).where(
            meeting_decisions.c.meeting_id == meeting_id,
            meeting_decisions.c.referral_id == referral_id,
        )
    )
    return result.rowcount == 1


async def attendance(conn: AsyncConnection, meeting_id: int) -> dict[str, str]:
    """unit id → attended / delegate / excused / absent, as the organiser has it so far."""
    query = select(meeting_attendance.c.unit_id, meeting_attendance.c.state).where(
        meeting_attendance.c.meeting_id == meeting_id
    )
    return {row.unit_id: row.state for row in (await conn.execute(query)).all()}


async def set_attendance(
    conn: AsyncConnection, meeting_id: int, unit_id: str, state: str, *, now: datetime
) -> None:
    values = {"state": state, "updated_at": now}
    try:
        async with conn.begin_nested():
            await conn.execute(
                meeting_attendance.insert().values(meeting_id=meeting_id, unit_id=unit_id, **values)
            )
    except IntegrityError:
        await conn.execute(
            update(meeting_attendance)
            .where(
                meeting_attendance.c.meeting_id == meeting_id,
                meeting_attendance.c.unit_id == unit_id,
            )
            .values(**values)
        )


async def add_resolution(conn: AsyncConnection, **values: Any) -> None:
    await conn.execute(meeting_resolutions.insert().values(**values))


async def resolutions(conn: AsyncConnection, meeting_id: int) -> list[ResolutionRecord]:
    query = (
        select(meeting_resolutions)
        .where(meeting_resolutions.c.meeting_id == meeting_id)
        .order_by(meeting_resolutions.c.id)
    )
    return [ResolutionRecord(**row._asdict()) for row in (await conn.execute(query)).all()]


async def set_decision_note(
    conn: AsyncConnection, meeting_id: int, referral_id: int, note: bytes
) -> bool:
    result = await conn.execute(
        update(meeting_decisions)
        .where(
            meeting_decisions.c.meeting_id == meeting_id,
            meeting_decisions.c.referral_id == referral_id,
        )
        .values(note=note)
    )
    return result.rowcount == 1


async def open_resolutions(
    conn: AsyncConnection, resolution_ids: Collection[int] | None = None
) -> list[ResolutionRecord]:
    """Resolutions not yet carried out (all, or those of these), by due date."""
    query = (
        select(meeting_resolutions)
        .where(meeting_resolutions.c.state == "open")
        .order_by(meeting_resolutions.c.due, meeting_resolutions.c.id)
    )
    rows = await rows_where_in(conn, query, meeting_resolutions.c.id, resolution_ids)
    return [ResolutionRecord(**row._asdict()) for row in rows]


async def by_ids(conn: AsyncConnection, meeting_ids: Collection[int]) -> dict[int, MeetingRecord]:
    rows = await rows_where_in(conn, select(meetings), meetings.c.id, meeting_ids)
    return {row.id: MeetingRecord(**row._asdict()) for row in rows}


async def resolve(conn: AsyncConnection, resolution_id: int, *, now: datetime) -> bool:
    result = await conn.execute(
        update(meeting_resolutions)
        .where(meeting_resolutions.c.id == resolution_id, meeting_resolutions.c.state == "open")
        .values(state="done", done_at=now)
    )
    return result.rowcount == 1
