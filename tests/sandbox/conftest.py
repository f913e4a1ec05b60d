"""Fixtures for the sandbox tests: an in-process sandbox, raw HTTP, the control client and PTB bots.
Nothing binds a port: every client talks to the app through httpx.ASGITransport.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from telegram import Bot

from sandbox import create_app
from sandbox.client import SandboxClient
from tests.sandbox.support import BASE, MEI, TOKEN, BotFactory, Poller, ptb_bot, world_of


@pytest.fixture
async def app() -> AsyncIterator[Starlette]:
    application = create_app()
    yield application
    # ASGITransport runs no lifespan, so stop webhook delivery here.
    await world_of(application).aclose()


@pytest.fixture
def transport(app: Starlette) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=app)


@pytest.fixture
async def http(transport: httpx.ASGITransport) -> AsyncIterator[httpx.AsyncClient]:
    """Raw HTTP to the sandbox, for calls PTB would never make."""
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


@pytest.fixture
async def sandbox(transport: httpx.ASGITransport) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(BASE, transport=transport) as client:
        yield client


@pytest.fixture
async def make_bot(transport: httpx.ASGITransport) -> AsyncIterator[BotFactory]:
    started: list[Bot] = []

    async def make(token: str) -> Bot:
        bot = ptb_bot(transport, token)
        await bot.initialize()
        started.append(bot)
        return bot

    yield make
    for bot in started:
        await bot.shutdown()


@pytest.fixture
async def bot(make_bot: BotFactory) -> Bot:
    return await make_bot(TOKEN)


@pytest.fixture
async def mei(sandbox: SandboxClient, bot: Bot) -> int:
    """小美, who has started the bot: her private chat exists and the bot knows it."""
    await sandbox.create_user(MEI, "小美", username="mei", language_code="zh-hant")
    await sandbox.send_message(MEI, "/start")
    poller = Poller(bot)
    await poller.next()
    await poller.confirm()  # so each test starts with an empty update queue
    return MEI
