"""Dates as staff type them, and the next step written at the end of a note."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.dates import NextStep, StepDateProblem, parse_date, split_next_step

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
    assert split_next_step("今天家訪，案母情緒穩定。", TODAY) == NextStep(
        "今天家訪，案母情緒穩定。", None, None
    )


def test_a_next_step_with_and_without_a_date() -> None:
    assert split_next_step("今天家訪。\n下一步：陪同就醫 12/3", TODAY) == NextStep(
        "今天家訪。", "陪同就醫 12/3", date(2026, 12, 3)
    )
    assert split_next_step("電訪。\n下一步: 連結就服站", TODAY) == NextStep(
        "電訪。", "連結就服站", date(2026, 12, 1)
    )
    assert split_next_step("電訪。\n下一步: 欠款3萬 分6期", TODAY).due == date(2026, 12, 1)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("下一步：家訪 115/02/30", StepDateProblem.NO_SUCH_DAY),
        ("下一步：家訪 2027-13-01", StepDateProblem.NO_SUCH_DAY),
        ("下一步：家訪 0/0", StepDateProblem.NO_SUCH_DAY),
        ("下一步：家訪 2/30", StepDateProblem.NO_SUCH_DAY),
        ("下一步：家訪 115/01/05", StepDateProblem.IN_THE_PAST),
        ("下一步：家訪 200/1/1", StepDateProblem.TOO_FAR),
        ("下一步：家訪 3026/1/1", StepDateProblem.TOO_FAR),
    ],
)
def test_an_impossible_next_step_date_is_pointed_out_never_replaced(
    line: str, problem: StepDateProblem
) -> None:
    split = split_next_step(f"今天家訪。\n{line}", TODAY)
    assert split.problem is problem
    assert split.due != date(2026, 12, 1)  # never silently a week from today


@pytest.mark.parametrize(
    "line", ["下一步：家訪 115/11/24", "下一步：家訪 116/11/24", "下一步：家訪 12/31"]
)
def test_next_step_dates_from_today_to_a_year_ahead_are_taken(line: str) -> None:
    assert split_next_step(f"電訪。\n{line}", TODAY).problem is None
