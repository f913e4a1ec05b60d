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
