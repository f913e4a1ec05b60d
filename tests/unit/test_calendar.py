"""The case conference a referral is placed on (參.三.(六).2.(1): refer one month before)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.calendar import next_conference, referral_cutoff, roc_year
from bot.domain.jurisdiction import MeetingSeries
from bot.jurisdictions import load_jurisdiction


@pytest.fixture
def conference() -> MeetingSeries:
    return next(s for s in load_jurisdiction().meeting_series if s.key == "case_conference")


def test_roc_years() -> None:
    assert roc_year(date(2026, 11, 24)) == 115
    assert roc_year(date(2027, 1, 1)) == 116


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 24), (2027, 3)),  # November's cutoff (1 Oct) has passed
        (date(2027, 2, 1), (2027, 3)),  # the cutoff day itself still counts
        (date(2027, 2, 2), (2027, 6)),
        (date(2027, 5, 1), (2027, 6)),
        (date(2027, 7, 31), (2027, 9)),
        (date(2027, 8, 2), (2027, 11)),
        (date(2027, 9, 15), (2027, 11)),  # September passed; November's cutoff is 1 Oct
        (date(2027, 10, 2), (2028, 3)),
    ],
)
def test_next_conference(conference: MeetingSeries, today: date, expected: tuple[int, int]) -> None:
    assert next_conference(conference, today) == expected


def test_cutoff_is_one_month_before(conference: MeetingSeries) -> None:
    assert referral_cutoff(conference, 2027, 3) == date(2027, 2, 1)
    assert referral_cutoff(conference, 2028, 11) == date(2028, 10, 1)
