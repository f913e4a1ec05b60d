"""Shared starting points of case-work transcripts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import time_machine

from bot.domain.roles import Role
from tests.e2e.test_referral import CODE, S01, S04, District, refer
from tests.transcript import World, active_member


@pytest.fixture
async def accepted(world: World) -> AsyncIterator[tuple[District, str]]:
    """中壢: the officer's referral S01, accepted with 陳社工 as case manager."""
    with time_machine.travel("2026-11-24 10:00 +0800", tick=True):
        district = District(
            world=world,
            officer=await active_member(world, Role.WORKER, "police-zhongli", "王警員"),
            supervisor=await active_member(world, Role.SUPERVISOR, "fsc-zhongli", "林督導"),
            social_worker=await active_member(world, Role.CASE_MANAGER, "fsc-zhongli", "陳社工"),
        )
        found = CODE.search((await refer(district.officer, S01)).text)
        assert found
        code = found[0]
        await district.supervisor.presses("受案")
        await district.supervisor.presses("陳社工")
        yield district, code


@pytest.fixture
async def guishan_suicide_case(world: World) -> AsyncIterator[tuple[District, str]]:
    """龜山: a district-office worker refers S04 (幸扶守護), accepted with 黃社工."""
    with time_machine.travel("2026-11-24 10:00 +0800", tick=True):
        district = District(
            world=world,
            officer=await active_member(world, Role.WORKER, "office-guishan", "吳幹事"),
            supervisor=await active_member(world, Role.SUPERVISOR, "fsc-guishan", "周督導"),
            social_worker=await active_member(world, Role.CASE_MANAGER, "fsc-guishan", "黃社工"),
        )
        found = CODE.search((await refer(district.officer, S04)).text)
        assert found
        await district.supervisor.presses("受案")
        await district.supervisor.presses("黃社工")
        yield district, found[0]
