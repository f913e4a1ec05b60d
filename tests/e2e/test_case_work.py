"""Transcripts of case work after the first visit: every kind of entry, closure asked and
decided, follow-up, corrections, next steps done, duties excused, the serving team, caseload."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from bot.accounts import Staff
from bot.domain.case_status import TWSS_NAMES, EntryKind
from bot.domain.roles import Role
from handlers.updates import PICKABLE_KINDS
from storage.schema import audit_log, case_entries, obligations
from tests.e2e.test_referral import District
from tests.transcript import Person, World, active_member

pytestmark = pytest.mark.e2e


async def write_entry(worker: Person, code: str, kind: str, note: str, day: str = "今天") -> str:
    """/update → case → kind → day → note; returns the bot's last answer."""
    await worker.says(f"/update {code}")
    await worker.presses(kind)
    await worker.presses(day)
    return (await worker.says(note))[-1].text


async def card(person: Person, code: str) -> list[str]:
    """The buttons of the case card this person sees."""
    replies = await person.says(f"/case {code}")
    return replies[-1].labels


@pytest.mark.parametrize("kind", PICKABLE_KINDS, ids=lambda k: k.value)
async def test_every_kind_of_entry_is_recorded_and_shown(
    accepted: tuple[District, str], kind: EntryKind
) -> None:
    district, code = accepted
    worker = district.social_worker
    with time_machine.travel("2026-11-26 10:00 +0800", tick=True):
        answer = await write_entry(worker, code, TWSS_NAMES[kind], "案家狀況穩定。", day="昨天")
        await worker.says(f"/case {code}")
        timeline = (await worker.presses("🕒 時間軸"))[-1].text
    assert f"✅ 已記錄 {code}：{TWSS_NAMES[kind]}（115/11/25）" in answer
    assert f"115/11/25　{TWSS_NAMES[kind]}　陳社工（中壢家庭服務中心）：案家狀況穩定。" in timeline


async def test_closure_is_asked_by_the_lead_and_decided_by_the_supervisor(
    accepted: tuple[District, str], world: World
) -> None:
    district, code = accepted
    worker, supervisor = district.social_worker, district.supervisor
    await write_entry(worker, code, "申請結案/除管", "服務目標達成，案母穩定就業。")
    assert "核准結案" not in await card(worker, code)  # the lead asks; the supervisor decides
    labels = await card(supervisor, code)
    assert {"核准結案", "不同意結案"} <= set(labels)
    first_card = (await supervisor.bot_messages())[-1]

    replies = await supervisor.presses("不同意結案")
    assert "✅ 目前狀態：處遇中" in replies[-1].text.replace(f"{code} ", "")
    assert "林督導 不同意結案，回到處遇" in (await worker.last_bot_message()).text

    # The same card's other button is stale now: the status moved on.
    approve = next(
        b["callback_data"] for row in first_card.buttons for b in row if b["text"] == "核准結案"
    )
    replies = await supervisor.presses_data(first_card.message_id, approve)
    assert "狀態剛被變更" in replies[-1].text

    await write_entry(worker, code, "申請結案/除管", "再次評估：已無需要。")
    await card(supervisor, code)
    replies = await supervisor.presses("核准結案")
    assert "目前狀態：已結案" in replies[-1].text
    assert "林督導 結案" in (await worker.last_bot_message()).text

    replies = await worker.says(f"/update {code}")
    assert "已結案，不能再新增紀錄" in replies[-1].text
    assert "✏️ 更新" not in await card(worker, code)

    await card(supervisor, code)
    replies = await supervisor.presses("重新開案")
    assert "目前狀態：處遇中" in replies[-1].text
    replies = await worker.says(f"/update {code}")
    assert "這次是什麼服務" in replies[-1].text
    await worker.says("/cancel")

    async with world.bot_services.db.read() as conn:
        actions = [row.action for row in (await conn.execute(select(audit_log))).all()]
    assert {"case.move.in_service", "case.move.closed"} <= set(actions)
    await worker.says(f"/case {code}")
    history = (await worker.presses("🕒 時間軸"))[-1].text
    for event in ("申請結案", "不同意結案，回到處遇", "結案", "重新開案"):
        assert f"　{event}　林督導" in history or f"　{event}　陳社工" in history


async def test_a_tracked_case_is_closed_only_by_a_conference(
    accepted: tuple[District, str],
) -> None:
    district, code = accepted
    worker, supervisor = district.social_worker, district.supervisor
    await supervisor.says(f"/case {code}")
    await supervisor.presses("📌 列管")
    await supervisor.says("案母持續用毒")
    answer = await worker.says(f"/update {code}")
    await worker.presses("申請結案/除管")
    await worker.presses("今天")
    replies = await worker.says("建議除管：案母已戒癮半年。")
    assert "須由個案研討會決議除管後才能結案" in replies[-1].text
    assert answer
    labels = await card(supervisor, code)
    assert "核准結案" not in labels  # 除管 is the conference's, not a button's
    assert "不同意結案" in labels


async def test_the_lead_moves_a_case_to_follow_up_and_back(accepted: tuple[District, str]) -> None:
    district, code = accepted
    worker = district.social_worker
    await card(worker, code)
    replies = await worker.presses("轉後追")
    assert "目前狀態：後追" in replies[-1].text
    labels = await card(worker, code)
    assert "回到處遇" in labels
    replies = await worker.presses("回到處遇")
    assert "目前狀態：處遇中" in replies[-1].text
    # The referring officer serves the family but does not move its status.
    assert "轉後追" not in await card(district.officer, code)


async def test_an_entry_is_corrected_by_a_new_entry_and_the_original_stays(
    accepted: tuple[District, str], world: World
) -> None:
    district, code = accepted
    worker = district.social_worker
    await write_entry(worker, code, "電訪家庭", "案父已返家。")
    await worker.says(f"/case {code}")
    replies = await worker.presses("🕒 時間軸")
    assert "更正 115/11/24 電訪家庭" in replies[-1].labels
    replies = await worker.presses("更正 115/11/24 電訪家庭")
    assert "原紀錄會保留" in replies[-1].text
    replies = await worker.says("更正：返家的是案舅，不是案父。")
    assert "✅ 已記錄" in replies[-1].text
    await worker.says(f"/case {code}")
    timeline = (await worker.presses("🕒 時間軸"))[-1].text
    assert "電訪家庭　陳社工（中壢家庭服務中心）〔已更正〕：案父已返家。" in timeline
    assert "更正（115/11/24 電訪家庭）　陳社工（中壢家庭服務中心）：更正：返家的是案舅" in timeline
    async with world.bot_services.db.read() as conn:
        rows = (await conn.execute(select(case_entries).order_by(case_entries.c.id))).all()
    assert [r.kind for r in rows] == ["phone_visit", "correction"]
    assert rows[1].corrects_id == rows[0].id

    # Someone else serving the family cannot correct the worker's words.
    await district.officer.says(f"/case {code}")
    replies = await district.officer.presses("🕒 時間軸")
    assert not any(label.startswith("更正") for label in replies[-1].labels)


async def test_a_later_entry_completes_a_next_step(
    accepted: tuple[District, str], world: World
) -> None:
    district, code = accepted
    worker = district.social_worker
    answer = await write_entry(worker, code, "面訪家庭", "案母同意就醫。\n下一步：陪同就醫 11/27")
    assert "下一步「陪同就醫 11/27」" in answer
    await worker.says(f"/update {code}")
    await worker.presses("陪同服務")
    await worker.presses("今天")
    replies = await worker.says("已陪同案母至中壢醫院身心科。")
    assert replies[-1].text == "這筆紀錄完成了之前的下一步嗎？"
    replies = await worker.presses("✓ 已完成：陪同就醫 11/27")
    assert "已標記完成" in replies[-1].text
    async with world.bot_services.db.read() as conn:
        duty = (await conn.execute(select(obligations))).one()
    assert (duty.kind, duty.state) == ("next_step", "done")
    assert duty.done_entry_id is not None
    # Pressing it again is harmless.
    replies = await worker.presses("✓ 已完成：陪同就醫 11/27")
    assert "已經完成或免除" in replies[-1].text


async def test_a_supervisor_excuses_a_visit_window_with_a_reason(
    guishan_suicide_case: tuple[District, str], world: World
) -> None:
    district, code = guishan_suicide_case
    worker, supervisor = district.social_worker, district.supervisor
    await worker.says(f"/case {code}")
    replies = await worker.presses("📋 待辦")
    assert "幸扶守護訪視 第1期" in replies[-1].text
    assert not any(label.startswith("免除") for label in replies[-1].labels)

    await supervisor.says(f"/case {code}")
    replies = await supervisor.presses("📋 待辦")
    assert "免除：幸扶守護訪視 第1期" in replies[-1].labels
    await supervisor.presses("免除：幸扶守護訪視 第1期")
    replies = await supervisor.presses("住院、安置或入監中")
    assert "已免除" in replies[-1].text
    async with world.bot_services.db.read() as conn:
        states = {
            (r.period, r.state, r.waived_reason)
            for r in (await conn.execute(select(obligations))).all()
        }
    assert ("visit-window-1", "waived", "in_care") in states
    # The same button again: nothing more happens.
    replies = await supervisor.presses("住院、安置或入監中")
    assert "已經完成或免除" in replies[-1].text
    await supervisor.says(f"/case {code}")
    history = (await supervisor.presses("🕒 時間軸"))[-1].text
    assert "免除待辦（幸扶守護訪視：住院、安置或入監中）　周督導" in history


async def test_monthly_reports_are_never_excused_from_chat(
    accepted: tuple[District, str],
) -> None:
    district, code = accepted
    supervisor = district.supervisor
    await supervisor.says(f"/case {code}")
    await supervisor.presses("📌 列管")
    await supervisor.says("案母持續用毒")
    with time_machine.travel("2026-12-08 09:00 +0800", tick=True):
        await supervisor.says(f"/case {code}")
        replies = await supervisor.presses("📋 待辦")
    assert "列管月報 115年11月" in replies[-1].text
    assert "⚠️逾期" in replies[-1].text
    assert not any("列管月報" in label for label in replies[-1].labels)


async def test_the_serving_team_decides_who_writes(
    accepted: tuple[District, str], world: World
) -> None:
    district, code = accepted
    supervisor = district.supervisor
    teacher = await active_member(world, Role.WORKER, "school-zhongli", "蔡老師")
    colleague = await active_member(world, Role.WORKER, "police-zhongli", "李警員")
    replies = await teacher.says(f"/update {code}")
    assert "找不到" in replies[-1].text

    await supervisor.says(f"/case {code}")
    replies = await supervisor.presses("👥 服務團隊")
    assert "中壢家庭服務中心（主責）" in replies[-1].text
    await supervisor.presses("➕ 加入服務單位")
    school = next(label for label in (await supervisor.last_bot_message()).labels if "學" in label)
    replies = await supervisor.presses(school)
    assert "已加入服務" in replies[-1].text
    answer = await write_entry(teacher, code, "校園訪視", "孩子到校穩定。")
    assert "✅ 已記錄" in answer

    # The precinct stopped serving: its staff can no longer write; what they wrote stays.
    assert "✅ 已記錄" in await write_entry(colleague, code, "網絡聯繫", "已轉知派出所。")
    await supervisor.says(f"/case {code}")
    team = await supervisor.presses("👥 服務團隊")
    police = next(label for label in team[-1].labels if label.startswith("結束服務"))
    replies = await supervisor.presses(police)
    assert "不能再寫入紀錄" in replies[-1].text
    replies = await colleague.says(f"/update {code}")
    assert "找不到" in replies[-1].text or "沒有在服務" in replies[-1].text
    await district.social_worker.says(f"/case {code}")
    timeline = (await district.social_worker.presses("🕒 時間軸"))[-1].text
    assert "已轉知派出所" in timeline
    assert "結束服務" in timeline

    # Nobody but the center's supervisor changes the team.
    await district.social_worker.says(f"/case {code}")
    replies = await district.social_worker.presses("👥 服務團隊")
    assert replies[-1].labels == []


async def test_caseload_is_one_message_and_a_chart_for_a_bigger_center(
    accepted: tuple[District, str], world: World
) -> None:
    district, code = accepted
    supervisor = district.supervisor
    replies = await supervisor.says("/caseload")
    assert len(replies) == 1
    summary = replies[-1].text
    assert "中壢家庭服務中心 案量" in summary
    assert "每位社工目標 25 案；開案中 1 案" in summary
    assert "陳社工　1 案" in summary
    assert replies[-1].photo is None

    for name in ("甲社工", "乙社工", "丙社工"):
        await active_member(world, Role.CASE_MANAGER, "fsc-zhongli", name)
    replies = await supervisor.says("/caseload")
    assert "甲社工　0 案" in replies[0].text
    assert replies[-1].photo is not None
    assert replies[-1].photo["width"] >= 800

    # The bureau picks a center; a case manager is told the view is not theirs.
    admin = await active_member(world, Role.ADMIN, "sab", "社會局科長")
    await admin.says("/caseload")
    replies = await admin.presses("中壢家庭服務中心")
    assert "陳社工　1 案" in replies[0].text
    replies = await district.social_worker.says("/caseload")
    assert "不能使用這項功能" in replies[-1].text
    async with world.bot_services.db.read() as conn:
        reads = [
            row.subject
            for row in (await conn.execute(select(audit_log))).all()
            if row.action == "case.caseload"
        ]
    assert reads == ["unit:fsc-zhongli"] * 3
    assert code


async def test_bad_dates_and_wrong_cases_get_a_short_answer_and_nothing_is_written(
    accepted: tuple[District, str], world: World
) -> None:
    district, code = accepted
    worker = district.social_worker
    # The case opened today: yesterday is not offered, and typed it is refused before the note.
    await worker.says(f"/update {code}")
    replies = await worker.presses("面訪家庭")
    assert "昨天" not in replies[-1].labels
    await worker.presses("其他日期")
    replies = await worker.says("昨天")
    assert any("日期早於" in r.text for r in replies)
    assert not any("紀錄" in r.text and "請輸入" in r.text for r in replies)
    # A report for a case that is not tracked.
    replies = await worker.says(f"/report {code}")
    assert "不是列管案件" in replies[-1].text
    # The bureau reads, but does not write in case records.
    admin = await active_member(world, Role.ADMIN, "sab", "社會局科長")
    replies = await admin.says(f"/update {code}")
    assert "不能使用這項功能" in replies[-1].text
    # A date from the future, straight at the service (the picker never offers one).
    services = world.bot_services
    referral = await services.referrals.view(await _staff(world, worker), code)
    assert referral is not None
    future = await services.cases.write(
        await _staff(world, worker),
        referral,
        kind=EntryKind.HOME_VISIT,
        entry_date=date(2026, 11, 25),
        note="明天的家訪",
    )
    assert future == "entry.future_date"
    async with services.db.read() as conn:
        assert (await conn.execute(select(case_entries))).all() == []


async def test_two_people_filing_the_same_monthly_report_at_once_make_one_report(
    accepted: tuple[District, str], world: World
) -> None:
    district, code = accepted
    await district.supervisor.says(f"/case {code}")
    await district.supervisor.presses("📌 列管")
    await district.supervisor.says("會議決議列管")
    services = world.bot_services
    worker = await _staff(world, district.social_worker)
    supervisor = await _staff(world, district.supervisor)
    referral = await services.referrals.view(worker, code)
    assert referral is not None
    results = await asyncio.gather(
        services.cases.file_report(
            worker, referral, "2026-11", {"report": "甲", "proposal": "keep"}
        ),
        services.cases.file_report(
            supervisor, referral, "2026-11", {"report": "乙", "proposal": "keep"}
        ),
    )
    assert sorted(isinstance(r, str) for r in results) == [False, True]
    assert "report.already_filed" in results
    async with services.db.read() as conn:
        reports = (
            await conn.execute(select(case_entries).where(case_entries.c.kind == "monthly_report"))
        ).all()
    assert len(reports) == 1


async def _staff(world: World, person: Person) -> Staff:
    found = await world.bot_services.accounts.by_telegram_id(person.user_id)
    assert found is not None
    return found


async def test_those_serving_the_family_reach_its_duties_and_team_and_ids_stay_out(
    accepted: tuple[District, str],
) -> None:
    district, code = accepted
    officer = district.officer
    answer = await write_entry(
        officer, code, "網絡聯繫", "已通報。\n下一步：打給0912345678的阿姨 11/28"
    )
    assert "0912345678" not in answer
    assert "〔已遮蔽〕" in answer
    await officer.says(f"/case {code}")
    replies = await officer.presses("📋 待辦")
    assert "下一步：打給〔已遮蔽〕的阿姨" in replies[-1].text
    assert "免除：下一步：打給〔已遮蔽〕的阿姨 11/28" in replies[-1].labels  # their own promise
    await officer.says(f"/case {code}")
    replies = await officer.presses("👥 服務團隊")
    assert "桃園市政府警察局中壢分局" in replies[-1].text


async def test_a_case_is_found_by_its_number_alone_within_what_i_may_see(
    accepted: tuple[District, str], world: World
) -> None:
    district, code = accepted
    for typed in ("1", "00001", "１"):
        replies = await district.social_worker.says(f"/case {typed}")
        assert replies[-1].text.splitlines()[0].startswith(code), typed
    stranger = await active_member(world, Role.WORKER, "police-bade", "趙警員")
    replies = await stranger.says("/case 1")
    assert "找不到 1" in replies[-1].text


async def test_my_cases_are_mine_and_the_whole_center_is_one_tap_away(
    accepted: tuple[District, str], world: World
) -> None:
    district, code = accepted
    colleague = await active_member(world, Role.CASE_MANAGER, "fsc-zhongli", "張社工")
    replies = await colleague.says("/mycases")
    assert "您目前沒有進行中的轉介或案件" in replies[-1].text  # 陳社工 manages it, not 張社工
    assert "全中心" in replies[-1].labels
    replies = await colleague.presses("全中心")
    assert replies[-1].text.startswith("全中心的案件")
    assert code in replies[-1].text
    replies = await district.social_worker.says("/mycases")
    assert code in replies[-1].text
    assert {"列管", "待受案", "全中心"} <= set(replies[-1].labels)
    replies = await district.social_worker.presses("列管")
    assert "目前沒有列管中的案件" in replies[-1].text
    # /search understands the words on the card: a category, a need, 列管.
    await district.supervisor.says(f"/case {code}")
    await district.supervisor.presses("📌 列管")
    await district.supervisor.says("需跨網絡追蹤")
    for word in ("列管", "兒少高危機"):
        replies = await colleague.says(f"/search {word}")
        assert code in replies[-1].text, word
    replies = await colleague.says("/search 幸扶守護")
    assert "找不到" in replies[-1].text
