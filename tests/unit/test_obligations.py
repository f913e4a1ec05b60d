"""Obligations: their states, the months a tracked case owes reports for, and the built lists."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.caseload import report_status
from bot.domain.obligations import (
    PICKABLE_WAIVERS,
    Obligation,
    ObligationKind,
    ObligationState,
    WaiverReason,
    may_waive,
    monthly_report_obligations,
    monthly_report_periods,
    on_time,
    period_key,
    planned_visit_obligations,
    state_on,
)
from bot.domain.visit_plan import VisitPlan, progress
from bot.domain.working_days import WorkingCalendar
from storage.records import ObligationRecord

CALENDAR = WorkingCalendar()
DUE = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("done_on", "waived", "today", "expected"),
    [
        (None, False, date(2026, 12, 1), ObligationState.OPEN),
        (None, False, DUE, ObligationState.OPEN),  # the due day itself is still on time
        (None, False, date(2026, 12, 8), ObligationState.OVERDUE),
        (date(2026, 12, 3), False, date(2026, 12, 8), ObligationState.DONE),
        (date(2026, 12, 20), False, date(2026, 12, 21), ObligationState.DONE),  # late, but done
        (date(2026, 12, 20), True, date(2026, 12, 21), ObligationState.DONE),  # done wins
        (None, True, date(2026, 12, 21), ObligationState.WAIVED),
        (None, True, date(2026, 12, 1), ObligationState.WAIVED),
    ],
)
def test_state_on(
    done_on: date | None, waived: bool, today: date, expected: ObligationState
) -> None:
    assert state_on(DUE, done_on, waived, today) is expected


def test_on_time() -> None:
    assert on_time(DUE, DUE)
    assert on_time(DUE, date(2026, 12, 1))
    assert not on_time(DUE, date(2026, 12, 8))


def test_a_waiver_needs_a_reason() -> None:
    def make(state: ObligationState, reason: str | None) -> Obligation:
        return Obligation(
            kind=ObligationKind.NEXT_STEP,
            case_code="C-115-0042",
            owner_unit="fsc-zhongli",
            owner_staff=7,
            due=DUE,
            period=None,
            state=state,
            waived_reason=reason,
        )

    assert make(ObligationState.WAIVED, "家庭遷出本市").waived_reason == "家庭遷出本市"
    assert make(ObligationState.OPEN, None).state is ObligationState.OPEN
    with pytest.raises(ValueError, match="reason"):
        make(ObligationState.WAIVED, None)
    with pytest.raises(ValueError, match="reason"):
        make(ObligationState.WAIVED, "")
    with pytest.raises(ValueError, match="reason"):
        make(ObligationState.DONE, "why?")


def test_period_key() -> None:
    assert period_key((2026, 11)) == "2026-11"
    assert period_key((2027, 1)) == "2027-01"


@pytest.mark.parametrize(
    ("since", "until", "today", "expected"),
    [
        # Tracked on 20 November: November is owed once it is over, not before.
        (date(2026, 11, 20), None, date(2026, 11, 30), []),
        (date(2026, 11, 20), None, date(2026, 12, 1), [(2026, 11)]),
        (date(2026, 11, 20), None, date(2027, 2, 14), [(2026, 11), (2026, 12), (2027, 1)]),
        # Released (除管) on 15 January: January is still owed, February is not.
        (
            date(2026, 11, 20),
            date(2027, 1, 15),
            date(2027, 4, 1),
            [(2026, 11), (2026, 12), (2027, 1)],
        ),
        # Released before the month is over: January is owed once January ends.
        (date(2026, 11, 20), date(2027, 1, 15), date(2027, 1, 20), [(2026, 11), (2026, 12)]),
        (date(2026, 11, 20), date(2026, 11, 25), date(2027, 4, 1), [(2026, 11)]),
    ],
)
def test_monthly_report_periods(
    since: date, until: date | None, today: date, expected: list[tuple[int, int]]
) -> None:
    assert monthly_report_periods(since, until, today) == expected


def test_monthly_report_obligations() -> None:
    found = monthly_report_obligations(
        case_code="C-115-0042",
        tracked_since=date(2026, 11, 20),
        tracked_until=None,
        today=date(2027, 2, 8),
        reported_on={"2026-11": date(2026, 12, 4)},
        waived={"2026-12": "案家住院，無法訪視"},
        owner_unit="police-zhongli",
        owner_staff=None,
        calendar=CALENDAR,
    )
    assert [(o.period, o.due, o.state, o.waived_reason) for o in found] == [
        # 5 Dec 2026 is a Saturday: due Monday 7 Dec.
        ("2026-11", date(2026, 12, 7), ObligationState.DONE, None),
        ("2026-12", date(2027, 1, 5), ObligationState.WAIVED, "案家住院，無法訪視"),
        # 5 Feb 2027 is in Lunar New Year: due 11 Feb, so still open on 8 Feb.
        ("2027-01", date(2027, 2, 11), ObligationState.OPEN, None),
    ]
    assert {o.kind for o in found} == {ObligationKind.MONTHLY_REPORT}
    assert {o.owner_unit for o in found} == {"police-zhongli"}


def test_planned_visit_obligations() -> None:
    plan = VisitPlan(start=date(2026, 1, 31))
    visits = [date(2026, 2, 2), date(2026, 2, 9), date(2026, 2, 10), date(2026, 2, 12)]
    today = date(2026, 4, 2)
    found = planned_visit_obligations(
        case_code="C-115-0042",
        plan_progress=progress(plan, visits, today, calendar=CALENDAR),
        today=today,
        owner_unit="fsc-zhongli",
        owner_staff=7,
    )
    assert [(o.due, o.state) for o in found] == [
        (date(2026, 2, 28), ObligationState.DONE),
        (date(2026, 3, 30), ObligationState.OVERDUE),  # no visit in March
        (date(2026, 4, 30), ObligationState.OPEN),
    ]
    assert {o.kind for o in found} == {ObligationKind.PLANNED_VISIT}


# --- who may excuse a duty (may_waive) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "supervisor", "admin", "owner", "allowed"),
    [
        # 參.三.(六).3.(5): tracked cases report monthly until a conference releases them.
        (ObligationKind.MONTHLY_REPORT, True, False, False, False),
        (ObligationKind.MONTHLY_REPORT, False, True, False, False),
        (ObligationKind.MONTHLY_REPORT, False, False, True, False),
        # A 幸扶守護 window answers to the center's supervisor (or the bureau), not the worker.
        (ObligationKind.PLANNED_VISIT, True, False, False, True),
        (ObligationKind.PLANNED_VISIT, False, True, False, True),
        (ObligationKind.PLANNED_VISIT, False, False, True, False),
        # A next step is its writer's own promise.
        (ObligationKind.NEXT_STEP, False, False, True, True),
        (ObligationKind.NEXT_STEP, True, False, False, True),
        (ObligationKind.NEXT_STEP, False, False, False, False),
    ],
)
def test_who_may_excuse_a_duty(
    kind: ObligationKind, supervisor: bool, admin: bool, owner: bool, allowed: bool
) -> None:
    assert (
        may_waive(kind, is_center_supervisor=supervisor, is_admin=admin, is_owner=owner) is allowed
    )


def test_people_pick_every_waiver_reason_but_the_bots_own() -> None:
    bots_own = {WaiverReason.CASE_CLOSED, WaiverReason.RELEASED}
    assert not bots_own & set(PICKABLE_WAIVERS)
    assert set(PICKABLE_WAIVERS) | bots_own == set(WaiverReason)


# --- a tracked case's report status on /caseload --------------------------------------------------


def _report(period: str, due: date, state: str) -> ObligationRecord:
    moment = datetime(2026, 11, 1, tzinfo=UTC)
    return ObligationRecord(
        id=1,
        referral_id=1,
        kind="monthly_report",
        period=period,
        owner_staff_id=1,
        owner_unit_id="fsc-zhongli",
        due=due,
        state=state,
        done_entry_id=None,
        waived_reason=None,
        created_at=moment,
        updated_at=moment,
    )


@pytest.mark.parametrize(
    ("rows", "today", "expected"),
    [
        # Tracked this month: November's report is owed from December.
        ([_report("2026-11", date(2026, 12, 7), "open")], date(2026, 11, 24), "not_yet"),
        # December 1st–7th: owed, not late (the 5th falls on a Saturday in 2026 → Monday 7th).
        ([_report("2026-11", date(2026, 12, 7), "open")], date(2026, 12, 7), "due"),
        ([_report("2026-11", date(2026, 12, 7), "open")], date(2026, 12, 8), "overdue"),
        ([_report("2026-11", date(2026, 12, 7), "done")], date(2026, 12, 8), "submitted"),
        # An old unpaid month makes the case overdue even when the latest one is in.
        (
            [
                _report("2026-10", date(2026, 11, 5), "open"),
                _report("2026-11", date(2026, 12, 7), "done"),
            ],
            date(2026, 12, 8),
            "overdue",
        ),
    ],
)
def test_report_status_counts_complete_months_only(
    rows: list[ObligationRecord], today: date, expected: str
) -> None:
    assert report_status(rows, today) == expected
