"""Telegram's HTML parse mode, reimplemented byte for byte after tdlib's parse_html.
Turns a marked-up text into plain text plus MessageEntity dicts, or fails with Telegram's reason.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sandbox.entities import sort_entities

__all__ = ["EntityParseError", "parse_html"]

# The tags tdlib accepts; anything else is "Unsupported start tag".
_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE = {
    "i": "italic",
    "em": "italic",
    "b": "bold",
    "strong": "bold",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
}
_SPACE = frozenset(b" \t\r\n\x0b")  # tdlib's is_space, NUL handled apart
_NAMED = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}
_LINK_SCHEMES = frozenset({"http", "https", "tg", "ton", "tonsite"})


class EntityParseError(ValueError):
    """The text's markup is invalid; str(error) is Telegram's reason (no "can't parse" prefix)."""


class _Nested:
    __slots__ = ("argument", "begin_pos", "offset", "tag")

    def __init__(self, tag: str, argument: str, offset: int, begin_pos: int) -> None:
        self.tag = tag
        self.argument = argument
        self.offset = offset  # in UTF-16 code units of the result
        self.begin_pos = begin_pos  # in bytes of the result


def _is_alnum(c: int) -> bool:
    return 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122


def _decode_entity(text: bytes, pos: int) -> tuple[int, int]:
    """Decode the character reference at text[pos] == '&'; (0, pos) when it is not one."""

    def at(k: int) -> int:
        return text[k] if k < len(text) else 0

    end = pos + 1
    code = 0
    if at(pos + 1) == ord("#"):
        end += 1
        if at(pos + 2) == ord("x"):
            end += 1
            while chr(at(end)) in "0123456789abcdefABCDEF" and at(end) != 0:
                code = code * 16 + int(chr(at(end)), 16)
                end += 1
        else:
            while 48 <= at(end) <= 57:
                code = code * 10 + at(end) - 48
                end += 1
        # tdlib rejects overlong references and values outside Unicode.
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while 65 <= at(end) <= 90 or 97 <= at(end) <= 122:
            end += 1
        code = _NAMED.get(text[pos + 1 : end], 0)
        if code == 0:
            return 0, pos
    if at(end) == ord(";"):
        end += 1
    return code, end


def _checked_link(url: str) -> str:
    """tdlib's get_checked_link, simplified: '' when the link would be dropped."""
    url = url.strip()
    if not url:
        return ""
    if "://" not in url and not url.lower().startswith(("tg:", "ton:")):
        url = "http://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme not in _LINK_SCHEMES:
        return ""
    if scheme in ("http", "https") and not parts.netloc:
        return ""
    return url


def _argument(tag: str, attr: str, value: str) -> str | None:
    """The part of an attribute a tag keeps (link, language, spoiler class...), if any."""
    if (tag, attr) in (("a", "href"), ("tg-emoji", "emoji-id")):
        return value
    if (tag, attr) == ("code", "class") and value.startswith("language-"):
        return value[9:]
    if (tag, attr) == ("span", "class") and value.startswith("tg-"):
        return value[3:]
    if (tag, attr) == ("blockquote", "expandable"):
        return "1"
    return None


def _append_char(out: bytearray, code: int) -> None:
    # surrogatepass keeps lone surrogates so the final check can reject them like tdlib.
    out += chr(code).encode("utf-8", "surrogatepass")


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML; returns (plain text, entities sorted like Telegram's)."""
    try:
        text = source.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EntityParseError("Strings must be encoded in UTF-8") from exc
    return _Parser(text).run()


class _Parser:
    """One pass over the UTF-8 bytes, as tdlib does, so byte offsets in errors match Telegram."""

    def __init__(self, text: bytes) -> None:
        self.text = text
        self.i = 0
        self.result = bytearray()
        self.entities: list[dict[str, Any]] = []
        self.nested: list[_Nested] = []
        self.utf16 = 0

    def at(self, k: int) -> int:
        # tdlib reads a NUL-terminated buffer; past the end is 0.
        return self.text[k] if k < len(self.text) else 0

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        text = self.text
        while self.i < len(text):
            c = text[self.i]
            if c == ord("&"):
                code, end = _decode_entity(text, self.i)
                if code != 0:
                    self.utf16 += 1 + (code > 0xFFFF)
                    _append_char(self.result, code)
                    self.i = end
                    continue
            if c != ord("<"):
                if c & 0xC0 != 0x80:  # the first byte of a UTF-8 character
                    self.utf16 += 1 + (c >= 0xF0)
                self.result.append(c)
                self.i += 1
            elif self.at(self.i + 1) != ord("/"):
                self.start_tag()
            else:
                self.end_tag()
        if self.nested:
            raise EntityParseError(
                f"Can't find end tag corresponding to start tag {self.nested[-1].tag}"
            )
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)
        try:
            plain = self.result.decode("utf-8", "surrogatepass")
            # Re-encoding through UTF-16 pairs surrogates up and rejects the unmatched ones.
            plain = plain.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        except UnicodeError as exc:
            raise EntityParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            ) from exc
        return plain, sort_entities(self.entities)

    def skip_spaces(self) -> None:
        while self.at(self.i) != 0 and self.at(self.i) in _SPACE:
            self.i += 1

    def start_tag(self) -> None:
        begin = self.i
        self.i += 1
        while (
            self.at(self.i) != 0 and self.at(self.i) not in _SPACE and self.at(self.i) != ord(">")
        ):
            self.i += 1
        if self.at(self.i) == 0:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        tag = self.text[begin + 1 : self.i].decode("utf-8", "replace").lower()
        if tag not in _TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
        argument = ""
        while self.at(self.i) != ord(">"):
            self.skip_spaces()
            if self.at(self.i) == ord(">"):
                break
            argument = self.attribute(tag, begin, argument)
        if tag == "span" and argument != "spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
            )
        self.nested.append(_Nested(tag, argument, self.utf16, len(self.result)))
        self.i += 1  # skip '>'

    def attribute(self, tag: str, begin: int, argument: str) -> str:
        """Read one attribute; returns the tag's argument, updated if this attribute sets it."""
        at = self.at
        attr_begin = self.i
        while at(self.i) != 0 and at(self.i) not in _SPACE and at(self.i) not in (61, 62):  # = >
            self.i += 1
        attr = self.text[attr_begin : self.i].decode("utf-8", "replace")
        if not attr:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
            )
        self.skip_spaces()
        if at(self.i) != ord("="):
            # Only <blockquote expandable> may carry a valueless attribute.
            if tag == "blockquote" and attr == "expandable" and at(self.i) != 0:
                return "1"
            raise EntityParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {begin}'
            )
        self.i += 1
        self.skip_spaces()
        if at(self.i) == 0:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
        value = self.attribute_value()
        if at(self.i) == 0:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        chosen = _argument(tag, attr, value)
        return argument if chosen is None else chosen

    def attribute_value(self) -> str:
        at = self.at
        if at(self.i) not in (ord("'"), ord('"')):
            # A name token: letters, digits, periods or hyphens, case-insensitive.
            token_begin = self.i
            while _is_alnum(at(self.i)) or at(self.i) in (ord("."), ord("-")):
                self.i += 1
            if at(self.i) not in _SPACE and at(self.i) != ord(">"):
                raise EntityParseError(f"Unexpected end of name token at byte offset {token_begin}")
            return self.text[token_begin : self.i].decode("utf-8", "replace").lower()
        quote = at(self.i)
        self.i += 1
        raw = bytearray()
        while at(self.i) != quote and at(self.i) != 0:
            if at(self.i) == ord("&"):
                code, end = _decode_entity(self.text, self.i)
                if code != 0:
                    _append_char(raw, code)
                    self.i = end
                    continue
            raw.append(self.text[self.i])
            self.i += 1
        if at(self.i) == quote:
            self.i += 1
        return raw.decode("utf-8", "surrogatepass")

    def end_tag(self) -> None:
        begin = self.i
        self.i += 1
        if not self.nested:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        while (
            self.at(self.i) != 0 and self.at(self.i) not in _SPACE and self.at(self.i) != ord(">")
        ):
            self.i += 1
        end_tag = self.text[begin + 2 : self.i].decode("utf-8", "replace").lower()
        self.skip_spaces()
        if self.at(self.i) != ord(">"):
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        top = self.nested.pop()
        if end_tag and end_tag != top.tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{top.tag}>", '
                f'found "</{end_tag}>"'
            )
        self.i += 1
        if self.utf16 > top.offset:
            self.close(top, self.utf16 - top.offset)

    def close(self, top: _Nested, length: int) -> None:
        """Turn a closed tag into its entity, merging <pre><code class=...> like tdlib."""
        offset, tag, entities = top.offset, top.tag, self.entities
        if tag in _SIMPLE or tag == "span":
            entities.append(
                {"type": _SIMPLE.get(tag, "spoiler"), "offset": offset, "length": length}
            )
        elif tag == "tg-emoji":
            emoji_id = int(top.argument) if top.argument.isdigit() else 0
            if emoji_id == 0:
                raise EntityParseError("Invalid custom emoji identifier specified")
            entities.append(
                {
                    "type": "custom_emoji",
                    "offset": offset,
                    "length": length,
                    "custom_emoji_id": str(emoji_id),
                }
            )
        elif tag == "a":
            url = top.argument or self.result[top.begin_pos :].decode("utf-8", "replace")
            url = _checked_link(url)
            # tdlib silently drops links it cannot use instead of failing the message.
            if url:
                entities.append(
                    {"type": "text_link", "offset": offset, "length": length, "url": url}
                )
        elif tag in ("pre", "code"):
            self.close_pre_code(top, length)
        else:  # blockquote
            kind = "expandable_blockquote" if top.argument else "blockquote"
            entities.append({"type": kind, "offset": offset, "length": length})

    def close_pre_code(self, top: _Nested, length: int) -> None:
        # <pre><code class="language-x"> (either nesting order) becomes one pre with a language.
        offset, entities = top.offset, self.entities
        last = entities[-1] if entities else None
        same_span = last is not None and last["offset"] == offset and last["length"] == length
        if top.tag == "pre":
            if last is not None and same_span and last["type"] == "code" and last.get("language"):
                last["type"] = "pre"
            else:
                entities.append({"type": "pre", "offset": offset, "length": length})
        elif last is not None and same_span and last["type"] == "pre" and top.argument:
            last["language"] = top.argument
        else:
            entity: dict[str, Any] = {"type": "code", "offset": offset, "length": length}
            if top.argument:
                entity["language"] = top.argument
            entities.append(entity)
