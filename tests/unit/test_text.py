"""What people type: invisible characters removed, display names checked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.text import NameProblem, check_display_name, clean_text, looks_like_invite_code


def test_zero_width_and_bidirectional_controls_are_removed() -> None:
    assert clean_text("\u200b王\u200d小\u202e美\ufeff") == "王小美"


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", NameProblem.EMPTY),
        ("   \u200b  ", NameProblem.EMPTY),
        ("😀😀😀", NameProblem.NO_LETTERS),
        ("12345", NameProblem.NO_LETTERS),
        ("王" * 31, NameProblem.TOO_LONG),
        ("x" * 10_000, NameProblem.TOO_LONG),
        ("王小美\n社工", NameProblem.MULTILINE),
        ("/help", NameProblem.LOOKS_LIKE_COMMAND),
        ("王小美 社工", None),
        ("\u202bمريم\u202c", None),
        ("Mei Wang 😀", None),
    ],
)
def test_display_names(typed: str, problem: NameProblem | None) -> None:
    assert check_display_name(typed)[1] == problem


@given(st.text())
def test_cleaning_never_leaves_invisible_controls(text: str) -> None:
    cleaned = clean_text(text)
    assert not any(ch in cleaned for ch in "\u200b\u200e\u200f\u202a\u202e\u2066\ufeff")
    assert cleaned == cleaned.strip()


@pytest.mark.parametrize(
    ("code", "ok"),
    [("Ab3_-xY9zQ12", True), ("abc", False), ("has space", False), ("<script>", False)],
)
def test_invite_code_shape(code: str, ok: bool) -> None:
    assert looks_like_invite_code(code) is ok
