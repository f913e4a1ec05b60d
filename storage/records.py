"""Plain records the repositories return: no database handles, no lazy loading."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class UnitRecord:
    id: str
    name: str
    kind: str
    role: str
    active: bool


@dataclass(frozen=True)
class StaffRecord:
    id: int
    telegram_user_id: int
    display_name: str | None
    role: str
    unit_id: str | None
    status: str
    locale: str
    invite_id: int | None
    decided_by: int | None
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class InviteRecord:
    id: int
    role: str
    unit_id: str | None
    districts: tuple[str, ...]
    issued_by: int | None
    preapproved: bool
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by_telegram_id: int | None


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    actor_staff_id: int | None
    actor_telegram_id: int | None
    action: str
    outcome: str
    subject: str | None
    detail: str | None


@dataclass(frozen=True)
class ReferralRecord:
    id: int
    code: str
    submission_key: str
    district: str
    village: str | None
    alias: str | None
    children_under_6: int | None
    children_6_17: int | None
    elders_65_plus: int | None
    disabled: int | None
    categories: tuple[str, ...]
    needs: tuple[str, ...]
    priority_flags: tuple[str, ...]
    serving_units: tuple[str, ...]
    urgent: bool
    mandatory_report: bool
    narrative: bytes | None  # encrypted
    household_hash: str | None
    status: str
    referrer_id: int
    referrer_unit_id: str | None
    center_id: str
    case_manager_id: int | None
    target_conference: str | None
    adhoc: bool
    return_reason: bytes | None  # encrypted
    decided_by: int | None
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime
    case_status: str | None = None
    tracked: bool = False
    tracked_since: datetime | None = None
    tracked_until: datetime | None = None
    tracked_reason: bytes | None = None  # encrypted
    opened_at: datetime | None = None
    safety_answer: str | None = None  # None: not asked; "none"; or grounds joined by ","
    report_channel: str | None = None  # a 113 / 關懷e起來 report already made, and where


@dataclass(frozen=True)
class ReferralEventRecord:
    id: int
    referral_id: int
    at: datetime
    actor_id: int | None
    kind: str
    detail: str | None


@dataclass(frozen=True)
class DraftRecord:
    staff_id: int
    nonce: str
    payload: bytes  # encrypted JSON
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PendingInputRecord:
    staff_id: int
    kind: str
    subject: str
    created_at: datetime
    payload: bytes | None = None  # encrypted


@dataclass(frozen=True)
class MessageExpiryRecord:
    id: int
    chat_id: int
    message_id: int
    delete_at: datetime


@dataclass(frozen=True)
class CaseEntryRecord:
    id: int
    referral_id: int
    author_id: int
    author_unit_id: str | None
    kind: str
    entry_date: date
    period: str | None
    note: bytes | None  # encrypted
    next_step: bytes | None  # encrypted
    next_due: date | None
    corrects_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class ObligationRecord:
    id: int
    referral_id: int
    kind: str
    period: str
    owner_staff_id: int | None
    owner_unit_id: str | None
    due: date
    state: str
    done_entry_id: int | None
    waived_reason: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class MeetingRecord:
    id: int
    series_key: str
    district: str | None
    window_key: str
    starts_at: datetime
    place: str
    video_link: str | None
    chair: str
    organiser_id: int
    organiser_unit_id: str
    status: str
    referral_cutoff: date | None
    minutes_due: date
    minutes_recorded_at: datetime | None
    minutes_sent_at: datetime | None
    created_at: datetime
    updated_at: datetime
    moved_from: datetime | None = None
    changed_at: datetime | None = None
    attendance_confirmed_at: datetime | None = None

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


@dataclass(frozen=True)
class MeetingAnswerRecord:
    meeting_id: int
    staff_id: int
    answer: str
    delegate_id: int | None
    answered_at: datetime


@dataclass(frozen=True)
class MeetingDecisionRecord:
    id: int
    meeting_id: int
    referral_id: int
    decision: str
    lead_unit_id: str | None
    units: str | None  # JSON list
    note: bytes | None  # encrypted
    recorded_at: datetime
    was_tracked: bool | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ResolutionRecord:
    id: int
    meeting_id: int
    text: bytes  # encrypted
    owner_unit_id: str
    due: date | None
    state: str
    done_at: datetime | None
    recorded_at: datetime


@dataclass(frozen=True)
class NudgeRecord:
    id: int
    dedupe_key: str
    kind: str
    subject: str
    step: str
    escalation: int
    recipient_id: int
    due_at: datetime
    window_key: str
    state: str
    lease_until: datetime | None
    attempts: int
    snoozes: int
    message_id: int | None
    dropped_reason: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class DutyOfCaseRecord:
    """An open duty with what planning its nudges needs of the case it belongs to."""

    referral_id: int
    period: str
    due: date
    owner_staff_id: int | None
    center_id: str
    case_manager_id: int | None
    opened_at: datetime | None


@dataclass(frozen=True)
class TrackedCaseRecord:
    """A case kept under tracking: what projecting its monthly reports needs."""

    id: int
    tracked_since: datetime
    center_id: str
    case_manager_id: int | None


@dataclass(frozen=True)
class PlannedNudge:
    """A nudge to store: for whom, about what, when, and the key that keeps it to one row."""

    dedupe_key: str
    kind: str
    subject: str
    step: str
    escalation: int
    recipient_id: int
    due_at: datetime
    window_key: str
