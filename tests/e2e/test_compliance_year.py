"""The bureau's compliance figures (肆) after a simulated year: 中壢 holds its case conferences
(one late, one with late minutes), 八德 misses two; a tracked case's monthly reports are on time,
late or missing. Each figure is checked against what the test did, and names its rows."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from bot.accounts import Staff
from bot.app import open_services
from bot.compliance import ComplianceLine, compliance
from bot.domain.meetings import DeadlineState
from bot.domain.roles import Role
from bot.domain.working_days import TAIPEI
from bot.meetings import MeetingPlan
from bot.services import Services
from storage.repositories import referrals
from tests.e2e.test_referral import CODE, S01, refer
from tests.transcript import World, active_member

pytestmark = pytest.mark.e2e

MET, LATE, MISSED = DeadlineState.MET, DeadlineState.LATE, DeadlineState.MISSED


def at(day: str, hour: int = 10) -> datetime:
    year, month, dom = (int(part) for part in day.split("-"))
    return datetime(year, month, dom, hour, tzinfo=TAIPEI)


async def hold(
    services: Services, organiser: Staff, district: str, day: str, minutes_on: str | None
) -> None:
    """Plan a case conference a week ahead, hold it, and record its minutes (or never)."""
    start = at(day, 14)
    with time_machine.travel(at(day, 9)):
        planned = await services.meetings.create(
            organiser,
            MeetingPlan(
                series_key="case_conference",
                district=district,
                starts_at=start,
                place="會議室",
                video_link=None,
                chair="督導",
                unit_ids=(organiser.unit.id,) if organiser.unit else (),
            ),
        )
    assert not isinstance(planned, str), planned
    if minutes_on is not None:
        with time_machine.travel(at(minutes_on, 17)):
            assert await services.meetings.confirm_attendance(organiser, planned.meeting) is None
            # Every agenda case gets its decision (the tracked one stays tracked).
            for case in await services.meetings.undecided(organiser, planned.meeting):
                decided = await services.meetings.decide(
                    organiser, planned.meeting, case, decision="keep"
                )
                assert decided is None
            assert await services.meetings.record_minutes(organiser, planned.meeting) is None


async def test_a_year_of_compliance_figures(world: World) -> None:
    with time_machine.travel("2026-01-05 09:00 +0800", tick=True):
        zhongli = await active_member(world, Role.SUPERVISOR, "fsc-zhongli", "林督導")
        await active_member(world, Role.SUPERVISOR, "fsc-bade", "何督導")
        await active_member(world, Role.CASE_MANAGER, "fsc-zhongli", "陳社工")
        officer = await active_member(world, Role.WORKER, "police-zhongli", "王警員")
        found = CODE.search((await refer(officer, S01)).text)
        assert found
        await zhongli.presses("受案")
        await zhongli.presses("陳社工")
    await world.stop_bot()
    services = await open_services(world.settings)
    try:
        lines = await simulate(services, found[0])
    finally:
        await services.db.close()

    def line(district: str, window: str) -> ComplianceLine:
        return next(
            x
            for x in lines
            if x.series_key == "case_conference"
            and x.district == district
            and x.window.key == window
        )

    expected = {
        ("中壢區", "2026-03"): (MET, MET),
        ("中壢區", "2026-06"): (MET, LATE),
        ("中壢區", "2026-09"): (LATE, MET),  # held on 10/7, making up for September
        ("中壢區", "2026-11"): (MET, MET),
        ("八德區", "2026-03"): (MISSED, None),
        ("八德區", "2026-06"): (MET, MISSED),
        ("八德區", "2026-09"): (MISSED, None),
        ("八德區", "2026-11"): (MET, MET),
    }
    for (district, window), (held, minutes) in expected.items():
        found_line = line(district, window)
        assert (found_line.held, found_line.minutes) == (held, minutes), (district, window)
        assert bool(found_line.meeting_days) == (held is not MISSED), (district, window)
    # Monthly reports of 中壢's tracked case, by the quarter each conference reviews (due after
    # the previous window): to March, January's on time and February's late (due 3/5, filed
    # 3/20); to June, March's and April's on time and May's never; to September, three on time.
    march, june, september = (line("中壢區", w) for w in ("2026-03", "2026-06", "2026-09"))
    assert (march.reports_on_time, march.reports_late, march.reports_missing) == (1, 1, 0)
    assert (june.reports_on_time, june.reports_late, june.reports_missing) == (2, 0, 1)
    assert (september.reports_on_time, september.reports_late) == (3, 0)
    assert {case for case, _ in line("中壢區", "2026-06").reports} == {found[0]}
    assert [period for _, period in line("中壢區", "2026-06").reports] == [
        "2026-03",
        "2026-04",
        "2026-05",
    ]
    assert line("中壢區", "2026-06").obligation_ids
    # A district's liaison meeting nobody planned shows as not held.
    liaison = [x for x in lines if x.series_key == "district_liaison" and x.district == "八德區"]
    assert liaison
    assert all(x.held is MISSED for x in liaison if x.window.end < date(2026, 12, 31))


async def simulate(services: Services, code: str) -> list[ComplianceLine]:
    zhongli = await services.accounts.by_telegram_id(1001)
    bade = await services.accounts.by_telegram_id(1002)
    manager = await services.accounts.by_telegram_id(1003)
    assert zhongli is not None
    assert bade is not None
    assert manager is not None
    async with services.db.read() as conn:
        case = await referrals.by_code(conn, code)
    assert case is not None
    with time_machine.travel(at("2026-01-06")):
        assert await services.cases.mark_tracked(zhongli, case, "列管") is None

    async def report(period: str, day: str) -> None:
        with time_machine.travel(at(day)):
            async with services.db.read() as conn:
                current = await referrals.by_code(conn, code)
            assert current is not None
            await services.cases.reports_owed(current)
            filed = await services.cases.file_report(
                manager, current, period, {"report": "處理情形", "proposal": "keep"}
            )
            assert not isinstance(filed, str), filed

    for period, day in [
        ("2026-01", "2026-02-03"),
        ("2026-02", "2026-03-20"),  # late: due 3/5
        ("2026-03", "2026-04-02"),
        ("2026-04", "2026-05-04"),
        ("2026-06", "2026-07-01"),
        ("2026-07", "2026-08-03"),
        ("2026-08", "2026-09-01"),
        ("2026-09", "2026-10-02"),
        ("2026-10", "2026-11-03"),
    ]:  # May's report never comes
        await report(period, day)

    await hold(services, zhongli, "中壢區", "2026-03-18", "2026-03-20")
    await hold(services, zhongli, "中壢區", "2026-06-17", "2026-06-30")  # minutes late
    await hold(services, bade, "八德區", "2026-06-10", None)  # minutes never sent
    await hold(services, zhongli, "中壢區", "2026-10-07", "2026-10-09")  # September, late
    await hold(services, zhongli, "中壢區", "2026-11-18", "2026-11-20")
    await hold(services, bade, "八德區", "2026-11-25", "2026-11-27")
    with time_machine.travel(at("2026-12-31")):
        return await compliance(services.db, services.jurisdiction, 2026, date(2026, 12, 31))
