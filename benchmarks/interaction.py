"""Interaction overhead: simulated staff doing complete referral conversations at once, the bot
in its own process polling the sandbox over loopback HTTP, side by side with a bare
python-telegram-bot echo bot under the same load.

Three bots poll the same sandbox (each its own token, its own update queue): safetynet
(`python -m bot run` in token mode, TELEGRAM_API_BASE_URL pointing at the sandbox), the bare
echo bot, and the bare echo bot with safetynet's `AIORateLimiter` (to tell the limiter's share
from our code's). Rounds alternate between them; each round N people each do one conversation.

Bot-side time per update is measured by the sandbox's recorder (benchmarks/probe.py): from the
moment the getUpdates answer carrying the update left the sandbox to the moment the answer to
the last Bot API call the update caused left it. python-telegram-bot handles updates one at a
time by default (both bots), so a call is the update's whose chat (or callback query) it names;
a call into the chat of one of the receiving center's supervisors (the notice of a new
referral) belongs to the update being handled; a call into any other chat (a nudge digest from
the scheduler's tick) belongs to none. "latency" includes the wait in the bot's queue behind
other updates; "service" is the time from when the bot could start on the update (its arrival
or the end of the previous update, whichever is later) to its last call — which includes any
wait for AIORateLimiter's 30 requests/s.

Three load shapes: N people at once with no pause (throughput; the queue dominates latency),
one person at a time (the cost of one update with nothing else going on), and M people pausing
about T seconds before each step (latency at a load below the bot's capacity).
"""

from __future__ import annotations

import asyncio
import bisect
import random
import shutil
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import (
    BARE_LIMITED_TOKEN,
    BARE_TOKEN,
    CLEAN_ENV,
    OUR_TOKEN,
    Metric,
    Process,
    Section,
    bot_env,
    median,
    percentile,
    probe_sandbox,
    remove_database,
    rss_peak_kb,
    spawn,
)

WORKER_BASE = 10_001
SUPERVISOR_ID = 2_001
SUPERVISOR_UNIT = "fsc-zhongli"
WORKER_UNIT = "police-zhongli"
STEP_TIMEOUT = 60.0
LIGHT_CONVERSATIONS = 5
# Fictional families of 中壢 in a worker's words (masked aliases), the shape of S01.
_SURNAMES = "林王陳張李黃吳劉周鄭許蔡楊謝郭洪曾邱廖賴"
_GIVEN = "華明芳婷傑安雯宏強珍"


def narrative(number: int) -> str:
    alias = f"{_SURNAMES[number % len(_SURNAMES)]}○{_GIVEN[number // len(_SURNAMES) % 10]}"
    small, older = 2 + number % 3, 4 + number % 2
    return (
        f"中壢區{alias}，單親媽媽吸毒，家裡有一個{small}歲和一個{older}歲的小孩，"
        "沒有其他親人可以幫忙照顧，最近常常沒去托嬰中心。"
    )


@dataclass
class Step:
    kind: str  # "text" or "press"
    client_seconds: float


@dataclass
class Conversation:
    steps: list[Step] = field(default_factory=list)
    failed: str | None = None


class People:
    """The simulated people, through the control API and the recorder's /bench/wait."""

    def __init__(self, http: httpx.AsyncClient, bot: str, *, think: float = 0.0) -> None:
        self.http = http
        self.bot = bot
        self.think = think  # mean seconds a person takes before each step
        self.last_seen: dict[int, int] = {}
        self._rng = random.Random(bot)  # noqa: S311 — pacing, not secrets

    async def _pause(self) -> None:
        if self.think > 0:
            await asyncio.sleep(self.think * self._rng.uniform(0.5, 1.5))

    async def _wait(
        self, user_id: int, after: int, *, contains: str | None = None, want: str = "buttons"
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {
            "bot": self.bot,
            "chat_id": user_id,
            "after": after,
            "want": want,
            "timeout": STEP_TIMEOUT,
        }
        if contains:
            params["contains"] = contains
        response = await self.http.get("/bench/wait", params=params, timeout=STEP_TIMEOUT + 5)
        if response.status_code != 200:
            raise RuntimeError(f"user {user_id}: no answer from the bot: {response.text[:300]}")
        said: list[dict[str, Any]] = response.json()
        if said:
            self.last_seen[user_id] = max(self.last_seen.get(user_id, 0), said[-1]["message_id"])
        return said

    async def says(
        self, user_id: int, text: str, *, contains: str | None = None, want: str = "buttons"
    ) -> tuple[list[dict[str, Any]], float]:
        await self._pause()
        started = time.monotonic()
        response = await self.http.post(
            "/sandbox/messages", json={"user_id": user_id, "text": text, "bot": self.bot}
        )
        response.raise_for_status()
        sent = int(response.json()["message_id"])
        said = await self._wait(user_id, sent, contains=contains, want=want)
        return said, time.monotonic() - started

    async def presses(
        self, user_id: int, message: dict[str, Any], data: str, *, contains: str | None = None
    ) -> tuple[list[dict[str, Any]], float]:
        await self._pause()
        started = time.monotonic()
        after = self.last_seen.get(user_id, message["message_id"])
        response = await self.http.post(
            "/sandbox/callbacks",
            json={
                "user_id": user_id,
                "message_id": message["message_id"],
                "data": data,
                "bot": self.bot,
            },
        )
        response.raise_for_status()
        said = await self._wait(user_id, after, contains=contains)
        return said, time.monotonic() - started


def _buttons(message: dict[str, Any]) -> dict[str, str]:
    return {
        b["text"]: b["callback_data"]
        for row in message["buttons"]
        for b in row
        if "callback_data" in b
    }


def _asking(said: list[dict[str, Any]]) -> dict[str, Any]:
    with_buttons = [m for m in said if m["buttons"]]
    if not with_buttons:
        raise RuntimeError(f"the bot asked nothing: {[m['text'] for m in said]}")
    return with_buttons[-1]


async def refer(people: People, user_id: int, number: int) -> Conversation:
    """The short way through /refer, as tests/e2e/test_referral.py `refer()` takes it."""
    done = Conversation()
    try:
        said, seconds = await people.says(user_id, "/refer")
        done.steps.append(Step("text", seconds))
        said, seconds = await people.says(user_id, narrative(number))
        done.steps.append(Step("text", seconds))
        for _ in range(12):
            question = _asking(said)
            labels = _buttons(question)
            if "請確認轉介內容" in (question["text"] or ""):
                said, seconds = await people.presses(
                    user_id, question, labels["✅ 送出轉介"], contains="已送出轉介"
                )
                done.steps.append(Step("press", seconds))
                return done
            choice = next((c for c in ("確認", "略過", "沒有其他單位") if c in labels), None)
            if choice is None:
                raise RuntimeError(f"unexpected question: {question['text']!r} {list(labels)}")
            said, seconds = await people.presses(user_id, question, labels[choice])
            done.steps.append(Step("press", seconds))
        raise RuntimeError("no summary after 12 answers")
    except (RuntimeError, httpx.HTTPError, KeyError) as error:
        done.failed = str(error)[:300]
        return done


async def replay(people: People, user_id: int, shape: Sequence[str], number: int) -> Conversation:
    """The same steps (texts and presses) against the bare echo bot."""
    done = Conversation()
    try:
        said: list[dict[str, Any]] = []
        texts = iter(["/refer", narrative(number)])
        for kind in shape:
            if kind == "text":
                said, seconds = await people.says(user_id, next(texts, "下一步"))
            else:
                question = _asking(said)
                said, seconds = await people.presses(user_id, question, "next")
            done.steps.append(Step(kind, seconds))
    except (RuntimeError, httpx.HTTPError, KeyError) as error:
        done.failed = str(error)[:300]
    return done


# --- what the recorder saw --------------------------------------------------------------------


@dataclass
class Analysis:
    updates: int
    attributed: int
    latency: list[float]
    service: list[float]
    first_enqueue: float
    last_finish: float
    sends: int  # Bot API calls naming a chat: what AIORateLimiter's 30/s counts
    steps: dict[int, list[float]]  # n-th update of a chat in the round → latencies

    @property
    def rate(self) -> float:
        span = self.last_finish - self.first_enqueue
        return self.attributed / span if span > 0 else 0.0

    @property
    def send_rate(self) -> float:
        span = self.last_finish - self.first_enqueue
        return self.sends / span if span > 0 else 0.0


def analyse(
    events: list[dict[str, Any]], bot_id: int, notice_chats: frozenset[int] = frozenset()
) -> Analysis:
    """Per update: when it left the sandbox, and when its last Bot API call was answered.
    A call into one of `notice_chats` (people told about someone else's action) belongs to the
    update being handled; a call into any other chat nobody wrote from (a nudge digest sent by
    the scheduler) belongs to no update."""
    delivered: dict[int, tuple[float, int | None, str | None]] = {}
    for event in events:
        if event["k"] == "upd" and event["bot"] == bot_id:
            for update_id, chat, query in event["items"]:
                delivered.setdefault(update_id, (event["t"], chat, query))
    enqueued = [e["t"] for e in events if e["k"] == "enq" and e["bot"] == bot_id]
    by_query = {query: uid for uid, (_, _, query) in delivered.items() if query}
    by_chat: dict[int, list[tuple[float, int]]] = {}
    for uid, (t, chat, _) in sorted(delivered.items(), key=lambda item: item[1][0]):
        if chat is not None:
            by_chat.setdefault(chat, []).append((t, uid))
    calls = sorted(
        (e for e in events if e["k"] == "call" and e["bot"] == bot_id), key=lambda e: e["t0"]
    )
    finish: dict[int, float] = {}
    current: int | None = None
    for call in calls:
        owner: int | None = None
        if call["cq"] in by_query:
            owner = by_query[call["cq"]]
        elif call["chat"] in by_chat:
            times = by_chat[call["chat"]]
            index = bisect.bisect_right([t for t, _ in times], call["t0"]) - 1
            owner = times[index][1] if index >= 0 else None
        elif call["chat"] is None or call["chat"] in notice_chats:
            owner = current  # a notice to someone else, while handling `current`
        if owner is None:
            continue
        current = owner
        finish[owner] = max(finish.get(owner, 0.0), call["t1"])
    latency = [finish[u] - delivered[u][0] for u in finish]
    service = []
    previous_end = float("-inf")
    for uid in sorted(finish):
        start = max(delivered[uid][0], previous_end)
        service.append(finish[uid] - start)
        previous_end = max(previous_end, finish[uid])
    return Analysis(
        updates=len(delivered),
        attributed=len(finish),
        latency=latency,
        service=service,
        first_enqueue=min(enqueued, default=0.0),
        last_finish=max(finish.values(), default=0.0),
        sends=sum(1 for call in calls if call["chat"] is not None),
        steps=_by_step(delivered, finish),
    )


def _by_step(
    delivered: dict[int, tuple[float, int | None, str | None]], finish: dict[int, float]
) -> dict[int, list[float]]:
    """Latency by position in its chat's conversation (0: /refer, 1: the description, …)."""
    positions: dict[int | None, int] = {}
    found: dict[int, list[float]] = {}
    for uid in sorted(delivered):
        chat = delivered[uid][1]
        index = positions.get(chat, 0)
        positions[chat] = index + 1
        if uid in finish:
            found.setdefault(index, []).append(finish[uid] - delivered[uid][0])
    return found


# --- setting up ---------------------------------------------------------------------------------


async def register_staff(env: dict[str, str], workers: int) -> None:
    """Shell invites redeemed through bot.accounts (what `safetynet invite` + /start do),
    straight into the benchmark's database before the bot starts."""
    from bot.app import open_services  # noqa: PLC0415 — only the setup needs the bot
    from bot.config import load_settings  # noqa: PLC0415
    from bot.domain.roles import Role  # noqa: PLC0415

    services = await open_services(load_settings(env))
    try:
        people = [(SUPERVISOR_ID, Role.SUPERVISOR, SUPERVISOR_UNIT, "林督導")]
        people += [
            (WORKER_BASE + n, Role.WORKER, WORKER_UNIT, f"員警{n:03d}") for n in range(workers)
        ]
        for telegram_id, role, unit_id, name in people:
            if await services.accounts.by_telegram_id(telegram_id) is not None:
                continue
            unit = services.jurisdiction.unit(unit_id)
            issued = await services.accounts.issue_invite(issuer=None, role=role, unit=unit)
            code = getattr(issued, "code", None)
            if code is None:
                raise RuntimeError(f"invite refused: {issued}")
            _, member = await services.accounts.redeem(telegram_id, code, "zh_TW")
            if member is None:
                raise RuntimeError("invite not redeemed")
            await services.accounts.set_display_name(member, name)
    finally:
        await services.db.close()


def _supervisors(var: Path) -> frozenset[int]:
    """Telegram ids of the receiving center's active supervisors (ours and the scale
    database's): a new referral's notice goes to each of them."""
    with sqlite3.connect(var / "safetynet.db") as conn:
        rows = conn.execute(
            "SELECT telegram_user_id FROM staff WHERE unit_id = ? AND role = 'supervisor' "
            "AND status = 'active'",
            (SUPERVISOR_UNIT,),
        ).fetchall()
    return frozenset(int(row[0]) for row in rows) | {SUPERVISOR_ID}


async def _wait_polling(http: httpx.AsyncClient, bot_id: int, process: Process) -> float:
    """When the sandbox saw the bot's first getUpdates (monotonic)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"the bot stopped:\n{process.output()[-3000:]}")
        events = (await http.get("/bench/events")).json()
        for event in events:
            if event["k"] == "getUpdates" and event["bot"] == bot_id:
                return float(event["t"])
        await asyncio.sleep(0.02)
    raise RuntimeError(f"bot {bot_id} never polled:\n{process.output()[-3000:]}")


def _bot_id(token: str) -> int:
    return int(token.split(":", maxsplit=1)[0])


def _username(token: str) -> str:
    return f"sandbox_{_bot_id(token)}_bot"


@dataclass
class Stats:
    rates: list[float] = field(default_factory=list)
    send_rates: list[float] = field(default_factory=list)
    steps: dict[int, list[float]] = field(default_factory=dict)
    latency: list[float] = field(default_factory=list)
    service: list[float] = field(default_factory=list)
    client: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    unattributed: int = 0


@dataclass
class Contender:
    label: str
    token: str
    process: Process
    shape: list[str] = field(default_factory=list)
    load: Stats = field(default_factory=Stats)  # N people at once, no pause between steps
    light: Stats = field(default_factory=Stats)  # one person, one conversation at a time
    paced: Stats = field(default_factory=Stats)  # people pausing between steps like people
    notice_chats: frozenset[int] = frozenset()  # told of a new referral: the center's supervisors


async def _round(
    http: httpx.AsyncClient,
    contender: Contender,
    workers: int,
    offset: int,
    stats: Stats,
    *,
    think: float = 0.0,
) -> None:
    people = People(http, _username(contender.token), think=think)
    await http.delete("/bench/events")
    if contender.label == "safetynet":
        runs = [refer(people, WORKER_BASE + n, offset + n) for n in range(workers)]
    else:
        runs = [
            replay(people, WORKER_BASE + n, contender.shape, offset + n) for n in range(workers)
        ]
    done = await asyncio.gather(*runs)
    await asyncio.sleep(0.3)  # the last calls' answers
    events = (await http.get("/bench/events")).json()
    result = analyse(events, _bot_id(contender.token), contender.notice_chats)
    stats.rates.append(result.rate)
    stats.send_rates.append(result.send_rate)
    for index, values in result.steps.items():
        stats.steps.setdefault(index, []).extend(values)
    stats.latency += result.latency
    stats.service += result.service
    stats.unattributed += result.updates - result.attributed
    for conversation in done:
        stats.client += [s.client_seconds for s in conversation.steps]
        if conversation.failed:
            stats.failures.append(conversation.failed)


async def measure(
    workdir: Path,
    *,
    workers: int,
    rounds: int,
    paced_workers: int,
    think: float,
    database: Path | None = None,
    bot_settings: dict[str, str] | None = None,
) -> Section:
    section = Section("interaction")
    section.params = {
        "workers": workers,
        "rounds": rounds,
        "paced_workers": paced_workers,
        "think_seconds": think,
        "database": str(database or "fresh"),
        "bot_settings": bot_settings or {},
    }
    var = workdir / "interaction-var"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    if database is not None:
        shutil.copyfile(database, var / "safetynet.db")
    with probe_sandbox(workdir, "interaction") as (base, _sandbox):
        env = bot_env(base, var, **(bot_settings or {}))
        await register_staff(env, max(workers, paced_workers))
        bare_env = {**CLEAN_ENV, "BENCH_API_BASE_URL": base}
        ours = spawn(["bot", "run"], env, workdir / "interaction-bot.log")
        bare = spawn(
            ["benchmarks.echo_bot"], {**bare_env, "BENCH_TOKEN": BARE_TOKEN}, workdir / "bare.log"
        )
        limited = spawn(
            ["benchmarks.echo_bot"],
            {**bare_env, "BENCH_TOKEN": BARE_LIMITED_TOKEN, "BENCH_RATE_LIMITER": "1"},
            workdir / "bare-limited.log",
        )
        contenders = [
            Contender("safetynet", OUR_TOKEN, ours, notice_chats=_supervisors(var)),
            Contender("bare", BARE_TOKEN, bare),
            Contender("bare+limiter", BARE_LIMITED_TOKEN, limited),
        ]
        try:
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                for contender in contenders:
                    await _wait_polling(http, _bot_id(contender.token), contender.process)
                await _people(http, max(workers, paced_workers))
                await _warm_up(http, contenders, workers)
                offset = workers
                for _ in range(rounds):
                    for contender in contenders:
                        await _round(http, contender, workers, offset, contender.load)
                        offset += workers
                for _ in range(LIGHT_CONVERSATIONS):
                    for contender in contenders:
                        await _round(http, contender, 1, offset, contender.light)
                        offset += 1
                # People at their own pace (a pause of about `think` before each step).
                await _round(
                    http, contenders[0], paced_workers, offset, contenders[0].paced, think=think
                )
            rss = rss_peak_kb(ours.popen.pid)
        finally:
            for contender in contenders:
                contender.process.stop()
            if database is not None:
                remove_database(var)
    _report(section, contenders, rss)
    return section


async def _people(http: httpx.AsyncClient, workers: int) -> None:
    """The sandbox's people; the supervisor has written to safetynet once (so it may write back)."""
    await http.post(
        "/sandbox/users",
        json={"id": SUPERVISOR_ID, "first_name": "林督導", "language_code": "zh-hant"},
    )
    for n in range(workers):
        await http.post(
            "/sandbox/users",
            json={"id": WORKER_BASE + n, "first_name": f"員警{n:03d}", "language_code": "zh-hant"},
        )
    people = People(http, _username(OUR_TOKEN))
    await people.says(SUPERVISOR_ID, "/start", want="any")


async def _warm_up(http: httpx.AsyncClient, contenders: list[Contender], workers: int) -> None:
    """One conversation by a few people per bot, not counted; it also fixes the shape (texts
    and presses) the bare bots replay."""
    ours = contenders[0]
    people = People(http, _username(ours.token))
    warm = min(5, workers)
    done = await asyncio.gather(*(refer(people, WORKER_BASE + n, n) for n in range(warm)))
    failed = [c.failed for c in done if c.failed]
    if failed:
        raise RuntimeError(f"the warm-up referral failed: {failed[0]}")
    shape = [s.kind for s in done[0].steps]
    for contender in contenders:
        contender.shape = shape
    for contender in contenders[1:]:
        bare = People(http, _username(contender.token))
        await asyncio.gather(*(replay(bare, WORKER_BASE + n, shape, n) for n in range(warm)))


def _ms(values: list[float], q: float) -> float | None:
    found = percentile(values, q)
    return None if found is None else round(found * 1000, 2)


def _report(section: Section, contenders: list[Contender], rss_kb: int | None) -> None:
    ours, bare, limited = contenders
    section.params["steps_per_conversation"] = len(ours.shape)
    section.params["shape"] = ours.shape
    section.params["light_conversations"] = LIGHT_CONVERSATIONS
    section.params["light_ms_by_step"] = {
        contender.label: [
            _ms(contender.light.steps.get(index, []), 50) for index in range(len(ours.shape))
        ]
        for contender in contenders
    }
    for contender in contenders:
        section.add(
            Metric(
                f"updates/s {contender.label}",
                _r(median(contender.load.rates)),
                "upd/s",
                runs=_rs(contender.load.rates),
            )
        )
    for contender in contenders:
        section.add(
            Metric(
                f"chat sends/s {contender.label}",
                _r(median(contender.load.send_rates)),
                "req/s",
                note="Bot API calls naming a chat (AIORateLimiter allows 30/s)",
            )
        )
    ratios = [a / b for a, b in zip(ours.load.rates, bare.load.rates, strict=True) if b]
    section.add(
        Metric(
            "throughput ratio safetynet ÷ bare",
            _r(median(ratios), 3),
            "×",
            target=0.7,
            better="higher",
            runs=_rs(ratios, 3),
            note="median of per-round ratios; rounds alternate between the bots",
        )
    )
    limited_ratios = [a / b for a, b in zip(ours.load.rates, limited.load.rates, strict=True) if b]
    section.add(
        Metric(
            "throughput ratio safetynet ÷ (bare + AIORateLimiter)",
            _r(median(limited_ratios), 3),
            "×",
            runs=_rs(limited_ratios, 3),
            note="diagnostic: the same rate limiter on both sides",
        )
    )
    _report_latency(section, contenders)
    section.add(
        Metric(
            "peak RSS safetynet bot process (VmHWM)",
            None if rss_kb is None else round(rss_kb / 1024, 1),
            "MB",
            target=250.0,
        )
    )
    _notes(section, contenders)


def _report_latency(section: Section, contenders: list[Contender]) -> None:
    ours, bare, _ = contenders
    for q in (50, 95, 99):
        section.add(
            Metric(
                f"bot-side time p{q} safetynet (getUpdates → last call), under load",
                _ms(ours.load.latency, q),
                "ms",
                target=15.0 if q == 95 else None,
            )
        )
    for q in (50, 95):
        section.add(Metric(f"bot-side time p{q} bare, under load", _ms(bare.load.latency, q), "ms"))
    for q in (50, 95, 99):
        section.add(
            Metric(
                f"bot-side service p{q} safetynet (queue wait excluded), under load",
                _ms(ours.load.service, q),
                "ms",
            )
        )
    for q in (50, 95):
        section.add(
            Metric(f"bot-side service p{q} bare, under load", _ms(bare.load.service, q), "ms")
        )
    for contender in (ours, bare):
        for q in (50, 95):
            section.add(
                Metric(
                    f"bot-side time p{q} {contender.label}, one person at a time",
                    _ms(contender.light.latency, q),
                    "ms",
                    target=15.0 if (q == 95 and contender is ours) else None,
                    note="no other load; the sandbox and this harness still share the CPUs",
                )
            )
    paced = section.params["paced_workers"], section.params["think_seconds"]
    section.add(
        Metric(
            f"updates/s safetynet, {paced[0]} people pausing ~{paced[1]:g} s per step",
            _r(median(ours.paced.rates)),
            "upd/s",
        )
    )
    for q in (50, 95, 99):
        section.add(
            Metric(
                f"bot-side time p{q} safetynet, {paced[0]} people pausing ~{paced[1]:g} s",
                _ms(ours.paced.latency, q),
                "ms",
                target=15.0 if q == 95 else None,
            )
        )
    section.add(
        Metric("client-observed step p50 safetynet, under load", _ms(ours.load.client, 50), "ms")
    )
    section.add(
        Metric("client-observed step p95 safetynet, under load", _ms(ours.load.client, 95), "ms")
    )


def _notes(section: Section, contenders: list[Contender]) -> None:
    for contender in contenders:
        phases = (("load", contender.load), ("light", contender.light), ("paced", contender.paced))
        for phase, stats in phases:
            if stats.failures:
                section.notes.append(
                    f"{contender.label} ({phase}): {len(stats.failures)} conversations failed, "
                    f"e.g. {stats.failures[0]}"
                )
            if stats.unattributed:
                section.notes.append(
                    f"{contender.label} ({phase}): {stats.unattributed} updates without a call"
                )


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _rs(values: list[float], digits: int = 1) -> list[float]:
    return [round(v, digits) for v in values]
