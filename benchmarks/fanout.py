"""Nudge fan-out under Telegram's limits: N pending nudge rows for M people, sent by the product's
sender (`handlers.nudges.send_now` in its own process, benchmarks/fanout_sender.py) to a sandbox
enforcing 30 messages/s overall and 1/s per chat (429 with retry_after beyond them).

The rows are `recipient_unreachable` notices ("X blocked the bot, please reach them"), planned
through the storage layer (`storage.repositories.nudges.plan`) with the product's dedupe key.
They are the one kind the outbox keeps without re-checking against the planner's data
(`bot.nudges.UNREACHABLE`), so thousands of rows need no thousands of synthetic duties; the
claim still runs the planner's full re-check pass (`Planner.due_by`) every time, on this small
database. Each row names one of a few fictional staff ("封鎖者07"), so every digest line can be
traced back to its row: a row seen twice is a duplicate, a row never seen and not marked
`unknown` is a loss.

The kill-and-restart variant waits until half the digests are out, has the sandbox hold the
answer to the next sendMessage for 10 s (the message is delivered, the answer is late: a fault of
the sandbox's control API), SIGKILLs the sender while it waits for that answer, and starts
another whose clock is placed after the 5-minute lease (`Outbox.LEASE`) of the killed one: rows
it had begun to send become `unknown` (never sent again), rows it had only claimed are sent.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import (
    OUR_TOKEN,
    Metric,
    Process,
    Section,
    bot_env,
    probe_sandbox,
    spawn,
)

START = datetime.fromisoformat("2026-11-24T10:00:00+08:00")  # a Tuesday, a working day
SEND_RATE = 25
SUBJECTS = 5
RECIPIENT_BASE = 20_001
SUBJECT_NAME = re.compile(r"封鎖者(\d{2})")
LEASE_SECONDS = 300


@dataclass
class Plan:
    rows: dict[tuple[int, int], int]  # (recipient telegram id, subject number) → nudge id
    recipients: list[int]


async def prepare(env: dict[str, str], recipients: int, rows: int) -> Plan:
    """Staff and pending rows through the product's services and repositories."""
    from bot.app import open_services  # noqa: PLC0415 — setup only
    from bot.config import load_settings  # noqa: PLC0415
    from bot.nudges import UNREACHABLE  # noqa: PLC0415
    from storage.records import PlannedNudge  # noqa: PLC0415
    from storage.repositories import nudges as outbox  # noqa: PLC0415
    from storage.repositories import staff  # noqa: PLC0415

    services = await open_services(load_settings(env))
    due = START - timedelta(minutes=1)
    window = services.nudges.planner.send_window(due)
    made: dict[tuple[int, int], int] = {}
    try:
        async with services.db.write() as conn:
            subjects = []
            for number in range(SUBJECTS):
                record = await staff.insert(
                    conn,
                    telegram_user_id=19_000 + number,
                    role="worker",
                    unit_id="police-zhongli",
                    status="active",
                    locale="zh_TW",
                    invite_id=None,
                    now=due,
                )
                await staff.set_fields(conn, record.id, now=due, display_name=f"封鎖者{number:02d}")
                subjects.append(record.id)
            people = []
            for index in range(recipients):
                record = await staff.insert(
                    conn,
                    telegram_user_id=RECIPIENT_BASE + index,
                    role="supervisor",
                    unit_id="fsc-zhongli",
                    status="active",
                    locale="zh_TW",
                    invite_id=None,
                    now=due,
                )
                await staff.set_fields(conn, record.id, now=due, display_name=f"督導{index:04d}")
                people.append((RECIPIENT_BASE + index, record.id))
            # Each person's rows one after another (as one planning pass over their duties
            # would make them): a digest holds them together unless a claim (500) splits them.
            for index, (telegram_id, staff_id) in enumerate(people):
                count = rows // recipients + (1 if index < rows % recipients else 0)
                for number in range(count):
                    subject = subjects[number % SUBJECTS]
                    key = f"{UNREACHABLE}|staff:{subject}|{staff_id}|once"
                    nudge = PlannedNudge(
                        dedupe_key=key,
                        kind=UNREACHABLE,
                        subject=f"staff:{subject}",
                        step="once",
                        escalation=0,
                        recipient_id=staff_id,
                        due_at=due,
                        window_key=window,
                    )
                    await outbox.plan(conn, nudge, now=due)
                    made[(telegram_id, number % SUBJECTS)] = 0
    finally:
        await services.db.close()
    return Plan(rows=made, recipients=[t for t, _ in people])


async def _sandbox_people(http: httpx.AsyncClient, recipients: list[int]) -> None:
    """Everyone has written to the bot once (Telegram lets a bot write only to those)."""
    (await http.post("/sandbox/bots", json={"token": OUR_TOKEN})).raise_for_status()
    username = f"sandbox_{OUR_TOKEN.split(':')[0]}_bot"

    async def one(user_id: int) -> None:
        (
            await http.post("/sandbox/users", json={"id": user_id, "first_name": f"督導{user_id}"})
        ).raise_for_status()
        (
            await http.post(
                "/sandbox/messages", json={"user_id": user_id, "text": "/start", "bot": username}
            )
        ).raise_for_status()

    for start in range(0, len(recipients), 50):
        await asyncio.gather(*(one(u) for u in recipients[start : start + 50]))


async def _seen(http: httpx.AsyncClient, recipients: list[int]) -> tuple[Counter[Any], int]:
    """How often each (person, subject) appeared in the digests, and how many digests."""
    username = f"sandbox_{OUR_TOKEN.split(':')[0]}_bot"
    seen: Counter[tuple[int, int]] = Counter()
    digests = 0

    async def one(user_id: int) -> None:
        nonlocal digests
        response = await http.get(f"/sandbox/chats/{user_id}/messages", params={"bot": username})
        for message in response.json():
            if message["from"] != "bot":
                continue
            digests += 1
            for found in SUBJECT_NAME.findall(message["text"] or ""):
                seen[(user_id, int(found))] += 1

    for start in range(0, len(recipients), 50):
        await asyncio.gather(*(one(u) for u in recipients[start : start + 50]))
    return seen, digests


async def _hold_one_send(http: httpx.AsyncClient) -> None:
    """Make the next sendMessage take effect but answer only after 10 s, and return once it is
    under way: a kill now lands in the middle of a send (the row is `sending`)."""
    await http.post(
        "/sandbox/faults",
        json={"method": "sendMessage", "delay_seconds": 10, "after_effect": True, "count": 1},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        stats = (await http.get("/sandbox/stats")).json()
        if stats["faults_injected"].get("sendMessage", 0) >= 1:
            await asyncio.sleep(0.3)  # past the sandbox's own awaits, into the delay
            return
        await asyncio.sleep(0.01)
    raise RuntimeError("the held send never started")


def _states(database: Path) -> Counter[str]:
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT state, count(*) FROM nudges GROUP BY state").fetchall()
    return Counter(dict(rows))


def _unknown_keys(database: Path) -> set[tuple[int, int]]:
    query = (
        "SELECT s.telegram_user_id, subj.display_name FROM nudges n "
        "JOIN staff s ON s.id = n.recipient_id "
        "JOIN staff subj ON 'staff:' || subj.id = n.subject WHERE n.state = 'unknown'"
    )
    with sqlite3.connect(database) as conn:
        found = conn.execute(query).fetchall()
    keys = set()
    for telegram_id, name in found:
        match = SUBJECT_NAME.search(name or "")
        if match:
            keys.add((int(telegram_id), int(match.group(1))))
    return keys


def _sender(workdir: Path, env: dict[str, str], name: str, offset: float, every: float) -> Process:
    args = ["benchmarks.fanout_sender", "--start", START.isoformat(), "--offset", str(offset)]
    args += ["--every", str(every)]
    return spawn(args, env, workdir / f"{name}.log")


async def _wait_sent(http: httpx.AsyncClient, process: Process, at_least: int | None) -> None:
    """Until the sender ends (or, with at_least, until that many digests are out)."""
    while process.popen.poll() is None:
        if at_least is not None:
            stats = (await http.get("/sandbox/stats")).json()
            sent = stats["calls"].get("sendMessage", 0) - stats["rate_limited"].get(
                "sendMessage", 0
            )
            if sent >= at_least:
                return
        await asyncio.sleep(0.02)


async def variant(
    workdir: Path, *, recipients: int, rows: int, kill: bool, every: float
) -> dict[str, Any]:
    name = "fanout-kill" if kill else f"fanout-every{every:g}"
    var = workdir / f"{name}-var"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    with probe_sandbox(workdir, name, flood=True) as (base, _sandbox):
        env = bot_env(base, var, SAFETYNET_SEND_RATE=str(SEND_RATE), SAFETYNET_NUDGES="off")
        plan = await prepare(env, recipients, rows)
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            await _sandbox_people(http, plan.recipients)
            await http.delete("/sandbox/stats")
            await http.delete("/bench/events")
            began = time.monotonic()
            first = _sender(workdir, env, f"{name}-1", 0.0, every)
            restarted = False
            try:
                if kill:
                    await _wait_sent(http, first, at_least=recipients // 2)
                    await _hold_one_send(http)
                    killed_at = time.monotonic()
                    first.stop(signal.SIGKILL)
                    second = _sender(
                        workdir,
                        env,
                        f"{name}-2",
                        killed_at - first.started + LEASE_SECONDS + 1,
                        every,
                    )
                    restarted = True
                    try:
                        await _wait_sent(http, second, None)
                    finally:
                        second.stop()
                    if second.popen.returncode not in (0, None):
                        raise RuntimeError(
                            f"the restarted sender failed:\n{second.output()[-3000:]}"
                        )
                else:
                    await _wait_sent(http, first, None)
            finally:
                first.stop()
            if not kill and first.popen.returncode != 0:
                raise RuntimeError(f"the sender failed:\n{first.output()[-3000:]}")
            ended = time.monotonic()
            stats = (await http.get("/sandbox/stats")).json()
            events = (await http.get("/bench/events")).json()
            seen, digests = await _seen(http, plan.recipients)
    database = var / "safetynet.db"
    states = _states(database)
    unknown = _unknown_keys(database)
    sent_times = sorted(
        e["t1"]
        for e in events
        if e["k"] == "call" and e["m"] == "sendMessage" and e["status"] == 200
    )
    rate = (len(sent_times) - 1) / (sent_times[-1] - sent_times[0]) if len(sent_times) > 1 else 0.0
    duplicates = sum(1 for key, n in seen.items() if n > 1 and key not in unknown)
    duplicates_unknown = sum(1 for key, n in seen.items() if n > 1 and key in unknown)
    lost = [key for key in plan.rows if seen[key] == 0 and key not in unknown]
    return {
        "rows": rows,
        "recipients": recipients,
        "digests": digests,
        "rate": rate,
        "rate_429": stats["total_rate_limited"],
        "duplicates": duplicates,
        "duplicates_unknown": duplicates_unknown,
        "losses": len(lost),
        "unknown": len(unknown),
        "unknown_delivered": sum(1 for key in unknown if seen[key] > 0),
        "states": dict(states),
        "seconds": ended - began,
        "restarted": restarted,
    }


async def measure(workdir: Path, *, recipients: int, rows: int, every: float) -> Section:
    section = Section("fanout")
    section.params = {
        "rows": rows,
        "recipients": recipients,
        "send_rate": SEND_RATE,
        "sender_every_seconds": every,
        "sandbox_limits": "30/s overall, 1/s per chat",
    }
    plain = await variant(workdir, recipients=recipients, rows=rows, kill=False, every=every)
    killed = await variant(workdir, recipients=recipients, rows=rows, kill=True, every=every)
    section.params["plain"] = plain
    section.params["kill_restart"] = killed
    section.add(Metric("digests sent / s", round(plain["rate"], 2), "msg/s"))
    section.add(
        Metric(
            "achieved ÷ configured rate",
            round(plain["rate"] / SEND_RATE, 3),
            "×",
            target=0.9,
            better="higher",
        )
    )
    section.add(Metric("429s received", plain["rate_429"], "", note="sandbox's count"))
    section.add(Metric("duplicates", plain["duplicates"], "rows", target=0))
    section.add(Metric("losses", plain["losses"], "rows", target=0))
    section.add(Metric("digest messages", plain["digests"], "msgs"))
    section.add(Metric("fan-out wall time", round(plain["seconds"], 1), "s"))
    section.add(Metric("kill+restart: duplicates", killed["duplicates"], "rows", target=0))
    section.add(Metric("kill+restart: losses", killed["losses"], "rows", target=0))
    section.add(
        Metric(
            "kill+restart: rows marked unknown",
            killed["unknown"],
            "rows",
            note=f"{killed['unknown_delivered']} of them had arrived",
        )
    )
    section.add(Metric("kill+restart: 429s received", killed["rate_429"], ""))
    return section
