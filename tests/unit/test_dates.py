"""Dates as staff type them, and the next step written at the end of a note."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.dates import (
    NextStep,
    StepDateProblem,
    parse_date,
    parse_past_date,
    split_next_step,
)

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


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("115/11/15", date(2026, 11, 15)),
        ("2026-11-15", date(2026, 11, 15)),
        ("11/15", date(2026, 11, 15)),
        ("12/20", date(2025, 12, 20)),  # still to come this year: last year's
        ("今天", date(2026, 11, 24)),
        ("昨天", date(2026, 11, 23)),
        ("前天", date(2026, 11, 22)),
        ("週一", date(2026, 11, 23)),  # 2026-11-24 is a Tuesday
        ("週二", date(2026, 11, 24)),
        ("星期三", date(2026, 11, 18)),
        ("上週三", date(2026, 11, 18)),
        ("上禮拜五", date(2026, 11, 20)),
        ("上週一", date(2026, 11, 16)),
        ("2/30", None),
        ("下週三", None),
        ("上次", None),
    ],
)
def test_a_past_day_as_a_worker_types_it(typed: str, expected: date | None) -> None:
    assert parse_past_date(typed, TODAY) == expected
