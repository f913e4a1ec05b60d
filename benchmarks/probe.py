"""The sandbox as `python -m sandbox` runs it, plus a recorder for the benchmarks.

`python -m benchmarks.probe --port P [--flood]` serves exactly `sandbox.create_app()` with
uvicorn, as `sandbox/__main__.py` does, wrapped in an ASGI middleware that only watches:

- every Bot API call: when its request arrived and when its answer left (time.monotonic, the
  system-wide CLOCK_MONOTONIC, so the benchmark process can compare with its own stamps), the
  method, the bot, the chat_id and callback_query_id it named, and its HTTP status;
- every getUpdates request when it arrives (a long poll answers late), and every answer: which
  updates (and their chats) it handed to which bot, and when;
- every update the control API queued (a person's message or button press), and when.

Two benchmark-only paths are added under /bench (the sandbox's own paths are untouched):

- `GET /bench/events` the record so far as JSON; `DELETE /bench/events` clears it;
- `GET /bench/wait?bot=&chat_id=&after=&want=buttons|any&contains=&timeout=` waits, without
  polling, until the bot has written a new message in that chat (after message id `after`) that
  has inline buttons (`want=buttons`) or contains a text (`contains=`), and returns the bot's new
  messages. It wakes on each Bot API call into that chat.

Nothing of the bot is imported: the probe sees the bot as Telegram would.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.app import create_app
from sandbox.state import FloodControl, World

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_WAIT_SECONDS = 60.0


class Recorder:
    """ASGI middleware around the sandbox app: records, never changes a request or answer."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.events: list[dict[str, Any]] = []
        self._chat_events: dict[tuple[int, int], asyncio.Event] = {}
        app.router.routes.insert(0, Route("/bench/events", self.get_events, methods=["GET"]))
        app.router.routes.insert(0, Route("/bench/events", self.clear_events, methods=["DELETE"]))
        app.router.routes.insert(0, Route("/bench/wait", self.wait, methods=["GET"]))

    @property
    def world(self) -> World:
        world: World = self.app.state.sandbox
        return world

    # --- the middleware -------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if path.startswith("/bot"):
            await self._bot_api(scope, receive, send, path)
        elif path in ("/sandbox/messages", "/sandbox/callbacks") and scope["method"] == "POST":
            await self._queued(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _bot_api(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        arrived = time.monotonic()
        token, _, method = path[4:].partition("/")
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 0
        body, replay = await _read_body(receive)
        status = 0
        chunks: list[bytes] = []
        watch_answer = method == "getUpdates"
        if watch_answer:  # a long poll answers late: its arrival is worth knowing on its own
            self.events.append({"k": "getUpdates", "t": arrived, "bot": bot_id})

        async def watching_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and watch_answer:
                chunks.append(bytes(message.get("body", b"")))
            await send(message)

        await self.app(scope, replay, watching_send)
        answered = time.monotonic()
        args = _arguments(scope, body)
        chat_id = _int_or_none(args.get("chat_id"))
        query_id = args.get("callback_query_id")
        if method != "getUpdates":
            self.events.append(
                {
                    "k": "call",
                    "t0": arrived,
                    "t1": answered,
                    "bot": bot_id,
                    "m": method,
                    "chat": chat_id,
                    "cq": query_id if isinstance(query_id, str) else None,
                    "status": status,
                }
            )
            if chat_id is not None:
                self._wake(bot_id, chat_id)
            return
        items = _delivered(b"".join(chunks)) if status == 200 else []
        self.events.append(
            {"k": "poll", "t0": arrived, "t1": answered, "bot": bot_id, "n": len(items)}
        )
        if items:
            self.events.append({"k": "upd", "t": answered, "bot": bot_id, "items": items})

    async def _queued(self, scope: Scope, receive: Receive, send: Send) -> None:
        body, replay = await _read_body(receive)
        status = 0
        chunks: list[bytes] = []

        async def watching_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))
            await send(message)

        await self.app(scope, replay, watching_send)
        if status != 201:
            return
        try:
            asked = json.loads(body or b"{}")
            answer = json.loads(b"".join(chunks))
        except ValueError:
            return
        username = asked.get("bot") if isinstance(asked, dict) else None
        bot = self.world.find_bot(username if isinstance(username, str) else None)
        self.events.append(
            {
                "k": "enq",
                "t": time.monotonic(),
                "bot": bot.id if bot else 0,
                "u": answer.get("update_id"),
                "user": asked.get("user_id"),
            }
        )

    def _wake(self, bot_id: int, chat_id: int) -> None:
        event = self._chat_events.pop((bot_id, chat_id), None)
        if event is not None:
            event.set()

    # --- the /bench paths ---------------------------------------------------------------------

    async def get_events(self, request: Request) -> Response:
        return JSONResponse(self.events)

    async def clear_events(self, request: Request) -> Response:
        self.events = []
        return JSONResponse({"ok": True})

    async def wait(self, request: Request) -> Response:
        """The bot's new messages in a chat once one has buttons or the wanted text."""
        params = request.query_params
        bot = self.world.find_bot(params.get("bot"))
        if bot is None:
            return JSONResponse({"ok": False, "description": "unknown bot"}, 404)
        chat_id = int(params["chat_id"])
        after = int(params.get("after") or 0)
        want = params.get("want", "buttons")
        contains = params.get("contains")
        timeout = min(float(params.get("timeout", "10")), MAX_WAIT_SECONDS)
        deadline = time.monotonic() + timeout
        while True:
            # Armed before looking: a call finishing between the look and the wait wakes it.
            event = self._chat_events.setdefault((bot.id, chat_id), asyncio.Event())
            conversation = bot.conversation(chat_id)
            new = [
                m
                for m in (conversation.after(after) if conversation else [])
                if m.from_bot and not m.deleted
            ]
            if _satisfied(new, want, contains):
                return JSONResponse([m.control() for m in new])
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return JSONResponse(
                    {"ok": False, "description": "timed out", "seen": [m.control() for m in new]},
                    408,
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)


def _satisfied(new: list[Any], want: str, contains: str | None) -> bool:
    if contains:
        return any(contains in (m.text or m.caption or "") for m in new)
    if want == "any":
        return bool(new)
    return any(m.markup is not None and m.markup.inline for m in new)


async def _read_body(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a `receive` that hands it to the app again."""
    parts: list[bytes] = []
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        parts.append(bytes(message.get("body", b"")))
        if not message.get("more_body", False):
            break

    async def replay() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return b"".join(parts), replay


def _arguments(scope: Scope, body: bytes) -> dict[str, Any]:
    """chat_id and callback_query_id from a Bot API request (form, JSON or query string)."""
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
    kind = headers.get("content-type", "")
    found: dict[str, Any] = {}
    query = scope.get("query_string", b"").decode("latin-1")
    if query:
        found |= {k: v[0] for k, v in parse_qs(query).items()}
    if "application/json" in kind:
        with contextlib.suppress(ValueError):
            data = json.loads(body or b"{}")
            if isinstance(data, dict):
                found |= data
    elif "x-www-form-urlencoded" in kind:
        found |= {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    return {k: found.get(k) for k in ("chat_id", "callback_query_id")}


def _int_or_none(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value)
    return None


def _delivered(raw: bytes) -> list[list[Any]]:
    """[[update_id, chat_id, callback_query_id], ...] of a getUpdates answer."""
    try:
        updates = json.loads(raw).get("result") or []
    except (ValueError, AttributeError):
        return []
    items = []
    for update in updates:
        message = update.get("message") or update.get("edited_message")
        query = update.get("callback_query")
        if message:
            items.append([update["update_id"], message["chat"]["id"], None])
        elif query:
            chat = (query.get("message") or {}).get("chat", {}).get("id")
            items.append([update["update_id"], chat, query["id"]])
        else:
            items.append([update["update_id"], None, None])
    return items


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.probe", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--flood", action="store_true", help="Telegram's flood limits")
    parser.add_argument("--log-level", default="warning")
    options = parser.parse_args(argv)
    flood = FloodControl.telegram_defaults() if options.flood else None
    uvicorn.run(
        Recorder(create_app(flood=flood)),
        host=options.host,
        port=options.port,
        log_level=options.log_level,
    )


if __name__ == "__main__":
    main()
