"""The scale benchmark's measuring process: the bot's services on the synthetic database.

`python -m benchmarks.scale_worker --lookups 200 --passes 3` (environment as for `safetynet
run`) opens the services as the bot does, then times, per operation:

- storage layer (the target: p95 ≤ 5 ms) — `referrals.by_code` + `cases.team` (what /case
  reads), `referrals.listing` with the reader's scope and open statuses (/mycases, first page),
  `referrals.listing` with the filters /search builds (an alias fragment, a district, a code);
- service layer (what the handler calls, audit write included) — `Referrals.view`, `.mine`,
  `.search`;
- the planner on a working-day morning (`_planning`): working out what is due, storing it in an
  empty outbox, the steady pass the scheduler repeats, a sender's re-check of a claim.

Readers are sampled from the active staff of each role. Peak RSS (VmHWM) is taken after the
lookups and again after the planning passes. One JSON object is printed on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import delete, select

from benchmarks.common import rss_peak_kb
from bot.accounts import Staff
from bot.app import open_services
from bot.config import load_settings
from bot.domain.referral_status import ReferralStatus
from bot.services import Services
from storage.repositories import cases, referrals
from storage.schema import nudges as nudges_table
from storage.schema import referrals as referrals_table
from storage.schema import staff as staff_table

MOMENT = datetime.fromisoformat("2026-11-24T10:00:00+08:00")
OPEN = [ReferralStatus.WAITING.value, ReferralStatus.ACCEPTED.value]
SEARCHES = ("林○", "王○明", "陳", "中壢", "龜山區", "受案", "TY-115-00042", "黃○婷")


def _peak_mb() -> float:
    """VmHWM of this process. Not ru_maxrss: on Linux that keeps the parent's high-water mark
    across fork and exec, and the parent here may be the generator holding a million rows."""
    found = rss_peak_kb(os.getpid())
    if found is None:
        found = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(found / 1024, 1)


async def _readers(services: Services, rng: random.Random) -> list[Staff]:
    async with services.db.read() as conn:
        rows = (
            await conn.execute(
                select(staff_table.c.id, staff_table.c.role).where(staff_table.c.status == "active")
            )
        ).all()
    by_role: dict[str, list[int]] = {}
    for staff_id, role in rows:
        by_role.setdefault(role, []).append(staff_id)
    chosen = []
    for role, count in (("case_manager", 20), ("supervisor", 10), ("worker", 20), ("admin", 2)):
        ids = by_role.get(role, [])
        chosen += rng.sample(ids, min(count, len(ids)))
    found = [await services.accounts.by_id(staff_id) for staff_id in chosen]
    return [member for member in found if member is not None]


async def _codes(services: Services, rng: random.Random, count: int) -> list[str]:
    async with services.db.read() as conn:
        top = (
            await conn.execute(
                select(referrals_table.c.id).order_by(referrals_table.c.id.desc()).limit(1)
            )
        ).scalar_one()
        ids = [rng.randint(1, int(top)) for _ in range(count)]
        rows = (
            await conn.execute(select(referrals_table.c.code).where(referrals_table.c.id.in_(ids)))
        ).all()
    return [row[0] for row in rows]


def _search_filters(services: Services, text: str) -> dict[str, Any]:
    """The filters `Referrals.search` builds from a query (mirrored, to time the storage call)."""
    statuses = {"受案": ReferralStatus.ACCEPTED.value, "待分派": ReferralStatus.WAITING.value}
    jurisdiction = services.jurisdiction
    district = jurisdiction.district(text) or jurisdiction.district(f"{text}區")
    if text in statuses:
        return {"statuses": [statuses[text]]}
    if district is not None:
        return {"district": district.name}
    if text.upper().startswith(f"{jurisdiction.case_code_prefix}-"):
        return {"code": text.upper()}
    return {"alias_fragment": text}


async def _timed(
    times: dict[str, list[float]], name: str, call: Callable[[], Awaitable[object]]
) -> None:
    started = time.perf_counter()
    await call()
    times.setdefault(name, []).append(time.perf_counter() - started)


async def measure(lookups: int, passes: int) -> dict[str, Any]:
    rng = random.Random(7)  # noqa: S311 — a reproducible sample, not a secret
    began = time.perf_counter()
    services = await open_services(load_settings())
    opened = time.perf_counter() - began
    times: dict[str, list[float]] = {}
    try:
        readers = await _readers(services, rng)
        codes = await _codes(services, rng, lookups)
        db = services.db
        for index in range(lookups):
            member = readers[index % len(readers)]
            code = codes[index % len(codes)]
            scope = services.referrals.scope_for(member)
            query = SEARCHES[index % len(SEARCHES)]
            filters = _search_filters(services, query)

            async def case(code: str = code) -> None:
                async with db.read() as conn:
                    found = await referrals.by_code(conn, code)
                    if found is not None:
                        await cases.team(conn, found.id)

            async def mine(scope: referrals.Scope = scope) -> None:
                async with db.read() as conn:
                    await referrals.listing(conn, scope, statuses=OPEN, limit=5)

            async def search(
                scope: referrals.Scope = scope, filters: dict[str, Any] = filters
            ) -> None:
                async with db.read() as conn:
                    await referrals.listing(conn, scope, limit=5, **filters)

            await _timed(times, "storage /case", case)
            await _timed(times, "storage /mycases", mine)
            await _timed(times, "storage /search", search)
            await _timed(times, "service /case", partial(services.referrals.view, member, code))
            await _timed(times, "service /mycases", partial(services.referrals.mine, member, 0))
            await _timed(
                times, "service /search", partial(services.referrals.search, member, query, 0)
            )
        after_lookups = _peak_mb()
        planning = await _planning(services, passes, times)
    finally:
        await services.db.close()
    return {
        "open_services_seconds": opened,
        "times": times,
        "readers": len(readers),
        **planning,
        "peak_rss_mb_after_lookups": after_lookups,
        "peak_rss_mb": _peak_mb(),
    }


async def _planning(
    services: Services, passes: int, times: dict[str, list[float]]
) -> dict[str, Any]:
    """The planner at scale, on an outbox emptied first and again at the end (the database is
    shared with later benchmarks, which should find it as generated):

    - `due_by`: working out every nudge due (reads only);
    - the first `plan`: that, and storing every one of them in an empty outbox;
    - later `plan`s: what the scheduler's tick does every few minutes — everything is stored
      already, so it works out what is due and finds nothing new;
    - a sender's re-check of a claim: `due_by` about the 500 subjects of the rows it took.
    """
    planner = services.nudges.planner
    async with services.db.write() as conn:
        await conn.execute(delete(nudges_table))
    due_counts = []
    for _ in range(passes):
        started = time.perf_counter()
        due = await planner.due_by(MOMENT)
        times.setdefault("planner due_by", []).append(time.perf_counter() - started)
        due_counts.append(len(due))
    started = time.perf_counter()
    stored = await planner.plan(MOMENT)
    times["planner first plan"] = [time.perf_counter() - started]
    for _ in range(passes):
        started = time.perf_counter()
        await planner.plan(MOMENT)
        times.setdefault("planner plan", []).append(time.perf_counter() - started)
    async with services.db.read() as conn:
        query = select(nudges_table.c.subject).where(nudges_table.c.state == "pending")
        subjects = {row[0] for row in (await conn.execute(query.limit(500))).all()}
    for _ in range(passes):
        started = time.perf_counter()
        await planner.due_by(MOMENT, subjects=subjects)
        times.setdefault("planner claim re-check", []).append(time.perf_counter() - started)
    async with services.db.write() as conn:
        await conn.execute(delete(nudges_table))
    return {"due": due_counts, "stored": stored, "claim_subjects": len(subjects)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale_worker")
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--passes", type=int, default=3)
    options = parser.parse_args()
    print(json.dumps(asyncio.run(measure(options.lookups, options.passes))))


if __name__ == "__main__":
    main()
