"""The sandbox's in-memory world: bots, simulated people, chats, messages, update queues and files.
Everything runs on one event loop, so state changes between awaits need no locks.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import secrets
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from sandbox.botapi import ApiError, Markup

__all__ = [
    "Bot",
    "CallbackRecord",
    "Conversation",
    "Fault",
    "FloodControl",
    "StoredFile",
    "StoredMessage",
    "User",
    "Webhook",
    "World",
]

log = logging.getLogger(__name__)

MAX_WEBHOOK_RETRY_SECONDS = 60.0


@dataclass(frozen=True)
class FloodControl:
    """Rate limits to emulate; beyond them calls get 429 with retry_after like Telegram's."""

    global_per_second: float
    per_chat_per_second: float
    per_group_per_minute: int = 20

    @classmethod
    def telegram_defaults(cls) -> FloodControl:
        """Telegram's documented limits: 30 messages/s overall, 1/s per chat, 20/min per group."""
        return cls(global_per_second=30.0, per_chat_per_second=1.0, per_group_per_minute=20)


class _Bucket:
    """A token bucket: O(1) per call, with fractional rates allowed."""

    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = now

    def wait(self, now: float) -> float:
        """Seconds until a token is free (0 when one is free now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            return 0.0
        return (1.0 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1.0


@dataclass
class Fault:
    """An injected failure for the next `remaining` calls of one method."""

    status: int | None
    delay_seconds: float
    after_effect: bool
    remaining: int
    description: str | None = None
    retry_after: int | None = None

    def error(self) -> ApiError | None:
        if self.status is None:
            return None
        reasons = {
            400: "Bad Request",
            401: "Unauthorized",
            403: "Forbidden",
            404: "Not Found",
            409: "Conflict",
            429: "Too Many Requests",
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
            504: "Gateway Timeout",
        }
        description = self.description or reasons.get(self.status, f"Error {self.status}")
        retry_after = None
        if self.status == 429:
            retry_after = self.retry_after or 1
            if self.description is None:
                description = f"Too Many Requests: retry after {retry_after}"
        return ApiError(self.status, description, retry_after=retry_after)


@dataclass
class User:
    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = None
    blocks_all: bool = False
    blocked_bots: set[int] = field(default_factory=set)

    def api(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            out["last_name"] = self.last_name
        if self.username:
            out["username"] = self.username
        if self.language_code:
            out["language_code"] = self.language_code
        return out

    def private_chat(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            out["last_name"] = self.last_name
        if self.username:
            out["username"] = self.username
        return out

    def has_blocked(self, bot_id: int) -> bool:
        return self.blocks_all or bot_id in self.blocked_bots

    def control(self) -> dict[str, Any]:
        out = self.api()
        out["blocked"] = self.blocks_all
        out["blocked_bots"] = sorted(self.blocked_bots)
        return out


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # document | photo | voice | sticker
    data: bytes
    mime_type: str
    file_path: str
    file_name: str | None = None
    width: int | None = None
    height: int | None = None
    duration: int | None = None
    emoji: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    def document(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "mime_type": self.mime_type,
            "file_size": self.size,
        }
        if self.file_name:
            out["file_name"] = self.file_name
        return out

    def photo_size(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": self.width or 0,
            "height": self.height or 0,
            "file_size": self.size,
        }

    def file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


@dataclass
class StoredMessage:
    message_id: int
    chat: dict[str, Any]
    sender: dict[str, Any]
    from_bot: bool
    date: int
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    html: str | None = None
    parse_mode: str | None = None
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, Any] = field(default_factory=dict)
    files: list[StoredFile] = field(default_factory=list)
    markup: Markup | None = None
    reply_to: StoredMessage | None = None
    edit_date: int | None = None
    deleted: bool = False

    def api(self, *, with_reply: bool = True) -> dict[str, Any]:
        """The Message object as Telegram would return it."""
        out: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat,
            "date": self.date,
        }
        if self.edit_date is not None:
            out["edit_date"] = self.edit_date
        if with_reply and self.reply_to is not None and not self.reply_to.deleted:
            out["reply_to_message"] = self.reply_to.api(with_reply=False)
        if self.text is not None:
            out["text"] = self.text
            if self.entities:
                out["entities"] = self.entities
        out.update(self.media)
        if self.caption:
            out["caption"] = self.caption
            if self.caption_entities:
                out["caption_entities"] = self.caption_entities
        markup = self.markup.api() if self.markup is not None else None
        if markup is not None:
            out["reply_markup"] = markup
        return out

    def control(self) -> dict[str, Any]:
        """The message as the control API shows it to tests and the web chat."""
        text = self.text if self.text is not None else self.caption
        out: dict[str, Any] = {
            "message_id": self.message_id,
            "from": "bot" if self.from_bot else "user",
            "user_id": None if self.from_bot else self.sender["id"],
            "date": self.date,
            "text": text,
            "entities": self.entities if self.text is not None else self.caption_entities,
            "html": self.html,
            "parse_mode": self.parse_mode,
            "buttons": [],
            "keyboard": None,
            "remove_keyboard": False,
            "force_reply": False,
            "document": None,
            "photo": None,
            "reply_to_message_id": self.reply_to.message_id if self.reply_to else None,
            "edited": self.edit_date is not None,
            "deleted": self.deleted,
        }
        if self.markup is not None and self.markup.inline is not None:
            out["buttons"] = [
                [
                    {"text": b.text, "callback_data": b.callback_data}
                    if b.callback_data is not None
                    else {"text": b.text, "url": b.url}
                    if b.url is not None
                    else {"text": b.text}
                    for b in row
                ]
                for row in self.markup.inline
            ]
        if self.markup is not None and self.markup.keyboard is not None:
            out["keyboard"] = [list(row) for row in self.markup.keyboard]
        # Reply keyboards stay until removed; a chat view needs to see removals and force-replies.
        raw_markup = self.markup.raw if self.markup is not None else {}
        out["remove_keyboard"] = bool(raw_markup.get("remove_keyboard"))
        out["force_reply"] = bool(raw_markup.get("force_reply"))
        if "document" in self.media:
            doc = self.media["document"]
            out["document"] = {
                k: doc.get(k) for k in ("file_id", "file_name", "mime_type", "file_size")
            }
        if "photo" in self.media:
            big = self.media["photo"][-1]
            out["photo"] = {k: big[k] for k in ("file_id", "file_size", "width", "height")}
        for kind in ("sticker", "voice", "location"):
            if kind in self.media:
                out[kind] = self.media[kind]
        return out


class Conversation:
    """One chat as one bot sees it; message ids are shared by both directions."""

    def __init__(self, chat: dict[str, Any]) -> None:
        self.chat = chat
        self.messages: dict[int, StoredMessage] = {}
        self.next_id = 1

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    def allocate_id(self) -> int:
        message_id = self.next_id
        self.next_id += 1
        return message_id

    def add(self, message: StoredMessage) -> None:
        self.messages[message.message_id] = message

    def after(self, message_id: int | None) -> list[StoredMessage]:
        """Messages with a larger id, in order. Ids are dense, so this is O(result)."""
        start = 1 if message_id is None else max(message_id + 1, 1)
        return [self.messages[k] for k in range(start, self.next_id) if k in self.messages]


@dataclass
class Webhook:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class CallbackRecord:
    id: str
    bot_id: int
    user_id: int
    chat_id: int
    message_id: int
    data: str
    update_id: int
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int | None = None

    def control(self) -> dict[str, Any]:
        return {
            "callback_query_id": self.id,
            "user_id": self.user_id,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "data": self.data,
            "update_id": self.update_id,
            "answered": self.answered,
            "text": self.text,
            "show_alert": self.show_alert,
            "url": self.url,
        }


class Bot:
    """One bot identity (per token) with its own update queue, chats and settings."""

    def __init__(self, token: str, username: str, first_name: str) -> None:
        self.token = token
        self.id = int(token.split(":", 1)[0])
        self.username = username
        self.first_name = first_name
        self.updates: deque[tuple[int, dict[str, Any]]] = deque()
        self.last_update_id = 0
        self.delivered_upto = 0  # every update up to here was handed to the bot
        self.confirmed_upto = 0  # ... and confirmed (offset) or dropped
        self.allowed_updates: list[str] | None = None
        self.poll_generation = 0
        self.changed = asyncio.Event()
        self.webhook: Webhook | None = None
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.descriptions: dict[str, str] = {}
        self.names: dict[str, str] = {}  # setMyName per language; "" is the name everyone sees
        self.short_descriptions: dict[str, str] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.conversations: dict[int, Conversation] = {}

    def api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def sender(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    @property
    def pending(self) -> int:
        """Queued updates not yet handed to the bot (by getUpdates or the webhook)."""
        return self.last_update_id - max(self.delivered_upto, self.confirmed_upto)

    def notify(self) -> None:
        # Wake everyone waiting on the current event, then arm a fresh one for later waiters.
        self.changed.set()
        self.changed = asyncio.Event()

    def enqueue(self, kind: str, payload: dict[str, Any]) -> int:
        self.last_update_id += 1
        update_id = self.last_update_id
        allowed = self.webhook.allowed_updates if self.webhook else self.allowed_updates
        if allowed and kind not in allowed:
            # Filtered out: the update never reaches the bot, as with Telegram.
            self.confirmed_upto = max(self.confirmed_upto, update_id)
            self.delivered_upto = max(self.delivered_upto, update_id)
            return update_id
        self.updates.append((update_id, {"update_id": update_id, kind: payload}))
        self.notify()
        return update_id

    def confirm(self, offset: int) -> None:
        """getUpdates offset semantics: forget everything below offset (or keep -offset last)."""
        if offset < 0:
            while len(self.updates) > -offset:
                self._forget_first()
            return
        while self.updates and self.updates[0][0] < offset:
            self._forget_first()

    def _forget_first(self) -> None:
        update_id, _ = self.updates.popleft()
        self.confirmed_upto = max(self.confirmed_upto, update_id)
        self.delivered_upto = max(self.delivered_upto, update_id)

    def drop_pending(self) -> None:
        while self.updates:
            self._forget_first()
        self.confirmed_upto = self.delivered_upto = self.last_update_id

    def take(self, limit: int) -> list[dict[str, Any]]:
        batch = [update for _, update in itertools.islice(self.updates, limit)]
        if batch:
            self.delivered_upto = max(self.delivered_upto, batch[-1]["update_id"])
        return batch

    def conversation(self, chat_id: int) -> Conversation | None:
        return self.conversations.get(chat_id)

    def commands_control(self) -> dict[str, list[dict[str, str]]]:
        out: dict[str, list[dict[str, str]]] = {}
        for (scope, language), commands in self.commands.items():
            out[f"{scope}/{language}" if language else scope] = commands
        return out

    def control(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "first_name": self.first_name,
            "webhook": None
            if self.webhook is None
            else {"url": self.webhook.url, "last_error_message": self.webhook.last_error_message},
            "commands": self.commands_control(),
            "description": self.descriptions.get(""),
            "short_description": self.short_descriptions.get(""),
            "menu_button": self.menu_buttons.get(None),
            "pending_updates": self.pending,
        }


class World:
    """All sandbox state; reachable as app.state.sandbox."""

    def __init__(
        self,
        flood: FloodControl | None = None,
        *,
        webhook_transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock
        # Flood buckets use their own clock so tests can step time instead of sleeping.
        self.monotonic: Callable[[], float] = time.monotonic
        self.bots: dict[int, Bot] = {}
        self.users: dict[int, User] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self.faults: dict[str, deque[Fault]] = {}
        self.calls: Counter[str] = Counter()
        self.rate_limited: Counter[str] = Counter()
        self.faulted: Counter[str] = Counter()
        self.webhook_retry_seconds = 1.0
        self._flood = flood
        self._buckets: dict[tuple[int, str, int], _Bucket] = {}
        self._webhook_transport = webhook_transport
        self._http: httpx.AsyncClient | None = None
        self._webhook_tasks: dict[int, asyncio.Task[None]] = {}
        self._counter = 0

    # --- identities ---------------------------------------------------------------------------

    def bot_for_token(self, token: str) -> Bot:
        """The bot of a well-formed token, created on first use."""
        bot_id = int(token.split(":", 1)[0])
        bot = self.bots.get(bot_id)
        if bot is None:
            bot = Bot(token, username=f"sandbox_{bot_id}_bot", first_name="Sandbox Bot")
            self.bots[bot_id] = bot
        elif bot.token != token:
            # Same bot id, different secret: Telegram rejects the token.
            raise ApiError(401, "Unauthorized")
        return bot

    def find_bot(self, username: str | None) -> Bot | None:
        """The bot with that username, or the first bot when username is None."""
        if username is None:
            return next(iter(self.bots.values()), None)
        wanted = username.lstrip("@").lower()
        for bot in self.bots.values():
            if bot.username.lower() == wanted:
                return bot
        return None

    def next_serial(self) -> int:
        self._counter += 1
        return self._counter

    def now(self) -> int:
        return int(self.clock())

    # --- files ----------------------------------------------------------------------------------

    def store_file(
        self,
        kind: str,
        data: bytes,
        mime_type: str,
        *,
        file_name: str | None = None,
        width: int | None = None,
        height: int | None = None,
        duration: int | None = None,
        emoji: str | None = None,
    ) -> StoredFile:
        prefixes = {"document": "BQACAgUAAxkB", "photo": "AgACAgUAAxkB", "voice": "AwACAgUAAxkB"}
        file_id = prefixes.get(kind, "CAACAgUAAxkB") + secrets.token_urlsafe(36)
        serial = self.next_serial()
        extension = ""
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        elif kind == "photo":
            extension = ".jpg" if "jpeg" in mime_type else ".png"
        folders = {"document": "documents", "photo": "photos", "voice": "voice"}
        path = f"{folders.get(kind, 'stickers')}/file_{serial}{extension}"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id="AgAD" + secrets.token_urlsafe(9),
            kind=kind,
            data=data,
            mime_type=mime_type,
            file_path=path,
            file_name=file_name,
            width=width,
            height=height,
            duration=duration,
            emoji=emoji,
        )
        self.files[file_id] = stored
        self.files_by_path[path] = stored
        return stored

    # --- flood control and faults -------------------------------------------------------------

    @property
    def flood(self) -> FloodControl | None:
        return self._flood

    def set_flood(self, flood: FloodControl | None) -> None:
        self._flood = flood
        self._buckets.clear()

    def check_flood(self, bot: Bot, chat_id: int | None) -> None:
        """Raise 429 when the call would exceed an emulated limit; otherwise count it."""
        flood = self._flood
        if flood is None:
            return
        now = self.monotonic()
        buckets = [self._bucket(bot.id, "global", 0, flood.global_per_second, now)]
        if chat_id is not None:
            buckets.append(self._bucket(bot.id, "chat", chat_id, flood.per_chat_per_second, now))
            if chat_id < 0:
                per_second = flood.per_group_per_minute / 60.0
                buckets.append(self._bucket(bot.id, "group", chat_id, per_second, now))
        waits = [b.wait(now) for b in buckets if b.rate > 0]
        wait = max(waits, default=0.0)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
            )
        for bucket in buckets:
            bucket.take()

    def _bucket(self, bot_id: int, kind: str, chat_id: int, rate: float, now: float) -> _Bucket:
        key = (bot_id, kind, chat_id)
        bucket = self._buckets.get(key)
        if bucket is None:
            capacity = (
                float(self._flood.per_group_per_minute)
                if kind == "group" and self._flood
                else max(1.0, rate)
            )
            bucket = _Bucket(rate, capacity, now)
            self._buckets[key] = bucket
        return bucket

    def add_fault(self, method: str, fault: Fault) -> None:
        self.faults.setdefault(method.lower(), deque()).append(fault)

    def next_fault(self, method: str) -> Fault | None:
        queue = self.faults.get(method.lower())
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.popleft()
        self.faulted[method] += 1
        return fault

    # --- webhook delivery -----------------------------------------------------------------------

    def start_webhook(self, bot: Bot) -> None:
        task = self._webhook_tasks.get(bot.id)
        if task is None or task.done():
            self._webhook_tasks[bot.id] = asyncio.create_task(
                self._deliver(bot), name=f"sandbox-webhook-{bot.id}"
            )
        bot.notify()

    async def stop_webhook(self, bot: Bot) -> None:
        task = self._webhook_tasks.pop(bot.id, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(transport=self._webhook_transport, timeout=10.0)
        return self._http

    async def _deliver(self, bot: Bot) -> None:
        """POST queued updates one by one to the webhook, retrying with backoff on failure."""
        delay = self.webhook_retry_seconds
        while bot.webhook is not None:
            if not bot.updates:
                await bot.changed.wait()
                continue
            webhook = bot.webhook
            update_id, update = bot.updates[0]
            headers = {}
            if webhook.secret_token:
                headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
            problem: str | None = None
            try:
                response = await self._client().post(webhook.url, json=update, headers=headers)
                if not 200 <= response.status_code < 300:
                    problem = f"Wrong response from the webhook: {response.status_code}"
            except httpx.HTTPError as exc:
                problem = f"Connection failed: {type(exc).__name__}"
            if problem is None:
                if bot.updates and bot.updates[0][0] == update_id:
                    bot.confirm(update_id + 1)
                delay = self.webhook_retry_seconds
                continue
            webhook.last_error_date = self.now()
            webhook.last_error_message = problem
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_WEBHOOK_RETRY_SECONDS)

    async def aclose(self) -> None:
        """Stop background webhook delivery and close its HTTP client."""
        for bot_id in list(self._webhook_tasks):
            await self.stop_webhook(self.bots[bot_id])
        if self._http is not None:
            await self._http.aclose()
            self._http = None
