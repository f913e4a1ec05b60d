"""Taiwan's working calendar: which days the offices are open, and the deadlines that follow.

Weekends and national holidays are off, make-up workdays (補班) are on (docs/domain.md §6).
"""

from __future__ import annotations

import calendar as _gregorian
import functools
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

TAIPEI = ZoneInfo("Asia/Taipei")

_ONE_DAY = timedelta(days=1)


def taipei_date(moment: datetime) -> date:
    """The calendar date in Taipei (UTC+8, no daylight saving) of an aware `moment`."""
    if moment.tzinfo is None:
        raise ValueError("taipei_date needs an aware datetime")
    return moment.astimezone(TAIPEI).date()


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later (or earlier), clamped to that month's last day.

    2026-01-31 plus one month is 2026-02-28: a month counted from the 31st ends early rather
    than spilling into the month after.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, _gregorian.monthrange(year, month)[1]))


@functools.lru_cache(maxsize=32)
def _days_off(year: int) -> frozenset[date]:
    """Every day of `year` the holidays package says is not a working day in Taiwan.

    Category "public" holds the national holidays staff have off, their observed days (補假) and
    the DGPA's bridge days (彈性放假); the package records each bridge day's make-up Saturday (補班)
    in `weekend_workdays`, which `HolidayBase.is_working_day` honours. Asking it day by day keeps
    those rules in one place — the package's — and the answer is cached per year because it never
    changes while the process runs.
    """
    taiwan = holidays.country_holidays("TW", years=year, categories=(holidays.PUBLIC,))
    first = date(year, 1, 1)
    days = (first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days))
    return frozenset(day for day in days if not taiwan.is_working_day(day))


class WorkingCalendar:
    """The days Taiwan's government offices work, from the holidays package (country TW, public).

    The package knows the national holidays and, for the years the DGPA has published, the
    make-up workdays (補班). What it cannot know — a year it has not caught up with, typhoon days
    off (停班停課) declared by the city — a jurisdiction file passes in: `extra_workdays` are
    worked even if the package says otherwise, `extra_holidays` are off even if it says they are
    worked. A day may not be in both.
    """

    def __init__(
        self, extra_workdays: Iterable[date] = (), extra_holidays: Iterable[date] = ()
    ) -> None:
        self._extra_workdays = frozenset(extra_workdays)
        self._extra_holidays = frozenset(extra_holidays)
        if both := self._extra_workdays & self._extra_holidays:
            listed = ", ".join(day.isoformat() for day in sorted(both))
            raise ValueError(f"days both worked and off: {listed}")

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar(extra_workdays={sorted(self._extra_workdays)!r}, "
            f"extra_holidays={sorted(self._extra_holidays)!r})"
        )

    def is_working_day(self, day: date) -> bool:
        if day in self._extra_workdays:
            return True
        if day in self._extra_holidays:
            return False
        return day not in _days_off(day.year)

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def previous_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the last working day before it.

        Inclusive like `next_working_day`, so "the last working day on or before a date" needs
        no off-by-one at the call site.
        """
        while not self.is_working_day(day):
            day -= _ONE_DAY
        return day

    def add_working_days(self, day: date, n: int) -> date:
        """The `n`-th working day after `day`; n = 0 gives `next_working_day(day)`.

        Counting starts from the first working day on or after `day`: something that arrives on a
        Saturday is handled as if it arrived on Monday, as an office receives it.
        """
        if n < 0:
            raise ValueError("add_working_days counts forward only")
        day = self.next_working_day(day)
        for _ in range(n):
            day = self.next_working_day(day + _ONE_DAY)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie in [start, end], both ends included; 0 when end < start."""
        count = 0
        day = start
        while day <= end:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return count


def monthly_report_due(
    period: tuple[int, int], due_day: int = 5, *, calendar: WorkingCalendar
) -> date:
    """When the monthly report on the work of `period` (year, month) is due.

    Cases a case conference keeps under tracking report their progress every month to the family
    service center (seed 004, 參.三.(六).3.(5)). The report for month M is due on `due_day` of
    month M+1 — clamped to that month's length — and, when that day is a weekend or holiday, on
    the next working day: a deadline cannot fall on a day the center is closed.
    """
    year, month = period
    if not 1 <= month <= 12:
        raise ValueError(f"no month {month}")
    if due_day < 1:
        raise ValueError("due_day counts from 1")
    following = add_months(date(year, month, 1), 1)
    last = _gregorian.monthrange(following.year, following.month)[1]
    return calendar.next_working_day(following.replace(day=min(due_day, last)))
