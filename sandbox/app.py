"""The sandbox's ASGI app: the Bot API at /bot<token>/<method>, files, the /sandbox control API
and the web chat at /.
create_app() builds a fresh, independent world each time; nothing happens at import.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.botapi import (
    ApiError,
    ApiSpec,
    MethodSpec,
    api_spec,
    not_found,
    parse_arguments,
    parse_body,
)
from sandbox.control import TOKEN, control_routes
from sandbox.methods import HANDLERS, Call, Reply, flood_limited
from sandbox.state import Fault, FloodControl, World
from sandbox.web import web_routes

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def _failure(error: ApiError) -> JSONResponse:
    return JSONResponse(error.payload(), status_code=error.status)


async def bot_api(request: Request) -> Response:
    """One Bot API call, answered like Telegram: {"ok": true, "result": ...} or an error."""
    token = request.path_params["token"]
    if not TOKEN.match(token):
        return _failure(not_found())
    spec = api_spec()
    method = spec.method(request.path_params["method"])
    if method is None:
        return _failure(not_found())
    world: World = request.app.state.sandbox
    world.calls[method.name] += 1
    try:
        payload = await _perform(request, world, spec, method, token)
    except ApiError as exc:
        if exc.status == 429:
            world.rate_limited[method.name] += 1
        return _failure(exc)
    except Exception:
        log.exception("sandbox failed on %s", method.name)
        return _failure(ApiError(500, "Internal Server Error"))
    return JSONResponse(payload)


async def _perform(
    request: Request, world: World, spec: ApiSpec, method: MethodSpec, token: str
) -> dict[str, Any]:
    """Token, injected faults, arguments, flood limits, then the method itself."""
    bot = world.bot_for_token(token)
    name = method.name
    fault = world.next_fault(name)
    if fault is not None and not fault.after_effect:
        await _inflict(fault)
    handler = HANDLERS.get(name)
    if handler is None:
        raise ApiError(400, f"Bad Request: the sandbox does not implement {name}")
    raw: dict[str, object] = dict(request.query_params)
    body, uploads = parse_body(request.headers.get("content-type", ""), await request.body())
    raw.update(body)
    args = parse_arguments(spec, method, raw, uploads)
    if flood_limited(name):
        chat_id = args.get("chat_id")
        world.check_flood(bot, chat_id if isinstance(chat_id, int) else None)
    result = await handler(Call(world=world, bot=bot, args=args, spec=spec))
    if fault is not None and fault.after_effect:
        # The call took effect; the client just does not hear about it in time (or at all).
        await _inflict(fault)
    if isinstance(result, Reply):
        payload: dict[str, Any] = {"ok": True, "result": result.result}
        if result.description:
            payload["description"] = result.description
        return payload
    return {"ok": True, "result": result}


async def _inflict(fault: Fault) -> None:
    if fault.delay_seconds:
        await asyncio.sleep(fault.delay_seconds)
    error = fault.error()
    if error is not None:
        raise error


async def bot_api_not_found(request: Request) -> Response:
    return _failure(not_found())


async def download(request: Request) -> Response:
    """/file/bot<token>/<file_path>, where getFile's file_path points."""
    if not TOKEN.match(request.path_params["token"]):
        return _failure(not_found())
    world: World = request.app.state.sandbox
    stored = world.files_by_path.get(request.path_params["file_path"])
    if stored is None:
        return _failure(not_found())
    return Response(stored.data, media_type=stored.mime_type)


async def _http_error(request: Request, exc: Exception) -> Response:
    # Unknown paths and wrong verbs answer JSON too: Telegram-shaped, which fits control clients.
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    description = exc.detail if isinstance(exc, HTTPException) else "Internal Server Error"
    return JSONResponse(
        {"ok": False, "error_code": status, "description": description}, status_code=status
    )


def create_app(
    *,
    flood: FloodControl | None = None,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
) -> Starlette:
    """A new sandbox. flood turns on rate-limit emulation; webhook_transport routes webhook
    deliveries (e.g. httpx.ASGITransport of an in-process receiver) instead of the network.
    """
    world = World(flood, webhook_transport=webhook_transport)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await world.aclose()

    routes = [
        Route("/bot{token}/{method}", bot_api, methods=["GET", "POST"]),
        Route("/bot{rest:path}", bot_api_not_found, methods=["GET", "POST"]),
        Route("/file/bot{token}/{file_path:path}", download, methods=["GET"]),
        *control_routes(),
        *web_routes(),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={404: _http_error, 405: _http_error},
    )
    app.state.sandbox = world
    return app
