"""Transcripts of referrals: a worker refers a family from a phone, the center decides, and
everyone finds it again — each only what their role allows."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from bot.clock import utcnow
from bot.domain.roles import Role
from handlers.lookup import delete_expired
from storage.schema import audit_log, referrals
from tests.transcript import Person, Said, World, active_member
from tests.unit.test_recognition import SAMPLES

pytestmark = pytest.mark.e2e

S01 = (
    "中壢區林○華，單親媽媽吸毒，家裡有一個3歲和一個5歲的小孩，"
    "沒有其他親人可以幫忙照顧，最近常常沒去托嬰中心。"
)
S06 = "學校輔導老師轉介：國小三年級學生說爸爸喝酒後會打媽媽，也打他，手臂有瘀青。住桃園區。"
S04 = "龜山區王○明家，自殺通報原因未填，但上個月有到區公所申請急難救助。聯絡電話0912-345-678。"
CODE = re.compile(r"TY-115-\d{5}")


@dataclass
class District:
    """中壢: a police officer who refers, the center's supervisor and social worker."""

    world: World
    officer: Person
    supervisor: Person
    social_worker: Person


@pytest.fixture
async def zhongli(world: World) -> AsyncIterator[District]:
    with time_machine.travel("2026-11-24 10:00 +0800", tick=True):
        yield District(
            world=world,
            officer=await active_member(world, Role.WORKER, "police-zhongli", "王警員"),
            supervisor=await active_member(world, Role.SUPERVISOR, "fsc-zhongli", "林督導"),
            social_worker=await active_member(world, Role.CASE_MANAGER, "fsc-zhongli", "陳社工"),
        )


async def refer(person: Person, narrative: str, *, national_id: str | None = None) -> Said:
    """The short way through the form; returns the bot's last message."""
    await person.says("/refer")
    replies = await person.says(narrative)
    taps = 0
    while "請確認轉介內容" not in replies[-1].text:
        labels = replies[-1].labels
        if "略過" in labels and national_id and "身分證" in replies[-1].text:
            replies = await person.says(national_id)
            continue
        for choice in ("✅ 以上都沒有", "確認", "略過", "沒有其他單位"):
            if choice in labels:
                replies = await person.presses(choice)
                taps += 1
                break
        else:
            raise AssertionError(f"unexpected question: {replies[-1].text}")
    replies = await person.presses("✅ 送出轉介")
    assert taps + 1 <= 8, f"{taps + 1} taps"
    return next(r for r in replies if "已送出轉介" in r.text)


async def test_a_worker_refers_a_family_and_the_center_accepts(zhongli: District) -> None:
    officer, supervisor = zhongli.officer, zhongli.supervisor
    replies = await officer.says("/refer")
    assert "請用一段話描述" in replies[-1].text
    replies = await officer.says(S01)
    understood = next(r for r in replies if "我理解的內容" in r.text)
    assert "中壢區" in understood.text
    assert "林○華" in understood.text
    assert "兒少高危機" in understood.text
    # Nothing pointed to danger, so the safety question comes first, answered with one tap.
    assert "安全確認" in replies[-1].text
    assert "兒少被疏忽" in replies[-1].text
    replies = await officer.presses("✅ 以上都沒有")
    taps = 1
    # District and family name came from the description: the next question is the household.
    assert "家中成員" in replies[-1].text
    assert "未滿6歲：2" in replies[-1].labels
    for button in ("確認", "確認", "確認", "沒有其他單位", "略過"):
        await officer.presses(button)
        taps += 1
    summary = await officer.last_bot_message()
    assert "請確認轉介內容" in summary.text
    assert "兒少高危機" in summary.text
    replies = await officer.presses("✅ 送出轉介")
    taps += 1
    assert taps <= 8
    found = CODE.search(replies[-1].text)
    assert found, replies[-1].text
    code = found[0]
    assert "中壢家庭服務中心" in replies[-1].text

    # The supervisor of 中壢家庭服務中心 gets it with the three TWSS decisions.
    notice = await supervisor.last_bot_message()
    assert "新的轉介" in notice.text
    assert code in notice.text
    assert notice.labels == ["受案", "退回", "再轉", "🕒 時間軸"]
    assert "單親媽媽吸毒" in notice.text  # the receiving team sees the description
    await supervisor.presses("受案")
    replies = await supervisor.presses("陳社工")
    assert "已受案" in replies[-1].text
    assert "116年3月" in replies[-1].text  # November's cutoff has passed: March 2027

    told = await officer.last_bot_message()
    assert f"{code} 已由 中壢家庭服務中心 受案" in told.text
    assert "被指派" in (await zhongli.social_worker.last_bot_message()).text
    # The social worker opens the case and its timeline.
    replies = await zhongli.social_worker.says(f"/case {code}")
    assert "個管社工：陳社工" in replies[-1].text
    assert "116年3月" in replies[-1].text
    replies = await zhongli.social_worker.presses("🕒 時間軸")
    timeline = replies[-1].text.splitlines()
    assert timeline[1] == "狀態紀錄"  # no entries yet, then the status history
    assert "受案　林督導（中壢家庭服務中心）" in timeline[2]
    assert "提出轉介　王警員（桃園市政府警察局中壢分局）" in timeline[3]
    # The old decision buttons no longer decide anything.
    await supervisor.presses_data(notice.message_id, notice.buttons[0][0]["callback_data"])
    assert supervisor.alerts[-1] == f"{code} 已經處理過了。"


async def test_the_safety_gate_comes_before_anything_else(zhongli: District) -> None:
    officer = zhongli.officer
    taoyuan_supervisor = await active_member(
        zhongli.world, Role.SUPERVISOR, "fsc-taoyuan", "黃督導"
    )
    await officer.says("/refer")
    replies = await officer.says(S06)
    assert "113" in replies[0].text
    assert "24 小時內" in replies[0].text
    assert "https://ecare.mohw.gov.tw" in replies[0].text
    assert "不能取代通報" in replies[0].text
    await officer.says("/cancel")
    await officer.presses("繼續填寫")
    last = await refer_rest(officer)
    assert "已標示為緊急" in last.text
    notice = await taoyuan_supervisor.last_bot_message()
    assert "緊急轉介" in notice.text
    assert "113" in notice.text


async def refer_rest(person: Person, *, until_summary: bool = False) -> Said:
    """Take the suggested answer at every remaining step (and submit, unless told not to)."""
    replies = [await person.last_bot_message()]
    while "請確認轉介內容" not in replies[-1].text:
        labels = replies[-1].labels
        choice = next(c for c in ("✅ 以上都沒有", "確認", "略過", "沒有其他單位") if c in labels)
        replies = await person.presses(choice)
    if until_summary:
        return replies[-1]
    replies = await person.presses("✅ 送出轉介")
    return replies[-1]


async def test_return_with_a_reason_and_re_referral(zhongli: District) -> None:
    officer, supervisor = zhongli.officer, zhongli.supervisor
    bade = await active_member(zhongli.world, Role.SUPERVISOR, "fsc-bade", "吳督導")
    first = CODE.search((await refer(officer, S01)).text)
    assert first
    await supervisor.presses("退回")
    await supervisor.says("資料不足，請補充照顧者狀況，聯絡 0912-345-678")
    told = await officer.last_bot_message()
    assert f"{first[0]} 被 中壢家庭服務中心 退回" in told.text
    assert "資料不足" in told.text
    assert "0912-345-678" not in told.text  # the reason is redacted too

    second = CODE.search((await refer(officer, S01)).text)
    assert second
    await supervisor.presses("再轉")
    await supervisor.presses("八德家庭服務中心")
    assert "再轉給 八德家庭服務中心" in (await officer.last_bot_message()).text
    notice = await bade.last_bot_message()
    assert second[0] in notice.text
    assert notice.labels == ["受案", "退回", "再轉", "🕒 時間軸"]


async def test_a_double_tap_makes_one_referral(zhongli: District) -> None:
    officer = zhongli.officer
    await officer.says("/refer")
    await officer.says(S01)
    for button in ("✅ 以上都沒有", "確認", "確認", "確認", "沒有其他單位", "略過"):
        await officer.presses(button)
    summary = await officer.last_bot_message()
    submit = summary.buttons[0][0]["callback_data"]
    await officer.presses_data(summary.message_id, submit)
    await officer.presses_data(summary.message_id, submit)
    assert officer.alerts[-1].startswith("這份轉介已經送出了：TY-115-")
    async with zhongli.world.bot_services.db.read() as conn:
        count = (await conn.execute(select(func.count()).select_from(referrals))).scalar_one()
    assert count == 1


async def test_a_co_case_is_found_and_both_sides_told(zhongli: District) -> None:
    world = zhongli.world
    nurse = await active_member(world, Role.WORKER, "health-zhongli", "張護理師")
    first = CODE.search((await refer(zhongli.officer, S01, national_id="A123456789")).text)
    assert first
    second = await refer(nurse, S01.replace("吸毒", "有吸毒"), national_id="a123456789")
    code = CODE.search(second.text)
    assert code
    told = await nurse.last_bot_message()
    assert told.text == f"這個家庭已由 中壢家庭服務中心 服務中，案號 {first[0]}。"
    other_side = await zhongli.officer.last_bot_message()
    assert other_side.text == f"這個家庭已由 中壢家庭服務中心 服務中，案號 {code[0]}。"
    replies = await nurse.says(f"/case {code[0]}")
    assert "共案" in replies[-1].text


async def test_lookup_shows_each_role_only_what_it_may_see(zhongli: District) -> None:
    world = zhongli.world
    code_match = CODE.search((await refer(zhongli.officer, S01)).text)
    assert code_match
    code = code_match[0]
    other_officer = await active_member(world, Role.WORKER, "police-zhongli", "李警員")
    daxi = await active_member(world, Role.SUPERVISOR, "fsc-daxi", "周督導")
    clerk = await active_member(world, Role.SECRETARIAT, "office-zhongli", "區公所承辦")
    admin = await active_member(world, Role.ADMIN, "sab", "社會局")

    for person in (zhongli.officer, zhongli.social_worker, zhongli.supervisor, admin):
        replies = await person.says(f"/case {code.lower()}")
        assert code in replies[-1].text, person.first_name
        assert "林○華" in replies[-1].text
        assert "自動刪除" in replies[-1].text
    for person in (other_officer, daxi, clerk):
        replies = await person.says(f"/case {code}")
        assert replies[-1].text == f"找不到 {code}，或您沒有檢視這個案件的權限。"

    replies = await zhongli.officer.says("/mycases")
    assert code in replies[-1].text
    replies = await zhongli.officer.presses(code)
    assert "轉介等待中" in replies[-1].text
    replies = await other_officer.says("/mycases")
    assert replies[-1].text == "您目前沒有進行中的轉介或案件。"
    for query in ("林○", "中壢區", "中壢", "待分派", code):
        replies = await zhongli.supervisor.says(f"/search {query}")
        assert code in replies[-1].text, query
    replies = await daxi.says("/search 林○")
    assert "找不到符合" in replies[-1].text

    async with world.bot_services.db.read() as conn:
        views = (
            await conn.execute(
                select(audit_log.c.outcome, func.count())
                .where(audit_log.c.action == "case.view")
                .group_by(audit_log.c.outcome)
            )
        ).all()
    assert dict(views.__iter__()) == {"allowed": 5, "denied": 3}


async def test_case_messages_are_deleted_after_thirty_minutes(zhongli: District) -> None:
    world = zhongli.world
    code = CODE.search((await refer(zhongli.officer, S01)).text)
    assert code
    card = (await zhongli.officer.says(f"/case {code[0]}"))[-1]
    application = world.application
    assert application is not None
    assert await delete_expired(application.bot, world.bot_services) == 0
    with time_machine.travel(utcnow() + timedelta(minutes=31)):
        # The card, the supervisor's new-referral notice, which tells the story, and the form:
        # the description as typed, what was understood, the questions, the summary.
        assert await delete_expired(application.bot, world.bot_services) > 2
    chat = await zhongli.officer.chat()
    assert next(m for m in chat if m.message_id == card.message_id).deleted
    for content in (S01, "我理解的內容", "請確認轉介內容", "安全確認", "家中成員"):
        shown = [m for m in chat if content in m.text]
        assert shown, content
        assert all(m.deleted for m in shown), content
    # What stays: the code of what was submitted, and the commands typed.
    assert not next(m for m in chat if "已送出轉介" in m.text).deleted
    notices = [m for m in await zhongli.supervisor.chat() if "新的轉介" in m.text]
    assert notices
    assert all(m.deleted for m in notices)


async def test_identifiers_never_reach_storage_or_any_message(zhongli: District) -> None:
    officer = zhongli.officer
    await officer.says("/refer")
    replies = await officer.says(S04)
    assert any("已從描述中移除：電話號碼" in r.text for r in replies)
    chat = await officer.chat()
    assert all("0912-345-678" not in m.text for m in chat if not m.deleted)
    assert all(m.deleted for m in chat if "0912-345-678" in m.text)
    await refer_rest(officer)
    async with zhongli.world.bot_services.db.read() as conn:
        row = (await conn.execute(select(referrals))).one()
    narrative = zhongli.world.bot_services.referrals.narrative(
        await zhongli.world.bot_services.referrals.by_id(row.id)  # type: ignore[arg-type]
    )
    assert narrative is not None
    assert "0912" not in narrative
    assert "〔已遮蔽〕" in narrative
    assert "自殺通報".encode() not in row.narrative  # encrypted at rest
    for person in (officer, zhongli.supervisor):
        for message in await person.chat():
            assert "0912-345-678" not in message.text or message.deleted


@pytest.mark.parametrize("sample", SAMPLES, ids=[s["id"] for s in SAMPLES])
async def test_each_category_of_the_plan_through_the_chat(
    zhongli: District, sample: dict[str, Any]
) -> None:
    """Every worked example, typed by a worker: the summary shows the plan's categories."""
    officer = zhongli.officer
    expected = sample["expect"]
    await officer.says("/refer")
    replies = await officer.says(sample["text"])
    assert ("113" in replies[0].text) is expected["mandatory_report"]
    if expected["district"] is None:
        assert replies[-1].text == "案家住在哪一區？"
        await officer.presses("中壢區")
    summary = await refer_rest(officer, until_summary=True)
    categories_line = next(
        line for line in summary.text.splitlines() if line.startswith("提報類別：")
    )
    names = {
        "multi_need": "需求多元",
        "immediate_danger": "立即危險",
        "recurrent": "問題重覆",
        "suicide_economic": "幸扶守護",
        "child_high_risk": "兒少高危機",
        "missing_child": "行方不明兒少",
        "co_case": "共案",
    }
    shown = set(categories_line.removeprefix("提報類別：").split("、")) - {"—"}
    assert shown == {names[c] for c in expected["categories"]}
    for secret in expected["redact"]:
        assert all(secret not in m.text for m in await officer.chat() if not m.deleted)
    replies = await officer.presses("✅ 送出轉介")
    assert CODE.search(replies[0].text)


async def test_a_busy_center_lists_its_newest_cases_and_says_over_two_hundred(
    zhongli: District,
) -> None:
    """A center with hundreds of open cases: /mycases shows the newest five and says there
    are over 200 rather than counting them all; the next page is one press away."""
    world = zhongli.world
    supervisor = await world.bot_services.accounts.by_telegram_id(zhongli.supervisor.user_id)
    assert supervisor is not None
    moment = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    async with world.bot_services.db.write() as conn:
        for n in range(1, 206):
            await conn.execute(
                referrals.insert().values(
                    code=f"TY-115-{n:05d}",
                    submission_key=f"busy-{n}",
                    district="中壢區",
                    alias="林○明",
                    categories="",
                    needs="",
                    priority_flags="",
                    serving_units="[]",
                    urgent=False,
                    mandatory_report=False,
                    status="accepted",
                    referrer_id=supervisor.id,
                    center_id="fsc-zhongli",
                    adhoc=False,
                    created_at=moment,
                    updated_at=moment,
                )
            )
    replies = await zhongli.supervisor.says("/mycases")
    listing = replies[-1].text
    assert listing.startswith("我的案件（超過 200 件，第 1 頁）")
    assert "TY-115-00205" in listing
    assert "TY-115-00200" not in listing
    replies = await zhongli.supervisor.presses("下一頁 ▶")
    assert replies[-1].text.startswith("我的案件（超過 200 件，第 2 頁）")
    assert "TY-115-00200" in replies[-1].text
    replies = await zhongli.supervisor.says("/search 林○明")
    assert replies[-1].text.startswith("搜尋「林○明」（超過 200 件，第 1 頁）")
