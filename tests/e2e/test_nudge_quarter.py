"""A quarter of nudges for 中壢 (issue #6), from 2026-12-01 to 2027-03-31: the clock runs through
every day — nights, weekends, 12/25, the Lunar New Year holidays (2/4–2/10) and the 228 day
observed on 3/1 included — and at each tick the scheduler's two passes run (plan, then send).
No job is defined by hand: what goes out follows from the rows alone.

People do their duties in chat on some days and leave them open on others: November's and
December's monthly reports are filed on time (no escalation), January's only after the
supervisor has heard it is overdue (the bureau never hears), February's never (the supervisor,
then the bureau hear); the March case conference is planned in January, the officer answers, the
teacher declines after the first reminder (and hears no more), the minutes are recorded on time
(after the organiser's reminder, before the escalation); 八德 never plans its conference.

The test keeps its own ledger, worked out from the plan's rules as written below (not by asking
the planner), and checks that the outbox sent exactly it — each nudge once, at the first tick at
or after its moment, never at night or on a day off — that each digest reached the right chat
at that moment, and that `nudges plan` (`Outbox.would_send`, and once the command in its own
process) agrees, tick by tick, with what the sender then sends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import select

from bot.domain.roles import Role
from bot.domain.working_days import TAIPEI, WorkingCalendar
from bot.render import roc_month
from storage.schema import meetings, nudges, referrals
from tests.e2e.test_meetings import begin_minutes, send_the_minutes
from tests.e2e.test_nudges import tick, track
from tests.e2e.test_referral import District
from tests.processes import json_lines
from tests.transcript import Person, World, active_member

pytestmark = pytest.mark.e2e

ONE_DAY = timedelta(days=1)
CALENDAR = WorkingCalendar()  # Taiwan's calendar (holidays package), as the jurisdiction has it
OPENS, CLOSES = time(8, 30), time(17, 30)  # office hours, taoyuan.toml [nudges]

FIRST_DAY, LAST_DAY = date(2026, 12, 1), date(2027, 3, 31)
# Every day is ticked at these Taipei times, nights, weekends and holidays included: through
# the night quickly; on working days just before and at opening, at noon (the reminder 2 hours
# before a 14:00 meeting), just before and at closing; on days off at the moments that would
# send on a working day. (A planning pass costs ~50 ms, so a tick every 30 minutes for four
# months would take minutes; every moment this quarter's nudges fall due, 08:30 and 12:00,
# is among these.)
WORKING_DAY_TICKS = ("00:00", "08:29", "08:30", "12:00", "17:29", "17:30", "21:00")
DAY_OFF_TICKS = ("00:00", "08:30", "12:00", "17:29", "21:00")
QUARTER_END = datetime.combine(LAST_DAY, time(23, 59), tzinfo=TAIPEI)

WORKER, SUPERVISOR, OFFICER = "陳社工", "林督導", "王警員"
TEACHER, ADMIN, BADE_SUPERVISOR = "蔡老師", "社會局科長", "周督導"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TAIPEI)


# What people do, and when (Taipei time).
NOVEMBER_FILED = at("2026-12-03T10:00")  # after the reminder of 12/2, before the due day 12/7
DECEMBER_FILED = at("2027-01-04T10:00")  # before the due day 1/5
CONFERENCE_PLANNED = at("2027-01-20T10:00")  # for Wednesday 3/17 14:00, a suggested slot
JANUARY_FILED = at("2027-02-15T10:00")  # after the supervisor heard (2/12), before the bureau
TEACHER_DECLINES = at("2027-03-11T10:00")  # after the reminder a week before
MINUTES_RECORDED = at("2027-03-23T10:00")  # after the organiser's reminder (3/22), on time
CONFERENCE = at("2027-03-17T14:00")
CLI_AT = at("2027-03-12T08:30")  # `safetynet nudges plan --at` in its own process, once


# --- the plan's rules, written out (issue #6; taoyuan.toml [nudges]) ----------------------------


def opening(day: date) -> datetime:
    """Nudges go out on working days from 08:30: a day off waits for the next working day."""
    while not CALENDAR.is_working_day(day):
        day += ONE_DAY
    return datetime.combine(day, OPENS, tzinfo=TAIPEI)


def working_days_before(day: date, n: int) -> date:
    """The n-th working day before `day`."""
    while n:
        day -= ONE_DAY
        n -= CALENDAR.is_working_day(day)
    return day


def last_working_day(day: date) -> date:
    """A deadline on a day off is reminded on the last working day before it."""
    while not CALENDAR.is_working_day(day):
        day -= ONE_DAY
    return day


def report_due(year: int, month: int) -> date:
    """The monthly report of a tracked case: the 5th of the next month, or the next working
    day (參.三.(六).3.(5); taoyuan.toml monthly_report_due_day)."""
    day = date(year + month // 12, month % 12 + 1, 5)
    while not CALENDAR.is_working_day(day):
        day += ONE_DAY
    return day


@dataclass(frozen=True, order=True)
class Nudge:
    """One nudge to one person: when it should go out, to whom, what about, which step."""

    moment: datetime
    who: str
    kind: str
    subject: str
    step: str

    def __str__(self) -> str:
        return f"{self.moment:%Y-%m-%d %a %H:%M} {self.who} {self.kind} {self.subject} {self.step}"


@dataclass
class Ledger:
    nudges: list[Nudge] = field(default_factory=list)

    def add(self, moment: datetime, who: str, kind: str, subject: str, step: str) -> None:
        if moment <= QUARTER_END:
            self.nudges.append(Nudge(moment, who, kind, subject, step))


def expected(referral_id: int, meeting_id: int, districts: list[str]) -> list[Nudge]:
    """Every nudge the quarter should bring, worked out from the rules and what people did."""
    ledger = Ledger()
    monthly_reports(ledger, referral_id)
    the_conference(ledger, meeting_id)
    unscheduled_meetings(ledger, districts)
    return sorted(ledger.nudges)


def monthly_reports(ledger: Ledger, referral_id: int) -> None:
    """The tracked case's monthly reports: the lead worker 3 working days before the due day,
    the center's supervisor the day after it, the bureau's admins 7 days after — each only while
    the report is not filed."""
    filed = {"2026-11": NOVEMBER_FILED, "2026-12": DECEMBER_FILED, "2027-01": JANUARY_FILED}
    for year, month in ((2026, 11), (2026, 12), (2027, 1), (2027, 2), (2027, 3)):
        period = f"{year}-{month:02d}"
        due = report_due(year, month)
        subject = f"report:{referral_id}:{period}"
        for moment, who, step in (
            (opening(working_days_before(due, 3)), WORKER, "3wd_before:owner"),
            (opening(due + ONE_DAY), SUPERVISOR, "1d_after:supervisor"),
            (opening(due + timedelta(days=7)), ADMIN, "7d_after:admins"),
        ):
            if period not in filed or moment < filed[period]:
                ledger.add(moment, who, "report_due", subject, step)


def the_conference(ledger: Ledger, meeting_id: int) -> None:
    """中壢's March conference, planned on 1/20 for Wed 3/17 14:00. Invited by default: the
    center (陳社工 — the organiser 林督導 is not reminded of his own meeting), the police (王警員),
    the schools (蔡老師), the health station, the job centre and the district office (nobody
    registered there)."""
    subject = f"meeting:{meeting_id}@{CONFERENCE:%Y%m%d%H%M}"
    day = CONFERENCE.date()
    # Reminders to the invited who have not declined: 7 days before, the working day before,
    # and 2 hours before (noon: within office hours, so at that very time).
    reminders = [
        (opening(day - timedelta(days=7)), "7d_before:attendees"),
        (opening(working_days_before(day, 1)), "1wd_before:attendees"),
        (CONFERENCE - timedelta(hours=2), "2h_before:attendees"),
    ]
    assert len({moment.date() for moment, _ in reminders}) == 3  # no day off merges two
    for moment, step in reminders:
        for who in (WORKER, OFFICER, TEACHER):
            if who != TEACHER or moment < TEACHER_DECLINES:  # who declined hears no more
                ledger.add(moment, who, "meeting_reminder", subject, step)
    # The organiser: who answered, 3 working days before.
    moment = opening(working_days_before(day, 3))
    ledger.add(moment, SUPERVISOR, "rsvp_summary", subject, "3wd_before:organiser")
    # Referrals close one month before (2/17): the district's network staff (the workers of the
    # police and the schools; not the center's case manager) 7 days before and on the day.
    cutoff = date(2027, 2, 17)
    for moment, step in (
        (opening(cutoff - timedelta(days=7)), "7d_before:network_staff"),
        (opening(last_working_day(cutoff)), "on_day:network_staff"),
    ):
        for who in (OFFICER, TEACHER):
            ledger.add(moment, who, "referral_cutoff", subject, step)
    # Minutes: the organiser 5 days after; 8 days after, the center's supervisor (林督導 again)
    # and the bureau's admins — unless recorded by then.
    for moment, who, step in (
        (opening(day + timedelta(days=5)), SUPERVISOR, "5d_after:organiser"),
        (opening(day + timedelta(days=8)), SUPERVISOR, "8d_after:supervisor"),
        (opening(day + timedelta(days=8)), ADMIN, "8d_after:admins"),
    ):
        if moment < MINUTES_RECORDED:
            ledger.add(moment, who, "minutes_due", subject, step)


def unscheduled_meetings(ledger: Ledger, districts: list[str]) -> None:
    """A required window with no meeting planned: the series' secretariat 30 days before its
    last day, the bureau's admins on that day."""
    # The city liaison window Sep–Dec 2026 has no meeting: the admins hear on 12/31 (its
    # secretariat, the bureau's secretariat staff, would have heard on 12/1: none registered).
    window = "window:city_liaison:city:2026-12"
    ledger.add(
        opening(date(2026, 12, 31)), ADMIN, "meeting_unscheduled", window, "window_end:admins"
    )
    # March's case conference is planned in 中壢 only: for each other district the admins hear
    # on 3/31, and the center's supervisor (only 八德's is registered) 30 days before.
    for district in districts:
        if district == "中壢區":
            continue
        window = f"window:case_conference:{district}:2027-03"
        ledger.add(
            opening(date(2027, 3, 31)), ADMIN, "meeting_unscheduled", window, "window_end:admins"
        )
        if district == "八德區":
            moment = opening(date(2027, 3, 31) - timedelta(days=30))
            step = "30d_before_end:secretariat"
            ledger.add(moment, BADE_SUPERVISOR, "meeting_unscheduled", window, step)
    # The windows ending 4/30 (district liaison Dec–Apr, city liaison Jan–Apr) tell their
    # secretariats (the district offices', the bureau's: none registered) on 3/31 and the
    # admins only after the quarter: nothing to expect.


# --- the world ----------------------------------------------------------------------------------


@dataclass
class Quarter:
    world: World
    district: District
    code: str
    teacher: Person
    admin: Person
    bade_supervisor: Person

    @property
    def people(self) -> dict[str, Person]:
        return {
            WORKER: self.district.social_worker,
            SUPERVISOR: self.district.supervisor,
            OFFICER: self.district.officer,
            TEACHER: self.teacher,
            ADMIN: self.admin,
            BADE_SUPERVISOR: self.bade_supervisor,
        }

    async def names(self) -> dict[int, str]:
        found = {}
        for name, person in self.people.items():
            member = await self.world.bot_services.accounts.by_telegram_id(person.user_id)
            assert member is not None
            found[member.id] = name
        return found


async def file_report(quarter: Quarter, period: str) -> None:
    worker, code = quarter.district.social_worker, quarter.code
    replies = await worker.says(f"/report {code}")
    month = roc_month(period)
    assert f"{code} {month} 月報" in replies[-1].text  # the oldest report still owed
    await worker.says("家訪兩次，案母已就醫，持續戒癮治療。")
    replies = await worker.presses("持續列管")
    assert f"已送出 {code} {month} 月報" in replies[-1].text


async def plan_the_march_conference(quarter: Quarter) -> None:
    supervisor, officer = quarter.district.supervisor, quarter.district.officer
    replies = await supervisor.says("/newmeeting")
    assert "3/17（三）14:00" in replies[-1].labels  # Wednesdays in March, 3/3 … 3/31
    await supervisor.presses("3/17（三）14:00")
    await supervisor.says("中壢家庭服務中心2樓會議室")
    await supervisor.presses("不需要")
    replies = await supervisor.presses("中壢家庭服務中心 林督導")
    assert "✅ 桃園市政府警察局中壢分局" in replies[-1].labels
    assert "✅ 教育局中壢區學校代表" in replies[-1].labels
    replies = await supervisor.presses("完成")
    assert "時間：116/03/17 14:00" in replies[-1].text
    replies = await supervisor.presses("✅ 建立並發出開會通知")
    assert "✅ 已建立" in replies[-1].text
    for invited in (officer, quarter.teacher, quarter.district.social_worker):
        assert "開會通知" in (await invited.last_bot_message()).text
    replies = await officer.presses("出席")
    assert "已回覆出席" in replies[-1].text


async def teacher_declines(quarter: Quarter) -> None:
    replies = await quarter.teacher.presses("請假")
    assert "已回覆請假" in replies[-1].text


async def record_minutes(quarter: Quarter) -> None:
    supervisor, code = quarter.district.supervisor, quarter.code
    replies = await supervisor.says("/meetings")
    assert replies[-1].labels[0].startswith("📝 ")  # minutes owed
    await supervisor.presses(replies[-1].labels[0])
    replies = await begin_minutes(supervisor)
    assert code in replies[-1].text
    await supervisor.presses("持續列管" if "持續列管" in replies[-1].labels else "列管")
    replies = await send_the_minutes(supervisor)
    assert "會議紀錄已完成並送給" in replies[0].text


# --- the checks ---------------------------------------------------------------------------------


def in_office_hours(moment: datetime) -> bool:
    local = moment.astimezone(TAIPEI)
    return CALENDAR.is_working_day(local.date()) and OPENS <= local.time() < CLOSES


async def sent_rows_at(world: World, moment: datetime) -> set[tuple[int, str]]:
    async with world.bot_services.db.read() as conn:
        rows = (await conn.execute(select(nudges).where(nudges.c.state == "sent"))).all()
    return {(row.recipient_id, row.dedupe_key) for row in rows if row.updated_at == moment}


@dataclass
class Clock:
    """Runs the ticks; what `nudges plan` said before each, and what went out."""

    world: World
    days: set[date] = field(default_factory=set)
    command_checked: bool = False
    ticks_off: list[datetime] = field(default_factory=list)  # nights, weekends, holidays
    sending: dict[datetime, set[tuple[int, str]]] = field(default_factory=dict)

    async def tick(self, moment: datetime) -> None:
        services = self.world.bot_services
        with time_machine.travel(moment):
            planned = await services.nudges.would_send(moment)
        if moment == CLI_AT:
            # The command an operator runs, in its own process on the same database.
            lines = json_lines(
                ["nudges", "plan", "--at", moment.strftime("%Y-%m-%dT%H:%M")],
                self.world.settings.var_dir,
            )
            assert {(line["recipient_staff_id"], line["dedupe_key"]) for line in lines} == {
                (due.recipient_id, due.dedupe_key) for due in planned
            }
            assert lines, "the command should show what is about to go out"
            self.command_checked = True
        digests = await tick(self.world, moment.strftime("%Y-%m-%dT%H:%M"))
        self.days.add(moment.date())
        if not in_office_hours(moment):
            self.ticks_off.append(moment)
            assert planned == [], f"{moment}: `nudges plan` shows nudges outside office hours"
            assert digests == 0, f"{moment}: sent outside office hours"
            return
        if not planned and digests == 0:
            return
        sent = await sent_rows_at(self.world, moment)
        # What `nudges plan --at` printed is exactly what this tick sent: same people, same
        # dedupe keys, one digest per person.
        assert sent == {(due.recipient_id, due.dedupe_key) for due in planned}, moment
        assert digests == len({due.recipient_id for due in planned}), moment
        self.sending[moment] = sent


async def run_quarter(quarter: Quarter, clock: Clock) -> None:
    actions: list[tuple[datetime, Callable[[], Awaitable[None]]]] = [
        (NOVEMBER_FILED, lambda: file_report(quarter, "2026-11")),
        (DECEMBER_FILED, lambda: file_report(quarter, "2026-12")),
        (CONFERENCE_PLANNED, lambda: plan_the_march_conference(quarter)),
        (JANUARY_FILED, lambda: file_report(quarter, "2027-01")),
        (TEACHER_DECLINES, lambda: teacher_declines(quarter)),
        (MINUTES_RECORDED, lambda: record_minutes(quarter)),
    ]
    day = FIRST_DAY
    while day <= LAST_DAY:
        ticks = WORKING_DAY_TICKS if CALENDAR.is_working_day(day) else DAY_OFF_TICKS
        for hhmm in ticks:
            moment = datetime.combine(day, time.fromisoformat(hhmm), tzinfo=TAIPEI)
            while actions and actions[0][0] < moment:
                when, action = actions.pop(0)
                with time_machine.travel(when, tick=True):
                    await action()
            await clock.tick(moment)
        day += ONE_DAY
    assert not actions


async def test_a_quarter_of_nudges_follows_the_plan_calendar(
    accepted: tuple[District, str], world: World
) -> None:
    district, code = accepted
    # 2026-11-24: the case is tracked by hand (it owes monthly reports from November); a
    # teacher of 中壢's schools, the bureau's admin and 八德's center supervisor are on the bot.
    await track(district, code)
    quarter = Quarter(
        world=world,
        district=district,
        code=code,
        teacher=await active_member(world, Role.WORKER, "school-zhongli", TEACHER),
        admin=await active_member(world, Role.ADMIN, "sab", ADMIN),
        bade_supervisor=await active_member(world, Role.SUPERVISOR, "fsc-bade", BADE_SUPERVISOR),
    )

    clock = Clock(world)
    await run_quarter(quarter, clock)

    services = world.bot_services
    names = await quarter.names()
    async with services.db.read() as conn:
        (referral_id,) = (
            await conn.execute(select(referrals.c.id).where(referrals.c.code == code))
        ).one()
        (meeting_id,) = (
            await conn.execute(select(meetings.c.id).where(meetings.c.district == "中壢區"))
        ).one()
        rows = (await conn.execute(select(nudges).order_by(nudges.c.due_at, nudges.c.id))).all()
    ledger = expected(referral_id, meeting_id, [d.name for d in services.jurisdiction.districts])

    # Where the rules put the days off (anchors a reader can check by hand).
    def moment_of(who: str, step: str, about: str) -> datetime:
        (found,) = [
            n.moment for n in ledger if (n.who, n.step) == (who, step) and about in n.subject
        ]
        return found

    # December's report is due Tue 1/5: three working days before skips 1/1 and the weekend.
    assert moment_of(WORKER, "3wd_before:owner", "2026-12") == at("2026-12-30T08:30")
    # January's: 2/5 is in the Lunar New Year holidays (2/4–2/10), so it is due Thu 2/11.
    assert moment_of(WORKER, "3wd_before:owner", "2027-01") == at("2027-02-01T08:30")
    assert moment_of(SUPERVISOR, "1d_after:supervisor", "2027-01") == at("2027-02-12T08:30")
    # The referral cutoff 2/17: a week before is 2/10, a holiday, so 2/11.
    assert moment_of(OFFICER, "7d_before:network_staff", "meeting") == at("2027-02-11T08:30")
    # February's report is due Fri 3/5; the day after is a Saturday: the supervisor hears Mon.
    assert moment_of(SUPERVISOR, "1d_after:supervisor", "2027-02") == at("2027-03-08T08:30")
    # 30 days before 3/31 is 3/1, the 228 day observed: 八德 hears on 3/2.
    assert moment_of(BADE_SUPERVISOR, "30d_before_end:secretariat", "八德") == at(
        "2027-03-02T08:30"
    )
    # March's report is due Wed 4/7 (4/5 and 4/6 are off): the worker hears on 3/31.
    assert moment_of(WORKER, "3wd_before:owner", "2027-03") == at("2027-03-31T08:30")

    assert len(ledger) == 35
    assert all(in_office_hours(n.moment) for n in ledger)

    # 1. The outbox sent exactly the ledger: each nudge once, at its moment, nothing else.
    assert {row.state for row in rows} == {"sent"}, [
        (row.dedupe_key, row.state, row.dropped_reason) for row in rows if row.state != "sent"
    ]
    sent = sorted(
        Nudge(
            row.due_at.astimezone(TAIPEI), names[row.recipient_id], row.kind, row.subject, row.step
        )
        for row in rows
    )
    missing = [str(n) for n in ledger if n not in sent]
    extra = [str(n) for n in sent if n not in ledger]
    assert (missing, extra) == ([], []), "\n".join(["missing:", *missing, "extra:", *extra])
    assert sent == ledger  # and none twice
    for row in rows:
        # Sent at the first tick at or after its moment (the ticks include 08:30 and 12:00),
        # in office hours on a working day.
        assert row.updated_at == row.due_at, row.dedupe_key
        assert in_office_hours(row.updated_at), row.dedupe_key
    # Every tick that sent anything was checked against `nudges plan`, and together they sent
    # every row.
    assert clock.command_checked
    assert sorted(key for keys in clock.sending.values() for key in keys) == sorted(
        (row.recipient_id, row.dedupe_key) for row in rows
    )

    # 2. The chats: one ⏰ digest per person and moment, dated then, listing its items.
    for who, person in quarter.people.items():
        mine = [n for n in ledger if n.who == who]
        response = await world.http.get(f"/sandbox/chats/{person.user_id}/messages")
        digests = [
            m for m in response.json() if m["from"] == "bot" and "⏰" in (m.get("text") or "")
        ]
        moments = sorted({n.moment for n in mine})
        # The sandbox dates a message by the (travelled, running) clock: within the minute.
        dated = [datetime.fromtimestamp(m["date"], tz=TAIPEI).replace(second=0) for m in digests]
        assert dated == moments, who
        for message, moment in zip(digests, moments, strict=True):
            items = {(n.kind, n.subject) for n in mine if n.moment == moment}
            assert f"（{len(items)} 項）" in message["text"], (who, moment, message["text"])
            ids = {
                row.message_id
                for row in rows
                if names[row.recipient_id] == who and row.due_at == moment
            }
            assert ids == {message["message_id"]}, (who, moment)

    # 3. Nothing at night, on weekends or holidays — and every day, those too, was ticked.
    assert len(clock.days) == (LAST_DAY - FIRST_DAY).days + 1
    days_off = {m.date() for m in clock.ticks_off if not CALENDAR.is_working_day(m.date())}
    for holiday in ("2026-12-25", "2027-01-01", "2027-02-04", "2027-02-10", "2027-03-01"):
        assert date.fromisoformat(holiday) in days_off

    # 4. A few of the digests, as people read them.
    async def read(person: Person) -> list[str]:
        return [m.text for m in await person.bot_messages() if "⏰" in m.text]

    # The supervisor hears of January's report once it is overdue, and of February's; the
    # bureau only of February's (January's was filed before its week was up).
    supervisor = await read(district.supervisor)
    assert f"⚠️ {code} 116年1月 列管月報已逾期（期限 116/02/11）" in supervisor[0]
    assert f"⚠️ {code} 116年2月 列管月報已逾期（期限 116/03/05）" in supervisor[1]
    assert "您主辦的會議 116/03/17 14:00 即將召開" in supervisor[2]
    assert "116/03/17 14:00 的會議紀錄應於 116/03/24 前送出。" in supervisor[3]
    admin = await read(quarter.admin)
    assert "府級聯繫會議（2026-12 期）尚未安排，已超過期限" in admin[0]
    assert f"⚠️ {code} 116年2月 列管月報已逾期" in admin[1]
    assert "⏰ 提醒（12 項）" in admin[2]
    assert "八德區 區級個案研討會議（2027-03 期）尚未安排，已超過期限" in admin[2]
    assert "2027-01" not in "".join(admin)
    assert "會議紀錄" not in "".join(admin)  # recorded on time: the bureau never heard
    # The teacher heard of the cutoff twice and of the meeting once, then declined.
    teacher = await read(quarter.teacher)
    assert len(teacher) == 3
    assert "提案（轉介）截止日：116/02/17" in teacher[0]
    assert "116/03/17 14:00 中壢區 會議即將召開" in teacher[2]
    (bade,) = await read(quarter.bade_supervisor)
    assert "八德區 區級個案研討會議（2027-03 期）尚未安排。" in bade
