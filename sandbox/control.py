"""The control API under /sandbox: simulated people act, and tests look at what the bot did.
JSON in and out; every failure is {"ok": false, "description": ...} with a 4xx status.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.entities import detect_entities, finish_text, utf16_len
from sandbox.media import guess_mime, make_png, make_voice
from sandbox.state import (
    Bot,
    CallbackRecord,
    Conversation,
    Fault,
    FloodControl,
    StoredFile,
    StoredMessage,
    User,
    World,
)

__all__ = ["TOKEN", "ControlError", "control_routes"]

log = logging.getLogger(__name__)

TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
MAX_TEXT = 4096
_CONTENT_KINDS = ("text", "photo", "sticker", "voice", "location", "document")


class ControlError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _world(request: Request) -> World:
    world: World = request.app.state.sandbox
    return world


async def _body(request: Request, *, required: bool = True) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        if required:
            raise ControlError(400, "a JSON object body is required")
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise ControlError(400, "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ControlError(400, "the body must be a JSON object")
    return data


def _int(data: dict[str, Any], name: str, *, required: bool = True) -> int | None:
    value = data.get(name)
    if value is None:
        if required:
            raise ControlError(400, f'"{name}" is required')
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ControlError(400, f'"{name}" must be an integer')
    return value


def _str(data: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            raise ControlError(400, f'"{name}" is required')
        return None
    if not isinstance(value, str):
        raise ControlError(400, f'"{name}" must be a string')
    return value


def _bot(world: World, username: object) -> Bot:
    if username is not None and not isinstance(username, str):
        raise ControlError(400, '"bot" must be the bot\'s username')
    bot = world.find_bot(username)
    if bot is None:
        if username is None:
            raise ControlError(
                409, "no bot yet: register one with POST /sandbox/bots or let it call the Bot API"
            )
        raise ControlError(404, f"unknown bot {username!r}")
    return bot


def _user(world: World, user_id: int) -> User:
    user = world.users.get(user_id)
    if user is None:
        raise ControlError(404, f"unknown user {user_id}")
    return user


# --- bots and people ------------------------------------------------------------------------


async def register_bot(request: Request) -> Response:
    world = _world(request)
    data = await _body(request)
    token = _str(data, "token", required=True) or ""
    if not TOKEN.match(token):
        raise ControlError(400, "token must look like 123456:ABC... (30+ characters after ':')")
    username = _str(data, "username")
    first_name = _str(data, "first_name")
    if username is not None and not _USERNAME.match(username):
        raise ControlError(400, "username must be 4-32 letters, digits or underscores")
    bot_id = int(token.split(":", 1)[0])
    existing = world.bots.get(bot_id)
    if existing is not None and existing.token != token:
        raise ControlError(409, f"bot {bot_id} is already registered with another token")
    clash = world.find_bot(username) if username else None
    if clash is not None and clash.id != bot_id:
        raise ControlError(409, f"username {username!r} is taken by bot {clash.id}")
    bot = world.bot_for_token(token)
    if username:
        bot.username = username
    if first_name:
        bot.first_name = first_name
    return JSONResponse(bot.control(), status_code=201 if existing is None else 200)


async def list_bots(request: Request) -> Response:
    return JSONResponse([bot.control() for bot in _world(request).bots.values()])


async def create_user(request: Request) -> Response:
    world = _world(request)
    data = await _body(request)
    user_id = _int(data, "id")
    assert user_id is not None
    if user_id <= 0:
        raise ControlError(400, '"id" must be a positive integer')
    first_name = _str(data, "first_name", required=True)
    if not first_name or not first_name.strip():
        raise ControlError(400, '"first_name" must not be empty')
    existing = world.users.get(user_id)
    user = User(
        id=user_id,
        first_name=first_name,
        username=_str(data, "username"),
        last_name=_str(data, "last_name"),
        language_code=_str(data, "language_code"),
    )
    if existing is not None:
        user.blocks_all, user.blocked_bots = existing.blocks_all, existing.blocked_bots
    world.users[user_id] = user
    return JSONResponse(user.control(), status_code=200 if existing else 201)


async def list_users(request: Request) -> Response:
    return JSONResponse([user.control() for user in _world(request).users.values()])


async def get_user(request: Request) -> Response:
    world = _world(request)
    return JSONResponse(_user(world, _path_int(request, "user_id")).control())


async def block_user(request: Request) -> Response:
    return await _set_block(request, blocked=True)


async def unblock_user(request: Request) -> Response:
    return await _set_block(request, blocked=False)


async def _set_block(request: Request, *, blocked: bool) -> Response:
    """The person blocks (or unblocks) one bot, or every bot when no "bot" is named."""
    world = _world(request)
    user = _user(world, _path_int(request, "user_id"))
    data = await _body(request, required=False)
    if data.get("bot") is not None:
        bot = _bot(world, data["bot"])
        if blocked:
            user.blocked_bots.add(bot.id)
        else:
            user.blocked_bots.discard(bot.id)
            user.blocks_all = False
    else:
        user.blocks_all = blocked
        if not blocked:
            user.blocked_bots.clear()
    return JSONResponse(user.control())


def _path_int(request: Request, name: str) -> int:
    try:
        return int(request.path_params[name])
    except ValueError:
        raise ControlError(400, f"{name} must be an integer") from None


# --- what the people do ---------------------------------------------------------------------


def _chat_for(world: World, bot: Bot, user: User, spec: object) -> Conversation:
    """The conversation the person writes in: their private chat, or a group given as "chat"."""
    if spec is None:
        conversation = bot.conversation(user.id)
        if conversation is None:
            conversation = Conversation(user.private_chat())
            bot.conversations[user.id] = conversation
        return conversation
    if not isinstance(spec, dict):
        raise ControlError(400, '"chat" must be an object with id, type and title')
    chat_id = _int(spec, "id")
    assert chat_id is not None
    kind = spec.get("type", "group")
    if kind not in ("group", "supergroup"):
        raise ControlError(400, '"chat.type" must be "group" or "supergroup"')
    if chat_id >= 0:
        raise ControlError(400, "group chat ids are negative")
    title = _str(spec, "title") or f"Group {chat_id}"
    chat = {"id": chat_id, "type": kind, "title": title}
    conversation = bot.conversation(chat_id)
    if conversation is None:
        conversation = Conversation(chat)
        bot.conversations[chat_id] = conversation
    else:
        conversation.chat.update(chat)
    return conversation


def _content(world: World, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields of the message(s) for the one kind of content given (long text: several)."""
    kinds = [k for k in _CONTENT_KINDS if data.get(k) not in (None, False)]
    if not kinds:
        raise ControlError(
            400, "a message needs one of: text, photo, sticker, voice, location, document"
        )
    if len(kinds) > 1:
        raise ControlError(400, f"a message has one kind of content, got {', '.join(kinds)}")
    kind = kinds[0]
    if kind == "text":
        return _text(data)
    return [_media(world, data, kind)]


def _media(world: World, data: dict[str, Any], kind: str) -> dict[str, Any]:
    fields = _caption(data)
    if kind == "photo":
        small = world.store_file("photo", make_png(90, 68), "image/png", width=90, height=68)
        large = world.store_file("photo", make_png(320, 240), "image/png", width=320, height=240)
        fields["media"] = {"photo": [small.photo_size(), large.photo_size()]}
        fields["files"] = [small, large]
    elif kind == "sticker":
        emoji = data["sticker"] if isinstance(data["sticker"], str) else "🙂"
        stored = world.store_file(
            "sticker", make_png(128, 128, (250, 200, 40)), "image/png", emoji=emoji
        )
        fields["media"] = {"sticker": _sticker(stored, emoji)}
        fields["files"] = [stored]
    elif kind == "voice":
        seconds = data["voice"] if type(data["voice"]) is int else 1
        stored = world.store_file("voice", make_voice(seconds), "audio/ogg", duration=seconds)
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": seconds,
            "mime_type": "audio/ogg",
            "file_size": stored.size,
        }
        fields["media"] = {"voice": voice}
        fields["files"] = [stored]
    elif kind == "location":
        fields["media"] = {"location": _location(data["location"])}
    else:
        stored = _document(world, data["document"])
        fields["media"] = {"document": stored.document()}
        fields["files"] = [stored]
    return fields


def _text(data: dict[str, Any]) -> list[dict[str, Any]]:
    text, _ = finish_text(_str(data, "text", required=True) or "", [])
    if not text:
        # Telegram clients trim the text and will not send a blank message.
        raise ControlError(400, "message text is empty (Telegram clients send no blank messages)")
    # Telegram clients mark commands (and links, mentions) so CommandHandler can see them.
    return [{"text": part, "entities": detect_entities(part)} for part in split_text(text)]


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut a long text into messages of at most `limit` UTF-16 units, as Telegram clients do,
    preferring a line break or a space in the second half of each piece."""
    parts: list[str] = []
    while utf16_len(text) > limit:
        units = 0
        cut = 0
        for index, ch in enumerate(text):
            units += 2 if ord(ch) > 0xFFFF else 1
            if units > limit:
                cut = index
                break
        piece = text[:cut]
        soft = max(piece.rfind("\n"), piece.rfind(" "))
        if soft > cut // 2:
            cut = soft + 1
        head, _ = finish_text(text[:cut], [])
        if head:
            parts.append(head)
        text, _ = finish_text(text[cut:], [])
    if text:
        parts.append(text)
    return parts


def _caption(data: dict[str, Any]) -> dict[str, Any]:
    caption, _ = finish_text(_str(data, "caption") or "", [])
    if utf16_len(caption) > 1024:
        raise ControlError(400, "message caption is too long")
    if not caption:
        return {}
    return {"caption": caption, "caption_entities": detect_entities(caption)}


def _sticker(stored: StoredFile, emoji: str) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": emoji,
        "file_size": stored.size,
    }


def _location(spec: object) -> dict[str, float]:
    if not isinstance(spec, dict):
        raise ControlError(400, '"location" must be {"latitude": ..., "longitude": ...}')
    try:
        latitude = float(spec["latitude"])
        longitude = float(spec["longitude"])
    except (KeyError, TypeError, ValueError):
        raise ControlError(400, '"location" needs numeric latitude and longitude') from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ControlError(400, "latitude or longitude out of range")
    return {"latitude": latitude, "longitude": longitude}


def _document(world: World, spec: object) -> StoredFile:
    if not isinstance(spec, dict):
        raise ControlError(400, '"document" must be {"file_name": ..., "content_base64": ...}')
    file_name = _str(spec, "file_name") or "file"
    encoded = _str(spec, "content_base64", required=True) or ""
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ControlError(400, '"content_base64" is not valid base64') from None
    mime = guess_mime(file_name, _str(spec, "mime_type"))
    return world.store_file("document", data, mime, file_name=file_name)


async def post_message(request: Request) -> Response:
    """A simulated person sends a message; it is queued as an update for the bot."""
    world = _world(request)
    data = await _body(request)
    user_id = _int(data, "user_id")
    assert user_id is not None
    user = _user(world, user_id)
    bot = _bot(world, data.get("bot"))
    if user.has_blocked(bot.id):
        raise ControlError(409, f"user {user.id} has blocked @{bot.username}; unblock first")
    conversation = _chat_for(world, bot, user, data.get("chat"))
    contents = _content(world, data)
    reply_to = None
    reply_id = _int(data, "reply_to_message_id", required=False)
    if reply_id is not None:
        reply_to = conversation.messages.get(reply_id)
        if reply_to is None or reply_to.deleted:
            raise ControlError(400, f"message {reply_id} is not in that chat")
    message_ids: list[int] = []
    update_ids: list[int] = []
    for content in contents:
        message = StoredMessage(
            message_id=conversation.allocate_id(),
            chat=conversation.chat,
            sender=user.api(),
            from_bot=False,
            date=world.now(),
            reply_to=reply_to if not message_ids else None,
            **content,
        )
        conversation.add(message)
        message_ids.append(message.message_id)
        update_ids.append(bot.enqueue("message", message.api()))
    return JSONResponse(
        {
            "message_id": message_ids[-1],
            "update_id": update_ids[-1],
            "chat_id": conversation.chat_id,
            "message_ids": message_ids,
            "update_ids": update_ids,
        },
        status_code=201,
    )


async def press_button(request: Request) -> Response:
    """A simulated person presses an inline button that is really on a bot message."""
    world = _world(request)
    data = await _body(request)
    user_id = _int(data, "user_id")
    message_id = _int(data, "message_id")
    assert user_id is not None
    assert message_id is not None
    callback_data = _str(data, "data", required=True)
    assert callback_data is not None
    user = _user(world, user_id)
    bot = _bot(world, data.get("bot"))
    if user.has_blocked(bot.id):
        raise ControlError(409, f"user {user.id} has blocked @{bot.username}; unblock first")
    chat_id = _int(data, "chat_id", required=False) or user.id
    if chat_id > 0 and chat_id != user.id:
        # As in Telegram: a private chat's messages are seen, and pressed, by its person only.
        raise ControlError(403, f"user {user.id} cannot press a button in {chat_id}'s private chat")
    conversation = bot.conversation(chat_id)
    message = conversation.messages.get(message_id) if conversation else None
    if message is None or message.deleted:
        raise ControlError(400, f"message {message_id} is not in chat {chat_id}")
    if not message.from_bot:
        raise ControlError(400, f"message {message_id} was not sent by the bot")
    inline = message.markup.inline if message.markup else None
    if not inline or not any(b.callback_data == callback_data for row in inline for b in row):
        raise ControlError(
            400, f"message {message_id} has no button with callback_data {callback_data!r}"
        )
    query_id = str(4_000_000_000_000_000 + world.next_serial())
    payload = {
        "id": query_id,
        "from": user.api(),
        "message": message.api(),
        "chat_instance": str(abs(hash((bot.id, chat_id))) % 10**18),
        "data": callback_data,
    }
    update_id = bot.enqueue("callback_query", payload)
    world.callbacks[query_id] = CallbackRecord(
        id=query_id,
        bot_id=bot.id,
        user_id=user.id,
        chat_id=chat_id,
        message_id=message_id,
        data=callback_data,
        update_id=update_id,
    )
    return JSONResponse({"callback_query_id": query_id, "update_id": update_id}, status_code=201)


async def get_callback(request: Request) -> Response:
    record = _world(request).callbacks.get(request.path_params["query_id"])
    if record is None:
        raise ControlError(404, "unknown callback query")
    return JSONResponse(record.control())


# --- what tests look at ---------------------------------------------------------------------


async def chat_messages(request: Request) -> Response:
    world = _world(request)
    bot = _bot(world, request.query_params.get("bot"))
    chat_id = _path_int(request, "chat_id")
    after_raw = request.query_params.get("after")
    try:
        after = int(after_raw) if after_raw else None
    except ValueError:
        raise ControlError(400, "after must be a message id") from None
    conversation = bot.conversation(chat_id)
    # A chat nobody has written in yet is simply empty (a harness may look before the first word).
    messages = conversation.after(after) if conversation is not None else []
    return JSONResponse([m.control() for m in messages])


async def get_file(request: Request) -> Response:
    stored = _world(request).files.get(request.path_params["file_id"])
    if stored is None:
        raise ControlError(404, "unknown file_id")
    headers = {}
    if stored.file_name:
        # RFC 6266 with RFC 5987 encoding, so Chinese file names survive.
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(stored.file_name)}"
    return Response(stored.data, media_type=stored.mime_type, headers=headers)


async def update_status(request: Request) -> Response:
    bot = _bot(_world(request), request.query_params.get("bot"))
    return JSONResponse(
        {
            "pending": bot.pending,
            "last_update_id": bot.last_update_id,
            "last_confirmed": bot.confirmed_upto,
        }
    )


async def set_flood(request: Request) -> Response:
    world = _world(request)
    data = await _body(request)
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ControlError(400, '"enabled" must be true or false')
    if not enabled:
        world.set_flood(None)
        return JSONResponse({"enabled": False})
    base = world.flood or FloodControl.telegram_defaults()
    try:
        flood = FloodControl(
            global_per_second=float(data.get("global_per_second", base.global_per_second)),
            per_chat_per_second=float(data.get("per_chat_per_second", base.per_chat_per_second)),
            per_group_per_minute=int(data.get("per_group_per_minute", base.per_group_per_minute)),
        )
    except (TypeError, ValueError):
        raise ControlError(400, "flood limits must be numbers") from None
    if min(flood.global_per_second, flood.per_chat_per_second, flood.per_group_per_minute) <= 0:
        raise ControlError(400, "flood limits must be positive")
    world.set_flood(flood)
    return JSONResponse(_flood_state(world))


async def get_flood(request: Request) -> Response:
    return JSONResponse(_flood_state(_world(request)))


def _flood_state(world: World) -> dict[str, Any]:
    flood = world.flood
    if flood is None:
        return {"enabled": False}
    return {
        "enabled": True,
        "global_per_second": flood.global_per_second,
        "per_chat_per_second": flood.per_chat_per_second,
        "per_group_per_minute": flood.per_group_per_minute,
    }


async def add_fault(request: Request) -> Response:
    world = _world(request)
    data = await _body(request)
    method = _str(data, "method", required=True) or ""
    status = _int(data, "status", required=False)
    count = _int(data, "count", required=False)
    retry_after = _int(data, "retry_after", required=False)
    delay = data.get("delay_seconds", 0)
    if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
        raise ControlError(400, '"delay_seconds" must be a non-negative number')
    if status is None and not delay:
        raise ControlError(400, 'a fault needs "status" or "delay_seconds"')
    if status is not None and not 400 <= status <= 599:
        raise ControlError(400, '"status" must be an HTTP error status (400-599)')
    after_effect = data.get("after_effect", False)
    if not isinstance(after_effect, bool):
        raise ControlError(400, '"after_effect" must be true or false')
    fault = Fault(
        status=status,
        delay_seconds=float(delay),
        after_effect=after_effect,
        remaining=count if count is not None else 1,
        description=_str(data, "description"),
        retry_after=retry_after,
    )
    if fault.remaining <= 0:
        raise ControlError(400, '"count" must be positive')
    world.add_fault(method, fault)
    return JSONResponse(_faults_state(world), status_code=201)


async def list_faults(request: Request) -> Response:
    return JSONResponse(_faults_state(_world(request)))


async def clear_faults(request: Request) -> Response:
    world = _world(request)
    world.faults.clear()
    return JSONResponse(_faults_state(world))


def _faults_state(world: World) -> dict[str, Any]:
    return {
        method: [
            {
                "status": f.status,
                "delay_seconds": f.delay_seconds,
                "after_effect": f.after_effect,
                "remaining": f.remaining,
            }
            for f in queue
        ]
        for method, queue in world.faults.items()
        if queue
    }


async def stats(request: Request) -> Response:
    world = _world(request)
    return JSONResponse(
        {
            "calls": dict(world.calls),
            "rate_limited": dict(world.rate_limited),
            "faults_injected": dict(world.faulted),
            "total_calls": sum(world.calls.values()),
            "total_rate_limited": sum(world.rate_limited.values()),
        }
    )


async def reset_stats(request: Request) -> Response:
    world = _world(request)
    world.calls.clear()
    world.rate_limited.clear()
    world.faulted.clear()
    return JSONResponse({"ok": True})


ControlHandler = Callable[[Request], Awaitable[Response]]


def _guard(handler: ControlHandler) -> ControlHandler:
    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except ControlError as exc:
            return JSONResponse({"ok": False, "description": exc.description}, exc.status)
        except Exception:
            # A sandbox bug must still answer JSON, never a traceback page.
            log.exception("control API failed on %s", request.url.path)
            return JSONResponse({"ok": False, "description": "sandbox internal error"}, 500)

    guarded.__name__ = handler.__name__
    return guarded


def control_routes() -> list[Route]:
    routes = [
        ("/sandbox/bots", register_bot, ["POST"]),
        ("/sandbox/bots", list_bots, ["GET"]),
        ("/sandbox/users", create_user, ["POST"]),
        ("/sandbox/users", list_users, ["GET"]),
        ("/sandbox/users/{user_id}", get_user, ["GET"]),
        ("/sandbox/users/{user_id}/block", block_user, ["POST"]),
        ("/sandbox/users/{user_id}/unblock", unblock_user, ["POST"]),
        ("/sandbox/messages", post_message, ["POST"]),
        ("/sandbox/callbacks", press_button, ["POST"]),
        ("/sandbox/callbacks/{query_id}", get_callback, ["GET"]),
        ("/sandbox/chats/{chat_id}/messages", chat_messages, ["GET"]),
        ("/sandbox/files/{file_id}", get_file, ["GET"]),
        ("/sandbox/updates", update_status, ["GET"]),
        ("/sandbox/flood", set_flood, ["POST"]),
        ("/sandbox/flood", get_flood, ["GET"]),
        ("/sandbox/faults", add_fault, ["POST"]),
        ("/sandbox/faults", list_faults, ["GET"]),
        ("/sandbox/faults", clear_faults, ["DELETE"]),
        ("/sandbox/stats", stats, ["GET"]),
        ("/sandbox/stats", reset_stats, ["DELETE"]),
    ]
    return [Route(path, _guard(handler), methods=methods) for path, handler, methods in routes]
