"""At most one send per dedupe key, and nothing due lost: issue #6's "property-based test
(hypothesis) over random sequences of create/complete/cancel/restart: at most one send per dedupe
key", on the real bot and the Bot API sandbox.

Hypothesis draws a story on a clock that only moves forward, through nights, weekends and
Christmas Day (a day off in Taiwan since 2025). Duties are created — a police officer refers a
family (the supervisor is nudged while it waits), the supervisor tracks an accepted case (monthly
reports are owed), plans a case conference (reminders, the RSVP summary, minutes) — completed —
the referral is accepted, a report filed, the minutes recorded — or cancelled: the conference is
called off or moved. The bot restarts, sometimes with a sender pass under way; the scheduler's
planning and sending passes tick at the current moment, sometimes two of each at once.

Telegram never fails here; it is at most slow to answer when the bot is stopped under a sender,
so the message may have arrived unheard of. What holds, and why:

- at most one message per dedupe key. The outbox row is the key (unique), a digest's rows are
  marked `sending` before the request and `sent` with its message after, so once a row is sent
  it keeps that message for good, and every "⏰" digest in a person's chat is the message of
  `sent` rows of theirs — the one exception a row left `unknown` by a sender stopped mid-request,
  whose message then appears once and is never sent again;
- only what still stands is sent: each row a tick sends is one the planner says is due then
  (`Outbox.claim` re-checks every row against `Planner.due_by`);
- nothing is lost or left in flight: after the last step, on the next working morning, every
  lease long past, each nudge the planner says is due has gone out (or is `unknown`), no row is
  `claimed` or `sending`, and `would_send` (what `safetynet nudges plan` shows) is empty.

Each example runs in a fresh world — its own sandbox and database — built here: the `world`
fixture is function-scoped, and hypothesis runs every example inside one call of the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from hypothesis import Phase, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.config import load_settings
from bot.domain.nudges import next_window_start
from bot.domain.roles import Role
from bot.domain.working_days import TAIPEI
from bot.nudges import Due
from bot.services import Services
from handlers.nudges import send_now
from sandbox import create_app
from storage.records import MeetingRecord, NudgeRecord, ReferralRecord
from storage.repositories import meetings as meeting_rows
from storage.repositories import referrals as referral_rows
from storage.schema import nudges
from tests.e2e.conftest import accepted_case
from tests.e2e.test_meetings import begin_minutes, send_the_minutes
from tests.e2e.test_referral import S01, refer
from tests.transcript import Person, Said, World, active_member

pytestmark = pytest.mark.e2e

STARTS = (  # a Tuesday; the Monday a window ends, a week before reports fall due; Christmas week
    datetime(2026, 11, 24, 10, 0, tzinfo=TAIPEI),
    datetime(2026, 11, 30, 10, 0, tzinfo=TAIPEI),
    datetime(2026, 12, 22, 11, 0, tzinfo=TAIPEI),
)
DIGEST_COUNT = re.compile(r"（(\d+) 項）")
CODE = re.compile(r"TY-\d{3}-\d{5}")  # the ROC year turns 116 on 1 January


@dataclass(frozen=True)
class Step:
    """One thing that happens; the fields a kind does not use are ignored."""

    kind: str
    minutes: int  # how far the clock moves first
    pick: int  # which case or meeting, modulo how many there are
    days: int  # a meeting's day, counted from today
    hour: int  # a meeting's hour
    delay_ms: int  # how long a sender runs before the bot is stopped under it
    slow: bool  # whether Telegram is slow to answer then (the message arrives, the answer lags)


def steps(kinds: list[str]) -> st.SearchStrategy[Step]:
    """A step of one of `kinds`; the clock moves a few minutes, or hours up to two days."""
    return st.builds(
        Step,
        kind=st.sampled_from(kinds),
        minutes=st.one_of(st.integers(1, 10), st.integers(1, 48).map(lambda hours: hours * 60)),
        pick=st.integers(0, 3),
        days=st.integers(1, 12),
        hour=st.sampled_from([9, 10, 14, 16]),
        delay_ms=st.integers(0, 250),
        slow=st.booleans(),
    )


@dataclass
class Play:
    """One example's world, its people, and what the test has seen happen."""

    world: World
    officer: Person
    supervisor: Person
    worker: Person
    admin: Person
    now: datetime
    codes: list[str] = field(default_factory=list)
    stopped_senders: int = 0  # sender passes cancelled while under way
    done: list[str] = field(default_factory=list)  # what the steps did, for a failure's report
    sent: dict[int, int] = field(default_factory=dict)  # nudge row → its message, once sent

    @property
    def services(self) -> Services:
        return self.world.bot_services

    @property
    def people(self) -> list[Person]:
        return [self.officer, self.supervisor, self.worker, self.admin]


def roc(moment: datetime) -> str:
    """How staff type a time: 115/12/09 14:00."""
    local = moment.astimezone(TAIPEI)
    return f"{local.year - 1911}/{local.month:02d}/{local.day:02d} {local:%H:%M}"


async def all_rows(services: Services) -> list[NudgeRecord]:
    async with services.db.read() as conn:
        found = (await conn.execute(select(nudges).order_by(nudges.c.id))).all()
    return [NudgeRecord(**row._asdict()) for row in found]


async def cases(play: Play) -> list[ReferralRecord]:
    async with play.services.db.read() as conn:
        found = [await referral_rows.by_code(conn, code) for code in play.codes]
    return [case for case in found if case is not None]


async def planned_meetings(play: Play) -> list[MeetingRecord]:
    async with play.services.db.read() as conn:
        return await meeting_rows.listing(conn)


async def press_data(person: Person, data: str) -> list[Said]:
    """Press the newest button that does `data` (found by what it does, not its label)."""
    for message in reversed(await person.chat()):
        for row in message.buttons:
            for button in row:
                if button.get("callback_data") == data and not message.deleted:
                    return await person.presses_data(message.message_id, data)
    raise AssertionError(f"{person.first_name} sees no button for {data!r}")


# --- the steps --------------------------------------------------------------------------------


async def do_refer(play: Play, step: Step) -> bool:
    found = CODE.search((await refer(play.officer, S01)).text)
    assert found
    play.codes.append(found[0])
    return True


async def do_accept(play: Play, step: Step) -> bool:
    waiting = [c for c in await cases(play) if c.status == "waiting"]
    if not waiting:
        return False
    code = waiting[step.pick % len(waiting)].code
    await play.supervisor.says(f"/case {code}")
    await play.supervisor.presses("受案")
    replies = await play.supervisor.presses("陳社工")
    assert "已受案" in replies[-1].text, replies[-1].text
    return True


async def do_track(play: Play, step: Step) -> bool:
    open_cases = [c for c in await cases(play) if c.status == "accepted" and not c.tracked]
    if not open_cases:
        return False
    code = open_cases[step.pick % len(open_cases)].code
    await play.supervisor.says(f"/case {code}")
    await play.supervisor.presses("📌 列管")
    replies = await play.supervisor.says("會議決議列管")
    assert "列管" in replies[-1].text, replies[-1].text
    return True


async def do_report(play: Play, step: Step) -> bool:
    tracked = [c for c in await cases(play) if c.tracked]
    if not tracked:
        return False
    code = tracked[step.pick % len(tracked)].code
    replies = await play.worker.says(f"/report {code}")
    if "目前沒有待交的月報" in replies[-1].text:
        return False
    assert "請用一則訊息說明" in replies[-1].text, replies[-1].text
    await play.worker.says("家訪兩次，案母已就醫。")
    replies = await play.worker.presses("持續列管")
    assert "✅ 已送出" in replies[-1].text, replies[-1].text
    return True


def slot(play: Play, step: Step) -> datetime:
    day = play.now.astimezone(TAIPEI).date() + timedelta(days=step.days)
    return datetime.combine(day, time(step.hour), tzinfo=TAIPEI)


async def free(play: Play, moment: datetime, moving: int | None = None) -> bool:
    """Whether a case conference may be put at `moment`: ahead, and no other one near it."""
    if moment <= play.now + timedelta(minutes=30):
        return False
    return all(
        abs(m.starts_at - moment) >= timedelta(hours=3)
        for m in await planned_meetings(play)
        if m.id != moving
    )


async def do_meet(play: Play, step: Step) -> bool:
    moment = slot(play, step)
    if not await free(play, moment) or len(await planned_meetings(play)) >= 6:
        return False
    supervisor = play.supervisor
    replies = await supervisor.says("/newmeeting")
    assert "日期和時間" in replies[-1].text, replies[-1].text
    replies = await supervisor.says(roc(moment))
    assert "開會地點" in replies[-1].text, replies[-1].text
    await supervisor.says("中壢家庭服務中心2樓會議室")
    await supervisor.presses("不需要")
    await supervisor.presses("中壢家庭服務中心 林督導")
    await supervisor.presses("完成")
    replies = await supervisor.presses("✅ 建立並發出開會通知")
    assert "✅ 已建立" in replies[-1].text, replies[-1].text
    return True


async def open_card(play: Play, meeting: MeetingRecord) -> None:
    await play.supervisor.says("/meetings")
    await press_data(play.supervisor, f"mv:{meeting.id}")


async def do_move(play: Play, step: Step) -> bool:
    ahead = [m for m in await planned_meetings(play) if m.starts_at > play.now]
    if not ahead:
        return False
    meeting = ahead[step.pick % len(ahead)]
    moment = slot(play, step)
    if not await free(play, moment, moving=meeting.id):
        return False
    await open_card(play, meeting)
    await play.supervisor.presses("🕑 改期")
    replies = await play.supervisor.says(roc(moment))
    assert "已改期" in replies[-1].text, replies[-1].text
    return True


async def do_cancel(play: Play, step: Step) -> bool:
    ahead = [m for m in await planned_meetings(play) if m.starts_at > play.now]
    if not ahead:
        return False
    await open_card(play, ahead[step.pick % len(ahead)])
    await play.supervisor.presses("✖ 取消會議")
    replies = await play.supervisor.presses("確定取消")
    assert "已取消" in replies[-1].text, replies[-1].text
    return True


async def do_minutes(play: Play, step: Step) -> bool:
    held = [
        m
        for m in await planned_meetings(play)
        if m.starts_at <= play.now and m.minutes_recorded_at is None
    ]
    if not held:
        return False
    await open_card(play, held[step.pick % len(held)])
    replies = await begin_minutes(play.supervisor)
    for _ in range(20):
        kept = next((k for k in ("持續列管", "列管", "不列管") if k in replies[-1].labels), None)
        if kept is None:
            break
        replies = await play.supervisor.presses(kept)
    assert "都有決議" in replies[-1].text, replies[-1].text
    replies = await send_the_minutes(play.supervisor)
    assert any("會議紀錄已完成" in r.text for r in replies), [r.text for r in replies]
    return True


ACTIONS = {
    "refer": do_refer,
    "accept": do_accept,
    "track": do_track,
    "report": do_report,
    "meet": do_meet,
    "move": do_move,
    "cancel": do_cancel,
    "minutes": do_minutes,
}


# --- the scheduler's passes -----------------------------------------------------------------------


async def tick(play: Play, *, planners: int = 1, senders: int = 1, together: bool = False) -> None:
    """Planning and sending passes at `play.now`, as the scheduler's jobs run them — in turn,
    or all at once (`together`). What a tick sends must be due then, and nothing sent before
    may be sent again."""
    services, moment = play.services, play.now
    assert play.world.application is not None
    bot = play.world.application.bot
    with time_machine.travel(moment):
        due = await services.nudges.planner.due_by(moment)
        await check_focus(play, due)
        still = {d.dedupe_key for d in due}
        plans = [services.nudges.planner.plan(moment) for _ in range(planners)]
        sends = [send_now(bot, services, moment) for _ in range(senders)]
        if together:
            await asyncio.gather(*plans, *sends)
        else:
            await asyncio.gather(*plans)
            await asyncio.gather(*sends)
    await check_sent(play, still)


async def check_focus(play: Play, due: list[Due]) -> None:
    """A pass about some subjects (a claim's re-check, /nudges) finds exactly what the whole
    pass finds about them: for every subject stored or due, and for every other one of them."""
    planner = play.services.nudges.planner
    subjects = sorted({d.subject for d in due} | {r.subject for r in await all_rows(play.services)})
    for chosen in (set(subjects), set(subjects[::2]), set()):
        focused = await planner.due_by(play.now, subjects=chosen)
        assert sorted(d.dedupe_key for d in focused) == sorted(
            d.dedupe_key for d in due if d.subject in chosen
        ), f"focus on {sorted(chosen)}\n" + "\n".join(play.done)


async def check_sent(play: Play, still: set[str]) -> None:
    """A row sent before keeps its message; a row sent now was due (`still`) when it went."""
    rows = await all_rows(play.services)
    for row in rows:
        if row.id in play.sent:
            assert (row.state, row.message_id) == ("sent", play.sent[row.id]), (
                f"{row.dedupe_key} was sent again: {row}\n" + "\n".join(play.done)
            )
        elif row.state == "sent":
            assert row.message_id is not None, row
            assert row.dedupe_key in still, (
                f"sent though not due at {play.now}: {row}\n" + "\n".join(play.done)
            )
            play.sent[row.id] = row.message_id


async def restart_mid_send(play: Play, step: Step) -> None:
    """The bot is stopped while a sender pass is under way, then started again. When Telegram
    is `slow` to answer, the first digest has arrived but the bot has not heard so when it
    stops — the one case where a row may end `unknown`."""
    services, moment, http = play.services, play.now, play.world.http
    assert play.world.application is not None
    if step.slow:
        lag = {"method": "sendMessage", "delay_seconds": 0.5, "after_effect": True}
        (await http.post("/sandbox/faults", json=lag)).raise_for_status()
    with time_machine.travel(moment):
        still = {due.dedupe_key for due in await services.nudges.planner.due_by(moment)}
        await services.nudges.planner.plan(moment)
        sender = asyncio.create_task(send_now(play.world.application.bot, services, moment))
        await asyncio.sleep(step.delay_ms / 1000)
        if not sender.done():
            play.stopped_senders += 1
            event("a sender was stopped under way")
            sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
    (await http.delete("/sandbox/faults")).raise_for_status()
    await check_sent(play, still)
    await play.world.restart_bot()


async def run(play: Play, step: Step) -> None:
    play.now += timedelta(minutes=step.minutes)
    if step.kind in ("race", "restart_mid_send"):
        # At the opening of a send window, when most digests go out: there is likely
        # something to send, to stop a sender under or to race for.
        planner = play.services.nudges.planner
        play.now = next_window_start(play.now, planner.calendar, planner.rules.office_hours)
    play.done.append(f"{play.now:%a %m-%d %H:%M} {step}")
    if step.kind in ACTIONS:
        with time_machine.travel(play.now, tick=True):
            done = await ACTIONS[step.kind](play, step)
        event(f"{step.kind}: {'done' if done else 'nothing to do'}")
    elif step.kind == "restart":
        await play.world.restart_bot()
    elif step.kind == "restart_mid_send":
        await restart_mid_send(play, step)
    elif step.kind == "tick":
        await tick(play)
    elif step.kind == "plan":
        await tick(play, senders=0)
    else:
        await tick(play, planners=2, senders=2, together=True)


# --- the end ----------------------------------------------------------------------------------


async def settle(play: Play) -> None:
    """Ticks on the next working morning (every lease long past), and ten minutes later."""
    calendar = play.services.cases.calendar
    day = calendar.next_working_day(play.now.astimezone(TAIPEI).date() + timedelta(days=1))
    play.now = datetime.combine(day, time(9), tzinfo=TAIPEI)
    play.done.append(f"{play.now:%a %m-%d %H:%M} settle")
    await tick(play)
    play.now += timedelta(minutes=10)
    await tick(play)


async def check_the_end(play: Play) -> None:
    """Nothing in flight, nothing due left unsent, and every digest in a chat accounted for."""
    services, moment = play.services, play.now
    story = "\n".join(play.done)
    with time_machine.travel(moment):
        due = await services.nudges.planner.due_by(moment)
        would = await services.nudges.would_send(moment)
    rows = await all_rows(services)
    by_key = {row.dedupe_key: row for row in rows}
    assert len(by_key) == len(rows)
    states = Counter(row.state for row in rows)
    for state in states:
        event(f"rows ended {state}")
    assert states["claimed"] == states["sending"] == 0, f"{states}\n{story}"
    if not play.stopped_senders:
        assert states["unknown"] == 0, f"{states}\n{story}"
    assert would == [], f"{would}\n{story}"
    lost = [
        d.dedupe_key
        for d in due
        if d.dedupe_key not in by_key or by_key[d.dedupe_key].state not in ("sent", "unknown")
    ]
    assert lost == [], f"due but not sent: {[by_key.get(k) or k for k in lost]}\n{story}"

    staff = {}
    for person in play.people:
        member = await services.accounts.by_telegram_id(person.user_id)
        assert member is not None
        staff[member.id] = person
    assert {row.recipient_id for row in rows} <= staff.keys()
    for staff_id, person in staff.items():
        shown = {m.message_id: m for m in await person.bot_messages() if "⏰" in m.text}
        mine = [row for row in rows if row.recipient_id == staff_id]
        sent: dict[int, set[tuple[str, str]]] = {}
        for row in mine:
            if row.state == "sent":
                assert row.message_id is not None, row
                sent.setdefault(row.message_id, set()).add((row.kind, row.subject))
        assert sent.keys() <= shown.keys(), f"{person.first_name}: {sent} {shown}\n{story}"
        for message_id, items in sent.items():  # a digest has a line per subject of its rows
            count = DIGEST_COUNT.search(shown[message_id].text)
            assert count is not None, shown[message_id].text
            assert int(count[1]) == len(items), f"{shown[message_id].text}\n{items}"
        unknown = sum(row.state == "unknown" for row in mine)
        extra = shown.keys() - sent.keys()
        assert len(extra) <= min(unknown, play.stopped_senders), (
            f"{person.first_name} got digests no row accounts for: "
            f"{[shown[i].text for i in extra]}\n{story}"
        )


# --- the property -----------------------------------------------------------------------------


async def meet_the_people(world: World, start: datetime) -> Play:
    """中壢 as the `accepted` fixture has it — the officer's referral accepted by 林督導 with
    陳社工 as case manager — and an admin of the bureau."""
    with time_machine.travel(start, tick=True):
        district, code = await accepted_case(
            world, S01, ("police-zhongli", "王警員"), "fsc-zhongli", ("林督導", "陳社工")
        )
        return Play(
            world=world,
            officer=district.officer,
            supervisor=district.supervisor,
            worker=district.social_worker,
            admin=await active_member(world, Role.ADMIN, "sab", "社會局科長"),
            now=start,
            codes=[code],
        )


async def possible(play: Play) -> list[str]:
    """The steps that have something to act on now (a name twice is drawn twice as often)."""
    kinds = ["tick", "tick", "plan", "race", "restart", "restart_mid_send", "meet"]
    found = await cases(play)
    if len(found) < 5:
        kinds += ["refer"]
    if any(c.status == "waiting" for c in found):
        kinds += ["accept", "accept"]
    if any(c.status == "accepted" and not c.tracked for c in found):
        kinds += ["track", "track"]
    if any(c.tracked for c in found):
        kinds += ["report", "report"]
    meetings = await planned_meetings(play)
    if any(m.starts_at > play.now for m in meetings):
        kinds += ["move", "cancel"]
    if any(m.starts_at <= play.now and m.minutes_recorded_at is None for m in meetings):
        kinds += ["minutes"]
    return kinds


# Shrinking replays whole stories against a live bot, minutes on end: a failure's message carries
# the story it happened in instead.
@settings(
    max_examples=15,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(start=st.sampled_from(STARTS), length=st.integers(6, 20), data=st.data())
async def test_at_most_one_send_per_dedupe_key_and_nothing_due_is_lost(
    start: datetime, length: int, data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = load_settings({"SAFETYNET_NUDGES": "off"}, var_dir=Path(folder) / "var")
        world = World(config, create_app())
        await world.start_bot()
        try:
            play = await meet_the_people(world, start)
            for number in range(length):
                step = data.draw(steps(await possible(play)), label=f"step {number}")
                await run(play, step)
            await settle(play)
            await check_the_end(play)
        finally:
            await world.close()
