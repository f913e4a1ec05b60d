"""What a meeting's minutes record, as rules: the decision a case conference takes for each case
on its agenda, and who attended.

A case conference decides, for every case on its agenda, whether the case is tracked (列管):
tracked cases report monthly to their family service center and are discussed at the next
conference before release (參.三.(六).3.(4)–(5)); cases served by several bureaus need a joint
service plan passed by the conference (參.三.(六).2.(5).B). The choices offered follow the case's
state — a tracked case is kept (持續列管) or released (除管); an untracked one is tracked (列管) or
not (不列管) — so nobody starts monthly reports by pressing a label meant for another state.

Attendance is per invited unit (參.三.(三) names units, not people): pre-filled from the answers
to the invitation, confirmed by the organiser before the decisions. Everything here is pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class Decision:
    """What a case conference decides for one case on its agenda (參.三.(六).3)."""

    KEEP = "keep"  # 列管 / 持續列管: the lead unit reports monthly (參.三.(六).3.(5))
    RELEASE = "release"  # 除管, with a reason
    NO_TRACKING = "no_tracking"  # 不列管: an untracked case stays untracked
    JOINT_PLAN = "joint_plan"  # 需聯合服務計畫, with the unit that leads it (參.三.(六).2.(5).B)
    REFER_ON = "refer_on"  # 轉介其他單位, with the unit it goes to

    ALL = (KEEP, RELEASE, NO_TRACKING, JOINT_PLAN, REFER_ON)
    # Decisions that need one more answer before they are recorded.
    FOLLOW_UP = (RELEASE, JOINT_PLAN, REFER_ON)


class ReleaseReason:
    """Why a tracked case is released (除管) — asked before the release is recorded."""

    IMPROVED = "improved"  # 問題改善、處遇目標達成
    CLOSED = "closed"  # 已結案
    MOVED = "moved"  # 遷出轄區或失聯
    OTHER_LEAD = "other_lead"  # 改由其他單位主責

    ALL = (IMPROVED, CLOSED, MOVED, OTHER_LEAD)


def choices(*, tracked: bool, open_case: bool) -> tuple[str, ...]:
    """The decisions offered for a case in this state, in the order they are shown.

    Tracking and a joint plan need an accepted, open case; a referral still waiting to be
    accepted can only stay untracked or go to another unit.
    """
    if tracked:
        return (Decision.KEEP, Decision.RELEASE, Decision.REFER_ON, Decision.JOINT_PLAN)
    if open_case:
        return (Decision.KEEP, Decision.NO_TRACKING, Decision.REFER_ON, Decision.JOINT_PLAN)
    return (Decision.NO_TRACKING, Decision.REFER_ON)


def decision_problem(
    decision: str,
    *,
    tracked: bool,
    open_case: bool,
    reason: str | None,
    unit: str | None,
    units_allowed: frozenset[str],
) -> str | None:
    """Why this decision cannot be recorded for a case in this state (a reason code), or None.

    Only the state's choices are taken; a release needs its reason; a referral on and a joint
    plan need a unit from those the meeting may name.
    """
    if decision not in Decision.ALL:
        return "meeting.bad_decision"
    if decision not in choices(tracked=tracked, open_case=open_case):
        if decision in (Decision.KEEP, Decision.JOINT_PLAN):
            return "meeting.not_an_open_case"  # tracking needs an accepted, open case
        return "meeting.bad_decision"
    if decision == Decision.RELEASE and reason not in ReleaseReason.ALL:
        return "meeting.needs_reason"
    if decision in (Decision.REFER_ON, Decision.JOINT_PLAN) and unit not in units_allowed:
        return "meeting.bad_unit"
    return None


def as_is(*, tracked: bool) -> str:
    """「其餘維持現狀」: a tracked case stays tracked, an untracked one stays untracked."""
    return Decision.KEEP if tracked else Decision.NO_TRACKING


def label_key(decision: str, *, was_tracked: bool | None) -> str:
    """The catalog key of a decision's words: keeping an untracked case is 「列管」 (it starts
    now), keeping a tracked one 「持續列管」."""
    if decision == Decision.KEEP and was_tracked is False:
        return "track"
    return decision


def starts_tracking(decision: str, *, was_tracked: bool | None) -> bool:
    return decision in (Decision.KEEP, Decision.JOINT_PLAN) and was_tracked is False


class Attendance:
    """One invited unit at the meeting, as the minutes record it."""

    ATTENDED = "attended"  # 出席
    DELEGATE = "delegate"  # 代理出席: someone came in another's place
    EXCUSED = "excused"  # 請假
    ABSENT = "absent"  # 缺席: no answer and nobody came

    ALL = (ATTENDED, DELEGATE, EXCUSED, ABSENT)

    @staticmethod
    def next_after(state: str) -> str:
        """One tap on a unit moves it to the next state (出席 → 代理 → 請假 → 缺席 → 出席)."""
        order = Attendance.ALL
        return order[(order.index(state) + 1) % len(order)] if state in order else order[0]


@dataclass(frozen=True)
class UnitAnswer:
    """One person's answer to the invitation, by unit: attend / absent / delegated."""

    unit_id: str
    answer: str


def attendance_from_answers(
    invited: Iterable[str], answers: Iterable[UnitAnswer], *, organiser_unit: str
) -> dict[str, str]:
    """Each invited unit's attendance as the answers suggest it: the organiser's own unit runs
    the meeting and attends; a unit attends when anyone of it answered 出席, sent a delegate when
    someone of it delegated, is excused when it only said 請假, and is absent when nobody answered.
    """
    by_unit: dict[str, set[str]] = {}
    for found in answers:
        by_unit.setdefault(found.unit_id, set()).add(found.answer)
    suggested = {}
    for unit_id in invited:
        said = by_unit.get(unit_id, set())
        if unit_id == organiser_unit or "attend" in said:
            suggested[unit_id] = Attendance.ATTENDED
        elif "delegated" in said:
            suggested[unit_id] = Attendance.DELEGATE
        elif "absent" in said:
            suggested[unit_id] = Attendance.EXCUSED
        else:
            suggested[unit_id] = Attendance.ABSENT
    return suggested
