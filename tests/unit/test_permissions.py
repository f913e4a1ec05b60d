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
    may_invite,
)
from bot.domain.roles import Role, UnitRole, role_fits_unit

# The whole table, written out: a change to PERMISSIONS must change this on purpose.
EXPECTED = {
    Role.WORKER: {"help", "whoami", "lang"},
    Role.CASE_MANAGER: {"help", "whoami", "lang"},
    Role.SUPERVISOR: {"help", "whoami", "lang", "invite"},
    Role.SECRETARIAT: {"help", "whoami", "lang"},
    Role.ADMIN: {"help", "whoami", "lang", "invite"},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_role_and_every_command(role: Role, command: Command) -> None:
    assert may(role, command.action) is (command.name in EXPECTED[role])


@pytest.mark.parametrize("role", list(Role))
def test_help_lists_exactly_the_allowed_commands(role: Role) -> None:
    assert {command.name for command in commands_for(role)} == EXPECTED[role]


def test_only_supervisors_and_admins_approve_staff() -> None:
    assert {role for role in Role if may(role, Action.APPROVE_STAFF)} == {
        Role.SUPERVISOR,
        Role.ADMIN,
    }


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
