"""Shared starting points of case-work transcripts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import time_machine

from bot.domain.roles import Role
from tests.e2e.test_referral import CODE, S01, S04, District, refer
from tests.transcript import World, active_member


async def accepted_case(
    world: World, sample: str, referrer: tuple[str, str], center: str, staff: tuple[str, str]
) -> tuple[District, str]:
    """`referrer` (unit, name) refers `sample`; the center's supervisor `staff[0]` accepts it
    with case manager `staff[1]`."""
    supervisor, case_manager = staff
    district = District(
        world=world,
        officer=await active_member(world, Role.WORKER, *referrer),
        supervisor=await active_member(world, Role.SUPERVISOR, center, supervisor),
        social_worker=await active_member(world, Role.CASE_MANAGER, center, case_manager),
    )
    found = CODE.search((await refer(district.officer, sample)).text)
    assert found
    await district.supervisor.presses("受案")
    await district.supervisor.presses(case_manager)
    return district, found[0]


@pytest.fixture
async def accepted(world: World) -> AsyncIterator[tuple[District, str]]:
    """中壢: the officer's referral S01, accepted with 陳社工 as case manager."""
    with time_machine.travel("2026-11-24 10:00 +0800", tick=True):
        yield await accepted_case(
            world, S01, ("police-zhongli", "王警員"), "fsc-zhongli", ("林督導", "陳社工")
        )


@pytest.fixture
async def guishan_suicide_case(world: World) -> AsyncIterator[tuple[District, str]]:
    """龜山: a district-office worker refers S04 (幸扶守護), accepted with 黃社工."""
    with time_machine.travel("2026-11-24 10:00 +0800", tick=True):
        yield await accepted_case(
            world, S04, ("office-guishan", "吳幹事"), "fsc-guishan", ("周督導", "黃社工")
        )
