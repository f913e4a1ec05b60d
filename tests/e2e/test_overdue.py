"""Transcripts of /overdue: a supervisor sees what their center owes (and what is owed on its
cases) unit by unit, oldest due first with days overdue; the bureau sees every unit; nobody
else may ask; nothing overdue says so; codes and staff names only; every read is audited."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from bot.domain.roles import Role
from storage.schema import audit_log
from tests.e2e.test_case_work import write_entry
from tests.e2e.test_meetings import begin_minutes, plan_conference, send_the_minutes
from tests.e2e.test_referral import CODE, S01, District, refer
from tests.transcript import Person, World, active_member

pytestmark = pytest.mark.e2e

NATIONAL_ID = "A123456789"


async def track(district: District, code: str) -> None:
    await district.supervisor.says(f"/case {code}")
    await district.supervisor.presses("📌 列管")
    await district.supervisor.says("會議決議列管")


async def overdue(person: Person) -> str:
    """/overdue, answered in one message."""
    replies = await person.says("/overdue")
    assert len(replies) == 1, [r.text for r in replies]
    return replies[0].text


async def audited(world: World) -> list[str]:
    async with world.bot_services.db.read() as conn:
        rows = (await conn.execute(select(audit_log))).all()
    return [row.subject for row in rows if row.action == "case.overdue"]


def section(text: str, unit: str) -> list[str]:
    """The lines listed under a unit's heading, up to the next blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{unit}（"))
    found = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        found.append(line)
    return found


async def test_a_supervisor_sees_the_center_s_overdue_duties_oldest_first(
    accepted: tuple[District, str], world: World
) -> None:
    district, code = accepted
    supervisor = district.supervisor
    await track(district, code)
    await write_entry(
        district.social_worker, code, "面訪家庭", "案母同意就醫。\n下一步：陪同就醫 11/27"
    )
    await plan_conference(supervisor)  # 115/11/25 14:00; its minutes are due a week after

    # Nothing is late yet.
    assert await overdue(supervisor) == "中壢家庭服務中心目前沒有逾期待辦（115/11/24）。"

    # 12/08: November's report was due Mon 12/07, the next step 11/27, the minutes 12/02.
    with time_machine.travel("2026-12-08 09:00 +0800", tick=True):
        text = await overdue(supervisor)
    assert text.startswith("逾期待辦　中壢家庭服務中心（115/12/08）：1 個單位共 3 項")
    assert "中壢家庭服務中心（3 項）" in text
    assert section(text, "中壢家庭服務中心") == [
        f"• 下一步　{code}　期限 115/11/27　逾期 11 天　陳社工",
        "• 會議紀錄　115/11/25 14:00 中壢區區級個案研討會議　期限 115/12/02　逾期 6 天　林督導",
        f"• 列管月報 115年11月　{code}　期限 115/12/07　逾期 1 天　陳社工",
    ]
    assert "陪同就醫" not in text  # a next step's words are the worker's own
    assert await audited(world) == ["unit:fsc-zhongli", "unit:fsc-zhongli"]

    # Done is done: the report filed, it leaves the list.
    with time_machine.travel("2026-12-08 10:00 +0800", tick=True):
        await district.social_worker.says(f"/report {code}")
        await district.social_worker.says("家訪兩次，案母已就醫。")
        await district.social_worker.presses("持續列管")
        text = await overdue(supervisor)
    assert "列管月報" not in text
    assert "中壢家庭服務中心（2 項）" in text


async def test_the_bureau_sees_every_unit_and_a_supervisor_only_their_center(
    accepted: tuple[District, str], guishan_suicide_case: tuple[District, str], world: World
) -> None:
    zhongli, code = accepted
    guishan, guishan_code = guishan_suicide_case
    admin = await active_member(world, Role.ADMIN, "sab", "社會局科長")
    await track(zhongli, code)
    # The officer's own promise, a phone number in it (redacted before it is stored).
    await write_entry(
        zhongli.officer, code, "網絡聯繫", "已通報。\n下一步：打給0912345678的阿姨 11/28"
    )
    # A second referral with a national ID, still waiting on Monday 12/21: due Wed 12/23.
    with time_machine.travel("2026-12-21 10:00 +0800", tick=True):
        found = CODE.search((await refer(zhongli.officer, S01, national_id=NATIONAL_ID)).text)
    assert found
    waiting = found[0]

    with time_machine.travel("2026-12-28 10:00 +0800", tick=True):
        text = await overdue(admin)
        supervisors_view = await overdue(zhongli.supervisor)
        guishan_view = await overdue(guishan.supervisor)

    assert text.startswith("逾期待辦　全市（115/12/28）：3 個單位共 4 項")
    assert section(text, "中壢家庭服務中心") == [
        f"• 列管月報 115年11月　{code}　期限 115/12/07　逾期 21 天　陳社工",
        f"• 轉介待受案　{waiting}　期限 115/12/23　逾期 5 天",
    ]
    assert section(text, "龜山家庭服務中心") == [
        f"• 幸扶守護訪視 第1期　{guishan_code}　期限 115/12/23　逾期 5 天　黃社工"
    ]
    assert section(text, "桃園市政府警察局中壢分局") == [
        f"• 下一步　{code}　期限 115/11/28　逾期 30 天　王警員"
    ]
    # Codes, dates and staff names: never an identifier, a family's name or a note.
    for message in (text, supervisors_view, guishan_view):
        for secret in (NATIONAL_ID, "0912", "345-678", "林○華", "王○明", "阿姨", "〔已遮蔽〕"):
            assert secret not in message

    # 中壢's supervisor: the center's own duties and what is owed on its cases, not 龜山's.
    assert "桃園市政府警察局中壢分局（1 項）" in supervisors_view
    assert "中壢家庭服務中心（2 項）" in supervisors_view
    assert guishan_code not in supervisors_view
    assert section(guishan_view, "龜山家庭服務中心") == section(text, "龜山家庭服務中心")
    assert code not in guishan_view

    assert await audited(world) == ["unit:all", "unit:fsc-zhongli", "unit:fsc-guishan"]


async def test_a_liaison_resolution_past_due_is_listed_by_meeting_not_by_its_words(
    world: World,
) -> None:
    with time_machine.travel("2026-11-24 10:00 +0800", tick=True):
        clerk = await active_member(world, Role.SECRETARIAT, "office-zhongli", "吳秘書")
        admin = await active_member(world, Role.ADMIN, "sab", "社會局科長")
        await clerk.says("/newmeeting")
        await clerk.says("115/11/27 10:00")
        await clerk.says("中壢區公所禮堂")
        await clerk.presses("不需要")
        await clerk.says("中壢區公所 陳區長")
        await clerk.presses("完成")
        replies = await clerk.presses("✅ 建立並發出開會通知")
        assert "✅ 已建立" in replies[-1].text
    with time_machine.travel("2026-11-27 12:00 +0800", tick=True):
        await clerk.says("/meetings")
        await clerk.presses((await clerk.last_bot_message()).labels[0])
        await begin_minutes(clerk)
        await clerk.says("加強學區周邊夜間巡邏／中壢分局／115/12/31")
        replies = await send_the_minutes(clerk)
        assert "會議紀錄已完成" in replies[0].text
    with time_machine.travel("2026-12-31 16:00 +0800", tick=True):
        assert await overdue(admin) == "全市目前沒有逾期待辦（115/12/31）。"
    with time_machine.travel("2027-01-05 10:00 +0800", tick=True):
        text = await overdue(admin)
    assert section(text, "桃園市政府警察局中壢分局") == [
        "• 列管事項 第1項　115/11/27 10:00 中壢區區級聯繫會議　期限 115/12/31　逾期 5 天"
    ]
    assert "夜間巡邏" not in text


async def test_only_supervisors_and_the_bureau_may_ask(
    accepted: tuple[District, str], world: World
) -> None:
    district, _ = accepted
    clerk = await active_member(world, Role.SECRETARIAT, "office-zhongli", "吳秘書")
    for person in (district.officer, district.social_worker, clerk):
        text = await overdue(person)
        assert "不能使用這項功能" in text
        assert len(text) < 80
    assert await audited(world) == []
    async with world.bot_services.db.read() as conn:
        refused = [
            row.action
            for row in (await conn.execute(select(audit_log))).all()
            if row.outcome == "denied"
        ]
    assert refused.count("command.view_overdue") == 3
    # /help lists it for those who may use it, and only for them.
    assert "/overdue" in (await district.supervisor.says("/help"))[-1].text
    assert "/overdue" not in (await district.social_worker.says("/help"))[-1].text
