"""The Bot API's contract: api.json loaded on first use, request bodies read, arguments checked.
Errors carry Telegram's status and description, so PTB raises what it would in production.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = [
    "ApiError",
    "ApiSpec",
    "Field",
    "InlineButton",
    "Markup",
    "MethodSpec",
    "Upload",
    "api_spec",
    "bad_request",
    "parse_arguments",
    "parse_body",
    "parse_reply_markup",
]

SPEC_PATH = Path(__file__).parent / "telegram-bot-api" / "api.json"

_SCALARS = {
    "Integer": "Number",
    "Float": "Number",
    "String": "String",
    "Boolean": "Boolean",
    "True": "Boolean",
    "InputFile": "String",
}
_INT = re.compile(r"^-?\d+$")
_DISCRIMINATOR = re.compile(r'(?:must be|always) "?([a-z_]+)"?')

# Telegram's own wording for a missing argument, where it has one.
_MISSING = {
    "chat_id": "chat_id is empty",
    "text": "message text is empty",
    "document": "there is no document in the request",
    "photo": "there is no photo in the request",
    "message_id": "message identifier is not specified",
    "user_id": "invalid user_id specified",
}
_JSON_NAMES = {
    "reply_markup": "reply keyboard markup",
    "entities": "entities",
    "caption_entities": "entities",
}

_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_BUTTON_URL_SCHEMES = frozenset({"http", "https", "tg"})


class ApiError(Exception):
    """A Bot API failure, answered as {"ok": false, "error_code", "description"[, "parameters"]}."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _telegram_case(message: str) -> str:
    # The Bot API lower-cases the first letter of a sentence-like reason ("Can't parse" ->
    # "can't parse") but leaves codes like BUTTON_DATA_INVALID alone.
    if len(message) > 1 and message[0].isupper() and message[1].islower():
        return message[0].lower() + message[1:]
    return message


def bad_request(message: str) -> ApiError:
    return ApiError(400, "Bad Request: " + _telegram_case(message))


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


@dataclass(frozen=True)
class Field:
    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    name: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class TypeSpec:
    name: str
    fields: tuple[Field, ...]
    subtypes: tuple[str, ...]
    # For abstract types: discriminator field name and value -> concrete subtype.
    discriminator: str | None = None
    variants: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Upload:
    """One file part of a multipart/form-data request."""

    filename: str
    content_type: str
    data: bytes


class ApiSpec:
    """The methods and types of api.json, looked up case-insensitively like Telegram does."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.version: str = str(raw.get("version", ""))
        self.methods: dict[str, MethodSpec] = {}
        for name, method in raw["methods"].items():
            fields = tuple(_field(f) for f in method.get("fields", []))
            self.methods[name.lower()] = MethodSpec(name, fields)
        raw_types: Mapping[str, Any] = raw["types"]
        self.types: dict[str, TypeSpec] = {}
        for name, kind in raw_types.items():
            fields = tuple(_field(f) for f in kind.get("fields", []))
            subtypes = tuple(kind.get("subtypes", []))
            disc, variants = _variants(raw_types, subtypes)
            self.types[name] = TypeSpec(name, fields, subtypes, disc, variants)

    def method(self, name: str) -> MethodSpec | None:
        return self.methods.get(name.lower())

    def check(self, type_expr: str, value: object, name: str) -> str | None:
        """Why value is not a valid type_expr (tdlib's wording), or None when it is."""
        if type_expr.startswith("Array of "):
            if not isinstance(value, list):
                return f'Field "{name}" must be of type Array'
            item_type = type_expr[len("Array of ") :]
            return next(filter(None, (self.check(item_type, v, name) for v in value)), None)
        if type_expr in _SCALARS:
            # Inside JSON objects Telegram is strict about strings (numbers are not text).
            strict = type_expr != "String" or isinstance(value, str)
            valid = strict and _scalar(type_expr, value, {}) is not _NO
            return None if valid else f'Field "{name}" must be of type {_SCALARS[type_expr]}'
        kind = self.types.get(type_expr)
        if kind is None:
            return None
        if not isinstance(value, dict):
            return f'Field "{name}" must be of type Object'
        return self._check_object(kind, value)

    def _check_object(self, kind: TypeSpec, value: Mapping[str, Any]) -> str | None:
        if kind.subtypes:
            if kind.discriminator is None:
                return None
            tag = value.get(kind.discriminator)
            if not isinstance(tag, str):
                return f'Field "{kind.discriminator}" must be of type String'
            concrete = kind.variants.get(tag)
            if concrete is None:
                return f'Unsupported {kind.name} {kind.discriminator} "{tag}"'
            kind = self.types[concrete]
        for f in kind.fields:
            item = value.get(f.name)
            if item is None:
                if f.required:
                    return f'Can\'t find field "{f.name}"'
                continue
            problems = [self.check(t, item, f.name) for t in f.types]
            if all(problems):
                return problems[0]
        return None


def _field(raw: Mapping[str, Any]) -> Field:
    return Field(str(raw["name"]), tuple(raw.get("types", [])), bool(raw.get("required")))


def _variants(
    raw_types: Mapping[str, Any], subtypes: tuple[str, ...]
) -> tuple[str | None, dict[str, str]]:
    for disc in ("type", "source", "status"):
        variants: dict[str, str] = {}
        for sub in subtypes:
            for f in raw_types.get(sub, {}).get("fields", []):
                if f["name"] == disc:
                    match = _DISCRIMINATOR.search(f.get("description", ""))
                    if match:
                        variants[match.group(1)] = sub
        if variants and len(variants) == len(subtypes):
            return disc, variants
    return None, {}


@functools.cache
def api_spec() -> ApiSpec:
    """api.json, read once on first use (never at import time)."""
    return ApiSpec(json.loads(SPEC_PATH.read_text(encoding="utf-8")))


class _Missing:
    pass


_NO: Any = _Missing()


def _integer(value: object) -> Any:
    if isinstance(value, bool):
        return _NO
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT.match(value.strip()):
        return int(value.strip())
    return _NO


def _float(value: object) -> Any:
    if isinstance(value, bool):
        return _NO
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return _NO
    return _NO


def _boolean(value: object) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "1", "false", "0"):
        return value.lower() in ("true", "1")
    return _NO


def _string(value: object) -> Any:
    if isinstance(value, str):
        return value
    # JSON bodies may carry numbers where Telegram expects strings; it accepts them.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return _NO


def _scalar(kind: str, value: object, uploads: Mapping[str, Upload]) -> Any:
    """value converted to the scalar kind, or _NO. Form fields arrive as strings, JSON natively."""
    if kind == "InputFile":
        if isinstance(value, Upload):
            return value
        if isinstance(value, str) and value.startswith("attach://"):
            return uploads.get(value[len("attach://") :], _NO)
        return _NO
    converters = {
        "Integer": _integer,
        "Float": _float,
        "Boolean": _boolean,
        "True": _boolean,
        "String": _string,
    }
    return converters[kind](value)


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and value == "")


def parse_arguments(
    spec: ApiSpec, method: MethodSpec, raw: Mapping[str, object], uploads: Mapping[str, Upload]
) -> dict[str, Any]:
    """Check the call against api.json: required arguments present, each of a declared type.

    Unknown arguments are dropped, as Telegram ignores them.
    """
    args: dict[str, Any] = {}
    for f in method.fields:
        value: object = raw.get(f.name)
        if f.name in uploads and "InputFile" in f.types:
            value = uploads[f.name]
        if _is_empty(value):
            if f.required:
                raise bad_request(_MISSING.get(f.name, f"{f.name} is required"))
            continue
        args[f.name] = _convert(spec, f, value, uploads)
    return args


def _convert(spec: ApiSpec, f: Field, value: object, uploads: Mapping[str, Upload]) -> Any:
    composite = [t for t in f.types if t not in _SCALARS]
    for kind in f.types:
        if kind in _SCALARS:
            converted = _scalar(kind, value, uploads)
            if converted is not _NO:
                return converted
    if not composite:
        raise bad_request(f'field "{f.name}" must be of type {" or ".join(f.types)}')
    if isinstance(value, Upload):
        raise bad_request(f'field "{f.name}" must be of type {" or ".join(f.types)}')
    decoded: object = value
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            raise bad_request(
                f"can't parse {_JSON_NAMES.get(f.name, f.name)} JSON object"
            ) from None
    if f.name == "reply_markup":
        # Checked in depth by parse_reply_markup with Telegram's own messages.
        if not isinstance(decoded, dict):
            raise bad_request("object expected as reply markup")
        return decoded
    problems = [spec.check(kind, decoded, f.name) for kind in composite]
    if all(problems):
        raise bad_request(f"can't parse {_JSON_NAMES.get(f.name, f.name)}: {problems[0]}")
    return decoded


# --- request bodies -------------------------------------------------------------------------


def parse_body(content_type: str, body: bytes) -> tuple[dict[str, object], dict[str, Upload]]:
    """Arguments and uploaded files of a request body (JSON, urlencoded or multipart)."""
    mime, params = _header_params(content_type)
    if not body:
        return {}, {}
    if mime == "application/json":
        try:
            data = json.loads(body)
        except ValueError:
            raise bad_request("can't parse JSON encoded request body") from None
        if not isinstance(data, dict):
            raise bad_request("JSON object expected as request body")
        return data, {}
    if mime == "multipart/form-data":
        boundary = params.get("boundary")
        if not boundary:
            raise bad_request("can't find boundary in multipart/form-data request")
        return _parse_multipart(body, boundary.encode("latin-1"))
    if mime in ("application/x-www-form-urlencoded", ""):
        text = body.decode("utf-8", "replace")
        return dict(parse_qsl(text, keep_blank_values=True)), {}
    raise bad_request(f"unsupported Content-Type {mime}")


def _header_params(value: str) -> tuple[str, dict[str, str]]:
    """'type/sub; a=b; c="d"' -> ('type/sub', {'a': 'b', 'c': 'd'})."""
    parts = _split_params(value)
    mime = parts[0].strip().lower() if parts else ""
    params: dict[str, str] = {}
    for part in parts[1:]:
        if "=" not in part:
            continue
        key, _, val = part.partition("=")
        val = val.strip()
        if len(val) >= 2 and val[0] == val[-1] == '"':
            val = val[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        params[key.strip().lower()] = val
    return mime, params


def _split_params(value: str) -> list[str]:
    # Split on ';' outside quoted strings: file names may contain semicolons.
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    escaped = False
    for ch in value:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\" and quoted:
            current.append(ch)
            escaped = True
        elif ch == '"':
            quoted = not quoted
            current.append(ch)
        elif ch == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _parse_multipart(body: bytes, boundary: bytes) -> tuple[dict[str, object], dict[str, Upload]]:
    """A small, byte-exact multipart/form-data reader (python-multipart is not a dependency)."""
    fields: dict[str, object] = {}
    files: dict[str, Upload] = {}
    delimiter = b"--" + boundary
    chunks = body.split(delimiter)
    # chunks[0] is the preamble, the last one starts with "--" (the close delimiter).
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        head, sep, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            continue
        content = content.removesuffix(b"\r\n")
        headers: dict[str, str] = {}
        for line in head.split(b"\r\n"):
            key, _, val = line.decode("utf-8", "replace").partition(":")
            headers[key.strip().lower()] = val.strip()
        _, disposition = _header_params(headers.get("content-disposition", ""))
        raw_name = disposition.get("name")
        if raw_name is None:
            continue
        # httpx percent-escapes quotes in names and file names.
        name = raw_name.replace("%22", '"')
        filename = disposition.get("filename")
        if filename is None:
            fields[name] = content.decode("utf-8", "replace")
        else:
            files[name] = Upload(
                filename=filename.replace("%22", '"'),
                content_type=headers.get("content-type", "application/octet-stream"),
                data=content,
            )
    return fields, files


# --- reply markup ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InlineButton:
    text: str
    callback_data: str | None
    url: str | None
    raw: Mapping[str, Any]


@dataclass(frozen=True)
class Markup:
    """A checked reply_markup: an inline keyboard (echoed back by Telegram) or another kind."""

    raw: Mapping[str, Any]
    inline: tuple[tuple[InlineButton, ...], ...] | None = None
    keyboard: tuple[tuple[str, ...], ...] | None = None

    def api(self) -> dict[str, Any] | None:
        """What Telegram puts in Message.reply_markup: only inline keyboards are echoed."""
        if self.inline is None:
            return None
        return {"inline_keyboard": [[dict(b.raw) for b in row] for row in self.inline]}


def parse_reply_markup(spec: ApiSpec, value: Mapping[str, Any]) -> Markup:
    if "inline_keyboard" in value:
        return Markup(raw=value, inline=_inline_keyboard(spec, value["inline_keyboard"]))
    if "keyboard" in value:
        return Markup(raw=value, keyboard=_reply_keyboard(value["keyboard"]))
    if "remove_keyboard" in value or "force_reply" in value:
        return Markup(raw=value)
    raise bad_request("can't parse reply keyboard markup JSON object")


def _inline_keyboard(spec: ApiSpec, rows: object) -> tuple[tuple[InlineButton, ...], ...]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
        )
    result: list[tuple[InlineButton, ...]] = []
    for row in rows:
        buttons: list[InlineButton] = []
        for button in row:
            if not isinstance(button, dict):
                raise bad_request(
                    "can't parse inline keyboard button: InlineKeyboardButton should be an object"
                )
            problem = spec.check("InlineKeyboardButton", button, "button")
            if problem:
                raise bad_request(f"can't parse inline keyboard button: {problem}")
            buttons.append(_inline_button(button))
        if buttons:
            result.append(tuple(buttons))
    return tuple(result)


def _inline_button(button: Mapping[str, Any]) -> InlineButton:
    text = button["text"]
    actions = [
        name
        for name in _INLINE_ACTIONS
        if button.get(name) is not None
        and not (name in ("url", "callback_data") and not button[name])
    ]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used, "
            f"found {', '.join(actions)}"
        )
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    callback_data = button.get("callback_data")
    url = button.get("url")
    if isinstance(callback_data, str) and len(callback_data.encode("utf-8")) > 64:
        raise bad_request("BUTTON_DATA_INVALID")
    if isinstance(url, str) and not _button_url_ok(url):
        raise bad_request("BUTTON_URL_INVALID")
    raw = {k: v for k, v in button.items() if v is not None}
    return InlineButton(
        text=text,
        callback_data=callback_data if isinstance(callback_data, str) else None,
        url=url if isinstance(url, str) else None,
        raw=raw,
    )


def _button_url_ok(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in _BUTTON_URL_SCHEMES:
        return False
    if scheme == "tg":
        return bool(parts.netloc or parts.path)
    return bool(parts.hostname) and " " not in url


def _reply_keyboard(rows: object) -> tuple[tuple[str, ...], ...]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays'
        )
    result: list[tuple[str, ...]] = []
    for row in rows:
        texts: list[str] = []
        for button in row:
            text = button.get("text") if isinstance(button, dict) else button
            if not isinstance(text, str):
                raise bad_request(
                    'can\'t parse keyboard button: Field "text" must be of type String'
                )
            texts.append(text)
        if texts:
            result.append(tuple(texts))
    return tuple(result)
