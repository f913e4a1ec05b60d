"""A case's status as a small guarded state machine, and who may write what on a case.

An accepted referral (受案) is a case; tracking (列管) by a case conference is a separate flag.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from bot.domain.referral_status import ReferralEvent
from bot.domain.roles import Role


class CaseStatus(StrEnum):
    AWAITING_ASSIGNMENT = "awaiting_assignment"  # 待分派: accepted, no case manager yet
    IN_SERVICE = "in_service"  # 處遇中
    FOLLOW_UP = "follow_up"  # 後追: services done, the family is watched for a while
    CLOSURE_REQUESTED = "closure_requested"  # 申請結案: the lead asks the supervisor to close
    CLOSED = "closed"  # 已結案


class Mover(StrEnum):
    """Who, in relation to the case, may move it. Computed from facts by `movers`."""

    LEAD = "lead"  # the assigned case manager (主責社工)
    CENTER_SUPERVISOR = "center_supervisor"  # a supervisor of the case's family service center
    ADMIN = "admin"  # the Social Affairs Bureau


_CENTER = frozenset({Mover.CENTER_SUPERVISOR, Mover.ADMIN})
_LEAD_OR_SUPERVISOR = frozenset({Mover.LEAD, Mover.CENTER_SUPERVISOR})

# The allowed moves and who may make each. Accepting, assigning, closing and reopening are the
# supervisor's decisions (they answer for the center's caseload, docs/domain.md §1); the bureau
# may stand in. Moving between active service and follow-up is everyday casework, so the lead
# worker does it. Asking to close is the lead's: they know whether the goals are met.
TRANSITIONS: dict[tuple[CaseStatus, CaseStatus], frozenset[Mover]] = {
    # assigning a case manager puts the case in service
    (CaseStatus.AWAITING_ASSIGNMENT, CaseStatus.IN_SERVICE): _CENTER,
    (CaseStatus.IN_SERVICE, CaseStatus.FOLLOW_UP): _LEAD_OR_SUPERVISOR,
    # the family needs more again
    (CaseStatus.FOLLOW_UP, CaseStatus.IN_SERVICE): _LEAD_OR_SUPERVISOR,
    # through an entry of kind closure_request (申請結案 / 除管)
    (CaseStatus.IN_SERVICE, CaseStatus.CLOSURE_REQUESTED): frozenset({Mover.LEAD}),
    (CaseStatus.FOLLOW_UP, CaseStatus.CLOSURE_REQUESTED): frozenset({Mover.LEAD}),
    (CaseStatus.CLOSURE_REQUESTED, CaseStatus.CLOSED): _CENTER,  # approved
    (CaseStatus.CLOSURE_REQUESTED, CaseStatus.IN_SERVICE): _CENTER,  # refused
    (CaseStatus.CLOSED, CaseStatus.IN_SERVICE): _CENTER,  # reopened
}

# How each move is written in the case's status history.
MOVE_EVENTS: dict[tuple[CaseStatus, CaseStatus], ReferralEvent] = {
    (CaseStatus.AWAITING_ASSIGNMENT, CaseStatus.IN_SERVICE): ReferralEvent.ACCEPTED,
    (CaseStatus.IN_SERVICE, CaseStatus.FOLLOW_UP): ReferralEvent.TO_FOLLOW_UP,
    (CaseStatus.FOLLOW_UP, CaseStatus.IN_SERVICE): ReferralEvent.BACK_IN_SERVICE,
    (CaseStatus.IN_SERVICE, CaseStatus.CLOSURE_REQUESTED): ReferralEvent.CLOSURE_REQUESTED,
    (CaseStatus.FOLLOW_UP, CaseStatus.CLOSURE_REQUESTED): ReferralEvent.CLOSURE_REQUESTED,
    (CaseStatus.CLOSURE_REQUESTED, CaseStatus.CLOSED): ReferralEvent.CLOSED,
    (CaseStatus.CLOSURE_REQUESTED, CaseStatus.IN_SERVICE): ReferralEvent.CLOSURE_REFUSED,
    (CaseStatus.CLOSED, CaseStatus.IN_SERVICE): ReferralEvent.REOPENED,
}

# Moves made with a button on the case card. Asking to close goes through an entry (申請結案),
# so the reasons are on record; assigning happens when the referral is accepted.
BUTTON_MOVES: tuple[tuple[CaseStatus, CaseStatus], ...] = (
    (CaseStatus.IN_SERVICE, CaseStatus.FOLLOW_UP),
    (CaseStatus.FOLLOW_UP, CaseStatus.IN_SERVICE),
    (CaseStatus.CLOSURE_REQUESTED, CaseStatus.CLOSED),
    (CaseStatus.CLOSURE_REQUESTED, CaseStatus.IN_SERVICE),
    (CaseStatus.CLOSED, CaseStatus.IN_SERVICE),
)

NOT_ALLOWED_ROLE = "case.not_allowed_role"
NOT_LEAD = "case.not_lead"
OTHER_CENTER = "case.other_center"
NO_SUCH_TRANSITION = "case.no_such_transition"
TRACKED_NEEDS_CONFERENCE = "case.tracked_needs_conference"
CASE_CLOSED = "case.closed"
NOT_ON_TEAM = "case.not_on_team"
ADMIN_READS_ONLY = "case.admin_reads_only"
ENTRY_FUTURE_DATE = "entry.future_date"
ENTRY_BEFORE_CASE = "entry.before_case"
ENTRY_TOO_OLD = "entry.too_old"
STATUS_CHANGED = "case.status_changed"

REASON_CODES: frozenset[str] = frozenset(
    {
        NOT_ALLOWED_ROLE,
        NOT_LEAD,
        OTHER_CENTER,
        NO_SUCH_TRANSITION,
        TRACKED_NEEDS_CONFERENCE,
        CASE_CLOSED,
        NOT_ON_TEAM,
        ADMIN_READS_ONLY,
        ENTRY_FUTURE_DATE,
        ENTRY_BEFORE_CASE,
        ENTRY_TOO_OLD,
        STATUS_CHANGED,
    }
)


def movers(*, role: Role, is_lead: bool, is_center_staff: bool) -> frozenset[Mover]:
    """What a member of staff is to the case: its lead, its center's supervisor, the bureau."""
    found: set[Mover] = set()
    if is_lead:
        found.add(Mover.LEAD)
    if role is Role.SUPERVISOR and is_center_staff:
        found.add(Mover.CENTER_SUPERVISOR)
    if role is Role.ADMIN:
        found.add(Mover.ADMIN)
    return frozenset(found)


def may_transition(
    current: CaseStatus,
    target: CaseStatus,
    *,
    role: Role,
    is_lead: bool,
    is_center_staff: bool,
    tracked: bool,
) -> str | None:
    """None when this member of staff may move the case from `current` to `target`, else why not.

    `is_lead`: they are the case's assigned case manager; `is_center_staff`: they belong to the
    family service center leading the case. Moving a case out of awaiting_assignment is the act
    of assigning its case manager: the caller records both together.

    A tracked case (列管) may ask for closure — that request is how it reaches the next case
    conference — but cannot be closed: cases kept under tracking report monthly "and are released
    (除管) after discussion at the next case conference" (seed 004, 參.三.(六).3.(5)). Nobody
    closes one from chat; once a conference has untracked it, the supervisor may approve.
    """
    if current is CaseStatus.CLOSED and target is not CaseStatus.IN_SERVICE:
        return CASE_CLOSED
    allowed = TRANSITIONS.get((current, target))
    if allowed is None:
        return NO_SUCH_TRANSITION
    if not allowed & movers(role=role, is_lead=is_lead, is_center_staff=is_center_staff):
        return _why_not_mover(allowed, role)
    if target is CaseStatus.CLOSED and tracked:
        return TRACKED_NEEDS_CONFERENCE
    return None


def _why_not_mover(allowed: frozenset[Mover], role: Role) -> str:
    # The most specific reason: a supervisor of another center is not refused for their role.
    if Mover.CENTER_SUPERVISOR in allowed and role is Role.SUPERVISOR:
        return OTHER_CENTER
    if allowed == {Mover.LEAD}:
        return NOT_LEAD
    return NOT_ALLOWED_ROLE


def may_mark_tracked(role: Role) -> bool:
    """Whether `role` may put a case under tracking (列管) from chat.

    The plan has the case conference decide which cases stay tracked (seed 004,
    參.三.(六).3.(4)–(5)). Until the meetings feature records conference decisions, a supervisor
    or the bureau records that decision by hand, and must give a reason; the caller also checks
    that a supervisor belongs to the case's center.
    """
    return role in (Role.SUPERVISOR, Role.ADMIN)


def may_untrack(*, by_conference: bool) -> bool:
    """Only a case conference's decision releases a tracked case (除管, 參.三.(六).3.(5))."""
    return by_conference


def may_write_entry(
    *,
    role: Role,
    staff_unit: str | None,
    lead_center: str,
    co_serving_units: frozenset[str],
    is_lead: bool,
    status: CaseStatus,
) -> str | None:
    """None when this member of staff may add an entry to the case, else why not.

    Frontline staff complained that "case records can only be written by the lead worker", so
    others who served the family during an incident could not record it (seed 003, 參.八.(三)).
    Here everyone serving the family writes attributed entries: the lead worker, anyone at the
    lead center, and staff of a unit recorded as co-serving the case — the caller passes only
    the units still serving it. Administrators read every case but write on none: the bureau is
    not serving the family, and an entry is a record of service. A closed case takes no entries;
    it must be reopened first.
    """
    if status is CaseStatus.CLOSED:
        return CASE_CLOSED
    if is_lead:
        return None
    if role is Role.ADMIN:
        return ADMIN_READS_ONLY
    if staff_unit is not None and (staff_unit == lead_center or staff_unit in co_serving_units):
        return None
    return NOT_ON_TEAM


class EntryKind(StrEnum):
    """What an entry on a case records; the first ten are TWSS's visit methods (服務方式)."""

    PHONE_VISIT = "phone_visit"
    HOME_VISIT = "home_visit"
    ACCOMPANIMENT = "accompaniment"
    NETWORK_CONTACT = "network_contact"
    FAMILY_CALL = "family_call"
    SCHOOL_VISIT = "school_visit"
    INTERVIEW = "interview"
    OFFICIAL_REPLY = "official_reply"
    INSTITUTION_VISIT = "institution_visit"
    OTHER = "other"
    SERVICE_PLAN = "service_plan"
    INCIDENT = "incident"
    CLOSURE_REQUEST = "closure_request"
    CORRECTION = "correction"  # a new entry referencing the one it corrects; nothing is edited
    MONTHLY_REPORT = "monthly_report"


# The words of SFAA's draft data standard (TWSS Base IG) where it has them (docs/domain.md §4),
# so exports need no translation table.
TWSS_NAMES: dict[EntryKind, str] = {
    EntryKind.PHONE_VISIT: "電訪家庭",
    EntryKind.HOME_VISIT: "面訪家庭",
    EntryKind.ACCOMPANIMENT: "陪同服務",
    EntryKind.NETWORK_CONTACT: "網絡聯繫",
    EntryKind.FAMILY_CALL: "案家來電",
    EntryKind.SCHOOL_VISIT: "校園訪視",
    EntryKind.INTERVIEW: "面談",
    EntryKind.OFFICIAL_REPLY: "公文回覆",
    EntryKind.INSTITUTION_VISIT: "機構訪視",
    EntryKind.OTHER: "其他",
    EntryKind.SERVICE_PLAN: "服務計畫",
    EntryKind.INCIDENT: "危機事件",
    EntryKind.CLOSURE_REQUEST: "申請結案/除管",
    EntryKind.CORRECTION: "更正",
    EntryKind.MONTHLY_REPORT: "列管月報",
}

# What counts as a visit for 幸扶守護 follow-up (seed 003: 4 visits in the first month, then 2 a
# month): a contact with the family or its member, wherever it happens — including the family's
# own call, since the worker reaches them. Talking to other units about the family
# (network_contact, official_reply) is not a visit.
VISIT_KINDS: frozenset[EntryKind] = frozenset(
    {
        EntryKind.PHONE_VISIT,
        EntryKind.HOME_VISIT,
        EntryKind.ACCOMPANIMENT,
        EntryKind.FAMILY_CALL,
        EntryKind.SCHOOL_VISIT,
        EntryKind.INTERVIEW,
        EntryKind.INSTITUTION_VISIT,
    }
)

# Entries that only make sense pointing at an earlier entry of the same case.
REFERENCING_KINDS: frozenset[EntryKind] = frozenset({EntryKind.CORRECTION})

# Late notes rewrite months whose reports were already sent (due the 5th of the next month) and
# the quarter a case conference already reviewed (seed 004, 參.三.(四)). Older events are written
# as today's entry that says when they happened, so what was already reported stays true.
MAX_ENTRY_AGE = timedelta(days=90)


def check_entry_date(entry_date: date, *, today: date, case_opened: date) -> str | None:
    """None when an entry may be dated `entry_date`, else why not.

    Input is checked where it is typed: data must be accurate and consistent (seed 002,
    docs/domain.md §5).
    `today` is the Taipei date; `case_opened` the day the case began (the referral's acceptance).
    """
    if entry_date > today:
        return ENTRY_FUTURE_DATE
    if entry_date < case_opened:
        return ENTRY_BEFORE_CASE
    if today - entry_date > MAX_ENTRY_AGE:
        return ENTRY_TOO_OLD
    return None
