"""Telegram's HTML parse mode and text rules: the text and entities they yield,
and the exact reasons (with byte offsets) Telegram gives when it refuses.
"""

from __future__ import annotations

import html as stdlib_html
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.entities import detect_entities, finish_text, utf16_len
from sandbox.html import EntityParseError, parse_html


def entity(kind: str, offset: int, length: int, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "offset": offset, "length": length, **extra}


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        (
            "<b>bold</b> <strong>too</strong>",
            "bold too",
            [entity("bold", 0, 4), entity("bold", 5, 3)],
        ),
        ("<i>a</i><em>b</em>", "ab", [entity("italic", 0, 1), entity("italic", 1, 1)]),
        ("<u>a</u><ins>b</ins>", "ab", [entity("underline", 0, 1), entity("underline", 1, 1)]),
        (
            "<s>a</s><strike>b</strike><del>c</del>",
            "abc",
            [entity("strikethrough", i, 1) for i in range(3)],
        ),
        (
            '<tg-spoiler>a</tg-spoiler><span class="tg-spoiler">b</span>',
            "ab",
            [entity("spoiler", 0, 1), entity("spoiler", 1, 1)],
        ),
        (
            '<a href="https://example.org/x">link</a>',
            "link",
            [entity("text_link", 0, 4, url="https://example.org/x")],
        ),
        ("<code>x = 1</code>", "x = 1", [entity("code", 0, 5)]),
        ("<pre>block</pre>", "block", [entity("pre", 0, 5)]),
        (
            '<pre><code class="language-python">print(1)</code></pre>',
            "print(1)",
            [entity("pre", 0, 8, language="python")],
        ),
        ("<blockquote>q</blockquote>", "q", [entity("blockquote", 0, 1)]),
        ("<blockquote expandable>q</blockquote>", "q", [entity("expandable_blockquote", 0, 1)]),
        (
            '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
            "👍",
            [entity("custom_emoji", 0, 2, custom_emoji_id="5368324170671202286")],
        ),
        ("&lt;b&gt; &amp; &quot;q&quot;", '<b> & "q"', []),
        ("&#128512;&#x1F600; &unknown;", "😀😀 &unknown;", []),
        ("<B>upper</B>", "upper", [entity("bold", 0, 5)]),
        ("<b><i>both</i></b>", "both", [entity("bold", 0, 4), entity("italic", 0, 4)]),
        ("😀<b>x</b>", "😀x", [entity("bold", 2, 1)]),
        ("<b></b>empty", "empty", []),
    ],
)
def test_html_gives_telegrams_text_and_entities(
    source: str, text: str, entities: list[dict[str, Any]]
) -> None:
    assert parse_html(source) == (text, entities)


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<b>never closed", "Can't find end tag corresponding to start tag b"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        (
            "<b foo>x</b>",
            'Expected equal sign in declaration of an attribute of the tag "b" at byte offset 0',
        ),
        ("<a href=x!>y</a>", "Unexpected end of name token at byte offset 8"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<tg-emoji emoji-id=x>y</tg-emoji>", "Invalid custom emoji identifier specified"),
        (
            "&#xD83D;",
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units",
        ),
    ],
)
def test_bad_html_is_refused_with_telegrams_reason(source: str, reason: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(source)
    assert str(caught.value) == reason


@given(st.text())
def test_escaped_text_survives_parsing_unchanged(text: str) -> None:
    escaped = stdlib_html.escape(text, quote=False)
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        return  # lone surrogates cannot be sent to Telegram at all
    assert parse_html(escaped) == (text, [])


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1))
def test_bold_entity_covers_the_whole_text_in_utf16_units(text: str) -> None:
    plain, entities = parse_html(f"<b>{stdlib_html.escape(text, quote=False)}</b>")
    assert plain == text
    assert entities == [entity("bold", 0, utf16_len(text))]


def test_utf16_length_counts_astral_characters_twice() -> None:
    assert utf16_len("a😀中") == 4


def test_trimming_clips_entities() -> None:
    assert finish_text("  hi  ", [entity("bold", 0, 4)]) == ("hi", [entity("bold", 0, 2)])


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("/start", [entity("bot_command", 0, 6)]),
        ("/start abc", [entity("bot_command", 0, 6)]),
        ("/help@sandbox_bot now", [entity("bot_command", 0, 17)]),
        ("a/b is not a command", []),
        ("/中文", []),
        ("see https://example.org.", [entity("url", 4, 19)]),
        ("hi @mei_chen", [entity("mention", 3, 9)]),
        ("#社福 tag", [entity("hashtag", 0, 3)]),
    ],
)
def test_commands_links_mentions_and_hashtags_are_detected(
    text: str, found: list[dict[str, Any]]
) -> None:
    assert detect_entities(text) == found
