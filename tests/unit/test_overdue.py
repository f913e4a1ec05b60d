"""/overdue's pure parts: days overdue, who sees which unit, grouping and order, and a message
cut to fit Telegram's limit."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.roles import Role
from bot.overdue import OverdueItem, OverdueKind, days_overdue, grouped, in_scope
from bot.render import LOCALES, Texts
from handlers.overdue import ITEM_CAPS, ITEMS_PER_UNIT, Compose, fitted, telegram_length


def item(
    due: date, code: str = "TY-115-00001", kind: OverdueKind = OverdueKind.NEXT_STEP
) -> OverdueItem:
    return OverdueItem(kind=kind, due=due, days_overdue=0, code=code)


def test_days_overdue_count_from_the_day_after_the_due_day() -> None:
    due = date(2026, 12, 7)
    assert days_overdue(due, date(2026, 12, 7)) == 0  # the due day itself still counts
    assert days_overdue(due, date(2026, 12, 8)) == 1
    assert days_overdue(due, date(2027, 1, 6)) == 30
    assert days_overdue(due, date(2026, 12, 1)) == 0


def test_the_bureau_sees_every_unit() -> None:
    assert in_scope(Role.ADMIN, "sab", "police-zhongli")
    assert in_scope(Role.ADMIN, "sab", "fsc-guishan", "fsc-guishan")


def test_a_supervisor_sees_their_center_and_what_is_owed_on_its_cases() -> None:
    assert in_scope(Role.SUPERVISOR, "fsc-zhongli", "fsc-zhongli")
    # A police officer's next step on one of the center's cases.
    assert in_scope(Role.SUPERVISOR, "fsc-zhongli", "police-zhongli", "fsc-zhongli")
    assert not in_scope(Role.SUPERVISOR, "fsc-zhongli", "police-zhongli")
    assert not in_scope(Role.SUPERVISOR, "fsc-zhongli", "fsc-guishan", "fsc-guishan")
    assert not in_scope(Role.SUPERVISOR, None, "fsc-zhongli")


@pytest.mark.parametrize("role", [Role.WORKER, Role.CASE_MANAGER, Role.SECRETARIAT])
def test_nobody_else_sees_anything(role: Role) -> None:
    assert not in_scope(role, "fsc-zhongli", "fsc-zhongli", "fsc-zhongli")


def test_units_follow_the_jurisdiction_and_items_the_oldest_due_first() -> None:
    late = item(date(2026, 11, 27), "TY-115-00002")
    later = item(date(2026, 12, 7), "TY-115-00001", OverdueKind.MONTHLY_REPORT)
    units = grouped(
        [
            ("police-zhongli", later),
            ("unknown", late),
            ("fsc-zhongli", later),
            ("fsc-zhongli", late),
        ],
        {"fsc-zhongli": "中壢家庭服務中心", "police-zhongli": "中壢分局"},
        ["fsc-zhongli", "police-zhongli"],
    )
    assert [(u.unit_id, u.unit_name) for u in units] == [
        ("fsc-zhongli", "中壢家庭服務中心"),
        ("police-zhongli", "中壢分局"),
        ("unknown", "unknown"),
    ]
    assert units[0].items == [late, later]


def test_nothing_overdue_is_no_units() -> None:
    assert grouped([], {}, ["fsc-zhongli"]) == []


def fake_compose(units: int, per_unit: int, line: str) -> tuple[list[tuple[int, int]], Compose]:
    """A message of `units` units of `per_unit` lines, recording what was tried."""
    tried: list[tuple[int, int]] = []

    def compose(cap: int, shown: int) -> str:
        tried.append((cap, shown))
        lines = ["title"]
        for _ in range(shown):
            lines += ["unit", *[line] * min(cap, per_unit)]
            if per_unit > cap:
                lines.append("more")
        if shown < units:
            lines.append("more units")
        return "\n".join(lines)

    return tried, compose


def test_a_short_list_is_shown_whole() -> None:
    tried, compose = fake_compose(3, 4, "• 下一步")
    text = fitted(compose, 3)
    assert tried == [(ITEMS_PER_UNIT, 3)]
    assert text.count("• 下一步") == 12


def test_a_long_list_shows_fewer_items_per_unit_first() -> None:
    tried, compose = fake_compose(10, 40, "• " + "下" * 60)
    text = fitted(compose, 10)
    assert telegram_length(text) <= 4096
    assert [cap for cap, _ in tried] == [ITEMS_PER_UNIT, 5]
    assert text.count("more") == 10


def test_too_many_units_are_cut_last() -> None:
    tried, compose = fake_compose(3000, 1, "• x")
    text = fitted(compose, 3000)
    assert telegram_length(text) <= 4096
    assert "more units" in text
    assert all(cap == 0 for cap, _ in tried[len(ITEM_CAPS) :])
    shown = text.count("unit") - 1  # headings, less the "more units" line
    assert 0 < shown < 3000
    assert telegram_length(compose(0, shown + 1)) > 4096  # as many units as fit


def test_emoji_count_twice() -> None:
    assert telegram_length("⚠️") == 2
    assert telegram_length("😀") == 2
    assert telegram_length("逾期") == 2


@pytest.mark.parametrize("locale", LOCALES)
def test_every_kind_and_line_renders(locale: str) -> None:
    texts = Texts()
    for kind in OverdueKind:
        assert texts.render(locale, f"overdue.kind.{kind.value}", detail="1")
    line = texts.render(
        locale,
        "overdue.line",
        label="x",
        subject="TY-115-00001",
        due=date(2026, 12, 7),
        days=0,
        owner=None,
    )
    assert "115/12/07" in line
    assert texts.render(locale, "overdue.none", center=None, day=date(2026, 12, 7))
