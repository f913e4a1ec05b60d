"""A case's status moves, tracking (列管), who writes entries, and entry dates."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.case_status import (
    BUTTON_MOVES,
    MOVE_EVENTS,
    REASON_CODES,
    TRANSITIONS,
    TWSS_NAMES,
    VISIT_KINDS,
    CaseStatus,
    EntryKind,
    Mover,
    check_entry_date,
    may_mark_tracked,
    may_transition,
    may_untrack,
    may_write_entry,
    movers,
)
from bot.domain.roles import Role

S = CaseStatus


def _move(
    current: CaseStatus,
    target: CaseStatus,
    role: Role,
    *,
    is_lead: bool = False,
    is_center_staff: bool = False,
    tracked: bool = False,
) -> str | None:
    return may_transition(
        current,
        target,
        role=role,
        is_lead=is_lead,
        is_center_staff=is_center_staff,
        tracked=tracked,
    )


def test_the_whole_table() -> None:
    # Written out: a change to TRANSITIONS must change this on purpose.
    lead, sup, admin = Mover.LEAD, Mover.CENTER_SUPERVISOR, Mover.ADMIN
    expected = {
        (S.AWAITING_ASSIGNMENT, S.IN_SERVICE): {sup, admin},
        (S.IN_SERVICE, S.FOLLOW_UP): {lead, sup},
        (S.FOLLOW_UP, S.IN_SERVICE): {lead, sup},
        (S.IN_SERVICE, S.CLOSURE_REQUESTED): {lead},
        (S.FOLLOW_UP, S.CLOSURE_REQUESTED): {lead},
        (S.CLOSURE_REQUESTED, S.CLOSED): {sup, admin},
        (S.CLOSURE_REQUESTED, S.IN_SERVICE): {sup, admin},
        (S.CLOSED, S.IN_SERVICE): {sup, admin},
    }
    assert expected == TRANSITIONS


def test_movers() -> None:
    assert movers(role=Role.CASE_MANAGER, is_lead=True, is_center_staff=True) == {Mover.LEAD}
    assert movers(role=Role.SUPERVISOR, is_lead=False, is_center_staff=True) == {
        Mover.CENTER_SUPERVISOR
    }
    assert movers(role=Role.SUPERVISOR, is_lead=False, is_center_staff=False) == set()
    assert movers(role=Role.ADMIN, is_lead=False, is_center_staff=False) == {Mover.ADMIN}
    assert movers(role=Role.WORKER, is_lead=False, is_center_staff=False) == set()


def test_assignment_is_the_supervisors_or_the_bureaus() -> None:
    args = (S.AWAITING_ASSIGNMENT, S.IN_SERVICE)
    assert _move(*args, Role.SUPERVISOR, is_center_staff=True) is None
    assert _move(*args, Role.ADMIN) is None
    assert _move(*args, Role.SUPERVISOR) == "case.other_center"
    assert _move(*args, Role.CASE_MANAGER, is_center_staff=True) == "case.not_allowed_role"
    assert _move(*args, Role.WORKER) == "case.not_allowed_role"


def test_lead_and_supervisor_move_between_service_and_follow_up() -> None:
    for current, target in ((S.IN_SERVICE, S.FOLLOW_UP), (S.FOLLOW_UP, S.IN_SERVICE)):
        assert _move(current, target, Role.CASE_MANAGER, is_lead=True, is_center_staff=True) is None
        assert _move(current, target, Role.SUPERVISOR, is_center_staff=True) is None
        assert _move(current, target, Role.CASE_MANAGER, is_center_staff=True) == (
            "case.not_allowed_role"
        )
        assert _move(current, target, Role.ADMIN) == "case.not_allowed_role"


def test_only_the_lead_requests_closure() -> None:
    for current in (S.IN_SERVICE, S.FOLLOW_UP):
        assert _move(current, S.CLOSURE_REQUESTED, Role.CASE_MANAGER, is_lead=True) is None
        assert _move(current, S.CLOSURE_REQUESTED, Role.SUPERVISOR, is_center_staff=True) == (
            "case.not_lead"
        )
        assert _move(current, S.CLOSURE_REQUESTED, Role.WORKER) == "case.not_lead"


def test_a_tracked_case_may_ask_for_closure_but_not_be_closed() -> None:
    lead_asks = _move(
        S.IN_SERVICE, S.CLOSURE_REQUESTED, Role.CASE_MANAGER, is_lead=True, tracked=True
    )
    assert lead_asks is None  # the request is what brings the case to the next conference
    for role in (Role.SUPERVISOR, Role.ADMIN):
        assert _move(S.CLOSURE_REQUESTED, S.CLOSED, role, is_center_staff=True, tracked=True) == (
            "case.tracked_needs_conference"
        )
    # Once a conference released it (除管), the supervisor approves.
    assert _move(S.CLOSURE_REQUESTED, S.CLOSED, Role.SUPERVISOR, is_center_staff=True) is None
    # Refusing the request is still possible while tracked.
    refuse = _move(S.CLOSURE_REQUESTED, S.IN_SERVICE, Role.SUPERVISOR, is_center_staff=True)
    assert refuse is None


def test_a_role_refusal_comes_before_the_tracking_refusal() -> None:
    assert _move(S.CLOSURE_REQUESTED, S.CLOSED, Role.WORKER, tracked=True) == (
        "case.not_allowed_role"
    )


def test_closed_cases_can_only_be_reopened() -> None:
    assert _move(S.CLOSED, S.IN_SERVICE, Role.SUPERVISOR, is_center_staff=True) is None
    assert _move(S.CLOSED, S.IN_SERVICE, Role.ADMIN) is None
    assert _move(S.CLOSED, S.IN_SERVICE, Role.CASE_MANAGER, is_lead=True) == (
        "case.not_allowed_role"
    )
    for target in (S.FOLLOW_UP, S.CLOSURE_REQUESTED, S.AWAITING_ASSIGNMENT, S.CLOSED):
        assert _move(S.CLOSED, target, Role.ADMIN) == "case.closed"


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.AWAITING_ASSIGNMENT, S.CLOSED),
        (S.IN_SERVICE, S.CLOSED),  # closing goes through a request
        (S.FOLLOW_UP, S.CLOSED),
        (S.IN_SERVICE, S.AWAITING_ASSIGNMENT),
        (S.IN_SERVICE, S.IN_SERVICE),
    ],
)
def test_no_such_transition(current: CaseStatus, target: CaseStatus) -> None:
    assert _move(current, target, Role.ADMIN) == "case.no_such_transition"


@pytest.mark.parametrize("current", list(CaseStatus))
@pytest.mark.parametrize("target", list(CaseStatus))
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("tracked", [False, True])
def test_every_answer_is_a_known_code(
    current: CaseStatus, target: CaseStatus, role: Role, tracked: bool
) -> None:
    for is_lead in (False, True):
        for is_center_staff in (False, True):
            answer = _move(
                current,
                target,
                role,
                is_lead=is_lead,
                is_center_staff=is_center_staff,
                tracked=tracked,
            )
            assert answer is None or answer in REASON_CODES
            if answer is None:
                assert (current, target) in TRANSITIONS
                assert not (tracked and target is S.CLOSED)


def test_tracking() -> None:
    assert {role for role in Role if may_mark_tracked(role)} == {Role.SUPERVISOR, Role.ADMIN}
    assert may_untrack(by_conference=True)
    assert not may_untrack(by_conference=False)


def _write(
    role: Role,
    staff_unit: str | None,
    *,
    is_lead: bool = False,
    status: CaseStatus = S.IN_SERVICE,
) -> str | None:
    return may_write_entry(
        role=role,
        staff_unit=staff_unit,
        lead_center="fsc-zhongli",
        co_serving_units=frozenset({"police-zhongli", "cmhc-taoyuan"}),
        is_lead=is_lead,
        status=status,
    )


def test_everyone_serving_the_family_writes_entries() -> None:
    assert _write(Role.CASE_MANAGER, "fsc-zhongli", is_lead=True) is None
    assert _write(Role.CASE_MANAGER, "fsc-zhongli") is None  # a colleague on call (seed 003)
    assert _write(Role.SUPERVISOR, "fsc-zhongli") is None
    assert _write(Role.WORKER, "police-zhongli") is None
    assert _write(Role.WORKER, "cmhc-taoyuan", status=S.CLOSURE_REQUESTED) is None


def test_who_does_not_write_entries() -> None:
    assert _write(Role.WORKER, "school-pingzhen") == "case.not_on_team"
    assert _write(Role.SUPERVISOR, "fsc-taoyuan") == "case.not_on_team"  # another center
    assert _write(Role.WORKER, None) == "case.not_on_team"
    assert _write(Role.ADMIN, "bureau") == "case.admin_reads_only"
    assert _write(Role.ADMIN, "police-zhongli") == "case.admin_reads_only"
    assert _write(Role.CASE_MANAGER, "fsc-zhongli", is_lead=True, status=S.CLOSED) == (
        "case.closed"
    )
    assert _write(Role.WORKER, "police-zhongli", status=S.CLOSED) == "case.closed"


def test_entry_kinds() -> None:
    assert set(TWSS_NAMES) == set(EntryKind)
    assert TWSS_NAMES[EntryKind.HOME_VISIT] == "面訪家庭"
    assert TWSS_NAMES[EntryKind.FAMILY_CALL] == "案家來電"
    # The ten TWSS visit methods come first, in the standard's order.
    assert [TWSS_NAMES[kind] for kind in list(EntryKind)[:10]] == [
        "電訪家庭",
        "面訪家庭",
        "陪同服務",
        "網絡聯繫",
        "案家來電",
        "校園訪視",
        "面談",
        "公文回覆",
        "機構訪視",
        "其他",
    ]
    assert EntryKind.NETWORK_CONTACT not in VISIT_KINDS
    assert EntryKind.OFFICIAL_REPLY not in VISIT_KINDS
    assert EntryKind.FAMILY_CALL in VISIT_KINDS
    twss_methods = set(list(EntryKind)[:10])
    assert twss_methods >= VISIT_KINDS


OPENED_LONG_AGO = date(2025, 1, 10)


@pytest.mark.parametrize(
    ("entry_date", "case_opened", "expected"),
    [
        (date(2026, 5, 20), OPENED_LONG_AGO, None),
        (date(2026, 5, 21), OPENED_LONG_AGO, "entry.future_date"),
        (date(2026, 3, 31), date(2026, 4, 1), "entry.before_case"),
        (date(2026, 4, 1), date(2026, 4, 1), None),  # the day the case opened
        (date(2026, 2, 19), OPENED_LONG_AGO, None),  # exactly 90 days ago
        (date(2026, 2, 18), OPENED_LONG_AGO, "entry.too_old"),
    ],
)
def test_entry_dates(entry_date: date, case_opened: date, expected: str | None) -> None:
    answer = check_entry_date(entry_date, today=date(2026, 5, 20), case_opened=case_opened)
    assert answer == expected
    assert answer is None or answer in REASON_CODES


def test_every_move_has_a_history_event_and_every_button_move_is_allowed_to_someone() -> None:
    assert set(MOVE_EVENTS) == set(TRANSITIONS)
    for move in BUTTON_MOVES:
        assert move in TRANSITIONS
    # Asking to close is an entry (its reasons on record), never a bare button.
    assert all(target is not CaseStatus.CLOSURE_REQUESTED for _, target in BUTTON_MOVES)
