"""Running the bot: against Telegram (polling or webhook), or in sandbox mode on this machine.

Sandbox mode starts the local Bot API stand-in and the bot against it in one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Callable

import httpx
import uvicorn

from bot.app import announce_bot, build_application, open_services
from bot.config import Settings
from bot.demo import PEOPLE, demo_guide, seed
from bot.services import Services
from sandbox import create_app

log = logging.getLogger(__name__)
Announce = Callable[[str], None]


class PortInUseError(RuntimeError):
    """The sandbox port is taken; the message says how to pick another."""


def _stop_event() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


async def run(settings: Settings, announce: Announce) -> None:
    """Open the services and run until SIGINT/SIGTERM."""
    services = await open_services(settings)
    try:
        if settings.sandbox:
            await _run_sandbox(services, announce)
        else:
            await _run_telegram(services, announce)
    finally:
        await services.db.close()


async def _run_telegram(services: Services, announce: Announce) -> None:
    settings = services.settings
    application = build_application(services)
    stop = _stop_event()
    async with application:
        await announce_bot(application)
        await application.start()
        updater = application.updater
        assert updater is not None
        if settings.webhook_url:
            await updater.start_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path="telegram",
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret.reveal() if settings.webhook_secret else None,
            )
            announce(
                f"safetynet: webhook mode, listening on {settings.webhook_listen}:"
                f"{settings.webhook_port} for {settings.webhook_url}"
            )
        else:
            await updater.start_polling(drop_pending_updates=False)
            announce(f"safetynet: connected to Telegram as @{application.bot.username} (polling)")
        await stop.wait()
        await updater.stop()
        await application.stop()


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise PortInUseError(
            f"{host}:{port} is already in use ({error.strerror}). "
            f"Start with another port: make run ARGS='--port 8082'"
        ) from error
    return sock


async def _run_sandbox(services: Services, announce: Announce) -> None:
    settings = services.settings
    sock = _bind(settings.sandbox_host, settings.sandbox_port)
    server = uvicorn.Server(
        uvicorn.Config(create_app(), log_level="warning", lifespan="off", access_log=False)
    )
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if serving.done():
            serving.result()
            return
        await asyncio.sleep(0.02)
    base = f"http://{settings.sandbox_host}:{settings.sandbox_port}"
    demo_created: bool | None = None
    if settings.demo:
        demo_created = await _demo_people(services, base)
    application = build_application(services, api_base_url=base)
    stop = _stop_event()
    try:
        async with application:
            await announce_bot(application)
            await application.start()
            updater = application.updater
            assert updater is not None
            await updater.start_polling(poll_interval=0.0, timeout=10)
            announce(sandbox_banner(base, application.bot.username, demo=demo_created))
            await stop.wait()
            await updater.stop()
            await application.stop()
    finally:
        server.should_exit = True
        await serving


async def _demo_people(services: Services, base: str) -> bool:
    """The demo district, seeded once, and its people present in the sandbox for the web chat;
    True when it was seeded just now."""
    created = await seed(services)
    async with httpx.AsyncClient(base_url=base) as client:
        for person in PEOPLE:
            response = await client.post(
                "/sandbox/users",
                json={
                    "id": person.telegram_user_id,
                    "first_name": person.name,
                    "language_code": "zh-hant",
                },
            )
            response.raise_for_status()
    return created


def sandbox_banner(base: str, username: str, *, demo: bool | None = None) -> str:
    """What to do next; with the demo (`demo` says whether it was created now), whom to play
    instead of how to make a first administrator."""
    first_steps = (
        [demo_guide(demo)]
        if demo is not None
        else ["  第一個管理者 / first admin:  .venv/bin/safetynet invite --role admin"]
    )
    return "\n".join(
        [
            "safetynet 沙盒模式 (sandbox mode): 未連線 Telegram，不會傳送任何訊息到外部。",
            f"  網頁對話 / web chat:  {base}/",
            f"  Bot API 沙盒 / sandbox:  {base}   (bot @{username})",
            f"  扮演使用者 / play a person:  POST {base}/sandbox/users  "
            '{"id": 1001, "first_name": "小美"}',
            f"  傳訊息 / send a message:     POST {base}/sandbox/messages  "
            '{"user_id": 1001, "text": "/start 邀請碼"}',
            f"  看對話 / read the chat:      GET  {base}/sandbox/chats/1001/messages",
            *first_steps,
            "  結束 / stop: Ctrl-C",
        ]
    )
