"""Privacy at the edges, as someone trying to break it would go about it: identifiers typed where
they do not belong never reach the database, the audit log or a reply."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from bot.clock import utcnow
from handlers.lookup import delete_expired
from storage.schema import audit_log
from tests.e2e.test_case_work import write_entry
from tests.e2e.test_referral import District
from tests.e2e.test_safety_gate import forged_press
from tests.transcript import Person

pytestmark = pytest.mark.e2e


async def audit_subjects(district: District) -> list[str]:
    async with district.world.bot_services.db.read() as conn:
        rows = (await conn.execute(select(audit_log.c.subject, audit_log.c.detail))).all()
    return [f"{row.subject} {row.detail}" for row in rows]


async def says_with_an_identifier(person: Person, typed: str, identifier: str) -> None:
    replies = await person.says(typed)
    assert "為保護個資" in replies[-1].text
    assert all(identifier not in r.text for r in replies)
    assert all(m.deleted for m in await person.chat() if identifier in m.text)


@pytest.mark.parametrize(
    ("typed", "identifier"),
    [
        ("/case B123456780", "B123456780"),
        ("/case TY-115-00001 A123456789", "A123456789"),
        ("/update A123456789", "A123456789"),
        ("/report A123456789", "A123456789"),
        ("/search 0912345678", "0912345678"),
        ("/search 0912-345-678", "0912-345-678"),
    ],
)
async def test_an_identifier_typed_after_a_command_is_deleted_never_looked_up_or_echoed(
    accepted: tuple[District, str], typed: str, identifier: str
) -> None:
    district, _code = accepted
    await says_with_an_identifier(district.social_worker, typed, identifier)
    subjects = await audit_subjects(district)
    assert all(identifier.replace("-", "") not in s.replace("-", "") for s in subjects)


async def test_what_is_not_a_case_code_is_not_looked_up_and_audited_without_the_text(
    accepted: tuple[District, str],
) -> None:
    district, code = accepted
    replies = await district.social_worker.says("/case 王小明家")
    assert replies[-1].text.startswith("找不到 王小明家")
    replies = await district.social_worker.says(f"/case {code.lower()}")
    assert code in replies[-1].text
    subjects = await audit_subjects(district)
    assert not any("王小明" in s for s in subjects)
    assert any(s.startswith("referral:(not a case code)") for s in subjects)
    assert any(s.startswith(f"referral:{code}") for s in subjects)


async def test_a_press_on_a_message_in_someone_elses_chat_is_refused_and_answers_nobody(
    accepted: tuple[District, str],
) -> None:
    district, code = accepted
    officer, supervisor = district.officer, district.supervisor
    replies = await officer.says(f"/case {code}")
    card = replies[-1]
    before = len(await officer.chat()), len(await supervisor.chat())
    # The admin's forged press of 「rc:…」 on a message in the officer's chat.
    await forged_press(
        district.world, supervisor, card.message_id, f"rc:{code}", chat_id=officer.user_id
    )
    assert (len(await officer.chat()), len(await supervisor.chat())) == before
    async with district.world.bot_services.db.read() as conn:
        rows = (await conn.execute(select(audit_log.c.action, audit_log.c.detail))).all()
    assert any(r.action == "access.denied" and "not_own_chat" in str(r.detail) for r in rows)


async def test_a_referrer_whose_unit_stopped_serving_sees_the_status_and_code_only(
    accepted: tuple[District, str],
) -> None:
    district, code = accepted
    officer, supervisor, worker = district.officer, district.supervisor, district.social_worker
    await write_entry(worker, code, "面訪家庭", "案母情緒穩定。\n下一步：陪同就醫 12/3")
    # While the precinct serves the family, its officer reads the card and the timeline.
    await officer.says(f"/case {code}")
    timeline = (await officer.presses("🕒 時間軸"))[-1].text
    assert "案母情緒穩定" in timeline
    old_card = (await officer.says(f"/case {code}"))[-1]

    await supervisor.says(f"/case {code}")
    team = await supervisor.presses("👥 服務團隊")
    await supervisor.presses(
        next(label for label in team[-1].labels if label.startswith("結束服務"))
    )

    card = (await officer.says(f"/case {code}"))[-1]
    assert code in card.text
    assert "受案" in card.text
    assert "已不再服務" in card.text
    assert "案家" not in card.text
    assert "類別" not in card.text
    assert card.labels == []
    # A button on a card from before is answered with the status alone.
    replies = await officer.presses_data(old_card.message_id, f"rt:{code}")
    assert "案母情緒穩定" not in replies[-1].text
    assert "已不再服務" in replies[-1].text
    listed = (await officer.says("/mycases"))[-1].text
    assert f"{code}　" in listed
    assert "已不再服務" in listed
    assert "中壢區" not in listed.split(code)[1].split("\n")[0]


async def test_a_note_as_typed_and_its_saved_line_expire_and_a_caption_with_a_phone_is_deleted(
    accepted: tuple[District, str],
) -> None:
    district, code = accepted
    worker = district.social_worker
    await write_entry(worker, code, "面訪家庭", "案母說繼父最近比較少喝酒。\n下一步：陪同就醫 12/3")
    application = district.world.application
    assert application is not None
    with time_machine.travel(utcnow() + timedelta(minutes=31)):
        await delete_expired(application.bot, district.world.bot_services)
    chat = await worker.chat()
    for content in ("案母說繼父最近比較少喝酒", "✅ 已記錄"):
        shown = [m for m in chat if content in m.text]
        assert shown, content
        assert all(m.deleted for m in shown), content

    replies = await worker.sends({"photo": True, "caption": "案母新手機 0912 345 678"})
    assert "已將整則訊息刪除" in replies[-1].text
    photos = [m for m in await worker.chat() if m.photo is not None]
    assert photos
    assert all(m.deleted for m in photos)


@pytest.mark.parametrize(
    "data",
    ["rd:", "pg:", "ref:zzz", "stf:ok", "rd:999999999999999999999999:acc", "up:d:1:home_visit:99"],
)
async def test_forged_button_data_is_refused_without_a_traceback(
    accepted: tuple[District, str], data: str, caplog: pytest.LogCaptureFixture
) -> None:
    district, _code = accepted
    supervisor = district.supervisor
    card = (await supervisor.says("/help"))[-1]
    with caplog.at_level("ERROR"):
        await forged_press(district.world, supervisor, card.message_id, data)
        await forged_press(district.world, district.social_worker, card.message_id, data)
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []


async def test_a_message_with_a_phone_that_nobody_asked_for_is_deleted_and_nothing_kept(
    accepted: tuple[District, str],
) -> None:
    district, _code = accepted
    worker = district.social_worker
    replies = await worker.says("案母電話 零九一二三四五六七八")
    assert "已刪除，沒有記錄" in replies[-1].text
    assert all(m.deleted for m in await worker.chat() if "零九一二" in m.text)
