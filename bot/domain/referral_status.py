"""Where a referral stands, in the words of SFAA's draft data standard (TWSS Base IG)."""

from __future__ import annotations

from enum import StrEnum


class ReferralStatus(StrEnum):
    WAITING = "waiting"  # 轉介等待中: at the receiving center, not yet decided
    ACCEPTED = "accepted"  # 受案: a case manager is assigned
    RETURNED = "returned"  # 退回: sent back to the referrer with a reason


class ReferralEvent(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"  # 受案
    RETURNED = "returned"  # 退回
    REREFERRED = "rereferred"  # 再轉: moved to another center
    CO_CASE_FOUND = "co_case_found"  # 共案
    # Once it is a case (bot/domain/case_status.py):
    TRACKED = "tracked"  # 列管
    RELEASED = "released"  # 除管, by a case conference
    TO_FOLLOW_UP = "to_follow_up"  # 處遇中 → 後追
    BACK_IN_SERVICE = "back_in_service"  # 後追 → 處遇中
    CLOSURE_REQUESTED = "closure_requested"  # 申請結案
    CLOSURE_REFUSED = "closure_refused"  # 申請結案 → 處遇中
    CLOSED = "closed"  # 結案
    REOPENED = "reopened"  # 已結案 → 處遇中
    TEAM_JOINED = "team_joined"  # a unit starts serving the family
    TEAM_LEFT = "team_left"  # a unit stops serving it (its staff can no longer write)
    DUTY_WAIVED = "duty_waived"  # an obligation excused, with a reason
