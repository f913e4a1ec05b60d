"""The plan's meeting rules (seed 004, 參.一–三), on the series of the real jurisdiction file.

參.一 city liaison by the end of April, August, December; 參.二 district liaison by the end of
April, July, November; 參.三 case conferences in March, June, September, November, with referrals
requested one month before (參.三.(六).2.(1)); minutes one week after each meeting.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from bot.domain import calendar as conference_calendar
from bot.domain.jurisdiction import MeetingSeries
from bot.domain.meetings import (
    BAD_FORMAT,
    DEFAULT_DURATION,
    IN_THE_PAST,
    LINK_INVALID,
    LINK_NOT_HTTPS,
    LINK_TOO_LONG,
    MAX_LINK_LENGTH,
    NO_SUCH_DAY,
    TOO_FAR,
    DeadlineState,
    Window,
    check_video_link,
    deadline_state,
    in_window_state,
    minutes_due,
    next_window,
    overlaps,
    parse_meeting_time,
    previous_window,
    referral_cutoff,
    unusual_hour,
    window_for,
    windows_of,
)
from bot.domain.working_days import TAIPEI
from bot.jurisdictions import load_jurisdiction

# A fixed Monday morning in Taipei; no test reads the clock.
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=TAIPEI)


@pytest.fixture(scope="module")
def series() -> dict[str, MeetingSeries]:
    return {s.key: s for s in load_jurisdiction().meeting_series}


@pytest.fixture(scope="module")
def conference(series: dict[str, MeetingSeries]) -> MeetingSeries:
    return series["case_conference"]


@pytest.fixture(scope="module")
def district_liaison(series: dict[str, MeetingSeries]) -> MeetingSeries:
    return series["district_liaison"]


@pytest.fixture(scope="module")
def city_liaison(series: dict[str, MeetingSeries]) -> MeetingSeries:
    return series["city_liaison"]


def _spans(windows: list[Window]) -> list[tuple[date, date]]:
    return [(w.start, w.end) for w in windows]


# --- the series as the plan writes them -------------------------------------------------------


def test_the_jurisdiction_file_holds_the_plans_three_series(
    series: dict[str, MeetingSeries],
) -> None:
    plan = {
        "case_conference": ((3, 6, 9, 11), "in_month", "參.三", 1),
        "district_liaison": ((4, 7, 11), "by_month_end", "參.二", None),
        "city_liaison": ((4, 8, 12), "by_month_end", "參.一", None),
    }
    assert set(series) == set(plan)
    for key, (months, due, clause, cutoff) in plan.items():
        s = series[key]
        assert (s.months, s.due, s.clause, s.referral_cutoff_months_before) == (
            months,
            due,
            clause,
            cutoff,
        )
        assert s.minutes_due_days == 7


def test_case_conferences_are_held_within_march_june_september_november(
    conference: MeetingSeries,
) -> None:
    windows = windows_of(conference, 2026)
    assert _spans(windows) == [
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 6, 1), date(2026, 6, 30)),
        (date(2026, 9, 1), date(2026, 9, 30)),
        (date(2026, 11, 1), date(2026, 11, 30)),
    ]
    assert [w.key for w in windows] == ["2026-03", "2026-06", "2026-09", "2026-11"]
    assert [w.index for w in windows] == [1, 2, 3, 4]
    assert {w.series_key for w in windows} == {"case_conference"}
    assert {w.year for w in windows} == {2026}


def test_district_liaison_windows_start_in_the_previous_december(
    district_liaison: MeetingSeries,
) -> None:
    windows = windows_of(district_liaison, 2026)
    assert _spans(windows) == [
        (date(2025, 12, 1), date(2026, 4, 30)),
        (date(2026, 5, 1), date(2026, 7, 31)),
        (date(2026, 8, 1), date(2026, 11, 30)),
    ]
    assert [w.key for w in windows] == ["2026-04", "2026-07", "2026-11"]
    assert windows[0].year == 2026
    assert windows[0].due_month == 4


def test_city_liaison_windows_fill_the_calendar_year(city_liaison: MeetingSeries) -> None:
    windows = windows_of(city_liaison, 2026)
    assert _spans(windows) == [
        (date(2026, 1, 1), date(2026, 4, 30)),
        (date(2026, 5, 1), date(2026, 8, 31)),
        (date(2026, 9, 1), date(2026, 12, 31)),
    ]
    assert [w.key for w in windows] == ["2026-04", "2026-08", "2026-12"]


@pytest.mark.parametrize("key", ["district_liaison", "city_liaison"])
def test_liaison_windows_cover_every_day_exactly_once(
    series: dict[str, MeetingSeries], key: str
) -> None:
    s = series[key]
    windows = [w for year in (2026, 2027, 2028) for w in windows_of(s, year)]
    for earlier, later in pairwise(windows):
        assert later.start == earlier.end + timedelta(days=1)
    day = windows[0].start
    while day <= windows[-1].end:
        assert sum(w.contains(day) for w in windows) == 1
        assert window_for(s, day) == next(w for w in windows if w.contains(day))
        day += timedelta(days=1)


def test_window_contains_both_ends(conference: MeetingSeries) -> None:
    march = windows_of(conference, 2026)[0]
    assert march.contains(date(2026, 3, 1))
    assert march.contains(date(2026, 3, 31))
    assert not march.contains(date(2026, 2, 28))
    assert not march.contains(date(2026, 4, 1))


def test_a_series_without_months_or_with_an_unknown_rule_is_refused(
    conference: MeetingSeries,
) -> None:
    with pytest.raises(ValueError, match="no months"):
        windows_of(replace(conference, months=()), 2026)
    with pytest.raises(ValueError, match="unknown due rule"):
        windows_of(replace(conference, due="weekly"), 2026)


# --- which window a day falls in --------------------------------------------------------------


def test_district_liaison_wraps_into_next_year_on_the_first_of_december(
    district_liaison: MeetingSeries,
) -> None:
    november = window_for(district_liaison, date(2026, 11, 30))
    assert november is not None
    assert (november.key, november.index) == ("2026-11", 3)
    december = window_for(district_liaison, date(2026, 12, 1))
    assert december is not None
    assert (december.key, december.year, december.index) == ("2027-04", 2027, 1)
    assert december.start == date(2026, 12, 1)
    assert next_window(district_liaison, date(2026, 11, 30)) == november
    assert next_window(district_liaison, date(2026, 12, 1)) == december


def test_case_conference_has_no_window_between_its_months(conference: MeetingSeries) -> None:
    november = window_for(conference, date(2026, 11, 30))
    assert november is not None
    assert november.key == "2026-11"
    assert window_for(conference, date(2026, 12, 1)) is None
    assert window_for(conference, date(2026, 2, 28)) is None
    assert next_window(conference, date(2026, 11, 30)) == november
    assert next_window(conference, date(2026, 12, 1)).key == "2027-03"
    assert next_window(conference, date(2026, 2, 28)).key == "2026-03"
    assert next_window(conference, date(2026, 3, 1)).key == "2026-03"
    assert next_window(conference, date(2026, 4, 1)).key == "2026-06"


def test_city_liaison_turns_over_at_new_year(city_liaison: MeetingSeries) -> None:
    assert next_window(city_liaison, date(2026, 12, 31)).key == "2026-12"
    new_year = next_window(city_liaison, date(2027, 1, 1))
    assert (new_year.key, new_year.start) == ("2027-04", date(2027, 1, 1))


# --- referral cutoff and minutes --------------------------------------------------------------


@pytest.mark.parametrize(
    ("meeting_day", "cutoff"),
    [
        (date(2026, 3, 18), date(2026, 2, 18)),
        (date(2026, 3, 31), date(2026, 2, 28)),  # clamped to February's end
        (date(2028, 3, 31), date(2028, 2, 29)),  # leap year
        (date(2026, 11, 30), date(2026, 10, 30)),
        (date(2027, 1, 15), date(2026, 12, 15)),  # January → December of the year before
    ],
)
def test_referral_cutoff_is_one_month_before_the_meeting(
    conference: MeetingSeries, meeting_day: date, cutoff: date
) -> None:
    assert referral_cutoff(meeting_day, conference) == cutoff


def test_referral_cutoff_agrees_with_the_month_level_rule(conference: MeetingSeries) -> None:
    for month in conference.months:
        assert referral_cutoff(date(2026, month, 1), conference) == (
            conference_calendar.referral_cutoff(conference, 2026, month)
        )


def test_liaison_meetings_take_no_referrals(
    district_liaison: MeetingSeries, city_liaison: MeetingSeries
) -> None:
    assert referral_cutoff(date(2026, 4, 20), district_liaison) is None
    assert referral_cutoff(date(2026, 4, 20), city_liaison) is None


@pytest.mark.parametrize(
    ("meeting_day", "due"),
    [
        (date(2026, 3, 18), date(2026, 3, 25)),
        (date(2026, 3, 27), date(2026, 4, 3)),  # across a month end
        (date(2026, 2, 25), date(2026, 3, 4)),
        (date(2026, 12, 28), date(2027, 1, 4)),  # across a year end
    ],
)
def test_minutes_are_due_a_week_after_the_meeting(
    series: dict[str, MeetingSeries], meeting_day: date, due: date
) -> None:
    for s in series.values():
        assert minutes_due(meeting_day, s) == due


# --- typed meeting times ----------------------------------------------------------------------


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TAIPEI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("115/03/18 14:00", _at(2026, 3, 18, 14)),
        ("115年3月18日 14:00", _at(2026, 3, 18, 14)),
        ("115年3月18日14:00", _at(2026, 3, 18, 14)),
        ("2026-03-18 14:00", _at(2026, 3, 18, 14)),
        ("2026/3/18 9:30", _at(2026, 3, 18, 9, 30)),
        ("115.03.18 14:00", _at(2026, 3, 18, 14)),
        ("3/18 14:00", _at(2026, 3, 18, 14)),  # no year: the next such day
        ("1/2 10:00", _at(2027, 1, 2, 10)),  # already past this year: next year's
        ("１１５／０３／１８　１４：００", _at(2026, 3, 18, 14)),  # full width
        ("115/03/18 14：00", _at(2026, 3, 18, 14)),
        ("115/03/18 下午2:00", _at(2026, 3, 18, 14)),
        ("115/03/18 上午9:00", _at(2026, 3, 18, 9)),
        ("115/03/18 下午12:30", _at(2026, 3, 18, 12, 30)),
        ("  會議 115/03/18 14:00 社會局  ", _at(2026, 3, 18, 14)),
        ("115/01/05 09:00", NOW),  # exactly now is not the past
        ("116/02/09 09:00", NOW + timedelta(days=400)),  # the last moment not too far
    ],
)
def test_meeting_times_as_staff_type_them(text: str, expected: datetime) -> None:
    parsed = parse_meeting_time(text, now=NOW)
    assert parsed == expected
    assert isinstance(parsed, datetime)
    assert parsed.tzinfo is TAIPEI


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", BAD_FORMAT),
        ("   ", BAD_FORMAT),
        ("明天下午", BAD_FORMAT),
        ("115/03/18", BAD_FORMAT),  # no time
        ("14:00", BAD_FORMAT),  # no date
        ("115/03/18 下午2點", BAD_FORMAT),  # only HH:MM times
        ("2/30 14:00", NO_SUCH_DAY),
        ("13/01 14:00", NO_SUCH_DAY),
        ("115/02/29 14:00", NO_SUCH_DAY),  # 2026 is not a leap year
        ("2026-04-31 14:00", NO_SUCH_DAY),
        ("115/03/18 25:00", NO_SUCH_DAY),
        ("115/03/18 24:00", NO_SUCH_DAY),
        ("115/03/18 14:60", NO_SUCH_DAY),
        ("114/12/31 14:00", IN_THE_PAST),
        ("115/01/05 08:59", IN_THE_PAST),  # earlier today
        ("0115/03/18 14:00", IN_THE_PAST),  # four digits are Gregorian: the year 115
        ("1990/03/18 14:00", IN_THE_PAST),
        ("15/03/18 14:00", IN_THE_PAST),  # ROC 15 is 1926
        ("3026/03/18 14:00", TOO_FAR),
        ("915/03/18 14:00", TOO_FAR),  # ROC 915 is 2826
        ("116/02/09 09:01", TOO_FAR),  # a minute past 400 days
    ],
)
def test_meeting_times_that_are_refused(text: str, reason: str) -> None:
    assert parse_meeting_time(text, now=NOW) == reason


def test_a_day_typed_without_a_year_earlier_today_is_in_the_past() -> None:
    now = _at(2026, 3, 18, 15)
    assert parse_meeting_time("3/18 14:00", now=now) == IN_THE_PAST
    assert parse_meeting_time("3/18 16:00", now=now) == _at(2026, 3, 18, 16)


def test_now_in_another_zone_is_compared_as_the_same_instant() -> None:
    now_utc = datetime(2026, 3, 18, 6, 0, tzinfo=UTC)  # 14:00 in Taipei
    assert parse_meeting_time("115/03/18 13:59", now=now_utc) == IN_THE_PAST
    assert parse_meeting_time("115/03/18 14:00", now=now_utc) == _at(2026, 3, 18, 14)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_meeting_time("115/03/18 14:00", now=datetime(2026, 1, 5, 9, 0))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("moment", "unusual"),
    [
        (_at(2026, 3, 18, 6, 59), True),
        (_at(2026, 3, 18, 7, 0), False),
        (_at(2026, 3, 18, 14, 0), False),
        (_at(2026, 3, 18, 22, 0), False),
        (_at(2026, 3, 18, 22, 1), True),
        (_at(2026, 3, 18, 0, 30), True),
        (datetime(2026, 3, 18, 0, 0, tzinfo=UTC), False),  # 08:00 in Taipei
        (datetime(2026, 3, 18, 15, 0, tzinfo=UTC), True),  # 23:00 in Taipei
    ],
)
def test_unusual_hours(moment: datetime, unusual: bool) -> None:
    assert unusual_hour(moment) is unusual


# --- video links ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://meet.google.com/abc-defg-hij", None),
        ("https://us02web.zoom.us/j/123456789?pwd=abc", None),
        ("HTTPS://Meet.Google.com/abc-defg-hij", None),
        ("http://meet.google.com/abc-defg-hij", LINK_NOT_HTTPS),
        ("javascript:alert(1)", LINK_NOT_HTTPS),
        ("https://", LINK_NOT_HTTPS),
        ("https:///path-only", LINK_NOT_HTTPS),
        ("meet.google.com/abc-defg-hij", LINK_NOT_HTTPS),
        ("", LINK_NOT_HTTPS),
        ("https://meet.google.com/abc defg", LINK_INVALID),
        (" https://meet.google.com/abc-defg-hij", LINK_INVALID),
        ("https://meet.google.com/abc-defg-hij\n", LINK_INVALID),
        ("https://meet.google.com/abc\u200bdef", LINK_INVALID),  # zero-width space
        ("https://meet.google.com@evil.example/abc", LINK_INVALID),
        ("https://[::1/abc", LINK_INVALID),
        ("https://meet.google.com/" + "a" * (MAX_LINK_LENGTH - 24), None),
        ("https://meet.google.com/" + "a" * (MAX_LINK_LENGTH - 23), LINK_TOO_LONG),
    ],
)
def test_video_links(url: str, reason: str | None) -> None:
    assert check_video_link(url) == reason


def test_the_length_limit_is_three_hundred_characters() -> None:
    assert MAX_LINK_LENGTH == 300
    assert len("https://meet.google.com/") == 24


# --- overlapping meetings ---------------------------------------------------------------------


def test_meetings_two_hours_apart_do_not_overlap() -> None:
    start = _at(2026, 3, 18, 14)
    assert timedelta(hours=2) == DEFAULT_DURATION
    assert not overlaps(start, start + timedelta(hours=2))
    assert not overlaps(start + timedelta(hours=2), start)


def test_meetings_less_than_two_hours_apart_overlap() -> None:
    start = _at(2026, 3, 18, 14)
    later = start + timedelta(hours=1, minutes=59)
    assert overlaps(start, later)
    assert overlaps(later, start)
    assert overlaps(start, start)


def test_overlap_with_another_duration() -> None:
    start = _at(2026, 3, 18, 14)
    assert not overlaps(start, start + timedelta(hours=1), timedelta(hours=1))
    assert overlaps(start, start + timedelta(hours=2), timedelta(hours=3))


# --- deadlines --------------------------------------------------------------------------------

DUE = date(2026, 4, 3)
DAY_AFTER = date(2026, 4, 4)


@pytest.mark.parametrize(
    ("done_on", "today", "state"),
    [
        (DUE, DUE, DeadlineState.MET),  # done on the due day
        (DUE, DAY_AFTER, DeadlineState.MET),
        (date(2026, 3, 30), DUE, DeadlineState.MET),
        (DAY_AFTER, DAY_AFTER, DeadlineState.LATE),
        (None, date(2026, 3, 30), DeadlineState.PENDING),
        (None, DUE, DeadlineState.PENDING),  # still due today
        (None, DAY_AFTER, DeadlineState.MISSED),
    ],
)
def test_deadline_states(done_on: date | None, today: date, state: DeadlineState) -> None:
    assert deadline_state(DUE, done_on, today) is state


def test_deadline_states_are_stable_strings() -> None:
    assert [s.value for s in DeadlineState] == ["pending", "met", "late", "missed"]


@pytest.mark.parametrize(
    ("held_on", "today", "state"),
    [
        (date(2025, 12, 1), date(2026, 1, 5), DeadlineState.MET),  # the window's first day
        (date(2026, 4, 30), date(2026, 4, 30), DeadlineState.MET),  # its last day
        (date(2026, 5, 1), date(2026, 5, 1), DeadlineState.LATE),
        (None, date(2026, 4, 30), DeadlineState.PENDING),
        (None, date(2026, 5, 1), DeadlineState.MISSED),
    ],
)
def test_district_liaison_held_in_its_window(
    district_liaison: MeetingSeries, held_on: date | None, today: date, state: DeadlineState
) -> None:
    window = windows_of(district_liaison, 2026)[0]
    assert in_window_state(window, held_on, today) is state


def test_case_conference_held_in_its_month(conference: MeetingSeries) -> None:
    march = windows_of(conference, 2026)[0]
    assert in_window_state(march, date(2026, 3, 31), date(2026, 4, 1)) is DeadlineState.MET
    assert in_window_state(march, date(2026, 4, 1), date(2026, 4, 1)) is DeadlineState.LATE
    assert in_window_state(march, None, date(2026, 2, 1)) is DeadlineState.PENDING
    assert in_window_state(march, None, date(2026, 3, 31)) is DeadlineState.PENDING
    assert in_window_state(march, None, date(2026, 4, 1)) is DeadlineState.MISSED


def test_the_previous_window_is_the_last_one_ended_before_a_day(
    conference: MeetingSeries, district_liaison: MeetingSeries
) -> None:
    assert previous_window(conference, date(2026, 3, 1)) == windows_of(conference, 2025)[-1]
    assert previous_window(conference, date(2026, 4, 1)) == windows_of(conference, 2026)[0]
    # 1 December already belongs to next year's liaison window; the one before ended 30 Nov.
    assert (
        previous_window(district_liaison, date(2026, 12, 1))
        == windows_of(district_liaison, 2026)[-1]
    )
