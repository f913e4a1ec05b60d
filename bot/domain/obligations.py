"""Duties as data: what someone owes on a case, by when, and whether it was met.

The bureau judges after each year who did their part on time (seed 004, 肆); these make it plain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.visit_plan import PlanProgress
from bot.domain.working_days import WorkingCalendar, monthly_report_due


class ObligationKind(StrEnum):
    MONTHLY_REPORT = "monthly_report"  # 列管月報 of a tracked case (參.三.(六).3.(5))
    PLANNED_VISIT = "planned_visit"  # a 幸扶守護 window's visits (seed 003)
    NEXT_STEP = "next_step"  # a next step with a due date, written in an entry


class ObligationState(StrEnum):
    OPEN = "open"
    DONE = "done"
    OVERDUE = "overdue"
    WAIVED = "waived"  # excused, with a reason (e.g. the family moved away mid-month)


class WaiverReason(StrEnum):
    """Why a duty was excused. Codes, not free text: a waiver is judged at the year's end (肆)
    and must never carry a family's details."""

    MOVED_AWAY = "moved_away"  # 案家遷出轄區
    UNREACHABLE = "unreachable"  # 多次聯繫未果
    IN_CARE = "in_care"  # 住院、安置或入監中
    SERVED_ELSEWHERE = "served_elsewhere"  # 已由其他單位主責
    NO_LONGER_NEEDED = "no_longer_needed"  # 情況改變，已無需要
    CASE_CLOSED = "case_closed"  # set by the bot when a case closes
    RELEASED = "released"  # set by the bot when a case conference releases a case (除管)


# What a person may pick; the last two are the bot's own.
PICKABLE_WAIVERS: tuple[WaiverReason, ...] = tuple(
    r for r in WaiverReason if r not in (WaiverReason.CASE_CLOSED, WaiverReason.RELEASED)
)


def may_waive(
    kind: ObligationKind, *, is_center_supervisor: bool, is_admin: bool, is_owner: bool
) -> bool:
    """Who may excuse a duty.

    A tracked case's monthly report is never excused from chat: cases kept under tracking report
    every month until a case conference releases them (seed 004, 參.三.(六).3.(5)). A 幸扶守護
    visit window answers to the center's supervisor, who judges whether the plan still fits; a
    next step is its writer's own promise, so the writer may drop it too.
    """
    if kind is ObligationKind.MONTHLY_REPORT:
        return False
    if is_center_supervisor or is_admin:
        return True
    return kind is ObligationKind.NEXT_STEP and is_owner


@dataclass(frozen=True)
class Obligation:
    kind: ObligationKind
    case_code: str
    owner_unit: str | None
    owner_staff: int | None
    due: date
    period: str | None  # the month a monthly report covers, "2026-11"; None for other kinds
    state: ObligationState
    waived_reason: str | None = None

    def __post_init__(self) -> None:
        # A waiver without a reason cannot be judged fairly at the year's end (肆).
        if (self.state is ObligationState.WAIVED) != bool(self.waived_reason):
            raise ValueError("a waived obligation, and only one, carries a reason")


def state_on(
    obligation_due: date, done_on: date | None, waived: bool, today: date
) -> ObligationState:
    """An obligation's state on `today`: done wins, then waived; overdue once `today` > due.

    Done wins even when late — lateness is a separate fact, see `on_time` — because the work is
    there and nobody should be chased for it again.
    """
    if done_on is not None:
        return ObligationState.DONE
    if waived:
        return ObligationState.WAIVED
    return ObligationState.OVERDUE if today > obligation_due else ObligationState.OPEN


def on_time(due: date, done_on: date) -> bool:
    """Whether work done on `done_on` met its due date (the day itself still counts)."""
    return done_on <= due


def period_key(period: tuple[int, int]) -> str:
    """How a month is written in `Obligation.period` and in storage: (2026, 11) → "2026-11"."""
    year, month = period
    return f"{year:04d}-{month:02d}"


def monthly_report_periods(
    tracked_since: date, tracked_until: date | None, today: date
) -> list[tuple[int, int]]:
    """The (year, month)s a tracked case owes a monthly report for, on `today`.

    Cases kept under tracking report every month after the conference (seed 004, 參.三.(六).3.(5)):
    from the month tracking started — a case tracked on 2026-11-20 owes November, due early
    December — through the last complete month before today, and not past the month tracking
    ended (that month is owed too: the work done in it before 除管 is still reported).
    """
    last = _month_index(today.year, today.month) - 1
    if tracked_until is not None:
        last = min(last, _month_index(tracked_until.year, tracked_until.month))
    first = _month_index(tracked_since.year, tracked_since.month)
    return [(index // 12, index % 12 + 1) for index in range(first, last + 1)]


def monthly_report_obligations(
    *,
    case_code: str,
    tracked_since: date,
    tracked_until: date | None,
    today: date,
    reported_on: Mapping[str, date],
    waived: Mapping[str, str],
    owner_unit: str | None,
    owner_staff: int | None,
    calendar: WorkingCalendar,
    due_day: int = 5,
) -> list[Obligation]:
    """Every monthly report a tracked case owes, each with its state on `today`.

    `reported_on` and `waived` are keyed by `period_key` ("2026-11"): the day each report was
    sent, and the reason each excused month was excused.
    """
    obligations = []
    for period in monthly_report_periods(tracked_since, tracked_until, today):
        key = period_key(period)
        due = monthly_report_due(period, due_day, calendar=calendar)
        state = state_on(due, reported_on.get(key), key in waived, today)
        obligations.append(
            Obligation(
                kind=ObligationKind.MONTHLY_REPORT,
                case_code=case_code,
                owner_unit=owner_unit,
                owner_staff=owner_staff,
                due=due,
                period=key,
                state=state,
                waived_reason=waived[key] if state is ObligationState.WAIVED else None,
            )
        )
    return obligations


def planned_visit_obligations(
    *,
    case_code: str,
    plan_progress: PlanProgress,
    today: date,
    owner_unit: str | None,
    owner_staff: int | None,
) -> list[Obligation]:
    """One obligation per 幸扶守護 window that has begun: its visits, due by the window's end."""
    obligations = []
    for tally in plan_progress.windows:
        window = tally.window
        if window.start > today:
            continue
        state = (
            ObligationState.DONE if tally.satisfied else state_on(window.end, None, False, today)
        )
        obligations.append(
            Obligation(
                kind=ObligationKind.PLANNED_VISIT,
                case_code=case_code,
                owner_unit=owner_unit,
                owner_staff=owner_staff,
                due=window.end,
                period=None,
                state=state,
            )
        )
    return obligations


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1
