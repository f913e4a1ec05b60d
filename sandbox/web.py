"""The web chat: a phone-sized page that plays a Telegram private chat on top of the control API.

GET / serves the page, GET /static/<name> its script and style from sandbox/static/. The page
is plain HTML and a little JavaScript (no build step, nothing from the network); it talks only
to /sandbox/* on the same origin. Only names listed in that folder are served, by exact name.
"""

from __future__ import annotations

import re
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["STATIC_DIR", "web_routes"]

STATIC_DIR = Path(__file__).resolve().parent / "static"

# A plain file name: no separators, no leading dot, so nothing outside STATIC_DIR is reachable.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\.[A-Za-z0-9]+$")

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".json": "application/json",
}

# The page loads nothing but itself; bot-sent links open in a new tab, never inside it.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # The sandbox is restarted often while people edit; always ask for the current files.
    "Cache-Control": "no-cache",
}


def _static_file(name: str) -> Response:
    if not _NAME.match(name):
        raise HTTPException(404, "Not Found")
    media_type = _TYPES.get(Path(name).suffix.lower())
    path = STATIC_DIR / name
    # The name is one plain component, but check the resolved path as well (symlinks).
    if media_type is None or not path.is_file() or path.resolve().parent != STATIC_DIR:
        raise HTTPException(404, "Not Found")
    return Response(path.read_bytes(), media_type=media_type, headers=_HEADERS)


async def index(request: Request) -> Response:
    return _static_file("index.html")


async def static(request: Request) -> Response:
    return _static_file(request.path_params["name"])


def web_routes() -> list[Route]:
    return [
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/static/{name}", static, methods=["GET", "HEAD"]),
    ]
