"""Webhook mode: updates are POSTed to the bot's URL (with its secret), retried after failures,
and getUpdates is refused while a webhook is set, all against a small in-process receiver.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Bot
from telegram.error import Conflict

from sandbox import create_app
from sandbox.client import SandboxClient
from tests.sandbox.support import BASE, MEI, Poller, ptb_bot, world_of

HOOK = "http://receiver.test/hook"


@dataclass
class Receiver:
    """A stand-in for the bot's webhook server that records what it receives."""

    failures_left: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[str | None] = field(default_factory=list)

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            if self.failures_left > 0:
                self.failures_left -= 1
                return Response(status_code=500)
            self.received.append(await request.json())
            self.secrets.append(request.headers.get("x-telegram-bot-api-secret-token"))
            return Response(status_code=200)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])

    async def wait_for(self, count: int) -> list[dict[str, Any]]:
        for _ in range(300):
            if len(self.received) >= count:
                return self.received
            await asyncio.sleep(0.01)
        raise AssertionError(f"only {len(self.received)} of {count} updates arrived")


@dataclass
class Setup:
    bot: Bot
    sandbox: SandboxClient
    receiver: Receiver
    app: Starlette


@pytest.fixture
async def hooked() -> AsyncIterator[Setup]:
    receiver = Receiver()
    app = create_app(webhook_transport=httpx.ASGITransport(app=receiver.app()))
    world_of(app).webhook_retry_seconds = 0.02
    transport = httpx.ASGITransport(app=app)
    async with ptb_bot(transport) as bot, SandboxClient(BASE, transport=transport) as sandbox:
        await sandbox.create_user(MEI, "小美")
        await sandbox.send_message(MEI, "/start")
        poller = Poller(bot)
        await poller.next()
        await poller.confirm()
        yield Setup(bot, sandbox, receiver, app)
    await world_of(app).aclose()


async def test_updates_are_posted_with_the_secret_token(hooked: Setup) -> None:
    assert await hooked.bot.set_webhook(HOOK, secret_token="s3cret-Token_1")
    sent = await hooked.sandbox.send_message(MEI, "/help")
    [update] = await hooked.receiver.wait_for(1)
    assert update["update_id"] == sent["update_id"]
    assert update["message"]["text"] == "/help"
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]
    assert hooked.receiver.secrets == ["s3cret-Token_1"]
    await hooked.sandbox.wait_until_delivered(timeout=1)
    info = await hooked.bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == (HOOK, 0)


async def test_failed_deliveries_are_retried_in_order(hooked: Setup) -> None:
    hooked.receiver.failures_left = 2
    await hooked.bot.set_webhook(HOOK)
    await hooked.sandbox.send_message(MEI, "first")
    await hooked.sandbox.send_message(MEI, "second")
    received = await hooked.receiver.wait_for(2)
    assert [u["message"]["text"] for u in received] == ["first", "second"]
    info = await hooked.bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 500"


async def test_get_updates_conflicts_with_an_active_webhook(hooked: Setup) -> None:
    waiting = asyncio.create_task(hooked.bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    await hooked.bot.set_webhook(HOOK)
    with pytest.raises(Conflict, match="terminated by setWebhook request"):
        await asyncio.wait_for(waiting, 2)
    with pytest.raises(Conflict) as refused:
        await hooked.bot.get_updates()
    assert refused.value.message == (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )


async def test_delete_webhook_can_drop_pending_updates(hooked: Setup) -> None:
    hooked.receiver.failures_left = 1000
    await hooked.bot.set_webhook(HOOK)
    await hooked.sandbox.send_message(MEI, "lost")
    assert (await hooked.bot.get_webhook_info()).pending_update_count == 1
    assert await hooked.bot.delete_webhook(drop_pending_updates=True)
    assert await hooked.bot.get_updates() == ()
    status = await hooked.sandbox.updates()
    assert status["pending"] == 0
    await hooked.sandbox.send_message(MEI, "kept")
    [update] = await hooked.bot.get_updates()
    assert update.message is not None
    assert update.message.text == "kept"


async def test_set_webhook_answers_with_telegrams_descriptions(hooked: Setup) -> None:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=hooked.app), base_url=BASE)
    async with http:
        url = f"/bot{hooked.bot.token}"
        first = (await http.post(f"{url}/setWebhook", json={"url": HOOK})).json()
        again = (await http.post(f"{url}/setWebhook", json={"url": HOOK})).json()
        gone = (await http.post(f"{url}/deleteWebhook")).json()
        twice = (await http.post(f"{url}/deleteWebhook")).json()
    assert first == {"ok": True, "result": True, "description": "Webhook was set"}
    assert again["description"] == "Webhook is already set"
    assert gone["description"] == "Webhook was deleted"
    assert twice["description"] == "Webhook is already deleted"
    bots = await hooked.sandbox.bots()
    assert bots[0]["webhook"] is None
