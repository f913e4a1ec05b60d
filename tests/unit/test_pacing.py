"""The sender's pacing: 1 message a second to a chat, the configured rate overall."""

from __future__ import annotations

import pytest

from bot.pacing import Pacer


class FakeTime:
    """A clock that only moves when the pacer sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_the_overall_rate_spaces_sends_to_different_chats() -> None:
    fake = FakeTime()
    pacer = Pacer(25, clock=fake.clock, sleep=fake.sleep)
    for chat in range(50):
        await pacer.wait(chat)
    # 50 messages at 25/s: the last goes 49 intervals after the first, about 1.96 s.
    assert fake.now - 100.0 == pytest.approx(49 / 25)


async def test_one_chat_gets_at_most_one_message_a_second() -> None:
    fake = FakeTime()
    pacer = Pacer(25, clock=fake.clock, sleep=fake.sleep)
    await pacer.wait(7)
    await pacer.wait(8)  # another chat: only the overall spacing
    assert fake.now == pytest.approx(100.04)
    await pacer.wait(7)
    assert fake.now == pytest.approx(101.0)


async def test_no_wait_when_time_has_passed() -> None:
    fake = FakeTime()
    pacer = Pacer(25, clock=fake.clock, sleep=fake.sleep)
    await pacer.wait(1)
    fake.now += 5
    assert await pacer.wait(1) == 0
    assert fake.slept == []


def test_a_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Pacer(0)
