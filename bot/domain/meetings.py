"""The plan's meetings as rules: when each series is due, what a meeting owes, and its inputs.

Three meeting series (seed 004, 參.一–三), read from the jurisdiction file's [[meeting_series]]:

- 參.一 city liaison meetings (府級聯繫會議), every four months, held by the end of April, August
  and December;
- 參.二 district liaison meetings (區級聯繫會議), every four months, held by the end of April, July
  and November;
- 參.三 district case conferences (區級個案研討會議), quarterly, held in March, June, September and
  November; referrals for a conference are requested one month before it (參.三.(六).2.(1)).

Minutes are due one week after a meeting. Everything here is pure: no clock, no I/O — the caller
passes `now` or `today`, and gets a date, a state or a reason code (a "meeting.*" string) back.
"""

from __future__ import annotations

import calendar as _gregorian
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from bot.domain.dates import ROC_OFFSET, parse_date, shaped_like_date
from bot.domain.jurisdiction import MeetingSeries
from bot.domain.redaction import redact
from bot.domain.working_days import TAIPEI, add_months, taipei_date

# Reason codes: why a typed meeting time or a video link was not taken.
BAD_FORMAT = "meeting.bad_format"  # no date, or no HH:MM time, in the text
NO_SUCH_DAY = "meeting.no_such_day"  # a date or time that does not exist: 2/30, 13/01, 25:00
IN_THE_PAST = "meeting.in_the_past"  # before `now`
TOO_FAR = "meeting.too_far"  # more than MAX_DAYS_AHEAD days after `now`
LINK_NOT_HTTPS = "meeting.link_not_https"  # not an https:// address with a host
LINK_TOO_LONG = "meeting.link_too_long"  # longer than MAX_LINK_LENGTH characters
LINK_INVALID = "meeting.link_invalid"  # whitespace, control characters, or user:password@
LINK_HOLDS_IDENTIFIER = "meeting.link_holds_identifier"  # digits shaped like a phone or an ID

IN_MONTH = "in_month"
BY_MONTH_END = "by_month_end"

MAX_DAYS_AHEAD = 400
MAX_LINK_LENGTH = 300
DEFAULT_DURATION = timedelta(hours=2)
USUAL_START = time(7, 0)
USUAL_END = time(22, 0)

_ONE_DAY = timedelta(days=1)
# A time of day as staff type it, after NFKC: 14:00 or 9:30, optionally after 上午/下午.
_TIME = re.compile(
    r"(?:(?P<half>上午|早上|中午|下午|晚上)\s*)?"
    r"(?<![\d:])(?P<hour>\d{1,2})\s*:\s*(?P<minute>\d{2})(?![\d:])"
)
_AFTERNOON = frozenset({"下午", "晚上"})
_DIGITS = re.compile(r"\d+")
# A four-digit year with a leading zero ("0115"): parse_date reads it as ROC, but four digits are
# a Gregorian year, and the year 115 is long past.
_ZERO_LED_YEAR = re.compile(r"(?<!\d)0\d{3}(?!\d)")


@dataclass(frozen=True)
class Window:
    """The days in which one meeting of a series is due, both ends included.

    `year` and `index` (1-based) name the period the window ends in: the district liaison window
    from 2025-12-01 to 2026-04-30 is 2026's first.
    """

    series_key: str
    year: int
    index: int
    start: date
    end: date

    @property
    def due_month(self) -> int:
        """The series month the window ends in."""
        return self.end.month

    @property
    def key(self) -> str:
        """A stable name for the window: "2026-03" for March's conference, "2026-04" for the
        liaison window ending on 30 April."""
        return f"{self.year}-{self.due_month:02d}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _month_end(year: int, month: int) -> date:
    return date(year, month, _gregorian.monthrange(year, month)[1])


def windows_of(series: MeetingSeries, year: int) -> list[Window]:
    """The windows of `series` that end in `year`, in order.

    An "in_month" series (the case conference, 參.三: March, June, September, November) is held
    within each listed month. A "by_month_end" series (liaison meetings, 參.一 and 參.二: every four
    months) is held by the end of each listed month, so its windows follow one another with no
    gap: the first starts the day after the previous year's last due month ends.
    """
    months = sorted(set(series.months))
    if not months:
        raise ValueError(f"meeting series {series.key} has no months")
    if series.due == IN_MONTH:
        return [
            Window(series.key, year, index, date(year, month, 1), _month_end(year, month))
            for index, month in enumerate(months, start=1)
        ]
    if series.due != BY_MONTH_END:
        raise ValueError(f"meeting series {series.key}: unknown due rule {series.due!r}")
    windows = []
    start = _month_end(year - 1, months[-1]) + _ONE_DAY
    for index, month in enumerate(months, start=1):
        end = _month_end(year, month)
        windows.append(Window(series.key, year, index, start, end))
        start = end + _ONE_DAY
    return windows


def window_for(series: MeetingSeries, day: date) -> Window | None:
    """The window of `series` that contains `day`; None for a day outside every window (an
    "in_month" series between its months)."""
    for window in _windows_from(series, day.year):
        if window.contains(day):
            return window
    return None


def next_window(series: MeetingSeries, day: date) -> Window:
    """The window containing `day`, or else the first one after it."""
    for window in _windows_from(series, day.year):
        if window.end >= day:
            return window
    raise AssertionError("unreachable: a series has a window in every year")  # pragma: no cover


def previous_window(series: MeetingSeries, day: date) -> Window | None:
    """The last window that ended before `day` (this year's or last year's)."""
    ended = [
        w for w in windows_of(series, day.year - 1) + windows_of(series, day.year) if w.end < day
    ]
    return ended[-1] if ended else None


def _windows_from(series: MeetingSeries, year: int) -> list[Window]:
    # A late-year day may belong to next year's first window (district liaison: 1 December on).
    return windows_of(series, year) + windows_of(series, year + 1)


def referral_cutoff(meeting_day: date, series: MeetingSeries) -> date | None:
    """The last day to refer a family to the meeting on `meeting_day`.

    Referrals for a case conference are requested one month before the meeting (參.三.(六).2.(1)):
    the same day of the month `referral_cutoff_months_before` months earlier, clamped to that
    month's last day (a conference on 31 March takes referrals until 28 February). None for a
    series that takes no referrals.
    """
    before = series.referral_cutoff_months_before
    if before is None:
        return None
    return add_months(meeting_day, -before)


def minutes_due(meeting_day: date, series: MeetingSeries) -> date:
    """When the minutes of the meeting on `meeting_day` are due: one week after the meeting
    (參.一–三), as the series' `minutes_due_days` says, in calendar days."""
    return meeting_day + timedelta(days=series.minutes_due_days)


def parse_meeting_time(text: str, *, now: datetime) -> datetime | str:
    """When a meeting starts, as staff type it, or a reason code.

    Takes a date as `parse_date` reads it — 115/03/18, 115年3月18日, 2026-03-18, or 3/18 for the
    next such day from today — and a time HH:MM or H:MM, optionally after 上午/下午 (下午2:00 is
    14:00). Full-width digits and punctuation (１１５／０３／１８　１４：００) are read as
    ASCII. A 2–3 digit year is ROC (115 → 2026); a 4-digit year is Gregorian, so "0115" is the
    year 115 and in the past. `now` must be aware; the answer is in Taipei time.

    Reason codes: BAD_FORMAT when there is no date or no time; NO_SUCH_DAY for a date or time
    that does not exist (2/30, 13/01, 25:00); IN_THE_PAST before `now`; TOO_FAR more than
    MAX_DAYS_AHEAD days after `now` (a year typed wrong, such as 3026).
    """
    today = taipei_date(now)
    normal = unicodedata.normalize("NFKC", text)
    found = _TIME.search(normal)
    rest = normal if found is None else f"{normal[: found.start()]} {normal[found.end() :]}"
    day = parse_date(rest, today)
    if found is None or (day is None and not shaped_like_date(rest)):
        return BAD_FORMAT
    clock = _clock(found)
    if day is None or clock is None:
        return NO_SUCH_DAY
    moment = datetime.combine(day, clock, tzinfo=TAIPEI)
    if moment < now or _zero_led_year(rest, day):
        return IN_THE_PAST
    if moment - now > timedelta(days=MAX_DAYS_AHEAD):
        return TOO_FAR
    return moment


def _clock(found: re.Match[str]) -> time | None:
    hour, minute = int(found["hour"]), int(found["minute"])
    if found["half"] in _AFTERNOON and 1 <= hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _zero_led_year(text: str, day: date) -> bool:
    found = _ZERO_LED_YEAR.search(text)
    return found is not None and day.year == int(found[0]) + ROC_OFFSET


def unusual_hour(moment: datetime) -> bool:
    """Whether a meeting starts outside 07:00–22:00 Taipei time: allowed, but worth a warning."""
    local = moment.astimezone(TAIPEI).time() if moment.tzinfo else moment.time()
    return not USUAL_START <= local <= USUAL_END


def check_video_link(url: str) -> str | None:
    """None when `url` may be offered as a meeting's video link, else a reason code.

    Only https:// addresses with a host, at most MAX_LINK_LENGTH characters, with no whitespace
    or control characters and no user:password@ part (which can make one host look like another).
    """
    if len(url) > MAX_LINK_LENGTH:
        return LINK_TOO_LONG
    if any(char.isspace() or unicodedata.category(char).startswith("C") for char in url):
        return LINK_INVALID
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return LINK_INVALID
    if parts.scheme.lower() != "https" or not host:
        return LINK_NOT_HTTPS
    if "@" in parts.netloc:
        return LINK_INVALID
    # It goes into every invitation and the minutes: no digits shaped like a phone or an ID.
    return LINK_HOLDS_IDENTIFIER if redact(url).removed else None


def overlaps(start_a: datetime, start_b: datetime, duration: timedelta = DEFAULT_DURATION) -> bool:
    """Whether two meetings' slots of `duration` from their starts intersect. Meetings exactly
    `duration` apart only touch, so they do not overlap."""
    return abs(start_a - start_b) < duration


class DeadlineState(StrEnum):
    PENDING = "pending"  # not done, not yet due
    MET = "met"  # done on or before the due day
    LATE = "late"  # done after the due day
    MISSED = "missed"  # not done, and the due day has passed


def deadline_state(due: date, done_on: date | None, today: date) -> DeadlineState:
    """Where a dated duty stands — minutes due one week after a meeting (參.一–三), a referral
    by its cutoff (參.三.(六).2.(1)). Done on the due day itself is met."""
    if done_on is not None:
        return DeadlineState.MET if done_on <= due else DeadlineState.LATE
    return DeadlineState.MISSED if today > due else DeadlineState.PENDING


def in_window_state(window: Window, held_on: date | None, today: date) -> DeadlineState:
    """Whether the meeting owed in `window` was held in time (參.一–三).

    Held by the window's end is met, after it late; not held is missed once the window has
    ended, else pending. The caller passes only the meeting assigned to this window (one held
    before the window starts counts for the window it falls in), so an early date is not late.
    """
    return deadline_state(window.end, held_on, today)
