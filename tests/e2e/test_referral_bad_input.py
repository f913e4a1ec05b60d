"""Bad input during a referral: a short clear answer, never a traceback, never a half-written
referral."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.domain.roles import Role
from storage.schema import referrals
from tests.e2e.test_referral import refer_rest
from tests.transcript import Person, World, active_member

pytestmark = pytest.mark.e2e

S01 = (
    "中壢區林○華，單親媽媽吸毒，家裡有一個3歲和一個5歲的小孩，"
    "沒有其他親人可以幫忙照顧，最近常常沒去托嬰中心。"
)


@pytest.fixture
async def officer(world: World) -> Person:
    await active_member(world, Role.SUPERVISOR, "fsc-zhongli", "林督導")
    return await active_member(world, Role.WORKER, "police-zhongli", "王警員")


async def referral_count(world: World) -> int:
    async with world.bot_services.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(referrals))).scalar_one())


async def test_a_description_over_the_limit(world: World, officer: Person) -> None:
    await officer.says("/refer")
    replies = await officer.says("家" * 1001)
    assert replies[-1].text == "描述太長了（1001 字，上限 1000 字），請精簡後再傳。"
    replies = await officer.says(S01)
    assert any("我理解的內容" in r.text for r in replies)


async def test_a_sticker_instead_of_text(world: World, officer: Person) -> None:
    await officer.says("/refer")
    replies = await officer.sends({"sticker": "😀"})
    assert replies[-1].text == "請以文字描述，照片或語音無法存入轉介。"


@pytest.mark.parametrize(
    "payload",
    [
        {"photo": True},
        {"voice": True},
        {"location": {"latitude": 24.95, "longitude": 121.22}},
        {"photo": True, "caption": "案家門口"},
    ],
)
async def test_a_photo_voice_note_or_location_is_deleted_for_what_it_may_show(
    world: World, officer: Person, payload: dict[str, object]
) -> None:
    await officer.says("/refer")
    replies = await officer.sends(payload)
    assert replies[-1].text.startswith("目前只收文字")
    sent = [m for m in await officer.chat() if m.sender != "bot"]
    assert sent[-1].deleted


async def test_cancel_asks_before_discarding(world: World, officer: Person) -> None:
    await officer.says("/refer")
    await officer.says(S01)
    replies = await officer.says("/cancel")
    assert "確定要捨棄" in replies[-1].text
    await officer.presses("繼續填寫")
    assert "安全確認" in (await officer.last_bot_message()).text
    await officer.says("/cancel")
    replies = await officer.presses("捨棄草稿")
    assert "已捨棄草稿" in replies[-1].text
    replies = await officer.says("/cancel")
    assert replies[-1].text == "目前沒有進行中的草稿，也沒有等您回覆的問題。"
    assert await referral_count(world) == 0


async def test_a_second_refer_offers_resume_or_discard_and_old_buttons_expire(
    world: World, officer: Person
) -> None:
    await officer.says("/refer")
    await officer.says(S01)
    await officer.presses("✅ 以上都沒有")
    household = await officer.last_bot_message()
    replies = await officer.says("/refer")
    assert "尚未送出的轉介草稿" in replies[-1].text
    assert "家中成員" in replies[-1].text
    await officer.presses("捨棄，重新開始")
    # A button of the discarded draft.
    await officer.presses_data(household.message_id, household.buttons[-1][0]["callback_data"])
    assert officer.alerts[-1] == "這份表單已過期，請重新操作。"
    assert "請用一段話描述" in (await officer.last_bot_message()).text


async def test_an_invalid_national_id_is_asked_again(world: World, officer: Person) -> None:
    await officer.says("/refer")
    await officer.says(S01)
    for button in ("✅ 以上都沒有", "確認", "確認", "確認", "沒有其他單位"):
        await officer.presses(button)
    replies = await officer.says("A123456788")
    assert replies[-1].text.startswith("這個號碼的檢查碼不符")
    replies = await officer.says("12345")
    assert replies[-1].text.startswith("這不像身分證")
    replies = await officer.says("A123456789")
    assert replies[0].text.startswith("已記錄")
    assert "請確認轉介內容" in replies[-1].text
    chat = await officer.chat()
    assert all(m.deleted for m in chat if "A1234567" in m.text)


async def test_a_district_that_does_not_exist_is_asked_with_buttons(
    world: World, officer: Person
) -> None:
    await officer.says("/refer")
    replies = await officer.says("住火星區，獨居老人87歲，中風後行動不便")
    assert "安全確認" in replies[-1].text
    replies = await officer.presses("✅ 以上都沒有")
    assert replies[-1].text == "案家住在哪一區？"
    assert "中壢區" in replies[-1].labels
    assert "火星區" not in replies[-1].labels


async def test_a_category_the_facts_do_not_support_is_explained(
    world: World, officer: Person
) -> None:
    await officer.says("/refer")
    await officer.says("觀音區一名7歲女童，父親有吸毒前科，目前與父親和姑姑同住，學校反映常缺課。")
    await officer.presses("✅ 以上都沒有")
    await officer.presses("略過")  # no family name in the description
    await officer.presses("確認")
    categories = await officer.last_bot_message()
    assert "兒少高危機" in categories.labels
    await officer.presses("兒少高危機")
    assert officer.alerts[-1] == "兒少高危機需家中有未滿6歲兒童。"
    assert "✅ 兒少高危機" not in (await officer.last_bot_message()).labels


async def test_contradictory_ages_are_pointed_out(world: World, officer: Person) -> None:
    await officer.says("/refer")
    replies = await officer.says("中壢區，家中有一名未滿6歲的孩子，今年9歲，媽媽吸毒。")
    assert any("互相矛盾" in r.text for r in replies)
    await officer.presses("✅ 以上都沒有")
    await officer.presses("略過")
    assert "家中成員" in (await officer.last_bot_message()).text


async def test_an_alias_holding_a_phone_or_an_id_keeps_only_the_masked_name(
    world: World, officer: Person
) -> None:
    await officer.says("/refer")
    await officer.says("中壢區，媽媽一個人帶兩個孩子（3歲、8歲），最近經濟很吃緊，房租遲繳兩個月。")
    await officer.presses("✅ 以上都沒有")
    replies = await officer.says("王*0912345678")
    assert any("為保護個資" in r.text for r in replies)
    assert any(r.text == "已遮蔽為：王○" for r in replies)
    chat = await officer.chat()
    assert all(m.deleted for m in chat if "0912345678" in m.text)
    await refer_rest(officer)
    async with world.bot_services.db.read() as conn:
        aliases = [row.alias for row in (await conn.execute(select(referrals))).all()]
    assert aliases == ["王○"]


async def test_an_alias_that_is_not_a_name_is_asked_again(world: World, officer: Person) -> None:
    await officer.says("/refer")
    await officer.says("中壢區，媽媽一個人帶兩個孩子（3歲、8歲），最近經濟很吃緊，房租遲繳兩個月。")
    await officer.presses("✅ 以上都沒有")
    for typed in ("陳小明0912", "王家（電話另給）", "A123456789"):
        replies = await officer.says(typed)
        assert replies[-1].text.startswith("稱呼只能是遮蔽後的姓名"), typed
    replies = await officer.says("陳○美")
    assert "家中成員" in replies[-1].text
