"""Checks on what people type: invisible characters removed, names and codes validated.

Telegram delivers whatever a phone keyboard produces, including zero-width and bidirectional
control characters; they are stripped before anything is stored or compared.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

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


def check_display_name(raw: str) -> tuple[str, NameProblem | None]:
    """Clean a display name and say what is wrong with it, if anything."""
    name = clean_text(raw)
    if not name:
        return name, NameProblem.EMPTY
    if name.startswith("/"):
        return name, NameProblem.LOOKS_LIKE_COMMAND
    if "\n" in name:
        return name, NameProblem.MULTILINE
    if len(name) > DISPLAY_NAME_MAX:
        return name, NameProblem.TOO_LONG
    if not any(unicodedata.category(ch).startswith("L") for ch in name):
        return name, NameProblem.NO_LETTERS
    return name, None


def looks_like_invite_code(text: str) -> bool:
    return bool(INVITE_CODE.match(text))
