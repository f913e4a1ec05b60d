"""Who the staff are: their roles, the states of an account, and the kinds of unit they work in."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The five roles of the product (see docs/domain.md §1)."""

    WORKER = "worker"  # 網絡單位人員: network-unit frontline
    CASE_MANAGER = "case_manager"  # 家庭服務中心社工
    SUPERVISOR = "supervisor"  # 家庭服務中心督導
    SECRETARIAT = "secretariat"  # 區公所 / 社會局 meeting staff
    ADMIN = "admin"  # 社會局 (Social Affairs Bureau)


class StaffStatus(StrEnum):
    """An account's life: registering → pending → active (or rejected); active → suspended."""

    REGISTERING = "registering"
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class UnitRole(StrEnum):
    """What a unit does in the plan's mechanism (參)."""

    FAMILY_SERVICE_CENTER = "family_service_center"  # receives referrals, runs case conferences
    DISTRICT_OFFICE = "district_office"  # hosts the district liaison meeting
    BUREAU = "bureau"  # 社會局: secretariat of the city-level meeting, administrators
    NETWORK = "network"  # every other unit of the network


# Where each role can work: a case manager belongs to a family service center, an administrator
# to the bureau, a network worker to any unit outside the centers.
UNIT_ROLES_FOR: dict[Role, frozenset[UnitRole]] = {
    Role.WORKER: frozenset({UnitRole.NETWORK, UnitRole.DISTRICT_OFFICE}),
    Role.CASE_MANAGER: frozenset({UnitRole.FAMILY_SERVICE_CENTER}),
    Role.SUPERVISOR: frozenset({UnitRole.FAMILY_SERVICE_CENTER}),
    Role.SECRETARIAT: frozenset({UnitRole.DISTRICT_OFFICE, UnitRole.BUREAU}),
    Role.ADMIN: frozenset({UnitRole.BUREAU}),
}


def role_fits_unit(role: Role, unit_role: UnitRole) -> bool:
    """Whether someone of `role` can belong to a unit doing `unit_role`."""
    return unit_role in UNIT_ROLES_FOR[role]
