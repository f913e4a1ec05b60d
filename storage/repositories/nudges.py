"""The nudge outbox: planned rows with a unique dedupe key, claimed with a lease, sent once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.records import NudgeRecord, PlannedNudge
from storage.repositories.batches import rows_where_in
from storage.schema import nudges

# Why a row may have been dropped and still come back: never sent, and the cause can pass.
REVIVABLE = ("reason_gone", "not_active")


async def plan(conn: AsyncConnection, nudge: PlannedNudge, *, now: datetime) -> bool:
    """Add a pending nudge unless one with the same dedupe key exists: False then. A row that
    was dropped because its reason had gone (or its recipient was not active) and is due again
    — the meeting that filled a window was cancelled, the person is back — is pending again: it
    was never sent, so sending it now is still the first time."""
    return await plan_many(conn, [nudge], now=now) == 1


async def plan_many(
    conn: AsyncConnection, planned: Sequence[PlannedNudge], *, now: datetime
) -> int:
    """`plan` for many nudges in one statement (a planning pass stores thousands at once);
    returns how many rows were added or revived."""
    if not planned:
        return 0
    revivable = await _keys_where(
        conn,
        [nudge.dedupe_key for nudge in planned],
        and_(nudges.c.state == "dropped", nudges.c.dropped_reason.in_(REVIVABLE)),
    )
    changed = 0
    for nudge in planned:
        if nudge.dedupe_key in revivable:
            changed += await _revive(conn, nudge, now=now)
    fresh = [_pending(nudge, now=now) for nudge in planned if nudge.dedupe_key not in revivable]
    if fresh:
        insert = sqlite_insert if conn.dialect.name == "sqlite" else postgresql_insert
        statement = insert(nudges).on_conflict_do_nothing(index_elements=["dedupe_key"])
        changed += max((await conn.execute(statement, fresh)).rowcount, 0)
    return changed


def _pending(nudge: PlannedNudge, *, now: datetime) -> dict[str, Any]:
    """The values of a new pending row."""
    return {
        **asdict(nudge),
        "state": "pending",
        "lease_until": None,
        "attempts": 0,
        "snoozes": 0,
        "message_id": None,
        "dropped_reason": None,
        "created_at": now,
        "updated_at": now,
    }


async def _revive(conn: AsyncConnection, nudge: PlannedNudge, *, now: datetime) -> bool:
    """A row dropped for a reason that can pass, pending again (it was never sent)."""
    revived = await conn.execute(
        update(nudges)
        .where(
            nudges.c.dedupe_key == nudge.dedupe_key,
            nudges.c.state == "dropped",
            nudges.c.dropped_reason.in_(REVIVABLE),
        )
        .values(
            state="pending",
            due_at=nudge.due_at,
            window_key=nudge.window_key,
            dropped_reason=None,
            lease_until=None,
            updated_at=now,
        )
    )
    return revived.rowcount == 1


def _sendable(now: datetime) -> Any:
    return or_(
        and_(nudges.c.state == "pending", nudges.c.due_at <= now),
        and_(nudges.c.state == "claimed", nudges.c.lease_until < now),  # a crashed sender's
    )


async def due(conn: AsyncConnection, now: datetime) -> list[NudgeRecord]:
    """What a sender would take now (without taking it): for `nudges plan` and checks."""
    query = select(nudges).where(_sendable(now)).order_by(nudges.c.due_at, nudges.c.id)
    return [NudgeRecord(**row._asdict()) for row in (await conn.execute(query)).all()]


async def abandon_in_flight(conn: AsyncConnection, now: datetime) -> int:
    """Rows a sender was sending when it stopped (lease passed in state `sending`): they may
    have arrived, so they become `unknown` rather than being sent again."""
    result = await conn.execute(
        update(nudges)
        .where(nudges.c.state == "sending", nudges.c.lease_until < now)
        .values(state="unknown", lease_until=None, updated_at=now)
    )
    return result.rowcount


async def mark_sending(conn: AsyncConnection, ids: Sequence[int], now: datetime) -> None:
    """The request for these rows is about to go out."""
    if ids:
        await conn.execute(
            update(nudges)
            .where(nudges.c.id.in_(list(ids)), nudges.c.state == "claimed")
            .values(state="sending", updated_at=now)
        )


async def claim(
    conn: AsyncConnection, now: datetime, *, lease: timedelta, limit: int
) -> list[NudgeRecord]:
    """Take due rows for this sender until the lease ends — the oldest `limit`, and every other
    due row of the same people; rows a crashed sender had claimed but not begun to send are
    taken again once their lease has passed."""
    found = (
        await conn.execute(
            select(nudges.c.id)
            .where(_sendable(now))
            .order_by(nudges.c.due_at, nudges.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite's write lock does this
        )
    ).all()
    ids = [row[0] for row in found]
    if not ids:
        return []
    # Whole people, not a limit's worth of rows: a person's rows cut between two claims would
    # make two digests a second apart (one message a second per chat) where one belongs.
    theirs = select(nudges.c.recipient_id).where(nudges.c.id.in_(ids)).distinct()
    found = (
        await conn.execute(
            select(nudges.c.id).where(_sendable(now), nudges.c.recipient_id.in_(theirs))
        )
    ).all()
    ids = [row[0] for row in found]
    await conn.execute(
        update(nudges)
        .where(nudges.c.id.in_(ids), _sendable(now))
        .values(state="claimed", lease_until=now + lease, updated_at=now)
    )
    # The caller's write transaction is exclusive (BEGIN IMMEDIATE on SQLite, SELECT … then
    # UPDATE under the same lock), so the rows just marked are this sender's.
    query = select(nudges).where(nudges.c.id.in_(ids)).order_by(nudges.c.due_at, nudges.c.id)
    return [NudgeRecord(**row._asdict()) for row in (await conn.execute(query)).all()]


async def finish(
    conn: AsyncConnection,
    ids: Sequence[int],
    *,
    state: str,
    now: datetime,
    message_id: int | None = None,
    reason: str | None = None,
) -> None:
    """Sent (with the Telegram message id), dropped (with why) or unknown (maybe sent)."""
    if not ids:
        return
    await conn.execute(
        update(nudges)
        .where(nudges.c.id.in_(list(ids)))
        .values(
            state=state,
            lease_until=None,
            message_id=message_id,
            dropped_reason=reason,
            updated_at=now,
        )
    )


async def postpone(
    conn: AsyncConnection,
    ids: Sequence[int],
    *,
    until: datetime,
    window_key: str,
    now: datetime,
    count_attempt: bool,
    snooze: bool = False,
) -> None:
    """Back to pending for later: Telegram asked to wait, a connection failed, or a snooze."""
    if not ids:
        return
    values: dict[str, Any] = {
        "state": "pending",
        "lease_until": None,
        "due_at": until,
        "window_key": window_key,
        "updated_at": now,
    }
    if count_attempt:
        values["attempts"] = nudges.c.attempts + 1
    if snooze:
        values["snoozes"] = nudges.c.snoozes + 1
    await conn.execute(update(nudges).where(nudges.c.id.in_(list(ids))).values(**values))


async def by_id(conn: AsyncConnection, nudge_id: int) -> NudgeRecord | None:
    row = (await conn.execute(select(nudges).where(nudges.c.id == nudge_id))).first()
    return None if row is None else NudgeRecord(**row._asdict())


async def for_recipient(
    conn: AsyncConnection, recipient_id: int, states: Sequence[str]
) -> list[NudgeRecord]:
    query = (
        select(nudges)
        .where(nudges.c.recipient_id == recipient_id, nudges.c.state.in_(list(states)))
        .order_by(nudges.c.due_at, nudges.c.id)
    )
    return [NudgeRecord(**row._asdict()) for row in (await conn.execute(query)).all()]


async def closed_keys(conn: AsyncConnection, keys: Sequence[str]) -> set[str]:
    """Which of these nudges are finished: sent, possibly sent (unknown), or dropped for good
    (a row dropped for a reason that can pass comes back when it is due again, `plan`)."""
    return await _keys_where(
        conn,
        keys,
        or_(
            nudges.c.state.in_(["sent", "unknown"]),
            and_(nudges.c.state == "dropped", nudges.c.dropped_reason.not_in(REVIVABLE)),
        ),
    )


async def stored_for_good(conn: AsyncConnection, keys: Sequence[str]) -> set[str]:
    """Which of these nudges are stored and will not change by planning them again: every row
    but one dropped for a reason that can pass (`plan` revives those)."""
    return await _keys_where(
        conn,
        keys,
        or_(nudges.c.state != "dropped", nudges.c.dropped_reason.not_in(REVIVABLE)),
    )


async def _keys_where(conn: AsyncConnection, keys: Sequence[str], condition: Any) -> set[str]:
    """The keys among `keys` whose rows meet `condition`, asked a batch at a time."""
    query = select(nudges.c.dedupe_key).where(condition)
    return {row[0] for row in await rows_where_in(conn, query, nudges.c.dedupe_key, keys)}


async def not_before(conn: AsyncConnection, now: datetime) -> set[str]:
    """Pending nudges put off to later than `now` (a snooze, Telegram's retry_after)."""
    query = select(nudges.c.dedupe_key).where(nudges.c.state == "pending", nudges.c.due_at > now)
    return {row[0] for row in (await conn.execute(query)).all()}
