"""A harness for tests that read like transcripts: people talk to the real bot through the sandbox.

The bot runs exactly as deployed (python-telegram-bot polling the Bot API), except that the
sandbox is mounted in-process through httpx's ASGI transport instead of over a socket.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.accounts import IssuedInvite
from bot.app import announce_bot, build_application, open_services
from bot.config import Settings
from bot.domain.roles import Role
from bot.services import Services

SANDBOX_URL = "http://sandbox.test"
SETTLE_TIMEOUT = 10.0


@dataclass(frozen=True)
class Said:
    """One message of a chat as the person sees it."""

    message_id: int
    sender: str  # "user" or "bot"
    text: str
    buttons: list[list[dict[str, Any]]]
    edited: bool
    deleted: bool
    document: dict[str, Any] | None = None
    photo: dict[str, Any] | None = None

    @property
    def labels(self) -> list[str]:
        return [button["text"] for row in self.buttons for button in row]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Said:
        return cls(
            message_id=data["message_id"],
            sender=data["from"],
            text=data.get("text") or "",
            buttons=data.get("buttons") or [],
            edited=bool(data.get("edited")),
            deleted=bool(data.get("deleted")),
            document=data.get("document"),
            photo=data.get("photo"),
        )


@dataclass
class Person:
    """Someone with a Telegram account, talking to the bot in their private chat."""

    world: World
    user_id: int
    first_name: str
    alerts: list[str] = field(default_factory=list)

    async def says(self, text: str) -> list[Said]:
        """Send a text message; returns the bot's new messages in this chat."""
        return await self.sends({"text": text})

    async def sends(self, payload: dict[str, Any]) -> list[Said]:
        before = await self.last_message_id()
        body = {"user_id": self.user_id, **payload}
        response = await self.world.http.post("/sandbox/messages", json=body)
        response.raise_for_status()
        await self.world.settle(response.json()["update_id"])
        return await self.bot_messages(after=before)

    async def presses(self, label: str) -> list[Said]:
        """Press the newest button with this label; returns the bot's new messages."""
        chat = await self.chat()
        for message in reversed(chat):
            if message.deleted:
                continue
            for row in message.buttons:
                for button in row:
                    if button["text"] == label and "callback_data" in button:
                        return await self.presses_data(message.message_id, button["callback_data"])
        shown = [m.labels for m in chat if m.buttons]
        raise AssertionError(f"{self.first_name} sees no button {label!r}; buttons: {shown}")

    async def presses_data(self, message_id: int, data: str) -> list[Said]:
        before = await self.last_message_id()
        response = await self.world.http.post(
            "/sandbox/callbacks",
            json={"user_id": self.user_id, "message_id": message_id, "data": data},
        )
        response.raise_for_status()
        result = response.json()
        await self.world.settle(result["update_id"])
        answered = await self.world.http.get(f"/sandbox/callbacks/{result['callback_query_id']}")
        answered.raise_for_status()
        alert = answered.json().get("text")
        if alert:
            self.alerts.append(alert)
        return await self.bot_messages(after=before)

    async def chat(self, after: int = 0) -> list[Said]:
        response = await self.world.http.get(
            f"/sandbox/chats/{self.user_id}/messages", params={"after": after}
        )
        response.raise_for_status()
        payload = response.json()
        items = payload["messages"] if isinstance(payload, dict) else payload
        return [Said.from_json(item) for item in items]

    async def bot_messages(self, after: int = 0) -> list[Said]:
        return [m for m in await self.chat(after) if m.sender == "bot"]

    async def last_message_id(self) -> int:
        chat = await self.chat()
        return chat[-1].message_id if chat else 0

    async def last_bot_message(self) -> Said:
        messages = await self.bot_messages()
        assert messages, f"the bot never wrote to {self.first_name}"
        return messages[-1]


class SocketLikeTransport(httpx.AsyncBaseTransport):
    """The in-process sandbox, with the read timeout a socket would enforce: httpx's ASGI
    transport has none, so a slow answer would otherwise never time out. Time spent past the
    timeout raises httpx.ReadTimeout, as a real connection does — whatever the sandbox did
    with the request stays done."""

    def __init__(self, app: Starlette) -> None:
        self.inner = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        read = timeouts.get("read")
        try:
            return await asyncio.wait_for(self.inner.handle_async_request(request), read)
        except TimeoutError as error:
            raise httpx.ReadTimeout(
                "the sandbox did not answer in time", request=request
            ) from error

    async def aclose(self) -> None:
        await self.inner.aclose()


class World:
    """The sandbox, the bot polling it, and the people in it."""

    def __init__(self, settings: Settings, sandbox_app: Starlette) -> None:
        self.settings = settings
        self.sandbox_app = sandbox_app
        transport = httpx.ASGITransport(app=sandbox_app)
        self.http = httpx.AsyncClient(transport=transport, base_url=SANDBOX_URL)
        self.services: Services | None = None
        self.application: Application | None = None  # type: ignore[type-arg]
        self._ids = itertools.count(1001)

    async def start_bot(self) -> None:
        self.services = await open_services(self.settings)

        def request() -> HTTPXRequest:
            transport = SocketLikeTransport(self.sandbox_app)
            return HTTPXRequest(httpx_kwargs={"transport": transport}, read_timeout=15)

        self.application = build_application(
            self.services,
            api_base_url=SANDBOX_URL,
            request=request(),
            get_updates_request=request(),
        )
        await self.application.initialize()
        await announce_bot(self.application)
        await self.application.start()
        assert self.application.updater is not None
        await self.application.updater.start_polling(poll_interval=0.0, timeout=1)

    async def stop_bot(self) -> None:
        if self.application is not None:
            if self.application.updater is not None and self.application.updater.running:
                await self.application.updater.stop()
            if self.application.running:
                await self.application.stop()
            await self.application.shutdown()
            self.application = None
        if self.services is not None:
            await self.services.db.close()
            self.services = None

    async def restart_bot(self) -> None:
        """Stop the bot as a crash or a deploy would, and start a fresh one on the same data."""
        await self.stop_bot()
        await self.start_bot()

    async def close(self) -> None:
        await self.stop_bot()
        await self.http.aclose()

    @property
    def bot_services(self) -> Services:
        assert self.services is not None, "the bot is not running"
        return self.services

    async def settle(self, update_id: int) -> None:
        """Wait until the bot has fetched this update and finished handling everything queued."""
        application = self.application
        assert application is not None, "the bot is not running"
        deadline = asyncio.get_running_loop().time() + SETTLE_TIMEOUT
        while True:
            state = (await self.http.get("/sandbox/updates")).json()
            if (state.get("last_confirmed") or 0) >= update_id:
                break
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"the bot did not fetch update {update_id}: {state}")
            await asyncio.sleep(0.005)
        await asyncio.wait_for(application.update_queue.join(), SETTLE_TIMEOUT)

    async def person(
        self, first_name: str, *, language_code: str = "zh-hant", user_id: int | None = None
    ) -> Person:
        user_id = user_id or next(self._ids)
        response = await self.http.post(
            "/sandbox/users",
            json={"id": user_id, "first_name": first_name, "language_code": language_code},
        )
        response.raise_for_status()
        return Person(self, user_id, first_name)

    async def shell_invite(self, role: Role, unit_id: str | None = None) -> IssuedInvite:
        """What `safetynet invite --role …` does."""
        services = self.bot_services
        unit = services.jurisdiction.unit(unit_id)
        if role is Role.ADMIN and unit is None:
            unit = services.jurisdiction.unit("sab")
        issued = await services.accounts.issue_invite(issuer=None, role=role, unit=unit)
        assert isinstance(issued, IssuedInvite)
        return issued

    async def register(
        self,
        person: Person,
        code: str,
        name: str,
        *,
        district: str | None = None,
        unit: str | None = None,
    ) -> list[Said]:
        """A person goes through registration with a code (the short way, for set-up)."""
        await person.says(f"/start {code}")
        replies = await person.says(name)
        if district is not None:
            await person.presses(district)
        if unit is not None:
            replies = await person.presses(unit)
        return replies


async def active_member(world: World, role: Role, unit_id: str, name: str) -> Person:
    """Someone of `role` at `unit_id`, registered through a shell invite (active at once)."""
    invite = await world.shell_invite(role, unit_id)
    person = await world.person(name)
    replies = await world.register(person, invite.code, name)
    assert "註冊完成" in replies[-1].text, replies[-1].text
    return person
