"""Message text as Telegram stores it: UTF-16 lengths, trimming and the entities it detects itself.
Shared by bot messages (after parse_mode) and the simulated people's messages (bot commands).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = [
    "EntityListError",
    "check_entities",
    "detect_entities",
    "finish_text",
    "sort_entities",
    "utf16_len",
]

_KNOWN_TYPES = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
        "date_time",
    }
)
# Entities inside which Telegram does not look for commands, links and mentions.
_OPAQUE = frozenset({"code", "pre", "text_link", "text_mention", "custom_emoji"})
_URL = re.compile(r"(?i)\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


class EntityListError(ValueError):
    """An explicit entities list is not acceptable; str(error) is the description tail."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of every Telegram offset and limit."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _is_word(ch: str) -> bool:
    return ch == "_" or unicodedata.category(ch)[0] in "LN"


def _offsets(text: str) -> list[int]:
    """UTF-16 offset of every code point index, plus the end."""
    out = [0] * (len(text) + 1)
    acc = 0
    for k, ch in enumerate(text):
        out[k] = acc
        acc += 2 if ord(ch) > 0xFFFF else 1
    out[len(text)] = acc
    return out


def _find_bot_commands(text: str, offs: list[int]) -> list[dict[str, Any]]:
    # tdlib: (?<!\b|[\/<>])\/([a-zA-Z0-9_]{1,64})(?:@([a-zA-Z0-9_]{3,32}))?(?!\B|[\/<>])
    found: list[dict[str, Any]] = []
    n = len(text)
    pos = text.find("/")
    while pos != -1:
        start = pos
        if start > 0 and (_is_word(text[start - 1]) or text[start - 1] in "/<>"):
            pos = text.find("/", start + 1)
            continue
        k = start + 1
        while k < n and (text[k].isascii() and (text[k].isalnum() or text[k] == "_")):
            k += 1
        end = k
        ok = 1 <= end - start - 1 <= 64
        if ok and k < n and text[k] == "@":
            m = k + 1
            while m < n and text[m].isascii() and (text[m].isalnum() or text[m] == "_"):
                m += 1
            ok = 3 <= m - k - 1 <= 32
            end = m
        if ok and end < n and (_is_word(text[end]) or text[end] in "/<>"):
            ok = False
        if ok:
            found.append(
                {"type": "bot_command", "offset": offs[start], "length": offs[end] - offs[start]}
            )
        pos = text.find("/", max(end, start + 1))
    return found


def _find_mentions(text: str, offs: list[int]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for match in re.finditer(r"@([A-Za-z0-9_]{2,32})", text):
        a, b = match.span()
        if a > 0 and _is_word(text[a - 1]):
            continue
        if b < len(text) and _is_word(text[b]):
            continue
        found.append({"type": "mention", "offset": offs[a], "length": offs[b] - offs[a]})
    return found


def _find_hashtags(text: str, offs: list[int]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for match in re.finditer(r"#(\w{1,256})", text):
        a, b = match.span()
        if a > 0 and _is_word(text[a - 1]):
            continue
        if b < len(text) and text[b] == "#":
            continue
        if not any(ch.isalpha() for ch in match.group(1)):
            continue
        found.append({"type": "hashtag", "offset": offs[a], "length": offs[b] - offs[a]})
    return found


def _find_urls(text: str, offs: list[int]) -> list[dict[str, Any]]:
    return [
        {"type": "url", "offset": offs[m.start()], "length": offs[m.end()] - offs[m.start()]}
        for m in _URL.finditer(text)
    ]


def detect_entities(
    text: str, existing: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Telegram's automatic entities (commands, mentions, hashtags, links) merged into existing.

    Detected ones that overlap an opaque entity (code, pre, a link) are left out, as Telegram does.
    """
    entities = list(existing or [])
    if not text:
        return entities
    opaque = [(e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] in _OPAQUE]
    offs = _offsets(text)
    detected = (
        _find_bot_commands(text, offs)
        + _find_mentions(text, offs)
        + _find_hashtags(text, offs)
        + _find_urls(text, offs)
    )
    taken: list[tuple[int, int]] = []
    for entity in sorted(detected, key=lambda e: e["offset"]):
        a, b = entity["offset"], entity["offset"] + entity["length"]
        if any(a < y and x < b for x, y in opaque + taken):
            continue
        taken.append((a, b))
        entities.append(entity)
    return sort_entities(entities)


# tdlib's MessageEntity::get_type_priority: the tie-breaker when offset and length are equal.
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 1,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}


def sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Telegram's order: by offset, longer first, then by type priority."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 50)))


def finish_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace like Telegram does and clip the entities to what is left."""
    stripped_left = text.lstrip()
    left = utf16_len(text) - utf16_len(stripped_left)
    result = stripped_left.rstrip()
    total = utf16_len(result)
    kept: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - left, 0)
        end = min(entity["offset"] + entity["length"] - left, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return result, sort_entities(kept)


def check_entities(raw: object, text: str) -> list[dict[str, Any]]:
    """Validate an explicit entities list (instead of parse_mode) against the text."""
    if not isinstance(raw, list):
        raise EntityListError("can't parse entities JSON object")
    total = utf16_len(text)
    result: list[dict[str, Any]] = []
    for item in raw:
        if not isinstance(item, dict):
            raise EntityListError("can't parse MessageEntity: object expected")
        kind = item.get("type")
        offset = item.get("offset")
        length = item.get("length")
        if not isinstance(kind, str):
            raise EntityListError('can\'t parse MessageEntity: Field "type" must be of type String')
        if not isinstance(offset, int) or isinstance(offset, bool):
            raise EntityListError(
                'can\'t parse MessageEntity: Field "offset" must be of type Number'
            )
        if not isinstance(length, int) or isinstance(length, bool):
            raise EntityListError(
                'can\'t parse MessageEntity: Field "length" must be of type Number'
            )
        if kind not in _KNOWN_TYPES:
            raise EntityListError("can't parse MessageEntity: Unsupported type specified")
        if offset < 0 or length <= 0 or offset + length > total:
            # Telegram quietly drops entities that fall outside the text.
            continue
        entity: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
        for extra in ("url", "language", "custom_emoji_id", "user"):
            if extra in item:
                entity[extra] = item[extra]
        if kind == "text_link" and not isinstance(entity.get("url"), str):
            raise EntityListError('can\'t parse MessageEntity: Field "url" must be of type String')
        result.append(entity)
    return sort_entities(result)
