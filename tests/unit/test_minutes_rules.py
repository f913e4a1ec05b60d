"""The minutes' rules (bot/domain/minutes.py) with the plan's cases and near misses: the choices
a case conference has for a case in each state (參.三.(六).3), and attendance per invited unit
(參.三.(三))."""

from __future__ import annotations

import pytest

from bot.domain.minutes import (
    Attendance,
    Decision,
    ReleaseReason,
    UnitAnswer,
    attendance_from_answers,
    choices,
    decision_problem,
    label_key,
    starts_tracking,
)

UNITS = frozenset({"health-zhongli", "jobs-zhongli"})


def test_a_tracked_case_is_kept_or_released_never_tracked_again() -> None:
    assert choices(tracked=True, open_case=True) == (
        Decision.KEEP,
        Decision.RELEASE,
        Decision.REFER_ON,
        Decision.JOINT_PLAN,
    )
    assert label_key(Decision.KEEP, was_tracked=True) == "keep"  # 持續列管


def test_an_untracked_open_case_is_tracked_or_not_and_cannot_be_released() -> None:
    offered = choices(tracked=False, open_case=True)
    assert offered == (Decision.KEEP, Decision.NO_TRACKING, Decision.REFER_ON, Decision.JOINT_PLAN)
    assert Decision.RELEASE not in offered
    assert label_key(Decision.KEEP, was_tracked=False) == "track"  # 列管, not 持續列管
    assert starts_tracking(Decision.KEEP, was_tracked=False)
    assert starts_tracking(Decision.JOINT_PLAN, was_tracked=False)
    assert not starts_tracking(Decision.KEEP, was_tracked=True)
    assert not starts_tracking(Decision.NO_TRACKING, was_tracked=False)


def test_a_referral_not_yet_accepted_can_only_stay_untracked_or_go_elsewhere() -> None:
    assert choices(tracked=False, open_case=False) == (Decision.NO_TRACKING, Decision.REFER_ON)
    problem = decision_problem(
        Decision.KEEP, tracked=False, open_case=False, reason=None, unit=None, units_allowed=UNITS
    )
    assert problem == "meeting.not_an_open_case"


@pytest.mark.parametrize(
    ("decision", "tracked", "reason", "unit", "expected"),
    [
        (Decision.RELEASE, True, ReleaseReason.IMPROVED, None, None),
        (Decision.RELEASE, True, None, None, "meeting.needs_reason"),
        (Decision.RELEASE, True, "because", None, "meeting.needs_reason"),
        (Decision.RELEASE, False, ReleaseReason.CLOSED, None, "meeting.bad_decision"),
        (Decision.REFER_ON, False, None, "jobs-zhongli", None),
        (Decision.REFER_ON, False, None, None, "meeting.bad_unit"),
        (Decision.REFER_ON, True, None, "fsc-guishan", "meeting.bad_unit"),
        (Decision.JOINT_PLAN, True, None, "health-zhongli", None),
        (Decision.JOINT_PLAN, False, None, None, "meeting.bad_unit"),
        (Decision.NO_TRACKING, True, None, None, "meeting.bad_decision"),
        ("forged", True, None, None, "meeting.bad_decision"),
    ],
)
def test_each_decision_needs_its_follow_up(
    decision: str, tracked: bool, reason: str | None, unit: str | None, expected: str | None
) -> None:
    assert (
        decision_problem(
            decision,
            tracked=tracked,
            open_case=True,
            reason=reason,
            unit=unit,
            units_allowed=UNITS,
        )
        == expected
    )


def test_attendance_is_suggested_from_the_answers_per_unit() -> None:
    invited = ["fsc-zhongli", "police-zhongli", "school-zhongli", "health-zhongli", "office"]
    answers = [
        UnitAnswer("police-zhongli", "attend"),
        UnitAnswer("police-zhongli", "absent"),  # one came, another was excused: the unit came
        UnitAnswer("school-zhongli", "delegated"),
        UnitAnswer("health-zhongli", "absent"),
        UnitAnswer("jobs-zhongli", "attend"),  # not invited: not listed
    ]
    assert attendance_from_answers(invited, answers, organiser_unit="fsc-zhongli") == {
        "fsc-zhongli": Attendance.ATTENDED,  # runs the meeting, answers nothing
        "police-zhongli": Attendance.ATTENDED,
        "school-zhongli": Attendance.DELEGATE,
        "health-zhongli": Attendance.EXCUSED,
        "office": Attendance.ABSENT,
    }


def test_one_tap_moves_a_unit_through_every_state_and_back() -> None:
    state = Attendance.ATTENDED
    seen = [state]
    for _ in range(4):
        state = Attendance.next_after(state)
        seen.append(state)
    assert seen == ["attended", "delegate", "excused", "absent", "attended"]
    assert Attendance.next_after("forged") == Attendance.ATTENDED
