"""Meetings of the plan's three series (seed 004, 參.一–三): planned in chat, answered by the
invited units, with an agenda built from the cases and minutes whose decisions drive tracking.

A case conference decides which cases stay tracked (列管) and which are released (除管); its
minutes create or stop the monthly reports of the case-update rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.accounts import Accounts, Staff
from bot.caseload import report_status
from bot.cases import Cases
from bot.clock import utcnow
from bot.domain import meetings as rules
from bot.domain.jurisdiction import Jurisdiction, MeetingSeries, Unit
from bot.domain.minutes import (
    Attendance,
    Decision,
    UnitAnswer,
    attendance_from_answers,
    decision_problem,
)
from bot.domain.obligations import ObligationKind, ObligationState, WaiverReason
from bot.domain.redaction import redact
from bot.domain.referral_rules import Category
from bot.domain.referral_status import ReferralEvent, ReferralStatus
from bot.domain.roles import Role, UnitRole
from bot.domain.working_days import TAIPEI
from bot.keys import Keyring
from storage import Database
from storage.records import (
    MeetingAnswerRecord,
    MeetingDecisionRecord,
    MeetingRecord,
    ReferralRecord,
    ResolutionRecord,
)
from storage.repositories import audit, cases, meetings, referrals, staff

NOTE_PURPOSE = "meeting-decision-note"
RESOLUTION_PURPOSE = "meeting-resolution"
TEXT_MAX = 100  # place and chair
NOTE_MAX = 500
SLOTS_AT_LEAST = 2  # fewer free Wednesdays left in a window: offer the next window's too

CASE_CONFERENCE = "case_conference"
RECENT = timedelta(days=31)  # /meetings keeps a past meeting this long (its minutes)


class Answer:
    ATTEND = "attend"  # 出席
    ABSENT = "absent"  # 請假
    DELEGATED = "delegated"  # 指派代理

    ALL = (ATTEND, ABSENT, DELEGATED)


@dataclass(frozen=True)
class MeetingPlan:
    """What /newmeeting collected."""

    series_key: str
    district: str | None
    starts_at: datetime
    place: str
    video_link: str | None
    chair: str
    unit_ids: tuple[str, ...]


@dataclass(frozen=True)
class Planned:
    meeting: MeetingRecord
    outside_window: bool  # allowed, but the organiser was warned


@dataclass(frozen=True)
class AgendaItem:
    referral: ReferralRecord
    status: str  # for tracked cases: submitted / due / overdue / not_yet; else ""


@dataclass
class Agenda:
    meeting: MeetingRecord
    tracked: list[AgendaItem] = field(default_factory=list)  # tracked at the previous conference
    reports: dict[str, list[AgendaItem]] = field(default_factory=dict)  # 幸扶守護, 兒少高危機, …
    new_referrals: list[AgendaItem] = field(default_factory=list)  # placed on this conference
    newly_tracked: list[AgendaItem] = field(default_factory=list)  # tracked since the previous
    resolutions: list[tuple[ResolutionRecord, str]] = field(default_factory=list)  # with text
    hidden: int = 0  # cases the reader's unit is not involved in

    def cases(self) -> list[ReferralRecord]:
        seen: dict[int, ReferralRecord] = {}
        for item in [*self.tracked, *self.new_referrals, *self.newly_tracked]:
            seen.setdefault(item.referral.id, item.referral)
        for items in self.reports.values():
            for item in items:
                seen.setdefault(item.referral.id, item.referral)
        return list(seen.values())


REPORTED_CATEGORIES = (Category.SUICIDE_ECONOMIC, Category.CHILD_HIGH_RISK, Category.MISSING_CHILD)


@dataclass(frozen=True)
class MeetingDeadlines:
    """A meeting and its deadlines on a day, as `safetynet meetings --at` prints them."""

    meeting: MeetingRecord
    window: str
    held: str  # DeadlineState of holding it within its window
    referral_cutoff: str | None
    minutes: str


class Meetings:
    def __init__(
        self,
        db: Database,
        keyring: Keyring,
        accounts: Accounts,
        jurisdiction: Jurisdiction,
        cases_service: Cases,
    ) -> None:
        self.db = db
        self.keyring = keyring
        self.accounts = accounts
        self.jurisdiction = jurisdiction
        self.cases = cases_service

    # --- who organises what ----------------------------------------------------------------------

    def series(self, key: str) -> MeetingSeries | None:
        return next((s for s in self.jurisdiction.meeting_series if s.key == key), None)

    def series_for(self, member: Staff) -> list[MeetingSeries]:
        """The series this person may plan: a center's supervisor its case conferences; a
        district office's secretariat its liaison meeting; the bureau every series."""
        if member.role is Role.ADMIN or (
            member.role is Role.SECRETARIAT
            and member.unit is not None
            and member.unit.role is UnitRole.BUREAU
        ):
            return list(self.jurisdiction.meeting_series)
        if member.unit is None:
            return []
        found = []
        for series in self.jurisdiction.meeting_series:
            if member.role is Role.SUPERVISOR and series.run_by is UnitRole.FAMILY_SERVICE_CENTER:
                found.append(series)
            if member.role is Role.SECRETARIAT and series.run_by is member.unit.role:
                found.append(series)
        return [s for s in found if member.unit.role is s.run_by]

    def districts_for(self, member: Staff, series: MeetingSeries) -> list[str]:
        if series.scope == "city":
            return []
        if member.unit is None or member.role is Role.ADMIN or member.unit.city_wide:
            return [d.name for d in self.jurisdiction.districts]
        if member.unit.role is UnitRole.FAMILY_SERVICE_CENTER:
            return list(member.unit.covers)
        return list(member.unit.districts)

    def default_units(self, series: MeetingSeries, district: str | None) -> list[Unit]:
        """The units a series invites by default: its unit kinds working in the district — or,
        for the city-level series, the city-wide bureaus (參.一–三)."""
        return [
            unit
            for unit in self.jurisdiction.units
            if unit.kind in series.default_attendee_kinds
            and unit.role is not UnitRole.BUREAU
            and (
                district in unit.districts
                if district
                else unit.city_wide or unit.role is UnitRole.DISTRICT_OFFICE
            )
        ]

    def choosable_units(self, district: str | None) -> list[Unit]:
        return [
            unit
            for unit in self.jurisdiction.units
            if district is None or district in unit.districts or unit.city_wide
        ]

    async def suggested_times(
        self, series: MeetingSeries, now: datetime, district: str | None = None
    ) -> list[datetime]:
        """Free Wednesdays 14:00 in the next required window (at most six, the latest last).
        A slot another meeting of the series and district takes is not offered; when the window
        is closing (fewer than SLOTS_AT_LEAST left), the next window's first slots follow."""
        today = now.astimezone(TAIPEI).date()
        window = rules.next_window(series, today)
        found = self._wednesdays(max(window.start, today + timedelta(days=1)), window.end)[-6:]
        if len(found) < SLOTS_AT_LEAST:
            following = rules.next_window(series, window.end + timedelta(days=1))
            found += self._wednesdays(following.start, following.end)[: 6 - len(found)]
        if not found:
            return []
        async with self.db.read() as conn:
            taken = await meetings.listing(
                conn,
                series_key=series.key,
                district=district,
                since=found[0] - rules.DEFAULT_DURATION,
                until=found[-1] + rules.DEFAULT_DURATION,
            )
        return [t for t in found if not any(rules.overlaps(m.starts_at, t) for m in taken)]

    def _wednesdays(self, first: date, last: date) -> list[datetime]:
        found = []
        day = first
        while day <= last:
            if day.weekday() == 2 and self.cases.calendar.is_working_day(day):
                found.append(datetime(day.year, day.month, day.day, 14, tzinfo=TAIPEI))
            day += timedelta(days=1)
        return found

    # --- planning ---------------------------------------------------------------------------------

    async def clash(self, plan: MeetingPlan) -> MeetingRecord | None:
        """Another planned meeting of the same series and district whose slot overlaps."""
        async with self.db.read() as conn:
            return await self._clash(conn, plan)

    async def _clash(self, conn: AsyncConnection, plan: MeetingPlan) -> MeetingRecord | None:
        near = await meetings.listing(
            conn,
            series_key=plan.series_key,
            district=plan.district,
            since=plan.starts_at - rules.DEFAULT_DURATION,
            until=plan.starts_at + rules.DEFAULT_DURATION,
        )
        return next((m for m in near if rules.overlaps(m.starts_at, plan.starts_at)), None)

    def _organiser_unit(self, unit: Unit, series: MeetingSeries, district: str | None) -> Unit:
        """Who runs it: a case conference is the district's center's, whoever types it in (the
        bureau may plan one for a center); other series are the planner's unit's."""
        if series.run_by is UnitRole.FAMILY_SERVICE_CENTER and district:
            centers = self.jurisdiction.centers_covering(district)
            if unit not in centers and centers:
                return centers[0]
        return unit

    async def window_of(
        self, series: MeetingSeries, district: str | None, starts_at: datetime
    ) -> tuple[str, bool]:
        """The required window a meeting counts for, and whether it falls outside it.

        Inside a window it counts for that window. Outside, it makes up for the window that
        just ended if that one had no meeting (held late), else it counts for the next one.
        """
        day = starts_at.astimezone(TAIPEI).date()
        inside = rules.window_for(series, day)
        if inside is not None:
            return inside.key, False
        ended = rules.previous_window(series, day)
        if ended is not None:
            async with self.db.read() as conn:
                held = [
                    m
                    for m in await meetings.listing(conn, series_key=series.key, district=district)
                    if m.window_key == ended.key
                ]
            if not held:
                return ended.key, True
        return rules.next_window(series, day).key, True

    async def create(self, member: Staff, plan: MeetingPlan) -> Planned | str:
        series = self.series(plan.series_key)
        if series is None or series not in self.series_for(member) or member.unit is None:
            return "meeting.not_allowed"
        if series.scope == "district" and plan.district not in self.districts_for(member, series):
            return "meeting.not_allowed"
        now = utcnow()
        if plan.starts_at <= now:
            return rules.IN_THE_PAST
        window_key, outside = await self.window_of(series, plan.district, plan.starts_at)
        day = plan.starts_at.astimezone(TAIPEI).date()
        organiser_unit = self._organiser_unit(member.unit, series, plan.district)
        async with self.db.write() as conn:
            # Checked again inside the write: two organisers cannot both take the slot.
            if await self._clash(conn, plan) is not None:
                return "meeting.overlaps"
            meeting = await meetings.create(
                conn,
                plan.unit_ids,
                series_key=series.key,
                district=plan.district,
                window_key=window_key,
                starts_at=plan.starts_at,
                place=redact(plan.place).text,
                video_link=plan.video_link,
                chair=redact(plan.chair).text,
                organiser_id=member.id,
                organiser_unit_id=organiser_unit.id,
                status="planned",
                referral_cutoff=rules.referral_cutoff(day, series),
                minutes_due=rules.minutes_due(day, series),
                minutes_recorded_at=None,
                minutes_sent_at=None,
                created_at=now,
                updated_at=now,
            )
            await audit.append(
                conn,
                at=now,
                action="meeting.create",
                outcome="allowed",
                actor_staff_id=member.id,
                subject=f"meeting:{meeting.id}",
                detail={"series": series.key, "district": plan.district},
            )
        return Planned(meeting=meeting, outside_window=outside)

    def may_change(self, member: Staff, meeting: MeetingRecord) -> bool:
        """Who may move or cancel a meeting: those who run it and may plan its series."""
        series = self.series(meeting.series_key)
        return (
            series is not None and series in self.series_for(member) and self.runs(member, meeting)
        )

    def _change_problem(
        self, member: Staff, meeting: MeetingRecord | None, now: datetime
    ) -> str | None:
        if meeting is None or meeting.cancelled:
            return "meeting.gone"
        if not self.may_change(member, meeting):
            return "meeting.not_organiser"
        if meeting.starts_at <= now:
            return "meeting.already_started"
        return None

    async def move(
        self, member: Staff, meeting_id: int, starts_at: datetime
    ) -> MeetingRecord | str:
        """Another time for a meeting not yet held: its window, referral cutoff and minutes due
        follow the new day; the reminders queued for the old time lose their reason and the
        invitees hear the new time once (`bot.nudges`, MEETING_CHANGED)."""
        now = utcnow()
        if starts_at <= now:
            return rules.IN_THE_PAST
        meeting = await self.by_id(meeting_id)
        series = self.series(meeting.series_key) if meeting else None
        problem = self._change_problem(member, meeting, now)
        if problem is not None or meeting is None or series is None:
            return problem or "meeting.gone"
        window_key, _ = await self.window_of(series, meeting.district, starts_at)
        day = starts_at.astimezone(TAIPEI).date()
        slot = MeetingPlan(series.key, meeting.district, starts_at, "", None, "", ())
        async with self.db.write() as conn:
            # Checked again inside the write: the meeting may have changed meanwhile.
            current = await meetings.by_id(conn, meeting_id)
            problem = self._change_problem(member, current, now)
            clash = await self._clash(conn, slot)
            if problem is None and clash is not None and clash.id != meeting_id:
                problem = "meeting.overlaps"
            if problem is not None or current is None:
                return problem or "meeting.gone"
            await meetings.set_fields(
                conn,
                meeting_id,
                starts_at=starts_at,
                window_key=window_key,
                referral_cutoff=rules.referral_cutoff(day, series),
                minutes_due=rules.minutes_due(day, series),
                moved_from=current.starts_at,
                changed_at=now,
                updated_at=now,
            )
            await audit.append(
                conn,
                at=now,
                action="meeting.move",
                outcome="allowed",
                actor_staff_id=member.id,
                subject=f"meeting:{meeting_id}",
                detail={"from": current.starts_at.isoformat(), "to": starts_at.isoformat()},
            )
            moved = await meetings.by_id(conn, meeting_id)
        assert moved is not None
        return moved

    async def cancel(self, member: Staff, meeting_id: int) -> MeetingRecord | str:
        """A meeting not yet held is called off: it leaves every list, its reminders are
        dropped, and the invitees hear it once."""
        now = utcnow()
        async with self.db.write() as conn:
            meeting = await meetings.by_id(conn, meeting_id)
            problem = self._change_problem(member, meeting, now)
            if problem is not None or meeting is None:
                return problem or "meeting.gone"
            await meetings.set_fields(
                conn, meeting_id, status="cancelled", changed_at=now, updated_at=now
            )
            await audit.append(
                conn,
                at=now,
                action="meeting.cancel",
                outcome="allowed",
                actor_staff_id=member.id,
                subject=f"meeting:{meeting_id}",
                detail={"starts_at": meeting.starts_at.isoformat()},
            )
            cancelled = await meetings.by_id(conn, meeting_id)
        assert cancelled is not None
        return cancelled

    # --- invitations and answers ------------------------------------------------------------------

    async def by_id(self, meeting_id: int) -> MeetingRecord | None:
        async with self.db.read() as conn:
            return await meetings.by_id(conn, meeting_id)

    async def units_of(self, meeting: MeetingRecord) -> list[str]:
        async with self.db.read() as conn:
            return await meetings.units_of(conn, meeting.id)

    async def invitees(self, meeting: MeetingRecord) -> list[Staff]:
        """Active staff of the invited units, the organiser excepted."""
        async with self.db.read() as conn:
            unit_ids = await meetings.units_of(conn, meeting.id)
            records = await staff.active_in_units(conn, unit_ids, [r.value for r in Role])
        found = [await self.accounts.by_id(r.id) for r in records]
        return [m for m in found if m is not None and m.id != meeting.organiser_id]

    async def is_invited(self, member: Staff, meeting: MeetingRecord) -> bool:
        if member.id == meeting.organiser_id:
            return True
        async with self.db.read() as conn:
            unit_ids = await meetings.units_of(conn, meeting.id)
            delegated = [
                a for a in await meetings.answers(conn, meeting.id) if a.delegate_id == member.id
            ]
        return bool(delegated) or (member.unit is not None and member.unit.id in unit_ids)

    async def answer(
        self, member: Staff, meeting_id: int, value: str, delegate: Staff | None = None
    ) -> MeetingRecord | str:
        """出席 / 請假 / 指派代理 (a colleague of the same unit); changeable until it starts."""
        now = utcnow()
        async with self.db.write() as conn:
            meeting = await meetings.by_id(conn, meeting_id)
            if meeting is None or meeting.status != "planned":
                return "meeting.gone"
            if meeting.starts_at <= now:
                return "meeting.already_started"
            unit_ids = await meetings.units_of(conn, meeting.id)
            delegated_to_me = any(
                a.delegate_id == member.id for a in await meetings.answers(conn, meeting.id)
            )
            if not delegated_to_me and (member.unit is None or member.unit.id not in unit_ids):
                return "meeting.not_invited"
            if value == Answer.DELEGATED and (
                delegate is None
                or delegate.unit is None
                or member.unit is None
                or delegate.unit.id != member.unit.id
                or delegate.id == member.id
            ):
                return "meeting.bad_delegate"
            await meetings.answer(
                conn,
                meeting.id,
                member.id,
                value=value,
                delegate_id=delegate.id if delegate else None,
                now=now,
            )
            await audit.append(
                conn,
                at=now,
                action=f"meeting.answer.{value}",
                outcome="allowed",
                actor_staff_id=member.id,
                subject=f"meeting:{meeting.id}",
            )
        return meeting

    async def answers(self, meeting: MeetingRecord) -> list[MeetingAnswerRecord]:
        async with self.db.read() as conn:
            return await meetings.answers(conn, meeting.id)

    async def upcoming_for(self, member: Staff) -> list[MeetingRecord]:
        """My meetings: upcoming ones and those of the last month (their minutes), invited (my
        unit, or delegated to me) or run by me — and any I run whose minutes are still owed."""
        now = utcnow()
        async with self.db.read() as conn:
            found = await meetings.listing(conn, until=now + timedelta(days=400))
        mine = []
        for meeting in found:
            recent = meeting.starts_at >= now - RECENT
            owed = meeting.minutes_recorded_at is None and self.runs(member, meeting)
            if (recent or owed) and (
                member.role is Role.ADMIN or await self.is_invited(member, meeting)
            ):
                mine.append(meeting)
        return mine

    def runs(self, member: Staff, meeting: MeetingRecord) -> bool:
        """The organiser, their unit, or the bureau run the meeting (and see its whole agenda)."""
        return (
            member.id == meeting.organiser_id
            or member.role is Role.ADMIN
            or (member.unit is not None and member.unit.id == meeting.organiser_unit_id)
        )

    # --- the agenda -------------------------------------------------------------------------------

    async def agenda(self, member: Staff, meeting: MeetingRecord) -> Agenda:
        """Built from the data now; an attendee who does not run the meeting sees only the cases
        their unit is involved in (need to know, seed 001). The read is audited."""
        agenda = Agenda(meeting=meeting)
        now = utcnow()
        async with self.db.write() as conn:
            if meeting.series_key == CASE_CONFERENCE and meeting.district:
                await self._case_conference_agenda(conn, agenda, now)
            else:
                await self._liaison_agenda(conn, agenda)
            if not self.runs(member, meeting):
                await self._only_involved(conn, member, agenda)
            await audit.append(
                conn,
                at=now,
                action="meeting.agenda",
                outcome="allowed",
                actor_staff_id=member.id,
                subject=f"meeting:{meeting.id}",
                detail={"cases": len(agenda.cases()), "hidden": agenda.hidden},
            )
        return agenda

    async def _case_conference_agenda(
        self, conn: AsyncConnection, agenda: Agenda, now: datetime
    ) -> None:
        """The plan's order (參.三.(六).3): the cases the previous conference kept tracked, with
        their monthly reports; the center's report of 幸扶守護, 兒少高危機, 行方不明兒少 and
        co-cases; then the cases reported to this conference — referrals placed on it and cases
        tracked since the previous one. Each case has one status, the same in every section."""
        meeting = agenda.meeting
        today = now.astimezone(TAIPEI).date()
        district_cases = [
            r
            for center in self.jurisdiction.centers_covering(meeting.district or "")
            for r in await referrals.open_cases(conn, center.id)
            if r.district == meeting.district
        ]
        since_previous = await self._previous_conference_start(conn, meeting, now)
        status: dict[int, str] = {}
        for referral in district_cases:
            if referral.tracked:
                await self.cases.owe_reports(conn, referral, now)
                duties = await cases.obligations_of(conn, referral.id)
                status[referral.id] = report_status(duties, today)
                item = AgendaItem(referral, status[referral.id])
                tracked_since = referral.tracked_since or now
                if tracked_since <= since_previous:
                    agenda.tracked.append(item)
                else:
                    agenda.newly_tracked.append(item)
        for category in REPORTED_CATEGORIES:
            agenda.reports[category.value] = [
                AgendaItem(r, status.get(r.id, ""))
                for r in district_cases
                if category.value in r.categories
            ]
        agenda.reports[Category.CO_CASE.value] = [
            AgendaItem(r, status.get(r.id, ""))
            for r in district_cases
            if Category.CO_CASE.value in r.categories or len(r.serving_units) > 1
        ]
        placed = [
            r
            for r in await referrals.placed_on(conn, meeting.window_key, meeting.district or "")
            if r.status in (ReferralStatus.WAITING, ReferralStatus.ACCEPTED)
        ]
        placed.sort(key=lambda r: (not r.urgent, not r.priority_flags, r.id))
        agenda.new_referrals = [AgendaItem(r, status.get(r.id, "")) for r in placed]
        placed_ids = {r.id for r in placed}
        agenda.newly_tracked = [i for i in agenda.newly_tracked if i.referral.id not in placed_ids]

    async def _previous_conference_start(
        self, conn: AsyncConnection, meeting: MeetingRecord, now: datetime
    ) -> datetime:
        """When the district's previous conference (minutes recorded) was held, to the end of
        that day: a case tracked by then is the previous conference's. Without one, the end of
        yesterday — a case tracked today is new to this conference."""
        earlier = await meetings.listing(
            conn,
            series_key=meeting.series_key,
            district=meeting.district,
            until=meeting.starts_at,
        )
        held = [m for m in earlier if m.minutes_recorded_at is not None and m.id != meeting.id]
        day = (held[-1].starts_at if held else now - timedelta(days=1)).astimezone(TAIPEI)
        return datetime.combine(day.date(), datetime.max.time(), tzinfo=TAIPEI)

    async def _liaison_agenda(self, conn: AsyncConnection, agenda: Agenda) -> None:
        """The previous meeting's resolutions (列管事項) with their owners' status."""
        meeting = agenda.meeting
        earlier = await meetings.listing(
            conn,
            series_key=meeting.series_key,
            district=meeting.district,
            until=meeting.starts_at,
        )
        previous = [m for m in earlier if m.minutes_recorded_at is not None and m.id != meeting.id]
        for index, earlier_meeting in enumerate(previous):
            last = index == len(previous) - 1
            for resolution in await meetings.resolutions(conn, earlier_meeting.id):
                # Every open item is carried forward; the last meeting's done ones are reported.
                if resolution.state == "open" or last:
                    text = self.keyring.decrypt(RESOLUTION_PURPOSE, resolution.text)
                    agenda.resolutions.append((resolution, text))

    async def _only_involved(self, conn: AsyncConnection, member: Staff, agenda: Agenda) -> None:
        unit = member.unit.id if member.unit else None
        before = len(agenda.cases())

        async def involved(referral: ReferralRecord) -> bool:
            if unit is None:
                return False
            if unit in (referral.center_id, referral.referrer_unit_id):
                return True
            return unit in await cases.team(conn, referral.id)

        agenda.tracked = [i for i in agenda.tracked if await involved(i.referral)]
        agenda.new_referrals = [i for i in agenda.new_referrals if await involved(i.referral)]
        agenda.newly_tracked = [i for i in agenda.newly_tracked if await involved(i.referral)]
        for key, items in agenda.reports.items():
            agenda.reports[key] = [i for i in items if await involved(i.referral)]
        agenda.hidden = before - len(agenda.cases())

    # --- minutes ----------------------------------------------------------------------------------

    async def decide(
        self,
        member: Staff,
        meeting: MeetingRecord,
        referral: ReferralRecord,
        *,
        decision: str,
        note: str | None = None,
        reason: str | None = None,
        unit: str | None = None,
    ) -> str | None:
        """Record the conference's decision for one agenda case (applied when the minutes are
        recorded). None when recorded, else why not.

        Only the choices of the case's state are taken (`minutes.choices`). A release needs its
        reason; a referral on needs the unit it goes to (which joins the case's team); a joint
        service plan needs the unit that leads it (the case's team and that unit take part).
        """
        if not self.runs(member, meeting):
            return "meeting.not_organiser"
        agenda = await self.agenda(member, meeting)
        if referral.id not in {r.id for r in agenda.cases()}:
            return "meeting.not_on_agenda"
        problem = decision_problem(
            decision,
            tracked=referral.tracked,
            open_case=referral.case_status is not None and referral.case_status != "closed",
            reason=reason,
            unit=unit,
            units_allowed=frozenset(
                u.id for u in await self.units_to_name(meeting, referral, decision)
            ),
        )
        if problem:
            return problem
        cleaned = redact(note[:NOTE_MAX]).text if note else None
        async with self.db.write() as conn:
            current = await meetings.by_id(conn, meeting.id)
            if current is None or current.minutes_recorded_at is not None:
                return "meeting.minutes_done"
            taking_part: list[str] = []
            if decision == Decision.JOINT_PLAN:
                team = await cases.team(conn, referral.id)
                taking_part = sorted(({*team} | ({unit} if unit else set())) - {referral.center_id})
            elif decision == Decision.REFER_ON and unit:
                taking_part = [unit]
            added = await meetings.add_decision(
                conn,
                meeting_id=meeting.id,
                referral_id=referral.id,
                decision=decision,
                lead_unit_id=unit if decision == Decision.JOINT_PLAN else referral.center_id,
                units=json.dumps(taking_part) if taking_part else None,
                note=self.keyring.encrypt(NOTE_PURPOSE, cleaned) if cleaned else None,
                recorded_at=utcnow(),
                was_tracked=referral.tracked,
                reason=reason if decision == Decision.RELEASE else None,
            )
        return None if added else "meeting.already_decided"

    async def units_to_name(
        self, meeting: MeetingRecord, referral: ReferralRecord, decision: str
    ) -> list[Unit]:
        """The units a referral on may go to, or that may lead a joint plan: the meeting's
        invited units, the district's own units and the city's bureaus — for a referral on, not
        the case's own center."""
        invited = await self.units_of(meeting)
        district = referral.district or meeting.district or ""
        found: list[Unit] = []
        for unit in self.jurisdiction.units:
            near = unit.id in invited or district in unit.districts or unit.city_wide
            other_center = unit.role is UnitRole.FAMILY_SERVICE_CENTER and unit.id not in invited
            if not near or other_center:
                continue
            if decision == Decision.REFER_ON and unit.id == referral.center_id:
                continue
            found.append(unit)
        found.sort(key=lambda u: (u.id not in invited, u.id != referral.center_id))
        return found

    async def take_back(
        self, member: Staff, meeting: MeetingRecord, referral_id: int
    ) -> str | None:
        """A decision undone before the minutes are recorded (a mis-tap), so it can be taken
        again. None when undone, else why not."""
        if not self.runs(member, meeting):
            return "meeting.not_organiser"
        async with self.db.write() as conn:
            current = await meetings.by_id(conn, meeting.id)
            if current is None or current.minutes_recorded_at is not None:
                return "meeting.minutes_done"
            removed = await meetings.remove_decision(conn, meeting.id, referral_id)
        return None if removed else "meeting.bad_decision"

    async def keep_the_rest_as_is(
        self, member: Staff, meeting: MeetingRecord, *, but: int | None = None
    ) -> int:
        """「其餘維持現狀」: every agenda case without a decision (but the one being asked) keeps
        its state — a tracked case stays tracked (持續列管), an untracked one is not tracked
        (不列管). Returns how many."""
        if not self.runs(member, meeting):
            return 0
        count = 0
        for referral in await self.undecided(member, meeting):
            if referral.id == but:
                continue
            kind = Decision.KEEP if referral.tracked else Decision.NO_TRACKING
            if await self.decide(member, meeting, referral, decision=kind) is None:
                count += 1
        return count

    # --- attendance -------------------------------------------------------------------------------

    async def attendance(self, meeting: MeetingRecord) -> dict[str, str]:
        """Each invited unit's attendance: what the organiser set, else what the answers to the
        invitation suggest (`minutes.attendance_from_answers`)."""
        async with self.db.read() as conn:
            invited = await meetings.units_of(conn, meeting.id)
            stored = await meetings.attendance(conn, meeting.id)
            answered = []
            for found in await meetings.answers(conn, meeting.id):
                person = await staff.by_id(conn, found.staff_id)
                if person is not None and person.unit_id:
                    answered.append(UnitAnswer(person.unit_id, found.answer))
        suggested = attendance_from_answers(
            invited, answered, organiser_unit=meeting.organiser_unit_id
        )
        return {unit_id: stored.get(unit_id, suggested[unit_id]) for unit_id in invited}

    async def set_attendance(
        self, member: Staff, meeting: MeetingRecord, unit_id: str, state: str
    ) -> str | None:
        if not self.runs(member, meeting):
            return "meeting.not_organiser"
        if state not in Attendance.ALL:
            return "meeting.bad_decision"
        async with self.db.write() as conn:
            current = await meetings.by_id(conn, meeting.id)
            if current is None or current.minutes_recorded_at is not None:
                return "meeting.minutes_done"
            if unit_id not in await meetings.units_of(conn, meeting.id):
                return "meeting.bad_unit"
            await meetings.set_attendance(conn, meeting.id, unit_id, state, now=utcnow())
        return None

    async def confirm_attendance(self, member: Staff, meeting: MeetingRecord) -> str | None:
        """The organiser says the attendance is right: it is stored as it now reads, so a late
        answer to the invitation no longer changes it."""
        if not self.runs(member, meeting):
            return "meeting.not_organiser"
        if meeting.starts_at > utcnow():
            return "meeting.not_yet_held"
        states = await self.attendance(meeting)
        now = utcnow()
        async with self.db.write() as conn:
            current = await meetings.by_id(conn, meeting.id)
            if current is None or current.minutes_recorded_at is not None:
                return "meeting.minutes_done"
            for unit_id, state in states.items():
                await meetings.set_attendance(conn, meeting.id, unit_id, state, now=now)
            await meetings.set_fields(conn, meeting.id, attendance_confirmed_at=now)
        return None

    async def note_decision(
        self, member: Staff, meeting: MeetingRecord, referral_id: int, note: str
    ) -> str | None:
        """What the conference expects of the lead unit, added to a decision before the minutes
        are recorded. None when saved, else why not."""
        current = await self.by_id(meeting.id)
        if current is None or not self.runs(member, current):
            return "meeting.not_organiser"
        if current.minutes_recorded_at is not None:
            return "meeting.minutes_done"
        cleaned = redact(note[:NOTE_MAX]).text
        async with self.db.write() as conn:
            saved = await meetings.set_decision_note(
                conn, meeting.id, referral_id, self.keyring.encrypt(NOTE_PURPOSE, cleaned)
            )
        return None if saved else "meeting.bad_decision"

    async def undecided(self, member: Staff, meeting: MeetingRecord) -> list[ReferralRecord]:
        """Agenda cases without a decision yet (a case conference decides every one)."""
        if meeting.series_key != CASE_CONFERENCE:
            return []
        agenda = await self.agenda(member, meeting)
        decided = {d.referral_id for d in await self.decisions(meeting)}
        return [r for r in agenda.cases() if r.id not in decided]

    async def decisions(self, meeting: MeetingRecord) -> list[MeetingDecisionRecord]:
        async with self.db.read() as conn:
            return await meetings.decisions(conn, meeting.id)

    def decision_units(self, decision: MeetingDecisionRecord) -> list[str]:
        """The names of the units a decision names: a joint plan's, or where a case goes."""
        ids = json.loads(decision.units or "[]")
        return [u.name for i in ids if (u := self.jurisdiction.unit(i)) is not None]

    def decision_note(self, decision: MeetingDecisionRecord) -> str | None:
        return None if decision.note is None else self.keyring.decrypt(NOTE_PURPOSE, decision.note)

    async def add_resolution(
        self, member: Staff, meeting: MeetingRecord, *, text: str, owner_unit: str, due: date | None
    ) -> str | None:
        """A liaison meeting's resolution (列管事項): its owner unit and due date."""
        if not self.runs(member, meeting):
            return "meeting.not_organiser"
        if self.jurisdiction.unit(owner_unit) is None:
            return "meeting.bad_unit"
        now = utcnow()
        async with self.db.write() as conn:
            current = await meetings.by_id(conn, meeting.id)
            if current is None or current.minutes_recorded_at is not None:
                return "meeting.minutes_done"
            await meetings.add_resolution(
                conn,
                meeting_id=meeting.id,
                text=self.keyring.encrypt(RESOLUTION_PURPOSE, redact(text[:NOTE_MAX]).text),
                owner_unit_id=owner_unit,
                due=due,
                state="open",
                done_at=None,
                recorded_at=now,
            )
        return None

    async def open_resolutions_for(self, member: Staff) -> list[tuple[ResolutionRecord, str]]:
        """Open resolutions this person may mark done: their unit owns them, or they run the
        meeting that made them."""
        async with self.db.read() as conn:
            found = await meetings.open_resolutions(conn)
            mine = []
            for resolution in found:
                meeting = await meetings.by_id(conn, resolution.meeting_id)
                owner = member.unit is not None and member.unit.id == resolution.owner_unit_id
                if meeting is not None and (owner or self.runs(member, meeting)):
                    text = self.keyring.decrypt(RESOLUTION_PURPOSE, resolution.text)
                    mine.append((resolution, text))
        return mine

    async def resolve(self, member: Staff, resolution_id: int) -> str | None:
        """A resolution done (its owner unit or the meeting's organisers say so); audited."""
        allowed = {r.id for r, _ in await self.open_resolutions_for(member)}
        if resolution_id not in allowed:
            return "meeting.not_yours"
        now = utcnow()
        async with self.db.write() as conn:
            if not await meetings.resolve(conn, resolution_id, now=now):
                return "meeting.not_yours"
            await audit.append(
                conn,
                at=now,
                action="meeting.resolution.done",
                outcome="allowed",
                actor_staff_id=member.id,
                subject=f"resolution:{resolution_id}",
            )
        return None

    async def resolutions(self, meeting: MeetingRecord) -> list[tuple[ResolutionRecord, str]]:
        async with self.db.read() as conn:
            found = await meetings.resolutions(conn, meeting.id)
        return [(r, self.keyring.decrypt(RESOLUTION_PURPOSE, r.text)) for r in found]

    async def record_minutes(self, member: Staff, meeting: MeetingRecord) -> str | None:
        """Minutes recorded once: each decision applied in the same transaction — a kept case
        owes monthly reports from the meeting's month, a released one stops owing them after
        this month (參.三.(六).3.(5)); a joint plan's units join the case's team."""
        if not self.runs(member, meeting):
            return "meeting.not_organiser"
        now = utcnow()
        if meeting.starts_at > now:
            return "meeting.not_yet_held"
        current = await self.by_id(meeting.id)
        if current is None or current.attendance_confirmed_at is None:
            return "meeting.attendance_unconfirmed"
        if await self.undecided(member, meeting):
            return "meeting.undecided"
        async with self.db.write() as conn:
            if not await meetings.mark_minutes(conn, meeting.id, now=now):
                return "meeting.minutes_done"
            for decision in await meetings.decisions(conn, meeting.id):
                referral = await referrals.by_id(conn, decision.referral_id)
                if referral is not None:
                    await self._apply(conn, member, meeting, decision, referral)
            await audit.append(
                conn,
                at=now,
                action="meeting.minutes",
                outcome="allowed",
                actor_staff_id=member.id,
                subject=f"meeting:{meeting.id}",
            )
        return None

    async def _apply(
        self,
        conn: AsyncConnection,
        member: Staff,
        meeting: MeetingRecord,
        decision: MeetingDecisionRecord,
        referral: ReferralRecord,
    ) -> None:
        now = utcnow()
        held = meeting.starts_at
        starts = decision.decision in (Decision.KEEP, Decision.JOINT_PLAN)
        if starts and not referral.tracked and referral.case_status is not None:
            await referrals.set_fields(
                conn, referral.id, now=now, tracked=True, tracked_since=held, tracked_until=None
            )
            await referrals.add_event(
                conn,
                referral.id,
                at=now,
                actor_id=member.id,
                kind=ReferralEvent.TRACKED.value,
                detail={"meeting": meeting.id},
            )
            await self.cases.owe_reports(conn, await referrals.by_id(conn, referral.id), now)
        if decision.decision in (Decision.JOINT_PLAN, Decision.REFER_ON):
            # The units of a joint plan, or the unit a case is referred on to, join its team.
            for unit_id in json.loads(decision.units or "[]"):
                if self.jurisdiction.unit(unit_id) is not None:
                    await cases.join_team(conn, referral.id, unit_id, now)
        elif decision.decision == Decision.RELEASE and referral.tracked:
            await self.cases.owe_reports(conn, referral, now)  # what was owed stays owed
            await referrals.set_fields(
                conn, referral.id, now=now, tracked=False, tracked_until=held
            )
            await referrals.add_event(
                conn,
                referral.id,
                at=now,
                actor_id=member.id,
                kind=ReferralEvent.RELEASED.value,
                detail={"meeting": meeting.id},
            )
            held_month = held.astimezone(TAIPEI)
            later = [
                d
                for d in await cases.obligations_of(conn, referral.id)
                if d.kind == ObligationKind.MONTHLY_REPORT
                and d.state == ObligationState.OPEN
                and d.period > f"{held_month.year:04d}-{held_month.month:02d}"
            ]
            for duty in later:
                await cases.waive(conn, duty.id, reason=WaiverReason.RELEASED.value, now=now)

    # --- deadlines --------------------------------------------------------------------------------

    async def deadlines_at(self, day: date) -> list[MeetingDeadlines]:
        """Every planned meeting and its deadlines' states on `day` (for outside checks)."""
        async with self.db.read() as conn:
            found = await meetings.listing(conn)
        listed = []
        for meeting in found:
            series = self.series(meeting.series_key)
            if series is None:
                continue
            held_day = meeting.starts_at.astimezone(TAIPEI).date()
            held_on = held_day if held_day <= day else None
            window = next(
                (
                    w
                    for w in rules.windows_of(series, int(meeting.window_key[:4]))
                    if w.key == meeting.window_key
                ),
                None,
            )
            recorded = meeting.minutes_recorded_at
            listed.append(
                MeetingDeadlines(
                    meeting=meeting,
                    window=meeting.window_key,
                    held=rules.in_window_state(
                        window, held_on if held_on and held_on >= window.start else None, day
                    ).value
                    if window
                    else "",
                    referral_cutoff=None
                    if meeting.referral_cutoff is None
                    else ("open" if day <= meeting.referral_cutoff else "passed"),
                    minutes=rules.deadline_state(
                        meeting.minutes_due,
                        recorded.astimezone(TAIPEI).date() if recorded else None,
                        day,
                    ).value,
                )
            )
        return listed
