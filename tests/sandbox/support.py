"""Shared pieces of the sandbox tests: the tokens and people, a PTB bot on the in-process sandbox,
and a poller that confirms updates the way PTB's Updater does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
from starlette.applications import Starlette
from telegram import Bot, Update
from telegram.request import HTTPXRequest

from sandbox.state import World

TOKEN = "123456:" + "A" * 35
OTHER_TOKEN = "654321:" + "B" * 35
BASE = "http://sandbox"
MEI = 1001

BotFactory = Callable[[str], Awaitable[Bot]]


def world_of(app: Starlette) -> World:
    world: World = app.state.sandbox
    return world


def ptb_bot(transport: httpx.AsyncBaseTransport, token: str = TOKEN) -> Bot:
    """An unmodified telegram.Bot whose HTTP goes to the in-process sandbox."""
    return Bot(
        token,
        base_url=f"{BASE}/bot",
        base_file_url=f"{BASE}/file/bot",
        request=HTTPXRequest(httpx_kwargs={"transport": transport}),
        get_updates_request=HTTPXRequest(httpx_kwargs={"transport": transport}),
    )


class Poller:
    """getUpdates the way PTB's Updater does it: each call confirms what the last one returned."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.offset: int | None = None

    async def next(self, wait: int = 0) -> tuple[Update, ...]:
        """The next updates, long-polling up to `wait` seconds for them."""
        updates = await self.bot.get_updates(offset=self.offset, timeout=wait)
        if updates:
            self.offset = updates[-1].update_id + 1
        return updates

    async def confirm(self) -> None:
        """Tell the sandbox everything fetched so far was handled."""
        if self.offset is not None:
            await self.bot.get_updates(offset=self.offset)
