"""A family service center at a glance (/caseload): open cases per case manager against the
target ratio, tracked cases by monthly-report status, 幸扶守護 visit plans behind schedule.

Supervisors answer for their center's caseload (docs/domain.md §1); the target ratio is the
jurisdiction file's `caseload_target`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.accounts import Accounts, Staff
from bot.cases import Cases
from bot.clock import utcnow
from bot.domain.obligations import ObligationKind, ObligationState, period_key
from bot.domain.working_days import TAIPEI
from storage.records import ObligationRecord, ReferralRecord
from storage.repositories import audit, cases, referrals


@dataclass(frozen=True)
class WorkerLoad:
    staff_id: int
    name: str
    open_cases: int
    tracked: int
    overdue: int  # their duties past due: reports, visit windows, next steps
    active: bool  # a suspended worker still leading cases shows up, marked


@dataclass(frozen=True)
class ReportStatus:
    """Tracked cases by the state of the monthly reports owed for complete months."""

    submitted: list[str] = field(default_factory=list)  # case codes
    due: list[str] = field(default_factory=list)  # owed, not yet late
    overdue: list[str] = field(default_factory=list)
    not_yet: list[str] = field(default_factory=list)  # tracked this month: nothing owed yet


@dataclass(frozen=True)
class CenterCaseload:
    center_id: str
    day: date
    target: int
    workers: list[WorkerLoad]  # most loaded first
    unassigned: int
    reports: ReportStatus
    visits_behind: list[str]  # case codes


def report_status(duties: list[ObligationRecord], today: date) -> str:
    """submitted / due / overdue / not_yet for one tracked case, from its monthly-report rows.

    Only complete months count: the report for November is owed from December 1st, due by the
    5th (seed 004, 參.三.(六).3.(5)).
    """
    this_month = period_key((today.year, today.month))
    owed = [d for d in duties if d.kind == ObligationKind.MONTHLY_REPORT and d.period < this_month]
    open_ones = [d for d in owed if d.state == ObligationState.OPEN]
    if any(d.due < today for d in open_ones):
        return "overdue"
    if open_ones:
        return "due"
    return "submitted" if owed else "not_yet"


async def center_caseload(
    cases_service: Cases,
    accounts: Accounts,
    *,
    reader: Staff,
    center_id: str,
    target: int,
    case_managers: list[Staff],
) -> CenterCaseload:
    """The center's caseload now; the read is audited."""
    now = utcnow()
    today = now.astimezone(TAIPEI).date()
    db = cases_service.db
    async with db.read() as conn:
        open_cases = await referrals.open_cases(conn, center_id)
    duties = await _duties(cases_service, open_cases, now)
    status = ReportStatus()
    behind: list[str] = []
    for referral in open_cases:
        if referral.tracked:
            getattr(status, report_status(duties[referral.id], today)).append(referral.code)
        progress = await cases_service.visit_progress(referral)
        if progress is not None and (progress.behind or progress.missed):
            behind.append(referral.code)
    workers = await _workers(accounts, case_managers, open_cases, duties, today)
    async with db.write() as conn:
        await audit.append(
            conn,
            at=now,
            action="case.caseload",
            outcome="allowed",
            actor_staff_id=reader.id,
            subject=f"unit:{center_id}",
        )
    return CenterCaseload(
        center_id=center_id,
        day=today,
        target=target,
        workers=workers,
        unassigned=sum(1 for r in open_cases if r.case_manager_id is None),
        reports=status,
        visits_behind=behind,
    )


async def _duties(
    cases_service: Cases, open_cases: list[ReferralRecord], now: datetime
) -> dict[int, list[ObligationRecord]]:
    """Every open case's obligations, monthly reports owed up to now included."""
    found: dict[int, list[ObligationRecord]] = {}
    async with cases_service.db.write() as conn:
        for referral in open_cases:
            await cases_service.owe_reports(conn, referral, now)
            found[referral.id] = await cases.obligations_of(conn, referral.id)
    return found


async def _workers(
    accounts: Accounts,
    case_managers: list[Staff],
    open_cases: list[ReferralRecord],
    duties: dict[int, list[ObligationRecord]],
    today: date,
) -> list[WorkerLoad]:
    leading = Counter(r.case_manager_id for r in open_cases if r.case_manager_id is not None)
    tracked = Counter(r.case_manager_id for r in open_cases if r.tracked and r.case_manager_id)
    overdue = Counter(
        d.owner_staff_id
        for owed in duties.values()
        for d in owed
        if d.state == ObligationState.OPEN and d.due < today and d.owner_staff_id is not None
    )
    staff_ids = set(leading) | {m.id for m in case_managers}
    loads = []
    for staff_id in staff_ids:
        member = await accounts.by_id(staff_id)
        if member is None:
            continue
        loads.append(
            WorkerLoad(
                staff_id=staff_id,
                name=member.display_name or "—",
                open_cases=leading[staff_id],
                tracked=tracked[staff_id],
                overdue=overdue[staff_id],
                active=member.active,
            )
        )
    return sorted(loads, key=lambda w: (-w.open_cases, w.name))
