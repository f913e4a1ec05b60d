"""Raw HTTP conformance: the sandbox answers malformed and over-limit calls exactly like Telegram.
These are calls PTB would never make (bad tokens, wrong types), so they go through plain httpx.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from sandbox.client import SandboxClient
from tests.sandbox.support import MEI, TOKEN

NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}


async def call(
    http: httpx.AsyncClient, method: str, token: str = TOKEN, **params: Any
) -> httpx.Response:
    return await http.post(f"/bot{token}/{method}", json=params)


def bad_request(response: httpx.Response) -> str:
    """The description of a 400, after checking Telegram's error shape."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["ok"] is False
    assert body["error_code"] == 400
    description: str = body["description"]
    assert description.startswith("Bad Request: ")
    return description


@pytest.fixture
async def chat(http: httpx.AsyncClient, sandbox: SandboxClient) -> int:
    """小美's private chat, known to the bot because she sent /start."""
    assert (await call(http, "getMe")).status_code == 200
    await sandbox.create_user(MEI, "小美")
    await sandbox.send_message(MEI, "/start")
    return MEI


# --- tokens and methods ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/botnot-a-token/getMe",
        "/bot123:short/getMe",
        "/botabc:" + "A" * 35 + "/getMe",
        f"/bot{TOKEN}/",
        f"/bot{TOKEN}",
        f"/bot{TOKEN}/noSuchMethod",
    ],
)
async def test_malformed_tokens_and_unknown_methods_are_not_found(
    http: httpx.AsyncClient, path: str
) -> None:
    response = await http.post(path)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


async def test_any_well_formed_token_is_a_bot_of_its_own(http: httpx.AsyncClient) -> None:
    response = await call(http, "getMe")
    assert response.status_code == 200
    me = response.json()["result"]
    assert me["id"] == 123456
    assert me["is_bot"] is True
    assert me["username"] == "sandbox_123456_bot"
    assert me["first_name"] == "Sandbox Bot"


async def test_a_registered_bot_keeps_its_chosen_name(
    http: httpx.AsyncClient, sandbox: SandboxClient
) -> None:
    await sandbox.register_bot(TOKEN, username="safetynet_tw_bot", first_name="社安網小幫手")
    me = (await call(http, "getMe")).json()["result"]
    assert (me["username"], me["first_name"]) == ("safetynet_tw_bot", "社安網小幫手")


async def test_another_secret_for_the_same_bot_id_is_unauthorized(http: httpx.AsyncClient) -> None:
    await call(http, "getMe")
    response = await call(http, "getMe", token="123456:" + "Z" * 35)
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_method_names_are_case_insensitive(http: httpx.AsyncClient) -> None:
    for name in ("getme", "GETME", "getMe"):
        assert (await http.get(f"/bot{TOKEN}/{name}")).json()["ok"] is True


async def test_a_known_but_unimplemented_method_says_so(http: httpx.AsyncClient) -> None:
    response = await call(http, "sendPoll", chat_id=1, question="?", options=["a", "b"])
    assert bad_request(response) == "Bad Request: the sandbox does not implement sendPoll"


# --- how arguments arrive -------------------------------------------------------------------


async def test_arguments_from_query_form_json_and_multipart_are_equivalent(
    http: httpx.AsyncClient, chat: int
) -> None:
    url = f"/bot{TOKEN}/sendMessage"
    markup = json.dumps({"inline_keyboard": [[{"text": "ok", "callback_data": "ok"}]]})
    responses = [
        await http.get(url, params={"chat_id": chat, "text": "query", "reply_markup": markup}),
        await http.post(url, data={"chat_id": str(chat), "text": "form", "reply_markup": markup}),
        await http.post(url, json={"chat_id": chat, "text": "json", "reply_markup": markup}),
        await http.post(
            url,
            data={"chat_id": str(chat), "text": "multipart", "reply_markup": markup},
            files={"unused": ("x.bin", b"x")},
        ),
    ]
    results = [r.json()["result"] for r in responses]
    assert [r["text"] for r in results] == ["query", "form", "json", "multipart"]
    assert all(r["reply_markup"] == json.loads(markup) for r in results)
    assert [r["message_id"] for r in results] == [2, 3, 4, 5]


async def test_unknown_extra_arguments_are_ignored(http: httpx.AsyncClient, chat: int) -> None:
    response = await call(http, "sendMessage", chat_id=chat, text="hi", no_such_argument=1)
    assert response.json()["ok"] is True


# --- missing and mistyped arguments ---------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"text": "hi"}, "Bad Request: chat_id is empty"),
        ({"chat_id": MEI}, "Bad Request: message text is empty"),
        ({"chat_id": MEI, "text": ""}, "Bad Request: message text is empty"),
        ({"chat_id": MEI, "text": " \n\t "}, "Bad Request: message text is empty"),
        (
            {"chat_id": MEI, "text": "<b> </b>", "parse_mode": "HTML"},
            "Bad Request: message text is empty",
        ),
        ({"chat_id": "not a chat", "text": "hi"}, "Bad Request: chat not found"),
        ({"chat_id": 999, "text": "hi"}, "Bad Request: chat not found"),
        (
            {"chat_id": {"id": 1}, "text": "hi"},
            'Bad Request: field "chat_id" must be of type Integer or String',
        ),
        (
            {"chat_id": MEI, "text": "hi", "reply_markup": "{not json"},
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
        (
            {"chat_id": MEI, "text": "hi", "reply_markup": "[1, 2]"},
            "Bad Request: object expected as reply markup",
        ),
        (
            {"chat_id": MEI, "text": "hi", "entities": "nope"},
            "Bad Request: can't parse entities JSON object",
        ),
        (
            {"chat_id": MEI, "text": "hi", "disable_notification": "maybe"},
            'Bad Request: field "disable_notification" must be of type Boolean',
        ),
        (
            {"chat_id": MEI, "text": "hi", "reply_parameters": {"chat_id": MEI}},
            "Bad Request: can't parse reply_parameters: Can't find field \"message_id\"",
        ),
    ],
)
async def test_send_message_argument_errors(
    http: httpx.AsyncClient, chat: int, params: dict[str, Any], description: str
) -> None:
    assert bad_request(await call(http, "sendMessage", **params)) == description


async def test_wrongly_typed_integer_is_refused(http: httpx.AsyncClient, chat: int) -> None:
    response = await call(http, "deleteMessage", chat_id=chat, message_id="first")
    assert bad_request(response) == 'Bad Request: field "message_id" must be of type Integer'


async def test_generic_missing_argument_wording(http: httpx.AsyncClient) -> None:
    response = await call(http, "answerCallbackQuery")
    assert bad_request(response) == "Bad Request: callback_query_id is required"


# --- text limits ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parse_mode", "accepted"),
    [
        ("a" * 4096, None, True),
        ("a" * 4097, None, False),
        ("中" * 4096, None, True),  # one UTF-16 unit each
        ("😀" * 2048, None, True),  # two UTF-16 units each
        ("😀" * 2048 + "a", None, False),
        ("<b>" + "a" * 4096 + "</b>", "HTML", True),  # counted after entity parsing
        ("&amp;" * 4096, "HTML", True),
        ("&amp;" * 4097, "HTML", False),
        ("  " + "a" * 4096 + "  ", None, True),  # surrounding spaces are trimmed first
    ],
)
async def test_text_length_is_counted_in_utf16_after_parsing(
    http: httpx.AsyncClient, chat: int, text: str, parse_mode: str | None, accepted: bool
) -> None:
    params: dict[str, Any] = {"chat_id": chat, "text": text}
    if parse_mode:
        params["parse_mode"] = parse_mode
    response = await call(http, "sendMessage", **params)
    if accepted:
        assert response.json()["ok"] is True
    else:
        assert bad_request(response) == "Bad Request: message is too long"


@pytest.mark.parametrize(
    ("html", "description"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("<b>x", "Can't find end tag corresponding to start tag b"),
        ("a <i>b</b>", 'Unmatched end tag at byte offset 6, expected "</i>", found "</b>"'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
    ],
)
async def test_bad_html_is_refused_with_the_byte_offset(
    http: httpx.AsyncClient, chat: int, html: str, description: str
) -> None:
    response = await call(http, "sendMessage", chat_id=chat, text=html, parse_mode="HTML")
    assert bad_request(response) == f"Bad Request: can't parse entities: {description}"


async def test_parse_mode_is_case_insensitive_and_checked(
    http: httpx.AsyncClient, chat: int
) -> None:
    ok = await call(http, "sendMessage", chat_id=chat, text="<b>x</b>", parse_mode="html")
    assert ok.json()["result"]["entities"] == [{"type": "bold", "offset": 0, "length": 1}]
    wrong = await call(http, "sendMessage", chat_id=chat, text="x", parse_mode="HTM")
    assert bad_request(wrong) == "Bad Request: unsupported parse_mode"
    markdown = await call(http, "sendMessage", chat_id=chat, text="*x*", parse_mode="MarkdownV2")
    assert "does not implement parse_mode MarkdownV2" in bad_request(markdown)


async def test_caption_limit(http: httpx.AsyncClient, chat: int) -> None:
    files = {"document": ("a.txt", b"data", "text/plain")}
    url = f"/bot{TOKEN}/sendDocument"
    ok = await http.post(url, data={"chat_id": str(chat), "caption": "c" * 1024}, files=files)
    assert ok.json()["ok"] is True
    too_long = await http.post(url, data={"chat_id": str(chat), "caption": "c" * 1025}, files=files)
    assert bad_request(too_long) == "Bad Request: message caption is too long"


# --- inline keyboards -----------------------------------------------------------------------


def keyboard(**button: Any) -> dict[str, Any]:
    return {"inline_keyboard": [[button]]}


@pytest.mark.parametrize(
    ("markup", "description"),
    [
        (keyboard(text="x", callback_data="d" * 65), "Bad Request: BUTTON_DATA_INVALID"),
        (keyboard(text="x", callback_data="資" * 22), "Bad Request: BUTTON_DATA_INVALID"),
        (keyboard(text="x", url="ftp://example.org"), "Bad Request: BUTTON_URL_INVALID"),
        (keyboard(text="x", url="javascript:alert(1)"), "Bad Request: BUTTON_URL_INVALID"),
        (keyboard(text="x", url="not a url"), "Bad Request: BUTTON_URL_INVALID"),
        (
            keyboard(text="x"),
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard",
        ),
        (
            keyboard(text="x", callback_data=""),
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard",
        ),
        (keyboard(text="", callback_data="d"), "Bad Request: BUTTON_TEXT_INVALID"),
        (
            keyboard(callback_data="d"),
            "Bad Request: can't parse inline keyboard button: Can't find field \"text\"",
        ),
        (
            keyboard(text=5, callback_data="d"),
            'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String',
        ),
        (
            {"inline_keyboard": [{"text": "x", "callback_data": "d"}]},
            'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be an '
            "Array of Arrays",
        ),
    ],
)
async def test_invalid_inline_keyboards_are_refused(
    http: httpx.AsyncClient, chat: int, markup: dict[str, Any], description: str
) -> None:
    response = await call(http, "sendMessage", chat_id=chat, text="pick", reply_markup=markup)
    assert bad_request(response) == description


async def test_button_with_two_actions_is_refused(http: httpx.AsyncClient, chat: int) -> None:
    markup = keyboard(text="x", callback_data="d", url="https://example.org")
    response = await call(http, "sendMessage", chat_id=chat, text="pick", reply_markup=markup)
    assert "exactly one of the optional fields" in bad_request(response)


@pytest.mark.parametrize(
    "button",
    [
        {"text": "x", "callback_data": "d" * 64},
        {"text": "x", "callback_data": "資" * 21},  # 63 bytes
        {"text": "x", "url": "https://example.org/a?b=c"},
        {"text": "x", "url": "http://localhost:8080"},
        {"text": "x", "url": "tg://user?id=1001"},
    ],
)
async def test_valid_buttons_are_accepted(
    http: httpx.AsyncClient, chat: int, button: dict[str, Any]
) -> None:
    markup = {"inline_keyboard": [[button]]}
    response = await call(http, "sendMessage", chat_id=chat, text="pick", reply_markup=markup)
    assert response.json()["result"]["reply_markup"] == markup


async def test_reply_keyboards_are_accepted_but_not_echoed(
    http: httpx.AsyncClient, sandbox: SandboxClient, chat: int
) -> None:
    markup = {"keyboard": [["是", {"text": "否"}]], "resize_keyboard": True}
    response = await call(http, "sendMessage", chat_id=chat, text="pick", reply_markup=markup)
    result = response.json()["result"]
    assert "reply_markup" not in result
    [shown] = await sandbox.messages(chat, after=1)
    assert shown["keyboard"] == [["是", "否"]]
