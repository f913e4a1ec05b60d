"""How a referral or case is shown in chat: code, masked alias, facts — never an identifier.

The receiving center sees the description (its team needs it); everyone else sees the summary.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.accounts import Staff
from bot.domain.referral_status import ReferralStatus
from bot.services import Services
from handlers.base import Button, keyboard
from storage.records import ReferralRecord


def names(services: Services, reader: Staff, prefix: str, keys: tuple[str, ...]) -> str:
    return "、".join(services.text(reader, f"{prefix}.{key}") for key in keys) or "—"


async def card_text(services: Services, reader: Staff, referral: ReferralRecord) -> str:
    center = services.jurisdiction.unit(referral.center_id)
    manager = (
        await services.accounts.by_id(referral.case_manager_id)
        if referral.case_manager_id
        else None
    )
    on_team = reader.role.value == "admin" or (
        reader.unit is not None and reader.unit.id == referral.center_id
    )
    narrative = services.referrals.narrative(referral) if on_team else None
    reason = (
        services.referrals.return_reason(referral)
        if referral.status == ReferralStatus.RETURNED
        else None
    )
    return services.text(
        reader,
        "case.card",
        r=referral,
        status=services.text(reader, f"referral_status.{referral.status}"),
        categories=names(services, reader, "category", referral.categories),
        needs=names(services, reader, "need", referral.needs),
        flags=names(services, reader, "priority", referral.priority_flags),
        units="、".join(referral.serving_units) or "—",
        center=center.name if center else referral.center_id,
        manager=manager.display_name if manager else None,
        narrative=narrative,
        reason=reason,
        ttl=int(services.settings.case_message_ttl.total_seconds() // 60),
    )


def line(services: Services, reader: Staff, referral: ReferralRecord) -> str:
    """One line of a list: code, alias, district, status."""
    return services.text(
        reader,
        "case.line",
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


def card_keyboard(
    services: Services, reader: Staff, referral: ReferralRecord
) -> InlineKeyboardMarkup:
    rows = [[(services.text(reader, "case.timeline"), f"rt:{referral.code}")]]
    decisions = decision_buttons(services, reader, referral)
    if decisions:
        rows.insert(0, decisions)
    return keyboard(rows)


async def timeline_text(services: Services, reader: Staff, referral: ReferralRecord) -> str:
    """What happened to the referral, newest first, with who did it."""
    lines = [services.text(reader, "case.timeline_title", code=referral.code)]
    for at, event_kind, actor_id in reversed(await services.referrals.history(referral)):
        actor = await services.accounts.by_id(actor_id) if actor_id else None
        lines.append(
            services.text(
                reader,
                "case.timeline_line",
                at=at,
                event=services.text(reader, f"referral_event.{event_kind}"),
                actor=actor.display_name if actor else None,
                unit=actor.unit_name if actor else None,
            )
        )
    return "\n".join(lines)
