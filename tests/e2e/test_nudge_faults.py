"""Nudges when Telegram misbehaves, through the sandbox's fault and flood emulation: a 429 for
a while postpones without counting an attempt; a 5xx backs off and retries; a timeout after the
message went out marks the row `unknown` and it is never sent again; a fan-out under Telegram's
limits gets no 429 at all; a bot stopped in the middle of a fan-out sends the rest once after a
restart. No nudge is lost and none is sent twice, except a row marked `unknown`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

import handlers.nudges
from bot.domain.roles import Role
from bot.nudges import Outbox
from handlers.nudges import send_for, send_now
from storage.schema import nudges
from tests.e2e.test_meetings import plan_conference
from tests.e2e.test_nudges import at, reminders, tick, track
from tests.e2e.test_referral import District
from tests.transcript import Person, World, active_member

pytestmark = pytest.mark.e2e


async def fault(world: World, **body: Any) -> None:
    (
        await world.http.post("/sandbox/faults", json={"method": "sendMessage", **body})
    ).raise_for_status()


async def rows(world: World) -> list[Any]:
    async with world.bot_services.db.read() as conn:
        return list((await conn.execute(select(nudges).order_by(nudges.c.id))).all())


async def test_telegram_asking_to_wait_postpones_the_digest_without_counting_an_attempt(
    accepted: tuple[District, str], world: World, caplog: pytest.LogCaptureFixture
) -> None:
    district, code = accepted
    await track(district, code)
    # Four 429s: the rate limiter's three retries and the sender's own try.
    await fault(world, status=429, retry_after=1, count=4)
    with caplog.at_level(logging.WARNING, logger="handlers.nudges"):
        assert await tick(world, "2026-12-02T08:31:00") == 0
    assert "Telegram asked to wait 1.0s; 1 digests postponed" in caplog.text
    (row,) = await rows(world)
    assert (row.state, row.attempts) == ("pending", 0)
    assert await tick(world, "2026-12-02T08:31:02") == 1
    assert len(await reminders(district.social_worker)) == 1
    stats = (await world.http.get("/sandbox/stats")).json()
    assert stats["rate_limited"] == {"sendMessage": 4}


async def test_a_server_error_backs_off_and_retries_once(
    accepted: tuple[District, str], world: World
) -> None:
    district, code = accepted
    await track(district, code)
    await fault(world, status=502, count=1)
    assert await tick(world, "2026-12-02T08:31:00") == 0
    (row,) = await rows(world)
    assert (row.state, row.attempts) == ("pending", 1)
    assert await tick(world, "2026-12-02T08:31:30") == 0  # backing off a minute
    assert await tick(world, "2026-12-02T08:32:01") == 1
    assert len(await reminders(district.social_worker)) == 1


async def test_a_timeout_after_sending_is_marked_unknown_and_never_sent_again(
    accepted: tuple[District, str], world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    district, code = accepted
    await track(district, code)
    monkeypatch.setattr(handlers.nudges, "SEND_READ_TIMEOUT", 0.2)
    # The sandbox stores the message, then answers too late.
    await fault(world, delay_seconds=0.6, after_effect=True, count=1)
    assert await tick(world, "2026-12-02T08:31") == 0
    (row,) = await rows(world)
    assert row.state == "unknown"
    await asyncio.sleep(0.5)  # let the late answer drain
    await world.restart_bot()
    for moment in ("2026-12-02T09:00", "2026-12-02T15:00", "2026-12-03T09:00"):
        assert await tick(world, moment) == 0
    # It did arrive, once.
    assert len(await reminders(district.social_worker)) == 1


async def invite_many(world: World, count: int) -> list[Person]:
    """Police officers of 中壢, all invited by default to the district's case conference."""
    return [
        await active_member(world, Role.WORKER, "police-zhongli", f"警員{n:02d}")
        for n in range(count)
    ]


async def test_a_fan_out_under_telegrams_limits_gets_no_429(
    accepted: tuple[District, str], world: World
) -> None:
    district, _ = accepted
    with time_machine.travel(at("2026-11-24T10:00"), tick=True):
        officers = await invite_many(world, 30)
        await plan_conference(district.supervisor)
    flood = {"enabled": True, "global_per_second": 30, "per_chat_per_second": 1}
    (await world.http.post("/sandbox/flood", json=flood)).raise_for_status()
    # 2 hours before the meeting: one reminder each, paced to 25/s.
    sent = await tick(world, "2026-11-25T12:00")
    assert sent >= 31  # the 30 officers, 王警員 and the other invited units' staff
    stats = (await world.http.get("/sandbox/stats")).json()
    assert stats["total_rate_limited"] == 0
    for officer in officers:
        assert len(await reminders(officer)) == 1


async def test_a_bot_stopped_in_the_middle_of_a_fan_out_sends_the_rest_once(
    accepted: tuple[District, str], world: World
) -> None:
    district, _ = accepted
    with time_machine.travel(at("2026-11-24T10:00"), tick=True):
        officers = await invite_many(world, 30)
        await plan_conference(district.supervisor)
    moment = "2026-11-25T12:00"
    with time_machine.travel(at(moment)):
        await world.bot_services.nudges.planner.plan(at(moment))
        assert world.application is not None
        sender = asyncio.create_task(
            send_now(world.application.bot, world.bot_services, at(moment))
        )
        # Stopped once a few of the ~31 digests are out (at 25/s, a second's worth is left).
        for _ in range(500):
            if [row.state for row in await rows(world)].count("sent") >= 3:
                break
            await asyncio.sleep(0.01)
        sender.cancel()
        with pytest.raises(asyncio.CancelledError):
            await sender
    await world.restart_bot()
    got = [len(await reminders(officer)) for officer in officers]
    assert 0 < sum(got) < len(officers)
    # Within the lease nothing is taken again; after it, the rest go out.
    assert await tick(world, "2026-11-25T12:03") == 0
    assert await tick(world, "2026-11-25T12:06") > 0
    got = [len(await reminders(officer)) for officer in officers]
    assert max(got) == 1
    states = [row.state for row in await rows(world)]
    assert set(states) <= {"sent", "unknown"}
    assert states.count("unknown") <= 1  # the one whose request was under way, if any
    # Only that one may have been lost: its request may or may not have reached Telegram.
    assert got.count(0) <= states.count("unknown")


async def test_a_tick_keeps_sending_claim_after_claim_until_the_fan_out_is_done(
    accepted: tuple[District, str], world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sender's tick does not stop after one claim: with claims of 4 rows, the ~31
    reminders of a conference still go out in one tick, each once."""
    district, _ = accepted
    with time_machine.travel(at("2026-11-24T10:00"), tick=True):
        officers = await invite_many(world, 30)
        await plan_conference(district.supervisor)
    monkeypatch.setattr(Outbox, "CLAIM_LIMIT", 4)
    moment = at("2026-11-25T12:00")
    assert world.application is not None
    with time_machine.travel(moment):
        await world.bot_services.nudges.planner.plan(moment)
        assert await send_now(world.application.bot, world.bot_services, moment) == 4
        sent = await send_for(world.application.bot, world.bot_services, 14, lambda: moment)
    assert sent >= 27
    assert {row.state for row in await rows(world)} == {"sent"}
    assert [len(await reminders(officer)) for officer in officers] == [1] * len(officers)


async def test_a_tick_stops_claiming_when_telegram_asks_to_wait(
    accepted: tuple[District, str], world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram's "wait" holds the whole tick: no further claim goes out after it."""
    district, _ = accepted
    monkeypatch.setattr(Outbox, "CLAIM_LIMIT", 2)
    with time_machine.travel(at("2026-11-24T10:00"), tick=True):
        await invite_many(world, 5)
        await plan_conference(district.supervisor)
    moment = at("2026-11-25T12:00")
    await fault(world, status=429, retry_after=1, count=4)  # the limiter's 3 retries and ours
    assert world.application is not None
    with time_machine.travel(moment):
        await world.bot_services.nudges.planner.plan(moment)
        assert await send_for(world.application.bot, world.bot_services, 14, lambda: moment) == 0
    states = {row.state for row in await rows(world)}
    assert states == {"pending"}  # all put off by Telegram's second, none lost


async def test_a_claim_takes_a_persons_rows_whole(
    accepted: tuple[District, str], world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claims of one row still give a person one digest with all that is due for them."""
    district, code = accepted
    await track(district, code)
    with time_machine.travel(at("2026-11-24T10:00"), tick=True):
        await plan_conference(district.supervisor)
    monkeypatch.setattr(Outbox, "CLAIM_LIMIT", 1)
    moment = at("2026-12-09T10:00")  # the report is overdue and the conference is near
    assert world.application is not None
    with time_machine.travel(moment):
        await world.bot_services.nudges.planner.plan(moment)
        pending = [row for row in await rows(world) if row.state == "pending"]
        batches, _ = await world.bot_services.nudges.claim(moment)
    (batch,) = batches
    theirs = [row.id for row in pending if row.recipient_id == batch.recipient.id]
    assert len(theirs) > 1
    assert sorted(row.id for row in batch.rows) == theirs
