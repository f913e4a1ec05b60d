"""A believable, obviously fictional district for trying the bot: `safetynet demo` and
`safetynet run --demo`.

Everything goes through the product's own services (recognition, submission, 受案, entries,
tracking, meetings), so the demo shows what the bot really does. The demo lives in its own
database file (`var/demo.db`), marked as demo data; a file holding anything else is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.accounts import Staff
from bot.cases import taipei_today
from bot.clock import utcnow
from bot.domain.case_status import EntryKind
from bot.domain.referral_form import Draft, Step
from bot.domain.roles import Role, StaffStatus
from bot.meetings import MeetingPlan
from bot.referrals import Decided, OpenDraft
from bot.services import Services
from storage.repositories import meta, referrals, staff

DEMO_MARK = "demo"
FIRST_ID = 900001


class NotDemoDataError(Exception):
    """The target database holds data that is not the demo's: it is never mixed with it."""


@dataclass(frozen=True)
class DemoPerson:
    telegram_user_id: int
    name: str
    role: Role
    unit_id: str
    what_to_try: str  # which part of the product this person shows


# Fictional staff of 中壢 (the district) and the bureau; titles, not full names.
PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        FIRST_ID, "示範林督導", Role.SUPERVISOR, "fsc-zhongli", "受案、列管、/caseload、/newmeeting"
    ),
    DemoPerson(
        FIRST_ID + 1, "示範陳社工", Role.CASE_MANAGER, "fsc-zhongli", "/mycases、/update、/report"
    ),
    DemoPerson(
        FIRST_ID + 2, "示範張社工", Role.CASE_MANAGER, "fsc-zhongli", "/update、幸扶守護訪視"
    ),
    DemoPerson(FIRST_ID + 3, "示範王警員", Role.WORKER, "police-zhongli", "/refer 轉介一個家庭"),
    DemoPerson(FIRST_ID + 4, "示範蔡老師", Role.WORKER, "school-zhongli", "/refer、會議回覆"),
    DemoPerson(FIRST_ID + 5, "示範吳秘書", Role.SECRETARIAT, "office-zhongli", "區級聯繫會議"),
    DemoPerson(
        FIRST_ID + 6, "示範社會局科長", Role.ADMIN, "sab", "/compliance、/caseload、核准帳號"
    ),
)

# Fictional families, in the words a worker would use; aliases are masked.
STORIES: tuple[str, ...] = (
    "中壢區林○華，單親媽媽吸毒，家裡有一個3歲和一個5歲的小孩，沒有其他親人可以幫忙照顧，最近常常沒去托嬰中心。",
    "中壢區王○明家，爸爸上個月失業，家裡有兩個國小的孩子，房租繳不出來，想申請急難救助。",
    "中壢區陳○○阿嬤75歲獨居，有身障手冊，最近跌倒後沒人照顧，鄰居說她常常沒吃飯。",
    "中壢區張○芳，自殺通報，原因是經濟壓力，上個月剛到區公所申請急難救助，家裡有一個國中生。",
    "中壢區李○強，有思覺失調症，停藥後情緒不穩，和年邁父母同住，父親70歲。",
    "中壢區黃○婷，懷孕中，先生酗酒，家裡有一個2歲小孩，經濟困難。",
    "中壢區吳○傑家，媽媽重度憂鬱，兩個孩子4歲和8歲，學校說孩子常常沒帶便當。",
    "中壢區劉○安，長期失業，照顧中風的母親68歲，自己也有身心障礙。",
    "中壢區周○雯，單親爸爸，三個孩子分別是1歲、3歲、6歲，白天工作沒有人照顧小孩。",
    "中壢區鄭○宏家，爸爸吸毒入監，媽媽打零工，家裡有一個5歲孩子，常常一個人在家。",
)


ROUNDS = 3  # three families per story, under other masked surnames: a few dozen in all
_SURNAMES = "林王陳張李黃吳劉周鄭"
_OTHER_SURNAMES = ("許蔡楊謝郭洪曾邱廖賴", "徐葉蘇莊呂江何羅高潘")


def _renamed(story: str, round_: int) -> str:
    """The same kind of family under another masked surname (林○華 → 許○華)."""
    if round_ == 0:
        return story
    table = str.maketrans(_SURNAMES, _OTHER_SURNAMES[round_ - 1])
    alias_at = story.index("○") - 1
    return story[:alias_at] + story[alias_at].translate(table) + story[alias_at + 1 :]


async def people(services: Services) -> list[Staff]:
    found = [await services.accounts.by_telegram_id(p.telegram_user_id) for p in PEOPLE]
    return [member for member in found if member is not None]


async def is_demo(services: Services) -> bool:
    async with services.db.read() as conn:
        return await meta.get(conn, DEMO_MARK) == "yes"


async def seed(services: Services) -> bool:
    """Fill an empty database with the demo district; False when it already holds the demo.
    Raises NotDemoDataError when it holds anything else."""
    async with services.db.read() as conn:
        marked = await meta.get(conn, DEMO_MARK) == "yes"
        anyone = await staff.active_with_role(conn, Role.ADMIN.value)
    if marked:
        return False
    if anyone:
        raise NotDemoDataError("this database already holds staff that are not the demo's")
    now = utcnow()
    async with services.db.write() as conn:
        await meta.put(conn, DEMO_MARK, "yes")
        for person in PEOPLE:
            record = await staff.insert(
                conn,
                telegram_user_id=person.telegram_user_id,
                role=person.role.value,
                unit_id=person.unit_id,
                status=StaffStatus.ACTIVE.value,
                locale="zh_TW",
                invite_id=None,
                now=now,
            )
            await staff.set_fields(conn, record.id, now=now, display_name=person.name)
    cast = {p.name: m for p, m in zip(PEOPLE, await people(services), strict=True)}
    await _families(services, cast)
    await _meetings(services, cast)
    return True


async def _refer(services: Services, member: Staff, story: str) -> int:
    found = services.referrals.recognise(story)
    draft = Draft().with_recognised(found)
    for step in (Step.ALIAS, Step.HOUSEHOLD, Step.CATEGORIES, Step.NEEDS, Step.UNITS):
        draft = draft.finish(step)
    draft = draft.finish(Step.NATIONAL_ID)
    if draft.next_step() is Step.SAFETY:
        draft = draft.answer_safety(())  # the worker answered 「以上都沒有」
    opened = await services.referrals.start_draft(member)
    opened = OpenDraft(nonce=opened.nonce, draft=draft)
    await services.referrals.save_draft(member, opened)
    submitted = await services.referrals.submit(member, opened.nonce)
    assert submitted is not None
    return submitted.referral.id


async def _families(services: Services, cast: dict[str, Staff]) -> None:
    """Thirty families (ten stories under three masked surnames): most accepted as cases with a
    first entry, two in ten waiting, one in ten returned; two tracked for months with reports
    overdue; 幸扶守護 plans under way."""
    officer, teacher = cast["示範王警員"], cast["示範蔡老師"]
    supervisor = cast["示範林督導"]
    managers = [cast["示範陳社工"], cast["示範張社工"]]
    stories = [_renamed(story, round_) for round_ in range(ROUNDS) for story in STORIES]
    for number, story in enumerate(stories):
        index = number % len(STORIES)
        referrer = officer if index % 2 == 0 else teacher
        referral_id = await _refer(services, referrer, story)
        if index in (8, 9):
            continue  # waiting for the supervisor: try 受案 / 退回 / 再轉
        if index == 7:
            await services.referrals.return_to_referrer(
                supervisor, referral_id, "已由長照中心服務，請改轉長照管理中心。"
            )
            continue
        manager = managers[index % 2]
        decided = await services.referrals.accept(supervisor, referral_id, manager.id)
        assert isinstance(decided, Decided)
        referral = await services.referrals.by_id(referral_id)
        assert referral is not None
        today = taipei_today()
        await services.cases.write(
            manager,
            referral,
            kind=EntryKind.HOME_VISIT if index % 3 else EntryKind.PHONE_VISIT,
            entry_date=today,
            note="初訪：了解家庭需求，案家願意接受服務。",
            next_step="連結社會救助資源" if index % 2 == 0 else None,
            next_due=today + timedelta(days=5) if index % 2 == 0 else None,
        )
        if index in (0, 4) and number < len(STORIES):
            await services.cases.mark_tracked(supervisor, referral, "個案研討會決議列管")
            # Tracked since three months ago: some monthly reports are now overdue.
            async with services.db.write() as conn:
                await referrals.set_fields(
                    conn,
                    referral_id,
                    now=utcnow(),
                    tracked_since=utcnow() - timedelta(days=95),
                )


async def _meetings(services: Services, cast: dict[str, Staff]) -> None:
    """The district's next case conference and liaison meeting, its units invited."""
    supervisor, clerk = cast["示範林督導"], cast["示範吳秘書"]
    for member, key in ((supervisor, "case_conference"), (clerk, "district_liaison")):
        series = services.meetings.series(key)
        if series is None:
            continue
        slots = await services.meetings.suggested_times(series, utcnow())
        when = slots[0] if slots else utcnow() + timedelta(days=14)
        await services.meetings.create(
            member,
            MeetingPlan(
                series_key=key,
                district="中壢區",
                starts_at=when,
                place="中壢區公所3樓會議室",
                video_link=None,
                chair=f"{member.unit_name} {member.display_name}",
                unit_ids=tuple(u.id for u in services.meetings.default_units(series, "中壢區")),
            ),
        )


def demo_guide(created: bool) -> str:
    """Whom to pick in the web chat for each side of the work."""
    lines = [
        "示範資料已建立 (demo district created)." if created else "示範資料已存在 (demo ready).",
        "在網頁對話選擇人物 / pick a person in the web chat:",
    ]
    lines += [f"  {p.name}（{p.role.value}）：{p.what_to_try}" for p in PEOPLE]
    return "\n".join(lines)
