"""When each nudge falls due: issue #6's table of nudges as pure rules over Taiwan's calendar.

Each function takes the date or moment a duty hangs on and returns its occurrences — which step,
to whom, at which escalation, and when — as data. The caller (the planning pass) decides whether
the duty still stands and who exactly the audience is; nothing here reads a clock or a database.

Times are evaluated in Asia/Taipei. Nudges go out only on working days (Taiwan's calendar with
補班, `WorkingCalendar`) within office hours (default 08:30–17:30); a moment that falls outside
waits for the next window (`next_window_start`). Two exceptions keep a reminder useful:

- the reminder 2 hours before a meeting stays at that exact moment when it is within office
  hours, else goes out at the opening of the meeting's day if that is still before the meeting,
  else is dropped;
- a reminder "on the day" of a deadline that falls on a day off goes out on the last working day
  before it — waiting for the next window would send it after the deadline (a referral cutoff is
  missed once its day has passed, `meetings.deadline_state`). A due date that has already been
  moved onto a working day (`working_days.monthly_report_due`) is unaffected.

When a day off pushes an earlier reminder to one person into the window of a later one (7 days
before a meeting that follows Lunar New Year lands on the same morning as 1 working day before),
the earlier one is dropped: one reminder per window about the same thing is enough.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.domain.working_days import TAIPEI, WorkingCalendar

MAX_DEDUPE_KEY = 200
DEDUPE_SEPARATOR = "|"

_ONE_DAY = timedelta(days=1)


class NudgeKind(StrEnum):
    MEETING_REMINDER = "meeting_reminder"  # invited attendees who have not declined
    MEETING_CHANGED = "meeting_changed"  # invitees: a meeting moved or cancelled, said once
    RSVP_SUMMARY = "rsvp_summary"  # organiser, 3 working days before
    REFERRAL_CUTOFF = "referral_cutoff"  # network staff of the district
    MEETING_UNSCHEDULED = "meeting_unscheduled"  # series secretariat; escalates to admins
    MINUTES_DUE = "minutes_due"  # organiser; escalates to supervisor + admins
    REPORT_DUE = "report_due"  # lead worker; escalates to center supervisor, then admins
    VISIT_PLAN_BEHIND = "visit_plan_behind"  # lead worker; supervisor after the month ends
    REFERRAL_WAITING = "referral_waiting"  # receiving center's supervisor; escalates to admins
    RESOLUTION_DUE = "resolution_due"  # owner unit's staff; escalates to the district office


class Audience(StrEnum):
    """Who an occurrence goes to; the planner turns it into people."""

    OWNER = "owner"  # whoever owes the duty: the lead worker, the owner unit's staff
    ORGANISER = "organiser"  # the meeting's organiser
    ATTENDEES = "attendees"  # invited attendees who have not declined
    NETWORK_STAFF = "network_staff"  # staff of the district's network units
    SECRETARIAT = "secretariat"  # the series' secretariat for the district
    SUPERVISOR = "supervisor"  # the owner's center supervisor
    ADMINS = "admins"  # the bureau's admins
    DISTRICT_OFFICE = "district_office"  # the district office that tracks the resolution


@dataclass(frozen=True)
class Occurrence:
    """One nudge of one duty: `step` names it stably within its kind (part of the dedupe key)."""

    kind: NudgeKind
    step: str  # "7d_before", "1wd_before", "2h_before", "on_day", "1d_after", …
    audience: Audience
    escalation: int  # 0 for the first nudge to the owner, 1, 2 for later escalations
    at: datetime  # aware (Asia/Taipei), when it becomes due, already within office hours


@dataclass(frozen=True)
class OfficeHours:
    """When nudges may go out on a working day, Taipei time: start ≤ t < end."""

    start: time = time(8, 30)
    end: time = time(17, 30)

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("office hours are Taipei wall-clock times, without a time zone")
        if not self.start < self.end:
            raise ValueError(f"office hours must start before they end: {self.start}–{self.end}")


@dataclass(frozen=True)
class NudgeRules:
    """The table's defaults (issue #6), every number a field so the jurisdiction file can
    override it. Days are calendar days, working days are counted on `WorkingCalendar`."""

    meeting_reminder_days_before: int = 7
    meeting_reminder_working_days_before: int = 1
    meeting_reminder_hours_before: int = 2
    rsvp_summary_working_days_before: int = 3
    referral_cutoff_days_before: int = 7
    unscheduled_days_before_window_end: int = 30
    minutes_days_after: int = 5
    minutes_escalate_days_after: int = 8
    report_working_days_before: int = 3
    report_escalate_days_after: int = 1
    report_admin_days_after: int = 7
    referral_waiting_working_days: int = 2
    referral_waiting_admin_working_days: int = 5
    resolution_days_before: int = 7
    office_hours: OfficeHours = OfficeHours()

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, int) and (isinstance(value, bool) or value < 1):
                raise ValueError(f"nudge rule {spec.name} must be a whole number ≥ 1: {value!r}")
        # An escalation comes after the nudge it escalates, or the owner is skipped.
        for first, then in (
            ("minutes_days_after", "minutes_escalate_days_after"),
            ("report_escalate_days_after", "report_admin_days_after"),
            ("referral_waiting_working_days", "referral_waiting_admin_working_days"),
        ):
            if getattr(self, then) <= getattr(self, first):
                raise ValueError(f"nudge rule {then} must be greater than {first}")


# --- office hours -------------------------------------------------------------------------------


def _taipei(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("nudge rules need an aware datetime")
    return moment.astimezone(TAIPEI)


def _opening(day: date, hours: OfficeHours) -> datetime:
    return datetime.combine(day, hours.start, tzinfo=TAIPEI)


def in_office_hours(moment: datetime, calendar: WorkingCalendar, hours: OfficeHours) -> bool:
    """Whether nudges may go out at `moment`: a working day, start ≤ Taipei time < end.

    Issue #6, design: "nudges go out only on working days (Taiwan's calendar with 補班) within
    configurable office hours (default 08:30–17:30)".
    """
    local = _taipei(moment)
    return calendar.is_working_day(local.date()) and hours.start <= local.time() < hours.end


def next_window_start(moment: datetime, calendar: WorkingCalendar, hours: OfficeHours) -> datetime:
    """`moment` itself (in Taipei time) when it is within office hours, else the next opening:
    the same day's when it is a working day and `moment` is before opening, else the next
    working day's.

    Issue #6, design: "what falls outside waits for the next window".
    """
    local = _taipei(moment)
    if in_office_hours(local, calendar, hours):
        return local
    day = local.date()
    if not (calendar.is_working_day(day) and local.time() < hours.start):
        day = calendar.next_working_day(day + _ONE_DAY)
    return _opening(day, hours)


def window_key(moment: datetime, calendar: WorkingCalendar, hours: OfficeHours) -> str:
    """The send window a nudge due at `moment` goes out in, as its date ("2027-03-01").

    Issue #6, design: "several nudges for one person in one window are combined into one digest
    message" — the digest groups by recipient and this key.
    """
    return next_window_start(moment, calendar, hours).date().isoformat()


# --- helpers ------------------------------------------------------------------------------------


def _due_on(day: date, rules: NudgeRules, calendar: WorkingCalendar) -> datetime:
    """The opening of `day`, or of the next working day when `day` is off."""
    return next_window_start(_opening(day, rules.office_hours), calendar, rules.office_hours)


def _deadline_day(day: date, rules: NudgeRules, calendar: WorkingCalendar) -> datetime:
    """The opening of deadline `day`, or of the last working day before it when `day` is off."""
    last = calendar.previous_working_day(day)
    return next_window_start(_opening(last, rules.office_hours), calendar, rules.office_hours)


def _working_days_before(day: date, n: int, calendar: WorkingCalendar) -> date:
    """The `n`-th working day before `day` (not counting `day`): 3 before Mon 7 Dec is Wed 2 Dec."""
    for _ in range(n):
        day = calendar.previous_working_day(day - _ONE_DAY)
    return day


def _drop_overtaken(occurrences: list[Occurrence]) -> list[Occurrence]:
    """Of one audience's steps in order, keep each only if its window comes before the next
    kept one's: a reminder pushed by days off into a later reminder's window adds nothing."""
    kept: list[Occurrence] = []
    for occurrence in reversed(occurrences):
        if not kept or occurrence.at.date() < kept[-1].at.date():
            kept.append(occurrence)
    return kept[::-1]


# --- the table, row by row ----------------------------------------------------------------------


def meeting_reminders(
    starts_at: datetime, rules: NudgeRules, calendar: WorkingCalendar
) -> list[Occurrence]:
    """Reminders to the invited attendees who have not declined: 7 days before and 1 working
    day before (at the opening of that day), and 2 hours before on the day.

    Issue #6, row "meeting reminder". The three series (seed 004, 參.一–三) each gather units
    that must attend; the 2-hour reminder keeps its exact time when that is within office hours,
    else goes out at the opening of the meeting's day if still before the meeting, else (a
    meeting at or before opening, or on a day off) is dropped.
    """
    start = _taipei(starts_at)
    day = start.date()
    days = rules.meeting_reminder_days_before
    working = rules.meeting_reminder_working_days_before
    kind, audience = NudgeKind.MEETING_REMINDER, Audience.ATTENDEES
    occurrences = [
        Occurrence(
            kind,
            f"{days}d_before",
            audience,
            0,
            _due_on(day - timedelta(days=days), rules, calendar),
        ),
        Occurrence(
            kind,
            f"{working}wd_before",
            audience,
            0,
            _due_on(_working_days_before(day, working, calendar), rules, calendar),
        ),
    ]
    on_the_day = _hours_before(start, rules, calendar)
    if on_the_day is not None:
        occurrences.append(
            Occurrence(
                kind, f"{rules.meeting_reminder_hours_before}h_before", audience, 0, on_the_day
            )
        )
    return _drop_overtaken([o for o in occurrences if o.at < start])


def _hours_before(start: datetime, rules: NudgeRules, calendar: WorkingCalendar) -> datetime | None:
    hours = rules.office_hours
    day = start.date()
    if not calendar.is_working_day(day):
        return None
    wanted = start - timedelta(hours=rules.meeting_reminder_hours_before)
    if wanted.date() == day and in_office_hours(wanted, calendar, hours):
        return wanted
    opening = _opening(day, hours)
    return opening if opening < start else None


def meeting_changed(
    changed_at: datetime, starts_at: datetime, rules: NudgeRules, calendar: WorkingCalendar
) -> list[Occurrence]:
    """A meeting moved or cancelled: its invitees hear it in the first send window after the
    change — unless that window opens only after the meeting's (new, or cancelled) time.

    Issue #6, "bad input and faults": a meeting moved or cancelled after its reminders were
    queued — the stale reminders are dropped, the new time is announced once.
    """
    at = next_window_start(changed_at, calendar, rules.office_hours)
    if at >= _taipei(starts_at):
        return []
    return [Occurrence(NudgeKind.MEETING_CHANGED, "changed", Audience.ATTENDEES, 0, at)]


def rsvp_summary(
    starts_at: datetime, rules: NudgeRules, calendar: WorkingCalendar
) -> list[Occurrence]:
    """The RSVP summary to the organiser, 3 working days before the meeting, at opening.

    Issue #6, row "meeting reminder", column "then": time to chase units that must attend
    (seed 004, 參.一–三 list each series' attendees).
    """
    day = _taipei(starts_at).date()
    working = rules.rsvp_summary_working_days_before
    at = _due_on(_working_days_before(day, working, calendar), rules, calendar)
    return [Occurrence(NudgeKind.RSVP_SUMMARY, f"{working}wd_before", Audience.ORGANISER, 0, at)]


def referral_cutoff_reminders(
    cutoff: date, rules: NudgeRules, calendar: WorkingCalendar
) -> list[Occurrence]:
    """To the staff of the district's network units: 7 days before the referral cutoff, and on
    the cutoff day — on the last working day before it when the cutoff falls on a day off.

    Issue #6, row "referral cutoff"; referrals for a case conference are requested one month
    before it (seed 004, 參.三.(六).2.(1), `meetings.referral_cutoff`).
    """
    days = rules.referral_cutoff_days_before
    kind, audience = NudgeKind.REFERRAL_CUTOFF, Audience.NETWORK_STAFF
    return _drop_overtaken(
        [
            Occurrence(
                kind,
                f"{days}d_before",
                audience,
                0,
                _due_on(cutoff - timedelta(days=days), rules, calendar),
            ),
            Occurrence(kind, "on_day", audience, 0, _deadline_day(cutoff, rules, calendar)),
        ]
    )


def unscheduled_meeting(
    window_end: date, rules: NudgeRules, calendar: WorkingCalendar
) -> list[Occurrence]:
    """A required window with no meeting planned: the series' secretariat 30 days before the
    window's last day, the bureau admins on that day (escalation 1).

    Issue #6, row "meeting not yet scheduled". Each series must meet in its window (seed 004,
    參.一–三, `meetings.windows_of`); units that do not hold them may be penalised (肆).
    """
    days = rules.unscheduled_days_before_window_end
    kind = NudgeKind.MEETING_UNSCHEDULED
    return [
        Occurrence(
            kind,
            f"{days}d_before_end",
            Audience.SECRETARIAT,
            0,
            _due_on(window_end - timedelta(days=days), rules, calendar),
        ),
        Occurrence(kind, "window_end", Audience.ADMINS, 1, _due_on(window_end, rules, calendar)),
    ]


def minutes_due(
    meeting_day: date, rules: NudgeRules, calendar: WorkingCalendar
) -> list[Occurrence]:
    """Minutes not recorded: the organiser 5 days after the meeting; 8 days after, the
    organiser's supervisor and the bureau admins (escalation 1, one occurrence each).

    Issue #6, row "minutes due". Minutes are due one week after each meeting (seed 004,
    參.一–三, `meetings.minutes_due`): the reminder comes before that, the escalation after it.
    """
    first, then = rules.minutes_days_after, rules.minutes_escalate_days_after
    kind = NudgeKind.MINUTES_DUE
    late = _due_on(meeting_day + timedelta(days=then), rules, calendar)
    return [
        Occurrence(
            kind,
            f"{first}d_after",
            Audience.ORGANISER,
            0,
            _due_on(meeting_day + timedelta(days=first), rules, calendar),
        ),
        Occurrence(kind, f"{then}d_after", Audience.SUPERVISOR, 1, late),
        Occurrence(kind, f"{then}d_after", Audience.ADMINS, 1, late),
    ]


def report_due(due: date, rules: NudgeRules, calendar: WorkingCalendar) -> list[Occurrence]:
    """A tracked case's monthly report: the lead worker 3 working days before the due day; the
    center supervisor the day after it (escalation 1); the bureau admins 7 days after (2).

    Issue #6, row "monthly tracked-case report". Cases a case conference keeps under tracking
    report monthly to the family service center (seed 004, 參.三.(六).3.(5));
    `working_days.monthly_report_due` gives `due`.
    """
    working = rules.report_working_days_before
    then, last = rules.report_escalate_days_after, rules.report_admin_days_after
    kind = NudgeKind.REPORT_DUE
    return [
        Occurrence(
            kind,
            f"{working}wd_before",
            Audience.OWNER,
            0,
            _due_on(_working_days_before(due, working, calendar), rules, calendar),
        ),
        Occurrence(
            kind,
            f"{then}d_after",
            Audience.SUPERVISOR,
            1,
            _due_on(due + timedelta(days=then), rules, calendar),
        ),
        Occurrence(
            kind,
            f"{last}d_after",
            Audience.ADMINS,
            2,
            _due_on(due + timedelta(days=last), rules, calendar),
        ),
    ]


def visit_plan_behind(
    behind_since: date, month_end: date, rules: NudgeRules, calendar: WorkingCalendar
) -> list[Occurrence]:
    """A 幸扶守護 month whose planned visits no longer fit in its remaining working days: the
    lead worker from `behind_since`; the supervisor the day after the month (`month_end`, the
    plan window's last day) ends (escalation 1).

    Issue #6, row "visit plan behind (幸扶守護)"; 4 visits in the first month, then at least 2 a
    month, for at least 3 months (seed 003, 參.二.5; docs/domain.md §4, `visit_plan`).
    """
    kind = NudgeKind.VISIT_PLAN_BEHIND
    return [
        Occurrence(kind, "behind", Audience.OWNER, 0, _due_on(behind_since, rules, calendar)),
        Occurrence(
            kind,
            "after_month",
            Audience.SUPERVISOR,
            1,
            _due_on(month_end + _ONE_DAY, rules, calendar),
        ),
    ]


def referral_waiting(
    submitted_at: datetime, rules: NudgeRules, calendar: WorkingCalendar
) -> list[Occurrence]:
    """A referral with no 受案/退回/再轉: the receiving center's supervisor after 2 working days,
    the bureau admins after 5 (escalation 1).

    "After N working days" is the same Taipei time N working days later, moved into office
    hours. The clock starts when the office could first see the referral: one sent on a Saturday
    or at night counts from the next opening, as `WorkingCalendar.add_working_days` treats a
    Saturday arrival as Monday's.

    Issue #6, row "referral waiting for a decision"; docs/domain.md §4 (someone must push
    waiting referrals to a decision, TWSS Base IG statuses).
    """
    hours = rules.office_hours
    received = next_window_start(submitted_at, calendar, hours)
    kind = NudgeKind.REFERRAL_WAITING

    def after(n: int) -> datetime:
        day = calendar.add_working_days(received.date(), n)
        moment = datetime.combine(day, received.timetz())
        return next_window_start(moment, calendar, hours)

    first, then = rules.referral_waiting_working_days, rules.referral_waiting_admin_working_days
    return [
        Occurrence(kind, f"{first}wd_after", Audience.SUPERVISOR, 0, after(first)),
        Occurrence(kind, f"{then}wd_after", Audience.ADMINS, 1, after(then)),
    ]


def resolution_due(due: date, rules: NudgeRules, calendar: WorkingCalendar) -> list[Occurrence]:
    """A liaison meeting's tracked resolution (列管事項): the owner unit's staff 7 days before
    and on the due date — on the last working day before it when it falls on a day off — and
    the district office on the first working day after it (escalation 1).

    Issue #6, row "liaison-meeting resolution due". The district liaison meeting tracks its
    previous resolutions at the next meeting (seed 004, 參.二; docs/domain.md §2).
    """
    days = rules.resolution_days_before
    kind = NudgeKind.RESOLUTION_DUE
    reminders = _drop_overtaken(
        [
            Occurrence(
                kind,
                f"{days}d_before",
                Audience.OWNER,
                0,
                _due_on(due - timedelta(days=days), rules, calendar),
            ),
            Occurrence(kind, "on_day", Audience.OWNER, 0, _deadline_day(due, rules, calendar)),
        ]
    )
    after = _due_on(due + _ONE_DAY, rules, calendar)
    return [*reminders, Occurrence(kind, "after_due", Audience.DISTRICT_OFFICE, 1, after)]


# --- dedupe -------------------------------------------------------------------------------------


def dedupe_key(kind: NudgeKind, subject: str, recipient_id: int, step: str) -> str:
    """The outbox's unique key of one nudge to one person: "kind|subject|recipient|step".

    Issue #6, design: "nudges are rows in an outbox table with a unique dedupe key (kind +
    subject + recipient + occurrence)". `subject` names the row the nudge is about
    ("meeting:12", "obligation:45"). The parts may not contain "|" (two different nudges could
    otherwise share a key) and the key is at most MAX_DEDUPE_KEY characters.
    """
    if not subject or not step:
        raise ValueError("a dedupe key needs a subject and a step")
    if DEDUPE_SEPARATOR in subject or DEDUPE_SEPARATOR in step:
        raise ValueError(f"{DEDUPE_SEPARATOR!r} may not appear in a dedupe key's parts")
    key = DEDUPE_SEPARATOR.join((NudgeKind(kind).value, subject, str(recipient_id), step))
    if len(key) > MAX_DEDUPE_KEY:
        raise ValueError(f"dedupe key longer than {MAX_DEDUPE_KEY} characters: {key[:40]}…")
    return key
