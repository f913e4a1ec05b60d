"""The one permission table: what each role may do. Every handler asks it before acting.

Commands map to actions, so `/help` and Telegram's command menu list exactly what a role may use.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.roles import Role


class Action(StrEnum):
    """Everything a member of staff can ask the bot to do."""

    HELP = "help"
    WHOAMI = "whoami"
    SWITCH_LANGUAGE = "switch_language"
    INVITE_STAFF = "invite_staff"
    APPROVE_STAFF = "approve_staff"
    REFER = "refer"
    VIEW_CASES = "view_cases"
    DECIDE_REFERRAL = "decide_referral"
    UPDATE_CASE = "update_case"  # entries and monthly reports, for those serving the family
    TRACK_CASE = "track_case"  # 列管, until conferences record it
    MANAGE_TEAM = "manage_team"  # which units serve a case
    VIEW_CASELOAD = "view_caseload"  # a center's caseload at a glance
    VIEW_OVERDUE = "view_overdue"  # duties past due: a center's, or every unit's for the bureau
    VIEW_MEETINGS = "view_meetings"  # my meetings, invitations, agendas
    PLAN_MEETING = "plan_meeting"  # /newmeeting, and the minutes of what one organised
    VIEW_COMPLIANCE = "view_compliance"  # the bureau's view of who held what on time (肆)


_EVERYONE = frozenset(
    {
        Action.HELP,
        Action.WHOAMI,
        Action.SWITCH_LANGUAGE,
        Action.REFER,
        Action.VIEW_CASES,
        Action.VIEW_MEETINGS,
    }
)

_DECIDERS = frozenset(
    {
        Action.INVITE_STAFF,
        Action.APPROVE_STAFF,
        Action.DECIDE_REFERRAL,
        Action.TRACK_CASE,
        Action.MANAGE_TEAM,
        Action.VIEW_CASELOAD,
        Action.VIEW_OVERDUE,
    }
)
# The bureau reads everything but does not write in case records: it does not serve families.
_SERVING = frozenset({Action.UPDATE_CASE})

# Meetings are planned by whoever runs them: a center's supervisor (case conferences), a
# district office's or the bureau's secretariat (liaison meetings), the bureau's administrators.
_PLANNING = frozenset({Action.PLAN_MEETING})

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.WORKER: _EVERYONE | _SERVING,
    Role.CASE_MANAGER: _EVERYONE | _SERVING,
    Role.SUPERVISOR: _EVERYONE | _SERVING | _DECIDERS | _PLANNING,
    Role.SECRETARIAT: _EVERYONE | _SERVING | _PLANNING,
    Role.ADMIN: _EVERYONE | _DECIDERS | _PLANNING | {Action.VIEW_COMPLIANCE},
}


@dataclass(frozen=True)
class Command:
    """A chat command and the action it performs."""

    name: str
    action: Action


# In the order /help and the command menu show them.
COMMANDS: tuple[Command, ...] = (
    Command("refer", Action.REFER),
    Command("mycases", Action.VIEW_CASES),
    Command("case", Action.VIEW_CASES),
    Command("search", Action.VIEW_CASES),
    Command("update", Action.UPDATE_CASE),
    Command("report", Action.UPDATE_CASE),
    Command("caseload", Action.VIEW_CASELOAD),
    Command("overdue", Action.VIEW_OVERDUE),
    Command("meetings", Action.VIEW_MEETINGS),
    Command("nudges", Action.VIEW_MEETINGS),
    Command("newmeeting", Action.PLAN_MEETING),
    Command("compliance", Action.VIEW_COMPLIANCE),
    Command("cancel", Action.HELP),  # whatever is under way: a draft, an answer awaited
    Command("help", Action.HELP),
    Command("whoami", Action.WHOAMI),
    Command("invite", Action.INVITE_STAFF),
    Command("lang", Action.SWITCH_LANGUAGE),
)


def may(role: Role, action: Action) -> bool:
    """Whether a member of staff with `role` may perform `action`."""
    return action in PERMISSIONS[role]


def commands_for(role: Role) -> tuple[Command, ...]:
    """The commands a role may use, in menu order."""
    return tuple(command for command in COMMANDS if may(role, command.action))


# Who may invite whom. A supervisor grows their own center's team and the network workers of the
# districts the center covers; the bureau's administrators may invite anyone.
INVITABLE_ROLES: dict[Role, tuple[Role, ...]] = {
    Role.ADMIN: (Role.WORKER, Role.CASE_MANAGER, Role.SUPERVISOR, Role.SECRETARIAT, Role.ADMIN),
    Role.SUPERVISOR: (Role.WORKER, Role.CASE_MANAGER),
}


def may_invite(inviter: Role, invitee: Role) -> bool:
    return invitee in INVITABLE_ROLES.get(inviter, ())


def may_approve(
    *,
    approver_role: Role,
    approver_unit: str | None,
    applicant_role: Role,
    applicant_unit: str | None,
    centers_of_applicant_unit: frozenset[str],
) -> bool:
    """Whether the approver may decide an application.

    Administrators decide any application. A supervisor decides applications for their own
    center and for network units in the districts their center covers — the same people a
    supervisor may invite. Everything else waits for an administrator.
    """
    if approver_role is Role.ADMIN:
        return True
    if approver_role is not Role.SUPERVISOR or approver_unit is None:
        return False
    if applicant_role not in INVITABLE_ROLES[Role.SUPERVISOR]:
        return False
    if applicant_role is Role.CASE_MANAGER:
        # Center staff see their center's families: only that center's supervisor admits them
        # (桃園區 has two centers covering one district).
        return applicant_unit == approver_unit
    return applicant_unit == approver_unit or approver_unit in centers_of_applicant_unit


class Visibility(StrEnum):
    """How far a role sees referrals and cases (need to know, seed 001)."""

    EVERYTHING = "everything"  # the bureau
    CENTER = "center"  # the receiving center's staff: their center's cases
    OWN = "own"  # what one referred (and, for case managers, what one was assigned)


VISIBILITY: dict[Role, Visibility] = {
    Role.ADMIN: Visibility.EVERYTHING,
    Role.SUPERVISOR: Visibility.CENTER,
    Role.CASE_MANAGER: Visibility.CENTER,
    Role.WORKER: Visibility.OWN,
    Role.SECRETARIAT: Visibility.OWN,
}


def sees_referral(
    *,
    role: Role,
    staff_id: int,
    unit_id: str | None,
    referrer_id: int,
    center_id: str,
    case_manager_id: int | None,
) -> bool:
    """A worker sees what they referred; center staff their center's; the bureau everything."""
    if staff_id in (referrer_id, case_manager_id):
        return True
    visibility = VISIBILITY[role]
    if visibility is Visibility.EVERYTHING:
        return True
    return visibility is Visibility.CENTER and unit_id == center_id


class CaseView(StrEnum):
    """How much of a referral or case a person reads (docs/privacy.md, "Who sees what")."""

    FULL = "full"  # the card with the story, the timeline, duties and team
    SERVING = "serving"  # the card without the story, the timeline, duties and team
    SUMMARY = "summary"  # the card without the story
    STATUS = "status"  # its code and status only
    NONE = "none"


def case_view(
    *,
    role: Role,
    staff_id: int,
    unit_id: str | None,
    referrer_id: int,
    center_id: str,
    case_manager_id: int | None,
    is_case: bool,
    team: frozenset[str],
) -> CaseView:
    """The lead center (its staff, the case manager) and the bureau read everything; a unit
    serving the family now reads the card and the timeline, not the story; the referrer reads
    the card of what they referred until it becomes a case, and then only while their unit serves
    it — once it has stopped, the case's code and status, so they know it goes on."""
    visibility = VISIBILITY[role]
    if (
        visibility is Visibility.EVERYTHING
        or staff_id == case_manager_id
        or (visibility is Visibility.CENTER and unit_id == center_id)
    ):
        return CaseView.FULL
    if unit_id is not None and unit_id in team:
        return CaseView.SERVING
    if staff_id == referrer_id:
        return CaseView.STATUS if is_case else CaseView.SUMMARY
    return CaseView.NONE


def may_decide_referral(*, role: Role, unit_id: str | None, center_id: str) -> bool:
    """受案 / 退回 / 再轉: the receiving center's supervisor, or the bureau."""
    if not may(role, Action.DECIDE_REFERRAL):
        return False
    return role is Role.ADMIN or unit_id == center_id
