"""Transcripts of case work: everyone serving the family records what happened in three taps and
one message; a tracked case's monthly report takes one message and one tap."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from bot.domain.roles import Role
from storage.schema import case_entries, obligations
from tests.e2e.test_referral import District
from tests.transcript import active_member

pytestmark = pytest.mark.e2e


async def test_a_routine_visit_is_three_taps_and_one_message(
    accepted: tuple[District, str],
) -> None:
    district, code = accepted
    worker = district.social_worker
    replies = await worker.says("/update")
    assert "要更新哪一個案件" in replies[-1].text
    await worker.presses(next(label for label in replies[-1].labels if code in label))  # tap 1
    await worker.presses("面訪家庭")  # tap 2
    replies = await worker.presses("今天")  # tap 3
    assert "請輸入面訪家庭紀錄" in replies[-1].text
    replies = await worker.says(
        "案母情緒穩定，孩子已回托嬰中心。案母手機0912-345-678。\n下一步：陪同就醫 12/3"
    )
    assert any("已從紀錄中移除：電話號碼" in r.text for r in replies)
    assert "✅ 已記錄" in replies[-1].text
    assert "下一步「陪同就醫 12/3」期限 115/12/03" in replies[-1].text
    async with district.world.bot_services.db.read() as conn:
        entry = (await conn.execute(select(case_entries))).one()
        owed = (await conn.execute(select(obligations))).all()
    assert b"0912" not in entry.note
    assert [(o.kind, o.due.isoformat()) for o in owed] == [("next_step", "2026-12-03")]

    # The officer's precinct serves the family too: his colleague may record; others may not.
    colleague = await active_member(district.world, Role.WORKER, "police-zhongli", "李警員")
    replies = await colleague.says(f"/update {code}")
    assert "這次是什麼服務" in replies[-1].text
    stranger = await active_member(district.world, Role.WORKER, "police-bade", "趙警員")
    replies = await stranger.says(f"/update {code}")
    assert "找不到" in replies[-1].text

    # The timeline shows the entry, attributed, newest first.
    replies = await worker.says(f"/case {code}")
    replies = await worker.presses("🕒 時間軸")
    assert "面訪家庭　陳社工（中壢家庭服務中心）" in replies[-1].text
    assert "〔已遮蔽〕" in replies[-1].text


async def test_an_impossible_next_step_date_is_asked_again_and_nothing_is_saved(
    accepted: tuple[District, str],
) -> None:
    district, code = accepted
    worker = district.social_worker
    replies = await worker.says(f"/update {code}")
    await worker.presses("電訪家庭")
    await worker.presses("今天")
    for typed, says in (
        ("案母說下週方便。\n下一步：家訪 115/02/30", "日期不存在"),
        ("案母說下週方便。\n下一步：家訪 0/0", "日期不存在"),
        ("案母說下週方便。\n下一步：家訪 200/1/1", "在一年以後"),
        ("案母說下週方便。\n下一步：家訪 115/01/05", "已經過了"),
    ):
        replies = await worker.says(typed)
        assert says in replies[-1].text, typed
        assert "紀錄尚未儲存" in replies[-1].text
    async with district.world.bot_services.db.read() as conn:
        assert (await conn.execute(select(case_entries))).all() == []
    replies = await worker.says("案母說下週方便。\n下一步：家訪 12/10")
    assert "下一步「家訪 12/10」期限 115/12/10" in replies[-1].text


async def test_a_tracked_case_owes_one_monthly_report(accepted: tuple[District, str]) -> None:
    district, code = accepted
    supervisor, worker = district.supervisor, district.social_worker
    await supervisor.says(f"/case {code}")
    await supervisor.presses("📌 列管")
    replies = await supervisor.says("案母持續用毒，需跨網絡追蹤")
    assert "已列管" in replies[-1].text
    replies = await worker.says("/report")
    await worker.presses(next(label for label in replies[-1].labels if code in label))
    replies = await worker.says("1. 家訪兩次 2. 案母已就醫 3. 需衛生局協助戒癮")
    assert replies[-1].labels == ["持續列管", "建議除管"]
    replies = await worker.presses("持續列管")
    assert "已送出" in replies[-1].text
    await worker.says(f"/case {code}")
    timeline = (await worker.presses("🕒 時間軸"))[-1].text
    assert "列管月報　陳社工（中壢家庭服務中心）：1. 家訪兩次" in timeline
    assert "（持續列管）" in timeline
    assert '"proposal"' not in timeline
    # Someone else trying the same month is told it is already in.
    replies = await supervisor.says(f"/report {code}")
    assert "沒有待交的月報" in replies[-1].text


async def test_a_long_paste_split_by_telegram_is_refused_whole_and_nothing_is_saved(
    accepted: tuple[District, str],
) -> None:
    district, code = accepted
    worker = district.social_worker
    await worker.says(f"/update {code}")
    await worker.presses("面訪家庭")
    await worker.presses("今天")
    # The app sends a 5,000-character paste as 4,096 + 904 characters, a moment apart.
    paste = ("案母表示近況穩定，孩子按時上學。" * 320)[:5000]
    first = await worker.says(paste[:4096])
    assert "太長" in first[-1].text
    second = await worker.says(paste[4096:])
    assert "合起來共 5000 字" in second[-1].text
    assert "沒有儲存" in second[-1].text
    async with district.world.bot_services.db.read() as conn:
        assert (await conn.execute(select(case_entries))).all() == []
    # The note, shortened, is still what the bot waits for.
    replies = await worker.says("案母表示近況穩定，孩子按時上學。")
    assert "✅ 已記錄" in replies[-1].text


async def test_a_long_paste_split_by_telegram_never_becomes_a_description(
    accepted: tuple[District, str],
) -> None:
    district, _code = accepted
    officer = district.officer
    await officer.says("/refer")
    paste = ("中壢區，案家三個孩子（3歲、5歲、8歲），媽媽失業，房租遲繳。" * 200)[:5000]
    await officer.says(paste[:4096])
    replies = await officer.says(paste[4096:])
    assert "合起來共 5000 字" in replies[-1].text
    assert not any("我理解的內容" in r.text for r in replies)
    services = district.world.bot_services
    member = await services.accounts.by_telegram_id(officer.user_id)
    assert member is not None
    opened = await services.referrals.open_draft(member)
    assert opened is None or opened.draft.narrative is None


async def test_a_visit_day_can_be_typed_and_is_checked_before_the_note(
    accepted: tuple[District, str],
) -> None:
    district, code = accepted
    worker = district.social_worker
    with time_machine.travel("2026-12-20 10:00 +0800", tick=True):  # a Sunday, 26 days on
        await worker.says(f"/update {code}")
        await worker.presses("面訪家庭")
        replies = await worker.presses("其他日期")
        assert "直接輸入" in replies[-1].text
        assert "11/23" not in str(replies[-1].labels)  # before the case opened: not offered
        replies = await worker.says("下個月")
        assert "看不懂這個日期" in replies[-1].text
        replies = await worker.says("11/20")
        assert "日期早於" in replies[0].text  # before the case opened, and nothing typed lost
        replies = await worker.says("11/25")  # 25 days ago: older than any button, still fine
        assert "請輸入面訪家庭紀錄" in replies[-1].text
        replies = await worker.says("補記：案母情緒穩定。")
        assert "（115/11/25）" in replies[-1].text
        await worker.says(f"/update {code}")
        await worker.presses("電訪家庭")
        await worker.presses("其他日期")
        replies = await worker.says("上週三")
        assert "請輸入電訪家庭紀錄" in replies[-1].text
        replies = await worker.says("電訪。")
        assert "（115/12/09）" in replies[-1].text  # Monday-based weeks: 12/14–20 is this one


async def test_a_note_typed_before_the_day_was_picked_is_kept_and_saved_with_the_day(
    accepted: tuple[District, str],
) -> None:
    district, code = accepted
    worker = district.social_worker
    with time_machine.travel("2026-12-20 10:00 +0800", tick=True):
        await worker.says(f"/update {code}")
        await worker.presses("面訪家庭")
        await worker.presses("其他日期")
        replies = await worker.says("家訪，案母情緒穩定。\n下一步：陪同就醫 12/28")
        assert "已先收下" in replies[-1].text
        replies = await worker.says("11/20")  # before the case opened: asked again, note kept
        assert any("日期早於" in r.text for r in replies)
        replies = await worker.says("12/18")
        assert "✅ 已記錄" in replies[-1].text
        assert "（115/12/18）" in replies[-1].text
        assert "下一步「陪同就醫 12/28」" in replies[-1].text
