"""Transcripts of nudges: from the data alone, at the right working hour, once; escalated only
while the duty stays open; nothing at night or on a holiday; a restart sends nothing twice; a
person who blocked the bot is reported to their supervisor once; `nudges plan` agrees with
what is sent."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from bot.domain.roles import Role
from bot.domain.working_days import TAIPEI
from handlers.nudges import send_now
from tests.e2e.test_referral import District
from tests.transcript import Person, Said, World, active_member

pytestmark = pytest.mark.e2e


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TAIPEI)


async def tick(world: World, moment: str) -> int:
    """One planning pass and one sender pass at `moment`, as the scheduler's jobs would."""
    with time_machine.travel(at(moment)):
        services = world.bot_services
        await services.nudges.planner.plan(at(moment))
        assert world.application is not None
        return await send_now(world.application.bot, services, at(moment))


async def reminders(person: Person) -> list[Said]:
    return [m for m in await person.bot_messages() if "⏰" in m.text]


async def track(district: District, code: str) -> None:
    await district.supervisor.says(f"/case {code}")
    await district.supervisor.presses("📌 列管")
    await district.supervisor.says("會議決議列管")


async def test_a_monthly_report_is_nudged_once_at_the_right_hour_and_escalated_while_open(
    accepted: tuple[District, str], world: World
) -> None:
    district, code = accepted
    worker, supervisor = district.social_worker, district.supervisor
    await track(district, code)
    # November's report is due Mon 2026-12-07 (the 5th is a Saturday): the lead hears three
    # working days before, at the start of office hours — not earlier, not at night.
    assert await tick(world, "2026-12-01T10:00") == 0
    assert await tick(world, "2026-12-02T07:00") == 0
    assert await tick(world, "2026-12-02T08:31") == 1
    (nudge,) = await reminders(worker)
    assert f"{code} 2026-11 列管月報期限 115/12/07" in nudge.text
    assert nudge.labels == ["1. 去處理", "1. 已完成", "1. 稍後提醒"]
    # Ticks again, and a restart in between, send nothing twice.
    assert await tick(world, "2026-12-02T08:45") == 0
    await world.restart_bot()
    assert await tick(world, "2026-12-02T09:00") == 0
    assert len(await reminders(worker)) == 1

    # 稍後提醒: the next working day's first window.
    with time_machine.travel(at("2026-12-02T09:05"), tick=True):
        replies = await worker.presses("1. 稍後提醒")
    assert "下一個上班時段" in replies[-1].text
    assert await tick(world, "2026-12-02T16:00") == 0
    assert await tick(world, "2026-12-03T08:31") == 1
    assert len(await reminders(worker)) == 2

    # Nothing on a weekend; the day after the due day, the supervisor hears it is overdue.
    assert await tick(world, "2026-12-05T10:00") == 0
    assert await tick(world, "2026-12-08T09:00") == 1
    (escalated,) = await reminders(supervisor)
    assert "已逾期" in escalated.text

    # The worker files it: the bureau's escalation a week after never goes out.
    with time_machine.travel(at("2026-12-08T10:00"), tick=True):
        await worker.says(f"/report {code}")
        await worker.says("家訪兩次，案母已就醫。")
        await worker.presses("持續列管")
    admin = await active_member(world, Role.ADMIN, "sab", "社會局科長")
    assert await tick(world, "2026-12-14T09:00") == 0
    assert await reminders(admin) == []


async def test_the_plan_command_agrees_with_what_is_sent(
    accepted: tuple[District, str], world: World
) -> None:
    district, code = accepted
    await track(district, code)
    with time_machine.travel(at("2026-12-02T08:31")):
        planned = await world.bot_services.nudges.would_send(at("2026-12-02T08:31"))
    assert [(d.recipient_id, d.kind.value) for d in planned] == [
        (await _staff_id(world, district.social_worker), "report_due")
    ]
    assert await tick(world, "2026-12-02T08:31") == 1
    with time_machine.travel(at("2026-12-02T08:32")):
        assert await world.bot_services.nudges.would_send(at("2026-12-02T08:32")) == []
    # At night nothing would be sent.
    with time_machine.travel(at("2026-12-02T22:00")):
        assert await world.bot_services.nudges.would_send(at("2026-12-09T22:00")) == []


async def test_a_person_who_blocked_the_bot_is_reported_to_their_supervisor_once(
    accepted: tuple[District, str], world: World
) -> None:
    district, code = accepted
    await track(district, code)
    blocked = await world.http.post(f"/sandbox/users/{district.social_worker.user_id}/block")
    blocked.raise_for_status()
    assert await tick(world, "2026-12-02T08:31") == 0
    assert await tick(world, "2026-12-02T08:40") == 1  # the supervisor's notice
    (notice,) = await reminders(district.supervisor)
    assert "陳社工 已封鎖機器人" in notice.text
    assert await tick(world, "2026-12-03T08:40") == 0
    assert len(await reminders(district.supervisor)) == 1


async def test_a_visit_plan_that_falls_behind_is_nudged_then_escalated_after_its_month(
    guishan_suicide_case: tuple[District, str], world: World
) -> None:
    """幸扶守護 (seed 003, 參.二.5): 4 visits in the month from 11/24 to 12/23. With none made,
    the four working days left after Friday 12/18 (12/18, 21, 22, 23) still fit them; on
    Saturday they no longer do, so the lead worker hears on Monday morning; the supervisor the
    morning after the month ends."""
    district, code = guishan_suicide_case
    worker, supervisor = district.social_worker, district.supervisor

    async def about_visits(person: Person) -> list[Said]:
        return [m for m in await reminders(person) if "幸扶守護" in m.text]

    await tick(world, "2026-12-18T16:00")
    assert await about_visits(worker) == []
    await tick(world, "2026-12-19T10:00")  # a Saturday: it waits
    assert await about_visits(worker) == []
    await tick(world, "2026-12-21T08:31")
    (behind,) = await about_visits(worker)
    assert f"{code} 幸扶守護第 1 個月訪視進度落後：應訪 4 次，已訪 0 次（115/12/23 止）" in (
        behind.text
    )
    assert await about_visits(supervisor) == []
    await tick(world, "2026-12-24T08:31")
    (late,) = await about_visits(supervisor)
    assert f"⚠️ {code} 幸扶守護第 1 個月" in late.text
    await tick(world, "2026-12-28T09:00")
    assert len(await about_visits(worker)) == 1
    assert len(await about_visits(supervisor)) == 1


async def _staff_id(world: World, person: Person) -> int:
    member = await world.bot_services.accounts.by_telegram_id(person.user_id)
    assert member is not None
    return member.id
