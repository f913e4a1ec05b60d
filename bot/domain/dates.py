"""Dates as staff type them: 115/03/18, 115年3月18日, 2026-03-18, 3/18 — ROC or Gregorian.

Also the "下一步：…" line of a case note, which carries a next step and, optionally, its date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

ROC_OFFSET = 1911
DEFAULT_NEXT_STEP_DAYS = 7

_FULL = re.compile(r"(?<!\d)(\d{2,4})\s*[/\-.年]\s*(\d{1,2})\s*[/\-.月]\s*(\d{1,2})\s*日?(?!\d)")
_SHORT = re.compile(r"(?<![\d/])(\d{1,2})\s*[/月]\s*(\d{1,2})\s*日?(?![\d/])")
_NEXT_STEP = re.compile(r"^\s*下一步\s*[:：]\s*(?P<step>.+?)\s*$", re.MULTILINE)


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


def split_next_step(note: str, today: date) -> tuple[str, str | None, date | None]:
    """(note without the 下一步 line, the next step, its due date — a week from today unless
    the line gives a date)."""
    found = _NEXT_STEP.search(note)
    if found is None:
        return note.strip(), None, None
    step = found["step"]
    due = parse_date(step, today) or today + timedelta(days=DEFAULT_NEXT_STEP_DAYS)
    rest = (note[: found.start()] + note[found.end() :]).strip()
    return rest or step, step, due
