"""When each nudge of issue #6's table falls due, on real Taiwanese dates, with no clock.

Office hours 08:30–17:30 on working days; Lunar New Year 2026 (14–22 Feb) and 2027 (4–10 Feb)
off; 2025-02-08 a 補班 Saturday the holidays package knows. The plan's examples: a case conference
on Wed 2026-03-18 14:00 (seed 004, 參.三), November 2026's monthly report due Mon 2026-12-07
(參.三.(六).3.(5)).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.nudges import (
    MAX_DEDUPE_KEY,
    Audience,
    NudgeKind,
    NudgeRules,
    Occurrence,
    OfficeHours,
    dedupe_key,
    in_office_hours,
    meeting_reminders,
    minutes_due,
    next_window_start,
    referral_cutoff_reminders,
    referral_waiting,
    report_due,
    resolution_due,
    rsvp_summary,
    unscheduled_meeting,
    visit_plan_behind,
    window_key,
)
from bot.domain.working_days import TAIPEI, WorkingCalendar, monthly_report_due
from bot.nudges import split_subject

CALENDAR = WorkingCalendar()
RULES = NudgeRules()
HOURS = OfficeHours()
CONFERENCE = datetime(2026, 3, 18, 14, 0, tzinfo=TAIPEI)  # a Wednesday


def at(year: int, month: int, day: int, hour: int = 8, minute: int = 30) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TAIPEI)


def plan(occurrences: list[Occurrence]) -> list[tuple[str, Audience, int, datetime]]:
    return [(o.step, o.audience, o.escalation, o.at) for o in occurrences]


# --- office hours -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (at(2026, 3, 18, 8, 29), False),
        (at(2026, 3, 18, 8, 30), True),
        (at(2026, 3, 18, 17, 29), True),
        (at(2026, 3, 18, 17, 30), False),
        (at(2026, 3, 18, 23, 59), False),
        (at(2026, 3, 21, 10, 0), False),  # Saturday
        (at(2026, 3, 22, 10, 0), False),  # Sunday
        (at(2026, 2, 17, 10, 0), False),  # 春節, a Tuesday
        (at(2026, 10, 9, 10, 0), False),  # National Day observed, a Friday
        (at(2025, 2, 8, 10, 0), True),  # 補班 Saturday for the 27 Jan 2025 bridge day
        (at(2025, 2, 15, 10, 0), False),  # an ordinary Saturday
    ],
)
def test_in_office_hours(moment: datetime, inside: bool) -> None:
    assert in_office_hours(moment, CALENDAR, HOURS) is inside


def test_office_hours_are_judged_in_taipei() -> None:
    # 00:30 UTC is 08:30 in Taipei; 09:30 UTC is 17:30 there.
    assert in_office_hours(datetime(2026, 3, 18, 0, 30, tzinfo=UTC), CALENDAR, HOURS)
    assert not in_office_hours(datetime(2026, 3, 18, 0, 29, tzinfo=UTC), CALENDAR, HOURS)
    assert not in_office_hours(datetime(2026, 3, 18, 9, 30, tzinfo=UTC), CALENDAR, HOURS)
    # Friday 20:00 UTC is Saturday 04:00 in Taipei.
    assert not in_office_hours(datetime(2026, 3, 20, 20, 0, tzinfo=UTC), CALENDAR, HOURS)


def test_naive_moments_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        in_office_hours(datetime(2026, 3, 18, 10, 0), CALENDAR, HOURS)  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        meeting_reminders(datetime(2026, 3, 18, 14, 0), RULES, CALENDAR)  # noqa: DTZ001


def test_office_hours_must_make_sense() -> None:
    with pytest.raises(ValueError, match="start before"):
        OfficeHours(time(17, 30), time(8, 30))
    with pytest.raises(ValueError, match="time zone"):
        OfficeHours(time(8, 30, tzinfo=UTC), time(17, 30))


def test_configured_office_hours() -> None:
    hours = OfficeHours(time(9, 0), time(17, 0))
    assert not in_office_hours(at(2026, 3, 18, 8, 30), CALENDAR, hours)
    assert next_window_start(at(2026, 3, 18, 16, 59), CALENDAR, hours) == at(2026, 3, 18, 16, 59)
    assert next_window_start(at(2026, 3, 18, 17, 0), CALENDAR, hours) == at(2026, 3, 19, 9, 0)


# --- send windows -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "window"),
    [
        (at(2026, 3, 18, 10, 15), at(2026, 3, 18, 10, 15)),  # inside: itself
        (at(2026, 3, 18, 6, 0), at(2026, 3, 18)),  # before opening: today's opening
        (at(2026, 3, 18, 17, 30), at(2026, 3, 19)),  # at closing: tomorrow's opening
        (at(2026, 3, 20, 18, 0), at(2026, 3, 23)),  # Friday evening: Monday
        (at(2026, 3, 21, 10, 0), at(2026, 3, 23)),  # Saturday
        (at(2026, 2, 13, 17, 30), at(2026, 2, 23)),  # Lunar New Year 2026: 14–22 Feb off
        (at(2027, 2, 3, 18, 0), at(2027, 2, 11)),  # Lunar New Year 2027: 4–10 Feb off
        (at(2026, 10, 8, 20, 0), at(2026, 10, 12)),  # National Day long weekend, 9–11 Oct
        (at(2025, 2, 7, 18, 0), at(2025, 2, 8)),  # Friday evening before a 補班 Saturday
    ],
)
def test_next_window_start(moment: datetime, window: datetime) -> None:
    found = next_window_start(moment, CALENDAR, HOURS)
    assert found == window
    assert found.tzinfo is TAIPEI
    assert in_office_hours(found, CALENDAR, HOURS)


def test_next_window_start_converts_to_taipei() -> None:
    # Monday 2026-03-23 00:30 UTC = 08:30 Taipei; Friday 10:00 UTC = 18:00 Taipei.
    found = next_window_start(datetime(2026, 3, 20, 10, 0, tzinfo=UTC), CALENDAR, HOURS)
    assert found == at(2026, 3, 23)
    assert found.tzinfo is TAIPEI
    inside = next_window_start(datetime(2026, 3, 23, 1, 0, tzinfo=UTC), CALENDAR, HOURS)
    assert (inside.tzinfo, inside.hour) == (TAIPEI, 9)


def test_extra_workdays_and_holidays_of_the_jurisdiction() -> None:
    # A 補班 Saturday and a typhoon day (停班) the package cannot know, passed in by the city.
    saturday, typhoon = date(2027, 3, 6), date(2027, 3, 8)
    local = WorkingCalendar(extra_workdays=[saturday], extra_holidays=[typhoon])
    friday_evening = at(2027, 3, 5, 18, 0)
    assert next_window_start(friday_evening, CALENDAR, HOURS) == at(2027, 3, 8)
    assert next_window_start(friday_evening, local, HOURS) == at(2027, 3, 6)
    assert next_window_start(at(2027, 3, 6, 18, 0), local, HOURS) == at(2027, 3, 9)


def test_window_key_groups_one_window() -> None:
    # Friday evening, Saturday and Monday morning all go out in Monday's window.
    keys = {
        window_key(moment, CALENDAR, HOURS)
        for moment in (at(2026, 3, 20, 17, 45), at(2026, 3, 21, 12, 0), at(2026, 3, 23, 9, 0))
    }
    assert keys == {"2026-03-23"}
    assert window_key(at(2026, 3, 20, 17, 29), CALENDAR, HOURS) == "2026-03-20"
    assert window_key(at(2027, 2, 27, 12, 0), CALENDAR, HOURS) == "2027-03-02"  # 228 observed


# --- the table, row by row ----------------------------------------------------------------------


def test_meeting_reminders_for_the_case_conference() -> None:
    assert plan(meeting_reminders(CONFERENCE, RULES, CALENDAR)) == [
        ("7d_before", Audience.ATTENDEES, 0, at(2026, 3, 11)),
        ("1wd_before", Audience.ATTENDEES, 0, at(2026, 3, 17)),
        ("2h_before", Audience.ATTENDEES, 0, at(2026, 3, 18, 12, 0)),
    ]
    assert {o.kind for o in meeting_reminders(CONFERENCE, RULES, CALENDAR)} == {
        NudgeKind.MEETING_REMINDER
    }


def test_meeting_reminders_from_a_utc_start() -> None:
    in_utc = CONFERENCE.astimezone(UTC)
    assert meeting_reminders(in_utc, RULES, CALENDAR) == meeting_reminders(
        CONFERENCE, RULES, CALENDAR
    )


def test_one_working_day_before_a_monday_is_the_friday() -> None:
    monday = at(2026, 3, 23, 10, 0)
    steps = {o.step: o.at for o in meeting_reminders(monday, RULES, CALENDAR)}
    assert steps["1wd_before"] == at(2026, 3, 20)
    assert steps["7d_before"] == at(2026, 3, 16)


def test_a_reminder_pushed_into_a_later_one_is_dropped() -> None:
    # 7 days before Tue 2026-02-24 is 春節 (17 Feb): it would wait until Mon 23 Feb, the same
    # morning as "1 working day before" — one reminder is enough.
    after_new_year = at(2026, 2, 24, 14, 0)
    assert plan(meeting_reminders(after_new_year, RULES, CALENDAR)) == [
        ("1wd_before", Audience.ATTENDEES, 0, at(2026, 2, 23)),
        ("2h_before", Audience.ATTENDEES, 0, at(2026, 2, 24, 12, 0)),
    ]


@pytest.mark.parametrize(
    ("starts", "on_the_day"),
    [
        (at(2026, 3, 18, 14, 0), at(2026, 3, 18, 12, 0)),
        (at(2026, 3, 18, 10, 30), at(2026, 3, 18, 8, 30)),  # exactly at opening
        (at(2026, 3, 18, 9, 0), at(2026, 3, 18, 8, 30)),  # 07:00 is before opening
        (at(2026, 3, 18, 19, 0), at(2026, 3, 18, 17, 0)),  # 17:00 is still inside
        (at(2026, 3, 18, 20, 0), at(2026, 3, 18, 8, 30)),  # 18:00 is after closing
        (at(2026, 3, 18, 8, 30), None),  # opening is not before the meeting
        (at(2026, 3, 18, 8, 0), None),
        (at(2026, 3, 21, 10, 0), None),  # a Saturday: no window that day
        (at(2026, 2, 17, 14, 0), None),  # 春節
        (at(2025, 2, 8, 10, 0), at(2025, 2, 8, 8, 30)),  # a 補班 Saturday is a working day
    ],
)
def test_two_hours_before_on_the_day(starts: datetime, on_the_day: datetime | None) -> None:
    steps = {o.step: o.at for o in meeting_reminders(starts, RULES, CALENDAR)}
    assert steps.get("2h_before") == on_the_day
    assert all(moment < starts for moment in steps.values())


def test_rsvp_summary_three_working_days_before() -> None:
    assert plan(rsvp_summary(CONFERENCE, RULES, CALENDAR)) == [
        ("3wd_before", Audience.ORGANISER, 0, at(2026, 3, 13)),  # Fri: Tue 17, Mon 16, Fri 13
    ]
    # Before Tue 2026-02-24, three working days back skips Lunar New Year: 23 Feb, 13 Feb, 12 Feb.
    summary = rsvp_summary(at(2026, 2, 24, 14, 0), RULES, CALENDAR)
    assert [(o.kind, o.at) for o in summary] == [(NudgeKind.RSVP_SUMMARY, at(2026, 2, 12))]


def test_referral_cutoff_on_a_holiday_is_reminded_on_the_last_working_day_before() -> None:
    # One month before the 18 March conference is 18 Feb 2026, 春節 (參.三.(六).2.(1)): the
    # on-the-day reminder comes on Fri 13 Feb, while referrals can still be made.
    assert plan(referral_cutoff_reminders(date(2026, 2, 18), RULES, CALENDAR)) == [
        ("7d_before", Audience.NETWORK_STAFF, 0, at(2026, 2, 11)),
        ("on_day", Audience.NETWORK_STAFF, 0, at(2026, 2, 13)),
    ]


def test_referral_cutoff_on_a_working_day() -> None:
    reminders = referral_cutoff_reminders(date(2026, 5, 15), RULES, CALENDAR)  # a Friday
    assert plan(reminders) == [
        ("7d_before", Audience.NETWORK_STAFF, 0, at(2026, 5, 8)),
        ("on_day", Audience.NETWORK_STAFF, 0, at(2026, 5, 15)),
    ]
    assert {o.kind for o in reminders} == {NudgeKind.REFERRAL_CUTOFF}


def test_referral_cutoff_reminder_overtaken_by_the_holiday() -> None:
    # Cutoff Sat 2026-02-21: 7 days before is Sat 14 Feb, which would wait until 23 Feb — after
    # the cutoff. Only the on-the-day reminder, on Fri 13 Feb, remains.
    assert plan(referral_cutoff_reminders(date(2026, 2, 21), RULES, CALENDAR)) == [
        ("on_day", Audience.NETWORK_STAFF, 0, at(2026, 2, 13)),
    ]


def test_unscheduled_meeting() -> None:
    # The March 2026 conference window ends Tue 31 March; 30 days before is Sunday 1 March.
    assert plan(unscheduled_meeting(date(2026, 3, 31), RULES, CALENDAR)) == [
        ("30d_before_end", Audience.SECRETARIAT, 0, at(2026, 3, 2)),
        ("window_end", Audience.ADMINS, 1, at(2026, 3, 31)),
    ]
    # The district liaison window ending Sat 31 Oct 2026 escalates on Monday 2 November.
    escalation = unscheduled_meeting(date(2026, 10, 31), RULES, CALENDAR)[-1]
    assert (escalation.kind, escalation.at) == (NudgeKind.MEETING_UNSCHEDULED, at(2026, 11, 2))


def test_minutes_due_after_the_case_conference() -> None:
    assert plan(minutes_due(date(2026, 3, 18), RULES, CALENDAR)) == [
        ("5d_after", Audience.ORGANISER, 0, at(2026, 3, 23)),
        ("8d_after", Audience.SUPERVISOR, 1, at(2026, 3, 26)),
        ("8d_after", Audience.ADMINS, 1, at(2026, 3, 26)),
    ]


def test_minutes_due_across_lunar_new_year() -> None:
    # A meeting on Wed 2026-02-11: 5 days after (16 Feb) and 8 days after (19 Feb) are both off,
    # so both wait until Mon 23 Feb — to different people, so both stay.
    assert plan(minutes_due(date(2026, 2, 11), RULES, CALENDAR)) == [
        ("5d_after", Audience.ORGANISER, 0, at(2026, 2, 23)),
        ("8d_after", Audience.SUPERVISOR, 1, at(2026, 2, 23)),
        ("8d_after", Audience.ADMINS, 1, at(2026, 2, 23)),
    ]


def test_monthly_report_due_december_2026() -> None:
    due = monthly_report_due((2026, 11), calendar=CALENDAR)
    assert due == date(2026, 12, 7)  # 5 December is a Saturday
    nudges = report_due(due, RULES, CALENDAR)
    assert plan(nudges) == [
        ("3wd_before", Audience.OWNER, 0, at(2026, 12, 2)),  # Fri 4, Thu 3, Wed 2
        ("1d_after", Audience.SUPERVISOR, 1, at(2026, 12, 8)),
        ("7d_after", Audience.ADMINS, 2, at(2026, 12, 14)),
    ]
    assert {o.kind for o in nudges} == {NudgeKind.REPORT_DUE}


def test_monthly_report_due_after_lunar_new_year_2027() -> None:
    # January 2027's report: 5 Feb is a holiday, so due Thu 11 Feb; three working days before
    # skip the New Year: Wed 3, Tue 2, Mon 1 February.
    due = monthly_report_due((2027, 1), calendar=CALENDAR)
    assert due == date(2027, 2, 11)
    assert plan(report_due(due, RULES, CALENDAR)) == [
        ("3wd_before", Audience.OWNER, 0, at(2027, 2, 1)),
        ("1d_after", Audience.SUPERVISOR, 1, at(2027, 2, 12)),
        ("7d_after", Audience.ADMINS, 2, at(2027, 2, 18)),
    ]


def test_visit_plan_behind() -> None:
    # Behind since Saturday 21 March: the lead worker hears on Monday; the window ends Mon 30
    # March, so the supervisor hears on Tue 31 March.
    nudges = visit_plan_behind(date(2026, 3, 21), date(2026, 3, 30), RULES, CALENDAR)
    assert plan(nudges) == [
        ("behind", Audience.OWNER, 0, at(2026, 3, 23)),
        ("after_month", Audience.SUPERVISOR, 1, at(2026, 3, 31)),
    ]
    assert {o.kind for o in nudges} == {NudgeKind.VISIT_PLAN_BEHIND}


def test_referral_waiting_over_a_weekend() -> None:
    # Submitted Friday 16:00: two working days are Monday and Tuesday → Tuesday 16:00; five
    # working days → the next Friday 16:00.
    nudges = referral_waiting(at(2026, 3, 20, 16, 0), RULES, CALENDAR)
    assert plan(nudges) == [
        ("2wd_after", Audience.SUPERVISOR, 0, at(2026, 3, 24, 16, 0)),
        ("5wd_after", Audience.ADMINS, 1, at(2026, 3, 27, 16, 0)),
    ]
    assert {o.kind for o in nudges} == {NudgeKind.REFERRAL_WAITING}


@pytest.mark.parametrize(
    ("submitted", "supervisor", "admins"),
    [
        # Friday after closing and Saturday morning count from Monday's opening.
        (at(2026, 3, 20, 17, 30), at(2026, 3, 25), at(2026, 3, 30)),
        (at(2026, 3, 21, 10, 0), at(2026, 3, 25), at(2026, 3, 30)),
        # Thursday before the 2026 Children's Day / Tomb-Sweeping weekend (3–6 April off).
        (at(2026, 4, 2, 16, 0), at(2026, 4, 8, 16, 0), at(2026, 4, 13, 16, 0)),
        # Submitted in UTC: Friday 08:00 UTC is 16:00 Taipei.
        (datetime(2026, 3, 20, 8, 0, tzinfo=UTC), at(2026, 3, 24, 16, 0), at(2026, 3, 27, 16, 0)),
    ],
)
def test_referral_waiting_counts_working_days(
    submitted: datetime, supervisor: datetime, admins: datetime
) -> None:
    assert [o.at for o in referral_waiting(submitted, RULES, CALENDAR)] == [supervisor, admins]


def test_resolution_due_on_a_holiday() -> None:
    # Due Fri 2026-10-09, National Day observed: the on-the-day reminder comes on Thu 8 Oct,
    # the district office hears on the first working day after, Mon 12 Oct.
    nudges = resolution_due(date(2026, 10, 9), RULES, CALENDAR)
    assert plan(nudges) == [
        ("7d_before", Audience.OWNER, 0, at(2026, 10, 2)),
        ("on_day", Audience.OWNER, 0, at(2026, 10, 8)),
        ("after_due", Audience.DISTRICT_OFFICE, 1, at(2026, 10, 12)),
    ]
    assert {o.kind for o in nudges} == {NudgeKind.RESOLUTION_DUE}


def test_resolution_due_on_a_working_day() -> None:
    assert plan(resolution_due(date(2026, 6, 17), RULES, CALENDAR)) == [  # a Wednesday
        ("7d_before", Audience.OWNER, 0, at(2026, 6, 10)),
        ("on_day", Audience.OWNER, 0, at(2026, 6, 17)),
        ("after_due", Audience.DISTRICT_OFFICE, 1, at(2026, 6, 18)),
    ]


def test_rules_are_configurable() -> None:
    rules = NudgeRules(
        meeting_reminder_days_before=10,
        meeting_reminder_working_days_before=2,
        meeting_reminder_hours_before=1,
        office_hours=OfficeHours(time(9, 0), time(17, 0)),
    )
    assert plan(meeting_reminders(CONFERENCE, rules, CALENDAR)) == [
        ("10d_before", Audience.ATTENDEES, 0, at(2026, 3, 9, 9, 0)),  # 8 Mar is a Sunday
        ("2wd_before", Audience.ATTENDEES, 0, at(2026, 3, 16, 9, 0)),
        ("1h_before", Audience.ATTENDEES, 0, at(2026, 3, 18, 13, 0)),
    ]
    waiting = referral_waiting(
        at(2026, 3, 20, 16, 0), NudgeRules(referral_waiting_working_days=1), CALENDAR
    )
    assert [o.step for o in waiting] == ["1wd_after", "5wd_after"]


@pytest.mark.parametrize(
    "changes",
    [
        {"minutes_days_after": 0},
        {"report_working_days_before": -1},
        {"meeting_reminder_days_before": True},
        {"minutes_days_after": 8, "minutes_escalate_days_after": 8},
        {"report_escalate_days_after": 7, "report_admin_days_after": 3},
        {"referral_waiting_working_days": 5},
    ],
)
def test_nonsense_rules_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="nudge rule"):
        NudgeRules(**changes)


_DAYS = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
# Hypothesis takes naive bounds and attaches the zone itself.
_MOMENTS = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(TAIPEI),
)


@given(moment=_MOMENTS, day=_DAYS)
def test_every_occurrence_is_inside_office_hours(moment: datetime, day: date) -> None:
    occurrences = [
        *meeting_reminders(moment, RULES, CALENDAR),
        *rsvp_summary(moment, RULES, CALENDAR),
        *referral_cutoff_reminders(day, RULES, CALENDAR),
        *unscheduled_meeting(day, RULES, CALENDAR),
        *minutes_due(day, RULES, CALENDAR),
        *report_due(day, RULES, CALENDAR),
        *visit_plan_behind(day, day + timedelta(days=10), RULES, CALENDAR),
        *referral_waiting(moment, RULES, CALENDAR),
        *resolution_due(day, RULES, CALENDAR),
    ]
    for occurrence in occurrences:
        assert occurrence.at.tzinfo is TAIPEI
        assert in_office_hours(occurrence.at, CALENDAR, HOURS)
        assert next_window_start(occurrence.at, CALENDAR, HOURS) == occurrence.at


@given(moment=_MOMENTS)
def test_next_window_start_is_the_first_moment_inside(moment: datetime) -> None:
    found = next_window_start(moment, CALENDAR, HOURS)
    assert found >= moment
    assert in_office_hours(found, CALENDAR, HOURS)
    if found > moment:  # nothing inside between: the window begins at an opening
        assert found.time() == HOURS.start
        assert not in_office_hours(found - timedelta(minutes=1), CALENDAR, HOURS)


@given(moment=_MOMENTS)
def test_meeting_reminders_come_before_the_meeting_and_in_order(moment: datetime) -> None:
    moments = [o.at for o in meeting_reminders(moment, RULES, CALENDAR)]
    assert all(m < moment for m in moments)
    assert len({m.date() for m in moments}) == len(moments)  # at most one per window
    assert moments == sorted(moments)


# --- dedupe keys --------------------------------------------------------------------------------


def test_dedupe_key_format() -> None:
    key = dedupe_key(NudgeKind.MEETING_REMINDER, "meeting:12", 7, "1wd_before")
    assert key == "meeting_reminder|meeting:12|7|1wd_before"


def test_dedupe_keys_are_unique_across_steps_and_recipients() -> None:
    occurrences = [
        *meeting_reminders(CONFERENCE, RULES, CALENDAR),
        *rsvp_summary(CONFERENCE, RULES, CALENDAR),
        *minutes_due(date(2026, 3, 18), RULES, CALENDAR),
    ]
    keys = [
        dedupe_key(o.kind, "meeting:12", recipient, f"{o.step}:{o.audience}")
        for o in occurrences
        for recipient in (7, 8, 70)
    ]
    assert len(keys) == len(set(keys)) == len(occurrences) * 3
    # Same step and recipient, different subject or kind: different keys too.
    assert dedupe_key(NudgeKind.REPORT_DUE, "obligation:45", 7, "1d_after") != dedupe_key(
        NudgeKind.REPORT_DUE, "obligation:4", 57, "1d_after"
    )
    assert dedupe_key(NudgeKind.MINUTES_DUE, "meeting:12", 7, "8d_after") != dedupe_key(
        NudgeKind.MEETING_REMINDER, "meeting:12", 7, "8d_after"
    )


def test_the_same_nudge_has_the_same_key() -> None:
    first = meeting_reminders(CONFERENCE, RULES, CALENDAR)
    again = meeting_reminders(CONFERENCE.astimezone(UTC), RULES, CALENDAR)
    assert [dedupe_key(o.kind, "meeting:12", 7, o.step) for o in first] == [
        dedupe_key(o.kind, "meeting:12", 7, o.step) for o in again
    ]


@pytest.mark.parametrize(
    ("subject", "step"),
    [("meeting:1|2", "on_day"), ("meeting:1", "on|day"), ("", "on_day"), ("meeting:1", "")],
)
def test_dedupe_key_parts_cannot_be_confused(subject: str, step: str) -> None:
    with pytest.raises(ValueError, match="dedupe key"):
        dedupe_key(NudgeKind.RESOLUTION_DUE, subject, 7, step)


def test_dedupe_key_length() -> None:
    fits = "s" * (MAX_DEDUPE_KEY - len("resolution_due|") - len("|7|on_day"))
    assert len(dedupe_key(NudgeKind.RESOLUTION_DUE, fits, 7, "on_day")) == MAX_DEDUPE_KEY
    with pytest.raises(ValueError, match="longer than"):
        dedupe_key(NudgeKind.RESOLUTION_DUE, fits + "s", 7, "on_day")


@pytest.mark.parametrize(
    ("subject", "parts"),
    [
        ("report:7:2026-11", ("report", 7, "2026-11")),
        ("visit:7:2", ("visit", 7, "2")),
        ("referral:42", ("referral", 42, "")),
        ("meeting:12@202611251400", ("meeting", 12, "202611251400")),
        ("staff:5", ("staff", 5, "")),
        (
            "window:case_conference:中壢區:2026-11",
            ("window", None, "case_conference:中壢區:2026-11"),
        ),
    ],
)
def test_a_nudge_subject_splits_into_kind_row_and_rest(
    subject: str, parts: tuple[str, int | None, str]
) -> None:
    assert split_subject(subject) == parts
