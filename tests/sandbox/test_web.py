"""The web chat's files over plain HTTP: the page at /, its script and style under /static/ with
the right content types, nothing from the network, and nothing outside sandbox/static/.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from sandbox import create_app
from sandbox.web import STATIC_DIR
from tests.sandbox.support import TOKEN


async def test_the_page_is_served_at_the_root(http: httpx.AsyncClient) -> None:
    response = await http.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert '<html lang="zh-Hant-TW">' in page
    assert 'src="/static/chat.js"' in page
    assert 'href="/static/chat.css"' in page
    assert 'role="log"' in page
    assert 'aria-live="polite"' in page
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("chat.js", "text/javascript; charset=utf-8"),
        ("chat.css", "text/css; charset=utf-8"),
        ("index.html", "text/html; charset=utf-8"),
    ],
)
async def test_static_files_have_their_content_types(
    http: httpx.AsyncClient, name: str, content_type: str
) -> None:
    response = await http.get(f"/static/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.content == (STATIC_DIR / name).read_bytes()


async def test_every_static_file_is_served(http: httpx.AsyncClient) -> None:
    names = sorted(path.name for path in STATIC_DIR.iterdir() if path.is_file())
    assert {"index.html", "chat.js", "chat.css"} <= set(names)
    for name in names:
        assert (await http.get(f"/static/{name}")).status_code == 200, name


def test_the_page_loads_nothing_from_the_network() -> None:
    # The machine may be offline: no CDN, no web fonts, no remote images or scripts.
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    style = (STATIC_DIR / "chat.css").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in style
    assert not re.search(r"url\(\s*[\"']?(https?:)?//", style)
    script = (STATIC_DIR / "chat.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script  # messages are built from nodes, never parsed as HTML
    assert "eval(" not in script


@pytest.mark.parametrize(
    "path",
    [
        "/static/..%2Fapp.py",
        "/static/%2e%2e%2fapp.py",
        "/static/..%5Capp.py",
        "/static/.hidden",
        "/static/web.py",
        "/static/missing.js",
        "/static/chat.js%00.css",
        "/static/",
    ],
)
async def test_nothing_outside_the_static_folder_is_served(
    http: httpx.AsyncClient, path: str
) -> None:
    response = await http.get(path)
    assert response.status_code == 404
    assert b"import" not in response.content


@pytest.mark.parametrize("path", ["/static/../app.py", "/static/../../pyproject.toml"])
async def test_dot_segments_sent_as_is_are_refused(app: Starlette, path: str) -> None:
    # httpx would normalise the path; a raw client (curl --path-as-is) sends it as it is.
    status, body = await raw_get(app, path)
    assert status == 404
    assert b"import" not in body


async def raw_get(app: Starlette, path: str) -> tuple[int, bytes]:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"sandbox")],
        "client": ("127.0.0.1", 1),
        "server": ("sandbox", 80),
    }
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body


async def test_a_document_downloads_under_its_own_name() -> None:
    app = create_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as http:
        await http.post("/sandbox/bots", json={"token": TOKEN})
        await http.post("/sandbox/users", json={"id": 1001, "first_name": "小美"})
        sent = await http.post(
            "/sandbox/messages",
            json={
                "user_id": 1001,
                "document": {"file_name": "議程.docx", "content_base64": "UEsDBA=="},
            },
        )
        assert sent.status_code in (200, 201), sent.text
        payload = (await http.get("/sandbox/chats/1001/messages")).json()
        messages = payload["messages"] if isinstance(payload, dict) else payload
        (message,) = messages
        got = await http.get(f"/sandbox/files/{message['document']['file_id']}")
    assert got.headers["content-disposition"] == (
        "attachment; filename*=UTF-8''%E8%AD%B0%E7%A8%8B.docx"
    )
