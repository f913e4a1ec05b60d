"""The places and units a deployment serves, as plain data with the questions asked of them.

Loaded from a jurisdiction file (`bot/jurisdictions/*.toml`); no district or unit is hard-coded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.domain.nudges import NudgeRules
from bot.domain.roles import Role, UnitRole, role_fits_unit


@dataclass(frozen=True)
class District:
    name: str
    key: str
    mountain: bool
    # Well-known places and usual misspellings that mean the district (中壢火車站, 內壢, 中歷).
    places: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitKind:
    key: str
    name: str
    name_en: str


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    kind: str
    role: UnitRole
    districts: tuple[str, ...]  # empty: city-wide
    covers: tuple[str, ...] = ()  # family service centers: the districts whose referrals they take

    @property
    def city_wide(self) -> bool:
        return not self.districts


@dataclass(frozen=True)
class MeetingSeries:
    key: str
    name: str
    name_en: str
    clause: str
    scope: str  # "district" or "city"
    run_by: UnitRole
    months: tuple[int, ...]
    due: str  # "in_month" or "by_month_end"
    minutes_due_days: int
    default_attendee_kinds: tuple[str, ...]
    referral_cutoff_months_before: int | None = None


@dataclass(frozen=True)
class Jurisdiction:
    city_name: str
    city_name_en: str
    city_code: str
    case_code_prefix: str
    districts: tuple[District, ...]
    unit_kinds: tuple[UnitKind, ...]
    units: tuple[Unit, ...]
    meeting_series: tuple[MeetingSeries, ...]
    monthly_report_due_day: int = 5
    caseload_target: int = 25
    extra_workdays: tuple[date, ...] = ()
    extra_holidays: tuple[date, ...] = ()
    # [nudges]: when each nudge goes out (issue #6)
    nudge_rules: NudgeRules = field(default_factory=NudgeRules)
    _units_by_id: dict[str, Unit] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_units_by_id", {unit.id: unit for unit in self.units})

    def unit(self, unit_id: str | None) -> Unit | None:
        return None if unit_id is None else self._units_by_id.get(unit_id)

    def district(self, key_or_name: str) -> District | None:
        for district in self.districts:
            if key_or_name in (district.key, district.name):
                return district
        return None

    def centers_covering(self, district_name: str) -> tuple[Unit, ...]:
        return tuple(
            unit
            for unit in self.units
            if unit.role is UnitRole.FAMILY_SERVICE_CENTER and district_name in unit.covers
        )

    def centers_of_unit(self, unit: Unit) -> frozenset[str]:
        """The family service centers covering the districts a unit works in."""
        return frozenset(
            center.id for name in unit.districts for center in self.centers_covering(name)
        )

    def units_for_role(self, role: Role, district_name: str | None) -> tuple[Unit, ...]:
        """Units someone of `role` can pick: in a district, or city-wide when district is None."""
        return tuple(
            unit
            for unit in self.units
            if role_fits_unit(role, unit.role)
            and (district_name in unit.districts if district_name else unit.city_wide)
        )
