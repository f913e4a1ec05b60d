"""What is overdue, unit by unit (/overdue): the duties past due and still open on a day.

Four kinds of duty fall behind, each by its own rule:

- a case's obligations (`Cases.obligations_at`, `obligations.state_on`): 列管月報 of tracked cases,
  due the 5th of the next month (seed 004, 參.三.(六).3.(5)); 幸扶守護 planned-visit windows, due
  at each window's end (seed 003, 參.二.5); next steps written in entries, due the day written;
- meeting minutes, due one week after the meeting (seed 004, 參.一–三; `meetings.deadline_state`);
- referrals waiting for 受案/退回/再轉 longer than the nudge rule's first step
  (`nudges.referral_waiting`; issue #6, row "referral waiting for a decision");
- liaison-meeting resolutions (列管事項) past their due date (seed 004, 參.二).

Need to know (seed 001): a family service center's supervisor sees their own center — what its
staff owe and everything owed on its cases — and the bureau's administrators see every unit.
Items carry codes, meeting times and staff names only, never a family's details; the read is
audited like any read of case data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.accounts import Accounts, Staff
from bot.cases import Cases
from bot.domain import meetings as meeting_rules
from bot.domain import nudges as nudge_rules
from bot.domain.jurisdiction import Jurisdiction
from bot.domain.obligations import ObligationKind, ObligationState
from bot.domain.permissions import Action, may
from bot.domain.roles import Role
from bot.domain.working_days import WorkingCalendar, taipei_date
from storage.records import MeetingRecord
from storage.repositories import audit, meetings, referrals

VISIT_WINDOW_PREFIX = "visit-window-"  # how a 幸扶守護 window's obligation names its period


class OverdueKind(StrEnum):
    MONTHLY_REPORT = ObligationKind.MONTHLY_REPORT.value  # 列管月報
    PLANNED_VISIT = ObligationKind.PLANNED_VISIT.value  # 幸扶守護 visits of one window
    NEXT_STEP = ObligationKind.NEXT_STEP.value  # 下一步 written in an entry
    MINUTES = "minutes"  # 會議紀錄 not recorded a week after the meeting
    REFERRAL_WAITING = "referral_waiting"  # 轉介 not yet accepted, returned or re-referred
    RESOLUTION = "resolution"  # 列管事項 of a liaison meeting


@dataclass(frozen=True)
class OverdueItem:
    """One overdue duty, as a chat message may show it: no family's details."""

    kind: OverdueKind
    due: date
    days_overdue: int  # 0 for a referral whose waiting time ran out today
    code: str | None = None  # the case or referral code
    meeting: MeetingRecord | None = None  # whose minutes are late, or which made the resolution
    detail: str | None = None  # the report's month "2026-11", the visit window "1", resolution "2"
    owner: str | None = None  # the display name of whoever owes it, when one person does


@dataclass(frozen=True)
class UnitOverdue:
    unit_id: str
    unit_name: str
    items: list[OverdueItem]  # oldest due first


# (the unit an item is filed under, the case's center if a case's) → whether the reader sees it
Visible = Callable[[str, str | None], bool]
Placed = list[tuple[str, OverdueItem]]  # (the unit an item is filed under, the item)


def days_overdue(due: date, today: date) -> int:
    """Whole days since the due day: the day after it is 1 (the due day itself still counts)."""
    return max((today - due).days, 0)


def in_scope(
    reader_role: Role, reader_unit_id: str | None, unit_id: str, case_center_id: str | None = None
) -> bool:
    """Whether a reader sees a duty filed under `unit_id` (on a case of `case_center_id`).

    The bureau's administrators see every unit; a center's supervisor sees what their center
    owes and whatever is owed on their center's cases (need to know, seed 001); nobody else.
    """
    if reader_role is Role.ADMIN:
        return True
    if reader_role is not Role.SUPERVISOR or reader_unit_id is None:
        return False
    return reader_unit_id in (unit_id, case_center_id)


def grouped(
    placed: Iterable[tuple[str, OverdueItem]], unit_names: dict[str, str], order: Sequence[str]
) -> list[UnitOverdue]:
    """Items by unit: units in `order` (the jurisdiction file's), unknown ones after them by id;
    within a unit the oldest due first (then by kind, code, meeting time and detail)."""
    by_unit: dict[str, list[OverdueItem]] = defaultdict(list)
    for unit_id, item in placed:
        by_unit[unit_id].append(item)
    rank = {unit_id: index for index, unit_id in enumerate(order)}
    units = sorted(by_unit, key=lambda unit_id: (rank.get(unit_id, len(rank)), unit_id))
    return [
        UnitOverdue(
            unit_id=unit_id,
            unit_name=unit_names.get(unit_id, unit_id),
            items=sorted(by_unit[unit_id], key=_oldest_first),
        )
        for unit_id in units
    ]


def _oldest_first(item: OverdueItem) -> tuple[date, str, str, str, str]:
    starts = item.meeting.starts_at.isoformat() if item.meeting else ""
    return (item.due, item.kind.value, item.code or "", starts, item.detail or "")


async def overdue_duties(
    cases_service: Cases,
    accounts: Accounts,
    jurisdiction: Jurisdiction,
    *,
    reader: Staff,
    now: datetime,
) -> list[UnitOverdue]:
    """Every duty overdue at `now` (its day in Asia/Taipei) that `reader` may see, by unit.

    Only reads, apart from its audit entry. Callers check the permission table first; asking
    without the right to is a programming error.
    """
    if not may(reader.role, Action.VIEW_OVERDUE):
        raise PermissionError(f"{reader.role.value} may not read overdue duties")
    today = taipei_date(now)
    reader_unit = reader.unit.id if reader.unit else None

    def visible(unit_id: str, case_center_id: str | None) -> bool:
        return in_scope(reader.role, reader_unit, unit_id, case_center_id)

    names = _Names(accounts)
    placed = await _case_duties(cases_service, names, visible, today)
    async with cases_service.db.read() as conn:
        placed += await _minutes(conn, names, visible, today)
        placed += await _waiting_referrals(
            conn, visible, now, jurisdiction.nudge_rules, cases_service.calendar
        )
        placed += await _resolutions(conn, visible, today)
    found = grouped(
        placed,
        {unit.id: unit.name for unit in jurisdiction.units},
        [unit.id for unit in jurisdiction.units],
    )
    async with cases_service.db.write() as conn:
        await audit.append(
            conn,
            at=now,
            action="case.overdue",
            outcome="allowed",
            actor_staff_id=reader.id,
            subject="unit:all" if reader.role is Role.ADMIN else f"unit:{reader_unit}",
            detail={
                "day": today.isoformat(),
                "units": len(found),
                "items": sum(len(unit.items) for unit in found),
            },
        )
    return found


async def _case_duties(
    cases_service: Cases, names: _Names, visible: Visible, today: date
) -> Placed:
    """Reports, visit windows and next steps overdue on `today`, as `Cases.obligations_at` and
    `obligations.state_on` judge them; filed under the owner's unit, else the case's center."""
    overdue = [
        o
        for o in await cases_service.obligations_at(today)
        if o.state == ObligationState.OVERDUE.value
    ]
    centers: dict[str, str] = {}
    async with cases_service.db.read() as conn:
        for code in {o.case_code for o in overdue}:
            case = await referrals.by_code(conn, code)
            if case is not None:
                centers[code] = case.center_id
    placed: Placed = []
    for obligation in overdue:
        center = centers.get(obligation.case_code)
        unit_id = obligation.owner_unit_id or center
        if unit_id is None or not visible(unit_id, center):
            continue
        item = OverdueItem(
            kind=OverdueKind(obligation.kind),
            due=obligation.due,
            days_overdue=days_overdue(obligation.due, today),
            code=obligation.case_code,
            detail=_obligation_detail(obligation.kind, obligation.period),
            owner=await names.of(obligation.owner_staff_id),
        )
        placed.append((unit_id, item))
    return placed


async def _minutes(conn: AsyncConnection, names: _Names, visible: Visible, today: date) -> Placed:
    """Meetings whose minutes are missed: one week after the meeting (seed 004, 參.一–三);
    filed under the organiser's unit."""
    placed: Placed = []
    for meeting in await meetings.listing(conn):
        if meeting.minutes_recorded_at is not None or not visible(meeting.organiser_unit_id, None):
            continue
        state = meeting_rules.deadline_state(meeting.minutes_due, None, today)
        if state is not meeting_rules.DeadlineState.MISSED:
            continue
        item = OverdueItem(
            kind=OverdueKind.MINUTES,
            due=meeting.minutes_due,
            days_overdue=days_overdue(meeting.minutes_due, today),
            meeting=meeting,
            owner=await names.of(meeting.organiser_id),
        )
        placed.append((meeting.organiser_unit_id, item))
    return placed


async def _waiting_referrals(
    conn: AsyncConnection,
    visible: Visible,
    now: datetime,
    rules: nudge_rules.NudgeRules,
    calendar: WorkingCalendar,
) -> Placed:
    """Referrals still waiting once their first nudge's moment has passed (2 working days by
    default; issue #6, row "referral waiting for a decision"); filed under the receiving
    center."""
    today = taipei_date(now)
    placed: Placed = []
    for referral in await referrals.waiting(conn):
        if not visible(referral.center_id, referral.center_id):
            continue
        first = nudge_rules.referral_waiting(referral.created_at, rules, calendar)[0]
        if first.at > now:
            continue
        due = taipei_date(first.at)
        item = OverdueItem(
            kind=OverdueKind.REFERRAL_WAITING,
            due=due,
            days_overdue=days_overdue(due, today),
            code=referral.code,
        )
        placed.append((referral.center_id, item))
    return placed


async def _resolutions(conn: AsyncConnection, visible: Visible, today: date) -> Placed:
    """Open resolutions (列管事項) of liaison meetings past their due date (seed 004, 參.二),
    named by their meeting and their number in it — their words may hold a family's details;
    filed under the owner unit."""
    placed: Placed = []
    numbers: dict[int, int] = {}
    made_at: dict[int, MeetingRecord | None] = {}
    for resolution in await meetings.open_resolutions(conn):
        if resolution.due is None or today <= resolution.due:
            continue
        if not visible(resolution.owner_unit_id, None):
            continue
        if resolution.meeting_id not in made_at:
            made_at[resolution.meeting_id] = await meetings.by_id(conn, resolution.meeting_id)
            for number, made in enumerate(
                await meetings.resolutions(conn, resolution.meeting_id), 1
            ):
                numbers[made.id] = number
        position = numbers.get(resolution.id)
        item = OverdueItem(
            kind=OverdueKind.RESOLUTION,
            due=resolution.due,
            days_overdue=days_overdue(resolution.due, today),
            meeting=made_at[resolution.meeting_id],
            detail=None if position is None else str(position),
        )
        placed.append((resolution.owner_unit_id, item))
    return placed


def _obligation_detail(kind: str, period: str) -> str | None:
    """What tells two duties of one case apart: a report's month, a visit window's number.
    A next step is told by its due date alone: its words are the worker's own (a narrative)."""
    if kind == ObligationKind.MONTHLY_REPORT:
        return period
    if kind == ObligationKind.PLANNED_VISIT:
        return period.removeprefix(VISIT_WINDOW_PREFIX)
    return None


class _Names:
    """Display names of staff, each looked up once."""

    def __init__(self, accounts: Accounts) -> None:
        self.accounts = accounts
        self.known: dict[int, str | None] = {}

    async def of(self, staff_id: int | None) -> str | None:
        if staff_id is None:
            return None
        if staff_id not in self.known:
            member = await self.accounts.by_id(staff_id)
            self.known[staff_id] = member.display_name if member else None
        return self.known[staff_id]
