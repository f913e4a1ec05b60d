"""The Bot API methods the sandbox implements, each acting on the World like Telegram would.
Arguments arrive already checked against api.json; these add Telegram's semantic rules and limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sandbox.botapi import (
    ApiError,
    ApiSpec,
    Markup,
    Upload,
    bad_request,
    parse_reply_markup,
)
from sandbox.entities import (
    EntityListError,
    check_entities,
    detect_entities,
    finish_text,
    utf16_len,
)
from sandbox.html import EntityParseError, parse_html
from sandbox.media import guess_mime, image_size
from sandbox.state import Bot, Conversation, StoredFile, StoredMessage, Webhook, World

__all__ = ["HANDLERS", "Call", "Reply", "flood_limited"]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
MAX_UPLOAD = 50 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024
MAX_POLL_TIMEOUT = 50  # Telegram caps long polling at about 50 seconds

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclass
class Call:
    world: World
    bot: Bot
    args: dict[str, Any]
    spec: ApiSpec


@dataclass
class Reply:
    """A result with the optional top-level description some methods carry (setWebhook)."""

    result: Any
    description: str | None = None


Handler = Callable[[Call], Awaitable[Any]]
HANDLERS: dict[str, Handler] = {}


def _method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler

    return register


def flood_limited(method: str) -> bool:
    """Whether a method posts into a chat and so counts against the flood limits."""
    return method.startswith(("send", "edit", "copy", "forward")) and method != "sendChatAction"


# --- shared rules ---------------------------------------------------------------------------


def _conversation(call: Call, *, sending: bool) -> Conversation:
    chat_id = call.args.get("chat_id")
    if chat_id is None:
        raise bad_request("chat_id is empty")
    if not isinstance(chat_id, int):
        # Only public channels and supergroups have @usernames; the sandbox has none.
        raise bad_request("chat not found")
    conversation = call.bot.conversation(chat_id)
    if conversation is None:
        raise bad_request("chat not found")
    if sending and chat_id > 0:
        user = call.world.users.get(chat_id)
        if user is not None and user.has_blocked(call.bot.id):
            raise ApiError(403, "Forbidden: bot was blocked by the user")
    return conversation


def _formatted(
    text: str, parse_mode: str | None, entities: object | None
) -> tuple[str, list[dict[str, Any]], str | None, str | None]:
    """(plain text, entities, html as sent, parse_mode) after Telegram's parsing and trimming."""
    html: str | None = None
    mode: str | None = None
    if entities is not None:
        try:
            found = check_entities(entities, text)
        except EntityListError as exc:
            raise bad_request(str(exc)) from None
        plain = text
    elif parse_mode:
        mode = parse_mode
        if parse_mode.lower() == "html":
            try:
                plain, found = parse_html(text)
            except EntityParseError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
            html = text
        elif parse_mode.lower() in ("markdown", "markdownv2"):
            raise ApiError(
                400, f"Bad Request: the sandbox does not implement parse_mode {parse_mode}"
            )
        else:
            raise bad_request("unsupported parse_mode")
    else:
        plain, found = text, []
    plain, found = finish_text(plain, found)
    return plain, found, html, mode


def _message_text(args: dict[str, Any]) -> tuple[str, list[dict[str, Any]], str | None, str | None]:
    text, found, html, mode = _formatted(
        args.get("text", ""), args.get("parse_mode"), args.get("entities")
    )
    if not text:
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text, detect_entities(text, found), html, mode


def _caption(
    args: dict[str, Any],
) -> tuple[str | None, list[dict[str, Any]], str | None, str | None]:
    raw = args.get("caption")
    if raw is None:
        return None, [], None, None
    text, found, html, mode = _formatted(raw, args.get("parse_mode"), args.get("caption_entities"))
    if utf16_len(text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    if not text:
        return None, [], None, None
    return text, detect_entities(text, found), html, mode


def _markup(call: Call, *, inline_only: bool = False) -> Markup | None:
    raw = call.args.get("reply_markup")
    if raw is None:
        return None
    markup = parse_reply_markup(call.spec, raw)
    if inline_only and markup.inline is None:
        raise bad_request("inline keyboard expected")
    return markup


def _reply_target(call: Call, conversation: Conversation) -> StoredMessage | None:
    params = call.args.get("reply_parameters")
    if not isinstance(params, dict):
        return None
    message_id = params.get("message_id")
    target = conversation.messages.get(message_id) if isinstance(message_id, int) else None
    if target is None or target.deleted:
        if params.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")
    return target


def _post(
    call: Call, conversation: Conversation, markup: Markup | None, **content: Any
) -> StoredMessage:
    message = StoredMessage(
        message_id=conversation.allocate_id(),
        chat=conversation.chat,
        sender=call.bot.sender(),
        from_bot=True,
        date=call.world.now(),
        markup=markup,
        reply_to=_reply_target(call, conversation),
        **content,
    )
    conversation.add(message)
    return message


def _editable(call: Call, *, not_found: str) -> StoredMessage:
    if call.args.get("inline_message_id") is not None:
        raise ApiError(400, "Bad Request: the sandbox does not implement inline messages")
    if call.args.get("chat_id") is None:
        raise bad_request("chat_id is empty")
    message_id = call.args.get("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    conversation = _conversation(call, sending=True)
    message = conversation.messages.get(message_id)
    if message is None or message.deleted:
        raise bad_request(not_found)
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


# --- updates and webhooks -------------------------------------------------------------------


@_method("getMe")
async def get_me(call: Call) -> Any:
    return call.bot.api()


@_method("getUpdates")
async def get_updates(call: Call) -> Any:
    bot = call.bot
    if bot.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    limit = min(max(int(call.args.get("limit", 100)), 1), 100)
    timeout = min(max(int(call.args.get("timeout", 0)), 0), MAX_POLL_TIMEOUT)
    if "allowed_updates" in call.args:
        bot.allowed_updates = list(call.args["allowed_updates"]) or None
    # A newer request terminates the one already waiting, as on Telegram.
    bot.poll_generation += 1
    generation = bot.poll_generation
    bot.notify()
    if "offset" in call.args:
        bot.confirm(int(call.args["offset"]))
    deadline = time.monotonic() + timeout
    while True:
        if bot.webhook is not None:
            raise ApiError(409, "Conflict: terminated by setWebhook request")
        if bot.poll_generation != generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        batch = bot.take(limit)
        remaining = deadline - time.monotonic()
        if batch or remaining <= 0:
            return batch
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(bot.changed.wait(), remaining)


@_method("setWebhook")
async def set_webhook(call: Call) -> Any:
    bot, args = call.bot, call.args
    url = args.get("url") or ""
    if not url:
        return await delete_webhook(call)
    if not url.lower().startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = args.get("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    if args.get("drop_pending_updates"):
        bot.drop_pending()
    same = bot.webhook is not None and bot.webhook.url == url
    allowed = args.get("allowed_updates")
    bot.webhook = Webhook(
        url=url,
        secret_token=secret,
        max_connections=int(args.get("max_connections", 40)),
        allowed_updates=list(allowed) if allowed else None,
        ip_address=args.get("ip_address"),
    )
    bot.poll_generation += 1
    call.world.start_webhook(bot)
    return Reply(True, "Webhook is already set" if same else "Webhook was set")


@_method("deleteWebhook")
async def delete_webhook(call: Call) -> Any:
    bot = call.bot
    if call.args.get("drop_pending_updates"):
        bot.drop_pending()
    if bot.webhook is None:
        return Reply(True, "Webhook is already deleted")
    bot.webhook = None
    await call.world.stop_webhook(bot)
    return Reply(True, "Webhook was deleted")


@_method("getWebhookInfo")
async def get_webhook_info(call: Call) -> Any:
    bot = call.bot
    info: dict[str, Any] = {
        "url": bot.webhook.url if bot.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(bot.updates),
    }
    if bot.webhook is not None:
        info["max_connections"] = bot.webhook.max_connections
        if bot.webhook.ip_address:
            info["ip_address"] = bot.webhook.ip_address
        if bot.webhook.allowed_updates:
            info["allowed_updates"] = bot.webhook.allowed_updates
        if bot.webhook.last_error_date is not None:
            info["last_error_date"] = bot.webhook.last_error_date
            info["last_error_message"] = bot.webhook.last_error_message
    return info


@_method("close")
async def close(call: Call) -> Any:
    return True


@_method("logOut")
async def log_out(call: Call) -> Any:
    return True


# --- messages -------------------------------------------------------------------------------


@_method("sendMessage")
async def send_message(call: Call) -> Any:
    conversation = _conversation(call, sending=True)
    text, entities, html, mode = _message_text(call.args)
    markup = _markup(call)
    message = _post(
        call, conversation, markup, text=text, entities=entities, html=html, parse_mode=mode
    )
    return message.api()


@_method("editMessageText")
async def edit_message_text(call: Call) -> Any:
    message = _editable(call, not_found="message to edit not found")
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    text, entities, html, mode = _message_text(call.args)
    markup = _markup(call, inline_only=True)
    new_keyboard = markup.api() if markup else None
    old_keyboard = message.markup.api() if message.markup else None
    if text == message.text and entities == message.entities and new_keyboard == old_keyboard:
        raise bad_request(NOT_MODIFIED)
    message.text, message.entities, message.html, message.parse_mode = text, entities, html, mode
    message.markup = markup
    message.edit_date = call.world.now()
    return message.api()


@_method("editMessageCaption")
async def edit_message_caption(call: Call) -> Any:
    message = _editable(call, not_found="message to edit not found")
    if not message.files:
        raise bad_request("there is no caption in the message to edit")
    caption, entities, html, mode = _caption(call.args)
    markup = _markup(call, inline_only=True)
    new_keyboard = markup.api() if markup else None
    old_keyboard = message.markup.api() if message.markup else None
    if (
        caption == message.caption
        and entities == message.caption_entities
        and new_keyboard == old_keyboard
    ):
        raise bad_request(NOT_MODIFIED)
    message.caption, message.caption_entities = caption, entities
    message.html, message.parse_mode = html, mode
    message.markup = markup
    message.edit_date = call.world.now()
    return message.api()


@_method("editMessageReplyMarkup")
async def edit_message_reply_markup(call: Call) -> Any:
    message = _editable(call, not_found="message to edit not found")
    markup = _markup(call, inline_only=True)
    new_keyboard = markup.api() if markup else None
    old_keyboard = message.markup.api() if message.markup else None
    if new_keyboard == old_keyboard:
        raise bad_request(NOT_MODIFIED)
    message.markup = markup
    message.edit_date = call.world.now()
    return message.api()


@_method("deleteMessage")
async def delete_message(call: Call) -> Any:
    conversation = _conversation(call, sending=False)
    message = conversation.messages.get(call.args["message_id"])
    if message is None or message.deleted:
        raise bad_request("message to delete not found")
    message.deleted = True
    return True


@_method("sendChatAction")
async def send_chat_action(call: Call) -> Any:
    _conversation(call, sending=True)
    if call.args["action"] not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


@_method("getChat")
async def get_chat(call: Call) -> Any:
    conversation = _conversation(call, sending=False)
    return {
        **conversation.chat,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


# --- callback queries -----------------------------------------------------------------------


@_method("answerCallbackQuery")
async def answer_callback_query(call: Call) -> Any:
    record = call.world.callbacks.get(call.args["callback_query_id"])
    if record is None or record.answered or record.bot_id != call.bot.id:
        raise bad_request(QUERY_TOO_OLD)
    text = call.args.get("text")
    if text is not None and utf16_len(text) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answered = True
    record.text = text
    record.show_alert = bool(call.args.get("show_alert", False))
    record.url = call.args.get("url")
    record.cache_time = call.args.get("cache_time")
    return True


# --- files ----------------------------------------------------------------------------------


def _input_file(call: Call, name: str, kind: str) -> StoredFile:
    value = call.args[name]
    world = call.world
    if isinstance(value, Upload):
        if len(value.data) > MAX_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        if not value.data:
            raise bad_request("file must be non-empty")
        if kind == "photo":
            size = image_size(value.data)
            if size is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            mime = guess_mime(value.filename, value.content_type)
            return world.store_file("photo", value.data, mime, width=size[0], height=size[1])
        mime = guess_mime(value.filename, value.content_type)
        return world.store_file("document", value.data, mime, file_name=value.filename or None)
    stored = world.files.get(value)
    if stored is not None:
        if stored.kind != kind:
            raise bad_request(
                f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}"
            )
        return stored
    if value.lower().startswith(("http://", "https://")):
        # The sandbox has no outside network to fetch from.
        raise bad_request("failed to get HTTP URL content")
    raise bad_request("wrong file identifier/HTTP URL specified")


@_method("sendDocument")
async def send_document(call: Call) -> Any:
    conversation = _conversation(call, sending=True)
    caption, entities, html, mode = _caption(call.args)
    markup = _markup(call)
    stored = _input_file(call, "document", "document")
    message = _post(
        call,
        conversation,
        markup,
        caption=caption,
        caption_entities=entities,
        html=html,
        parse_mode=mode,
        media={"document": stored.document()},
        files=[stored],
    )
    return message.api()


@_method("sendPhoto")
async def send_photo(call: Call) -> Any:
    conversation = _conversation(call, sending=True)
    caption, entities, html, mode = _caption(call.args)
    markup = _markup(call)
    stored = _input_file(call, "photo", "photo")
    message = _post(
        call,
        conversation,
        markup,
        caption=caption,
        caption_entities=entities,
        html=html,
        parse_mode=mode,
        media={"photo": [stored.photo_size()]},
        files=[stored],
    )
    return message.api()


@_method("getFile")
async def get_file(call: Call) -> Any:
    stored = call.world.files.get(call.args["file_id"])
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return stored.file()


# --- commands and profile -------------------------------------------------------------------


def _scope_key(call: Call) -> tuple[str, str]:
    scope = call.args.get("scope") or {"type": "default"}
    kind = scope["type"]
    language = call.args.get("language_code") or ""
    if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
        return kind, language
    chat_id = scope.get("chat_id")
    if not isinstance(chat_id, int) or call.bot.conversation(chat_id) is None:
        raise bad_request("chat not found")
    if kind == "chat_member":
        return f"chat_member:{chat_id}:{scope['user_id']}", language
    return f"{kind}:{chat_id}", language


@_method("setMyCommands")
async def set_my_commands(call: Call) -> Any:
    commands: list[dict[str, str]] = []
    for item in call.args["commands"]:
        command = str(item["command"])
        description = str(item["description"])
        if not _COMMAND.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not description.strip() or utf16_len(description) > 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        commands.append({"command": command, "description": description})
    if len(commands) > 100:
        raise bad_request("too many commands")
    key = _scope_key(call)
    if commands:
        call.bot.commands[key] = commands
    else:
        call.bot.commands.pop(key, None)
    return True


@_method("getMyCommands")
async def get_my_commands(call: Call) -> Any:
    return [dict(c) for c in call.bot.commands.get(_scope_key(call), [])]


@_method("deleteMyCommands")
async def delete_my_commands(call: Call) -> Any:
    call.bot.commands.pop(_scope_key(call), None)
    return True


@_method("setMyName")
async def set_my_name(call: Call) -> Any:
    _set_text(call, call.bot.names, "name", 64)
    if not call.args.get("language_code"):
        call.bot.first_name = call.bot.names.get("", call.bot.first_name)
    return True


@_method("getMyName")
async def get_my_name(call: Call) -> Any:
    language = call.args.get("language_code") or ""
    return {"name": call.bot.names.get(language, call.bot.first_name)}


@_method("setMyDescription")
async def set_my_description(call: Call) -> Any:
    return _set_text(call, call.bot.descriptions, "description", 512)


@_method("getMyDescription")
async def get_my_description(call: Call) -> Any:
    language = call.args.get("language_code") or ""
    return {"description": call.bot.descriptions.get(language, "")}


@_method("setMyShortDescription")
async def set_my_short_description(call: Call) -> Any:
    return _set_text(call, call.bot.short_descriptions, "short_description", 120)


@_method("getMyShortDescription")
async def get_my_short_description(call: Call) -> Any:
    language = call.args.get("language_code") or ""
    return {"short_description": call.bot.short_descriptions.get(language, "")}


def _set_text(call: Call, store: dict[str, str], name: str, limit: int) -> bool:
    language = call.args.get("language_code") or ""
    value = call.args.get(name) or ""
    if utf16_len(value) > limit:
        raise bad_request(f"{name} is too long")
    if value:
        store[language] = value
    else:
        store.pop(language, None)
    return True


@_method("setChatMenuButton")
async def set_chat_menu_button(call: Call) -> Any:
    chat_id = call.args.get("chat_id")
    if chat_id is not None:
        _conversation(call, sending=False)
    call.bot.menu_buttons[chat_id] = call.args.get("menu_button") or {"type": "default"}
    return True


@_method("getChatMenuButton")
async def get_chat_menu_button(call: Call) -> Any:
    chat_id = call.args.get("chat_id")
    if chat_id is not None:
        _conversation(call, sending=False)
    buttons = call.bot.menu_buttons
    return buttons.get(chat_id) or buttons.get(None) or {"type": "default"}
