"""The permission table, role by role and command by command."""

from __future__ import annotations

import pytest

from bot.domain.permissions import (
    COMMANDS,
    Action,
    Command,
    commands_for,
    may,
    may_approve,
    may_decide_referral,
    may_invite,
    sees_referral,
)
from bot.domain.roles import Role, UnitRole, role_fits_unit

# The whole table, written out: a change to PERMISSIONS must change this on purpose.
_EVERYONE = {
    "help",
    "whoami",
    "lang",
    "refer",
    "cancel",
    "case",
    "mycases",
    "search",
    "meetings",
    "nudges",
}
_SERVING = {"update", "report"}
EXPECTED = {
    Role.WORKER: _EVERYONE | _SERVING,
    Role.CASE_MANAGER: _EVERYONE | _SERVING,
    Role.SUPERVISOR: _EVERYONE | _SERVING | {"invite", "caseload", "overdue", "newmeeting"},
    Role.SECRETARIAT: _EVERYONE | _SERVING | {"newmeeting"},
    Role.ADMIN: _EVERYONE | {"invite", "caseload", "overdue", "newmeeting", "compliance"},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_role_and_every_command(role: Role, command: Command) -> None:
    assert may(role, command.action) is (command.name in EXPECTED[role])


@pytest.mark.parametrize("role", list(Role))
def test_help_lists_exactly_the_allowed_commands(role: Role) -> None:
    assert {command.name for command in commands_for(role)} == EXPECTED[role]


@pytest.mark.parametrize("action", [Action.APPROVE_STAFF, Action.DECIDE_REFERRAL])
def test_only_supervisors_and_admins_decide(action: Action) -> None:
    assert {role for role in Role if may(role, action)} == {Role.SUPERVISOR, Role.ADMIN}


def test_who_sees_a_referral() -> None:
    def sees(role: Role, staff_id: int, unit_id: str) -> bool:
        return sees_referral(
            role=role,
            staff_id=staff_id,
            unit_id=unit_id,
            referrer_id=7,
            center_id="fsc-bade",
            case_manager_id=9,
        )

    assert sees(Role.WORKER, 7, "police-bade")
    assert not sees(Role.WORKER, 8, "police-bade")
    assert sees(Role.CASE_MANAGER, 9, "fsc-bade")
    assert sees(Role.CASE_MANAGER, 10, "fsc-bade")
    assert sees(Role.SUPERVISOR, 11, "fsc-bade")
    assert not sees(Role.SUPERVISOR, 12, "fsc-daxi")
    assert not sees(Role.SECRETARIAT, 13, "office-bade")
    assert sees(Role.ADMIN, 14, "sab")


def test_who_decides_a_referral() -> None:
    assert may_decide_referral(role=Role.SUPERVISOR, unit_id="fsc-bade", center_id="fsc-bade")
    assert not may_decide_referral(role=Role.SUPERVISOR, unit_id="fsc-daxi", center_id="fsc-bade")
    assert not may_decide_referral(role=Role.CASE_MANAGER, unit_id="fsc-bade", center_id="fsc-bade")
    assert may_decide_referral(role=Role.ADMIN, unit_id="sab", center_id="fsc-bade")


@pytest.mark.parametrize(
    ("inviter", "invitee", "allowed"),
    [
        (Role.ADMIN, Role.ADMIN, True),
        (Role.ADMIN, Role.SECRETARIAT, True),
        (Role.SUPERVISOR, Role.WORKER, True),
        (Role.SUPERVISOR, Role.CASE_MANAGER, True),
        (Role.SUPERVISOR, Role.SUPERVISOR, False),
        (Role.SUPERVISOR, Role.ADMIN, False),
        (Role.CASE_MANAGER, Role.WORKER, False),
        (Role.WORKER, Role.WORKER, False),
        (Role.SECRETARIAT, Role.WORKER, False),
    ],
)
def test_who_may_invite_whom(inviter: Role, invitee: Role, allowed: bool) -> None:
    assert may_invite(inviter, invitee) is allowed


def _approve(
    approver: Role,
    unit: str | None,
    applicant: Role,
    applicant_unit: str,
    centers: frozenset[str] = frozenset(),
) -> bool:
    return may_approve(
        approver_role=approver,
        approver_unit=unit,
        applicant_role=applicant,
        applicant_unit=applicant_unit,
        centers_of_applicant_unit=centers,
    )


def test_a_supervisor_approves_their_own_center_and_its_districts_network() -> None:
    center = "fsc-zhongli"
    assert _approve(Role.SUPERVISOR, center, Role.CASE_MANAGER, center)
    assert _approve(Role.SUPERVISOR, center, Role.WORKER, "police-zhongli", frozenset({center}))


def test_a_supervisor_does_not_approve_elsewhere_or_above_their_reach() -> None:
    center = "fsc-zhongli"
    # The other center of the same district: its families are not this supervisor's to open.
    assert not _approve(
        Role.SUPERVISOR,
        "fsc-taoyuan",
        Role.CASE_MANAGER,
        "fsc-taoyuan-2",
        frozenset({"fsc-taoyuan", "fsc-taoyuan-2"}),
    )
    assert not _approve(Role.SUPERVISOR, center, Role.CASE_MANAGER, "fsc-bade")
    assert not _approve(
        Role.SUPERVISOR, center, Role.WORKER, "police-bade", frozenset({"fsc-bade"})
    )
    assert not _approve(Role.SUPERVISOR, center, Role.SUPERVISOR, center)
    assert not _approve(Role.SUPERVISOR, center, Role.ADMIN, "sab")


def test_an_admin_approves_anyone_and_other_roles_no_one() -> None:
    assert _approve(Role.ADMIN, "sab", Role.SECRETARIAT, "office-bade")
    for role in (Role.WORKER, Role.CASE_MANAGER, Role.SECRETARIAT):
        assert not _approve(role, "fsc-zhongli", Role.WORKER, "fsc-zhongli")


@pytest.mark.parametrize(
    ("role", "unit_role", "fits"),
    [
        (Role.CASE_MANAGER, UnitRole.FAMILY_SERVICE_CENTER, True),
        (Role.CASE_MANAGER, UnitRole.NETWORK, False),
        (Role.WORKER, UnitRole.NETWORK, True),
        (Role.WORKER, UnitRole.FAMILY_SERVICE_CENTER, False),
        (Role.ADMIN, UnitRole.BUREAU, True),
        (Role.ADMIN, UnitRole.DISTRICT_OFFICE, False),
        (Role.SECRETARIAT, UnitRole.DISTRICT_OFFICE, True),
    ],
)
def test_roles_belong_to_fitting_units(role: Role, unit_role: UnitRole, fits: bool) -> None:
    assert role_fits_unit(role, unit_role) is fits
