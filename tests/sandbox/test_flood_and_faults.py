"""Flood-control emulation (429 with retry_after), injected faults and per-method statistics.
These feed the bot's retry and timeout handling tests, so the shapes must be Telegram's.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from telegram import Bot
from telegram.error import NetworkError, RetryAfter

from sandbox import FloodControl, create_app
from sandbox.client import SandboxClient
from tests.sandbox.support import BASE, MEI, TOKEN, ptb_bot, world_of

GROUP_ID = -100777
GROUP = {"id": GROUP_ID, "type": "group", "title": "值班群組"}


async def send(http: httpx.AsyncClient, chat_id: int, text: str = "hi") -> httpx.Response:
    return await http.post(f"/bot{TOKEN}/sendMessage", json={"chat_id": chat_id, "text": text})


@pytest.fixture
async def limited() -> AsyncIterator[Starlette]:
    application = create_app(
        flood=FloodControl(global_per_second=3, per_chat_per_second=1, per_group_per_minute=2)
    )
    yield application
    await world_of(application).aclose()


@pytest.fixture
async def limited_http(limited: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=limited)
    async with (
        httpx.AsyncClient(transport=transport, base_url=BASE) as http,
        SandboxClient(BASE, transport=transport) as sandbox,
    ):
        await http.get(f"/bot{TOKEN}/getMe")
        for user_id in (MEI, 1002, 1003, 1004):
            await sandbox.create_user(user_id, f"person {user_id}")
            await sandbox.send_message(user_id, "/start")
        await sandbox.send_message(MEI, "/start", chat=GROUP)
        yield http


async def test_second_message_to_one_chat_within_a_second_is_flood_limited(
    limited_http: httpx.AsyncClient,
) -> None:
    assert (await send(limited_http, MEI)).status_code == 200
    response = await send(limited_http, MEI)
    assert response.status_code == 429
    assert response.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    stats = (await limited_http.get("/sandbox/stats")).json()
    assert stats["rate_limited"] == {"sendMessage": 1}
    assert stats["calls"]["sendMessage"] == 2


async def test_global_limit_spans_chats(limited_http: httpx.AsyncClient) -> None:
    statuses = [(await send(limited_http, chat)).status_code for chat in (MEI, 1002, 1003, 1004)]
    assert statuses == [200, 200, 200, 429]


async def test_groups_have_a_per_minute_limit(
    limited: Starlette, limited_http: httpx.AsyncClient
) -> None:
    now = [1000.0]
    world_of(limited).monotonic = lambda: now[0]
    assert (await send(limited_http, GROUP_ID)).status_code == 200
    now[0] += 1.5  # past the per-chat second, still inside the group's minute
    assert (await send(limited_http, GROUP_ID)).status_code == 200
    now[0] += 1.5
    third = await send(limited_http, GROUP_ID)
    assert third.status_code == 429
    assert third.json()["parameters"]["retry_after"] == 27  # 30 s per message, 3 s gone
    now[0] += 27
    assert (await send(limited_http, GROUP_ID)).status_code == 200


async def test_ptb_raises_retry_after(
    limited: Starlette, limited_http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PTB warns about retry_after becoming a timedelta unless opted in; warnings are errors here.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with ptb_bot(httpx.ASGITransport(app=limited)) as bot:
        await bot.send_message(MEI, "one")
        with pytest.raises(RetryAfter) as limited_error:
            await bot.send_message(MEI, "two")
    assert limited_error.value.retry_after == dtm.timedelta(seconds=1)


async def test_flood_emulation_is_off_by_default_and_switchable(
    http: httpx.AsyncClient, sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    assert all([(await send(http, mei)).status_code == 200 for _ in range(20)])
    state = await sandbox.set_flood(global_per_second=100, per_chat_per_second=1)
    assert state == {
        "enabled": True,
        "global_per_second": 100.0,
        "per_chat_per_second": 1.0,
        "per_group_per_minute": 20,
    }
    statuses = [(await send(http, mei)).status_code for _ in range(3)]
    assert statuses == [200, 429, 429]
    assert await sandbox.set_flood(False) == {"enabled": False}
    assert (await send(http, mei)).status_code == 200
    assert (await sandbox.stats())["rate_limited"] == {"sendMessage": 2}


async def test_injected_status_answers_the_next_calls_then_stops(
    http: httpx.AsyncClient, sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    await sandbox.inject_fault("sendMessage", status=502, count=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(mei, "x")
    response = await send(http, mei)
    assert response.status_code == 200
    await sandbox.inject_fault("sendmessage", status=429, retry_after=7)
    limited = await send(http, mei)
    assert limited.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    stats = await sandbox.stats()
    assert stats["faults_injected"] == {"sendMessage": 3}
    assert stats["rate_limited"] == {"sendMessage": 1}
    # Faults failed before sending: only the one successful message is in the chat.
    assert [m["text"] for m in await sandbox.messages(mei, after=1)] == ["hi"]


async def test_a_delayed_answer_after_the_effect_emulates_a_read_timeout(
    http: httpx.AsyncClient, sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    await sandbox.inject_fault("sendMessage", delay_seconds=0.3, after_effect=True)
    pending = asyncio.create_task(send(http, mei, "sent but slow"))
    await asyncio.sleep(0.1)
    assert not pending.done()
    # The client has not heard back, yet the message is already in the chat.
    assert [m["text"] for m in await sandbox.messages(mei, after=1)] == ["sent but slow"]
    assert (await pending).status_code == 200


async def test_a_delay_before_the_effect_holds_the_send(
    http: httpx.AsyncClient, sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    await sandbox.inject_fault("sendMessage", delay_seconds=0.2, status=500, count=1)
    pending = asyncio.create_task(send(http, mei, "never sent"))
    await asyncio.sleep(0.1)
    assert await sandbox.messages(mei, after=1) == []
    response = await pending
    assert response.json() == {
        "ok": False,
        "error_code": 500,
        "description": "Internal Server Error",
    }
    assert await sandbox.messages(mei, after=1) == []


async def test_faults_can_be_listed_and_cleared(
    http: httpx.AsyncClient, sandbox: SandboxClient, bot: Bot, mei: int
) -> None:
    await sandbox.inject_fault("sendMessage", status=503, count=5)
    assert (await http.get("/sandbox/faults")).json() == {
        "sendmessage": [
            {"status": 503, "delay_seconds": 0.0, "after_effect": False, "remaining": 5}
        ]
    }
    await sandbox.clear_faults()
    assert (await send(http, mei)).status_code == 200
