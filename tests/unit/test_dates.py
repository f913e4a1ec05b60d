"""Dates as staff type them, and the next step written at the end of a note."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.dates import parse_date, split_next_step

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("115/03/18", date(2026, 3, 18)),
        ("115年3月18日", date(2026, 3, 18)),
        ("2026-03-18", date(2026, 3, 18)),
        ("2027/1/5", date(2027, 1, 5)),
        ("12/1", date(2026, 12, 1)),
        ("3/18", date(2027, 3, 18)),  # already past this year: next year
        ("11月24日", date(2026, 11, 24)),
        ("115/02/30", None),
        ("2/30", None),
        ("沒有日期", None),
        ("欠債30萬", None),
    ],
)
def test_parse_date(typed: str, expected: date | None) -> None:
    assert parse_date(typed, TODAY) == expected


def test_a_note_without_a_next_step() -> None:
    assert split_next_step("今天家訪，案母情緒穩定。", TODAY) == (
        "今天家訪，案母情緒穩定。",
        None,
        None,
    )


def test_a_next_step_with_and_without_a_date() -> None:
    note, step, due = split_next_step("今天家訪。\n下一步：陪同就醫 12/3", TODAY)
    assert note == "今天家訪。"
    assert step == "陪同就醫 12/3"
    assert due == date(2026, 12, 3)
    _, step, due = split_next_step("電訪。\n下一步: 連結就服站", TODAY)
    assert step == "連結就服站"
    assert due == date(2026, 12, 1)
