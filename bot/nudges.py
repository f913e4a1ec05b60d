"""Nudges from the data alone: a planning pass turns what the rows say is due (obligations,
meetings, waiting referrals, resolutions) into outbox rows with a unique dedupe key; nothing that
matters lives in the scheduler's memory. The sender (see `Sender`) sends what is due.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.accounts import Accounts, Staff
from bot.cases import Cases
from bot.clock import utcnow
from bot.domain import meetings as meeting_rules
from bot.domain import nudges as rules
from bot.domain.case_status import VISIT_KINDS
from bot.domain.jurisdiction import Jurisdiction
from bot.domain.obligations import ObligationKind, ObligationState
from bot.domain.roles import Role, UnitRole
from bot.domain.visit_plan import VisitPlan, progress
from bot.domain.visit_plan import Window as VisitWindow
from bot.domain.visit_plan import windows as visit_windows
from bot.domain.working_days import TAIPEI, WorkingCalendar, taipei_date
from bot.meetings import Answer, Meetings
from bot.pacing import Pacer
from storage import Database
from storage.records import MeetingRecord, NudgeRecord, ReferralRecord
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
        found = await staff.active_in_units(conn, unit_ids, [r.value for r in roles])
        return [r.id for r in found]

    async def admins(self, conn: AsyncConnection) -> list[int]:
        return [r.id for r in await staff.active_with_role(conn, Role.ADMIN.value)]

    async def _supervisors(self, conn: AsyncConnection, center_id: str) -> list[int]:
        return await self.active_staff(conn, [center_id], [Role.SUPERVISOR])

    # --- what is due ----------------------------------------------------------------------------

    async def due_by(self, moment: datetime) -> list[Due]:
        """Every nudge whose moment has come by `moment`, whose reason still stands."""
        found: list[Due] = []
        async with self.db.read() as conn:
            found += await self._reports(conn, moment)
            found += await self._visit_plans(conn, moment)
            found += await self._waiting_referrals(conn, moment)
            found += await self._meetings(conn, moment)
            found += await self._unscheduled(conn, moment)
            found += await self._resolutions(conn, moment)
        return [d for d in found if d.at <= moment]

    async def _reports(self, conn: AsyncConnection, moment: datetime) -> list[Due]:
        """列管月報: the lead worker before the due day, then the supervisor, then the bureau.
        Reports not stored yet are projected (planning only reads)."""
        owed: dict[tuple[int, str], tuple[date, int | None]] = {}
        done: set[tuple[int, str]] = set()
        for duty, _, _ in await cases.monthly_reports(conn):
            key = (duty.referral_id, duty.period)
            if duty.state == ObligationState.OPEN:
                owed[key] = (duty.due, duty.owner_staff_id)
            else:
                done.add(key)
        for referral in await referrals.tracked(conn):
            for period, due, _ in self.cases.report_duties(referral, taipei_date(moment)):
                if (referral.id, period) not in done:
                    owed.setdefault((referral.id, period), (due, referral.case_manager_id))
        found = []
        for (referral_id, period), (due, owner) in sorted(owed.items()):
            case = await referrals.by_id(conn, referral_id)
            if case is None:
                continue
            for occurrence in _by(rules.report_due(due, self.rules, self.calendar), moment):
                audience = await self._audience(conn, occurrence.audience, case, owner)
                found += self._each(occurrence, f"report:{referral_id}:{period}", audience)
        return found

    async def _visit_plans(self, conn: AsyncConnection, moment: datetime) -> list[Due]:
        """幸扶守護: a month whose planned visits no longer fit in its working days — the lead
        worker from the day it fell behind; the supervisor once the month is over and it is
        still not done (seed 003, 參.二.5: 4 visits the first month, then 2 a month)."""
        today = taipei_date(moment)
        found = []
        for duty in await cases.open_obligations(conn, ObligationKind.PLANNED_VISIT.value):
            case = await referrals.by_id(conn, duty.referral_id)
            if case is None or case.opened_at is None:
                continue
            plan = VisitPlan(start=case.opened_at.astimezone(TAIPEI).date())
            index = int(duty.period.rpartition("-")[2])
            if not 1 <= index <= plan.months:
                continue
            window = visit_windows(plan)[index - 1]
            visits = await cases.entry_dates(conn, case.id, [k.value for k in VISIT_KINDS])
            since = _behind_since(plan, window, visits, today, self.calendar)
            occurrences = rules.visit_plan_behind(
                since or window.end, window.end, self.rules, self.calendar
            )
            if since is None:  # never behind, yet not done when its month ended
                occurrences = [o for o in occurrences if o.escalation and window.end < today]
            for occurrence in _by(occurrences, moment):
                audience = await self._audience(
                    conn, occurrence.audience, case, duty.owner_staff_id
                )
                found += self._each(occurrence, f"visit:{case.id}:{index}", audience)
        return found

    async def _waiting_referrals(self, conn: AsyncConnection, moment: datetime) -> list[Due]:
        """A referral nobody has decided: the center's supervisor, then the bureau."""
        found = []
        for referral in await referrals.waiting(conn):
            waiting = rules.referral_waiting(referral.created_at, self.rules, self.calendar)
            for occurrence in _by(waiting, moment):
                audience = await self._audience(conn, occurrence.audience, referral, None)
                found += self._each(occurrence, f"referral:{referral.id}", audience)
        return found

    async def _meetings(self, conn: AsyncConnection, moment: datetime) -> list[Due]:
        """Reminders, the RSVP summary, the referral cutoff and the minutes of each planned
        meeting. The subject carries the meeting's time: once it moves, what was queued for the
        old time has lost its reason and is dropped, and the new time's nudges are new rows."""
        found = []
        for meeting in await meetings.listing(conn):
            subject = _meeting_subject(meeting)
            # What fell due before the invitation (or the announced change) went out is
            # already said by it: a meeting planned for tomorrow gets no "7 days before".
            told = meeting.changed_at or meeting.created_at
            if moment < meeting.starts_at:  # after a downtime, no reminder comes too late
                reminders = rules.meeting_reminders(meeting.starts_at, self.rules, self.calendar)
                due = [o for o in _by(reminders, moment) if o.at >= told]
                invited = await self._invited(conn, meeting) if due else []
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
                network = await self._network_staff(conn, meeting) if due else []
                for occurrence in due:
                    found += self._each(occurrence, subject, network)
            if meeting.minutes_recorded_at is None:
                day = meeting.starts_at.astimezone(TAIPEI).date()
                for occurrence in _by(rules.minutes_due(day, self.rules, self.calendar), moment):
                    audience = await self._meeting_audience(conn, occurrence.audience, meeting)
                    found += self._each(occurrence, subject, audience)
        return found + await self._meeting_changes(conn, moment)

    async def _meeting_changes(self, conn: AsyncConnection, moment: datetime) -> list[Due]:
        """A meeting moved or cancelled, said once to everyone invited (who declined too: a
        new time may suit them) while the meeting is still ahead."""
        found = []
        for meeting in await meetings.listing(
            conn, since=moment - timedelta(days=1), planned_only=False
        ):
            if meeting.changed_at is None or (meeting.moved_from is None and not meeting.cancelled):
                continue
            everyone = await self._invited(conn, meeting, declined_too=True)
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

    async def _unscheduled(self, conn: AsyncConnection, moment: datetime) -> list[Due]:
        """A required window ending soon with no meeting planned in it."""
        found = []
        today = moment.astimezone(TAIPEI).date()
        planned = await meetings.listing(conn)
        for series in self.jurisdiction.meeting_series:
            window = meeting_rules.next_window(series, today)
            places = (
                [d.name for d in self.jurisdiction.districts]
                if series.scope == "district"
                else [None]
            )
            for place in places:
                if any(
                    m.series_key == series.key
                    and m.district == place
                    and m.window_key == window.key
                    for m in planned
                ):
                    continue
                subject = f"window:{series.key}:{place or 'city'}:{window.key}"
                unscheduled = rules.unscheduled_meeting(window.end, self.rules, self.calendar)
                for occurrence in _by(unscheduled, moment):
                    if occurrence.audience is rules.Audience.ADMINS:
                        audience = await self.admins(conn)
                    else:
                        audience = await self._secretariat(conn, series.run_by, place)
                    found += self._each(occurrence, subject[:64], audience)
        return found

    async def _resolutions(self, conn: AsyncConnection, moment: datetime) -> list[Due]:
        found = []
        for resolution in await meetings.open_resolutions(conn):
            if resolution.due is None:
                continue
            meeting = await meetings.by_id(conn, resolution.meeting_id)
            for occurrence in _by(
                rules.resolution_due(resolution.due, self.rules, self.calendar), moment
            ):
                if occurrence.audience is rules.Audience.DISTRICT_OFFICE and meeting is not None:
                    audience = await self._district_office(conn, meeting.district)
                else:
                    audience = await self.active_staff(conn, [resolution.owner_unit_id], list(Role))
                found += self._each(occurrence, f"resolution:{resolution.id}", audience)
        return found

    # --- audiences ------------------------------------------------------------------------------

    async def _audience(
        self,
        conn: AsyncConnection,
        audience: rules.Audience,
        referral: ReferralRecord,
        owner: int | None,
    ) -> list[int]:
        if audience is rules.Audience.OWNER:
            owner = owner or referral.case_manager_id
            return [owner] if owner else await self._supervisors(conn, referral.center_id)
        if audience is rules.Audience.SUPERVISOR:
            return await self._supervisors(conn, referral.center_id)
        if audience is rules.Audience.ADMINS:
            return await self.admins(conn)
        return []

    async def _invited(
        self, conn: AsyncConnection, meeting: MeetingRecord, *, declined_too: bool = False
    ) -> list[int]:
        """Invited staff who have not declined (a delegate instead of the one who delegated)."""
        unit_ids = await meetings.units_of(conn, meeting.id)
        people = set(await self.active_staff(conn, unit_ids, list(Role)))
        for answered in await meetings.answers(conn, meeting.id):
            if answered.answer in (Answer.ABSENT, Answer.DELEGATED) and not declined_too:
                people.discard(answered.staff_id)
            if answered.answer == Answer.DELEGATED and answered.delegate_id:
                people.add(answered.delegate_id)
        people.discard(meeting.organiser_id)
        return sorted(people)

    async def _network_staff(self, conn: AsyncConnection, meeting: MeetingRecord) -> list[int]:
        """Staff of the district's network units: they refer to the conference."""
        units = [
            u.id
            for u in self.jurisdiction.units
            if u.role in (UnitRole.NETWORK, UnitRole.DISTRICT_OFFICE)
            and (meeting.district in u.districts if meeting.district else u.city_wide)
        ]
        return await self.active_staff(conn, units, [Role.WORKER, Role.SECRETARIAT])

    async def _meeting_audience(
        self, conn: AsyncConnection, audience: rules.Audience, meeting: MeetingRecord
    ) -> list[int]:
        if audience is rules.Audience.ORGANISER:
            return [meeting.organiser_id]
        if audience is rules.Audience.SUPERVISOR:
            return await self.active_staff(conn, [meeting.organiser_unit_id], [Role.SUPERVISOR])
        if audience is rules.Audience.ADMINS:
            return await self.admins(conn)
        return []

    async def _secretariat(
        self, conn: AsyncConnection, run_by: UnitRole, district: str | None
    ) -> list[int]:
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
        return await self.active_staff(conn, units, roles)

    async def _district_office(self, conn: AsyncConnection, district: str | None) -> list[int]:
        units = [
            u.id
            for u in self.jurisdiction.units
            if u.role is UnitRole.DISTRICT_OFFICE and district in u.districts
        ]
        return await self.active_staff(conn, units, list(Role))

    def _each(self, occurrence: rules.Occurrence, subject: str, recipients: list[int]) -> list[Due]:
        return [
            Due(
                kind=occurrence.kind,
                subject=subject,
                step=f"{occurrence.step}:{occurrence.audience.value}",
                escalation=occurrence.escalation,
                recipient_id=recipient,
                at=occurrence.at,
            )
            for recipient in dict.fromkeys(recipients)
        ]

    # --- the planning pass ----------------------------------------------------------------------

    PLAN_CHUNK = 500  # rows a write transaction stores: the lock is held briefly, often

    async def plan(self, moment: datetime | None = None) -> int:
        """Store every nudge due by now that is not stored yet; returns how many were new.
        Two passes at once store each nudge once (the dedupe key is unique). Rows already
        stored are skipped by one lookup per chunk, not one failed insert each, and each chunk
        is its own short write so people's writes are not kept waiting behind a long pass."""
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
                for due in fresh:
                    created += await outbox.plan(
                        conn,
                        dedupe_key=due.dedupe_key,
                        kind=due.kind.value,
                        subject=due.subject,
                        step=due.step[:32],
                        escalation=due.escalation,
                        recipient_id=due.recipient_id,
                        due_at=due.at,
                        window_key=self.send_window(max(due.at, moment)),
                        now=moment,
                    )
        return created

    async def sendable(self, moment: datetime) -> list[NudgeRecord]:
        async with self.db.read() as conn:
            return await outbox.due(conn, moment)


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


def _behind_since(
    plan: VisitPlan,
    window: VisitWindow,
    visits: list[date],
    today: date,
    calendar: WorkingCalendar,
) -> date | None:
    """The first day of `window`, up to `today`, on which its visits no longer fit."""
    day = window.start
    while day <= min(today, window.end):
        if progress(plan, visits, day, calendar=calendar).behind:
            return day
        day += timedelta(days=1)
    return None


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

    async def claim(self, moment: datetime) -> tuple[list[Batch], list[NudgeRecord]]:
        """Take what is due, drop what is no longer true, group the rest into digests."""
        async with self.db.write() as conn:
            abandoned = await outbox.abandon_in_flight(conn, moment)
            claimed = await outbox.claim(conn, moment, lease=self.LEASE, limit=self.CLAIM_LIMIT)
        if abandoned:
            log.warning(
                "nudges: %d were being sent when a sender stopped; marked unknown", abandoned
            )
        if not claimed:
            return [], []
        still = {due.dedupe_key for due in await self.planner.due_by(moment)}
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
                if await outbox.plan(
                    conn,
                    dedupe_key=key,
                    kind=UNREACHABLE,
                    subject=f"staff:{member.id}",
                    step="once",
                    escalation=0,
                    recipient_id=supervisor,
                    due_at=moment,
                    window_key=self.planner.send_window(moment),
                    now=moment,
                ):
                    told.append(supervisor)
        return told

    async def row(self, nudge_id: int) -> NudgeRecord | None:
        async with self.db.read() as conn:
            return await outbox.by_id(conn, nudge_id)

    async def open_for(self, member: Staff, moment: datetime) -> list[NudgeRecord]:
        """My nudges whose reason still stands (one per subject), for /nudges."""
        async with self.db.read() as conn:
            rows = await outbox.for_recipient(conn, member.id, ["pending", "claimed", "sent"])
        still = {due.dedupe_key for due in await self.planner.due_by(moment)}
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
