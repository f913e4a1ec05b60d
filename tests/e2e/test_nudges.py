"""Transcripts of nudges: from the data alone, at the right working hour, once; escalated only
while the duty stays open; nothing at night or on a holiday; a restart sends nothing twice; a
person who blocked the bot is reported to their supervisor once; `nudges plan` agrees with
what is sent."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from sqlalchemy import select

from bot.domain.roles import Role
from bot.domain.working_days import TAIPEI
from handlers.nudges import send_now
from storage.schema import nudges
from tests.e2e.test_meetings import plan_conference
from tests.e2e.test_referral import CODE, S01, District, refer
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
    assert f"{code} 115年11月 列管月報期限 115/12/07" in nudge.text
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


async def plan_a_conference_then_open_it(district: District) -> list[Said]:
    """林督導 plans 中壢's conference for Wed 11/25 14:00 and opens it from /meetings."""
    await plan_conference(district.supervisor)
    replies = await district.supervisor.says("/meetings")
    return await district.supervisor.presses(replies[-1].labels[0])


async def test_a_moved_meeting_drops_what_was_queued_and_announces_the_new_time_once(
    accepted: tuple[District, str], world: World
) -> None:
    district, _ = accepted
    supervisor, officer = district.supervisor, district.officer
    with time_machine.travel(at("2026-11-24T10:00"), tick=True):
        card = await plan_a_conference_then_open_it(district)
    assert card[-1].labels[-2:] == ["🕑 改期", "✖ 取消會議"]
    # Planned the day before: the invitation said it all, so no "7 days before" follows.
    await tick(world, "2026-11-24T10:05")
    assert await reminders(officer) == []
    # The reminder 2 hours before is queued (planned, not yet sent) when the meeting moves.
    with time_machine.travel(at("2026-11-25T12:00")):
        assert await world.bot_services.nudges.planner.plan(at("2026-11-25T12:00")) >= 1
    with time_machine.travel(at("2026-11-25T12:01"), tick=True):
        replies = await supervisor.presses("🕑 改期")
        assert "要改到什麼時間" in replies[-1].text
        replies = await supervisor.says("昨天")
        assert "看不懂這個時間" in replies[-1].text
        replies = await supervisor.says("115/11/20 14:00")
        assert "這個時間已經過了" in replies[-1].text
        replies = await supervisor.says("115/11/27 10:00")
    assert "已改期" in replies[-1].text
    await tick(world, "2026-11-25T12:02")
    (moved,) = await reminders(officer)
    assert "🕑 會議改期" in moved.text
    assert "改為 115/11/27 10:00（原 115/11/25 14:00）" in moved.text
    assert "請準時出席" not in moved.text  # the queued reminder for the old time was dropped
    await tick(world, "2026-11-25T13:00")
    assert len(await reminders(officer)) == 1
    # The new time's reminders: the working day before, and on the morning itself.
    await tick(world, "2026-11-26T08:31")
    assert "115/11/27 10:00" in (await reminders(officer))[-1].text
    await tick(world, "2026-11-27T08:31")
    assert len(await reminders(officer)) == 3
    async with world.bot_services.db.read() as conn:
        dropped = (
            await conn.execute(
                select(nudges.c.subject).where(nudges.c.dropped_reason == "reason_gone")
            )
        ).all()
    assert any("@202611251400" in row.subject for row in dropped)


async def test_a_cancelled_meeting_is_announced_once_and_nothing_more_is_sent(
    accepted: tuple[District, str], world: World
) -> None:
    district, _ = accepted
    supervisor, officer = district.supervisor, district.officer
    with time_machine.travel(at("2026-11-24T10:00"), tick=True):
        await plan_a_conference_then_open_it(district)
        # Only those who run it may change it: the officer's card has no such buttons.
        replies = await officer.says("/meetings")
        replies = await officer.presses(replies[-1].labels[0])
        assert "✖ 取消會議" not in replies[-1].labels
        replies = await supervisor.presses("✖ 取消會議")
        assert "確定要取消" in replies[-1].text
        replies = await supervisor.presses("確定取消")
        assert "已取消" in replies[-1].text
        replies = await supervisor.presses("確定取消")  # pressed twice
        assert "找不到這個會議，或它已取消" in replies[-1].text
    await tick(world, "2026-11-24T10:05")
    (cancelled,) = await reminders(officer)
    assert "❌ 會議已取消" in cancelled.text
    await tick(world, "2026-11-25T12:00")
    await tick(world, "2026-12-03T09:00")  # no minutes are owed for it either
    assert len(await reminders(officer)) == 1
    assert [m for m in await reminders(supervisor) if "會議紀錄" in m.text] == []
    with time_machine.travel(at("2026-11-24T11:00"), tick=True):
        replies = await officer.says("/meetings")
    assert "115/11/25" not in " ".join(replies[-1].labels)


async def test_the_buttons_open_the_work_itself(
    accepted: tuple[District, str], world: World
) -> None:
    district, code = accepted
    worker = district.social_worker
    await track(district, code)
    assert await tick(world, "2026-12-02T08:31") == 1
    with time_machine.travel(at("2026-12-02T09:00"), tick=True):
        replies = await worker.presses("1. 去處理")
        assert f"{code} 115年11月 月報" in replies[-1].text  # the report, ready to be written
        replies = await worker.presses("1. 已完成")
        assert "完成要有紀錄才算數" in replies[0].text
        assert f"{code} 115年11月 月報" in replies[-1].text
        # 稍後提醒 twice is the most; the same button again just says so.
        await worker.presses("1. 稍後提醒")
        replies = await worker.presses("1. 稍後提醒")
        assert "已延後到下一個上班時段" in replies[-1].text
    await tick(world, "2026-12-03T08:31")
    with time_machine.travel(at("2026-12-03T09:00"), tick=True):
        await worker.presses("1. 稍後提醒")
    await tick(world, "2026-12-04T08:31")
    with time_machine.travel(at("2026-12-04T09:00"), tick=True):
        replies = await worker.presses("1. 稍後提醒")
    assert "已延後兩次" in replies[-1].text


async def test_a_waiting_referral_opens_its_card_with_the_decisions(world: World) -> None:
    with time_machine.travel(at("2026-11-24T10:00"), tick=True):
        officer = await active_member(world, Role.WORKER, "police-zhongli", "王警員")
        supervisor = await active_member(world, Role.SUPERVISOR, "fsc-zhongli", "林督導")
        found = CODE.search((await refer(officer, S01)).text)
    assert found
    # Tuesday 10:00 + 2 working days: Thursday 10:00.
    await tick(world, "2026-11-26T09:59")
    assert [m for m in await reminders(supervisor) if "轉介尚待" in m.text] == []
    await tick(world, "2026-11-26T10:01")
    (waiting,) = [m for m in await reminders(supervisor) if "轉介尚待" in m.text]
    assert found[0] in waiting.text
    with time_machine.travel(at("2026-11-26T10:05"), tick=True):
        replies = await supervisor.presses("1. 去處理")
    assert found[0] in replies[-1].text
    assert "受案" in replies[-1].labels


async def test_after_two_days_down_what_is_still_useful_goes_out_once_and_the_rest_not_at_all(
    accepted: tuple[District, str], world: World
) -> None:
    """The clock jumps from Wednesday morning to Friday (the bot was down): the conference of
    Wednesday 14:00 is over, so its reminder would only confuse; the referral that has waited
    since Tuesday is still waiting, so its supervisor hears it once."""
    district, _ = accepted
    with time_machine.travel(at("2026-11-24T10:00"), tick=True):
        await plan_conference(district.supervisor)
        officer = await active_member(world, Role.WORKER, "police-zhongli", "李警員")
        found = CODE.search((await refer(officer, S01)).text)
    assert found
    await tick(world, "2026-11-25T08:00")
    await world.restart_bot()
    await tick(world, "2026-11-27T09:00")
    await tick(world, "2026-11-27T09:05")
    assert await reminders(officer) == []  # no reminder of a meeting already held
    waiting = [m for m in await reminders(district.supervisor) if found[0] in m.text]
    assert len(waiting) == 1


async def plan_typed_conference(supervisor: Person, when: str) -> None:
    await supervisor.says("/newmeeting")
    await supervisor.says(when)
    await supervisor.says("會議室")
    await supervisor.presses("不需要")
    await supervisor.presses("中壢家庭服務中心 林督導")
    await supervisor.presses("完成")
    replies = await supervisor.presses("✅ 建立並發出開會通知")
    assert "✅ 已建立" in replies[-1].text


async def move_meeting(supervisor: Person, when: str) -> None:
    replies = await supervisor.says("/meetings")
    await supervisor.presses(replies[-1].labels[0])
    await supervisor.presses("🕑 改期")
    replies = await supervisor.says(when)
    assert "已改期" in replies[-1].text


async def test_each_move_is_announced_even_back_to_a_time_already_announced(
    accepted: tuple[District, str], world: World
) -> None:
    district, _ = accepted
    supervisor, officer = district.supervisor, district.officer
    with time_machine.travel(at("2026-11-24T10:00"), tick=True):
        await plan_typed_conference(supervisor, "115/12/09 14:00")
    for minute, when in ((10, "115/12/10 14:00"), (20, "115/12/09 14:00"), (30, "115/12/10 14:00")):
        with time_machine.travel(at(f"2026-11-24T10:{minute}"), tick=True):
            await move_meeting(supervisor, when)
        await tick(world, f"2026-11-24T10:{minute + 5}")
    notices = [m.text for m in await reminders(officer) if "會議改期" in m.text]
    assert len(notices) == 3
    assert "改為 115/12/10 14:00（原 115/12/09 14:00）" in notices[-1]


async def test_a_nudge_dropped_when_its_reason_went_comes_back_when_the_reason_does(
    world: World,
) -> None:
    """A window's "not yet scheduled" nudge is planned at night, dropped in the morning because
    a conference was planned in the window, and due again once that conference is cancelled."""
    with time_machine.travel(at("2026-11-24T20:00"), tick=True):
        supervisor = await active_member(world, Role.SUPERVISOR, "fsc-zhongli", "林督導")
    with time_machine.travel(at("2026-11-24T20:01")):
        assert await world.bot_services.nudges.planner.plan(at("2026-11-24T20:01")) > 0
    with time_machine.travel(at("2026-11-24T21:00"), tick=True):
        await plan_typed_conference(supervisor, "115/11/27 14:00")
    await tick(world, "2026-11-25T08:30")
    assert [m for m in await reminders(supervisor) if "尚未安排" in m.text] == []
    with time_machine.travel(at("2026-11-25T09:00"), tick=True):
        replies = await supervisor.says("/meetings")
        await supervisor.presses(replies[-1].labels[0])
        await supervisor.presses("✖ 取消會議")
        await supervisor.presses("確定取消")
    with time_machine.travel(at("2026-11-25T09:05")):
        planned = await world.bot_services.nudges.would_send(at("2026-11-25T09:05"))
    assert any(d.subject.startswith("window:case_conference:中壢區") for d in planned)
    await tick(world, "2026-11-25T09:05")
    (window,) = [m for m in await reminders(supervisor) if "中壢區 區級個案研討會議" in m.text]
    assert "尚未安排" in window.text
    await tick(world, "2026-11-26T09:00")
    assert len([m for m in await reminders(supervisor) if "中壢區 區級個案研討會議" in m.text]) == 1
