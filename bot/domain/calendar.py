"""Dates of the plan: ROC years, and which case conference a referral goes to.

Referrals for a case conference are requested one month before the meeting (參.三.(六).2.(1)).
"""

from __future__ import annotations

from datetime import date

from bot.domain.jurisdiction import MeetingSeries


def roc_year(day: date) -> int:
    """民國 year: Gregorian − 1911 (2026 = 115)."""
    return day.year - 1911


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def referral_cutoff(series: MeetingSeries, year: int, month: int) -> date:
    """The last day to refer to the conference of (year, month).

    Until the meeting's own date is set, the conference is assumed on the first day of its month,
    so the cutoff is the first day of the month `referral_cutoff_months_before` earlier.
    """
    before = series.referral_cutoff_months_before or 0
    cutoff_year, cutoff_month = _add_months(year, month, -before)
    return date(cutoff_year, cutoff_month, 1)


def next_conference(series: MeetingSeries, today: date) -> tuple[int, int]:
    """The first conference (year, month) whose referral cutoff has not passed."""
    year = today.year
    for _ in range(3):
        for month in series.months:
            if today <= referral_cutoff(series, year, month):
                return year, month
        year += 1
    raise ValueError(f"meeting series {series.key} has no months")
