"""Every message the code uses exists in zh_TW (the default), and English has the same keys."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine

from bot.config import PROJECT_ROOT
from bot.domain import meetings as meeting_rules
from bot.domain.case_status import BUTTON_MOVES, MOVE_EVENTS, REASON_CODES, CaseStatus, EntryKind
from bot.domain.dates import StepDateProblem
from bot.domain.minutes import Attendance, Decision, ReleaseReason
from bot.domain.nudges import NudgeKind
from bot.domain.obligations import ObligationKind, WaiverReason
from bot.domain.permissions import COMMANDS
from bot.domain.recognition import NotADescription
from bot.domain.redaction import RedactionKind
from bot.domain.referral_form import HOUSEHOLD_FIELDS, Step
from bot.domain.referral_rules import WHY_NOT_CODES, Category, Need, PriorityFlag
from bot.domain.referral_status import ReferralEvent, ReferralStatus
from bot.domain.roles import Role, StaffStatus
from bot.domain.safety import ReportChannel, SafetyGround
from bot.domain.text import NameProblem
from bot.domain.working_days import TAIPEI
from bot.referrals import DecisionProblem
from bot.render import LOCALES, Texts, roc_date, roc_datetime
from handlers.inbox import ANSWERS
from handlers.updates import REPORT_PROPOSAL

# Literal keys: services.text(x, "registration.ask_name") and friends.
_KEY = re.compile(r"""text\(\s*[\w.]+,\s*f?["']([a-z_{][a-zA-Z_.{}()]*\.[a-zA-Z_.{}()]+)["']""")


# Reasons the services add to the case rules' own codes.
MEETING_TIME_REASONS = [
    meeting_rules.BAD_FORMAT,
    meeting_rules.NO_SUCH_DAY,
    meeting_rules.IN_THE_PAST,
    meeting_rules.TOO_FAR,
    meeting_rules.LINK_NOT_HTTPS,
    meeting_rules.LINK_TOO_LONG,
    meeting_rules.LINK_INVALID,
]
MEETING_REASONS = [
    *MEETING_TIME_REASONS,
    "meeting.link_holds_identifier",
    "meeting.not_allowed",
    "meeting.overlaps",
    "meeting.gone",
    "meeting.already_started",
    "meeting.not_invited",
    "meeting.bad_delegate",
    "meeting.not_organiser",
    "meeting.minutes_done",
    "meeting.bad_decision",
    "meeting.not_on_agenda",
    "meeting.already_decided",
    "meeting.bad_unit",
    "meeting.not_yet_held",
    "meeting.undecided",
    "meeting.not_an_open_case",
    "meeting.not_yours",
    "nudge.gone",
    "nudge.already_snoozed",
    "nudge.snoozed_enough",
]
EXTRA_REASONS = {
    "case.not_a_case",
    "case.already_tracked",
    "entry.note_too_long",
    "report.not_tracked",
    "report.already_filed",
    "entry.not_author",
    "entry.not_found",
    "duty.not_yours",
    "duty.not_open",
    "duty.not_waivable",
    "team.not_allowed",
    "team.lead_center",
    "team.already_serving",
    "team.not_serving",
}


def _used_keys() -> set[str]:
    keys: set[str] = set()
    for folder in ("bot", "handlers"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            keys.update(_KEY.findall(path.read_text(encoding="utf-8")))
    return keys


def _expand(key: str) -> set[str]:
    """f-string keys are expanded over the values they can take."""
    values = {
        "{role}": [r.value for r in Role],
        "{member.role}": [r.value for r in Role],
        "{command.name}": [c.name for c in COMMANDS],
        "{name}": [c.name for c in COMMANDS] + ["start"],
        "{locale}": list(LOCALES),
        "{member.locale}": list(LOCALES),
        "{member.status.value}": [s.value for s in StaffStatus],
        "{problem.value}": [p.value for p in NameProblem],
        "{reason.value}": [p.value for p in NotADescription],
        "{ground.value}": [g.value for g in SafetyGround],
        "{part}": [g.value for g in SafetyGround] + ["none"],
        "{channel}": [c.value for c in ReportChannel],
        "{n.value}": [n.value for n in Need],
        "{member_kind}": list(HOUSEHOLD_FIELDS),
        "{entry.kind}": [k.value for k in EntryKind],
        "{original.kind}": [k.value for k in EntryKind],
        "{result.entry.kind}": [k.value for k in EntryKind],
        "{kind.value}": [k.value for k in EntryKind],
        "{removed_kind.value}": [k.value for k in RedactionKind],
        "{rest[0]}": [k.value for k in EntryKind],
        "{k.value}": [k.value for k in RedactionKind],
        "{referral.case_status}": [c.value for c in CaseStatus],
        "{target.value}": [c.value for c in CaseStatus],
        "{result.status_note}": sorted(REASON_CODES),
        "{c.value}": [c.value for c in Category],
        "{f.value}": [f.value for f in PriorityFlag],
        "{result.value}": [p.value for p in DecisionProblem],
        "{draft.next_step().value}": [s.value for s in Step],
        "{referral.status}": [s.value for s in ReferralStatus],
        "{event_kind}": [e.value for e in ReferralEvent],
        "{event.kind}": [e.value for e in ReferralEvent],
        "{rules.IN_THE_PAST}": [meeting_rules.IN_THE_PAST],
        "{parsed}": MEETING_TIME_REASONS,
        "{problem}": sorted(REASON_CODES | EXTRA_REASONS | set(MEETING_REASONS)),
        "{result}": sorted(REASON_CODES | EXTRA_REASONS | set(MEETING_REASONS)),
        "{split.problem.value}": [p.value for p in StepDateProblem],
        "{entry_kind}": [k.value for k in EntryKind],
        "{pending_kind}": [*sorted(ANSWERS), REPORT_PROPOSAL],
        "{step}": ["series", "district", "time", "place", "link", "chair"],
        "{moment.weekday()}": [str(n) for n in range(7)],
        "{value}": ["attend", "absent", "delegated"],
        "{view.value}": ["mycases", "tracked", "waiting", "center"],
        "{need.value}": [n.value for n in Need],
        "{category.value}": [c.value for c in Category],
        "{label_key(kind, was_tracked=referral.tracked)}": [*Decision.ALL, "track"],
        "{label_key(decision.decision, was_tracked=decision.was_tracked)}": [
            *Decision.ALL,
            "track",
        ],
        "{state}": list(Attendance.ALL),
        "{r}": list(ReleaseReason.ALL),
        "{decision.reason}": list(ReleaseReason.ALL),
        "{follow_up}": list(Decision.FOLLOW_UP),
        "{document}": ["agenda", "minutes"],
        "{kind}": ["mycases", "tracked", "waiting", "center", "search"],
        "{resolution.state}": ["open", "done"],
        "{item.status or 'not_yet'}": ["submitted", "due", "overdue", "not_yet"],
        "{meeting.series_key}": ["case_conference", "district_liaison", "city_liaison"],
        "{category_key}": [c.value for c in Category],
        "{proposal}": ["keep", "close"],
        "{row.kind}": [k.value for k in NudgeKind] + ["recipient_unreachable"],
        "{line.held.value}": ["met", "late", "missed", "pending"],
        "{line.minutes.value if line.minutes else 'none'}": [
            "met",
            "late",
            "missed",
            "pending",
            "none",
        ],
        "{c}": [c.value for c in Category],
        "{event}": [e.value for e in ReferralEvent],
        "{move_event}": [MOVE_EVENTS[move].value for move in BUTTON_MOVES],
        "{duty_kind}": [k.value for k in ObligationKind],
        # handlers/overdue.py: bot.overdue.OverdueKind
        "{overdue_kind}": [k.value for k in ObligationKind]
        + ["minutes", "referral_waiting", "resolution"],
        "{waiver}": [w.value for w in WaiverReason],
        "{waiver.value}": [w.value for w in WaiverReason],
        "{WaiverReason(reason).value}": [w.value for w in WaiverReason],
        "{refusal}": sorted(WHY_NOT_CODES | {f"{c.value}.not_supported" for c in Category}),
        # ticks_keyboard(): categories and needs to tick
        "{catalog}.{option.value}": [f"category.{c.value}" for c in Category]
        + [f"need.{n.value}" for n in Need],
        # case_card.names(): category, need and priority lists
        "{prefix}.{key}": [f"category.{c.value}" for c in Category]
        + [f"need.{n.value}" for n in Need]
        + [f"priority.{f.value}" for f in PriorityFlag],
    }
    for placeholder, options in values.items():
        if placeholder in key:
            return {
                expanded
                for option in options
                for expanded in _expand(key.replace(placeholder, option))
            }
    assert "{" not in key, f"teach this test the placeholder in {key}"
    return {key}


def test_the_code_uses_keys_and_they_all_exist_in_zh_tw() -> None:
    texts = Texts()
    used = {expanded for key in _used_keys() for expanded in _expand(key)}
    assert len(used) > 30
    missing = used - texts.keys("zh_TW")
    assert not missing, f"zh_TW lacks {sorted(missing)}"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_has_the_same_messages(locale: str) -> None:
    texts = Texts()
    assert texts.keys(locale) == texts.keys("zh_TW")


def test_a_missing_zh_tw_message_is_caught(tmp_path: Path) -> None:
    for locale in LOCALES:
        source = (PROJECT_ROOT / "templates" / f"{locale}.toml").read_text(encoding="utf-8")
        if locale == "zh_TW":
            source = source.replace('text_expected = "請以文字回覆。"', "")
        (tmp_path / f"{locale}.toml").write_text(source, encoding="utf-8")
    texts = Texts(tmp_path)
    assert texts.keys("en") - texts.keys("zh_TW") == {"common.text_expected"}


def test_messages_escape_what_people_type() -> None:
    rendered = Texts().render("zh_TW", "registration.welcome", role="<b>x</b>&", unit=None)
    assert "&lt;b&gt;x&lt;/b&gt;&amp;" in rendered


def test_dates_are_written_in_the_roc_calendar() -> None:
    assert roc_date(date(2026, 3, 5)) == "115/03/05"
    # 2026-03-04 18:30 UTC is already the 5th in Taipei.
    assert roc_datetime(datetime(2026, 3, 4, 18, 30, tzinfo=UTC)) == "115/03/05 02:30"


def test_a_line_that_ends_in_a_template_tag_keeps_its_line_break() -> None:
    """Lines such as 「地點：…{% if link %}」 must not run into the next one."""
    texts = Texts()
    shown = texts.render(
        "zh_TW",
        "meeting.card",
        title="115/11/25 14:00 中壢區區級個案研討會議",
        place="中壢區公所",
        link="https://meet.example.org/x",
        chair="林督導",
        cutoff=None,
    )
    assert "地點：中壢區公所\n視訊：https://meet.example.org/x\n主席：林督導" in shown


@pytest.mark.parametrize("moment", ["2026-03-19 10:00 +0800", "2027-09-29 16:00 +0800"])
def test_the_example_of_a_meeting_time_is_one_the_bot_would_take(moment: str) -> None:
    with time_machine.travel(moment):
        shown = Texts().render("zh_TW", "reason.meeting.bad_format")
        example = shown.split("「")[1].split("」")[0]
        now = datetime.now(TAIPEI)
        assert isinstance(meeting_rules.parse_meeting_time(example, now=now), datetime), example
