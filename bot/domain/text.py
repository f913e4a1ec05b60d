"""Checks on what people type: invisible characters removed, names and codes validated.

Telegram delivers whatever a phone keyboard produces, including zero-width and bidirectional
control characters; they are stripped before anything is stored or compared.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from bot.domain.redaction import redact

# Zero-width and bidirectional controls, plus the BOM: invisible, and able to disguise text.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")

DISPLAY_NAME_MAX = 30
INVITE_CODE = re.compile(r"^[A-Za-z0-9_-]{6,64}$")


def clean_text(text: str) -> str:
    """The text as a person meant it: normalised, without invisible or control characters."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text.strip()


class NameProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NO_LETTERS = "no_letters"
    MULTILINE = "multiline"
    LOOKS_LIKE_COMMAND = "looks_like_command"
    HOLDS_IDENTIFIER = "holds_identifier"  # a phone number or an ID is not a name


def check_display_name(raw: str) -> tuple[str, NameProblem | None]:
    """Clean a display name and say what is wrong with it, if anything."""
    name = clean_text(raw)
    problems = (
        (not name, NameProblem.EMPTY),
        (name.startswith("/"), NameProblem.LOOKS_LIKE_COMMAND),
        ("\n" in name, NameProblem.MULTILINE),
        (len(name) > DISPLAY_NAME_MAX, NameProblem.TOO_LONG),
        (not any(unicodedata.category(ch).startswith("L") for ch in name), NameProblem.NO_LETTERS),
        (bool(redact(name).removed), NameProblem.HOLDS_IDENTIFIER),
    )
    return name, next((problem for found, problem in problems if found), None)


def looks_like_invite_code(text: str) -> bool:
    return bool(INVITE_CODE.match(text))
