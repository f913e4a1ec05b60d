"""Cases: attributed entries by everyone serving the family, tracking (列管) with its monthly
reports, 幸扶守護 visit plans, and the obligations all of these create.

Every duty is a row (an obligation) created in the same transaction as what caused it and closed
by the entry that fulfils it; the nudges read these rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.accounts import Accounts, Staff
from bot.clock import utcnow
from bot.domain.case_status import (
    BUTTON_MOVES,
    MOVE_EVENTS,
    STATUS_CHANGED,
    TRACKED_NEEDS_CONFERENCE,
    VISIT_KINDS,
    CaseStatus,
    EntryKind,
    check_entry_date,
    may_mark_tracked,
    may_transition,
    may_write_entry,
)
from bot.domain.jurisdiction import Unit
from bot.domain.obligations import (
    ObligationKind,
    ObligationState,
    WaiverReason,
    may_waive,
    monthly_report_periods,
    period_key,
    state_on,
)
from bot.domain.redaction import RedactionKind, redact
from bot.domain.referral_rules import Category
from bot.domain.referral_status import ReferralEvent, ReferralStatus
from bot.domain.roles import Role, UnitRole
from bot.domain.visit_plan import PlanProgress, VisitPlan, progress, windows
from bot.domain.working_days import TAIPEI, WorkingCalendar, monthly_report_due, taipei_date
from bot.keys import Keyring
from storage import Database
from storage.records import CaseEntryRecord, ObligationRecord, ReferralRecord
from storage.repositories import audit, cases, drafts, referrals

NOTE_PURPOSE = "case-entry-note"
STEP_PURPOSE = "case-entry-next-step"
TRACKING_PURPOSE = "case-tracking-reason"
PENDING_PURPOSE = "pending-input"
NOTE_MAX = 1000
TIMELINE_PAGE = 5
PENDING_INPUT_TTL = timedelta(minutes=15)


JOINABLE_ROLES = (UnitRole.NETWORK, UnitRole.DISTRICT_OFFICE)


def joinable(unit: Unit, district: str) -> bool:
    """Network units and district offices working in the family's district (or city-wide) may
    join the team that serves it; other centers take a case by re-referral."""
    return unit.role in JOINABLE_ROLES and (district in unit.districts or unit.city_wide)


def taipei_today() -> date:
    return taipei_date(utcnow())


@dataclass(frozen=True)
class Written:
    entry: CaseEntryRecord
    removed: tuple[RedactionKind, ...]  # identifiers redacted from the note
    status_note: str | None = None  # e.g. "a tracked case needs a conference to close"
    step: str | None = None  # the next step as stored: redacted


@dataclass(frozen=True)
class TimelinePage:
    entries: list[CaseEntryRecord]  # newest first
    total: int  # entries of the case in all
    corrected: dict[int, int]  # entry id → the id of the newest entry correcting it
    originals: dict[int, CaseEntryRecord]  # the entries this page's corrections point at


@dataclass(frozen=True)
class Obligation:
    """An obligation as outside checks and the nudges see it."""

    owner_staff_id: int | None
    owner_unit_id: str | None
    case_code: str
    kind: str
    period: str
    due: date
    state: str


class Cases:
    """The service behind /update, /report, tracking, visit plans and `safetynet obligations`."""

    def __init__(
        self,
        db: Database,
        keyring: Keyring,
        accounts: Accounts,
        calendar: WorkingCalendar,
        report_due_day: int = 5,
    ) -> None:
        self.db = db
        self.keyring = keyring
        self.accounts = accounts
        self.calendar = calendar
        self.report_due_day = report_due_day
        self._report_due_days: dict[tuple[int, int], date] = {}

    # --- opening a case (called inside the transaction that accepts a referral) ----------------

    async def open_case(
        self, conn: AsyncConnection, referral: ReferralRecord, *, now: datetime
    ) -> None:
        """受案 makes a case: in service, its team, and a visit plan for 幸扶守護."""
        await referrals.set_fields(
            conn, referral.id, now=now, case_status=CaseStatus.IN_SERVICE.value, opened_at=now
        )
        await cases.join_team(conn, referral.id, referral.center_id, now)
        if referral.referrer_unit_id:
            await cases.join_team(conn, referral.id, referral.referrer_unit_id, now)
        if Category.SUICIDE_ECONOMIC.value in referral.categories:
            plan = VisitPlan(start=now.astimezone(TAIPEI).date())
            for index, window in enumerate(windows(plan), 1):
                await cases.owe(
                    conn,
                    referral_id=referral.id,
                    kind=ObligationKind.PLANNED_VISIT.value,
                    period=f"visit-window-{index}",
                    owner_staff_id=referral.case_manager_id,
                    owner_unit_id=referral.center_id,
                    due=window.end,
                    state=ObligationState.OPEN.value,
                    created_at=now,
                    updated_at=now,
                )

    # --- who may do what ------------------------------------------------------------------------

    async def team(self, referral: ReferralRecord) -> frozenset[str]:
        async with self.db.read() as conn:
            return await cases.team(conn, referral.id)

    def opened_on(self, referral: ReferralRecord) -> date:
        """The day the case began (its acceptance), in Taipei: no entry is dated before it."""
        return (referral.opened_at or referral.created_at).astimezone(TAIPEI).date()

    def entry_date_problem(self, referral: ReferralRecord, day: date) -> str | None:
        """Why an entry of this case may not be dated `day` (asked before the note is typed)."""
        return check_entry_date(day, today=taipei_today(), case_opened=self.opened_on(referral))

    def writing_problem(
        self, member: Staff, referral: ReferralRecord, team: frozenset[str]
    ) -> str | None:
        if referral.status != ReferralStatus.ACCEPTED or referral.case_status is None:
            return "case.not_a_case"
        return may_write_entry(
            role=member.role,
            staff_unit=member.unit.id if member.unit else None,
            lead_center=referral.center_id,
            co_serving_units=team,
            is_lead=referral.case_manager_id == member.id,
            status=CaseStatus(referral.case_status),
        )

    # --- entries --------------------------------------------------------------------------------

    async def write(
        self,
        member: Staff,
        referral: ReferralRecord,
        *,
        kind: EntryKind,
        entry_date: date,
        note: str,
        next_step: str | None = None,
        next_due: date | None = None,
        corrects_id: int | None = None,
    ) -> Written | str:
        """Add an entry (or say why not, as a reason code)."""
        if len(note) > NOTE_MAX:
            return "entry.note_too_long"
        now = utcnow()
        async with self.db.write() as conn:
            current = await referrals.by_id(conn, referral.id)
            if current is None:
                return "case.not_a_case"
            problem = self.writing_problem(member, current, await cases.team(conn, current.id))
            problem = problem or check_entry_date(
                entry_date, today=now.astimezone(TAIPEI).date(), case_opened=self.opened_on(current)
            )
            if not problem and kind is EntryKind.CLOSURE_REQUEST:
                # Only the lead asks, and only from a status that can ask: nothing half-done.
                problem = may_transition(
                    CaseStatus(current.case_status or CaseStatus.IN_SERVICE.value),
                    CaseStatus.CLOSURE_REQUESTED,
                    role=member.role,
                    is_lead=current.case_manager_id == member.id,
                    is_center_staff=self._is_center_staff(member, current),
                    tracked=current.tracked,
                )
            if problem:
                return problem
            cleaned = redact(note)
            step = redact(next_step) if next_step else None
            entry = await cases.add_entry(
                conn,
                referral_id=current.id,
                author_id=member.id,
                author_unit_id=member.unit.id if member.unit else None,
                kind=kind.value,
                entry_date=entry_date,
                period=None,
                note=self.keyring.encrypt(NOTE_PURPOSE, cleaned.text),
                next_step=self.keyring.encrypt(STEP_PURPOSE, step.text) if step else None,
                next_due=next_due,
                corrects_id=corrects_id,
                created_at=now,
            )
            assert entry is not None  # only monthly reports carry a period
            status_note = await self._after_entry(conn, member, current, entry, now)
            await audit.append(
                conn,
                at=now,
                action=f"case.entry.{kind.value}",
                outcome="allowed",
                actor_staff_id=member.id,
                subject=f"referral:{current.code}",
            )
        removed = tuple(dict.fromkeys((*cleaned.removed, *(step.removed if step else ()))))
        return Written(
            entry=entry,
            removed=removed,
            status_note=status_note,
            step=step.text if step else None,
        )

    async def _after_entry(
        self,
        conn: AsyncConnection,
        member: Staff,
        referral: ReferralRecord,
        entry: CaseEntryRecord,
        now: datetime,
    ) -> str | None:
        """What an entry causes: a next step owed, visits counted, a closure requested."""
        if entry.next_due is not None:
            await cases.owe(
                conn,
                referral_id=referral.id,
                kind=ObligationKind.NEXT_STEP.value,
                period=f"entry-{entry.id}",
                owner_staff_id=member.id,
                owner_unit_id=member.unit.id if member.unit else None,
                due=entry.next_due,
                state=ObligationState.OPEN.value,
                created_at=now,
                updated_at=now,
            )
        if EntryKind(entry.kind) in VISIT_KINDS:
            await self._count_visits(conn, referral, entry, now)
        if entry.kind == EntryKind.CLOSURE_REQUEST.value:
            problem = may_transition(
                CaseStatus(referral.case_status or CaseStatus.IN_SERVICE.value),
                CaseStatus.CLOSURE_REQUESTED,
                role=member.role,
                is_lead=referral.case_manager_id == member.id,
                is_center_staff=member.unit is not None and member.unit.id == referral.center_id,
                tracked=referral.tracked,
            )
            if problem is not None:
                return problem
            await referrals.set_fields(
                conn, referral.id, now=now, case_status=CaseStatus.CLOSURE_REQUESTED.value
            )
            await referrals.add_event(
                conn,
                referral.id,
                at=now,
                actor_id=member.id,
                kind=ReferralEvent.CLOSURE_REQUESTED.value,
            )
            if referral.tracked:
                # The request stands; only the next case conference can release it (除管).
                return TRACKED_NEEDS_CONFERENCE
        return None

    async def _count_visits(
        self,
        conn: AsyncConnection,
        referral: ReferralRecord,
        entry: CaseEntryRecord,
        now: datetime,
    ) -> None:
        """A 幸扶守護 window's obligation is done once its required visits are in."""
        if Category.SUICIDE_ECONOMIC.value not in referral.categories or not referral.opened_at:
            return
        plan = VisitPlan(start=referral.opened_at.astimezone(TAIPEI).date())
        visits = await cases.entry_dates(conn, referral.id, [k.value for k in VISIT_KINDS])
        for index, window in enumerate(windows(plan), 1):
            done = sum(1 for day in visits if window.start <= day <= window.end)
            if done >= window.required:
                await cases.fulfil(
                    conn,
                    referral.id,
                    kind=ObligationKind.PLANNED_VISIT.value,
                    period=f"visit-window-{index}",
                    entry_id=entry.id,
                    now=now,
                )

    def note_of(self, entry: CaseEntryRecord) -> str | None:
        return None if entry.note is None else self.keyring.decrypt(NOTE_PURPOSE, entry.note)

    def next_step_of(self, entry: CaseEntryRecord) -> str | None:
        if entry.next_step is None:
            return None
        return self.keyring.decrypt(STEP_PURPOSE, entry.next_step)

    async def timeline(self, member: Staff, referral: ReferralRecord, page: int) -> TimelinePage:
        """A page of entries, newest first, with what corrects what; the read is audited."""
        async with self.db.write() as conn:
            found, total = await cases.entries(
                conn, referral.id, limit=TIMELINE_PAGE, offset=page * TIMELINE_PAGE
            )
            corrected = await cases.corrections(conn, referral.id)
            originals = {}
            for entry in found:
                if entry.corrects_id is not None:
                    original = await cases.entry(conn, entry.corrects_id)
                    if original is not None:
                        originals[original.id] = original
            await audit.append(
                conn,
                at=utcnow(),
                action="case.timeline",
                outcome="allowed",
                actor_staff_id=member.id,
                subject=f"referral:{referral.code}",
                detail={"page": page},
            )
        return TimelinePage(entries=found, total=total, corrected=corrected, originals=originals)

    async def visit_progress(self, referral: ReferralRecord) -> PlanProgress | None:
        """幸扶守護: visits done against the plan — None for other cases."""
        if Category.SUICIDE_ECONOMIC.value not in referral.categories or not referral.opened_at:
            return None
        plan = VisitPlan(start=referral.opened_at.astimezone(TAIPEI).date())
        async with self.db.read() as conn:
            visits = await cases.entry_dates(conn, referral.id, [k.value for k in VISIT_KINDS])
        return progress(plan, visits, taipei_today(), calendar=self.calendar)

    # --- tracking (列管) and monthly reports -----------------------------------------------------

    async def mark_tracked(
        self, member: Staff, referral: ReferralRecord, reason: str
    ) -> str | None:
        """A supervisor marks a case tracked (until conferences record it); None when done."""
        if not may_mark_tracked(member.role):
            return "case.not_allowed_role"
        now = utcnow()
        async with self.db.write() as conn:
            current = await referrals.by_id(conn, referral.id)
            if current is None or current.case_status is None:
                return "case.not_a_case"
            if current.tracked:
                return "case.already_tracked"
            if member.role is not Role.ADMIN and (
                member.unit is None or member.unit.id != current.center_id
            ):
                return "case.not_allowed_role"
            await referrals.set_fields(
                conn,
                current.id,
                now=now,
                tracked=True,
                tracked_since=now,
                tracked_reason=self.keyring.encrypt(TRACKING_PURPOSE, redact(reason).text),
            )
            await referrals.add_event(
                conn, current.id, at=now, actor_id=member.id, kind=ReferralEvent.TRACKED.value
            )
            await self.owe_reports(conn, await referrals.by_id(conn, current.id), now)
            await audit.append(
                conn,
                at=now,
                action="case.track",
                outcome="allowed",
                actor_staff_id=member.id,
                subject=f"referral:{current.code}",
            )
        return None

    def report_duties(
        self, referral: ReferralRecord, today: date
    ) -> list[tuple[str, date, datetime]]:
        """The monthly reports a tracked case owes on `today`: (period, due, arising).

        Every month of tracking owes one, due the 5th (or the next working day) of the month
        after (參.三.(六).3.(5)); the month under way is owed too, so it can be filed early. A
        report arises when its month begins, or when tracking began within that month.
        """
        if not referral.tracked or referral.tracked_since is None:
            return []
        tracked_since = referral.tracked_since
        return [
            (period, due, max(datetime(year, month, 1, tzinfo=TAIPEI), tracked_since))
            for (year, month), period, due in self._report_months(tracked_since, today)
        ]

    def report_dues(self, tracked_since: datetime, today: date) -> list[tuple[str, date]]:
        """(period, due) of the monthly reports a case tracked since then owes on `today` (as
        `report_duties`, for planning: no referral record needed)."""
        return [(period, due) for _, period, due in self._report_months(tracked_since, today)]

    def _report_months(
        self, tracked_since: datetime, today: date
    ) -> list[tuple[tuple[int, int], str, date]]:
        since = tracked_since.astimezone(TAIPEI).date()
        months = set(monthly_report_periods(since, None, today))
        if today >= since:
            months.add((today.year, today.month))
        return [(month, period_key(month), self._report_due(month)) for month in sorted(months)]

    def _report_due(self, month: tuple[int, int]) -> date:
        """A month's report due day, worked out once per month (planning asks it of every
        tracked case each pass)."""
        due = self._report_due_days.get(month)
        if due is None:
            due = monthly_report_due(month, self.report_due_day, calendar=self.calendar)
            self._report_due_days[month] = due
        return due

    async def owe_reports(
        self, conn: AsyncConnection, referral: ReferralRecord | None, now: datetime
    ) -> None:
        """Store the monthly reports owed by `now` (rows are made when first needed)."""
        if referral is None:
            return
        for period, due, arising in self.report_duties(referral, now.astimezone(TAIPEI).date()):
            await cases.owe(
                conn,
                referral_id=referral.id,
                kind=ObligationKind.MONTHLY_REPORT.value,
                period=period,
                owner_staff_id=referral.case_manager_id,
                owner_unit_id=referral.center_id,
                due=due,
                state=ObligationState.OPEN.value,
                created_at=arising,
                updated_at=arising,
            )

    async def reports_owed(self, referral: ReferralRecord) -> list[ObligationRecord]:
        async with self.db.write() as conn:
            await self.owe_reports(conn, referral, utcnow())
            owed = await cases.obligations_of(conn, referral.id)
        return [
            o
            for o in owed
            if o.kind == ObligationKind.MONTHLY_REPORT.value and o.state == ObligationState.OPEN
        ]

    async def file_report(
        self, member: Staff, referral: ReferralRecord, period: str, answers: dict[str, str]
    ) -> Written | str:
        """列管月報: one per case and month; the second filer is told it is already in."""
        now = utcnow()
        async with self.db.write() as conn:
            current = await referrals.by_id(conn, referral.id)
            if current is None:
                return "case.not_a_case"
            owed = [
                o
                for o in await cases.obligations_of(conn, current.id)
                if o.kind == ObligationKind.MONTHLY_REPORT
                and o.period == period
                and o.state == ObligationState.OPEN
            ]
            if not current.tracked and not owed:
                # Released (除管) cases still file the months they owe.
                return "report.not_tracked"
            problem = self.writing_problem(member, current, await cases.team(conn, current.id))
            if problem:
                return problem
            cleaned = {key: redact(value) for key, value in answers.items()}
            payload = json.dumps({k: v.text for k, v in cleaned.items()}, ensure_ascii=False)
            entry = await cases.add_entry(
                conn,
                referral_id=current.id,
                author_id=member.id,
                author_unit_id=member.unit.id if member.unit else None,
                kind=EntryKind.MONTHLY_REPORT.value,
                entry_date=now.astimezone(TAIPEI).date(),
                period=period,
                note=self.keyring.encrypt(NOTE_PURPOSE, payload),
                next_step=None,
                next_due=None,
                corrects_id=None,
                created_at=now,
            )
            if entry is None:
                return "report.already_filed"
            await cases.fulfil(
                conn,
                current.id,
                kind=ObligationKind.MONTHLY_REPORT.value,
                period=period,
                entry_id=entry.id,
                now=now,
            )
            await audit.append(
                conn,
                at=now,
                action="case.report",
                outcome="allowed",
                actor_staff_id=member.id,
                subject=f"referral:{current.code}",
                detail={"period": period},
            )
        removed = tuple(dict.fromkeys(k for v in cleaned.values() for k in v.removed))
        return Written(entry=entry, removed=removed)

    # --- status moves (後追, closure approved or refused, reopening) -----------------------------

    def _is_center_staff(self, member: Staff, referral: ReferralRecord) -> bool:
        return member.unit is not None and member.unit.id == referral.center_id

    def moves_for(self, member: Staff, referral: ReferralRecord) -> list[CaseStatus]:
        """The statuses this member of staff may move the case to with a button, now."""
        if referral.case_status is None:
            return []
        current = CaseStatus(referral.case_status)
        return [
            target
            for source, target in BUTTON_MOVES
            if source is current
            and may_transition(
                current,
                target,
                role=member.role,
                is_lead=referral.case_manager_id == member.id,
                is_center_staff=self._is_center_staff(member, referral),
                tracked=referral.tracked,
            )
            is None
        ]

    async def move(
        self,
        member: Staff,
        referral: ReferralRecord,
        *,
        expected: CaseStatus,
        target: CaseStatus,
    ) -> str | None:
        """Move the case from `expected` to `target`; None when done, else why not.

        Closing excuses the case's remaining visits and next steps (nobody is chased for a
        closed case); a tracked case cannot close until a conference releases it.
        """
        now = utcnow()
        async with self.db.write() as conn:
            current = await referrals.by_id(conn, referral.id)
            if current is None or current.case_status is None:
                return "case.not_a_case"
            if current.case_status != expected.value:
                return STATUS_CHANGED
            if (expected, target) not in BUTTON_MOVES:
                return "case.no_such_transition"
            problem = may_transition(
                expected,
                target,
                role=member.role,
                is_lead=current.case_manager_id == member.id,
                is_center_staff=self._is_center_staff(member, current),
                tracked=current.tracked,
            )
            if problem:
                return problem
            await referrals.set_fields(conn, current.id, now=now, case_status=target.value)
            event = MOVE_EVENTS[(expected, target)]
            await referrals.add_event(
                conn, current.id, at=now, actor_id=member.id, kind=event.value
            )
            if expected is CaseStatus.CLOSED:
                await cases.reopen_waived(
                    conn,
                    current.id,
                    kind=ObligationKind.PLANNED_VISIT.value,
                    reason=WaiverReason.CASE_CLOSED.value,
                    due_from=now.astimezone(TAIPEI).date(),
                    now=now,
                )
            if target is CaseStatus.CLOSED:
                await cases.waive_open(
                    conn,
                    current.id,
                    kinds=[ObligationKind.PLANNED_VISIT.value, ObligationKind.NEXT_STEP.value],
                    reason=WaiverReason.CASE_CLOSED.value,
                    now=now,
                )
            await audit.append(
                conn,
                at=now,
                action=f"case.move.{target.value}",
                outcome="allowed",
                actor_staff_id=member.id,
                subject=f"referral:{current.code}",
                detail={"from": expected.value},
            )
        return None

    # --- corrections: a new entry that references the old one -----------------------------------

    async def entry(self, entry_id: int) -> CaseEntryRecord | None:
        async with self.db.read() as conn:
            return await cases.entry(conn, entry_id)

    def may_correct(self, member: Staff, entry: CaseEntryRecord) -> bool:
        """Authors correct their own entries; a monthly report or a correction is not corrected
        (a new report period or a new correction says it)."""
        return entry.author_id == member.id and EntryKind(entry.kind) not in (
            EntryKind.CORRECTION,
            EntryKind.MONTHLY_REPORT,
        )

    async def correct(self, member: Staff, entry_id: int, note: str) -> Written | str:
        """A correction: today's entry pointing at the one it corrects; the original stays."""
        original = await self.entry(entry_id)
        if original is None:
            return "entry.not_found"
        if not self.may_correct(member, original):
            return "entry.not_author"
        async with self.db.read() as conn:
            referral = await referrals.by_id(conn, original.referral_id)
        if referral is None:
            return "entry.not_found"
        return await self.write(
            member,
            referral,
            kind=EntryKind.CORRECTION,
            entry_date=taipei_today(),
            note=note,
            corrects_id=original.id,
        )

    # --- next steps and other duties -------------------------------------------------------------

    async def open_duties(self, referral: ReferralRecord) -> list[ObligationRecord]:
        """A case's open obligations, soonest first (monthly reports owed so far included)."""
        async with self.db.write() as conn:
            await self.owe_reports(conn, referral, utcnow())
            owed = await cases.obligations_of(conn, referral.id)
        return [o for o in owed if o.state == ObligationState.OPEN.value]

    async def open_steps(
        self, member: Staff, referral: ReferralRecord, *, before_entry: int
    ) -> list[tuple[ObligationRecord, str]]:
        """This person's open next steps on the case written before `before_entry`, with their
        text — the entry just written may be what fulfils them."""
        steps = []
        for duty in await self.open_duties(referral):
            if duty.kind != ObligationKind.NEXT_STEP.value or duty.owner_staff_id != member.id:
                continue
            step_entry = await self.entry(int(duty.period.removeprefix("entry-")))
            if step_entry is None or step_entry.id >= before_entry:
                continue
            steps.append((duty, self.next_step_of(step_entry) or ""))
        return steps

    async def complete_step(self, member: Staff, duty_id: int, entry_id: int) -> str | None:
        """The entry `entry_id` fulfils the next step `duty_id`; None when done, else why not."""
        now = utcnow()
        async with self.db.write() as conn:
            duty = await cases.obligation(conn, duty_id)
            entry = await cases.entry(conn, entry_id)
            if (
                duty is None
                or entry is None
                or duty.kind != ObligationKind.NEXT_STEP.value
                or duty.owner_staff_id != member.id
                or entry.author_id != member.id
                or entry.referral_id != duty.referral_id
            ):
                return "duty.not_yours"
            if entry.id <= int(duty.period.removeprefix("entry-")):
                return "duty.not_yours"  # only a later entry does what an earlier one promised
            if not await cases.fulfil(
                conn,
                duty.referral_id,
                kind=duty.kind,
                period=duty.period,
                entry_id=entry.id,
                now=now,
            ):
                return "duty.not_open"
            await audit.append(
                conn,
                at=now,
                action="case.duty.done",
                outcome="allowed",
                actor_staff_id=member.id,
                subject=f"referral_id:{duty.referral_id}",
                detail={"period": duty.period, "entry": entry.id},
            )
        return None

    def may_waive(self, member: Staff, referral: ReferralRecord, duty: ObligationRecord) -> bool:
        return may_waive(
            ObligationKind(duty.kind),
            is_center_supervisor=member.role is Role.SUPERVISOR
            and self._is_center_staff(member, referral),
            is_admin=member.role is Role.ADMIN,
            is_owner=duty.owner_staff_id == member.id,
        )

    async def waive(
        self, member: Staff, duty_id: int, reason: WaiverReason
    ) -> tuple[ReferralRecord, ObligationRecord] | str:
        """Excuse an open duty with a reason code (never free text); the case and the duty, or why
        not."""
        now = utcnow()
        async with self.db.write() as conn:
            duty = await cases.obligation(conn, duty_id)
            referral = await referrals.by_id(conn, duty.referral_id) if duty else None
            if duty is None or referral is None:
                return "duty.not_open"
            if not self.may_waive(member, referral, duty):
                return "duty.not_waivable"
            if not await cases.waive(conn, duty.id, reason=reason.value, now=now):
                return "duty.not_open"
            await referrals.add_event(
                conn,
                referral.id,
                at=now,
                actor_id=member.id,
                kind=ReferralEvent.DUTY_WAIVED.value,
                detail={"kind": duty.kind, "period": duty.period, "reason": reason.value},
            )
            await audit.append(
                conn,
                at=now,
                action="case.duty.waive",
                outcome="allowed",
                actor_staff_id=member.id,
                subject=f"referral:{referral.code}",
                detail={"kind": duty.kind, "period": duty.period, "reason": reason.value},
            )
        return referral, duty

    # --- the serving team -------------------------------------------------------------------------

    async def team_since(self, referral: ReferralRecord) -> list[tuple[str, datetime]]:
        async with self.db.read() as conn:
            return await cases.team_since(conn, referral.id)

    def may_manage_team(self, member: Staff, referral: ReferralRecord) -> bool:
        """The lead center's supervisor (or the bureau) decides who serves the family."""
        return member.role is Role.ADMIN or (
            member.role is Role.SUPERVISOR and self._is_center_staff(member, referral)
        )

    def _team_problem(
        self, member: Staff, referral: ReferralRecord, unit: Unit, *, joins: bool
    ) -> str | None:
        if not self.may_manage_team(member, referral) or (
            joins and not joinable(unit, referral.district)
        ):
            return "team.not_allowed"
        if unit.id == referral.center_id:
            return "team.lead_center"
        if referral.case_status is None or referral.case_status == CaseStatus.CLOSED:
            return "case.not_a_case"
        return None

    async def change_team(
        self, member: Staff, referral: ReferralRecord, unit: Unit, *, joins: bool
    ) -> str | None:
        """A unit starts or stops serving the case; None when done, else why not. Staff of a unit
        that stopped serving can no longer write entries; what they wrote stays, and their open
        next steps are excused (another unit leads that work now)."""
        problem = self._team_problem(member, referral, unit, joins=joins)
        if problem:
            return problem
        now = utcnow()
        async with self.db.write() as conn:
            if joins:
                if unit.id in await cases.team(conn, referral.id):
                    return "team.already_serving"
                await cases.join_team(conn, referral.id, unit.id, now)
            else:
                if not await cases.leave_team(conn, referral.id, unit.id, now):
                    return "team.not_serving"
                for duty in await cases.obligations_of(conn, referral.id):
                    if (
                        duty.kind == ObligationKind.NEXT_STEP
                        and duty.owner_unit_id == unit.id
                        and duty.state == ObligationState.OPEN
                    ):
                        await cases.waive(
                            conn, duty.id, reason=WaiverReason.SERVED_ELSEWHERE.value, now=now
                        )
            event = ReferralEvent.TEAM_JOINED if joins else ReferralEvent.TEAM_LEFT
            await referrals.add_event(
                conn,
                referral.id,
                at=now,
                actor_id=member.id,
                kind=event.value,
                detail={"unit": unit.id},
            )
            await audit.append(
                conn,
                at=now,
                action=f"case.team.{'join' if joins else 'leave'}",
                outcome="allowed",
                actor_staff_id=member.id,
                subject=f"referral:{referral.code}",
                detail={"unit": unit.id},
            )
        return None

    # --- obligations, as outside checks see them -------------------------------------------------

    async def obligations_at(self, at: date) -> list[Obligation]:
        """The obligations open on a day, as they stood then — a read that changes nothing.

        A past day shows what was open at its end (later fulfilment does not hide it); a future
        day adds the monthly reports tracked cases will owe by then.
        """
        end = datetime(at.year, at.month, at.day, tzinfo=TAIPEI) + timedelta(days=1)
        async with self.db.read() as conn:
            stored = await cases.all_obligations(conn)
            tracked = await referrals.tracked(conn)
            ids = {o.referral_id for o in stored} | {r.id for r in tracked}
            codes = {r.id: r.code for r in await referrals.by_ids(conn, ids)}
        listed = [
            (o.referral_id, o.kind, o.period, o.owner_staff_id, o.owner_unit_id, o.due)
            for o in stored
            if o.created_at < end and (o.state == ObligationState.OPEN or o.updated_at >= end)
        ]
        known = {(o.referral_id, o.kind, o.period) for o in stored}
        for referral in tracked:
            for period, due, arising in self.report_duties(referral, at):
                key = (referral.id, ObligationKind.MONTHLY_REPORT.value, period)
                if key not in known and arising < end:
                    listed.append((*key, referral.case_manager_id, referral.center_id, due))
        return [
            Obligation(
                owner_staff_id=owner_staff_id,
                owner_unit_id=owner_unit_id,
                case_code=codes[referral_id],
                kind=kind,
                period=period,
                due=due,
                state=state_on(due, None, waived=False, today=at).value,
            )
            for referral_id, kind, period, owner_staff_id, owner_unit_id, due in sorted(
                listed, key=lambda row: (row[5], codes[row[0]], row[1], row[2])
            )
        ]

    async def pending_answers(self, member: Staff) -> tuple[str, str, dict[str, str]] | None:
        """An input the bot is waiting for from this person (kind, subject, answers so far);
        forgotten after PENDING_INPUT_TTL so a late text never lands in the wrong place."""
        async with self.db.write() as conn:
            found = await drafts.pending_input(conn, member.id)
            if found is not None and utcnow() - found.created_at > PENDING_INPUT_TTL:
                await drafts.clear_input(conn, member.id)
                return None
        if found is None:
            return None
        answers: dict[str, str] = {}
        if found.payload is not None:
            answers = json.loads(self.keyring.decrypt(PENDING_PURPOSE, found.payload))
        return found.kind, found.subject, answers

    async def forget_expected(self, member: Staff) -> None:
        async with self.db.write() as conn:
            await drafts.clear_input(conn, member.id)

    async def expect(
        self, member: Staff, kind: str, subject: str, answers: dict[str, str] | None = None
    ) -> None:
        payload = None
        if answers:
            payload = self.keyring.encrypt(PENDING_PURPOSE, json.dumps(answers, ensure_ascii=False))
        async with self.db.write() as conn:
            await drafts.expect_input(
                conn, member.id, kind=kind, subject=subject, now=utcnow(), payload=payload
            )
