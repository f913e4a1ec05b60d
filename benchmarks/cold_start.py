"""Cold start: from spawning `python -m bot run` (token mode, the sandbox as its Bot API server)
to the sandbox receiving the bot's first getUpdates — interpreter start, imports, settings,
migrations (a no-op on a current database), the units mirrored into the database, getMe,
setMyCommands, deleteWebhook, and the job queue started.

Both instants are CLOCK_MONOTONIC readings (the benchmark's before `Popen`, the recorder's when
the request arrived), comparable across processes on one machine. Each run is a fresh process on
the same database file; the database is the scale benchmark's when one is given.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx

from benchmarks.common import (
    OUR_TOKEN,
    Metric,
    Section,
    bot_env,
    median,
    probe_sandbox,
    remove_database,
    spawn,
)

TARGET_SECONDS = 2.0


def _first(http: httpx.Client, kind: str, bot_id: int, since: float) -> float | None:
    for event in http.get("/bench/events").json():
        stamp = event.get("t", event.get("t0", 0.0))
        if event["k"] == kind and event["bot"] == bot_id and stamp >= since:
            return float(stamp)
    return None


def _first_call(http: httpx.Client, bot_id: int, since: float) -> float | None:
    for event in http.get("/bench/events").json():
        if event["k"] == "call" and event["bot"] == bot_id and event["t0"] >= since:
            return float(event["t0"])
    return None


def measure(
    workdir: Path,
    *,
    runs: int,
    database: Path | None = None,
    bot_settings: dict[str, str] | None = None,
) -> Section:
    section = Section("cold_start")
    section.params = {
        "runs": runs,
        "database": str(database or "fresh (migrated once)"),
        "bot_settings": bot_settings or {},
    }
    var = workdir / "cold-start-var"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    if database is not None:
        shutil.copyfile(database, var / "safetynet.db")
    bot_id = int(OUR_TOKEN.split(":")[0])
    to_poll: list[float] = []
    to_first_call: list[float] = []
    first_run: float | None = None
    with (
        probe_sandbox(workdir, "cold-start") as (base, _sandbox),
        httpx.Client(base_url=base) as http,
    ):
        env = bot_env(base, var, **(bot_settings or {}))
        extra = 1 if database is None else 0  # run 0 migrates a fresh database: on its own
        for index in range(runs + extra):
            process = spawn(["bot", "run"], env, workdir / f"cold-start-{index}.log")
            try:
                polled = None
                deadline = time.monotonic() + 120
                while polled is None and time.monotonic() < deadline:
                    if process.popen.poll() is not None:
                        raise RuntimeError(f"the bot stopped:\n{process.output()[-3000:]}")
                    polled = _first(http, "getUpdates", bot_id, process.started)
                    if polled is None:
                        time.sleep(0.01)
                if polled is None:
                    raise RuntimeError("the bot never polled")
                called = _first_call(http, bot_id, process.started)
            finally:
                process.stop()
            if index < extra:
                first_run = polled - process.started
                continue
            to_poll.append(polled - process.started)
            if called is not None:
                to_first_call.append(called - process.started)
            http.delete("/bench/events")
    if database is not None:
        remove_database(var)
    section.add(
        Metric(
            "process start → first getUpdates",
            _r(median(to_poll)),
            "s",
            target=TARGET_SECONDS,
            runs=[round(v, 3) for v in to_poll],
            note="median",
        )
    )
    section.add(
        Metric(
            "process start → first Bot API call (getMe)",
            _r(median(to_first_call)),
            "s",
            runs=[round(v, 3) for v in to_first_call],
        )
    )
    if first_run is not None:
        section.add(Metric("first start on an empty database (migrations)", _r(first_run), "s"))
    return section


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
