"""Jurisdiction files: where a deployment's districts, units and meeting series are written down.

`load_jurisdiction` checks a file thoroughly and names the exact line of any mistake.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import fields
from datetime import date, time
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from bot.domain.jurisdiction import District, Jurisdiction, MeetingSeries, Unit, UnitKind
from bot.domain.nudges import NudgeRules, OfficeHours
from bot.domain.roles import UnitRole

DEFAULT_JURISDICTION = Path(__file__).parent / "taoyuan.toml"

T = TypeVar("T")


class JurisdictionError(ValueError):
    """A mistake in a jurisdiction file, with the file and line it is on."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


class _Locator:
    """Finds the line of `[[table]]` entry number `index`, and of a key inside it."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def line_of(self, table: str, index: int | None = None, key: str | None = None) -> int | None:
        header = re.compile(rf"^\s*\[\[?\s*{re.escape(table)}\s*\]\]?\s*(#.*)?$")
        starts = [n for n, line in enumerate(self.lines) if header.match(line)]
        if not starts:
            return None
        start = starts[index if index is not None and index < len(starts) else 0]
        if key is None:
            return start + 1
        key_line = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for n in range(start + 1, len(self.lines)):
            if self.lines[n].lstrip().startswith("["):
                break
            if key_line.match(self.lines[n]):
                return n + 1
        return start + 1


class _Reader:
    def __init__(self, path: Path, locator: _Locator) -> None:
        self.path = path
        self.locator = locator

    def fail(
        self, message: str, table: str, index: int | None = None, key: str | None = None
    ) -> NoReturn:
        raise JurisdictionError(self.path, self.locator.line_of(table, index, key), message)

    def get(
        self,
        entry: dict[str, Any],
        key: str,
        kind: type[T],
        table: str,
        index: int | None = None,
        *,
        default: T | None = None,
    ) -> T:
        if key not in entry:
            if default is not None:
                return default
            self.fail(f"[{table}] is missing `{key}`", table, index)
        value = entry[key]
        if kind is int and isinstance(value, bool):
            self.fail(f"`{key}` must be a whole number", table, index, key)
        if not isinstance(value, kind):
            self.fail(f"`{key}` must be {kind.__name__}, not {value!r}", table, index, key)
        return value

    def strings(self, entry: dict[str, Any], key: str, table: str, index: int) -> tuple[str, ...]:
        values = self.get(entry, key, list, table, index, default=[])
        if not all(isinstance(value, str) for value in values):
            self.fail(f"`{key}` must be a list of strings", table, index, key)
        return tuple(values)

    def each(
        self, data: dict[str, Any], table: str, build: Callable[[dict[str, Any], int], T]
    ) -> tuple[T, ...]:
        entries = data.get(table)
        if not isinstance(entries, list) or not entries:
            raise JurisdictionError(self.path, None, f"at least one [[{table}]] is required")
        return tuple(build(entry, index) for index, entry in enumerate(entries))


def _district_places(reader: _Reader, entry: dict[str, Any], index: int) -> tuple[str, ...]:
    places = reader.get(entry, "places", list, "districts", index, default=[])
    if not all(isinstance(place, str) and place for place in places):
        reader.fail("`places` must be a list of names", "districts", index, "places")
    return tuple(places)


def load_jurisdiction(path: Path = DEFAULT_JURISDICTION) -> Jurisdiction:
    """Read and check a jurisdiction file."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise JurisdictionError(path, None, f"cannot be read ({error.strerror})") from error
    text = raw.decode("utf-8", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        raise JurisdictionError(path, int(match[1]) if match else None, str(error)) from error
    reader = _Reader(path, _Locator(text))
    return _build(data, reader)


def _build(data: dict[str, Any], r: _Reader) -> Jurisdiction:
    city = r.get(data, "city", dict, "city")
    kinds = r.each(
        data,
        "unit_kinds",
        lambda e, i: UnitKind(
            key=r.get(e, "key", str, "unit_kinds", i),
            name=r.get(e, "name", str, "unit_kinds", i),
            name_en=r.get(e, "name_en", str, "unit_kinds", i),
        ),
    )
    districts = r.each(
        data,
        "districts",
        lambda e, i: District(
            name=r.get(e, "name", str, "districts", i),
            key=r.get(e, "key", str, "districts", i),
            mountain=r.get(e, "mountain", bool, "districts", i, default=False),
            places=_district_places(r, e, i),
        ),
    )
    _unique([d.name for d in districts], "districts", "name", r)
    _unique([d.key for d in districts], "districts", "key", r)
    kind_keys = {kind.key for kind in kinds}
    district_names = {district.name for district in districts}

    units = r.each(data, "units", lambda e, i: _unit(e, i, r, kind_keys, district_names))
    _unique([u.id for u in units], "units", "id", r)
    for district in districts:
        if not any(
            u.role is UnitRole.FAMILY_SERVICE_CENTER and district.name in u.covers for u in units
        ):
            r.fail(f"no family service center covers {district.name}", "districts")
    if not any(u.role is UnitRole.BUREAU for u in units):
        r.fail('one unit must have role = "bureau" (the Social Affairs Bureau)', "units")

    meeting_series = r.each(data, "meeting_series", lambda e, i: _series(e, i, r, kind_keys))
    _unique([s.key for s in meeting_series], "meeting_series", "key", r)
    code = r.get(city, "code", str, "city")
    if not re.fullmatch(r"\d{10}", code):
        r.fail("the city code is the 10-digit household-registration code", "city", key="code")
    prefix = r.get(city, "case_code_prefix", str, "city")
    if not re.fullmatch(r"[A-Z]{2,4}", prefix):
        r.fail("`case_code_prefix` is 2–4 capital letters", "city", key="case_code_prefix")
    rules = data.get("rules", {})
    if not isinstance(rules, dict):
        r.fail("[rules] must be a table", "rules")
    due_day = r.get(rules, "monthly_report_due_day", int, "rules", default=5)
    if not 1 <= due_day <= 28:
        r.fail("`monthly_report_due_day` is a day 1–28", "rules", key="monthly_report_due_day")
    target = r.get(rules, "caseload_target", int, "rules", default=25)
    if target < 1:
        r.fail("`caseload_target` must be positive", "rules", key="caseload_target")
    return Jurisdiction(
        monthly_report_due_day=due_day,
        caseload_target=target,
        extra_workdays=_dates(rules, "extra_workdays", r),
        extra_holidays=_dates(rules, "extra_holidays", r),
        nudge_rules=_nudge_rules(data, r),
        city_name=r.get(city, "name", str, "city"),
        city_name_en=r.get(city, "name_en", str, "city"),
        city_code=code,
        case_code_prefix=prefix,
        districts=districts,
        unit_kinds=kinds,
        units=units,
        meeting_series=meeting_series,
    )


def _unit(
    e: dict[str, Any], i: int, r: _Reader, kind_keys: set[str], district_names: set[str]
) -> Unit:
    role_text = r.get(e, "role", str, "units", i, default="network")
    if role_text not in {role.value for role in UnitRole}:
        r.fail(f"unknown unit role {role_text!r}", "units", i, "role")
    kind = r.get(e, "kind", str, "units", i)
    if kind not in kind_keys:
        r.fail(f"unit kind {kind!r} is not one of [[unit_kinds]]", "units", i, "kind")
    built = Unit(
        id=r.get(e, "id", str, "units", i),
        name=r.get(e, "name", str, "units", i),
        kind=kind,
        role=UnitRole(role_text),
        districts=r.strings(e, "districts", "units", i),
        covers=r.strings(e, "covers", "units", i),
    )
    for key, names in (("districts", built.districts), ("covers", built.covers)):
        for name in names:
            if name not in district_names:
                r.fail(f"{name!r} is not one of [[districts]]", "units", i, key)
    if built.role is UnitRole.FAMILY_SERVICE_CENTER and not built.covers:
        r.fail("a family service center must say which districts it `covers`", "units", i)
    if not re.fullmatch(r"[a-z0-9-]{1,40}", built.id):
        r.fail("unit ids are 1–40 lowercase letters, digits or '-'", "units", i, "id")
    return built


def _series(e: dict[str, Any], i: int, r: _Reader, kind_keys: set[str]) -> MeetingSeries:
    run_by = r.get(e, "run_by", str, "meeting_series", i)
    if run_by not in {role.value for role in UnitRole}:
        r.fail(f"unknown unit role {run_by!r}", "meeting_series", i, "run_by")
    months = r.get(e, "months", list, "meeting_series", i)
    if not months or not all(isinstance(m, int) and 1 <= m <= 12 for m in months):
        r.fail("`months` must list month numbers 1–12", "meeting_series", i, "months")
    due = r.get(e, "due", str, "meeting_series", i)
    if due not in {"in_month", "by_month_end"}:
        r.fail('`due` is "in_month" or "by_month_end"', "meeting_series", i, "due")
    scope = r.get(e, "scope", str, "meeting_series", i)
    if scope not in {"district", "city"}:
        r.fail('`scope` is "district" or "city"', "meeting_series", i, "scope")
    attendee_kinds = r.strings(e, "default_attendee_kinds", "meeting_series", i)
    for kind in attendee_kinds:
        if kind not in kind_keys:
            r.fail(
                f"unit kind {kind!r} is not one of [[unit_kinds]]",
                "meeting_series",
                i,
                "default_attendee_kinds",
            )
    cutoff = e.get("referral_cutoff_months_before")
    if cutoff is not None:
        cutoff = r.get(e, "referral_cutoff_months_before", int, "meeting_series", i)
    return MeetingSeries(
        key=r.get(e, "key", str, "meeting_series", i),
        name=r.get(e, "name", str, "meeting_series", i),
        name_en=r.get(e, "name_en", str, "meeting_series", i),
        clause=r.get(e, "clause", str, "meeting_series", i),
        scope=scope,
        run_by=UnitRole(run_by),
        months=tuple(sorted(months)),
        due=due,
        minutes_due_days=r.get(e, "minutes_due_days", int, "meeting_series", i),
        default_attendee_kinds=attendee_kinds,
        referral_cutoff_months_before=cutoff,
    )


def _nudge_rules(data: dict[str, Any], r: _Reader) -> NudgeRules:
    """[nudges]: the numbers of issue #6's table of nudges and the office hours they go out in;
    every key is optional and falls back to `NudgeRules`' default."""
    table = data.get("nudges", {})
    if not isinstance(table, dict):
        r.fail("[nudges] must be a table", "nudges")
    numbers = {spec.name for spec in fields(NudgeRules) if spec.name != "office_hours"}
    values: dict[str, Any] = {}
    hours: dict[str, time] = {}
    for key, value in table.items():
        if key in ("office_hours_start", "office_hours_end"):
            hours[key.removeprefix("office_hours_")] = _clock_time(value, key, r)
        elif key in numbers:
            values[key] = r.get(table, key, int, "nudges")
        else:
            known = ", ".join(sorted([*numbers, "office_hours_start", "office_hours_end"]))
            r.fail(f"unknown nudge rule `{key}` (known: {known})", "nudges", key=key)
    try:
        if hours:
            values["office_hours"] = OfficeHours(**hours)
        return NudgeRules(**values)
    except ValueError as error:
        r.fail(str(error), "nudges")


def _clock_time(value: object, key: str, r: _Reader) -> time:
    if isinstance(value, time) and value.tzinfo is None:
        return value
    parsed = None
    if isinstance(value, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        parsed = time.fromisoformat(value)
    if parsed is None:
        r.fail(f'`{key}` is a time of day like "08:30", not {value!r}', "nudges", key=key)
    return parsed


def _dates(rules: dict[str, Any], key: str, r: _Reader) -> tuple[date, ...]:
    values = rules.get(key, [])
    if not isinstance(values, list):
        r.fail(f"`{key}` must be a list of dates", "rules", key=key)
    found = []
    for value in values:
        if isinstance(value, date):
            found.append(value)
            continue
        try:
            found.append(date.fromisoformat(str(value)))
        except ValueError:
            r.fail(f"`{key}`: {value!r} is not a YYYY-MM-DD date", "rules", key=key)
    return tuple(found)


def _unique(values: list[str], table: str, key: str, r: _Reader) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            r.fail(f"{key} {value!r} appears twice", table, index, key)
        seen.add(value)
