"""Case entries (immutable, attributed), the units serving a case, and the obligations it owes."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.records import CaseEntryRecord, DutyOfCaseRecord, ObligationRecord
from storage.repositories.batches import rows_where_in
from storage.schema import case_entries, case_team, obligations, referrals


async def add_entry(conn: AsyncConnection, **values: Any) -> CaseEntryRecord | None:
    """Append an entry; None when one for the same report period already exists."""
    try:
        async with conn.begin_nested():
            result = await conn.execute(case_entries.insert().values(**values))
    except IntegrityError:
        return None
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("entry insert returned no key")
    return await entry(conn, int(key[0]))


async def entry(conn: AsyncConnection, entry_id: int) -> CaseEntryRecord | None:
    row = (await conn.execute(select(case_entries).where(case_entries.c.id == entry_id))).first()
    return None if row is None else CaseEntryRecord(**row._asdict())


async def entries(
    conn: AsyncConnection, referral_id: int, *, limit: int = 5, offset: int = 0
) -> tuple[list[CaseEntryRecord], int]:
    """A page of a case's entries, newest first, and how many there are."""
    query = (
        select(case_entries)
        .where(case_entries.c.referral_id == referral_id)
        .order_by(case_entries.c.entry_date.desc(), case_entries.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = (await conn.execute(query)).all()
    count = (
        select(func.count())
        .select_from(case_entries)
        .where(case_entries.c.referral_id == referral_id)
    )
    total = int((await conn.execute(count)).scalar_one())
    return [CaseEntryRecord(**row._asdict()) for row in rows], total


async def entry_dates(conn: AsyncConnection, referral_id: int, kinds: Sequence[str]) -> list[date]:
    query = select(case_entries.c.entry_date).where(
        case_entries.c.referral_id == referral_id, case_entries.c.kind.in_(list(kinds))
    )
    return [row[0] for row in (await conn.execute(query)).all()]


async def join_team(conn: AsyncConnection, referral_id: int, unit_id: str, now: datetime) -> None:
    query = select(case_team).where(
        case_team.c.referral_id == referral_id, case_team.c.unit_id == unit_id
    )
    if (await conn.execute(query)).first() is None:
        await conn.execute(
            case_team.insert().values(referral_id=referral_id, unit_id=unit_id, since=now)
        )
    else:
        await conn.execute(
            update(case_team)
            .where(case_team.c.referral_id == referral_id, case_team.c.unit_id == unit_id)
            .values(since=now, until=None)
        )


async def leave_team(conn: AsyncConnection, referral_id: int, unit_id: str, now: datetime) -> bool:
    result = await conn.execute(
        update(case_team)
        .where(
            case_team.c.referral_id == referral_id,
            case_team.c.unit_id == unit_id,
            case_team.c.until.is_(None),
        )
        .values(until=now)
    )
    return result.rowcount == 1


async def team(conn: AsyncConnection, referral_id: int) -> frozenset[str]:
    """The units serving the case now."""
    query = select(case_team.c.unit_id).where(
        case_team.c.referral_id == referral_id, case_team.c.until.is_(None)
    )
    return frozenset(row[0] for row in (await conn.execute(query)).all())


async def owe(conn: AsyncConnection, **values: Any) -> bool:
    """Create an obligation unless the same (case, kind, period) is already owed."""
    try:
        async with conn.begin_nested():
            await conn.execute(obligations.insert().values(**values))
    except IntegrityError:
        return False
    return True


async def fulfil(
    conn: AsyncConnection,
    referral_id: int,
    *,
    kind: str,
    period: str,
    entry_id: int,
    now: datetime,
) -> bool:
    result = await conn.execute(
        update(obligations)
        .where(
            obligations.c.referral_id == referral_id,
            obligations.c.kind == kind,
            obligations.c.period == period,
            obligations.c.state == "open",
        )
        .values(state="done", done_entry_id=entry_id, updated_at=now)
    )
    return result.rowcount == 1


async def obligations_of(conn: AsyncConnection, referral_id: int) -> list[ObligationRecord]:
    query = (
        select(obligations)
        .where(obligations.c.referral_id == referral_id)
        .order_by(obligations.c.due, obligations.c.id)
    )
    return [ObligationRecord(**row._asdict()) for row in (await conn.execute(query)).all()]


async def all_obligations(conn: AsyncConnection) -> list[ObligationRecord]:
    query = select(obligations).order_by(obligations.c.due, obligations.c.id)
    return [ObligationRecord(**row._asdict()) for row in (await conn.execute(query)).all()]


async def open_obligations(conn: AsyncConnection, kind: str) -> list[ObligationRecord]:
    """The obligations of one kind still open, by due date."""
    query = (
        select(obligations)
        .where(obligations.c.kind == kind, obligations.c.state == "open")
        .order_by(obligations.c.due, obligations.c.id)
    )
    return [ObligationRecord(**row._asdict()) for row in (await conn.execute(query)).all()]


async def team_since(conn: AsyncConnection, referral_id: int) -> list[tuple[str, datetime]]:
    """The units serving the case now, with the day each joined, earliest first."""
    query = (
        select(case_team.c.unit_id, case_team.c.since)
        .where(case_team.c.referral_id == referral_id, case_team.c.until.is_(None))
        .order_by(case_team.c.since, case_team.c.unit_id)
    )
    return [(row[0], row[1]) for row in (await conn.execute(query)).all()]


async def corrections(conn: AsyncConnection, referral_id: int) -> dict[int, int]:
    """Which entries of a case were corrected: original id → the newest correcting entry's id."""
    query = (
        select(case_entries.c.corrects_id, func.max(case_entries.c.id))
        .where(case_entries.c.referral_id == referral_id, case_entries.c.corrects_id.is_not(None))
        .group_by(case_entries.c.corrects_id)
    )
    return {int(row[0]): int(row[1]) for row in (await conn.execute(query)).all()}


async def obligation(conn: AsyncConnection, obligation_id: int) -> ObligationRecord | None:
    row = (await conn.execute(select(obligations).where(obligations.c.id == obligation_id))).first()
    return None if row is None else ObligationRecord(**row._asdict())


async def waive(conn: AsyncConnection, obligation_id: int, *, reason: str, now: datetime) -> bool:
    """Excuse an open obligation with a reason code; False when it is no longer open."""
    result = await conn.execute(
        update(obligations)
        .where(obligations.c.id == obligation_id, obligations.c.state == "open")
        .values(state="waived", waived_reason=reason, updated_at=now)
    )
    return result.rowcount == 1


async def waive_open(
    conn: AsyncConnection, referral_id: int, *, kinds: Sequence[str], reason: str, now: datetime
) -> int:
    """Excuse every open obligation of these kinds on a case (e.g. when it closes)."""
    result = await conn.execute(
        update(obligations)
        .where(
            obligations.c.referral_id == referral_id,
            obligations.c.kind.in_(list(kinds)),
            obligations.c.state == "open",
        )
        .values(state="waived", waived_reason=reason, updated_at=now)
    )
    return int(result.rowcount)


async def reopen_waived(
    conn: AsyncConnection,
    referral_id: int,
    *,
    kind: str,
    reason: str,
    due_from: date,
    now: datetime,
) -> int:
    """Open again the duties excused for `reason` that are not yet past due (a case reopened)."""
    result = await conn.execute(
        update(obligations)
        .where(
            obligations.c.referral_id == referral_id,
            obligations.c.kind == kind,
            obligations.c.state == "waived",
            obligations.c.waived_reason == reason,
            obligations.c.due >= due_from,
        )
        .values(state="open", waived_reason=None, updated_at=now)
    )
    return int(result.rowcount)


async def monthly_reports(
    conn: AsyncConnection,
) -> list[tuple[ObligationRecord, str, datetime | None, str]]:
    """Every monthly-report duty with its case's district, when the report that fulfilled it
    was written (None while not done) and its case's code — closed and released cases included."""
    query = (
        select(
            obligations,
            referrals.c.district,
            case_entries.c.created_at.label("done_at"),
            referrals.c.code.label("case_code"),
        )
        .join(referrals, referrals.c.id == obligations.c.referral_id)
        .outerjoin(case_entries, case_entries.c.id == obligations.c.done_entry_id)
        .where(obligations.c.kind == "monthly_report")
        .order_by(obligations.c.due, obligations.c.id)
    )
    found = []
    for row in (await conn.execute(query)).all():
        values = row._asdict()
        district, done_at = values.pop("district"), values.pop("done_at")
        code = values.pop("case_code")
        found.append((ObligationRecord(**values), district, done_at, code))
    return found


async def open_duties_of_cases(
    conn: AsyncConnection, kind: str, referral_ids: Collection[int] | None = None
) -> list[DutyOfCaseRecord]:
    """The open duties of one kind with their cases' center, case manager and opening — every
    case's, or only these cases' — in one query (a batch of cases at a time when named)."""
    query = (
        select(
            obligations.c.referral_id,
            obligations.c.period,
            obligations.c.due,
            obligations.c.owner_staff_id,
            referrals.c.center_id,
            referrals.c.case_manager_id,
            referrals.c.opened_at,
        )
        .join(referrals, referrals.c.id == obligations.c.referral_id)
        .where(obligations.c.kind == kind, obligations.c.state == "open")
        .order_by(obligations.c.due, obligations.c.id)
    )
    rows = await rows_where_in(conn, query, obligations.c.referral_id, referral_ids)
    return [DutyOfCaseRecord(**row._asdict()) for row in rows]


async def report_periods_of_tracked(
    conn: AsyncConnection, referral_ids: Collection[int] | None = None
) -> set[tuple[int, str]]:
    """(case, period) of every monthly report already owed by a tracked case, in any state."""
    query = (
        select(obligations.c.referral_id, obligations.c.period)
        .join(referrals, referrals.c.id == obligations.c.referral_id)
        .where(obligations.c.kind == "monthly_report", referrals.c.tracked.is_(True))
    )
    rows = await rows_where_in(conn, query, obligations.c.referral_id, referral_ids)
    return {(row[0], row[1]) for row in rows}


async def entry_dates_of(
    conn: AsyncConnection, referral_ids: Collection[int], kinds: Sequence[str]
) -> dict[int, list[date]]:
    """The days of these cases' entries of these kinds, by case (a batch of cases a query)."""
    found: dict[int, list[date]] = {referral_id: [] for referral_id in referral_ids}
    query = select(case_entries.c.referral_id, case_entries.c.entry_date).where(
        case_entries.c.kind.in_(list(kinds))
    )
    for referral_id, day in await rows_where_in(
        conn, query, case_entries.c.referral_id, referral_ids
    ):
        found[referral_id].append(day)
    return found
