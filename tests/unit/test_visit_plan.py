"""幸扶守護 visit plans: month windows from a 31 January start, Lunar New Year, completion."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.visit_plan import VisitPlan, Window, behind_since, progress, windows
from bot.domain.working_days import WorkingCalendar

CALENDAR = WorkingCalendar()
PLAN = VisitPlan(start=date(2026, 1, 31))

# Four contacts on three days: the two on 9 February are one visit.
THREE_DAYS = [date(2026, 2, 2), date(2026, 2, 9), date(2026, 2, 9), date(2026, 2, 10)]
FIRST_MONTH = [*THREE_DAYS, date(2026, 2, 12)]


def test_windows_from_the_31st() -> None:
    assert windows(PLAN) == [
        Window(date(2026, 1, 31), date(2026, 2, 28), 4),  # February has no 31st
        Window(date(2026, 3, 1), date(2026, 3, 30), 2),
        Window(date(2026, 3, 31), date(2026, 4, 30), 2),
    ]
    assert PLAN.end == date(2026, 4, 30)


def test_windows_of_a_longer_plan_are_contiguous() -> None:
    plan = VisitPlan(start=date(2024, 1, 31), months=6, first_month_visits=5)
    found = windows(plan)
    assert found[0] == Window(date(2024, 1, 31), date(2024, 2, 29), 5)  # a leap year
    assert all(a.end + timedelta(days=1) == b.start for a, b in pairwise(found))
    assert found[-1].end == plan.end == date(2024, 7, 30)


@pytest.mark.parametrize(
    "kwargs", [{"months": 0}, {"first_month_visits": -1}, {"later_month_visits": -1}]
)
def test_nonsense_plans(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=r"month|negative"):
        VisitPlan(start=date(2026, 1, 31), **kwargs)


def test_before_the_plan_starts() -> None:
    result = progress(PLAN, [], date(2026, 1, 30), calendar=CALENDAR)
    assert result.current is None
    assert (result.done, result.required) == (0, 8)
    assert not result.behind
    assert not result.complete


def test_first_month_counts_visit_days() -> None:
    result = progress(PLAN, THREE_DAYS, date(2026, 2, 12), calendar=CALENDAR)
    assert result.current is not None
    assert result.current.window.start == date(2026, 1, 31)
    assert (result.current.done, result.current.remaining) == (3, 1)
    assert not result.behind
    assert result.done == 3


def test_future_dated_visits_do_not_count() -> None:
    result = progress(PLAN, FIRST_MONTH, date(2026, 2, 11), calendar=CALENDAR)
    assert result.done == 3  # 12 February has not happened yet


# The first window ends on Saturday 28 February 2026; Friday 27 February is a holiday (和平紀念日
# observed) and 16–20 February are Lunar New Year: after the holidays only 23–26 February are left.
@pytest.mark.parametrize(
    ("visits", "today", "behind"),
    [
        ([], date(2026, 2, 13), False),  # 13 Feb and 23–26 Feb: five days for four visits
        ([], date(2026, 2, 16), False),  # four days, four visits: tight but possible
        ([], date(2026, 2, 23), False),
        ([], date(2026, 2, 24), True),  # three days left: a weekday count would say four
        ([date(2026, 2, 2)], date(2026, 2, 24), False),
        ([date(2026, 2, 24)], date(2026, 2, 24), True),  # today's slot is used: 25–26 left
        ([date(2026, 2, 2), date(2026, 2, 24)], date(2026, 2, 24), False),
        (THREE_DAYS, date(2026, 2, 26), False),  # the last working day of the window
        (THREE_DAYS, date(2026, 2, 27), True),  # three done, and no working day left
        (FIRST_MONTH, date(2026, 2, 27), False),
    ],
)
def test_behind_near_the_end_of_a_window(visits: list[date], today: date, behind: bool) -> None:
    assert progress(PLAN, visits, today, calendar=CALENDAR).behind is behind


def test_a_typhoon_day_can_put_a_worker_behind() -> None:
    visits = [date(2026, 2, 2)]
    today = date(2026, 2, 24)
    assert not progress(PLAN, visits, today, calendar=CALENDAR).behind
    typhoon = WorkingCalendar(extra_holidays=[date(2026, 2, 25)])
    assert progress(PLAN, visits, today, calendar=typhoon).behind


def test_the_month_after() -> None:
    visits = [*FIRST_MONTH, date(2026, 3, 2)]
    result = progress(PLAN, visits, date(2026, 3, 10), calendar=CALENDAR)
    first, second, third = result.windows
    assert first.satisfied
    assert first.done == 4
    assert result.current == second
    assert (second.done, second.remaining) == (1, 1)
    assert third.done == 0
    assert result.missed == ()
    assert not result.behind
    assert (result.done, result.required) == (5, 8)


def test_a_missed_month_is_reported() -> None:
    result = progress(PLAN, THREE_DAYS, date(2026, 3, 10), calendar=CALENDAR)
    assert [tally.window.start for tally in result.missed] == [date(2026, 1, 31)]
    assert not result.behind  # the second window can still be met


def test_complete_after_three_months() -> None:
    visits = [*FIRST_MONTH, date(2026, 3, 2), date(2026, 3, 16)]
    visits += [date(2026, 4, 7), date(2026, 4, 28)]
    on_last_day = progress(PLAN, visits, date(2026, 4, 30), calendar=CALENDAR)
    assert all(tally.satisfied for tally in on_last_day.windows)
    assert not on_last_day.complete  # the plan period is not over yet
    after = progress(PLAN, visits, date(2026, 5, 1), calendar=CALENDAR)
    assert after.complete
    assert after.current is None
    assert not after.behind
    assert (after.done, after.required) == (8, 8)


def test_not_complete_when_a_month_fell_short() -> None:
    visits = [*FIRST_MONTH, date(2026, 3, 2), date(2026, 4, 7), date(2026, 4, 28)]
    after = progress(PLAN, visits, date(2026, 5, 1), calendar=CALENDAR)
    assert not after.complete
    assert [tally.window.start for tally in after.missed] == [date(2026, 3, 1)]


# --- the first day a month fell behind (what the nudge planner asks of every open visit duty) --


def day_by_day(
    plan: VisitPlan, window: Window, visits: list[date], today: date, calendar: WorkingCalendar
) -> date | None:
    """The definition: the first day of the window, up to today, on which `progress` says behind."""
    day = window.start
    while day <= min(today, window.end):
        if progress(plan, visits, day, calendar=calendar).behind:
            return day
        day += timedelta(days=1)
    return None


FEBRUARY = windows(PLAN)[0]


@pytest.mark.parametrize(
    ("visits", "today", "since"),
    [
        ([], date(2026, 2, 23), None),  # four working days, four visits: tight but possible
        ([], date(2026, 2, 24), date(2026, 2, 24)),
        ([], date(2026, 3, 20), date(2026, 2, 24)),  # asked after the month: the same day
        ([date(2026, 2, 2)], date(2026, 2, 26), date(2026, 2, 25)),
        (THREE_DAYS, date(2026, 2, 28), date(2026, 2, 27)),  # no working day left on the 27th
        (FIRST_MONTH, date(2026, 2, 28), None),  # done on the 12th: never behind again
        ([date(2026, 2, 24)], date(2026, 2, 24), date(2026, 2, 24)),  # today's slot is used
        ([], date(2026, 1, 30), None),  # before the month began
    ],
)
def test_behind_since_the_plans_own_example(
    visits: list[date], today: date, since: date | None
) -> None:
    assert behind_since(FEBRUARY, visits, today, calendar=CALENDAR) == since
    assert day_by_day(PLAN, FEBRUARY, visits, today, CALENDAR) == since


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(date(2025, 12, 1), date(2027, 3, 1)),
    index=st.integers(0, 2),
    offsets=st.lists(st.integers(-5, 40), max_size=6),
    today_offset=st.integers(-3, 45),
    typhoon=st.lists(st.integers(0, 35), max_size=2),
)
def test_behind_since_agrees_with_progress_day_by_day(
    start: date, index: int, offsets: list[int], today_offset: int, typhoon: list[int]
) -> None:
    plan = VisitPlan(start=start)
    window = windows(plan)[index]
    calendar = WorkingCalendar(extra_holidays=[window.start + timedelta(days=d) for d in typhoon])
    visits = [window.start + timedelta(days=d) for d in offsets]
    today = window.start + timedelta(days=today_offset)
    assert behind_since(window, visits, today, calendar=calendar) == day_by_day(
        plan, window, visits, today, calendar
    )
