"""Transcripts of a case conference's minutes: the organiser confirms who attended (pre-filled
from the answers, one tap to correct), decides each case with the choices of its state and the
follow-up each needs, leaves the rest as they are, and checks a summary before the minutes go
out; the next conference's agenda then lists the kept cases under the previous conference.
"""

from __future__ import annotations

import io

import docx
import pytest
import time_machine
from sqlalchemy import select

from bot.domain.roles import Role
from storage.schema import case_team, obligations, referrals
from tests.e2e.test_meetings import docx_text, download, plan_conference
from tests.e2e.test_referral import CODE, District, refer
from tests.transcript import Person, Said, World, active_member

pytestmark = pytest.mark.e2e

AFTER = "2026-11-25 16:30 +0800"
# Two more families of 中壢, told by the police officer.
STORY_TRACKED = (
    "中壢區張○玲家，案父失業酗酒，家中有4歲幼兒和領有身障手冊的奶奶要照顧，房租遲繳三個月。"
)
STORY_WAITING = "中壢區李○德，獨居長者，鄰居說常常沒吃飯，家裡很髒亂，子女都聯絡不上。"


async def code_of(said: Said) -> str:
    found = CODE.search(said.text)
    assert found, said.text
    return found[0]


async def asked_code(replies: list[Said]) -> str:
    """The case a decision is asked for: 「<code> … 這次會議的決議？」."""
    asking = [r for r in replies if "這次會議的決議" in r.text]
    assert asking, [r.text for r in replies]
    return await code_of(asking[-1])


async def open_conference(person: Person) -> list[Said]:
    await person.says("/meetings")
    labels = (await person.last_bot_message()).labels
    return await person.presses(next(label for label in labels if "個案研討" in label))


@pytest.fixture
async def conference(
    accepted: tuple[District, str], world: World
) -> tuple[District, dict[str, str], dict[str, Person]]:
    """中壢 on 2026-11-24: S01 accepted (untracked), a second family accepted and tracked by
    hand, a third still waiting; a conference the next day, answered by three units."""
    district, joint_code = accepted
    supervisor, officer = district.supervisor, district.officer
    with time_machine.travel("2026-11-24 11:00 +0800", tick=True):
        kept_code = await code_of(await refer(officer, STORY_TRACKED))
        await supervisor.presses("受案")
        await supervisor.presses("陳社工")
        await supervisor.says(f"/case {kept_code}")
        await supervisor.presses("📌 列管")
        await supervisor.says("案父酗酒，需跨網絡追蹤")
        waiting_code = await code_of(await refer(officer, STORY_WAITING))
        people = {
            "teacher": await active_member(world, Role.WORKER, "school-zhongli", "蔡老師"),
            "stand_in": await active_member(world, Role.WORKER, "school-zhongli", "林老師"),
            "nurse": await active_member(world, Role.WORKER, "health-zhongli", "周護理師"),
        }
        await plan_conference(supervisor)
        await officer.presses("出席")
        await people["teacher"].presses("指派代理")
        await people["teacher"].presses("林老師")
        await people["nurse"].presses("請假")
    codes = {"joint": joint_code, "kept": kept_code, "waiting": waiting_code}
    return district, codes, people


async def test_attendance_is_confirmed_then_each_case_gets_the_choices_of_its_state(
    conference: tuple[District, dict[str, str], dict[str, Person]], world: World
) -> None:
    district, codes, _people = conference
    supervisor = district.supervisor
    services = world.bot_services
    with time_machine.travel(AFTER, tick=True):
        await open_conference(supervisor)
        replies = await supervisor.presses("📝 記錄會議紀錄")
        # Attendance first, pre-filled from the answers; the organiser's own center attends.
        card = replies[-1]
        assert "出席情形" in card.text
        assert "✅ 中壢家庭服務中心：出席" in card.labels
        assert "✅ 桃園市政府警察局中壢分局：出席" in card.labels
        assert "🔁 教育局中壢區學校代表：代理出席" in card.labels
        assert "🙏 中壢區衛生所：請假" in card.labels
        assert "⬜ 中壢區公所：缺席" in card.labels
        # The minutes cannot be finished before the attendance is confirmed.
        organiser = await services.accounts.by_telegram_id(supervisor.user_id)
        assert organiser is not None
        (meeting,) = await services.meetings.upcoming_for(organiser)
        assert await services.meetings.record_minutes(organiser, meeting) == (
            "meeting.attendance_unconfirmed"
        )
        # Someone of the district office came without answering: one tap.
        replies = await supervisor.presses("⬜ 中壢區公所：缺席")
        assert "✅ 中壢區公所：出席" in replies[-1].labels
        replies = await supervisor.presses("✅ 出席情形正確，開始記錄決議")
        assert "已確認出席情形" in replies[0].text

        handled: set[str] = set()
        for _ in range(12):
            if "都有決議" in replies[-1].text:
                break
            code = await asked_code(replies)
            labels = replies[-1].labels
            if code == codes["kept"]:
                # Tracked: keep or release; 除管 asks why, and 返回 records nothing.
                assert "（列管中）" in replies[-1].text
                assert labels[:4] == ["持續列管", "除管", "轉介其他單位", "需聯合服務計畫"]
                replies = await supervisor.presses("除管")
                assert "除管的理由" in replies[-1].text
                assert "問題改善、處遇目標達成" in replies[-1].labels
                replies = await supervisor.presses("↩️ 返回")
                assert await asked_code(replies) == code
                replies = await supervisor.presses("持續列管")
            else:
                # Untracked but open: 列管 / 不列管, never 「持續列管」.
                assert code == codes["joint"]
                assert "（未列管）" in replies[-1].text
                assert labels[:4] == ["列管", "不列管", "轉介其他單位", "需聯合服務計畫"]
                # Referring on asks the unit (not the case's own center) ...
                replies = await supervisor.presses("轉介其他單位")
                assert "轉介給哪一個單位" in replies[-1].text
                assert "中壢家庭服務中心" not in replies[-1].labels
                replies = await supervisor.presses("中壢就業服務臺")
                assert f"已記錄 {code}：轉介其他單位：中壢就業服務臺" in replies[0].text
                # ... and a mis-tap is taken back and decided again.
                replies = await supervisor.presses("↩️ 改決議")
                assert "已取消這一案的決議" in replies[0].text
                assert await asked_code(replies) == code
                # A joint plan asks who leads it.
                replies = await supervisor.presses("需聯合服務計畫")
                assert "由哪一個單位主責" in replies[-1].text
                replies = await supervisor.presses("中壢區衛生所")
                assert f"已記錄 {code}：需聯合服務計畫（主責：中壢區衛生所）" in replies[0].text
            handled.add(code)
        assert "都有決議" in replies[-1].text

        # The summary says what the minutes will do before anything is applied.
        replies = await supervisor.presses("✅ 完成紀錄並送出")
        summary = replies[-1].text
        assert "出席 3、代理出席 1、請假 1、缺席" in summary
        assert "列管 0、持續列管 1、除管 0、不列管 0、轉介其他單位 0、聯合服務計畫 1 件" in summary
        assert "有 1 件從本次會議起開始列管" in summary
        async with services.db.read() as conn:
            before = (await conn.execute(select(referrals.c.code, referrals.c.tracked))).all()
        assert dict(before)[codes["joint"]] is False  # nothing applied yet
        replies = await supervisor.presses("↩️ 先不要，再檢查")
        assert "都有決議" in replies[-1].text
        await supervisor.presses("✅ 完成紀錄並送出")
        replies = await supervisor.presses("✅ 確認送出會議紀錄")
        assert "會議紀錄已完成並送給" in replies[0].text
        minutes = replies[-1]

    assert minutes.document is not None
    assert minutes.document["file_name"] == "紀錄_115-11-25_中壢區個案研討會議.docx"
    text = docx_text(await download(world, minutes))
    assert "邀請單位：" in text
    # The organiser's center with its organiser, the office that came unannounced, the police
    # officer who answered 出席; the school sent a stand-in; health excused; labour absent.
    assert "出席：中壢家庭服務中心 林督導、中壢區公所、桃園市政府警察局中壢分局 王警員" in text
    assert "代理出席：教育局中壢區學校代表 林老師（代理 蔡老師）" in text
    assert "請假：中壢區衛生所" in text
    assert "缺席：中壢就業服務臺" in text
    document = docx.Document(io.BytesIO(await download(world, minutes)))
    decisions = {row.cells[0].text: row.cells[2].text for row in document.tables[0].rows[1:]}
    assert decisions == {
        codes["joint"]: "需聯合服務計畫（主責：中壢區衛生所）",
        codes["kept"]: "持續列管",
    }

    async with services.db.read() as conn:
        tracked = dict((await conn.execute(select(referrals.c.code, referrals.c.tracked))).all())
        ids = dict((await conn.execute(select(referrals.c.code, referrals.c.id))).all())
        team = (
            await conn.execute(
                select(case_team.c.unit_id).where(case_team.c.referral_id == ids[codes["joint"]])
            )
        ).scalars()
        team_units = set(team)
        owed = (
            await conn.execute(
                select(obligations.c.referral_id).where(obligations.c.kind == "monthly_report")
            )
        ).scalars()
        owing = set(owed)
    # Only what was meant: the joint plan starts tracking, the kept case stays tracked; the
    # referral still waiting (not on this agenda) owes nothing.
    assert tracked == {codes["joint"]: True, codes["kept"]: True, codes["waiting"]: False}
    assert "health-zhongli" in team_units
    assert ids[codes["waiting"]] not in owing
    assert ids[codes["joint"]] in owing


async def test_the_next_agenda_lists_kept_cases_under_the_previous_conference_with_one_status(
    conference: tuple[District, dict[str, str], dict[str, Person]], world: World
) -> None:
    district, codes, _people = conference
    supervisor = district.supervisor
    with time_machine.travel(AFTER, tick=True):
        await open_conference(supervisor)
        await supervisor.presses("📝 記錄會議紀錄")
        replies = await supervisor.presses("✅ 出席情形正確，開始記錄決議")
        for _ in range(4):
            if "都有決議" in replies[-1].text:
                break
            code = await asked_code(replies)
            replies = await supervisor.presses("持續列管" if code == codes["kept"] else "列管")
        await supervisor.presses("✅ 完成紀錄並送出")
        await supervisor.presses("✅ 確認送出會議紀錄")
    # February: the next conference is planned; January's reports are overdue since 2/5.
    with time_machine.travel("2027-02-10 10:00 +0800", tick=True):
        await supervisor.says("/newmeeting")
        await supervisor.says("116/03/10 14:00")
        await supervisor.says("中壢家庭服務中心2樓會議室")
        await supervisor.presses("不需要")
        await supervisor.presses("中壢家庭服務中心 林督導")
        await supervisor.presses("完成")
        replies = await supervisor.presses("✅ 建立並發出開會通知")
        assert "✅ 已建立" in replies[-1].text
        await supervisor.says("/meetings")
        labels = (await supervisor.last_bot_message()).labels
        await supervisor.presses(next(label for label in labels if "116/03/10" in label))
        replies = await supervisor.presses("📄 議程")
    assert "上次列管案件 2 件（月報逾期 2 件）" in replies[0].text
    data = await download(world, replies[-1])
    assert replies[-1].document is not None
    assert replies[-1].document["file_name"] == "議程_116-03-10_中壢區個案研討會議.docx"
    document = docx.Document(io.BytesIO(data))
    first = {row.cells[0].text: row.cells[4].text for row in document.tables[0].rows[1:]}
    assert set(first) == {codes["joint"], codes["kept"]}
    # Every table that lists a case gives it the same status.
    for table in document.tables:
        for row in table.rows[1:]:
            if row.cells[0].text in first:
                assert row.cells[4].text == first[row.cells[0].text]
    assert "月報逾期" in first[codes["joint"]]
    headings = [p.text for p in document.paragraphs if p.style and p.style.name == "Heading 1"]
    assert [h.split("、", 1)[0] for h in headings] == ["一", "二", "三", "四", "五"]


async def test_the_rest_stay_as_they_are_and_nothing_untracked_starts_owing_reports(
    conference: tuple[District, dict[str, str], dict[str, Person]], world: World
) -> None:
    district, codes, _people = conference
    supervisor = district.supervisor
    with time_machine.travel(AFTER, tick=True):
        await open_conference(supervisor)
        await supervisor.presses("📝 記錄會議紀錄")
        replies = await supervisor.presses("✅ 出席情形正確，開始記錄決議")
        first = await asked_code(replies)
        replies = await supervisor.presses("其餘 1 件維持現狀")
        tracked_other = first != codes["kept"]
        expected = (
            "列管中的 1 件持續列管，未列管的 0 件"
            if tracked_other
            else ("列管中的 0 件持續列管，未列管的 1 件不列管")
        )
        assert expected in replies[-1].text
        replies = await supervisor.presses("確定，其餘維持現狀")
        assert "已記錄 1 件維持現狀" in replies[0].text
        # The case on screen was not part of 「其餘」: it is asked again.
        assert await asked_code(replies) == first
        replies = await supervisor.presses("持續列管" if first == codes["kept"] else "不列管")
        assert "都有決議" in replies[-1].text
        replies = await supervisor.presses("✅ 完成紀錄並送出")
        assert "開始列管" not in replies[-1].text
        replies = await supervisor.presses("✅ 確認送出會議紀錄")
        assert "會議紀錄已完成" in replies[0].text
    async with world.bot_services.db.read() as conn:
        tracked = dict((await conn.execute(select(referrals.c.code, referrals.c.tracked))).all())
        joint_id = (
            await conn.execute(select(referrals.c.id).where(referrals.c.code == codes["joint"]))
        ).scalar_one()
        owed = (
            await conn.execute(
                select(obligations.c.id).where(
                    obligations.c.referral_id == joint_id, obligations.c.kind == "monthly_report"
                )
            )
        ).all()
    assert tracked[codes["kept"]] is True
    assert tracked[codes["joint"]] is False
    assert owed == []
