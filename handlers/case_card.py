"""How a referral or case is shown in chat: code, masked alias, facts — never an identifier.

The receiving center sees the description (its team needs it); everyone else sees the summary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot.accounts import Staff
from bot.cases import TIMELINE_PAGE
from bot.domain.case_status import MOVE_EVENTS, CaseStatus
from bot.domain.permissions import Action, CaseView, may
from bot.domain.referral_form import NO_DANGER
from bot.domain.referral_status import ReferralEvent, ReferralStatus
from bot.domain.roles import Role
from bot.services import Services
from handlers.base import Button, keyboard, shortened
from handlers.case_moves import move_data
from storage.records import CaseEntryRecord, ReferralEventRecord, ReferralRecord

TIMELINE_TEXT = 80  # characters of a note shown on a timeline line


def names(services: Services, reader: Staff, prefix: str, keys: tuple[str, ...]) -> str:
    return (
        services.joined(reader, (services.text(reader, f"{prefix}.{key}") for key in keys)) or "—"
    )


async def card_text(services: Services, reader: Staff, referral: ReferralRecord) -> str:
    view = await services.referrals.view_of(reader, referral)
    if view is CaseView.STATUS:
        return status_card(services, reader, referral)
    center = services.jurisdiction.unit(referral.center_id)
    manager = (
        await services.accounts.by_id(referral.case_manager_id)
        if referral.case_manager_id
        else None
    )
    narrative = services.referrals.narrative(referral) if view is CaseView.FULL else None
    reason = (
        services.referrals.return_reason(referral)
        if referral.status == ReferralStatus.RETURNED
        else None
    )
    visits = await services.cases.visit_progress(referral)
    return services.text(
        reader,
        "case.card",
        r=referral,
        case_status=services.text(reader, f"case_status.{referral.case_status}")
        if referral.case_status
        else None,
        visits=visits,
        status=services.text(reader, f"referral_status.{referral.status}"),
        categories=names(services, reader, "category", referral.categories),
        needs=names(services, reader, "need", referral.needs),
        flags=names(services, reader, "priority", referral.priority_flags),
        units=services.joined(reader, referral.serving_units) or "—",
        center=center.name if center else referral.center_id,
        manager=manager.display_name if manager else None,
        narrative=narrative,
        reason=reason,
        safety=safety_text(services, reader, referral.safety_answer, referral.mandatory_report),
        reported=report_text(services, reader, referral.report_channel),
        ttl=int(services.settings.case_message_ttl.total_seconds() // 60),
    )


def status_card(services: Services, reader: Staff, referral: ReferralRecord) -> str:
    """A referrer whose unit no longer serves the case: that it goes on, and nothing of it."""
    return services.text(
        reader,
        "case.card_status",
        code=referral.code,
        status=services.text(reader, f"referral_status.{referral.status}"),
        case_status=services.text(reader, f"case_status.{referral.case_status}")
        if referral.case_status
        else None,
        ttl=int(services.settings.case_message_ttl.total_seconds() // 60),
    )


def safety_text(
    services: Services, reader: Staff, answer: str | None, mandatory_report: bool
) -> str:
    """The safety question's answer: 沒有, the grounds answered 有, or that danger was read in the
    description (the question is not asked then)."""
    if answer is None or answer == NO_DANGER:
        if mandatory_report:  # danger read in the description, before or after the question
            return services.text(reader, "safety_answer.recognised")
        if answer is None:
            return "—"
    return services.joined(
        reader, (services.text(reader, f"safety_answer.{part}") for part in answer.split(","))
    )


def report_text(services: Services, reader: Staff, channel: str | None) -> str | None:
    """Where a report already made went (113, 關懷e起來, …); None when none is confirmed."""
    return services.text(reader, f"report_channel.{channel}") if channel else None


def line(
    services: Services, reader: Staff, referral: ReferralRecord, view: CaseView = CaseView.FULL
) -> str:
    """One line of a list: code, alias, district, status (code and status only, for a referrer
    whose unit no longer serves the case)."""
    return services.text(
        reader,
        "case.line_status" if view is CaseView.STATUS else "case.line",
        r=referral,
        status=services.text(reader, f"referral_status.{referral.status}"),
    )


def decision_buttons(services: Services, reader: Staff, referral: ReferralRecord) -> list[Button]:
    if referral.status != ReferralStatus.WAITING or not services.referrals.may_decide(
        reader, referral
    ):
        return []
    return [
        (services.text(reader, "decision.accept"), f"rd:{referral.id}:acc"),
        (services.text(reader, "decision.return"), f"rd:{referral.id}:ret"),
        (services.text(reader, "decision.rerefer"), f"rd:{referral.id}:re"),
    ]


async def card_keyboard(
    services: Services, reader: Staff, referral: ReferralRecord
) -> InlineKeyboardMarkup | None:
    """Decisions for the receiving center; 更新 for the team; 列管 for its supervisor; nothing
    for a referrer whose unit no longer serves the case."""
    rows: list[list[Button]] = []
    team = await services.cases.team(referral)
    if services.referrals.view_given(reader, referral, team) is CaseView.STATUS:
        return None
    decisions = decision_buttons(services, reader, referral)
    if decisions:
        rows.append(decisions)
    actions: list[Button] = [(services.text(reader, "case.timeline"), f"rt:{referral.code}")]
    if may(reader.role, Action.UPDATE_CASE) and not services.cases.writing_problem(
        reader, referral, team
    ):
        actions.insert(0, (services.text(reader, "case.update"), f"up:c:{referral.id}"))
    if (
        may(reader.role, Action.TRACK_CASE)
        and referral.case_status is not None
        and not referral.tracked
        and (reader.role is Role.ADMIN or (reader.unit and reader.unit.id == referral.center_id))
    ):
        actions.append((services.text(reader, "case.track"), f"tk:{referral.id}"))
    rows.append(actions)
    if referral.case_status is not None:
        rows.append(
            [
                (services.text(reader, "case.duties"), f"ob:{referral.id}"),
                (services.text(reader, "case.team"), f"tm:{referral.id}"),
            ]
        )
        source = CaseStatus(referral.case_status)
        moves = [
            (services.text(reader, f"move.{move_event}"), move_data(referral.id, source, target))
            for target in services.cases.moves_for(reader, referral)
            if (move_event := MOVE_EVENTS[(source, target)].value)
        ]
        if moves:
            rows.append(moves)
    return keyboard(rows)


@dataclass(frozen=True)
class TimelineView:
    text: str
    pages: int
    correctable: list[CaseEntryRecord]  # the reader's own entries on this page


async def timeline_text(
    services: Services, reader: Staff, referral: ReferralRecord, page: int = 0
) -> TimelineView:
    """Entries newest first (a page at a time), then the status history; and the page count."""
    found = await services.cases.timeline(reader, referral, page)
    pages = max(1, -(-found.total // TIMELINE_PAGE))
    lines = [
        services.text(reader, "case.timeline_title", code=referral.code, page=page + 1, pages=pages)
    ]
    for entry in found.entries:
        author = await services.accounts.by_id(entry.author_id)
        unit = services.jurisdiction.unit(entry.author_unit_id)
        original = found.originals.get(entry.corrects_id or 0)
        lines.append(
            services.text(
                reader,
                "case.entry_line",
                day=entry.entry_date,
                kind=services.text(reader, f"entry_kind.{entry.kind}"),
                author=author.display_name if author else "—",
                unit=unit.name if unit else "—",
                note=_short(_note(services, reader, entry)),
                step=_short(services.cases.next_step_of(entry)),
                due=entry.next_due,
                corrected=entry.id in found.corrected,
                corrects_day=original.entry_date if original else None,
                corrects_kind=services.text(reader, f"entry_kind.{original.kind}")
                if original
                else None,
            )
        )
    correctable = [e for e in found.entries if services.cases.may_correct(reader, e)]
    if page > 0:
        return TimelineView("\n".join(lines), pages, correctable)
    lines.append(services.text(reader, "case.history_title"))
    for event in reversed(await services.referrals.history(referral)):
        actor = await services.accounts.by_id(event.actor_id) if event.actor_id else None
        lines.append(
            services.text(
                reader,
                "case.timeline_line",
                at=event.at,
                event=services.text(reader, f"referral_event.{event.kind}"),
                detail=_event_detail(services, reader, event),
                actor=actor.display_name if actor else None,
                unit=actor.unit_name if actor else None,
            )
        )
    return TimelineView("\n".join(lines), pages, correctable)


def _note(services: Services, reader: Staff, entry: CaseEntryRecord) -> str | None:
    """An entry's note; a monthly report's answers read as the report and its proposal."""
    note = services.cases.note_of(entry)
    if entry.kind != "monthly_report" or note is None:
        return note
    answers = json.loads(note)
    proposal = "close" if answers.get("proposal") == "close" else "keep"
    return f"{answers.get('report', '')}（{services.text(reader, f'report.{proposal}')}）"


def _event_detail(services: Services, reader: Staff, event: ReferralEventRecord) -> str | None:
    """What a team change or a waiver was about: a unit's name, a reason — never free text."""
    detail = json.loads(event.detail) if event.detail else {}
    if not isinstance(detail, dict):
        return None
    if event.kind in (ReferralEvent.TEAM_JOINED, ReferralEvent.TEAM_LEFT) and "unit" in detail:
        unit = services.jurisdiction.unit(str(detail["unit"]))
        return unit.name if unit else str(detail["unit"])
    if event.kind == ReferralEvent.DUTY_WAIVED and "reason" in detail:
        duty_kind, waiver = str(detail.get("kind")), str(detail["reason"])
        kind = services.text(reader, f"duty_kind.{duty_kind}")
        return f"{kind}：{services.text(reader, f'waiver.{waiver}')}"
    return None


def _short(text: str | None) -> str | None:
    return None if text is None else shortened(text, TIMELINE_TEXT)
