"""A small typed async client of the sandbox's control API, for tests, benchmarks and demos.
It plays the people: creates them, sends their messages, presses buttons, and reads the chats.
"""

from __future__ import annotations

import asyncio
import base64
import time
from types import TracebackType
from typing import Any, NotRequired, TypedDict, cast

import httpx

__all__ = [
    "ChatMessage",
    "PressedButton",
    "SandboxClient",
    "SandboxError",
    "SentMessage",
    "UpdateStatus",
]


class SentMessage(TypedDict):
    """The person's message; a text over 4096 UTF-16 units goes out as several, like in the
    Telegram apps, and message_id/update_id are then those of the last piece."""

    message_id: int
    update_id: int
    chat_id: int
    message_ids: list[int]
    update_ids: list[int]


class PressedButton(TypedDict):
    callback_query_id: str
    update_id: int


class UpdateStatus(TypedDict):
    pending: int
    last_update_id: int
    last_confirmed: int


ChatMessage = TypedDict(
    "ChatMessage",
    {
        "message_id": int,
        "from": str,  # "user" | "bot"
        "user_id": int | None,
        "date": int,
        "text": str | None,
        "entities": list[dict[str, Any]],
        "html": str | None,
        "parse_mode": str | None,
        "buttons": list[list[dict[str, str]]],
        "keyboard": list[list[str]] | None,
        "remove_keyboard": bool,
        "force_reply": bool,
        "document": dict[str, Any] | None,
        "photo": dict[str, Any] | None,
        "reply_to_message_id": int | None,
        "edited": bool,
        "deleted": bool,
        "sticker": NotRequired[dict[str, Any]],
        "voice": NotRequired[dict[str, Any]],
        "location": NotRequired[dict[str, float]],
    },
)


class SandboxError(Exception):
    """The control API refused a request; description is its explanation."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"{status}: {description}")
        self.status = status
        self.description = description


class SandboxClient:
    """Control-API client. Pass transport=httpx.ASGITransport(app) to talk to an in-process app."""

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8081",
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        timeout: float = 10.0,
    ) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, transport=transport, timeout=timeout)

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(
        self,
        verb: str,
        path: str,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        response = await self._http.request(verb, path, json=body, params=clean)
        if response.is_error:
            try:
                description = str(response.json().get("description", response.text))
            except ValueError:
                description = response.text
            raise SandboxError(response.status_code, description)
        return response.json()

    # --- bots and people ------------------------------------------------------------------------

    async def register_bot(
        self, token: str, *, username: str | None = None, first_name: str | None = None
    ) -> dict[str, Any]:
        body = _without_none({"token": token, "username": username, "first_name": first_name})
        return cast(dict[str, Any], await self._call("POST", "/sandbox/bots", body))

    async def bots(self) -> list[dict[str, Any]]:
        return cast(list[dict[str, Any]], await self._call("GET", "/sandbox/bots"))

    async def create_user(
        self,
        user_id: int,
        first_name: str,
        *,
        username: str | None = None,
        language_code: str | None = None,
        last_name: str | None = None,
    ) -> dict[str, Any]:
        body = _without_none(
            {
                "id": user_id,
                "first_name": first_name,
                "username": username,
                "language_code": language_code,
                "last_name": last_name,
            }
        )
        return cast(dict[str, Any], await self._call("POST", "/sandbox/users", body))

    async def users(self) -> list[dict[str, Any]]:
        return cast(list[dict[str, Any]], await self._call("GET", "/sandbox/users"))

    async def block(self, user_id: int, *, bot: str | None = None) -> dict[str, Any]:
        """The person blocks the bot (every bot when bot is None): sends to them get 403."""
        body = _without_none({"bot": bot})
        return cast(
            dict[str, Any], await self._call("POST", f"/sandbox/users/{user_id}/block", body)
        )

    async def unblock(self, user_id: int, *, bot: str | None = None) -> dict[str, Any]:
        body = _without_none({"bot": bot})
        path = f"/sandbox/users/{user_id}/unblock"
        return cast(dict[str, Any], await self._call("POST", path, body))

    # --- what the people do ---------------------------------------------------------------------

    async def send_message(
        self,
        user_id: int,
        text: str | None = None,
        *,
        bot: str | None = None,
        chat: dict[str, Any] | None = None,
        photo: bool = False,
        sticker: str | None = None,
        voice: bool = False,
        location: tuple[float, float] | None = None,
        document: dict[str, Any] | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> SentMessage:
        """The person sends text (or one other kind of content) to the bot."""
        body = _without_none(
            {
                "user_id": user_id,
                "text": text,
                "bot": bot,
                "chat": chat,
                "photo": photo or None,
                "sticker": sticker,
                "voice": voice or None,
                "location": None
                if location is None
                else {"latitude": location[0], "longitude": location[1]},
                "document": document,
                "caption": caption,
                "reply_to_message_id": reply_to_message_id,
            }
        )
        return cast(SentMessage, await self._call("POST", "/sandbox/messages", body))

    async def send_document(
        self,
        user_id: int,
        file_name: str,
        content: bytes,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        bot: str | None = None,
        chat: dict[str, Any] | None = None,
    ) -> SentMessage:
        document = _without_none(
            {
                "file_name": file_name,
                "content_base64": base64.b64encode(content).decode("ascii"),
                "mime_type": mime_type,
            }
        )
        return await self.send_message(
            user_id, bot=bot, chat=chat, document=document, caption=caption
        )

    async def send_callback(
        self,
        user_id: int,
        message_id: int,
        data: str,
        *,
        bot: str | None = None,
        chat_id: int | None = None,
    ) -> PressedButton:
        """The person presses the inline button with that callback_data on a bot message."""
        body = _without_none(
            {
                "user_id": user_id,
                "message_id": message_id,
                "data": data,
                "bot": bot,
                "chat_id": chat_id,
            }
        )
        return cast(PressedButton, await self._call("POST", "/sandbox/callbacks", body))

    async def callback(self, callback_query_id: str) -> dict[str, Any]:
        """Whether and how the bot answered a button press (answered, text, show_alert)."""
        path = f"/sandbox/callbacks/{callback_query_id}"
        return cast(dict[str, Any], await self._call("GET", path))

    # --- what the tests look at -----------------------------------------------------------------

    async def messages(
        self, chat_id: int, *, after: int | None = None, bot: str | None = None
    ) -> list[ChatMessage]:
        params = {"after": after, "bot": bot}
        path = f"/sandbox/chats/{chat_id}/messages"
        return cast(list[ChatMessage], await self._call("GET", path, params=params))

    async def file(self, file_id: str) -> bytes:
        response = await self._http.get(f"/sandbox/files/{file_id}")
        if response.is_error:
            raise SandboxError(response.status_code, response.text)
        return response.content

    async def updates(self, bot: str | None = None) -> UpdateStatus:
        return cast(UpdateStatus, await self._call("GET", "/sandbox/updates", params={"bot": bot}))

    async def wait_until_delivered(
        self,
        bot: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109  (the agreed signature; polls, nothing to cancel)
        *,
        interval: float = 0.01,
    ) -> None:
        """Wait until the bot has fetched every queued update (TimeoutError otherwise)."""
        deadline = time.monotonic() + timeout
        while True:
            status = await self.updates(bot)
            if status["pending"] == 0:
                return
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{status['pending']} update(s) still not fetched by the bot")
            await asyncio.sleep(interval)

    async def wait_for_bot_message(
        self,
        chat_id: int,
        *,
        after: int | None = None,
        bot: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109  (mirrors wait_until_delivered)
        interval: float = 0.01,
    ) -> ChatMessage:
        """The first message from the bot in the chat after message id `after`."""
        deadline = time.monotonic() + timeout
        while True:
            for message in await self.messages(chat_id, after=after, bot=bot):
                if message["from"] == "bot":
                    return message
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no bot message in chat {chat_id} after {after}")
            await asyncio.sleep(interval)

    # --- flood control, faults and statistics ---------------------------------------------------

    async def set_flood(
        self,
        enabled: bool = True,
        *,
        global_per_second: float | None = None,
        per_chat_per_second: float | None = None,
        per_group_per_minute: int | None = None,
    ) -> dict[str, Any]:
        body = _without_none(
            {
                "enabled": enabled,
                "global_per_second": global_per_second,
                "per_chat_per_second": per_chat_per_second,
                "per_group_per_minute": per_group_per_minute,
            }
        )
        return cast(dict[str, Any], await self._call("POST", "/sandbox/flood", body))

    async def inject_fault(
        self,
        method: str,
        *,
        status: int | None = None,
        count: int = 1,
        delay_seconds: float | None = None,
        after_effect: bool = False,
        description: str | None = None,
        retry_after: int | None = None,
    ) -> dict[str, Any]:
        """Make the next `count` calls of a Bot API method fail (status) and/or hang (delay)."""
        body = _without_none(
            {
                "method": method,
                "status": status,
                "count": count,
                "delay_seconds": delay_seconds,
                "after_effect": after_effect,
                "description": description,
                "retry_after": retry_after,
            }
        )
        return cast(dict[str, Any], await self._call("POST", "/sandbox/faults", body))

    async def clear_faults(self) -> None:
        await self._call("DELETE", "/sandbox/faults")

    async def stats(self) -> dict[str, Any]:
        """Bot API calls and 429s per method."""
        return cast(dict[str, Any], await self._call("GET", "/sandbox/stats"))


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}
