"""A simulated year of case work: after every working day, the obligations listing (the rows the
nudges will read, and `safetynet obligations --at`) matches a ledger kept by the test itself.

Three cases are referred and accepted through the chat on 2026-01-05; then the service is
driven a day at a time through 2026 with a seeded random: visits, next steps written and done,
a case tracked in February with monthly reports filed on time, late or not at all, a 幸扶守護
window excused, a case closed in June and reopened in August.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
import time_machine

from bot.accounts import Staff
from bot.app import open_services
from bot.cases import Cases, Obligation, Written
from bot.domain.case_status import CaseStatus, EntryKind
from bot.domain.obligations import WaiverReason, period_key
from bot.domain.roles import Role
from bot.domain.visit_plan import VisitPlan, windows
from bot.domain.working_days import TAIPEI, monthly_report_due
from bot.services import Services
from storage.records import ReferralRecord
from storage.repositories import referrals
from tests.e2e.test_referral import CODE, S01, S04, refer
from tests.processes import json_lines
from tests.transcript import Person, World, active_member

pytestmark = pytest.mark.e2e

START = date(2026, 1, 5)
END = date(2026, 12, 31)
TRACKED_ON = date(2026, 2, 10)
CLOSED_ON = date(2026, 6, 15)
REOPENED_ON = date(2026, 8, 3)
WAIVED_ON = date(2026, 2, 16)


@dataclass
class Owed:
    """One line of the test's own ledger."""

    owner: int | None
    due: date
    arises: date
    ends: date | None = None  # the day it was done or excused


Key = tuple[str, str, str]  # case code, kind, period


class Ledger:
    def __init__(self) -> None:
        self.rows: dict[Key, Owed] = {}

    def owe(self, key: Key, owed: Owed) -> None:
        self.rows.setdefault(key, owed)

    def end(self, key: Key, day: date) -> None:
        if self.rows[key].ends is None:
            self.rows[key].ends = day

    def open_on(self, day: date) -> set[tuple[str, str, str, str, str]]:
        return {
            (code, kind, period, row.due.isoformat(), "overdue" if day > row.due else "open")
            for (code, kind, period), row in self.rows.items()
            if row.arises <= day and (row.ends is None or row.ends > day)
        }


def listed(found: list[Obligation]) -> set[tuple[str, str, str, str, str]]:
    return {(o.case_code, o.kind, o.period, o.due.isoformat(), o.state) for o in found}


async def accepted_case(supervisor: Person, referrer: Person, story: str, manager: str) -> str:
    found = CODE.search((await refer(referrer, story)).text)
    assert found
    await supervisor.presses("受案")
    await supervisor.presses(manager)
    return found[0]


async def member(services: Services, person: Person) -> Staff:
    found = await services.accounts.by_telegram_id(person.user_id)
    assert found is not None
    return found


async def case(services: Services, code: str) -> ReferralRecord:
    async with services.db.read() as conn:
        found = await referrals.by_code(conn, code)
    assert found is not None
    return found


def working_days() -> list[date]:
    day, days = START, []
    while day <= END:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


async def test_a_year_of_case_work_keeps_the_obligations_listing_true(world: World) -> None:
    with time_machine.travel("2026-01-05 09:00 +0800", tick=True):
        zhongli_supervisor = await active_member(world, Role.SUPERVISOR, "fsc-zhongli", "林督導")
        await active_member(world, Role.CASE_MANAGER, "fsc-zhongli", "陳社工")
        guishan_supervisor = await active_member(world, Role.SUPERVISOR, "fsc-guishan", "周督導")
        await active_member(world, Role.CASE_MANAGER, "fsc-guishan", "黃社工")
        officer = await active_member(world, Role.WORKER, "police-zhongli", "王警員")
        clerk = await active_member(world, Role.WORKER, "office-guishan", "吳幹事")
        tracked_code = await accepted_case(zhongli_supervisor, officer, S01, "陳社工")
        closing_code = await accepted_case(zhongli_supervisor, officer, S01, "陳社工")
        plan_code = await accepted_case(guishan_supervisor, clerk, S04, "黃社工")
    await world.stop_bot()  # the rest is the service, a day at a time

    services = await open_services(world.settings)
    try:
        await simulate(services, world, codes=(tracked_code, closing_code, plan_code))
    finally:
        await services.db.close()


@dataclass
class Year:
    """The simulation's cast and its ledger."""

    services: Services
    ledger: Ledger
    rng: random.Random
    tracked_code: str
    closing_code: str
    plan_code: str
    managers: dict[str, Staff]
    zhongli_supervisor: Staff
    guishan_supervisor: Staff
    visits: list[date]

    @property
    def cases(self) -> Cases:
        return self.services.cases

    async def one_day(self, day: date) -> None:
        if day == TRACKED_ON:
            referral = await case(self.services, self.tracked_code)
            assert await self.cases.mark_tracked(self.zhongli_supervisor, referral, "列管") is None
        await self.monthly_reports(day)
        if day == CLOSED_ON:
            await self.close(day)
        if day == REOPENED_ON:
            referral = await case(self.services, self.closing_code)
            moved = await self.cases.move(
                self.zhongli_supervisor,
                referral,
                expected=CaseStatus.CLOSED,
                target=CaseStatus.IN_SERVICE,
            )
            assert moved is None
        if day == WAIVED_ON:
            await self.waive_window(day, 3)
        for code in (self.tracked_code, self.closing_code, self.plan_code):
            if self.rng.random() < 0.3:
                await self.visit(day, code)

    async def monthly_reports(self, day: date) -> None:
        """A month's report arises on the 1st (or the day tracking began) and is due the 5th of
        the next month, moved to a working day; it is usually filed in the first week, sometimes
        late, sometimes not for a while."""
        tracked = await case(self.services, self.tracked_code)
        if not tracked.tracked:
            return
        month = (day.year, day.month)
        self.ledger.owe(
            (self.tracked_code, "monthly_report", period_key(month)),
            Owed(
                owner=tracked.case_manager_id,
                due=monthly_report_due(month, 5, calendar=self.cases.calendar),
                arises=max(date(day.year, day.month, 1), TRACKED_ON),
            ),
        )
        if day.day > 12 or self.rng.random() > 0.35:
            return
        owed = [o for o in await self.cases.reports_owed(tracked) if o.period < period_key(month)]
        if owed:
            result = await self.cases.file_report(
                self.managers[self.tracked_code],
                tracked,
                owed[0].period,
                {"report": "處理情形", "proposal": "keep"},
            )
            assert isinstance(result, Written)
            self.ledger.end((self.tracked_code, "monthly_report", owed[0].period), day)

    async def close(self, day: date) -> None:
        """Closing excuses the case's visits and next steps."""
        closing = await case(self.services, self.closing_code)
        await self.cases.write(
            self.managers[self.closing_code],
            closing,
            kind=EntryKind.CLOSURE_REQUEST,
            entry_date=day,
            note="目標達成",
        )
        moved = await self.cases.move(
            self.zhongli_supervisor,
            closing,
            expected=CaseStatus.CLOSURE_REQUESTED,
            target=CaseStatus.CLOSED,
        )
        assert moved is None
        for key in list(self.ledger.rows):
            if key[0] == self.closing_code and key[1] in ("next_step", "planned_visit"):
                self.ledger.end(key, day)

    async def waive_window(self, day: date, index: int) -> None:
        duties = await self.cases.open_duties(await case(self.services, self.plan_code))
        window = next(d for d in duties if d.period == f"visit-window-{index}")
        waived = await self.cases.waive(self.guishan_supervisor, window.id, WaiverReason.IN_CARE)
        assert not isinstance(waived, str)
        self.ledger.end((self.plan_code, "planned_visit", f"visit-window-{index}"), day)

    async def visit(self, day: date, code: str) -> None:
        """A home visit, sometimes with a next step; it may complete earlier next steps."""
        referral = await case(self.services, code)
        if referral.case_status == CaseStatus.CLOSED:
            return
        manager = self.managers[code]
        with_step = self.rng.random() < 0.25
        due = day + timedelta(days=self.rng.randint(1, 20))
        written = await self.cases.write(
            manager,
            referral,
            kind=EntryKind.HOME_VISIT,
            entry_date=day,
            note="家訪",
            next_step="追蹤就醫" if with_step else None,
            next_due=due if with_step else None,
        )
        assert isinstance(written, Written), written
        if code == self.plan_code:
            self.count_visit(day)
        steps = await self.cases.open_steps(manager, referral, before_entry=written.entry.id)
        for duty, _ in steps:
            if self.rng.random() < 0.5:
                assert await self.cases.complete_step(manager, duty.id, written.entry.id) is None
                self.ledger.end((code, "next_step", duty.period), day)
        if with_step:
            self.ledger.owe(
                (code, "next_step", f"entry-{written.entry.id}"),
                Owed(owner=manager.id, due=due, arises=day),
            )

    def count_visit(self, day: date) -> None:
        """幸扶守護: a window is met once its visits are in (4 the first month, then 2)."""
        self.visits.append(day)
        for index, window in enumerate(windows(VisitPlan(start=START)), 1):
            done = sum(1 for v in self.visits if window.start <= v <= window.end)
            key = (self.plan_code, "planned_visit", f"visit-window-{index}")
            if done >= window.required:
                self.ledger.end(key, day)


async def simulate(services: Services, world: World, *, codes: tuple[str, str, str]) -> None:
    tracked_code, closing_code, plan_code = codes
    managers = {}
    for code in codes:
        manager = await services.accounts.by_id((await case(services, code)).case_manager_id or 0)
        assert manager is not None
        managers[code] = manager
    ledger = Ledger()
    plan_case = await case(services, plan_code)
    for index, window in enumerate(windows(VisitPlan(start=START)), 1):
        ledger.owe(
            (plan_code, "planned_visit", f"visit-window-{index}"),
            Owed(owner=plan_case.case_manager_id, due=window.end, arises=START),
        )
    year = Year(
        services=services,
        ledger=ledger,
        rng=random.Random(20261124),
        tracked_code=tracked_code,
        closing_code=closing_code,
        plan_code=plan_code,
        managers=managers,
        zhongli_supervisor=await staff_named(services, 1001),
        guishan_supervisor=await staff_named(services, 1003),
        visits=[],
    )
    snapshots: dict[date, set[tuple[str, str, str, str, str]]] = {}
    for day in working_days():
        with time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=TAIPEI)):
            await year.one_day(day)
            expected = ledger.open_on(day)
            assert listed(await services.cases.obligations_at(day)) == expected, day
            snapshots[day] = expected

    # The year had every kind of duty, late ones among them, and ended many of them.
    every = set().union(*snapshots.values())
    assert {row[1] for row in every} == {"monthly_report", "planned_visit", "next_step"}
    assert any(row[4] == "overdue" for row in every)
    assert sum(1 for row in ledger.rows.values() if row.ends) > 20

    # Looking back changes nothing: any past day lists what was open then.
    for day in year.rng.sample(sorted(snapshots), 12):
        assert listed(await services.cases.obligations_at(day)) == snapshots[day], day

    # And from outside, as JSON lines: the same listing for the year's last working day.
    last = max(snapshots)
    assert outside_listing(world, last) == snapshots[last]


async def staff_named(services: Services, telegram_user_id: int) -> Staff:
    found = await services.accounts.by_telegram_id(telegram_user_id)
    assert found is not None
    assert found.role is Role.SUPERVISOR
    return found


def outside_listing(world: World, day: date) -> set[tuple[str, str, str, str, str]]:
    """`safetynet obligations --at DAY` in its own process, on the same data."""
    lines = json_lines(["obligations", "--at", day.isoformat()], world.settings.var_dir)
    assert lines
    assert all(o["owner_staff_id"] for o in lines)
    return {(o["case"], o["kind"], o["period"], o["due"], o["state"]) for o in lines}
