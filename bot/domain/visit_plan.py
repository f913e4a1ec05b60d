"""幸扶守護 follow-up: the visits a suicide report with an economic cause calls for, month by month.

4 visits in the first month, then at least 2 a month, for at least 3 months (seed 003, 參.二.5).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.working_days import WorkingCalendar, add_months

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class VisitPlan:
    """The follow-up of one `suicide_economic` case (docs/domain.md §3–§4), from `start`."""

    start: date
    months: int = 3
    first_month_visits: int = 4
    later_month_visits: int = 2

    def __post_init__(self) -> None:
        if self.months < 1:
            raise ValueError("a visit plan lasts at least one month")
        if self.first_month_visits < 0 or self.later_month_visits < 0:
            raise ValueError("visit counts cannot be negative")

    @property
    def end(self) -> date:
        """The last day of the plan's last month."""
        return _month_start(self.start, self.months) - _ONE_DAY


def _month_start(start: date, index: int) -> date:
    # The `index`-th month of a plan begins on the same day of the month as the plan; when that
    # month has no such day (a plan begun on the 31st), on the 1st of the month after. Clamping
    # to the 28th instead would end the first month of a 31 January plan on 27 February, and
    # plans begun on the 29th, 30th and 31st would all end on the same day.
    day = add_months(start, index)
    return day if day.day == start.day else day + _ONE_DAY


@dataclass(frozen=True)
class Window:
    """One month of the plan, [start, end] inclusive, and the visits it requires."""

    start: date
    end: date
    required: int

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def windows(plan: VisitPlan) -> list[Window]:
    """The plan's consecutive month windows.

    A month runs from the start date to the day before the same date a month later, and when
    that month is too short, to its last day. Each window is counted from the plan's start (not
    from the previous window), so a plan begun on 31 January 2026 runs 31 Jan–28 Feb,
    1 Mar–30 Mar, 31 Mar–30 Apr without drifting.
    """
    return [
        Window(
            start=_month_start(plan.start, index),
            end=_month_start(plan.start, index + 1) - _ONE_DAY,
            required=plan.first_month_visits if index == 0 else plan.later_month_visits,
        )
        for index in range(plan.months)
    ]


@dataclass(frozen=True)
class WindowProgress:
    window: Window
    done: int  # days with at least one visit in the window, up to today

    @property
    def remaining(self) -> int:
        return max(self.window.required - self.done, 0)

    @property
    def satisfied(self) -> bool:
        return self.done >= self.window.required


@dataclass(frozen=True)
class PlanProgress:
    windows: tuple[WindowProgress, ...]
    current: WindowProgress | None  # the window holding today; None before or after the plan
    done: int  # visit days within the plan, up to today
    required: int
    behind: bool  # the current window can no longer get its visits in time
    missed: tuple[WindowProgress, ...]  # past windows that did not get their visits
    complete: bool  # every window satisfied and the plan period over


def progress(
    plan: VisitPlan, visit_dates: Iterable[date], today: date, *, calendar: WorkingCalendar
) -> PlanProgress:
    """Where the plan stands on `today`, given the dates of the visits made.

    A visit is an entry of one of `case_status.VISIT_KINDS`; the caller picks those out.
    Visits are counted as days: two contacts on one day are one visit, since the rule asks how
    often the family is seen, not how many calls were made. Visits on a weekend count.

    `behind` is about the future, not the tally: the current window's missing visits no longer
    fit in its remaining working days, at most one visit a working day (a worker cannot count on
    weekends). Today still counts as available unless a visit was already made today.
    """
    days = frozenset(day for day in visit_dates if day <= today)
    tallies = tuple(
        WindowProgress(window, sum(1 for day in days if day in window)) for window in windows(plan)
    )
    current = next((tally for tally in tallies if today in tally.window), None)
    behind = False
    if current is not None and current.remaining:
        tomorrow = today + _ONE_DAY
        slots = calendar.working_days_between(tomorrow, current.window.end)
        if today not in days and calendar.is_working_day(today):
            slots += 1
        behind = current.remaining > slots
    over = today > plan.end
    return PlanProgress(
        windows=tallies,
        current=current,
        done=sum(tally.done for tally in tallies),
        required=sum(tally.window.required for tally in tallies),
        behind=behind,
        missed=tuple(t for t in tallies if t.window.end < today and not t.satisfied),
        complete=over and all(tally.satisfied for tally in tallies),
    )


def behind_since(
    window: Window, visit_dates: Iterable[date], today: date, *, calendar: WorkingCalendar
) -> date | None:
    """The first day of `window`, up to `today`, on which `progress(...).behind` holds: its
    missing visits no longer fit in its working days left (today counting unless a visit was
    made today). None when that has not happened (yet).

    One walk through the window, counting visits forward and working days backward, instead of
    asking `progress` day by day: planning asks this of every open visit duty each pass.
    """
    last = min(today, window.end)
    if last < window.start:
        return None
    span = (window.end - window.start).days + 1
    days = [window.start + timedelta(days=offset) for offset in range(span)]
    working = [calendar.is_working_day(day) for day in days]
    later = [0] * span  # working days after each day, to the window's end
    for offset in range(span - 2, -1, -1):
        later[offset] = later[offset + 1] + working[offset + 1]
    visited = frozenset(day for day in visit_dates if window.start <= day <= last)
    done = 0
    for offset, day in enumerate(days[: (last - window.start).days + 1]):
        seen_today = day in visited
        done += seen_today
        missing = window.required - done
        if missing <= 0:
            return None  # the month's visits are in: it cannot fall behind any more
        slots = later[offset] + (1 if working[offset] and not seen_today else 0)
        if missing > slots:
            return day
    return None
