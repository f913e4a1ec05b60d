"""The jurisdiction file: Taoyuan loads whole, and every mistake names its line."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.domain.nudges import NudgeRules, OfficeHours
from bot.domain.roles import Role, UnitRole
from bot.jurisdictions import DEFAULT_JURISDICTION, JurisdictionError, load_jurisdiction


def test_taoyuan_has_its_13_districts_each_with_a_family_service_center() -> None:
    taoyuan = load_jurisdiction()
    assert taoyuan.city_code == "1000300000"
    assert [d.name for d in taoyuan.districts][:3] == ["桃園區", "中壢區", "平鎮區"]
    assert len(taoyuan.districts) == 13
    for district in taoyuan.districts:
        assert taoyuan.centers_covering(district.name), district.name
    # 桃園區 has had a second center since 2022 (docs/domain.md §6).
    assert len(taoyuan.centers_covering("桃園區")) == 2
    fuxing = taoyuan.district("復興區")
    assert fuxing is not None
    assert fuxing.mountain


def test_the_three_meeting_series_follow_the_plan() -> None:
    series = {s.key: s for s in load_jurisdiction().meeting_series}
    assert series["case_conference"].months == (3, 6, 9, 11)
    assert series["case_conference"].referral_cutoff_months_before == 1
    assert series["district_liaison"].months == (4, 7, 11)
    assert series["district_liaison"].due == "by_month_end"
    assert all(s.minutes_due_days == 7 for s in series.values())


def test_the_nudge_table_is_read_from_the_file_with_the_issue_defaults(tmp_path: Path) -> None:
    taoyuan = load_jurisdiction()
    assert taoyuan.nudge_rules == NudgeRules()  # the file writes the defaults down
    later = _broken(
        tmp_path,
        'office_hours_start = "08:30"\noffice_hours_end = "17:30"',
        'office_hours_start = "09:00"\noffice_hours_end = "17:00"',
    )
    rules = load_jurisdiction(later).nudge_rules
    assert rules.office_hours == OfficeHours(time(9), time(17))
    assert rules.report_working_days_before == 3


def test_a_file_without_a_nudges_table_keeps_the_defaults(tmp_path: Path) -> None:
    text = DEFAULT_JURISDICTION.read_text(encoding="utf-8")
    start = text.index("[nudges]")
    end = text.index("# Network unit kinds")
    path = tmp_path / "bare.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert load_jurisdiction(path).nudge_rules == NudgeRules()


def test_a_worker_picks_among_the_network_units_of_a_district() -> None:
    taoyuan = load_jurisdiction()
    names = [u.name for u in taoyuan.units_for_role(Role.WORKER, "中壢區")]
    assert "桃園市政府警察局中壢分局" in names
    assert "中壢家庭服務中心" not in names
    precinct = taoyuan.unit("police-yangmei")
    assert precinct is not None
    assert taoyuan.centers_of_unit(precinct) == {"fsc-yangmei", "fsc-xinwu"}
    assert all(
        u.role is UnitRole.FAMILY_SERVICE_CENTER
        for u in taoyuan.units_for_role(Role.CASE_MANAGER, "八德區")
    )


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_JURISDICTION.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "city.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_an_unknown_district_in_a_unit_names_the_line(tmp_path: Path) -> None:
    path = _broken(
        tmp_path,
        'districts = ["八德區"]\n\n[[units]]\nid = "fire-yangmei"',
        'districts = ["八得區"]\n\n[[units]]\nid = "fire-yangmei"',
    )
    with pytest.raises(JurisdictionError) as raised:
        load_jurisdiction(path)
    assert "八得區" in str(raised.value)
    assert raised.value.line == _line_of(path, '"八得區"')


def test_a_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = _broken(tmp_path, 'name_en = "Taoyuan City"', 'name_en = "Taoyuan City')
    with pytest.raises(JurisdictionError) as raised:
        load_jurisdiction(path)
    assert raised.value.line == _line_of(path, 'name_en = "Taoyuan City')


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ('kind = "police"\nrole = "network"', 'kind = "polise"\nrole = "network"', "polise"),
        ("months = [3, 6, 9, 11]", "months = [3, 6, 9, 13]", "month numbers"),
        ('code = "1000300000"', 'code = "10003"', "10-digit"),
        ('id = "fsc-bade"', 'id = "fsc-zhongli"', "appears twice"),
        ('role = "bureau"', 'role = "network"', "bureau"),
        ('office_hours_start = "08:30"', 'office_hours_start = "8:30am"', "time of day"),
        ('office_hours_end = "17:30"', 'office_hours_end = "07:30"', "start before they end"),
        ("minutes_days_after = 5", "minutes_days_afer = 5", "unknown nudge rule"),
        ("minutes_escalate_days_after = 8", "minutes_escalate_days_after = 4", "greater than"),
        ("report_working_days_before = 3", "report_working_days_before = 0", "≥ 1"),
        ("report_admin_days_after = 7", 'report_admin_days_after = "7"', "whole number|int"),
    ],
)
def test_other_mistakes_are_reported_clearly(tmp_path: Path, old: str, new: str, says: str) -> None:
    with pytest.raises(JurisdictionError, match=says) as raised:
        load_jurisdiction(_broken(tmp_path, old, new))
    assert raised.value.line is not None


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(JurisdictionError, match="cannot be read"):
        load_jurisdiction(tmp_path / "nowhere.toml")
