"""/mycases and /search at the storage layer: the page a reader gets is exactly the newest of
what their role lets them see — their center's, referred or managed by them, served by their
unit — filtered as asked, and the count is exact up to the cap, "over" beyond it.

The listing finds the newest rows reason by reason (an index walk each) instead of one query
ORing the reasons; these tests hold it to the plain definition, computed here in Python."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage import Database, open_database
from storage.migrate import upgrade
from storage.repositories import referrals as referral_rows
from storage.repositories.referrals import Scope
from storage.schema import case_team, referrals, staff, units

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
CENTERS = ("fsc-a", "fsc-b")
UNITS = (*CENTERS, "police-a", "school-a")
STAFF = (1, 2, 3)
ALIASES = ("林○明", "王○明", "陳○華", "林○婷", None)
STATUSES = ("waiting", "accepted", "returned")


def referral(number: int, row: dict[str, object]) -> dict[str, object]:
    return {
        "id": number,
        "code": f"TY-115-{number:05d}",
        "submission_key": f"k{number}",
        "district": row["district"],
        "alias": row["alias"],
        "categories": "",
        "needs": "",
        "priority_flags": "",
        "serving_units": "[]",
        "urgent": False,
        "mandatory_report": False,
        "status": row["status"],
        "referrer_id": row["referrer"],
        "center_id": row["center"],
        "case_manager_id": row["manager"],
        "adhoc": False,
        "tracked": False,
        "created_at": NOW,
        "updated_at": NOW,
    }


ROWS = st.lists(
    st.fixed_dictionaries(
        {
            "district": st.sampled_from(("中壢區", "龜山區")),
            "alias": st.sampled_from(ALIASES),
            "status": st.sampled_from(STATUSES),
            "referrer": st.sampled_from(STAFF),
            "center": st.sampled_from(CENTERS),
            "manager": st.sampled_from((None, *STAFF)),
            # units serving the case now, and units that served it once (left)
            "team": st.sets(st.sampled_from(UNITS), max_size=2),
            "left": st.sets(st.sampled_from(UNITS), max_size=1),
        }
    ),
    max_size=40,
)
SCOPES = st.one_of(
    st.just(Scope(everything=True)),
    st.builds(
        Scope,
        center_ids=st.sampled_from(((), ("fsc-a",), ("fsc-b",))),
        referrer_id=st.sampled_from((None, *STAFF)),
        case_manager_id=st.sampled_from((None, *STAFF)),
        team_unit_id=st.sampled_from((None, *UNITS)),
    ),
)


def visible(scope: Scope, number: int, row: dict[str, object]) -> bool:
    """The rule, as docs/domain.md states it for each role's scope."""
    return (
        scope.everything
        or row["center"] in scope.center_ids
        or (scope.referrer_id is not None and row["referrer"] == scope.referrer_id)
        or (scope.case_manager_id is not None and row["manager"] == scope.case_manager_id)
        or (scope.team_unit_id is not None and scope.team_unit_id in row["team"])  # type: ignore[operator]
    )


async def stored(db: Database, rows: list[dict[str, object]]) -> None:
    async with db.write() as conn:
        for unit in UNITS:
            await conn.execute(units.insert().values(id=unit, name=unit, kind="x", role="x"))
        for person in STAFF:
            await conn.execute(
                staff.insert().values(
                    id=person,
                    telegram_user_id=1000 + person,
                    role="worker",
                    unit_id="police-a",
                    status="active",
                    locale="zh-TW",
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        for number, row in enumerate(rows, 1):
            await conn.execute(referrals.insert().values(**referral(number, row)))
            for unit in row["team"]:  # type: ignore[attr-defined]
                await conn.execute(
                    case_team.insert().values(referral_id=number, unit_id=unit, since=NOW)
                )
            for unit in set(row["left"]) - set(row["team"]):  # type: ignore[call-overload]
                await conn.execute(
                    case_team.insert().values(
                        referral_id=number, unit_id=unit, since=NOW, until=NOW
                    )
                )


FILTERS = st.sampled_from(
    (
        {},
        {"statuses": ["waiting", "accepted"]},
        {"alias_fragment": "○明"},
        {"alias_fragment": "林"},
        {"district": "龜山區"},
        {"code": "TY-115-00003"},
        {"statuses": ["accepted"], "alias_fragment": "林"},
    )
)


def passes(filters: dict[str, object], number: int, row: dict[str, object]) -> bool:
    statuses = filters.get("statuses")
    fragment = filters.get("alias_fragment")
    return (
        (statuses is None or row["status"] in statuses)  # type: ignore[operator]
        and (fragment is None or (row["alias"] is not None and fragment in row["alias"]))  # type: ignore[operator]
        and ("district" not in filters or row["district"] == filters["district"])
        and ("code" not in filters or f"TY-115-{number:05d}" == filters["code"])
    )


@settings(max_examples=60, deadline=None)
@given(rows=ROWS, scope=SCOPES, filters=FILTERS, page=st.integers(0, 3), cap=st.integers(1, 12))
def test_a_page_is_the_newest_of_what_the_scope_shows(
    rows: list[dict[str, object]],
    scope: Scope,
    filters: dict[str, object],
    page: int,
    cap: int,
) -> None:
    expected = [
        number
        for number, row in sorted(enumerate(rows, 1), reverse=True)
        if visible(scope, number, row) and passes(filters, number, row)
    ]

    async def check() -> None:
        with tempfile.TemporaryDirectory() as folder:
            db = open_database(f"sqlite+aiosqlite:///{Path(folder) / 'x.db'}")
            try:
                await upgrade(db)
                await stored(db, rows)
                with pytest.MonkeyPatch.context() as patch:
                    patch.setattr(referral_rows, "COUNT_CAP", cap)
                    async with db.read() as conn:
                        found, total = await referral_rows.listing(
                            conn,
                            scope,
                            limit=3,
                            offset=page * 3,
                            **filters,  # type: ignore[arg-type]
                        )
            finally:
                await db.close()
        assert [r.id for r in found] == expected[page * 3 : page * 3 + 3]
        counted_to = max(cap, page * 3 + 3)
        assert total == min(len(expected), counted_to + 1)

    asyncio.run(check())


async def test_nobody_sees_anything_through_an_empty_scope(tmp_path: Path) -> None:
    db = open_database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        await upgrade(db)
        row = {
            "district": "中壢區",
            "alias": "林○明",
            "status": "accepted",
            "referrer": 1,
            "center": "fsc-a",
            "manager": 2,
            "team": {"police-a"},
            "left": set(),
        }
        await stored(db, [row])
        async with db.read() as conn:
            assert await referral_rows.listing(conn, Scope()) == ([], 0)
    finally:
        await db.close()
