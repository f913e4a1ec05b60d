"""Transcripts of the plan's meetings: a district case conference planned in chat in a few taps,
answered (出席 / 請假 / 代理), its agenda as a message and a DOCX, and minutes whose decisions
start or stop the monthly reports of tracked cases; a liaison meeting with its resolutions; the
bureau's compliance view; `safetynet meetings --at`."""

from __future__ import annotations

import io
import zipfile

import docx
import openpyxl
import pytest
import time_machine
from sqlalchemy import select

from bot.domain.roles import Role
from storage.repositories import referrals as referral_rows
from storage.schema import message_expiries, obligations, referrals
from tests.e2e.test_referral import CODE, S04, District, refer
from tests.processes import json_lines
from tests.transcript import Person, Said, World, active_member

pytestmark = pytest.mark.e2e

SLOT = "11/25（三）14:00"


async def download(world: World, said: Said) -> bytes:
    assert said.document is not None, said.text
    response = await world.http.get(f"/sandbox/files/{said.document['file_id']}")
    response.raise_for_status()
    return response.content


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def all_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode("utf-8", "ignore") for name in archive.namelist())


async def plan_conference(supervisor: Person) -> list[Said]:
    """/newmeeting for 林督導 of 中壢: the series and the district are implied by the center."""
    replies = await supervisor.says("/newmeeting")
    assert "日期和時間" in replies[-1].text
    assert SLOT in replies[-1].labels
    replies = await supervisor.presses(SLOT)
    assert "開會地點" in replies[-1].text
    await supervisor.says("中壢家庭服務中心2樓會議室")
    await supervisor.presses("不需要")
    replies = await supervisor.presses("中壢家庭服務中心 林督導")
    assert "邀請哪些單位" in replies[-1].text
    assert "✅ 桃園市政府警察局中壢分局" in replies[-1].labels
    replies = await supervisor.presses("完成")
    assert "時間：115/11/25 14:00" in replies[-1].text
    return await supervisor.presses("✅ 建立並發出開會通知")


async def begin_minutes(organiser: Person) -> list[Said]:
    """「📝 記錄會議紀錄」: the attendance, pre-filled from the answers, is confirmed as it is."""
    replies = await organiser.presses("📝 記錄會議紀錄")
    assert "出席情形" in replies[-1].text, replies[-1].text
    return await organiser.presses("✅ 出席情形正確，開始記錄決議")


async def send_the_minutes(organiser: Person) -> list[Said]:
    """「完成紀錄」, then the summary is confirmed and the minutes go out."""
    replies = await organiser.presses("✅ 完成紀錄並送出")
    assert "確認會議紀錄" in replies[-1].text, replies[-1].text
    return await organiser.presses("✅ 確認送出會議紀錄")


async def test_a_case_conference_is_planned_answered_and_its_minutes_drive_tracking(
    accepted: tuple[District, str], world: World
) -> None:
    district, code = accepted
    supervisor, officer = district.supervisor, district.officer
    colleague = await active_member(world, Role.WORKER, "police-zhongli", "李警員")
    teacher = await active_member(world, Role.WORKER, "school-zhongli", "蔡老師")
    # The case was tracked by hand before the conference.
    await supervisor.says(f"/case {code}")
    await supervisor.presses("📌 列管")
    await supervisor.says("案母持續用毒")

    found = CODE.search((await refer(officer, S04)).text)
    assert found
    other_code = found[0]
    replies = await plan_conference(supervisor)
    assert "✅ 已建立" in replies[-1].text
    invitation = await officer.last_bot_message()
    assert "開會通知" in invitation.text
    assert invitation.labels == ["出席", "請假", "指派代理"]

    # Answers: one attends, one sends a colleague, the teacher is excused.
    replies = await officer.presses("出席")
    assert "已回覆出席" in replies[-1].text
    await colleague.presses("指派代理")
    replies = await colleague.presses("王警員")
    assert "已指派 王警員 代理出席" in replies[-1].text
    assert "代理出席" in (await officer.last_bot_message()).text
    await teacher.presses("請假")

    # The organiser sees who answered.
    replies = await supervisor.says("/meetings")
    replies = await supervisor.presses(replies[-1].labels[0])
    assert "出席：桃園市政府警察局中壢分局 王警員" in replies[-1].text
    assert "請假：教育局中壢區學校代表 蔡老師" in replies[-1].text
    assert "代理：桃園市政府警察局中壢分局 李警員 → 王警員" in replies[-1].text

    # The agenda, as a message and a DOCX: the case tracked by hand today is not the previous
    # conference's — it is reported to this one as newly tracked.
    replies = await supervisor.presses("📄 議程")
    assert "上次列管案件 0 件" in replies[0].text
    assert "新列管 1 件" in replies[0].text
    data = await download(world, replies[-1])
    async with world.bot_services.db.read() as conn:
        expiring = (await conn.execute(select(message_expiries.c.message_id))).scalars().all()
    assert replies[-1].message_id in expiring  # like any message naming cases
    text = docx_text(data)
    assert code in text
    assert "林○華" in text
    assert "A1234" not in all_xml(data)
    paragraphs = docx.Document(io.BytesIO(data)).paragraphs
    headings = [p.text for p in paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings == [
        "一、前次會議列管案件執行情形報告",
        "二、家庭服務中心報告幸扶守護、兒少高危機、行方不明兒少及共案個案處遇情形",
        "三、個案報告（本次提報及新列管案件）",
        "四、討論重點",
        "五、後續列管處理及回報",
    ]
    # Invited units with their answers so far; the organiser's own center runs it.
    assert "中壢家庭服務中心（主辦）" in text
    assert "桃園市政府警察局中壢分局（出席：王警員；代理：王警員（代理 李警員））" in text
    assert "教育局中壢區學校代表（請假：蔡老師）" in text
    assert replies[-1].document is not None
    assert replies[-1].document["file_name"] == "議程_115-11-25_中壢區個案研討會議.docx"

    # The teacher's unit serves no case on it: the case is left out of their copy.
    await teacher.says("/meetings")
    replies = await teacher.presses((await teacher.last_bot_message()).labels[0])
    replies = await teacher.presses("📄 議程")
    assert "另有 1 件與貴單位無關的案件未列出" in replies[0].text
    assert code not in docx_text(await download(world, replies[-1]))

    # After the meeting: answers are closed; the organiser records the minutes.
    with time_machine.travel("2026-11-25 16:30 +0800", tick=True):
        await teacher.says("/meetings")
        replies = await teacher.presses((await teacher.last_bot_message()).labels[0])
        assert "出席" not in replies[-1].labels
        # The invitation's old button, pressed after the meeting, is refused.
        replies = await teacher.presses("出席")
        assert "會議已經開始或結束" in replies[-1].text
        await supervisor.says("/meetings")
        await supervisor.presses((await supervisor.last_bot_message()).labels[0])
        replies = await begin_minutes(supervisor)
        assert code in replies[-1].text
        # A decision for a case that is not on the agenda (龜山's) is refused at the service;
        # the chat only ever offers agenda cases.
        services = world.bot_services
        organiser = await services.accounts.by_telegram_id(supervisor.user_id)
        assert organiser is not None
        (meeting,) = await services.meetings.upcoming_for(organiser)
        async with services.db.read() as conn:
            elsewhere = await referral_rows.by_code(conn, other_code)
        assert elsewhere is not None
        refused = await services.meetings.decide(organiser, meeting, elsewhere, decision="refer_on")
        assert refused == "meeting.not_on_agenda"
        replies = await supervisor.presses("除管")
        assert "除管的理由" in replies[-1].text
        replies = await supervisor.presses("問題改善、處遇目標達成")
        assert f"已記錄 {code}：除管（問題改善、處遇目標達成）" in replies[0].text
        replies = await send_the_minutes(supervisor)
        assert "會議紀錄已完成並送給" in replies[0].text
        minutes = docx_text(await download(world, replies[-1]))
        assert "除管" in minutes
        assert "王警員" in minutes
        received = await officer.bot_messages()
        assert code in docx_text(await download(world, received[-1]))
        teachers_copy = await download(world, (await teacher.bot_messages())[-1])
        assert code not in docx_text(teachers_copy)  # need to know, in the minutes too
        assert "教育局中壢區學校代表" in docx_text(teachers_copy)
        # Recording twice is refused; nothing changes.
        replies = await supervisor.presses("✅ 確認送出會議紀錄")
        assert "已經完成並送出" in replies[-1].text

    async with world.bot_services.db.read() as conn:
        case = (await conn.execute(select(referrals).where(referrals.c.code == code))).one()
        reports = (
            await conn.execute(select(obligations).where(obligations.c.kind == "monthly_report"))
        ).all()
    assert case.tracked is False
    assert case.tracked_until is not None
    # The month it was released in is still reported, from chat.
    worker = district.social_worker
    replies = await worker.says(f"/report {code}")
    assert "115年11月 月報" in replies[-1].text
    # November's report is still owed (work done before 除管 is reported); nothing after.
    assert [r.period for r in reports] == ["2026-11"]


async def test_a_kept_case_owes_monthly_reports_from_the_conference(
    accepted: tuple[District, str], world: World
) -> None:
    district, code = accepted
    supervisor = district.supervisor
    await plan_conference(supervisor)
    # Two days later the meeting is still there for its minutes (they are due in a week).
    with time_machine.travel("2026-11-27 09:30 +0800", tick=True):
        replies = await supervisor.says("/meetings")
        assert replies[-1].labels[0].startswith("📝 ")
        await supervisor.presses(replies[-1].labels[0])
        replies = await begin_minutes(supervisor)
        # The new referral placed on this conference is on the agenda, not yet tracked.
        assert code in replies[-1].text
        assert "（未列管）" in replies[-1].text
        assert replies[-1].labels[:4] == ["列管", "不列管", "轉介其他單位", "需聯合服務計畫"]
        replies = await supervisor.presses("✅ 完成紀錄並送出")
        assert "還有案件沒有決議" in replies[-1].text
        await supervisor.presses("列管")
        replies = await supervisor.says("請衛生所協助案母戒癮，每月回報就醫情形。")
        assert "已加註說明" in replies[-1].text
        replies = await supervisor.presses("✅ 完成紀錄並送出")
        assert "有 1 件從本次會議起開始列管" in replies[-1].text
        replies = await supervisor.presses("✅ 確認送出會議紀錄")
        minutes = docx_text(await download(world, replies[-1]))
        assert "列管" in minutes
        assert "請衛生所協助案母戒癮" in minutes
    with time_machine.travel("2027-01-10 09:00 +0800", tick=True):
        listing = await world.bot_services.cases.obligations_at(
            __import__("datetime").date(2027, 1, 10)
        )
    periods = sorted(o.period for o in listing if o.kind == "monthly_report")
    assert periods == ["2026-11", "2026-12", "2027-01"]


async def test_bad_meeting_input_gets_a_short_answer(
    accepted: tuple[District, str], world: World
) -> None:
    district, _ = accepted
    supervisor = district.supervisor
    await supervisor.says("/newmeeting")
    for typed, answer in [
        ("2/30 14:00", "沒有這一天"),
        ("明天下午", "看不懂這個時間"),
        ("115/11/20 14:00", "已經過了"),
        ("3026/03/18 14:00", "民國年與西元年"),
    ]:
        replies = await supervisor.says(typed)
        assert answer in replies[-1].text, typed
    await supervisor.says("115/12/02 14:00")
    await supervisor.says("中壢區公所")
    replies = await supervisor.says("http://meet.example.org/abc")
    assert "https://" in replies[-1].text
    await supervisor.says("https://meet.google.com/abc-defg-hij")
    await supervisor.presses("中壢家庭服務中心 林督導")
    await supervisor.presses("完成")
    replies = await supervisor.presses("✅ 建立並發出開會通知")
    assert "不在規定的召開期間內" in replies[-1].text  # December is not a conference month
    # Another at an overlapping time is refused.
    await supervisor.says("/newmeeting")
    replies = await supervisor.says("115/12/02 15:00")
    assert "已有安排" in replies[-1].text
    # A worker cannot plan meetings at all.
    replies = await district.officer.says("/newmeeting")
    assert "不能使用這項功能" in replies[-1].text


async def test_a_liaison_meeting_records_resolutions_for_the_next_agenda(world: World) -> None:
    with time_machine.travel("2026-11-24 10:00 +0800", tick=True):
        clerk = await active_member(world, Role.SECRETARIAT, "office-zhongli", "吳秘書")
        officer = await active_member(world, Role.WORKER, "police-zhongli", "王警員")
        replies = await clerk.says("/newmeeting")
        assert "日期和時間" in replies[-1].text
        await clerk.says("115/11/27 10:00")
        await clerk.says("中壢區公所禮堂")
        await clerk.presses("不需要")
        await clerk.says("中壢區公所 陳區長")
        await clerk.presses("完成")
        replies = await clerk.presses("✅ 建立並發出開會通知")
        assert "✅ 已建立" in replies[-1].text
        assert "開會通知" in (await officer.last_bot_message()).text
    with time_machine.travel("2026-11-27 12:00 +0800", tick=True):
        await clerk.says("/meetings")
        await clerk.presses((await clerk.last_bot_message()).labels[0])
        replies = await begin_minutes(clerk)
        assert "事項／權責單位／期限" in replies[-1].text
        replies = await clerk.says("加強夜間巡邏")
        assert "格式" in replies[-1].text
        replies = await clerk.says("加強學區周邊夜間巡邏／中壢分局／115/12/31")
        assert "已記錄 1 項" in replies[-1].text
        replies = await send_the_minutes(clerk)
        assert "會議紀錄已完成" in replies[0].text
        minutes = docx_text(await download(world, replies[-1]))
        assert "加強學區周邊夜間巡邏" in minutes
        assert "桃園市政府警察局中壢分局" in minutes
    # The owner unit marks it done; the next liaison meeting's agenda says so.
    with time_machine.travel("2027-01-05 10:00 +0800", tick=True):
        replies = await officer.says("/meetings")
        await officer.presses("📌 待辦的列管事項（1）")
        replies = await officer.presses("✓ 已完成：加強學區周邊夜間巡邏")
        assert "已標記完成" in replies[-1].text
    with time_machine.travel("2027-03-01 10:00 +0800", tick=True):
        await clerk.says("/newmeeting")
        await clerk.says("116/04/15 10:00")
        await clerk.says("中壢區公所禮堂")
        await clerk.presses("不需要")
        await clerk.says("中壢區公所 陳區長")
        await clerk.presses("完成")
        await clerk.presses("✅ 建立並發出開會通知")
        await clerk.says("/meetings")
        await clerk.presses((await clerk.last_bot_message()).labels[0])
        replies = await clerk.presses("📄 議程")
        assert "上次會議列管事項 1 項" in replies[0].text
        agenda = docx_text(await download(world, replies[-1]))
        assert "加強學區周邊夜間巡邏（桃園市政府警察局中壢分局，期限 115/12/31）：已完成" in agenda


async def test_compliance_and_the_meetings_listing(
    accepted: tuple[District, str], world: World
) -> None:
    district, _ = accepted
    await plan_conference(district.supervisor)
    admin = await active_member(world, Role.ADMIN, "sab", "社會局科長")
    with time_machine.travel("2026-12-10 10:00 +0800", tick=True):
        replies = await admin.says("/compliance")
        assert "區級個案研討會議" in replies[0].text
        assert replies[-1].document is not None
        assert replies[-1].document["file_name"] == "遵循情形_115年.xlsx"
        data = await download(world, replies[-1])
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        assert sheet is not None
        rows = [[str(c.value) for c in row] for row in sheet.iter_rows(min_row=3)]
        zhongli_nov = next(
            r for r in rows if r[0] == "中壢區" and r[2] == "115年11月" and "個案" in r[1]
        )
        assert zhongli_nov[4] == "已召開"
        assert zhongli_nov[6] == "未送出"
        assert zhongli_nov[10].startswith("會議：115/11/25")  # what a person can check
        bade_nov = next(
            r for r in rows if r[0] == "八德區" and r[2] == "115年11月" and "個案" in r[1]
        )
        assert bade_nov[4] == "未召開"
        replies = await admin.says("/compliance 1999")
        assert "請輸入年份" in replies[-1].text

    (line,) = json_lines(["meetings", "--at", "2026-12-10"], world.settings.var_dir)
    assert line["series"] == "case_conference"
    assert line["held"] == "met"
    assert line["minutes_due"] == "2026-12-02"
    assert line["minutes"] == "missed"
    assert line["referral_cutoff"] == "2026-10-25"


async def test_the_bureau_plans_a_city_liaison_meeting(world: World) -> None:
    with time_machine.travel("2026-11-24 10:00 +0800", tick=True):
        admin = await active_member(world, Role.ADMIN, "sab", "社會局科長")
        replies = await admin.says("/newmeeting")
        assert set(replies[-1].labels) == {"區級個案研討會議", "區級聯繫會議", "府級聯繫會議"}
        replies = await admin.presses("府級聯繫會議")
        assert "日期和時間" in replies[-1].text  # the city-level series asks no district
        await admin.says("115/12/09 14:30")
        await admin.says("市政府6樓大會議室")
        await admin.says("https://meet.google.com/abc-defg-hij")
        await admin.says("桃園市政府 副市長")
        replies = await admin.presses("完成")
        assert "視訊：https://meet.google.com/abc-defg-hij" in replies[-1].text
        replies = await admin.presses("✅ 建立並發出開會通知")
        assert "✅ 已建立" in replies[-1].text
        assert "府級聯繫會議" in replies[-1].text


async def test_a_delegate_is_shown_as_the_one_who_will_attend(world: World) -> None:
    """陳社工 sends 張社工 in her place: the card says so, and 張社工 is not 「未回覆」."""
    with time_machine.travel("2026-11-24 10:00 +0800", tick=True):
        supervisor = await active_member(world, Role.SUPERVISOR, "fsc-zhongli", "林督導")
        chen = await active_member(world, Role.CASE_MANAGER, "fsc-zhongli", "陳社工")
        await active_member(world, Role.CASE_MANAGER, "fsc-zhongli", "張社工")
        await active_member(world, Role.WORKER, "police-zhongli", "王警員")
        await plan_conference(supervisor)
        await chen.presses("指派代理")
        await chen.presses("張社工")
        replies = await supervisor.says("/meetings")
        replies = await supervisor.presses(replies[-1].labels[0])
    card = replies[-1].text
    assert "代理：中壢家庭服務中心 陳社工 → 張社工" in card
    assert "出席：中壢家庭服務中心 張社工（代理 陳社工）" in card
    assert "張社工" not in card.split("未回覆：")[1]


async def test_the_count_of_preselected_units_is_the_count_of_ticks(world: World) -> None:
    with time_machine.travel("2026-11-24 10:00 +0800", tick=True):
        supervisor = await active_member(world, Role.SUPERVISOR, "fsc-zhongli", "林督導")
        replies = await supervisor.says("/newmeeting")
        await supervisor.presses(SLOT)
        await supervisor.says("中壢家庭服務中心2樓會議室")
        await supervisor.presses("不需要")
        replies = await supervisor.presses("中壢家庭服務中心 林督導")
    question = replies[-1]
    ticked = sum(1 for label in question.labels if label.startswith("✅"))
    assert f"已依會議類型預選 {ticked} 個" in question.text
    assert "您的單位一定受邀" in question.text


async def test_only_free_slots_are_offered_and_a_closing_window_offers_the_next(
    world: World,
) -> None:
    with time_machine.travel("2026-11-24 10:00 +0800", tick=True):
        supervisor = await active_member(world, Role.SUPERVISOR, "fsc-zhongli", "林督導")
        await active_member(world, Role.WORKER, "police-zhongli", "王警員")
        await plan_conference(supervisor)  # takes 11/25 14:00
        replies = await supervisor.says("/meetings")
        card = (await supervisor.presses(replies[-1].labels[0]))[-1].text
        assert "提案（轉介）截止：115/10/25（已過" in card  # the cutoff passed: said so
        replies = await supervisor.says("/newmeeting")
        assert SLOT not in replies[-1].labels
    with time_machine.travel("2026-11-30 15:00 +0800", tick=True):
        replies = await supervisor.says("/newmeeting")
        offered = replies[-1].labels
        assert offered, "the last days of a window still offer slots: the next window's"
        assert all(label.startswith(("12/", "1/", "2/", "3/")) for label in offered), offered
