"""Transcripts: how the first people of a district get into the bot, and who is kept out.

Bootstrap admin → invites a supervisor → supervisor registers, admin approves → supervisor
invites a worker → worker registers and is approved by the supervisor → a stranger is refused →
/lang → a restart in the middle of a registration resumes where the person was.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.domain.roles import Role, StaffStatus
from storage.schema import audit_log
from tests.transcript import Person, Said, World

pytestmark = pytest.mark.e2e


def code_in(message: Said) -> str:
    found = re.search(r"/start (\S+)", message.text)
    assert found, f"no invite code in {message.text!r}"
    return found[1]


async def audit_actions(world: World) -> list[tuple[str, str]]:
    async with world.bot_services.db.read() as conn:
        rows = (await conn.execute(select(audit_log.c.action, audit_log.c.outcome))).all()
    return [(row.action, row.outcome) for row in rows]


async def bootstrap_admin(world: World) -> Person:
    invite = await world.shell_invite(Role.ADMIN)
    chen = await world.person("陳科長")
    await world.register(chen, invite.code, "陳科長")
    return chen


async def test_a_district_team_joins_one_by_one(world: World) -> None:
    # The administrator bootstraps the first account from the shell.
    invite = await world.shell_invite(Role.ADMIN)
    chen = await world.person("陳科長")
    replies = await chen.says(f"/start {invite.code}")
    assert "社會局管理者" in replies[0].text
    assert "顯示名稱" in replies[-1].text
    replies = await chen.says("陳科長")
    assert "註冊完成，帳號已啟用" in replies[-1].text  # a shell invite needs no approval

    # She invites the supervisor of 中壢家庭服務中心.
    replies = await chen.says("/invite")
    assert "家庭服務中心督導" in replies[-1].labels
    await chen.presses("家庭服務中心督導")
    await chen.presses("中壢區")
    replies = await chen.presses("中壢家庭服務中心")
    assert "邀請碼已建立" in replies[-1].text
    supervisor_code = code_in(replies[-1])

    # The supervisor registers; her unit is fixed by the invite, so only her name is asked.
    lin = await world.person("林督導")
    replies = await lin.says(f"/start {supervisor_code}")
    assert "中壢家庭服務中心" in replies[0].text
    replies = await lin.says("林美華 督導")
    assert "已送出申請" in replies[-1].text
    request = await chen.last_bot_message()
    assert "新的註冊申請" in request.text
    assert "林美華 督導" in request.text
    assert request.labels == ["✅ 核准", "❌ 拒絕"]

    # The administrator approves; both sides are told.
    await chen.presses("✅ 核准")
    decided = await chen.last_bot_message()
    assert "已核准" in decided.text
    assert decided.edited
    assert not decided.buttons
    assert "已核准啟用" in (await lin.last_bot_message()).text

    # The supervisor invites a network worker of her districts.
    replies = await lin.says("/invite")
    assert replies[-1].labels == ["網絡單位人員", "家庭服務中心社工"]
    replies = await lin.presses("網絡單位人員")
    worker_code = code_in(replies[-1])

    # The worker registers and picks a unit among those of 中壢區 only.
    wang = await world.person("王警員")
    await wang.says(f"/start {worker_code}")
    replies = await wang.says("王小明")
    assert replies[-1].labels == ["中壢區"]
    replies = await wang.presses("中壢區")
    assert "桃園市政府警察局中壢分局" in replies[-1].labels
    assert "中壢家庭服務中心" not in replies[-1].labels
    replies = await wang.presses("桃園市政府警察局中壢分局")
    assert "已送出申請" in replies[-1].text

    # The supervisor approves in her own chat; the administrator's copy loses its buttons and
    # says who decided.
    copy = await chen.last_bot_message()
    assert "王小明" in copy.text
    assert copy.labels == ["✅ 核准", "❌ 拒絕"]
    await lin.presses("✅ 核准")
    assert "已核准啟用" in (await wang.last_bot_message()).text
    copy = next(m for m in await chen.bot_messages() if m.message_id == copy.message_id)
    assert copy.edited
    assert not copy.buttons
    assert "由 林美華 督導 核准" in copy.text

    # The worker's own account, and the commands his role may use.
    replies = await wang.says("/whoami")
    assert "王小明" in replies[-1].text
    assert "桃園市政府警察局中壢分局" in replies[-1].text
    replies = await wang.says("/help")
    assert "/whoami" in replies[-1].text
    assert "/invite" not in replies[-1].text
    replies = await wang.says("/invite")
    assert "不能使用這項功能" in replies[-1].text

    # A stranger gets one short polite answer, whatever they send.
    stranger = await world.person("路人甲")
    for attempt in ("你好", "/help", "/whoami", "/start"):
        replies = await stranger.says(attempt)
        assert len(replies) == 1
        assert "邀請碼" in replies[0].text

    # The worker switches to English.
    await wang.says("/lang")
    replies = await wang.presses("English")
    assert replies[-1].text == "The interface is now in English."
    replies = await wang.says("/whoami")
    assert "My account" in replies[-1].text
    assert "Network unit staff" in replies[-1].text

    actions = await audit_actions(world)
    assert actions.count(("staff.approve", "allowed")) == 2
    assert ("access.denied", "denied") in actions
    assert ("command.invite_staff", "denied") in actions


async def test_a_restart_in_the_middle_of_registration_resumes(world: World) -> None:
    await bootstrap_admin(world)
    invite = await world.shell_invite(Role.WORKER)
    chang = await world.person("張社工")
    await chang.says(f"/start {invite.code}")
    replies = await chang.says("張志明")
    assert "請選擇您單位所在的行政區" in replies[-1].text

    await world.restart_bot()

    # The buttons from before the restart still work: the draft lived in the database.
    replies = await chang.presses("八德區")
    assert "八德區衛生所" in replies[-1].labels
    # Saying /start again also picks up where he was.
    replies = await chang.says("/start")
    assert "請選擇您單位所在的行政區" in replies[-1].text
    replies = await chang.presses("八德區衛生所")
    assert "註冊完成" in replies[-1].text  # shell invites are approved in advance
    member = await world.bot_services.accounts.by_telegram_id(chang.user_id)
    assert member is not None
    assert member.status is StaffStatus.ACTIVE
    assert member.unit is not None
    assert member.unit.id == "health-bade"


async def test_a_rejected_applicant_is_told_and_kept_out(world: World) -> None:
    chen = await bootstrap_admin(world)
    await chen.says("/invite")
    await chen.presses("會議幕僚（區公所／社會局）")
    await chen.presses("龍潭區")
    replies = await chen.presses("龍潭區公所")
    code = code_in(replies[-1])
    hsu = await world.person("許課員")
    await world.register(hsu, code, "許課員")
    await chen.presses("❌ 拒絕")
    assert "未獲核准" in (await hsu.last_bot_message()).text
    replies = await hsu.says("/help")
    assert replies[-1].text.startswith("您的申請未獲核准")
