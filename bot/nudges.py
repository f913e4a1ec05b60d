"""Nudges from the data alone: a planning pass turns what the rows say is due (obligations,
meetings, waiting referrals, resolutions) into outbox rows with a unique dedupe key; nothing that
matters lives in the scheduler's memory. The sender (see `Sender`) sends what is due.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.accounts import Accounts, Staff
from bot.cases import Cases
from bot.clock import utcnow
from bot.domain import meetings as meeting_rules
from bot.domain import nudges as rules
from bot.domain.case_status import VISIT_KINDS
from bot.domain.jurisdiction import Jurisdiction
from bot.domain.obligations import ObligationKind
from bot.domain.roles import Role, UnitRole
from bot.domain.visit_plan import VisitPlan, behind_since
from bot.domain.visit_plan import Window as VisitWindow
from bot.domain.visit_plan import windows as visit_windows
from bot.domain.working_days import TAIPEI, WorkingCalendar, taipei_date
from bot.meetings import Answer, Meetings
from bot.pacing import Pacer
from storage import Database
from storage.records import DutyOfCaseRecord, MeetingRecord, NudgeRecord, PlannedNudge
from storage.repositories import cases, meetings, referrals, staff
from storage.repositories import nudges as outbox

log = logging.getLogger(__name__)
UNREACHABLE = "recipient_unreachable"  # told once to a supervisor: not planned from data


@dataclass(frozen=True)
class Due:
    """One nudge for one person: what, about which row, which occurrence, and when."""

    kind: rules.NudgeKind
    subject: str  # "obligation:45", "meeting:12", "referral:7", "resolution:3", "window:…"
    step: str
    escalation: int
    recipient_id: int
    at: datetime

    @property
    def dedupe_key(self) -> str:
        return rules.dedupe_key(self.kind, self.subject, self.recipient_id, self.step)


class Planner:
    """Works out, from the rows alone, every nudge due by a moment — and stores new ones."""

    def __init__(
        self,
        db: Database,
        jurisdiction: Jurisdiction,
        cases_service: Cases,
        meetings_service: Meetings,
        *,
        nudge_rules: rules.NudgeRules | None = None,
    ) -> None:
        self.db = db
        self.jurisdiction = jurisdiction
        self.cases = cases_service
        self.meetings = meetings_service
        self.rules = nudge_rules or jurisdiction.nudge_rules

    @property
    def calendar(self) -> WorkingCalendar:
        return self.cases.calendar

    def send_window(self, moment: datetime) -> str:
        """The send window a moment falls in: one digest per person and window."""
        return rules.window_key(moment, self.calendar, self.rules.office_hours)

    # --- who ------------------------------------------------------------------------------------

    async def active_staff(
        self, conn: AsyncConnection, unit_ids: list[str], roles: list[Role]
    ) -> list[int]:
        return await staff.active_ids_in_units(conn, unit_ids, [r.value for r in roles])

    async def admins(self, conn: AsyncConnection) -> list[int]:
        return await staff.active_ids_with_role(conn, Role.ADMIN.value)

    # --- what is due ----------------------------------------------------------------------------

    async def due_by(
        self, moment: datetime, *, subjects: Collection[str] | None = None
    ) -> list[Due]:
        """Every nudge whose moment has come by `moment`, whose reason still stands — about
        every subject, or only about `subjects` (a claim re-checks the rows it took, /nudges
        one person's): only their rows are read then."""
        focus = Focus(None if subjects is None else frozenset(subjects))
        found: list[Due] = []
        async with self.db.read() as conn:
            run = _Pass(conn, moment, focus, Directory(conn), self.rules, self.calendar)
            found += await self._reports(run)
            found += await self._visit_plans(run)
            found += await self._waiting_referrals(run)
            found += await self._meetings(run)
            found += await self._unscheduled(run)
            found += await self._resolutions(run)
        return [d for d in found if d.at <= moment and focus.wants(d.subject)]

    async def _reports(self, run: _Pass) -> list[Due]:
        """列管月報: the lead worker before the due day, then the supervisor, then the bureau.
        Reports not stored yet are projected (planning only reads)."""
        wanted = run.focus.ids("report")
        if wanted is not None and not wanted:
            return []
        today = taipei_date(run.moment)
        # (case, period) → (due, owner, center)
        owed: dict[tuple[int, str], tuple[date, int | None, str]] = {}
        kind = ObligationKind.MONTHLY_REPORT.value
        for duty in await cases.open_duties_of_cases(run.conn, kind, wanted):
            owner = duty.owner_staff_id or duty.case_manager_id
            owed[(duty.referral_id, duty.period)] = (duty.due, owner, duty.center_id)
        stored = await cases.report_periods_of_tracked(run.conn, wanted)
        for case in await referrals.tracked_cases(run.conn, wanted):
            for period, due in self.cases.report_dues(case.tracked_since, today):
                if (case.id, period) not in stored:
                    owed.setdefault((case.id, period), (due, case.case_manager_id, case.center_id))
        found = []
        for (referral_id, period), (due, owner, center_id) in sorted(owed.items()):
            occurrences = run.due(rules.report_due, due)
            for occurrence in occurrences:
                audience = await run.people.of_case(occurrence.audience, center_id, owner)
                found += self._each(occurrence, f"report:{referral_id}:{period}", audience)
        return found

    async def _visit_plans(self, run: _Pass) -> list[Due]:
        """幸扶守護: a month whose planned visits no longer fit in its working days — the lead
        worker from the day it fell behind; the supervisor once the month is over and it is
        still not done (seed 003, 參.二.5: 4 visits the first month, then 2 a month)."""
        wanted = run.focus.ids("visit")
        if wanted is not None and not wanted:
            return []
        today = taipei_date(run.moment)
        begun: list[tuple[DutyOfCaseRecord, int, VisitWindow]] = []
        kind = ObligationKind.PLANNED_VISIT.value
        for duty in await cases.open_duties_of_cases(run.conn, kind, wanted):
            if duty.opened_at is None:
                continue
            plan = VisitPlan(start=duty.opened_at.astimezone(TAIPEI).date())
            index = int(duty.period.rpartition("-")[2])
            if not 1 <= index <= plan.months:
                continue
            window = visit_windows(plan)[index - 1]
            if window.start <= today:  # a month not begun can be neither behind nor over
                begun.append((duty, index, window))
        visit_kinds = [k.value for k in VISIT_KINDS]
        visits = await cases.entry_dates_of(
            run.conn, {d.referral_id for d, _, _ in begun}, visit_kinds
        )
        found = []
        for duty, index, window in begun:
            since = behind_since(window, visits[duty.referral_id], today, calendar=self.calendar)
            occurrences = rules.visit_plan_behind(
                since or window.end, window.end, self.rules, self.calendar
            )
            if since is None:  # never behind, yet not done when its month ended
                occurrences = [o for o in occurrences if o.escalation and window.end < today]
            owner = duty.owner_staff_id or duty.case_manager_id
            for occurrence in _by(occurrences, run.moment):
                audience = await run.people.of_case(occurrence.audience, duty.center_id, owner)
                found += self._each(occurrence, f"visit:{duty.referral_id}:{index}", audience)
        return found

    async def _waiting_referrals(self, run: _Pass) -> list[Due]:
        """A referral nobody has decided: the center's supervisor, then the bureau."""
        wanted = run.focus.ids("referral")
        if wanted is not None and not wanted:
            return []
        found = []
        for referral in await referrals.waiting(run.conn, wanted):
            waiting = rules.referral_waiting(referral.created_at, self.rules, self.calendar)
            for occurrence in _by(waiting, run.moment):
                audience = await run.people.of_case(
                    occurrence.audience, referral.center_id, referral.case_manager_id
                )
                found += self._each(occurrence, f"referral:{referral.id}", audience)
        return found

    async def _meetings(self, run: _Pass) -> list[Due]:
        """Reminders, the RSVP summary, the referral cutoff and the minutes of each planned
        meeting. The subject carries the meeting's time: once it moves, what was queued for the
        old time has lost its reason and is dropped, and the new time's nudges are new rows."""
        wanted = run.focus.ids("meeting")
        if wanted is not None and not wanted:
            return []
        moment = run.moment
        found = []
        for meeting in await run.planned():
            if wanted is not None and meeting.id not in wanted:
                continue
            subject = _meeting_subject(meeting)
            # What fell due before the invitation (or the announced change) went out is
            # already said by it: a meeting planned for tomorrow gets no "7 days before".
            told = meeting.changed_at or meeting.created_at
            if moment < meeting.starts_at:  # after a downtime, no reminder comes too late
                reminders = rules.meeting_reminders(meeting.starts_at, self.rules, self.calendar)
                due = [o for o in _by(reminders, moment) if o.at >= told]
                invited = await self._invited(run, meeting) if due else []
                for occurrence in due:
                    found += self._each(occurrence, subject, invited)
                summary = rules.rsvp_summary(meeting.starts_at, self.rules, self.calendar)
                for occurrence in _by(summary, moment):
                    if occurrence.at >= told:
                        found += self._each(occurrence, subject, [meeting.organiser_id])
            if (
                meeting.referral_cutoff is not None
                and taipei_date(moment) <= meeting.referral_cutoff
            ):
                cutoff = rules.referral_cutoff_reminders(
                    meeting.referral_cutoff, self.rules, self.calendar
                )
                due = [o for o in _by(cutoff, moment) if o.at >= told]
                network = await self._network_staff(run, meeting) if due else []
                for occurrence in due:
                    found += self._each(occurrence, subject, network)
            if meeting.minutes_recorded_at is None:
                day = meeting.starts_at.astimezone(TAIPEI).date()
                for occurrence in run.due(rules.minutes_due, day):
                    audience = await self._meeting_audience(run, occurrence.audience, meeting)
                    found += self._each(occurrence, subject, audience)
        return found + await self._meeting_changes(run, wanted)

    async def _meeting_changes(self, run: _Pass, wanted: set[int] | None) -> list[Due]:
        """A meeting moved or cancelled, said once to everyone invited (who declined too: a
        new time may suit them) while the meeting is still ahead."""
        found = []
        for meeting in await meetings.listing(
            run.conn, since=run.moment - timedelta(days=1), planned_only=False
        ):
            if meeting.changed_at is None or (meeting.moved_from is None and not meeting.cancelled):
                continue
            if wanted is not None and meeting.id not in wanted:
                continue
            everyone = await self._invited(run, meeting, declined_too=True)
            subject = _meeting_subject(meeting)
            for occurrence in rules.meeting_changed(
                meeting.changed_at, meeting.starts_at, self.rules, self.calendar
            ):
                # Each change is its own notice: moved back to a time already announced, the
                # invitees still hear the latest.
                change = "cancelled" if meeting.cancelled else "moved"
                step = f"{change}{meeting.changed_at.astimezone(TAIPEI):%m%d%H%M%S}"
                found += self._each(replace(occurrence, step=step), subject, everyone)
        return found

    async def _unscheduled(self, run: _Pass) -> list[Due]:
        """A required window ending soon with no meeting planned in it."""
        if not run.focus.about("window"):
            return []
        found = []
        today = run.moment.astimezone(TAIPEI).date()
        planned = await run.planned()
        for series in self.jurisdiction.meeting_series:
            window = meeting_rules.next_window(series, today)
            places = (
                [d.name for d in self.jurisdiction.districts]
                if series.scope == "district"
                else [None]
            )
            for place in places:
                subject = f"window:{series.key}:{place or 'city'}:{window.key}"[:64]
                if not run.focus.wants(subject) or any(
                    m.series_key == series.key
                    and m.district == place
                    and m.window_key == window.key
                    for m in planned
                ):
                    continue
                unscheduled = rules.unscheduled_meeting(window.end, self.rules, self.calendar)
                for occurrence in _by(unscheduled, run.moment):
                    if occurrence.audience is rules.Audience.ADMINS:
                        audience = await run.people.admins()
                    else:
                        audience = await self._secretariat(run, series.run_by, place)
                    found += self._each(occurrence, subject, audience)
        return found

    async def _resolutions(self, run: _Pass) -> list[Due]:
        wanted = run.focus.ids("resolution")
        if wanted is not None and not wanted:
            return []
        owed = [r for r in await meetings.open_resolutions(run.conn, wanted) if r.due is not None]
        held = await meetings.by_ids(run.conn, {r.meeting_id for r in owed})
        found = []
        for resolution in owed:
            assert resolution.due is not None
            meeting = held.get(resolution.meeting_id)
            for occurrence in run.due(rules.resolution_due, resolution.due):
                if occurrence.audience is rules.Audience.DISTRICT_OFFICE and meeting is not None:
                    audience = await self._district_office(run, meeting.district)
                else:
                    audience = await run.people.active([resolution.owner_unit_id], list(Role))
                found += self._each(occurrence, f"resolution:{resolution.id}", audience)
        return found

    # --- audiences ------------------------------------------------------------------------------

    async def _invited(
        self, run: _Pass, meeting: MeetingRecord, *, declined_too: bool = False
    ) -> list[int]:
        """Invited staff who have not declined (a delegate instead of the one who delegated)."""
        unit_ids = await meetings.units_of(run.conn, meeting.id)
        people = set(await run.people.active(unit_ids, list(Role)))
        for answered in await meetings.answers(run.conn, meeting.id):
            if answered.answer in (Answer.ABSENT, Answer.DELEGATED) and not declined_too:
                people.discard(answered.staff_id)
            if answered.answer == Answer.DELEGATED and answered.delegate_id:
                people.add(answered.delegate_id)
        people.discard(meeting.organiser_id)
        return sorted(people)

    async def _network_staff(self, run: _Pass, meeting: MeetingRecord) -> list[int]:
        """Staff of the district's network units: they refer to the conference."""
        units = [
            u.id
            for u in self.jurisdiction.units
            if u.role in (UnitRole.NETWORK, UnitRole.DISTRICT_OFFICE)
            and (meeting.district in u.districts if meeting.district else u.city_wide)
        ]
        return await run.people.active(units, [Role.WORKER, Role.SECRETARIAT])

    async def _meeting_audience(
        self, run: _Pass, audience: rules.Audience, meeting: MeetingRecord
    ) -> list[int]:
        if audience is rules.Audience.ORGANISER:
            return [meeting.organiser_id]
        if audience is rules.Audience.SUPERVISOR:
            return await run.people.active([meeting.organiser_unit_id], [Role.SUPERVISOR])
        if audience is rules.Audience.ADMINS:
            return await run.people.admins()
        return []

    async def _secretariat(self, run: _Pass, run_by: UnitRole, district: str | None) -> list[int]:
        """Who plans the series there: the center's supervisors, the district office's or the
        bureau's secretariat."""
        units = [
            u.id
            for u in self.jurisdiction.units
            if u.role is run_by and (district is None or district in u.districts)
        ]
        roles = (
            [Role.SUPERVISOR] if run_by is UnitRole.FAMILY_SERVICE_CENTER else [Role.SECRETARIAT]
        )
        return await run.people.active(units, roles)

    async def _district_office(self, run: _Pass, district: str | None) -> list[int]:
        units = [
            u.id
            for u in self.jurisdiction.units
            if u.role is UnitRole.DISTRICT_OFFICE and district in u.districts
        ]
        return await run.people.active(units, list(Role))

    def _each(self, occurrence: rules.Occurrence, subject: str, recipients: list[int]) -> list[Due]:
        kind, escalation, at = occurrence.kind, occurrence.escalation, occurrence.at
        step = f"{occurrence.step}:{occurrence.audience.value}"
        return [
            Due(kind, subject, step, escalation, recipient, at)
            for recipient in dict.fromkeys(recipients)
        ]

    # --- the planning pass ----------------------------------------------------------------------

    PLAN_CHUNK = 500  # rows a write transaction stores: the lock is held briefly, often

    async def plan(self, moment: datetime | None = None) -> int:
        """Store every nudge due by now that is not stored yet; returns how many were new.
        Two passes at once store each nudge once (the dedupe key is unique). Rows already
        stored are skipped by one lookup per chunk, the new ones written by one statement per
        chunk, and each chunk is its own short write so people's writes are not kept waiting
        behind a long pass."""
        moment = moment or utcnow()
        created = 0
        found = await self.due_by(moment)
        for start in range(0, len(found), self.PLAN_CHUNK):
            chunk = found[start : start + self.PLAN_CHUNK]
            async with self.db.read() as conn:
                closed = await outbox.stored_for_good(conn, [d.dedupe_key for d in chunk])
            fresh = [d for d in chunk if d.dedupe_key not in closed]
            if not fresh:
                continue
            async with self.db.write() as conn:
                created += await outbox.plan_many(
                    conn,
                    [
                        PlannedNudge(
                            dedupe_key=due.dedupe_key,
                            kind=due.kind.value,
                            subject=due.subject,
                            step=due.step[:32],
                            escalation=due.escalation,
                            recipient_id=due.recipient_id,
                            due_at=due.at,
                            window_key=self.send_window(max(due.at, moment)),
                        )
                        for due in fresh
                    ],
                    now=moment,
                )
        return created

    async def sendable(self, moment: datetime) -> list[NudgeRecord]:
        async with self.db.read() as conn:
            return await outbox.due(conn, moment)


@dataclass(frozen=True)
class Focus:
    """The subjects a pass is about: a claim re-checks the rows it took, /nudges one person's
    (None: every subject)."""

    subjects: frozenset[str] | None

    def ids(self, kind: str) -> set[int] | None:
        """The row ids of this kind's subjects in focus; None when every row counts."""
        if self.subjects is None:
            return None
        found = set()
        for subject in self.subjects:
            subject_kind, row_id, _ = split_subject(subject)
            if subject_kind == kind and row_id is not None:
                found.add(row_id)
        return found

    def about(self, kind: str) -> bool:
        return self.subjects is None or any(s.startswith(f"{kind}:") for s in self.subjects)

    def wants(self, subject: str) -> bool:
        return self.subjects is None or subject in self.subjects


class Directory:
    """Who holds which role where, during one pass: each question asked of the database once
    (a pass asks for "the supervisors of this center" for thousands of cases). The lists it
    returns are shared: read them, do not change them."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self._active: dict[tuple[tuple[str, ...], tuple[str, ...]], list[int]] = {}
        self._admins: list[int] | None = None

    async def active(self, unit_ids: Iterable[str], roles: Iterable[Role]) -> list[int]:
        key = (tuple(sorted(set(unit_ids))), tuple(sorted({role.value for role in roles})))
        found = self._active.get(key)
        if found is None:
            found = await staff.active_ids_in_units(self.conn, key[0], key[1])
            self._active[key] = found
        return found

    async def admins(self) -> list[int]:
        if self._admins is None:
            self._admins = await staff.active_ids_with_role(self.conn, Role.ADMIN.value)
        return self._admins

    async def of_case(
        self, audience: rules.Audience, center_id: str, owner: int | None
    ) -> list[int]:
        """The lead worker (with none, the center's supervisors), the center's supervisors, or
        the bureau's admins."""
        if audience is rules.Audience.OWNER:
            return [owner] if owner else await self.active([center_id], [Role.SUPERVISOR])
        if audience is rules.Audience.SUPERVISOR:
            return await self.active([center_id], [Role.SUPERVISOR])
        if audience is rules.Audience.ADMINS:
            return await self.admins()
        return []


Rule = Callable[[date, rules.NudgeRules, WorkingCalendar], list[rules.Occurrence]]


@dataclass
class _Pass:
    """One planning pass: its connection, moment and focus, and what it works out only once."""

    conn: AsyncConnection
    moment: datetime
    focus: Focus
    people: Directory
    nudge_rules: rules.NudgeRules
    calendar: WorkingCalendar
    _planned: list[MeetingRecord] | None = None
    _due: dict[tuple[Rule, date], list[rules.Occurrence]] = field(default_factory=dict)

    async def planned(self) -> list[MeetingRecord]:
        """The meetings still planned."""
        if self._planned is None:
            self._planned = await meetings.listing(self.conn)
        return self._planned

    def due(self, rule: Rule, day: date) -> list[rules.Occurrence]:
        """`rule`'s occurrences for `day` due by the pass's moment (many cases share a due day:
        each day is worked out once)."""
        found = self._due.get((rule, day))
        if found is None:
            found = _by(rule(day, self.nudge_rules, self.calendar), self.moment)
            self._due[(rule, day)] = found
        return found


def _by(occurrences: list[rules.Occurrence], moment: datetime) -> list[rules.Occurrence]:
    """The occurrences due by `moment`: only theirs are worth finding the audience of."""
    return [o for o in occurrences if o.at <= moment]


def split_subject(subject: str) -> tuple[str, int | None, str]:
    """A nudge's subject as (kind, row id, the rest): "report:7:2026-11" → ("report", 7,
    "2026-11"), "meeting:12@202611251400" → ("meeting", 12, "202611251400"), "window:…" (no row
    id) → ("window", None, "…")."""
    kind, _, rest = subject.partition(":")
    found = re.fullmatch(r"(\d+)(?:[:@](.*))?", rest)
    if found is None:
        return kind, None, rest
    return kind, int(found[1]), found[2] or ""


def _meeting_subject(meeting: MeetingRecord) -> str:
    """ "meeting:12@202703101400": the meeting and the Taipei time its nudges are about."""
    return f"meeting:{meeting.id}@{meeting.starts_at.astimezone(TAIPEI):%Y%m%d%H%M}"


@dataclass(frozen=True)
class Batch:
    """One digest: the rows for one person in one send window."""

    recipient: Staff
    rows: list[NudgeRecord]


class Outbox:
    """Claiming, re-checking and closing nudge rows; the Telegram side is in handlers/nudges.py."""

    LEASE = timedelta(minutes=5)
    CLAIM_LIMIT = 500
    MAX_SNOOZES = 2

    def __init__(
        self, db: Database, planner: Planner, accounts: Accounts, *, pacer: Pacer | None = None
    ) -> None:
        self.db = db
        self.planner = planner
        self.accounts = accounts
        self.pacer = pacer or Pacer(25)  # SAFETYNET_SEND_RATE's default

    def sending_now(self, moment: datetime) -> bool:
        """Nudges go out on working days within office hours only."""
        return rules.in_office_hours(moment, self.planner.calendar, self.planner.rules.office_hours)

    async def claim(
        self, moment: datetime, *, limit: int | None = None
    ) -> tuple[list[Batch], list[NudgeRecord]]:
        """Take what is due (at most `limit` rows, and never more than CLAIM_LIMIT), drop what
        is no longer true, group the rest into digests."""
        limit = min(limit or self.CLAIM_LIMIT, self.CLAIM_LIMIT)
        async with self.db.write() as conn:
            abandoned = await outbox.abandon_in_flight(conn, moment)
            claimed = await outbox.claim(conn, moment, lease=self.LEASE, limit=limit)
        if abandoned:
            log.warning(
                "nudges: %d were being sent when a sender stopped; marked unknown", abandoned
            )
        if not claimed:
            return [], []
        # Re-checked against the rows' own subjects only: a claim reads what it took.
        subjects = {row.subject for row in claimed if row.kind != UNREACHABLE}
        still = {d.dedupe_key for d in await self.planner.due_by(moment, subjects=subjects)}
        still |= {row.dedupe_key for row in claimed if row.kind == UNREACHABLE}
        stale = [row for row in claimed if row.dedupe_key not in still]
        await self.finish(stale, state="dropped", moment=moment, reason="reason_gone")
        batches: dict[tuple[int, str], list[NudgeRecord]] = {}
        for row in claimed:
            if row.dedupe_key in still:
                batches.setdefault((row.recipient_id, row.window_key), []).append(row)
        found = []
        unreachable = []
        for (recipient_id, _), rows in batches.items():
            member = await self.accounts.by_id(recipient_id)
            if member is None or not member.active:
                unreachable += rows
                continue
            found.append(Batch(recipient=member, rows=rows))
        await self.finish(unreachable, state="dropped", moment=moment, reason="not_active")
        return found, stale

    async def mark_sending(self, rows: list[NudgeRecord], moment: datetime) -> None:
        """Recorded before the request goes out: a sender stopped after this point may have
        sent them, so they are never sent again (`unknown`)."""
        async with self.db.write() as conn:
            await outbox.mark_sending(conn, [r.id for r in rows], moment)

    async def finish(
        self,
        rows: list[NudgeRecord],
        *,
        state: str,
        moment: datetime,
        message_id: int | None = None,
        reason: str | None = None,
    ) -> None:
        async with self.db.write() as conn:
            await outbox.finish(
                conn,
                [r.id for r in rows],
                state=state,
                now=moment,
                message_id=message_id,
                reason=reason,
            )

    async def postpone(
        self, rows: list[NudgeRecord], until: datetime, *, moment: datetime, count_attempt: bool
    ) -> None:
        window = self.planner.send_window(until)
        async with self.db.write() as conn:
            await outbox.postpone(
                conn,
                [r.id for r in rows],
                until=until,
                window_key=window,
                now=moment,
                count_attempt=count_attempt,
            )

    async def snooze(self, member: Staff, nudge_id: int, moment: datetime) -> str | None:
        """稍後提醒: to the next send window, at most twice; None when done, else why not."""
        async with self.db.write() as conn:
            row = await outbox.by_id(conn, nudge_id)
            if row is not None and row.state == "pending" and row.snoozes:
                return "nudge.already_snoozed"  # the same button pressed again
            if row is None or row.recipient_id != member.id or row.state != "sent":
                return "nudge.gone"
            if row.snoozes >= self.MAX_SNOOZES:
                return "nudge.snoozed_enough"
            tomorrow = (moment.astimezone(TAIPEI) + timedelta(days=1)).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            later = rules.next_window_start(
                tomorrow, self.planner.calendar, self.planner.rules.office_hours
            )
            await outbox.postpone(
                conn,
                [row.id],
                until=later,
                window_key=self.planner.send_window(later),
                now=moment,
                count_attempt=False,
                snooze=True,
            )
        return None

    async def unreachable(self, member: Staff, moment: datetime) -> list[int]:
        """Supervisors to tell once that this person blocked the bot (a row each, deduped)."""
        told = []
        async with self.db.write() as conn:
            unit = member.unit.id if member.unit else None
            supervisors = (
                await self.planner.active_staff(conn, [unit], [Role.SUPERVISOR]) if unit else []
            ) or await self.planner.admins(conn)
            for supervisor in supervisors:
                key = f"{UNREACHABLE}|staff:{member.id}|{supervisor}|once"
                notice = PlannedNudge(
                    dedupe_key=key,
                    kind=UNREACHABLE,
                    subject=f"staff:{member.id}",
                    step="once",
                    escalation=0,
                    recipient_id=supervisor,
                    due_at=moment,
                    window_key=self.planner.send_window(moment),
                )
                if await outbox.plan(conn, notice, now=moment):
                    told.append(supervisor)
        return told

    async def row(self, nudge_id: int) -> NudgeRecord | None:
        async with self.db.read() as conn:
            return await outbox.by_id(conn, nudge_id)

    async def open_for(self, member: Staff, moment: datetime) -> list[NudgeRecord]:
        """My nudges whose reason still stands (one per subject), for /nudges."""
        async with self.db.read() as conn:
            rows = await outbox.for_recipient(conn, member.id, ["pending", "claimed", "sent"])
        subjects = {row.subject for row in rows}
        still = {d.dedupe_key for d in await self.planner.due_by(moment, subjects=subjects)}
        seen: dict[str, NudgeRecord] = {}
        for row in rows:
            if row.dedupe_key in still:
                seen[row.subject] = row
        return list(seen.values())

    async def would_send(self, moment: datetime) -> list[Due]:
        """What a sender would send at `moment`, without sending or storing anything: due and
        still true, not already sent, dropped or possibly sent, and only in office hours."""
        if not self.sending_now(moment):
            return []
        due = await self.planner.due_by(moment)
        async with self.db.read() as conn:
            closed = await outbox.closed_keys(conn, [d.dedupe_key for d in due])
            postponed = await outbox.not_before(conn, moment)
        return [d for d in due if d.dedupe_key not in closed and d.dedupe_key not in postponed]
