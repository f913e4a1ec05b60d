"""Every free-text input (handlers/inputs.py), with national IDs and phone numbers in every shape
redaction knows typed into it through the chat: afterwards the identifier is in no message of the
sandbox still shown, not in the database file, not in its -wal, and not in the log at DEBUG.

Each input has a driver below that types `text` where the input is asked, the way a worker would.
Where an input needs a state that takes many steps to reach (a held meeting's minutes), the first
example gets there through the chat and later ones ask the bot to wait for the same answer again.
"""

from __future__ import annotations

import io
import logging
import os
import unicodedata
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
import time_machine
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.domain.roles import Role
from bot.logs import RedactingFormatter, quiet_libraries
from handlers import meeting_changes, minutes
from handlers.inbox import ANSWERS
from handlers.inputs import FreeTextInput
from storage.engine import sqlite_path
from tests.e2e.test_case_work import write_entry
from tests.e2e.test_meetings import begin_minutes
from tests.e2e.test_referral import CODE, S01, District, refer
from tests.transcript import Person, World, active_member
from tests.unit.test_redaction import (
    CHINESE_DIGITS,
    local_number,
    phone_number,
    spelled_id,
    valid_ids,
)

pytestmark = pytest.mark.e2e

FAMILY = "中壢區，媽媽一個人帶兩個孩子（3歲、8歲），房租遲繳兩個月。"
AFTER_THE_MEETINGS = "2026-11-28 10:00 +0800"


def in_characters(typed: str) -> str:
    return "".join(CHINESE_DIGITS[int(ch)] if ch.isdigit() else ch for ch in typed)


identifiers = st.one_of(
    valid_ids.flatmap(lambda value: st.tuples(spelled_id(value), st.just(value))),
    phone_number(),
    local_number(),
    phone_number().map(lambda phone: (in_characters(phone[0]), phone[1])),
)


@dataclass
class Scene:
    world: World
    district: District
    code: str
    clerk: Person
    admin: Person
    state: dict[str, object] = field(default_factory=dict)

    @property
    def people(self) -> list[Person]:
        return [
            self.district.officer,
            self.district.supervisor,
            self.district.social_worker,
            self.clerk,
            self.admin,
            *self.state.get("registering", []),  # type: ignore[misc]
        ]


Driver = Callable[[Scene, str], Awaitable[None]]
DRIVERS: dict[FreeTextInput, Driver] = {}


def drives(item: FreeTextInput) -> Callable[[Driver], Driver]:
    def register(driver: Driver) -> Driver:
        DRIVERS[item] = driver
        return driver

    return register


@drives(FreeTextInput.DESCRIPTION)
async def description(scene: Scene, text: str) -> None:
    officer = scene.district.officer
    await officer.says("/refer")
    await officer.says(f"{FAMILY}案母{text}")
    await officer.says("/cancel")


@drives(FreeTextInput.ALIAS)
async def alias(scene: Scene, text: str) -> None:
    officer = scene.district.officer
    await officer.says("/refer")
    await officer.says(FAMILY)
    await officer.presses("✅ 以上都沒有")
    await officer.says(f"王*{text}")
    await officer.says("/cancel")


@drives(FreeTextInput.NATIONAL_ID)
async def national_id(scene: Scene, text: str) -> None:
    officer = scene.district.officer
    await officer.says("/refer")
    replies = await officer.says(FAMILY)
    for label in ("✅ 以上都沒有", "略過", "確認", "確認", "確認", "沒有其他單位"):
        if "身分證" in replies[-1].text:
            break
        replies = await officer.presses(label)
    assert "身分證" in replies[-1].text
    await officer.says(text)
    await officer.says("/cancel")


@drives(FreeTextInput.RETURN_REASON)
async def return_reason(scene: Scene, text: str) -> None:
    supervisor = scene.district.supervisor
    await refer(scene.district.officer, FAMILY)
    await supervisor.presses("退回")
    await supervisor.says(f"請補充，{text}")


async def note(scene: Scene, text: str) -> None:
    await write_entry(scene.district.social_worker, scene.code, "電訪家庭", text)


@drives(FreeTextInput.ENTRY_DATE)
async def entry_date(scene: Scene, text: str) -> None:
    worker = scene.district.social_worker
    await worker.says(f"/update {scene.code}")
    await worker.presses("電訪家庭")
    await worker.presses("其他日期")
    await worker.says(f"上週三{text}")


@drives(FreeTextInput.CASE_NOTE)
async def case_note(scene: Scene, text: str) -> None:
    await note(scene, f"案母說{text}")


@drives(FreeTextInput.NEXT_STEP)
async def next_step(scene: Scene, text: str) -> None:
    await note(scene, f"電訪。\n下一步：{text}再約家訪 12/10")


@drives(FreeTextInput.CORRECTION)
async def correction(scene: Scene, text: str) -> None:
    worker = scene.district.social_worker
    await note(scene, "電訪，案母情緒穩定。")  # the newest entry: its 更正 button is on page 1
    await worker.says(f"/case {scene.code}")
    replies = await worker.presses("🕒 時間軸")
    await worker.presses(next(label for label in replies[-1].labels if label.startswith("更正")))
    await worker.says(f"更正：{text}")


@drives(FreeTextInput.TRACKING_REASON)
async def tracking_reason(scene: Scene, text: str) -> None:
    supervisor = scene.district.supervisor
    found = CODE.search((await refer(scene.district.officer, S01)).text)
    assert found
    await supervisor.presses("受案")
    await supervisor.presses("陳社工")
    await supervisor.says(f"/case {found[0]}")
    replies = await supervisor.presses("📌 列管")
    assert "列管" in replies[-1].text
    await supervisor.says(f"需追蹤，{text}")


@drives(FreeTextInput.MONTHLY_REPORT)
async def monthly_report(scene: Scene, text: str) -> None:
    supervisor, worker = scene.district.supervisor, scene.district.social_worker
    if not scene.state.get("tracked"):
        await supervisor.says(f"/case {scene.code}")
        await supervisor.presses("📌 列管")
        await supervisor.says("需跨網絡追蹤")
        scene.state["tracked"] = True
    await worker.says(f"/report {scene.code}")
    await worker.says(f"本月家訪兩次，{text}")


@drives(FreeTextInput.MEETING_FIELD)
async def meeting_field(scene: Scene, text: str) -> None:
    clerk = scene.clerk
    await clerk.says("/newmeeting")
    await clerk.says("115/12/20 10:00")
    await clerk.says(f"中壢區公所禮堂 {text}")
    await clerk.says(f"https://meet.example.tw/{text}")
    await clerk.presses("不需要")
    await clerk.says(f"陳區長 {text}")
    await clerk.says("/cancel")


async def held_meetings(scene: Scene) -> tuple[int, int, int]:
    """A case conference and a liaison meeting, planned and held through the chat, their minutes
    begun: (conference id, liaison meeting id, the conference's case id)."""
    found = scene.state.get("meetings")
    if isinstance(found, tuple):
        return found
    supervisor, clerk = scene.district.supervisor, scene.clerk
    await supervisor.says(f"/case {scene.code}")
    await supervisor.presses("📌 列管")
    await supervisor.says("需跨網絡追蹤")
    scene.state["tracked"] = True
    replies = await supervisor.says("/newmeeting")
    await supervisor.presses(replies[-1].labels[0])
    await supervisor.says("中壢家庭服務中心2樓會議室")
    await supervisor.presses("不需要")
    await supervisor.presses((await supervisor.last_bot_message()).labels[0])
    await supervisor.presses("完成")
    await supervisor.presses("✅ 建立並發出開會通知")
    await clerk.says("/newmeeting")
    await clerk.says("115/11/27 10:00")
    await clerk.says("中壢區公所禮堂")
    await clerk.presses("不需要")
    await clerk.says("中壢區公所 陳區長")
    await clerk.presses("完成")
    await clerk.presses("✅ 建立並發出開會通知")
    services = scene.world.bot_services
    organiser = await services.accounts.by_telegram_id(supervisor.user_id)
    secretary = await services.accounts.by_telegram_id(clerk.user_id)
    assert organiser is not None
    assert secretary is not None
    (conference,) = [
        m
        for m in await services.meetings.upcoming_for(organiser)
        if m.series_key == "case_conference"
    ]
    (liaison,) = [
        m
        for m in await services.meetings.upcoming_for(secretary)
        if m.series_key == "district_liaison"
    ]
    with time_machine.travel(AFTER_THE_MEETINGS, tick=True):
        await supervisor.says("/meetings")
        await supervisor.presses((await supervisor.last_bot_message()).labels[0])
        await begin_minutes(supervisor)
        await supervisor.presses("持續列管")
        await clerk.says("/meetings")
        labels = (await clerk.last_bot_message()).labels
        await clerk.presses(next(label for label in labels if "聯繫會議" in label))
        await begin_minutes(clerk)
    referral = await services.referrals.view(organiser, scene.code)
    assert referral is not None
    found = (conference.id, liaison.id, referral.id)
    scene.state["meetings"] = found
    return found


@drives(FreeTextInput.DECISION_NOTE)
async def decision_note(scene: Scene, text: str) -> None:
    conference, _liaison, case = await held_meetings(scene)
    services = scene.world.bot_services
    organiser = await services.accounts.by_telegram_id(scene.district.supervisor.user_id)
    assert organiser is not None
    with time_machine.travel(AFTER_THE_MEETINGS, tick=True):
        await services.cases.expect(organiser, minutes.DECISION_NOTE, f"{conference}:{case}")
        replies = await scene.district.supervisor.says(f"請社工持續追蹤，{text}")
    assert "已加註說明" in replies[-1].text or "為保護個資" in replies[-1].text


@drives(FreeTextInput.RESOLUTION)
async def resolution(scene: Scene, text: str) -> None:
    _conference, liaison, _case = await held_meetings(scene)
    services = scene.world.bot_services
    secretary = await services.accounts.by_telegram_id(scene.clerk.user_id)
    assert secretary is not None
    with time_machine.travel(AFTER_THE_MEETINGS, tick=True):
        await services.cases.expect(secretary, minutes.RESOLUTION, str(liaison))
        replies = await scene.clerk.says(f"加強夜間巡邏 {text}／中壢分局／115/12/31")
    assert any("已記錄" in r.text for r in replies), [r.text for r in replies]


@drives(FreeTextInput.NEW_MEETING_TIME)
async def new_meeting_time(scene: Scene, text: str) -> None:
    _conference, liaison, _case = await held_meetings(scene)
    services = scene.world.bot_services
    secretary = await services.accounts.by_telegram_id(scene.clerk.user_id)
    assert secretary is not None
    await services.cases.expect(secretary, meeting_changes.NEW_TIME, str(liaison))
    await scene.clerk.says(f"115/12/20 10:00 {text}")


@drives(FreeTextInput.DISPLAY_NAME)
async def display_name(scene: Scene, text: str) -> None:
    invite = await scene.world.shell_invite(Role.WORKER, "police-zhongli")
    person = await scene.world.person("新人")
    scene.state.setdefault("registering", []).append(person)  # type: ignore[attr-defined]
    await person.says(f"/start {invite.code}")
    await person.says(f"王小明{text}")


@drives(FreeTextInput.COMMAND_ARGUMENT)
async def command_argument(scene: Scene, text: str) -> None:
    worker = scene.district.social_worker
    for command in ("/case", "/update", "/report", "/search", "/start"):
        await worker.says(f"{command} {text}")
    await scene.admin.says(f"/compliance {text}")
    stranger = await scene.world.person("路人")
    scene.state.setdefault("registering", []).append(stranger)  # type: ignore[attr-defined]
    await stranger.says(f"/start {text}")


@drives(FreeTextInput.CAPTION)
async def caption(scene: Scene, text: str) -> None:
    await scene.district.social_worker.sends({"photo": True, "caption": f"案母新手機 {text}"})


@contextmanager
def debug_log() -> Iterator[io.StringIO]:
    """The log as the real process writes it at DEBUG (bot.logs), into a buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(RedactingFormatter([], "%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    quiet_libraries(logging.DEBUG)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def forms(typed: str, significant: str) -> list[str]:
    """How the identifier could appear: as typed, NFKC-normalised, and its significant digits."""
    return sorted({typed, unicodedata.normalize("NFKC", typed), significant.upper()})


async def assert_nowhere(scene: Scene, typed: str, significant: str, log: str) -> None:
    looked_for = forms(typed, significant)
    typed_and_deleted = 0
    for person in scene.people:
        for message in await person.chat():
            if message.deleted:
                shown = message.text + str((message.photo or {}).get("caption", ""))
                typed_and_deleted += typed in shown
                continue
            shown = message.text + str((message.photo or {}).get("caption", ""))
            compact = "".join(ch for ch in unicodedata.normalize("NFKC", shown) if ch.isalnum())
            for form in looked_for:
                assert form not in shown, (person.first_name, shown)
                assert significant.upper() not in compact.upper(), (person.first_name, shown)
    path = sqlite_path(scene.world.settings.database_url)
    assert path is not None
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            data = file.read_bytes()
            for form in looked_for:
                assert form.encode() not in data, (file.name, form)
    for form in looked_for:
        assert form not in log, form
    assert typed_and_deleted, "the identifier was never typed where the input is asked"


SCENES: dict[int, Scene] = {}
EXAMPLES = int(os.environ.get("SAFETYNET_PROPERTY_EXAMPLES", "6"))


async def scene_of(accepted: tuple[District, str]) -> Scene:
    district, code = accepted
    found = SCENES.get(id(district.world))
    if found is None:
        clerk = await active_member(district.world, Role.SECRETARIAT, "office-zhongli", "吳秘書")
        admin = await active_member(district.world, Role.ADMIN, "sab", "陳科長")
        found = Scene(district.world, district, code, clerk, admin)
        SCENES[id(district.world)] = found
    return found


def test_every_free_text_input_has_a_driver_and_every_awaited_answer_is_listed() -> None:
    assert set(DRIVERS) == set(FreeTextInput)
    assert set(ANSWERS) <= {item.value for item in FreeTextInput}


@pytest.mark.parametrize("item", list(FreeTextInput))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(identifier=identifiers)
async def test_no_identifier_typed_into_any_input_survives_anywhere(
    accepted: tuple[District, str], item: FreeTextInput, identifier: tuple[str, str]
) -> None:
    typed, significant = identifier
    scene = await scene_of(accepted)
    with debug_log() as log:
        await DRIVERS[item](scene, f" 電話 {typed} 。")
    await assert_nowhere(scene, typed, significant, log.getvalue())
