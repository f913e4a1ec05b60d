"""Referrals and their history: numbering, writing, role-scoped listing and search."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, func, literal, select, union, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from storage.records import ReferralEventRecord, ReferralRecord, TrackedCaseRecord
from storage.repositories.batches import rows_where_in
from storage.schema import case_team, referral_events, referral_sequences, referrals

_LISTS = ("categories", "needs", "priority_flags")


def _record(row: Row[Any]) -> ReferralRecord:
    values = row._asdict()
    for key in _LISTS:
        values[key] = tuple(value for value in values[key].split(",") if value)
    values["serving_units"] = tuple(json.loads(values["serving_units"]))
    return ReferralRecord(**values)


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    stored = dict(values)
    for key in _LISTS:
        if key in stored:
            stored[key] = ",".join(stored[key])
    if "serving_units" in stored:
        stored["serving_units"] = json.dumps(list(stored["serving_units"]), ensure_ascii=False)
    return stored


async def next_number(conn: AsyncConnection, roc_year: int) -> int:
    """The next sequence number of the year (call inside the write transaction that uses it)."""
    result = await conn.execute(
        update(referral_sequences)
        .where(referral_sequences.c.roc_year == roc_year)
        .values(last=referral_sequences.c.last + 1)
    )
    if result.rowcount == 0:
        await conn.execute(referral_sequences.insert().values(roc_year=roc_year, last=1))
        return 1
    found = await conn.execute(
        select(referral_sequences.c.last).where(referral_sequences.c.roc_year == roc_year)
    )
    return int(found.scalar_one())


async def insert(conn: AsyncConnection, **values: Any) -> ReferralRecord:
    result = await conn.execute(referrals.insert().values(**_stored(values)))
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("referral insert returned no key")
    created = await by_id(conn, int(key[0]))
    if created is None:
        raise RuntimeError("referral vanished after insert")
    return created


async def by_id(conn: AsyncConnection, referral_id: int) -> ReferralRecord | None:
    row = (await conn.execute(select(referrals).where(referrals.c.id == referral_id))).first()
    return None if row is None else _record(row)


async def by_code(conn: AsyncConnection, code: str) -> ReferralRecord | None:
    row = (await conn.execute(select(referrals).where(referrals.c.code == code))).first()
    return None if row is None else _record(row)


async def by_submission_key(conn: AsyncConnection, key: str) -> ReferralRecord | None:
    query = select(referrals).where(referrals.c.submission_key == key)
    row = (await conn.execute(query)).first()
    return None if row is None else _record(row)


async def set_fields(
    conn: AsyncConnection,
    referral_id: int,
    *,
    now: datetime,
    expect_status: str | None = None,
    **values: Any,
) -> bool:
    """Change a referral; with `expect_status`, only if it is still in that status."""
    query = update(referrals).where(referrals.c.id == referral_id)
    if expect_status is not None:
        query = query.where(referrals.c.status == expect_status)
    result = await conn.execute(query.values(updated_at=now, **_stored(values)))
    return result.rowcount == 1


async def add_event(
    conn: AsyncConnection,
    referral_id: int,
    *,
    at: datetime,
    actor_id: int | None,
    kind: str,
    detail: dict[str, object] | None = None,
) -> None:
    await conn.execute(
        referral_events.insert().values(
            referral_id=referral_id,
            at=at,
            actor_id=actor_id,
            kind=kind,
            detail=None if detail is None else json.dumps(detail, ensure_ascii=False),
        )
    )


async def events(conn: AsyncConnection, referral_id: int) -> list[ReferralEventRecord]:
    query = (
        select(referral_events)
        .where(referral_events.c.referral_id == referral_id)
        .order_by(referral_events.c.id)
    )
    return [ReferralEventRecord(**row._asdict()) for row in (await conn.execute(query)).all()]


async def with_household_hash(conn: AsyncConnection, household_hash: str) -> list[ReferralRecord]:
    query = (
        select(referrals)
        .where(referrals.c.household_hash == household_hash)
        .order_by(referrals.c.id)
    )
    return [_record(row) for row in (await conn.execute(query)).all()]


@dataclass(frozen=True)
class Scope:
    """Whose referrals a reader may see: everything, a center's, or a person's."""

    everything: bool = False
    center_ids: tuple[str, ...] = ()
    referrer_id: int | None = None
    case_manager_id: int | None = None
    team_unit_id: str | None = None  # a unit serving the case sees it too


COUNT_CAP = 200  # a listing counts its rows up to here (or to the page asked); beyond: "over"


def _holds(column: ColumnElement[str], value: str) -> ColumnElement[bool]:
    """A comma-joined list column holds `value` as one of its items (not as part of one)."""
    return (literal(",") + column + literal(",")).contains(f",{value},", autoescape=True)


def counted_up_to(offset: int, limit: int) -> int:
    """How far `listing` counts for a page: COUNT_CAP, or the page's end if that is further."""
    return max(COUNT_CAP, offset + limit)


def _newest_visible(scope: Scope, filters: list[ColumnElement[bool]], k: int) -> Select[Any]:
    """The ids of the `k` newest referrals the scope shows that pass `filters`.

    A reader sees referrals for several reasons (their center's, referred by them, managed by
    them, served by their unit): each reason walks its own index newest first and stops after
    `k`, and the union of those is exact for the newest `k` — where one query ORing the reasons
    would gather and sort every visible row (tens of thousands at a national scale)."""
    if scope.everything:
        return select(referrals.c.id).where(*filters).order_by(referrals.c.id.desc()).limit(k)
    branches: list[Select[Any]] = []
    for condition in (
        referrals.c.center_id.in_(scope.center_ids) if scope.center_ids else None,
        referrals.c.referrer_id == scope.referrer_id if scope.referrer_id is not None else None,
        referrals.c.case_manager_id == scope.case_manager_id
        if scope.case_manager_id is not None
        else None,
    ):
        if condition is not None:
            branches.append(
                select(referrals.c.id)
                .where(condition, *filters)
                .order_by(referrals.c.id.desc())
                .limit(k)
            )
    if scope.team_unit_id is not None:
        branches.append(
            select(case_team.c.referral_id.label("id"))
            .join(referrals, referrals.c.id == case_team.c.referral_id)
            .where(case_team.c.unit_id == scope.team_unit_id, case_team.c.until.is_(None), *filters)
            .order_by(case_team.c.referral_id.desc())
            .limit(k)
        )
    if not branches:
        return select(referrals.c.id).where(referrals.c.id < 0)
    # SQLite takes ORDER BY … LIMIT in a compound's parts only inside a subquery.
    parts = [select(part.c.id) for part in (branch.subquery() for branch in branches)]
    return parts[0] if len(parts) == 1 else union(*parts)  # type: ignore[return-value]


async def listing(
    conn: AsyncConnection,
    scope: Scope,
    *,
    statuses: Sequence[str] | None = None,
    code: str | None = None,
    alias_fragment: str | None = None,
    district: str | None = None,
    tracked: bool | None = None,
    category: str | None = None,
    need: str | None = None,
    limit: int = 10,
    offset: int = 0,
) -> tuple[list[ReferralRecord], int]:
    """A page of visible referrals, newest first, and how many there are in all — counted up
    to COUNT_CAP (or to the end of the page asked, if further): a larger number comes back as
    one more than that, meaning "more than"."""
    filters: list[ColumnElement[bool]] = []
    if statuses:
        filters.append(referrals.c.status.in_(list(statuses)))
    if code:
        filters.append(referrals.c.code == code)
    if alias_fragment:
        filters.append(referrals.c.alias.contains(alias_fragment, autoescape=True))
    if district:
        filters.append(referrals.c.district == district)
    if tracked is not None:
        filters.append(referrals.c.tracked.is_(tracked))
    if category:  # the lists are stored comma-joined: match a whole value
        filters.append(_holds(referrals.c.categories, category))
    if need:
        filters.append(_holds(referrals.c.needs, need))
    newest = _newest_visible(scope, filters, offset + limit).subquery()
    query = (
        select(referrals)
        .where(referrals.c.id.in_(select(newest.c.id)))
        .order_by(referrals.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = (await conn.execute(query)).all()
    over = counted_up_to(offset, limit) + 1
    counted = _newest_visible(scope, filters, over).subquery()
    total = int((await conn.execute(select(func.count()).select_from(counted))).scalar_one())
    # Each reason's walk stops after `over`, so their union can hold more than `over` rows; it
    # holds that many only when there are more than the count goes to.
    return [_record(row) for row in rows], min(total, over)


async def tracked(conn: AsyncConnection) -> list[ReferralRecord]:
    query = select(referrals).where(referrals.c.tracked.is_(True)).order_by(referrals.c.id)
    return [_record(row) for row in (await conn.execute(query)).all()]


async def by_ids(conn: AsyncConnection, ids: set[int]) -> list[ReferralRecord]:
    if not ids:
        return []
    query = select(referrals).where(referrals.c.id.in_(sorted(ids)))
    return [_record(row) for row in (await conn.execute(query)).all()]


async def open_cases(conn: AsyncConnection, center_id: str) -> list[ReferralRecord]:
    """A center's cases that are not closed, oldest first."""
    query = (
        select(referrals)
        .where(
            referrals.c.center_id == center_id,
            referrals.c.status == "accepted",
            referrals.c.case_status.is_not(None),
            referrals.c.case_status != "closed",
        )
        .order_by(referrals.c.id)
    )
    return [_record(row) for row in (await conn.execute(query)).all()]


async def placed_on(conn: AsyncConnection, conference: str, district: str) -> list[ReferralRecord]:
    """Referrals of a district placed on the case conference of a month ("2026-03")."""
    query = (
        select(referrals)
        .where(referrals.c.target_conference == conference, referrals.c.district == district)
        .order_by(referrals.c.id)
    )
    return [_record(row) for row in (await conn.execute(query)).all()]


async def waiting(
    conn: AsyncConnection, referral_ids: Collection[int] | None = None
) -> list[ReferralRecord]:
    """Referrals no center has decided yet (all, or those of these), oldest first."""
    query = select(referrals).where(referrals.c.status == "waiting").order_by(referrals.c.id)
    rows = await rows_where_in(conn, query, referrals.c.id, referral_ids)
    return sorted((_record(row) for row in rows), key=lambda referral: referral.id)


async def tracked_cases(
    conn: AsyncConnection, referral_ids: Collection[int] | None = None
) -> list[TrackedCaseRecord]:
    """Cases under tracking (since a known day), only what projecting their reports needs."""
    query = (
        select(
            referrals.c.id,
            referrals.c.tracked_since,
            referrals.c.center_id,
            referrals.c.case_manager_id,
        )
        .where(referrals.c.tracked.is_(True), referrals.c.tracked_since.is_not(None))
        .order_by(referrals.c.id)
    )
    rows = await rows_where_in(conn, query, referrals.c.id, referral_ids)
    return [TrackedCaseRecord(**row._asdict()) for row in rows]
