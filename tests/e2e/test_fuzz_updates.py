"""Forged and random updates, as someone holding the webhook secret could send them: the real
Application meets texts, commands with random arguments, button presses with random data, edited
messages, unknown update types, and group and channel messages. Not one may raise, and none may
change what its sender has no right to change.

The people sending them are outsiders to the case in the database: a police officer and a family
service center supervisor of another district, someone registering, someone pending approval and a
stranger — and the case's own team, in a group and in a channel. The suite draws
SAFETYNET_FUZZ_UPDATES updates (2,000 by default, the same every run); set it to 100000 for the
long run.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from telegram import Update

from bot.domain.permissions import COMMANDS
from bot.domain.roles import Role
from storage.schema import (
    case_entries,
    case_team,
    invites,
    meetings,
    obligations,
    referrals,
    staff,
)
from tests.e2e.test_referral import District
from tests.transcript import Person, World, active_member

pytestmark = pytest.mark.e2e

UPDATES = int(os.environ.get("SAFETYNET_FUZZ_UPDATES", "2000"))
PER_EXAMPLE = 20
REGISTERING_ID = 4242
NUMBERS = itertools.count(5_000_000)
CAST: dict[int, tuple[list[Person], dict[str, list[tuple[Any, ...]]]]] = {}
# Several groups, so that the bot's own limit on messages to a group (20 a minute) is not what
# the test measures.
GROUPS = [{"id": -1001000 - n, "type": "supergroup", "title": f"社安網 {n}"} for n in range(12)]
CHANNEL = {"id": -1009876, "type": "channel", "title": "公告"}
PREFIXES = (
    "ref", "rd", "rc", "rt", "pg", "up", "tk", "rp", "cx", "tm", "ta", "tj", "te", "cs", "ob",
    "ow", "owr", "nd", "stf", "nm", "mt", "mv", "ma", "mm", "md", "mf", "mn", "rl", "rs", "cl",
    "mx", "nz", "reg", "inv", "lang", "zz",
)  # fmt: skip
WORDS = (
    "acc", "ret", "re", "ok", "no", "c", "d", "k", "p", "keep", "close", "submit", "skip", "edit",
    "drop", "household", "needs", "id", "u", "r", "go", "done", "later", "attend", "to", "move",
    "cancel", "cancel_yes", "series", "time", "unit", "accepted", "open", "closing", "closed",
    "zh_TW", "en", "mycases", "search", "fsc-zhongli", "police-zhongli", "home_visit", "A123456789",
    "TY-115-00001", "TY-115-99999", "zzz", "", "-1", "0", "1", "2",
)  # fmt: skip

segment = st.one_of(
    st.sampled_from(WORDS),
    st.integers(min_value=-5, max_value=50).map(str),
    st.integers(min_value=10**18, max_value=10**30).map(str),
    st.text(alphabet="0123456789abcdefxyz-_:/", max_size=12),
    st.text(max_size=8),
)
callback_data = st.one_of(
    st.builds(
        lambda prefix, parts: f"{prefix}:{':'.join(parts)}"[:64],
        st.sampled_from(PREFIXES),
        st.lists(segment, max_size=5),
    ),
    st.text(max_size=64),
)
typed_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        (
            "中壢區，媽媽一個人帶兩個孩子（3歲、8歲），房租遲繳兩個月。",
            "好，謝謝",
            "王*0912345678",
            "下一步：家訪 115/02/30",
            "以上都沒有",
            "\u200b\u202e",
            "😀" * 40,
            "王" * 5000,
        )
    ),
)
command = st.builds(
    lambda name, args: " ".join((f"/{name}", *args)),
    st.sampled_from([c.name for c in COMMANDS] + ["start", "cancel", "nosuch"]),
    st.lists(st.one_of(segment, typed_text), max_size=3),
)


@st.composite
def random_update(draw: st.DrawFn, people: list[Person], team: list[Person]) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            ("text", "command", "press", "press", "edited", "unknown", "group", "channel")
        )
    )
    sender = draw(st.sampled_from(people if kind not in ("group", "channel") else team))
    user = {"id": sender.user_id, "is_bot": False, "first_name": sender.first_name}
    private = {"id": sender.user_id, "type": "private", "first_name": sender.first_name}
    message_id = draw(st.integers(min_value=1, max_value=400))
    text = draw(st.one_of(typed_text, command))
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": 1_790_000_000,
        "chat": private,
        "from": user,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [
            {"type": "bot_command", "offset": 0, "length": len(text.split(" ")[0])}
        ]
    if kind == "press":
        return {
            "callback_query": {
                "id": str(draw(st.integers(min_value=1, max_value=10**9))),
                "chat_instance": "fuzz",
                "from": user,
                "data": draw(callback_data),
                "message": {**message, "from": {"id": 1, "is_bot": True, "first_name": "bot"}},
            }
        }
    if kind == "edited":
        return {"edited_message": {**message, "edit_date": 1_790_000_100}}
    if kind == "unknown":
        return draw(
            st.sampled_from(
                (
                    {"some_future_update": {"id": 1, "from": user}},
                    {"my_chat_member": {"chat": private, "from": user, "date": 1_790_000_000,
                                        "old_chat_member": {"status": "member", "user": user},
                                        "new_chat_member": {"status": "kicked", "user": user,
                                                            "until_date": 0}}},
                    {"inline_query": {"id": "1", "from": user, "query": text[:20], "offset": ""}},
                )
            )
        )  # fmt: skip
    if kind == "group":
        return {"message": {**message, "chat": draw(st.sampled_from(GROUPS))}}
    if kind == "channel":
        return {"channel_post": {**{k: v for k, v in message.items() if k != "from"},
                                 "chat": CHANNEL}}  # fmt: skip
    return {"message": message}


class Failures(logging.Handler):
    """Every error the bot logs: an update that failed, whatever logged it."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def failures_logged() -> Iterator[Failures]:
    handler = Failures()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


async def snapshot(world: World) -> dict[str, list[tuple[Any, ...]]]:
    """What no outsider may change (the one registering may finish registering)."""
    tables = (staff, invites, referrals, case_entries, case_team, obligations, meetings)
    async with world.bot_services.db.read() as conn:
        found = {
            table.name: sorted(tuple(row) for row in (await conn.execute(select(table))).all())
            for table in tables
        }
    found["staff"] = [row for row in found["staff"] if row[1] != REGISTERING_ID]
    return found


async def outsiders(world: World) -> list[Person]:
    officer = await active_member(world, Role.WORKER, "police-bade", "趙警員")
    supervisor = await active_member(world, Role.SUPERVISOR, "fsc-bade", "吳督導")
    registering = await world.person("阿明", user_id=REGISTERING_ID)
    invite = await world.shell_invite(Role.WORKER, "police-zhongli")
    await registering.says(f"/start {invite.code}")
    stranger = await world.person("路人")
    return [officer, supervisor, registering, stranger]


@settings(
    max_examples=max(1, UPDATES // PER_EXAMPLE),
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # no shrinking against a live bot: the message says
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_random_and_forged_updates_raise_nothing_and_change_nothing(
    accepted: tuple[District, str], data: st.DataObject
) -> None:
    district, _code = accepted
    world = district.world
    application = world.application
    assert application is not None
    team = [district.officer, district.supervisor, district.social_worker]
    if id(world) not in CAST:  # one world for every example: the same people and case
        people = await outsiders(world)
        for person in people:  # a real message of the bot's in each chat, to press on
            await person.says("/help")
        # Telegram's rate limits are another test's subject; here they would only slow it down.
        (await world.http.post("/sandbox/flood", json={"enabled": False})).raise_for_status()
        for group in GROUPS:  # the groups exist, as they would for a bot added to them
            for person in team:
                sent = await world.http.post(
                    "/sandbox/messages",
                    json={"user_id": person.user_id, "text": "大家好", "chat": group},
                )
                sent.raise_for_status()
        CAST[id(world)] = (people, await snapshot(world))
    people, before = CAST[id(world)]
    payloads = data.draw(
        st.lists(random_update(people, team), min_size=PER_EXAMPLE, max_size=PER_EXAMPLE)
    )
    with failures_logged() as failures:
        for payload in payloads:
            number = next(NUMBERS)
            update = Update.de_json({"update_id": number, **payload}, application.bot)
            await application.process_update(update)
    failed = [f"{r.name}: {r.getMessage()} {r.exc_info!r}" for r in failures.records]
    assert failed == [], failed[:3]
    assert await snapshot(world) == before
