"""Who did their part on time (seed 004, 肆): per district and meeting series, each required
window — was the meeting held in it, were its minutes sent within a week, and were the monthly
reports of the district's tracked cases on time. Every figure names the rows it counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain import meetings as rules
from bot.domain.jurisdiction import Jurisdiction
from bot.domain.obligations import ObligationState
from bot.domain.working_days import TAIPEI
from storage import Database
from storage.repositories import cases, meetings


@dataclass(frozen=True)
class ComplianceLine:
    district: str  # "" for the city-level series
    series_key: str
    window: rules.Window
    held_on: date | None
    held: rules.DeadlineState
    minutes_on: date | None
    minutes: rules.DeadlineState | None  # None when no meeting was held
    reports_on_time: int
    reports_late: int
    reports_missing: int
    meeting_ids: tuple[int, ...]
    obligation_ids: tuple[int, ...]
    # What a person checks the figures against: the meetings' days, and each report counted by
    # its case's code and month ("2026-03").
    meeting_days: tuple[date, ...] = ()
    reports: tuple[tuple[str, str], ...] = ()


async def compliance(
    db: Database, jurisdiction: Jurisdiction, year: int, today: date
) -> list[ComplianceLine]:
    """One line per district (or the city), series and window of `year` that has begun."""
    async with db.read() as conn:
        planned = await meetings.listing(conn)
        reports = await cases.monthly_reports(conn)
    lines = []
    for series in jurisdiction.meeting_series:
        places = [d.name for d in jurisdiction.districts] if series.scope == "district" else [""]
        for window in rules.windows_of(series, year):
            if window.start > today:
                continue
            for place in places:
                held = sorted(
                    (
                        m
                        for m in planned
                        if m.series_key == series.key
                        and (m.district or "") == place
                        and m.window_key == window.key
                        # held by now, and not before the window opened: early does not count
                        and window.start <= m.starts_at.astimezone(TAIPEI).date() <= today
                    ),
                    key=lambda m: m.starts_at,
                )
                first = held[0] if held else None
                held_on = first.starts_at.astimezone(TAIPEI).date() if first else None
                minutes_on = (
                    first.minutes_recorded_at.astimezone(TAIPEI).date()
                    if first and first.minutes_recorded_at
                    else None
                )
                on_time = late = missing = 0
                duty_ids: list[int] = []
                counted: list[tuple[str, str]] = []
                if series.key == "case_conference":
                    # The reports of the quarter the conference reviews: due after the previous
                    # conference's window, up to the end of this one.
                    previous = rules.previous_window(series, window.start)
                    since = previous.end if previous else window.start
                    for duty, district, done_at, code in reports:
                        if district != place or not since < duty.due <= window.end:
                            continue
                        duty_ids.append(duty.id)
                        counted.append((code, duty.period or ""))
                        done_on = done_at.astimezone(TAIPEI).date() if done_at else None
                        if done_on is not None:
                            on_time += done_on <= duty.due
                            late += done_on > duty.due
                        elif duty.state == ObligationState.OPEN and today > duty.due:
                            missing += 1
                lines.append(
                    ComplianceLine(
                        district=place,
                        series_key=series.key,
                        window=window,
                        held_on=held_on,
                        held=rules.in_window_state(window, held_on, today),
                        minutes_on=minutes_on,
                        minutes=None
                        if first is None
                        else rules.deadline_state(first.minutes_due, minutes_on, today),
                        reports_on_time=on_time,
                        reports_late=late,
                        reports_missing=missing,
                        meeting_ids=tuple(m.id for m in held),
                        obligation_ids=tuple(duty_ids),
                        meeting_days=tuple(m.starts_at.astimezone(TAIPEI).date() for m in held),
                        reports=tuple(counted),
                    )
                )
    return lines
