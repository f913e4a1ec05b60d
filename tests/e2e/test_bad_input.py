"""Bad input: short clear answers, never a traceback, nothing written that shouldn't be."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select
from telegram import Update

from bot.clock import utcnow
from bot.domain.roles import Role
from storage.schema import staff
from tests.transcript import Person, World, active_member

pytestmark = pytest.mark.e2e


async def staff_count(world: World) -> int:
    async with world.bot_services.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(staff))).scalar_one())


async def registering(world: World, name: str = "小美") -> Person:
    invite = await world.shell_invite(Role.WORKER)
    person = await world.person(name)
    replies = await person.says(f"/start {invite.code}")
    assert "顯示名稱" in replies[-1].text
    return person


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("王" * 31, "太長"),
        ("王" * 4096, "太長"),
        ("😀😀😀", "需要包含文字"),
        ("\u200b\u200f\u202e", "不能是空白"),
        ("第一行\n第二行", "同一行"),
    ],
)
async def test_a_bad_display_name_is_asked_again(world: World, typed: str, answer: str) -> None:
    person = await registering(world)
    replies = await person.says(typed)
    assert len(replies) == 1
    assert answer in replies[0].text
    member = await world.bot_services.accounts.by_telegram_id(person.user_id)
    assert member is not None
    assert member.display_name is None


async def test_a_10000_character_message_is_refused_piece_by_piece(world: World) -> None:
    person = await registering(world)
    replies = await person.says("王" * 10_000)  # Telegram delivers it as three messages
    assert len(replies) == 3
    assert all("太長" in reply.text for reply in replies)
    member = await world.bot_services.accounts.by_telegram_id(person.user_id)
    assert member is not None
    assert member.display_name is None


async def test_rtl_and_zero_width_characters_are_cleaned_from_a_name(world: World) -> None:
    person = await registering(world)
    await person.says("\u202b王\u200b小美\u202c")
    member = await world.bot_services.accounts.by_telegram_id(person.user_id)
    assert member is not None
    assert member.display_name == "王小美"


async def test_a_sticker_where_text_is_expected(world: World) -> None:
    person = await registering(world)
    replies = await person.sends({"sticker": "😀"})
    assert replies[0].text == "請以文字回覆。"
    assert "顯示名稱" in replies[-1].text


@pytest.mark.parametrize(
    "payload",
    [{"photo": True}, {"location": {"latitude": 24.95, "longitude": 121.22}}, {"voice": True}],
)
async def test_a_photo_location_or_voice_note_is_deleted_even_while_registering(
    world: World, payload: dict[str, object]
) -> None:
    person = await registering(world)
    replies = await person.sends(payload)
    assert replies[-1].text.startswith("目前只收文字")
    assert [m for m in await person.chat() if m.sender != "bot"][-1].deleted


@pytest.mark.parametrize(
    ("code", "answer"),
    [
        ("forged-code-123", "找不到這個邀請碼"),
        ("<b>", "不是有效的邀請碼格式"),
    ],
)
async def test_a_forged_invite_code(world: World, code: str, answer: str) -> None:
    person = await world.person("阿明")
    replies = await person.says(f"/start {code}")
    assert len(replies) == 1
    assert answer in replies[0].text
    assert await staff_count(world) == 0


async def test_an_expired_invite_code(world: World) -> None:
    invite = await world.shell_invite(Role.WORKER)
    person = await world.person("阿明")
    with time_machine.travel(utcnow() + timedelta(days=8)):
        replies = await person.says(f"/start {invite.code}")
    assert "已過期" in replies[-1].text
    assert await staff_count(world) == 0


async def test_a_reused_invite_code(world: World) -> None:
    invite = await world.shell_invite(Role.WORKER)
    first = await world.person("阿明")
    await first.says(f"/start {invite.code}")
    second = await world.person("阿華")
    replies = await second.says(f"/start {invite.code}")
    assert "已經使用過了" in replies[-1].text
    assert await staff_count(world) == 1


async def test_guessing_invite_codes_is_slowed_down_after_five_wrong_ones(world: World) -> None:
    invite = await world.shell_invite(Role.WORKER)
    guesser = await world.person("阿明")
    for attempt in range(5):
        replies = await guesser.says(f"/start abcdefghijkl{attempt:02d}")
        assert "找不到這個邀請碼" in replies[-1].text
    # Even the right code is not checked now.
    replies = await guesser.says(f"/start {invite.code}")
    assert "錯誤次數過多" in replies[-1].text
    assert await staff_count(world) == 0
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        replies = await guesser.says(f"/start {invite.code}")
    assert "顯示名稱" in replies[-1].text
    assert await staff_count(world) == 1


async def test_a_stale_button_says_the_form_expired(world: World) -> None:
    chen = await active_member(world, Role.ADMIN, "sab", "陳科長")
    await chen.says("/lang")
    await chen.presses("English")
    # The district buttons of an old registration step, pressed by someone already active.
    invite = await world.shell_invite(Role.WORKER)
    mei = await world.person("小美")
    await world.register(mei, invite.code, "小美")
    await mei.presses("中壢區")
    await mei.presses("中壢區衛生所")
    await mei.presses("八德區")
    assert mei.alerts[-1] == "這份表單已過期，請重新操作。"


async def test_a_callback_with_unknown_data_is_answered_and_changes_nothing(world: World) -> None:
    chen = await active_member(world, Role.ADMIN, "sab", "陳科長")
    before = await staff_count(world)
    application = world.application
    assert application is not None
    forged = Update.de_json(
        {
            "update_id": 999_999,
            "callback_query": {
                "id": "forged-1",
                "chat_instance": "x",
                "data": "stf:ok:1; DROP TABLE staff",
                "from": {"id": chen.user_id, "is_bot": False, "first_name": "陳科長"},
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": chen.user_id, "type": "private"},
                    "text": "x",
                },
            },
        },
        application.bot,
    )
    await application.process_update(forged)
    assert await staff_count(world) == before


async def test_group_chats_get_no_case_features(world: World) -> None:
    chen = await active_member(world, Role.ADMIN, "sab", "陳科長")
    group = {"id": -100777, "type": "supergroup", "title": "中壢網絡群組"}
    before = await chen.last_message_id()
    await chen.sends({"text": "/whoami", "chat": group})
    await chen.sends({"text": "大家好", "chat": group})
    response = await world.http.get("/sandbox/chats/-100777/messages")
    payload = response.json()
    items = payload["messages"] if isinstance(payload, dict) else payload
    bot_said = [item["text"] for item in items if item["from"] == "bot"]
    assert bot_said == ["本機器人只在私人對話中提供服務，請私訊我。"]
    assert await chen.last_message_id() == before  # nothing in the private chat either


async def test_a_pending_applicant_waits_politely(world: World) -> None:
    await active_member(world, Role.ADMIN, "sab", "陳科長")
    supervisor = await active_member(world, Role.SUPERVISOR, "fsc-bade", "林督導")
    await supervisor.says("/invite")
    replies = await supervisor.presses("家庭服務中心社工")
    code = replies[-1].text.split("/start ")[1].split()[0]
    mei = await world.person("小美")
    await world.register(mei, code, "小美")
    for attempt in ("/help", "哈囉", f"/start {code}"):
        replies = await mei.says(attempt)
        assert replies[-1].text.startswith("您的申請正在等待")


async def test_a_mistyped_command_gets_the_one_it_was_probably_meant_to_be(world: World) -> None:
    worker = await active_member(world, Role.CASE_MANAGER, "fsc-zhongli", "陳社工")
    replies = await worker.says("/mycase")
    assert "您是要 /mycases 嗎？" in replies[-1].text
    replies = await worker.says("/updte TY-115-00001")
    assert "您是要 /update 嗎？" in replies[-1].text
    replies = await worker.says("/xyzzy")
    assert replies[-1].text.startswith("看不懂這個指令。輸入 /help")


async def test_cancel_says_what_it_dropped(world: World) -> None:
    clerk = await active_member(world, Role.SECRETARIAT, "office-zhongli", "吳秘書")
    await clerk.says("/newmeeting")
    replies = await clerk.says("/cancel")
    assert "已取消：會議草稿" in replies[-1].text
    replies = await clerk.says("/cancel")
    assert "目前沒有" in replies[-1].text
