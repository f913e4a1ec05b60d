"""Dates as staff type them: 115/03/18, 115年3月18日, 2026-03-18, 3/18 — ROC or Gregorian.

Also the "下一步：…" line of a case note, which carries a next step and, optionally, its date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

ROC_OFFSET = 1911
DEFAULT_NEXT_STEP_DAYS = 7
NEXT_STEP_MAX_DAYS = 366  # a next step is planned within the year; 200/1/1 is a typo, not 2111

_FULL = re.compile(r"(?<!\d)(\d{2,4})\s*[/\-.年]\s*(\d{1,2})\s*[/\-.月]\s*(\d{1,2})\s*日?(?!\d)")
_SHORT = re.compile(r"(?<![\d/])(\d{1,2})\s*[/月]\s*(\d{1,2})\s*日?(?![\d/])")
_NEXT_STEP = re.compile(r"^\s*下一步\s*[:：]\s*(?P<step>.+?)\s*$", re.MULTILINE)
_DIGITS = re.compile(r"\d+")
_SHAPE_PROBE_DAY = date(2000, 1, 1)


def parse_date(text: str, today: date) -> date | None:
    """The first date in the text. A 2–3 digit year is ROC (115 → 2026); a date without a year
    is the next such day from today on. None when there is no valid date (2/30 is not one)."""
    full = _FULL.search(text)
    if full:
        year, month, day = (int(part) for part in full.groups())
        if year < 1000:
            year += ROC_OFFSET
        return _valid(year, month, day)
    short = _SHORT.search(text)
    if short:
        month, day = (int(part) for part in short.groups())
        found = _valid(today.year, month, day)
        if found is not None and found < today:
            found = _valid(today.year + 1, month, day)
        return found
    return None


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


_RELATIVE_DAYS = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
_WEEKDAY = re.compile(r"^(?P<last>上+)?(?:週|周|星期|禮拜)(?P<day>[一二三四五六日天])$")
_WEEKDAY_NUMBER = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


def parse_past_date(text: str, today: date) -> date | None:
    """A day that has happened, as a worker types it about a visit: 115/11/15, 2026-11-15, 11/15
    (this year's, or last year's if that is still to come), 今天, 昨天, 前天, 週三 (the latest
    Wednesday, today included), 上週三 (Wednesday of the week before) — the whole text, so a
    note with a date in it is not taken for a day. None when it is none of these or no such day."""
    typed = re.sub(r"\s+", "", text)
    if typed in _RELATIVE_DAYS:
        return today - timedelta(days=_RELATIVE_DAYS[typed])
    weekday = _WEEKDAY.match(typed)
    if weekday:
        back = (today.weekday() - _WEEKDAY_NUMBER[weekday["day"]]) % 7
        weeks = len(weekday["last"] or "")
        if weeks:  # 上週三: the Wednesday of last week (Monday-based weeks)
            monday = today - timedelta(days=today.weekday())
            return monday - timedelta(weeks=weeks) + timedelta(days=_WEEKDAY_NUMBER[weekday["day"]])
        return today - timedelta(days=back)
    if _FULL.fullmatch(typed):
        return parse_date(typed, today)
    short = _SHORT.fullmatch(typed)
    if short:
        month, day = (int(part) for part in short.groups())
        found = _valid(today.year, month, day)
        if found is not None and found > today:
            found = _valid(today.year - 1, month, day)
        return found
    return None


def shaped_like_date(text: str) -> bool:
    """Whether `text` holds a date `parse_date` would read if its numbers were valid (2/30, 0/0).

    Every run of digits becomes the same number of 1s — a valid year, month and day at any
    length parse_date accepts — so parse_date itself decides the shape, with no second copy of
    its patterns.
    """
    probe = _DIGITS.sub(lambda digits: "1" * len(digits[0]), text)
    return parse_date(probe, _SHAPE_PROBE_DAY) is not None


class StepDateProblem(StrEnum):
    NO_SUCH_DAY = "no_such_day"  # 115/02/30, 2027-13-01, 0/0
    IN_THE_PAST = "in_the_past"  # 115/01/05 typed in December 115
    TOO_FAR = "too_far"  # 200/1/1: more than a year ahead


@dataclass(frozen=True)
class NextStep:
    """A case note split into the note and its 「下一步：…」 line, if it has one."""

    note: str
    step: str | None
    due: date | None  # the line's date, or a week from today when it gives none
    problem: StepDateProblem | None = None  # the line's date cannot be right: ask again


def split_next_step(note: str, today: date) -> NextStep:
    """The note without its 下一步 line, the next step, and its due date — a week from today
    unless the line gives a date. A date that does not exist, has passed, or lies more than a year
    ahead is a problem to point out, never replaced by the default."""
    found = _NEXT_STEP.search(note)
    if found is None:
        return NextStep(note.strip(), None, None)
    step = found["step"]
    rest = (note[: found.start()] + note[found.end() :]).strip() or step
    due = parse_date(step, today)
    if due is None and shaped_like_date(step):
        return NextStep(rest, step, None, StepDateProblem.NO_SUCH_DAY)
    if due is not None and due < today:
        return NextStep(rest, step, due, StepDateProblem.IN_THE_PAST)
    if due is not None and (due - today).days > NEXT_STEP_MAX_DAYS:
        return NextStep(rest, step, due, StepDateProblem.TOO_FAR)
    return NextStep(rest, step, due or today + timedelta(days=DEFAULT_NEXT_STEP_DAYS))
