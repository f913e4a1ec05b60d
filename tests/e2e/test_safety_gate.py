"""Transcripts of the safety gate: every referral either shows danger was recognised or answers
the safety question; any 「有」 is the 113 reminder, urgent, and the supervisor's alert; a report
already made is recorded and named; text that is not a description never starts the form."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from telegram import Update

from bot.domain.roles import Role
from storage.schema import referrals
from tests.e2e.test_referral import CODE, S01, S06, District, refer_rest, zhongli
from tests.transcript import Person, World, active_member

pytestmark = pytest.mark.e2e
__all__ = ["zhongli"]  # the 中壢 fixture of the referral transcripts

# Nothing here names a danger a reader could miss: only the worker knows the rest.
QUIET = "中壢區陳○芳家，媽媽一個人帶兩個孩子（3歲、8歲），最近經濟很吃緊，房租遲繳兩個月。"
REPORTED = (
    "八德區，國小五年級男童說繼父喝醉會拿衣架打他，背上有新的傷痕。"
    "導師今天已通報113，家防中心尚未回覆。"
)


async def referral_count(world: World) -> int:
    async with world.bot_services.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(referrals))).scalar_one())


async def test_nothing_recognised_asks_the_safety_question_first(zhongli: District) -> None:
    officer = zhongli.officer
    await officer.says("/refer")
    replies = await officer.says(QUIET)
    assert not any("先通報，再轉介" in r.text for r in replies)
    question = replies[-1]
    assert "安全確認" in question.text
    for ground in (
        "暴力或虐待",
        "性侵害",
        "獨自在家、沒飯吃",
        "下落不明",
        "身心障礙者受虐",
        "自傷",
    ):
        assert ground in question.text
    assert question.labels[0] == "✅ 以上都沒有"
    replies = await officer.presses("✅ 以上都沒有")
    assert "案家怎麼稱呼" not in replies[-1].text  # the alias came from the description
    summary = await refer_rest(officer, until_summary=True)
    assert "安全確認：沒有" in summary.text
    assert "緊急" not in summary.text
    replies = await officer.presses("✅ 送出轉介")
    assert "已標示為緊急" not in replies[-1].text
    card = await zhongli.supervisor.last_bot_message()
    assert "新的轉介" in card.text
    assert "安全確認：沒有" in card.text


async def test_a_yes_shows_the_gate_marks_urgent_and_alerts_the_supervisor(
    zhongli: District,
) -> None:
    officer, supervisor = zhongli.officer, zhongli.supervisor
    await officer.says("/refer")
    await officer.says(QUIET)
    replies = await officer.presses("⚠️ 兒少疏忽或危險")
    gate = next(r for r in replies if "先通報，再轉介" in r.text)
    assert "24 小時內" in gate.text
    assert "113" in gate.text
    assert gate.labels == ["我已撥 113 通報", "我已上關懷e起來通報"]
    summary = await refer_rest(officer, until_summary=True)
    assert "安全確認：兒少疏忽或危險" in summary.text
    assert "🚨 緊急" in summary.text
    assert "尚未確認通報" in summary.text
    replies = await officer.presses("✅ 送出轉介")
    assert "已標示為緊急" in replies[-1].text
    assert "不能取代通報" in replies[-1].text
    notice = await supervisor.last_bot_message()
    assert "🚨 緊急轉介" in notice.text
    assert "安全確認：兒少疏忽或危險" in notice.text
    assert "尚未確認通報" in notice.text


async def test_recognised_danger_shows_the_gate_and_skips_the_question(
    zhongli: District,
) -> None:
    officer = zhongli.officer
    await officer.says("/refer")
    replies = await officer.says(S06)
    assert "先通報，再轉介" in replies[0].text
    assert not any("安全確認" in r.text for r in replies)
    summary = await refer_rest(officer, until_summary=True)
    assert "安全確認：依描述涉及人身安全" in summary.text
    chat = await officer.chat()
    assert not any("這個家庭有沒有以下任何一種情形" in m.text for m in chat)


async def test_a_report_already_made_is_recorded_and_named(zhongli: District) -> None:
    officer, world = zhongli.officer, zhongli.world
    bade = await active_member(world, Role.SUPERVISOR, "fsc-bade", "吳督導")
    await officer.says("/refer")
    replies = await officer.says(REPORTED)
    gate = replies[0]
    assert "您提到已通報（113）" in gate.text
    assert "不能取代通報" in gate.text
    assert gate.labels == []  # no nagging for a report already made
    summary = await refer_rest(officer, until_summary=True)
    assert "已通報（113）" in summary.text
    assert "尚未確認通報" not in summary.text
    replies = await officer.presses("✅ 送出轉介")
    assert CODE.search(replies[-1].text)
    notice = await bade.last_bot_message()
    assert "已通報（113）" in notice.text
    assert "尚未確認通報" not in notice.text


async def test_reported_on_the_gate_is_recorded_for_the_supervisor(zhongli: District) -> None:
    officer, world = zhongli.officer, zhongli.world
    taoyuan = await active_member(world, Role.SUPERVISOR, "fsc-taoyuan", "黃督導")
    await officer.says("/refer")
    await officer.says(S06)
    replies = await officer.presses("我已上關懷e起來通報")
    assert replies[0].text == "已記錄：已通報（關懷e起來）。這份轉介仍不能取代通報紀錄。"
    assert "案家怎麼稱呼" in replies[-1].text  # and the form goes on where it was
    summary = await refer_rest(officer, until_summary=True)
    assert "已通報（關懷e起來）" in summary.text
    await officer.presses("✅ 送出轉介")
    notice = await taoyuan.last_bot_message()
    assert "🚨 緊急轉介" in notice.text
    assert "已通報（關懷e起來）" in notice.text
    assert await referral_count(world) == 1


async def test_skipping_the_description_still_asks_the_safety_question(
    zhongli: District,
) -> None:
    officer = zhongli.officer
    await officer.says("/refer")
    replies = await officer.presses("略過描述，逐項填寫")
    assert "安全確認" in replies[-1].text
    replies = await officer.presses("⚠️ 長者或身障者受虐")
    assert any("先通報，再轉介" in r.text for r in replies)
    assert replies[-1].text == "案家住在哪一區？"


async def test_filler_never_starts_the_form(zhongli: District) -> None:
    officer, world = zhongli.officer, zhongli.world
    await officer.says("/refer")
    for filler in ("好，謝謝", "你好", "😀😀", "我要轉介"):
        replies = await officer.says(filler)
        assert replies[-1].text.startswith("這看起來不是家庭狀況的描述"), filler
    replies = await officer.says("中壢區")
    assert replies[-1].text.startswith("只收到行政區（中壢區）")
    replies = await officer.says("The mother hits the child every night")
    assert replies[-1].text.startswith("目前只看得懂中文描述")
    # Still waiting for a description: the real one starts the form, with nothing else in it.
    replies = await officer.says(S01)
    assert any("我理解的內容" in r.text for r in replies)
    summary = await refer_rest(officer, until_summary=True)
    assert "謝謝" not in summary.text
    assert await referral_count(world) == 0


async def test_an_open_draft_never_swallows_unrelated_text(zhongli: District) -> None:
    officer = zhongli.officer
    await officer.says("/refer")
    await officer.says(S01)
    await officer.presses("✅ 以上都沒有")
    replies = await officer.says("好，謝謝")
    assert replies[-1].text.startswith("轉介草稿正在等您回答「家中成員」")
    assert not any("已補充" in r.text for r in replies)
    # A real detail is still welcome at any step.
    replies = await officer.says("另外阿公72歲也同住，行動不便。")
    assert any("已補充" in r.text for r in replies)


async def test_a_description_in_two_messages_is_read_as_one(zhongli: District) -> None:
    """Telegram splits a long paste; the danger in the second part still raises the gate."""
    officer = zhongli.officer
    await officer.says("/refer")
    replies = await officer.says("中壢區陳○芳家，媽媽一個人帶兩個孩子（3歲、8歲），")
    assert "安全確認" in replies[-1].text
    replies = await officer.says("爸爸昨晚喝醉拿皮帶抽8歲的哥哥，背上都是一條一條的。")
    assert any("先通報，再轉介" in r.text for r in replies)
    assert any("已補充" in r.text for r in replies)
    # The question asked before is answered by what came after: the form goes on.
    replies = await officer.presses("✅ 以上都沒有")
    assert "安全確認" not in replies[-1].text
    summary = await refer_rest(officer, until_summary=True)
    assert "安全確認：依描述涉及人身安全" in summary.text


async def test_a_description_that_contradicts_itself_errs_on_safety(zhongli: District) -> None:
    officer = zhongli.officer
    await officer.says("/refer")
    replies = await officer.says(
        "中壢區，媽媽說沒有家暴，但小孩說爸爸每天晚上打媽媽，他都躲在衣櫃裡看。"
    )
    assert "先通報，再轉介" in replies[0].text


async def test_a_district_typed_at_the_district_question_answers_it(zhongli: District) -> None:
    officer = zhongli.officer
    await officer.says("/refer")
    await officer.says("獨居阿公87歲，中風後行動不便，送餐常常斷掉，最近跌倒兩次。")
    replies = await officer.presses("✅ 以上都沒有")
    assert replies[-1].text == "案家住在哪一區？"
    replies = await officer.says("中壢")
    assert "案家怎麼稱呼" in replies[-1].text


async def test_a_ground_tapped_after_none_still_raises_the_gate(zhongli: District) -> None:
    officer = zhongli.officer
    await officer.says("/refer")
    await officer.says(QUIET)
    question = await officer.last_bot_message()
    await officer.presses("✅ 以上都沒有")
    # A mis-tap put right on the same question message.
    ground = next(b for row in question.buttons for b in row if b["text"] == "⚠️ 家庭暴力或虐待")
    replies = await officer.presses_data(question.message_id, ground["callback_data"])
    assert any("先通報，再轉介" in r.text for r in replies)
    # 「沒有」 again takes nothing back.
    none = question.buttons[0][0]
    await officer.presses_data(question.message_id, none["callback_data"])
    summary = await refer_rest(officer, until_summary=True)
    assert "安全確認：家庭暴力或虐待" in summary.text
    assert "🚨 緊急" in summary.text


async def test_danger_read_after_a_none_is_what_the_summary_shows(zhongli: District) -> None:
    officer = zhongli.officer
    await officer.says("/refer")
    await officer.says(QUIET)
    await officer.presses("✅ 以上都沒有")
    replies = await officer.says("另外，哥哥說爸爸喝醉會拿皮帶抽他，背上有傷。")
    assert any("先通報，再轉介" in r.text for r in replies)
    summary = await refer_rest(officer, until_summary=True)
    assert "安全確認：依描述涉及人身安全" in summary.text
    assert "安全確認：沒有" not in summary.text


async def test_submit_is_refused_until_the_safety_question_is_answered(
    zhongli: District,
) -> None:
    officer, world = zhongli.officer, zhongli.world
    await officer.says("/refer")
    question = (await officer.says(QUIET))[-1]
    nonce = question.buttons[0][0]["callback_data"].split(":")[1]
    await forged_press(world, officer, question.message_id, f"ref:{nonce}:submit")
    assert "安全確認" in (await officer.last_bot_message()).text  # asked again, not sent
    assert await referral_count(world) == 0


async def test_a_report_tapped_twice_keeps_the_first_answer(zhongli: District) -> None:
    officer = zhongli.officer
    await officer.says("/refer")
    gate = (await officer.says(S06))[0]
    await officer.presses("我已撥 113 通報")
    ecare = next(b for row in gate.buttons for b in row if b["text"] == "我已上關懷e起來通報")
    replies = await officer.presses_data(gate.message_id, ecare["callback_data"])
    assert replies[0].text.startswith("已記錄：已通報（113）")
    forged = ecare["callback_data"].replace(":ecare", ":unspecified")
    await forged_press(zhongli.world, officer, gate.message_id, forged)
    summary = await refer_rest(officer, until_summary=True)
    assert "已通報（113）" in summary.text


async def test_violence_ticked_as_a_need_shows_the_gate_with_its_buttons(
    zhongli: District,
) -> None:
    officer = zhongli.officer
    await officer.says("/refer")
    await officer.says(QUIET)
    await officer.presses("✅ 以上都沒有")
    while "需求（可複選）" not in (await officer.last_bot_message()).text:
        labels = (await officer.last_bot_message()).labels
        await officer.presses(next(c for c in ("確認", "略過") if c in labels))
    replies = await officer.presses("暴力")
    gate = next(r for r in replies if "先通報，再轉介" in r.text)
    assert gate.labels == ["我已撥 113 通報", "我已上關懷e起來通報"]


async def test_self_harm_alone_names_the_suicide_line_too(zhongli: District) -> None:
    officer = zhongli.officer
    await officer.says("/refer")
    await officer.says(QUIET)
    replies = await officer.presses("⚠️ 自傷或傷人")
    gate = next(r for r in replies if "自傷或傷人" in r.text and "1925" in r.text)
    assert "113" in gate.text


async def test_malformed_form_buttons_change_nothing(zhongli: District) -> None:
    officer, world = zhongli.officer, zhongli.world
    await officer.says("/refer")
    question = (await officer.says(QUIET))[-1]
    for data in ("ref:x", "ref:", "ref", "ref:zz:safe", "ref:zz:submit:1:2"):
        await forged_press(world, officer, question.message_id, data)
    assert (await officer.last_bot_message()).message_id == question.message_id
    replies = await officer.presses("✅ 以上都沒有")  # the real draft is untouched
    assert "家中成員" in replies[-1].text or "案家怎麼稱呼" in replies[-1].text


async def forged_press(
    world: World, person: Person, message_id: int, data: str, *, chat_id: int | None = None
) -> None:
    """A press with data no button carries (a forged update), straight into the application;
    perhaps on a message in another person's chat."""
    application = world.application
    assert application is not None
    update = Update.de_json(
        {
            "update_id": 900_000 + message_id,
            "callback_query": {
                "id": f"forged-{message_id}-{data}",
                "chat_instance": "x",
                "data": data,
                "from": {"id": person.user_id, "is_bot": False, "first_name": person.first_name},
                "message": {
                    "message_id": message_id,
                    "date": 0,
                    "chat": {"id": chat_id or person.user_id, "type": "private"},
                    "text": "x",
                },
            },
        },
        application.bot,
    )
    await application.process_update(update)
