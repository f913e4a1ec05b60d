"""Who is told what about a referral: the receiving center at once (urgently when safety is at
stake), both sides of a co-case, and the referring worker of every decision."""

from __future__ import annotations

import logging

from bot.accounts import Staff
from bot.domain.roles import Role
from handlers.base import Context, notify, services_of
from handlers.case_card import card_keyboard, card_text
from storage.records import ReferralRecord

log = logging.getLogger(__name__)


async def receivers(context: Context, center_id: str) -> list[Staff]:
    """The center's supervisors; when it has none yet, the bureau's administrators."""
    services = services_of(context)
    supervisors = await services.referrals.supervisors_of(center_id)
    if supervisors:
        return supervisors
    admins = await services.accounts.admins()
    return [admin for admin in admins if admin.role is Role.ADMIN]


async def to_receiving_center(context: Context, referral: ReferralRecord) -> None:
    """A new (or re-referred) referral reaches the center's supervisors with 受案/退回/再轉."""
    services = services_of(context)
    for supervisor in await receivers(context, referral.center_id):
        head = services.text(
            supervisor,
            "notice.new_referral",
            urgent=referral.urgent,
            mandatory_report=referral.mandatory_report,
        )
        card = await card_text(services, supervisor, referral)
        sent = await notify(
            context,
            supervisor,
            f"{head}\n\n{card}",
            await card_keyboard(services, supervisor, referral),
        )
        if sent is not None:
            # The card carries the family's story: it expires like any case message.
            await services.referrals.expire_later(
                sent.chat_id, sent.message_id, services.settings.case_message_ttl
            )


async def co_cases(
    context: Context,
    referrer: Staff,
    referral: ReferralRecord,
    matches: tuple[ReferralRecord, ...],
) -> None:
    """Both sides learn only that the other serves the family, and the case code."""
    services = services_of(context)
    for other in matches:
        serving = services.jurisdiction.unit(other.center_id)
        await notify(
            context,
            referrer,
            services.text(
                referrer, "notice.co_case", unit=serving.name if serving else "—", code=other.code
            ),
        )
        other_side = [
            await services.accounts.by_id(other.referrer_id),
            *await services.referrals.supervisors_of(other.center_id),
        ]
        mine = services.jurisdiction.unit(referral.center_id)
        for person in {p.id: p for p in other_side if p is not None and p.active}.values():
            await notify(
                context,
                person,
                services.text(
                    person, "notice.co_case", unit=mine.name if mine else "—", code=referral.code
                ),
            )


async def to_referrer(
    context: Context, referral: ReferralRecord, key: str, **extra: object
) -> None:
    """The referring worker is told each decision."""
    services = services_of(context)
    referrer = await services.accounts.by_id(referral.referrer_id)
    if referrer is None or not referrer.active:
        return
    center = services.jurisdiction.unit(referral.center_id)
    await notify(
        context,
        referrer,
        services.text(
            referrer, key, code=referral.code, center=center.name if center else "—", **extra
        ),
    )
