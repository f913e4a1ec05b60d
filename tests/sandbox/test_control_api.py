"""The control API: simulated people, their kinds of messages, and what tests can observe.
Every refusal is JSON {"ok": false, "description": ...} with a 4xx status, never a traceback.
"""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from sandbox.client import SandboxClient, SandboxError
from tests.sandbox.support import MEI, Poller

GROUP = {"id": -100123, "type": "supergroup", "title": "社安網 北區"}


def refusal(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["ok"] is False
    assert isinstance(body["description"], str)
    return str(body["description"])


async def test_people_are_created_and_listed(http: httpx.AsyncClient) -> None:
    person = {"id": 1001, "first_name": "小美", "username": "mei", "language_code": "zh-hant"}
    created = await http.post("/sandbox/users", json=person)
    assert created.status_code == 201
    assert created.json()["first_name"] == "小美"
    assert (await http.post("/sandbox/users", json=person)).status_code == 200
    listed = (await http.get("/sandbox/users")).json()
    assert [(u["id"], u["username"]) for u in listed] == [(1001, "mei")]


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/sandbox/users", None, 400),
        ("/sandbox/users", {"first_name": "x"}, 400),
        ("/sandbox/users", {"id": "1001", "first_name": "x"}, 400),
        ("/sandbox/users", {"id": 1001, "first_name": ""}, 400),
        ("/sandbox/messages", None, 400),
        ("/sandbox/messages", {"user_id": 4040, "text": "hi"}, 404),
        ("/sandbox/callbacks", {}, 400),
        ("/sandbox/users/4040/block", None, 404),
        ("/sandbox/bots", {"token": "nope"}, 400),
        ("/sandbox/faults", {"method": "sendMessage"}, 400),
        ("/sandbox/flood", {"enabled": "yes"}, 400),
    ],
)
async def test_bad_control_requests_get_json_errors(
    http: httpx.AsyncClient, path: str, body: dict[str, object] | None, status: int
) -> None:
    refusal(await http.post(path, json=body) if body is not None else await http.post(path), status)


async def test_invalid_json_and_unknown_paths_get_json_errors(http: httpx.AsyncClient) -> None:
    refusal(await http.post("/sandbox/users", content=b"{oops"), 400)
    refusal(await http.get("/sandbox/nothing-here"), 404)
    refusal(await http.put("/sandbox/users"), 405)
    refusal(await http.get("/sandbox/callbacks/123"), 404)
    refusal(await http.get("/sandbox/files/unknown"), 404)


async def test_messages_need_a_bot_and_content(http: httpx.AsyncClient, bot: Bot) -> None:
    await http.post("/sandbox/users", json={"id": MEI, "first_name": "小美"})
    refusal(await http.post("/sandbox/messages", json={"user_id": MEI}), 400)
    refusal(await http.post("/sandbox/messages", json={"user_id": MEI, "text": "  "}), 400)
    both = {"user_id": MEI, "text": "hi", "photo": True}
    refusal(await http.post("/sandbox/messages", json=both), 400)
    unknown_bot = {"user_id": MEI, "text": "hi", "bot": "nobody_bot"}
    refusal(await http.post("/sandbox/messages", json=unknown_bot), 404)


async def test_before_any_bot_exists_messages_are_refused(http: httpx.AsyncClient) -> None:
    await http.post("/sandbox/users", json={"id": MEI, "first_name": "小美"})
    description = refusal(
        await http.post("/sandbox/messages", json={"user_id": MEI, "text": "hi"}), 409
    )
    assert "no bot" in description


async def test_every_kind_of_message_is_a_valid_telegram_update(
    sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    await sandbox.send_message(mei, photo=True, caption="傷口照片")
    await sandbox.send_message(mei, sticker="😀")
    await sandbox.send_message(mei, voice=True)
    await sandbox.send_message(mei, location=(25.0478, 121.5170))
    await sandbox.send_document(mei, "轉介單.pdf", b"%PDF-1.4 fake")
    updates = await Poller(bot).next()
    messages = [u.message for u in updates]
    assert all(m is not None for m in messages)
    photo, sticker, voice, location, document = messages
    assert photo is not None
    assert photo.caption == "傷口照片"
    assert [(p.width, p.height) for p in photo.photo] == [(90, 68), (320, 240)]
    assert sticker is not None
    assert sticker.sticker is not None
    assert sticker.sticker.emoji == "😀"
    assert voice is not None
    assert voice.voice is not None
    assert voice.voice.mime_type == "audio/ogg"
    assert location is not None
    assert location.location is not None
    assert (location.location.latitude, location.location.longitude) == (25.0478, 121.5170)
    assert document is not None
    assert document.document is not None
    assert document.document.mime_type == "application/pdf"

    biggest = photo.photo[-1]
    downloaded = await (await bot.get_file(biggest.file_id)).download_as_bytearray()
    assert bytes(downloaded[:8]) == b"\x89PNG\r\n\x1a\n"
    shown = await sandbox.messages(mei, after=1)
    assert shown[0]["photo"] == {
        "file_id": biggest.file_id,
        "file_size": biggest.file_size,
        "width": 320,
        "height": 240,
    }
    assert shown[0]["text"] == "傷口照片"
    assert shown[1]["sticker"]["emoji"] == "😀"
    assert shown[3]["location"] == {"latitude": 25.0478, "longitude": 121.5170}


async def test_files_are_served_with_their_content_type(
    http: httpx.AsyncClient, sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    content = "名單".encode()
    document = {"file_name": "list.txt", "content_base64": base64.b64encode(content).decode()}
    await sandbox.send_message(mei, document=document)
    [update] = await bot.get_updates()
    assert update.message is not None
    assert update.message.document is not None
    response = await http.get(f"/sandbox/files/{update.message.document.file_id}")
    assert response.headers["content-type"].startswith("text/plain")
    assert response.content == content


async def test_group_messages_carry_the_group_and_the_command_entity(
    sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    me = await bot.get_me()
    sent = await sandbox.send_message(mei, f"/report@{me.username} 急件", chat=GROUP)
    assert sent["chat_id"] == GROUP["id"]
    [update] = await bot.get_updates()
    message = update.message
    assert message is not None
    assert (message.chat.id, message.chat.type, message.chat.title) == (
        -100123,
        "supergroup",
        "社安網 北區",
    )
    assert message.from_user is not None
    assert message.from_user.id == mei
    assert message.entities[0].type == "bot_command"
    assert message.entities[0].length == len(f"/report@{me.username}")
    assert message.parse_entity(message.entities[0]) == f"/report@{me.username}"
    reply = await bot.send_message(GROUP["id"], "收到", reply_to_message_id=sent["message_id"])
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == sent["message_id"]
    [_, shown] = await sandbox.messages(-100123)
    assert shown["reply_to_message_id"] == sent["message_id"]


async def test_a_person_can_reply_to_a_bot_message(
    sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    question = await bot.send_message(mei, "請問地址？")
    await sandbox.send_message(mei, "台北市", reply_to_message_id=question.message_id)
    [update] = await bot.get_updates()
    assert update.message is not None
    assert update.message.reply_to_message is not None
    assert update.message.reply_to_message.text == "請問地址？"


async def test_blocking_is_per_bot_or_for_all(
    http: httpx.AsyncClient, sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    me = await bot.get_me()
    blocked = await sandbox.block(mei, bot=me.username)
    assert blocked["blocked_bots"] == [me.id]
    with pytest.raises(SandboxError) as refused:
        await sandbox.send_message(mei, "hi")
    assert refused.value.status == 409
    await sandbox.unblock(mei)
    await sandbox.send_message(mei, "hi again")


async def test_update_status_tracks_fetching_and_confirming(
    sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    before = await sandbox.updates()
    assert before["pending"] == 0
    sent = await sandbox.send_message(mei, "one")
    assert await sandbox.updates() == {
        "pending": 1,
        "last_update_id": sent["update_id"],
        "last_confirmed": before["last_update_id"],
    }
    with pytest.raises(TimeoutError):
        await sandbox.wait_until_delivered(timeout=0.05)
    polling = asyncio.create_task(bot.get_updates(timeout=2))
    await sandbox.wait_until_delivered(timeout=2)
    await polling
    status = await sandbox.updates()
    assert (status["pending"], status["last_confirmed"]) == (0, before["last_update_id"])
    await bot.get_updates(offset=sent["update_id"] + 1)
    assert (await sandbox.updates())["last_confirmed"] == sent["update_id"]


async def test_messages_after_an_id_and_per_bot_listing(
    sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    first = await bot.send_message(mei, "first")
    await bot.send_message(mei, "second")
    texts = [m["text"] for m in await sandbox.messages(mei, after=first.message_id)]
    assert texts == ["second"]
    me = await bot.get_me()
    assert [m["message_id"] for m in await sandbox.messages(mei, bot=me.username)] == [1, 2, 3]
    assert await sandbox.messages(555) == []  # nobody has written there yet


async def test_a_long_text_goes_out_in_pieces_like_the_telegram_apps(
    sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    words = " ".join(["社安網"] * 2000)  # 7999 characters
    sent = await sandbox.send_message(mei, words)
    assert len(sent["message_ids"]) == 2
    assert sent["message_id"] == sent["message_ids"][-1]
    updates = await bot.get_updates()
    texts = [u.message.text for u in updates if u.message and u.message.text]
    assert len(texts) == 2
    assert all(len(t) <= 4096 for t in texts)
    assert " ".join(texts) == words  # cut at a space, nothing lost

    emoji = "😀" * 2049  # 4098 UTF-16 units: one emoji too many
    pieces = await sandbox.send_message(mei, emoji)
    assert len(pieces["update_ids"]) == 2


async def test_a_blank_text_cannot_be_sent(http: httpx.AsyncClient, bot: Bot, mei: int) -> None:
    body = {"user_id": mei, "text": " \n "}
    assert "message text is empty" in refusal(await http.post("/sandbox/messages", json=body), 400)


async def test_nobody_presses_a_button_in_someone_elses_private_chat(
    sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    await sandbox.create_user(1002, "阿明")
    card = await bot.send_message(
        mei,
        "TY-115-00059",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("開啟", callback_data="rc:1")]]),
    )
    with pytest.raises(SandboxError) as refused:
        await sandbox.send_callback(1002, card.message_id, "rc:1", chat_id=mei)
    assert refused.value.status == 403
    pressed = await sandbox.send_callback(mei, card.message_id, "rc:1")
    assert pressed["callback_query_id"]
