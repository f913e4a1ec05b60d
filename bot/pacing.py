"""Pacing of what the bot sends on its own (nudge digests): at most one message a second to
one chat, and at most `overall` a second in all — Telegram answers 429 beyond about 30/s, and
the configured rate (default 25/s) leaves room for the replies people are waiting for.

The overall rate is also enforced for every API call by python-telegram-bot's `AIORateLimiter`
(`bot.app`); this pacer adds the per-chat spacing that the limiter leaves to the caller for
private chats, and keeps a batch from bursting ahead of the limiter.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

PER_CHAT_SECONDS = 1.0


class Pacer:
    """Waits, before a send, until both the chat and the overall budget allow it."""

    def __init__(
        self,
        overall_per_second: float,
        *,
        per_chat_seconds: float = PER_CHAT_SECONDS,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if overall_per_second <= 0:
            raise ValueError("the overall rate must be positive")
        self.rate = overall_per_second
        self.interval = 1.0 / overall_per_second
        self.per_chat = per_chat_seconds
        self.clock = clock
        self.sleep = sleep
        self._next_any = 0.0
        self._next_chat: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def wait(self, chat_id: int) -> float:
        """Sleep until a message to `chat_id` may go; returns how long it waited."""
        async with self._lock:
            now = self.clock()
            start = max(now, self._next_any, self._next_chat.get(chat_id, 0.0))
            self._next_any = start + self.interval
            self._next_chat[chat_id] = start + self.per_chat
            if len(self._next_chat) > 10_000:  # forget chats whose spacing has passed
                self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
        waited = start - now
        if waited > 0:
            await self.sleep(waited)
        return waited
