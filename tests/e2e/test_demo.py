"""The demo district: seeded through the product's own services, obviously fictional, kept in
its own file, and present in the sandbox for the web chat after `safetynet run --demo`."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
import time_machine
from sqlalchemy import select

from bot.app import open_services
from bot.cases import taipei_today
from bot.config import load_settings
from bot.demo import PEOPLE, NotDemoDataError, seed
from bot.domain.roles import Role
from storage.schema import meetings, referrals
from tests.processes import CLEAN_ENV, free_port, running
from tests.transcript import World, active_member

pytestmark = pytest.mark.e2e

NATIONAL_ID = re.compile(r"[A-Z][12]\d{8}")


async def test_the_demo_district_is_believable_and_fictional(tmp_path: Path) -> None:
    settings = load_settings({}, var_dir=tmp_path / "var", demo=True)
    assert settings.database_url.endswith("demo.db")
    services = await open_services(settings)
    try:
        assert await seed(services) is True
        assert await seed(services) is False  # once only
        async with services.db.read() as conn:
            rows = (await conn.execute(select(referrals))).all()
            planned = (await conn.execute(select(meetings))).all()
        statuses = {r.status for r in rows}
        assert len(rows) == 30
        assert statuses == {"waiting", "accepted", "returned"}
        assert all("○" in (r.alias or "") for r in rows)
        assert sum(1 for r in rows if r.tracked) == 2
        assert {m.series_key for m in planned} == {"case_conference", "district_liaison"}
        for row in rows:
            record = await services.referrals.by_id(row.id)
            assert record is not None
            assert not NATIONAL_ID.search(services.referrals.narrative(record) or "")
        overdue = [
            o for o in await services.cases.obligations_at(taipei_today()) if o.state == "overdue"
        ]
        assert overdue  # the tracked cases owe late reports
        for person in PEOPLE:
            member = await services.accounts.by_telegram_id(person.telegram_user_id)
            assert member is not None
            assert member.active
            assert member.display_name == person.name
            assert person.name.startswith("示範")
    finally:
        await services.db.close()


async def test_a_database_with_other_data_is_never_mixed_with_the_demo(world: World) -> None:
    await active_member(world, Role.ADMIN, "sab", "真的科長")
    with pytest.raises(NotDemoDataError):
        await seed(world.bot_services)


def test_run_demo_puts_the_demo_people_in_the_sandbox(tmp_path: Path) -> None:
    port = free_port()
    env = {**CLEAN_ENV, "SAFETYNET_VAR_DIR": str(tmp_path / "var")}
    with running(["bot", "run", "--demo", "--port", str(port)], env) as bot:
        banner = bot.read_until("Ctrl-C", timeout=60)
        assert "示範林督導（supervisor）" in banner  # whom to play, as `safetynet demo` says
        assert "first admin" not in banner
        assert f"網頁對話 / web chat:  http://127.0.0.1:{port}/" in banner
        users = httpx.get(f"http://127.0.0.1:{port}/sandbox/users", timeout=5).json()
        bots = httpx.get(f"http://127.0.0.1:{port}/sandbox/bots", timeout=5).json()
    assert [b["first_name"] for b in bots] == ["社安網協作機器人"]  # the web chat's header
    assert {u["first_name"] for u in users} >= {p.name for p in PEOPLE}
    assert (tmp_path / "var" / "demo.db").exists()
    assert not (tmp_path / "var" / "sandbox.db").exists()


async def test_report_lists_every_report_owed_oldest_first_with_the_overdue_marked(
    world: World,
) -> None:
    """示範陳社工 manages many cases; the two tracked ones owe reports from months back, and are
    not among the most recently changed — /report still lists them, as /overdue does."""
    with time_machine.travel("2026-11-24 10:00 +0800", tick=True):
        assert await seed(world.bot_services) is True
        chen = next(p for p in PEOPLE if p.name == "示範陳社工")
        worker = await world.person(chen.name, user_id=chen.telegram_user_id)
        overdue = (await worker.says("/overdue"))[-1].text
        replies = await worker.says("/report")
    listing = replies[-1].text
    codes = re.findall(r"TY-115-\d{5}", listing)
    assert codes
    assert set(re.findall(r"TY-115-\d{5}", overdue)) <= set(codes)
    assert "⚠️逾期" in listing
    assert "115年8月" in listing
    assert "2026-" not in listing
    assert set(codes) <= {replies[-1].labels[i].split()[0] for i in range(len(replies[-1].labels))}
