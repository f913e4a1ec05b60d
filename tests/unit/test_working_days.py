"""Taiwan's working calendar on real dates: Lunar New Year, bridge days, 補班 Saturdays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.working_days import WorkingCalendar, add_months, monthly_report_due, taipei_date

CALENDAR = WorkingCalendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday before Lunar New Year 2026
        (date(2026, 2, 14), False),  # Saturday
        (date(2026, 2, 16), False),  # 農曆除夕 (the day before New Year's Eve, since 2026)
        (date(2026, 2, 17), False),  # 春節
        (date(2026, 2, 20), False),  # 補假
        (date(2026, 2, 22), False),  # Sunday
        (date(2026, 2, 23), True),  # back to work
        (date(2026, 2, 27), False),  # Friday, 和平紀念日 observed (28 Feb is a Saturday)
        (date(2024, 2, 8), False),  # bridge day (彈性放假), made up on Saturday 17 Feb
        (date(2024, 2, 17), True),  # 補班 Saturday, known to the holidays package
        (date(2024, 2, 24), False),  # an ordinary Saturday
        (date(2025, 2, 8), True),  # 補班 Saturday for the 27 Jan 2025 bridge day
        (date(2023, 1, 7), True),  # 2023 had several 補班 Saturdays
        (date(2014, 12, 27), True),  # made up for 2 Jan 2015: recorded under the next year
    ],
)
def test_working_days(day: date, working: bool) -> None:
    assert CALENDAR.is_working_day(day) is working


def test_extra_workdays_and_holidays_override_the_package() -> None:
    # A make-up Saturday the package does not list yet, and a typhoon day off declared by the city.
    saturday, typhoon = date(2026, 3, 7), date(2026, 3, 10)
    assert not CALENDAR.is_working_day(saturday)
    assert CALENDAR.is_working_day(typhoon)
    local = WorkingCalendar(extra_workdays=[saturday], extra_holidays=[typhoon])
    assert local.is_working_day(saturday)
    assert not local.is_working_day(typhoon)
    # An extra workday can also undo a package holiday, e.g. a bridge day a city did not grant.
    assert WorkingCalendar(extra_workdays=[date(2024, 2, 8)]).is_working_day(date(2024, 2, 8))


def test_a_day_cannot_be_both_worked_and_off() -> None:
    with pytest.raises(ValueError, match="2026-03-07"):
        WorkingCalendar(extra_workdays=[date(2026, 3, 7)], extra_holidays=[date(2026, 3, 7)])


def test_next_and_previous_working_day() -> None:
    assert CALENDAR.next_working_day(date(2026, 2, 14)) == date(2026, 2, 23)
    assert CALENDAR.next_working_day(date(2026, 2, 13)) == date(2026, 2, 13)
    assert CALENDAR.previous_working_day(date(2026, 2, 22)) == date(2026, 2, 13)
    assert CALENDAR.previous_working_day(date(2026, 2, 23)) == date(2026, 2, 23)


def test_add_working_days() -> None:
    assert CALENDAR.add_working_days(date(2026, 2, 12), 0) == date(2026, 2, 12)
    assert CALENDAR.add_working_days(date(2026, 2, 12), 2) == date(2026, 2, 23)
    assert CALENDAR.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    # Arriving on a day off counts from the next working day, as an office receives it.
    assert CALENDAR.add_working_days(date(2026, 2, 14), 0) == date(2026, 2, 23)
    assert CALENDAR.add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)
    # A 補班 Saturday is a step like any working day.
    assert CALENDAR.add_working_days(date(2024, 2, 16), 1) == date(2024, 2, 17)
    with pytest.raises(ValueError, match="forward"):
        CALENDAR.add_working_days(date(2026, 2, 12), -1)


def test_working_days_between() -> None:
    # February 2026: 20 weekdays, minus 16–20 Feb (Lunar New Year) and 27 Feb (observed).
    assert CALENDAR.working_days_between(date(2026, 2, 1), date(2026, 2, 28)) == 14
    # February 2024: 21 weekdays, minus six days off, plus the 補班 Saturday.
    assert CALENDAR.working_days_between(date(2024, 2, 1), date(2024, 2, 29)) == 16
    assert CALENDAR.working_days_between(date(2026, 2, 13), date(2026, 2, 13)) == 1
    assert CALENDAR.working_days_between(date(2026, 2, 23), date(2026, 2, 13)) == 0


@given(
    st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=0, max_value=40),
)
def test_add_working_days_lands_on_the_nth_working_day(day: date, n: int) -> None:
    result = CALENDAR.add_working_days(day, n)
    assert CALENDAR.is_working_day(result)
    assert CALENDAR.working_days_between(day, result) == n + 1


@given(st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)))
def test_next_and_previous_bracket_the_day(day: date) -> None:
    after, before = CALENDAR.next_working_day(day), CALENDAR.previous_working_day(day)
    assert before <= day <= after
    assert CALENDAR.working_days_between(before + timedelta(days=1), after - timedelta(days=1)) == 0


def test_taipei_date() -> None:
    assert taipei_date(datetime(2026, 2, 13, 15, 59, tzinfo=UTC)) == date(2026, 2, 13)
    assert taipei_date(datetime(2026, 2, 13, 16, 0, tzinfo=UTC)) == date(2026, 2, 14)
    with pytest.raises(ValueError, match="aware"):
        taipei_date(datetime(2026, 2, 13, 16, 0))  # noqa: DTZ001 - the naive datetime is the point


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 31), 2, date(2026, 3, 31)),
        (date(2026, 11, 20), 2, date(2027, 1, 20)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("period", "due_day", "expected"),
    [
        # Lunar New Year 2026 is 14–22 Feb: the 5th is a Thursday and stays.
        ((2026, 1), 5, date(2026, 2, 5)),
        # December 2024's report: 5 Jan 2025 is a Sunday.
        ((2024, 12), 5, date(2025, 1, 6)),
        # January 2019's report: 5 Feb 2019 was 春節 (4–10 Feb off, official DGPA calendar).
        ((2019, 1), 5, date(2019, 2, 11)),
        # January 2027's report: 5 Feb 2027 is 農曆除夕 and 6–10 Feb follow, as holidays 0.109
        # computes them (the DGPA publishes each year's calendar the June before).
        ((2027, 1), 5, date(2027, 2, 11)),
        # March 2026's report: 5 Apr is a Sunday, 6 Apr is 民族掃墓節 observed.
        ((2026, 3), 5, date(2026, 4, 7)),
        ((2026, 12), 5, date(2027, 1, 5)),  # across the year
        ((2026, 8), 31, date(2026, 9, 30)),  # clamped to a 30-day month, a Wednesday
        # Clamped to 28 Feb 2026, 和平紀念日 on a Saturday, then Sunday: Monday 2 March.
        ((2026, 1), 31, date(2026, 3, 2)),
    ],
)
def test_monthly_report_due(period: tuple[int, int], due_day: int, expected: date) -> None:
    assert monthly_report_due(period, due_day, calendar=CALENDAR) == expected


def test_monthly_report_due_uses_the_calendar_given() -> None:
    typhoon = WorkingCalendar(extra_holidays=[date(2026, 2, 5)])
    assert monthly_report_due((2026, 1), calendar=typhoon) == date(2026, 2, 6)


@pytest.mark.parametrize(("period", "due_day"), [((2026, 13), 5), ((2026, 0), 5), ((2026, 1), 0)])
def test_monthly_report_due_rejects_nonsense(period: tuple[int, int], due_day: int) -> None:
    with pytest.raises(ValueError, match=r"month|due_day"):
        monthly_report_due(period, due_day, calendar=CALENDAR)
