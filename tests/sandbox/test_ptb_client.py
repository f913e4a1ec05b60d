"""The unmodified python-telegram-bot client against the in-process sandbox.
Round trips, the exceptions PTB raises for Telegram's errors, long polling, files and commands.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Conflict, Forbidden
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)
from telegram.request import HTTPXRequest

from sandbox.client import SandboxClient, SandboxError
from sandbox.media import make_png
from tests.sandbox.support import BASE, MEI, OTHER_TOKEN, TOKEN, BotFactory, Poller

NOT_MODIFIED = (
    "Message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def yes_no() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("是", callback_data="yes"),
                InlineKeyboardButton("否", callback_data="no"),
            ]
        ]
    )


async def test_round_trip_from_start_to_deleted_message(sandbox: SandboxClient, bot: Bot) -> None:
    poller = Poller(bot)
    await sandbox.create_user(MEI, "小美", username="mei", language_code="zh-hant")

    sent = await sandbox.send_message(MEI, "/start abc")
    [update] = await poller.next()
    message = update.message
    assert message is not None
    assert update.update_id == sent["update_id"]
    assert message.text == "/start abc"
    assert message.entities == (MessageEntity(MessageEntity.BOT_COMMAND, 0, 6),)
    assert message.from_user is not None
    assert message.from_user.language_code == "zh-hant"
    assert message.chat.type == "private"

    question = await bot.send_message(
        MEI, "<b>需要協助嗎？</b>", parse_mode=ParseMode.HTML, reply_markup=yes_no()
    )
    assert question.message_id == sent["message_id"] + 1  # one sequence for both directions
    [shown] = await sandbox.messages(MEI, after=sent["message_id"])
    assert shown["from"] == "bot"
    assert shown["text"] == "需要協助嗎？"
    assert shown["html"] == "<b>需要協助嗎？</b>"
    assert shown["buttons"] == [
        [{"text": "是", "callback_data": "yes"}, {"text": "否", "callback_data": "no"}]
    ]

    pressed = await sandbox.send_callback(MEI, question.message_id, "yes")
    [update] = await poller.next()
    query = update.callback_query
    assert query is not None
    assert (query.id, query.data) == (pressed["callback_query_id"], "yes")
    assert query.message is not None
    assert query.message.message_id == question.message_id
    assert await query.answer("收到", show_alert=True)
    answer = await sandbox.callback(query.id)
    assert (answer["answered"], answer["text"], answer["show_alert"]) == (True, "收到", True)

    edited = await bot.edit_message_text("好的，已通知社工。", MEI, question.message_id)
    assert isinstance(edited, object)
    [shown] = await sandbox.messages(MEI, after=sent["message_id"])
    assert (shown["text"], shown["edited"], shown["buttons"]) == ("好的，已通知社工。", True, [])

    assert await bot.delete_message(MEI, question.message_id)
    [shown] = await sandbox.messages(MEI, after=sent["message_id"])
    assert shown["deleted"] is True


async def test_pressing_a_button_that_is_not_there_is_refused(
    sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    plain = await bot.send_message(mei, "no buttons")
    with_buttons = await bot.send_message(mei, "pick", reply_markup=yes_no())
    for message_id, data in [
        (with_buttons.message_id, "maybe"),  # no such callback_data
        (plain.message_id, "yes"),  # no keyboard at all
        (999, "yes"),  # no such message
        (1, "yes"),  # the person's own /start
    ]:
        with pytest.raises(SandboxError) as refused:
            await sandbox.send_callback(mei, message_id, data)
        assert refused.value.status == 400
    await bot.delete_message(mei, with_buttons.message_id)
    with pytest.raises(SandboxError):
        await sandbox.send_callback(mei, with_buttons.message_id, "yes")
    assert (await sandbox.updates())["pending"] == 0


async def test_telegram_errors_become_ptb_exceptions(
    sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(mei, "長" * 4097)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "hello?")
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(
            mei,
            "x",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("x", callback_data="d" * 65)]]
            ),
        )
    with pytest.raises(BadRequest, match="Can't parse entities: unsupported start tag"):
        await bot.send_message(mei, "<script>x</script>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(mei, 999)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", mei, 999)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", mei, 1)  # 小美's own /start
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")

    await sandbox.block(mei)
    with pytest.raises(Forbidden, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(mei, "are you there?")
    await sandbox.unblock(mei)
    assert (await bot.send_message(mei, "welcome back")).text == "welcome back"


async def test_editing_to_the_same_content_is_not_modified(bot: Bot, mei: int) -> None:
    message = await bot.send_message(mei, "<i>same</i>", parse_mode="HTML", reply_markup=yes_no())
    with pytest.raises(BadRequest) as caught:
        await bot.edit_message_text(
            "<i>same</i>", mei, message.message_id, parse_mode="HTML", reply_markup=yes_no()
        )
    assert caught.value.message == NOT_MODIFIED
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(mei, message.message_id, reply_markup=yes_no())
    # Same words, different formatting: that is a modification.
    await bot.edit_message_text("same", mei, message.message_id, reply_markup=yes_no())
    removed = await bot.edit_message_reply_markup(mei, message.message_id)
    assert isinstance(removed, object)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(mei, message.message_id)


async def test_a_callback_query_can_be_answered_only_once(
    sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    message = await bot.send_message(mei, "pick", reply_markup=yes_no())
    pressed = await sandbox.send_callback(mei, message.message_id, "no")
    assert await bot.answer_callback_query(pressed["callback_query_id"])
    with pytest.raises(BadRequest, match="Query is too old and response timeout expired"):
        await bot.answer_callback_query(pressed["callback_query_id"])


async def test_long_polling_returns_as_soon_as_a_message_arrives(
    sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    started = time.monotonic()
    polling = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.05)
    assert not polling.done()
    await sandbox.send_message(mei, "在嗎？")
    [update] = await asyncio.wait_for(polling, 2)
    assert update.message is not None
    assert update.message.text == "在嗎？"
    assert time.monotonic() - started < 1.5


async def test_long_polling_times_out_empty(bot: Bot, mei: int) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 2


async def test_a_second_poller_terminates_the_first(bot: Bot, mei: int) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(bot.get_updates(timeout=0))
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 2)
    assert await second == ()


async def test_offset_confirms_and_negative_offset_forgets(
    sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    for text in ("one", "two", "three"):
        await sandbox.send_message(mei, text)
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["one", "two", "three"]
    again = await bot.get_updates(offset=updates[1].update_id)
    assert [u.update_id for u in again] == [updates[1].update_id, updates[2].update_id]
    status = await sandbox.updates()
    assert status["last_confirmed"] == updates[0].update_id
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == [updates[2].update_id]
    assert (await sandbox.updates())["last_confirmed"] == updates[1].update_id
    assert await bot.get_updates(limit=1, offset=updates[2].update_id + 1) == ()


async def test_two_bots_keep_separate_chats(sandbox: SandboxClient, make_bot: BotFactory) -> None:
    await sandbox.register_bot(TOKEN, username="intake_bot")
    await sandbox.register_bot(OTHER_TOKEN, username="referral_bot")
    intake, referral = await make_bot(TOKEN), await make_bot(OTHER_TOKEN)
    await sandbox.create_user(MEI, "小美")

    to_intake = await sandbox.send_message(MEI, "/start", bot="intake_bot")
    to_referral = await sandbox.send_message(MEI, "/help@referral_bot", bot="referral_bot")
    assert to_intake["message_id"] == to_referral["message_id"] == 1

    [intake_update] = await intake.get_updates()
    [referral_update] = await referral.get_updates()
    assert intake_update.message is not None
    assert referral_update.message is not None
    assert intake_update.message.text == "/start"
    assert referral_update.message.text == "/help@referral_bot"
    assert referral_update.message.entities[0].length == len("/help@referral_bot")

    await intake.send_message(MEI, "intake here")
    assert [m["text"] for m in await sandbox.messages(MEI, bot="intake_bot")] == [
        "/start",
        "intake here",
    ]
    assert [m["text"] for m in await sandbox.messages(MEI, bot="referral_bot")] == [
        "/help@referral_bot"
    ]
    # The default bot is the first one that appeared.
    assert [m["text"] for m in await sandbox.messages(MEI)][-1] == "intake here"


async def test_documents_round_trip_byte_for_byte(
    sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    content = bytes(range(256)) * 64 + "社安網\r\n--boundary--\r\n".encode()
    message = await bot.send_document(mei, content, filename="個案摘要.pdf", caption="摘要")
    document = message.document
    assert document is not None
    assert (document.file_name, document.mime_type, document.file_size) == (
        "個案摘要.pdf",
        "application/pdf",
        len(content),
    )
    assert document.file_unique_id

    telegram_file = await bot.get_file(document.file_id)
    assert bytes(await telegram_file.download_as_bytearray()) == content
    assert await sandbox.file(document.file_id) == content

    [shown] = await sandbox.messages(mei, after=1)
    assert shown["text"] == "摘要"
    assert shown["document"] == {
        "file_id": document.file_id,
        "file_name": "個案摘要.pdf",
        "mime_type": "application/pdf",
        "file_size": len(content),
    }

    again = await bot.send_document(mei, document.file_id)
    assert again.document is not None
    assert again.document.file_id == document.file_id


async def test_photos_get_their_real_size(sandbox: SandboxClient, bot: Bot, mei: int) -> None:
    png = make_png(40, 30)
    message = await bot.send_photo(mei, png, caption="<b>照片</b>", parse_mode="HTML")
    [size] = message.photo
    assert (size.width, size.height, size.file_size) == (40, 30, len(png))
    assert message.caption == "照片"
    assert await sandbox.file(size.file_id) == png
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(mei, b"not an image")
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(mei, "no-such-file-id")


async def test_a_persons_document_can_be_fetched_by_the_bot(
    sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    await sandbox.send_document(mei, "表單.csv", "姓名,電話\n".encode(), caption="填好了")
    [update] = await bot.get_updates()
    assert update.message is not None
    document = update.message.document
    assert document is not None
    assert (document.file_name, document.mime_type, update.message.caption) == (
        "表單.csv",
        "text/csv",
        "填好了",
    )
    data = await (await bot.get_file(document.file_id)).download_as_bytearray()
    assert data.decode() == "姓名,電話\n"


async def test_commands_are_stored_per_scope(sandbox: SandboxClient, bot: Bot, mei: int) -> None:
    everyone = [BotCommand("start", "開始"), BotCommand("help", "說明")]
    private = [BotCommand("report", "通報")]
    assert await bot.set_my_commands(everyone)
    assert await bot.set_my_commands(private, scope=BotCommandScopeAllPrivateChats())
    assert await bot.set_my_commands([BotCommand("case", "個案")], scope=BotCommandScopeChat(mei))
    assert await bot.get_my_commands() == tuple(everyone)
    assert await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats()) == tuple(private)
    assert await bot.delete_my_commands(scope=BotCommandScopeChat(mei))
    assert await bot.get_my_commands(scope=BotCommandScopeChat(mei)) == ()
    [shown] = await sandbox.bots()
    assert set(shown["commands"]) == {"default", "all_private_chats"}
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_profile_settings_and_chat_helpers(bot: Bot, mei: int) -> None:
    assert await bot.send_chat_action(mei, ChatAction.TYPING)
    chat = await bot.get_chat(mei)
    assert (chat.id, chat.type, chat.first_name, chat.username) == (mei, "private", "小美", "mei")
    assert await bot.set_my_description("社安網協作機器人")
    assert (await bot.get_my_description()).description == "社安網協作機器人"
    assert await bot.set_my_short_description("協作")
    assert (await bot.get_my_short_description()).short_description == "協作"
    assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    assert (await bot.get_chat_menu_button()).type == "commands"
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("", 0)
    assert await bot.delete_webhook(drop_pending_updates=True)


async def test_an_application_with_handlers_answers_like_in_production(
    sandbox: SandboxClient, transport: httpx.ASGITransport, mei: int
) -> None:
    """PTB's own Updater and CommandHandler/CallbackQueryHandler, untouched, drive the bot."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"你好 {context.args}", reply_markup=yes_no())

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("ok")
        await query.edit_message_text(f"你選了 {query.data}")

    application: Application = (  # type: ignore[type-arg]
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{BASE}/bot")
        .base_file_url(f"{BASE}/file/bot")
        .request(HTTPXRequest(httpx_kwargs={"transport": transport}))
        .get_updates_request(HTTPXRequest(httpx_kwargs={"transport": transport}))
        .job_queue(None)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(pressed))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            sent = await sandbox.send_message(mei, "/start case42")
            reply = await sandbox.wait_for_bot_message(mei, after=sent["message_id"])
            assert reply["text"] == "你好 ['case42']"
            pressed_button = await sandbox.send_callback(mei, reply["message_id"], "yes")
            for _ in range(200):
                [shown] = await sandbox.messages(mei, after=sent["message_id"])
                if shown["edited"]:
                    break
                await asyncio.sleep(0.01)
            assert shown["text"] == "你選了 yes"
            answer = await sandbox.callback(pressed_button["callback_query_id"])
            assert answer["text"] == "ok"
        finally:
            await application.updater.stop()
            await application.stop()


async def test_set_my_name_renames_the_bot_for_everyone(bot: Bot) -> None:
    assert await bot.set_my_name("社安網協作機器人")
    assert (await bot.get_me()).first_name == "社安網協作機器人"
    assert (await bot.get_my_name()).name == "社安網協作機器人"
    assert await bot.set_my_name("Safety Net", language_code="en")
    assert (await bot.get_my_name(language_code="en")).name == "Safety Net"
    assert (await bot.get_me()).first_name == "社安網協作機器人"
