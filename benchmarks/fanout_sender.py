"""The nudge sender in its own process, for the fan-out benchmark.

`python -m benchmarks.fanout_sender --start 2026-11-24T10:00:00+08:00 [--offset S] [--every S]`
opens the services and builds the Application exactly as `safetynet run` does (token mode, the
environment pointing at the sandbox; `AIORateLimiter`, the `Pacer` at SAFETYNET_SEND_RATE), and
calls `handlers.nudges.send_now(bot, services, now)` until no row is left to send.

`now` is a clock of its own: `--start` plus the seconds since this process began plus
`--offset`, so a run always falls on a working-day morning (the sender only sends within office
hours) and a restarted sender can be placed after the lease of the one that was killed.
`--every 0` sends again as soon as a pass ends (what the sender can do); `--every 15` fires like
the job queue's tick (`SEND_SECONDS`): each tick sends passes until the work runs out or the next
tick is a second away (`handlers.nudges.send_for`, the job's body), and a tick still running when
the next is due skips it.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.app import build_application, open_services
from bot.config import load_settings
from bot.logs import configure_logging
from bot.services import Services
from handlers.nudges import send_for, send_now
from storage.schema import nudges


async def _left(services: Services) -> int:
    async with services.db.read() as conn:
        query = (
            select(func.count())
            .select_from(nudges)
            .where(nudges.c.state.in_(["pending", "claimed", "sending"]))
        )
        return int((await conn.execute(query)).scalar_one())


async def run(start: datetime, offset: float, every: float, limit: float) -> None:
    settings = load_settings()
    configure_logging(settings.log_level, [settings.token.reveal(), settings.secret_key.reveal()])
    services = await open_services(settings)
    began = time.monotonic()

    def now() -> datetime:
        return start + timedelta(seconds=time.monotonic() - began + offset)

    application = build_application(services)
    try:
        async with application:
            print("sender ready", flush=True)
            tick = 0
            while time.monotonic() - began < limit:
                if every > 0:
                    fire = began + tick * every
                    if fire > time.monotonic():
                        await asyncio.sleep(fire - time.monotonic())
                if every > 0:  # the job's tick: passes until the work or the tick is over
                    await send_for(application.bot, services, every - 1, now)
                else:
                    await send_now(application.bot, services, now())
                if every > 0:  # the next tick not yet begun (a running job skips its ticks)
                    tick = int((time.monotonic() - began) // every) + 1
                left = await _left(services)
                print(f"left {left}", flush=True)
                if left == 0:
                    break
                if every <= 0:
                    await asyncio.sleep(0.05)
    finally:
        await services.db.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fanout_sender")
    parser.add_argument("--start", type=datetime.fromisoformat, required=True)
    parser.add_argument("--offset", type=float, default=0.0)
    parser.add_argument("--every", type=float, default=0.0)
    parser.add_argument("--limit", type=float, default=900.0, help="give up after (seconds)")
    options = parser.parse_args()
    asyncio.run(run(options.start, options.offset, options.every, options.limit))


if __name__ == "__main__":
    main()
